/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtio-net driver's RX side and its queue pairs, on the simulated
 * device (see test_virtio_net.c): a pool that runs dry, nudges, and
 * multi-queue with per-queue counters. (A separate binary: the netdev list
 * holds NETDEV_MAX devices and each test attaches one.)
 */
#include <stdlib.h>
#include "vnet_test.h"

/*
 * RX when the pool runs dry: an NF holds every frame it gets until the pool
 * is empty for a while, then lets them all go, with the device offering
 * frames throughout. RX must resume, and every frame offered must be
 * accounted for exactly: received, counted in rx_nobuf, or dropped by the
 * device for want of a posted buffer.
 */
static void test_rx_starvation(void)
{
	enum { RING = 64, OFFER = 8, ROUNDS = 400, HOLD_FROM = 20, RELEASE_AT = 200 };
	struct sim_vnet s;
	struct netdev *dev = attach(&s, MODERN, RING, false);
	struct netbuf_pool *pool = netbuf_pool_alloc("starve", 2 * RING, 2048 - 64, 0);
	static struct netbuf *held[4 * RING];
	struct netbuf *bufs[32];
	struct netdev_stats st;
	unsigned nheld = 0, offered = 0, received = 0, after_release = 0;

	open_pair(dev, pool, RING, RING);
	for (int round = 0; round < ROUNDS; round++) {
		for (int i = 0; i < OFFER; i++, offered++)
			sim_rx(&s, 0, 60, (uint8_t)offered, 1);
		sim_publish(&s, 0);
		uint16_t k = netdev_rx_burst(dev, 0, bufs, 32);
		received += k;
		if (round >= RELEASE_AT)
			after_release += k;
		for (uint16_t i = 0; i < k; i++) {
			if (round >= HOLD_FROM && round < RELEASE_AT && nheld < ARRAY_SIZE(held))
				held[nheld++] = bufs[i];
			else
				netbuf_free(bufs[i]);
		}
		if (round == RELEASE_AT) {
			netbuf_free_bulk(held, nheld);
			nheld = 0;
		}
	}
	netdev_stats(dev, &st);
	printf("# offered %u, received %u (%u after the release), rx_nobuf %llu,"
	       " device found no buffer %u\n", offered, received, after_release,
	       (unsigned long long)st.rx_nobuf, s.rx_no_buffer);
	ok(after_release >= (ROUNDS - RELEASE_AT - 10) * OFFER,
	   "RX resumes once the netbufs are back (%u frames after)", after_release);
	is_u64(received + st.rx_nobuf + s.rx_no_buffer, offered,
	       "received + rx_nobuf + the device's drops = offered, exactly");
	is_u64(st.rx_packets, received, "rx_packets = frames the NF got");
	netdev_stop(dev);
	is_u64(in_use(pool), 0, "every netbuf back after stop");
}

/* Empty polls for about @ms milliseconds of TSC time. */
static void poll_idle(struct netdev *dev, unsigned ms)
{
	struct netbuf *bufs[32];
	uint64_t end = rdtsc() + vq_nudge_ticks * ms / 10;

	while (rdtsc() < end)
		netbuf_free_bulk(bufs, netdev_rx_burst(dev, 0, bufs, 32));
}

/*
 * Nudges (doorbells sent unasked after a stall) recover a lost
 * notification; an idle link is not one. RX nudges only after the ring ran
 * dry, the one case where the device waits for a doorbell.
 */
static void test_rx_nudges(void)
{
	struct sim_vnet s;
	struct netdev *dev = attach(&s, MODERN, 64, false);
	struct netbuf_pool *pool = netbuf_pool_alloc("nudge", 256, 2048 - 64, 0);
	struct netdev_stats st;

	open_pair(dev, pool, 64, 64);
	poll_idle(dev, 50);
	netdev_stats(dev, &st);
	is_u64(st.nudges, 0, "an idle link with a full ring: no nudge");
	for (int i = 0; i < 64; i++)
		sim_rx(&s, 0, 60, 0, 1);
	sim_publish(&s, 0);
	poll_idle(dev, 50);
	netdev_stats(dev, &st);
	ok(st.rx_ring_dry == 1 && st.nudges >= 1,
	   "after the ring ran dry, a silent device is nudged (%llu)",
	   (unsigned long long)st.nudges);
	netdev_stop(dev);
}

/*
 * Multi-queue: the device's pairs are offered, the pairs in use are set with
 * the control queue after DRIVER_OK, every pair carries its own traffic,
 * frames say which queue they came from, and the per-queue counters add up
 * to the device's and start again from 0 on a reset.
 */
static void test_multiqueue(void)
{
	enum { PAIRS = 4, USED = 3 };
	struct sim_vnet s;
	struct netdev *dev = attach_pairs(&s, MODERN | F(VIRTIO_NET_F_MQ), PAIRS, 64, false);
	struct netbuf_pool *pool = netbuf_pool_alloc("mq", 1024, 2048 - 64, 0);
	struct netdev_info info;
	struct netdev_stats st;
	struct netdev_queue_stats qs;
	struct netbuf *bufs[32];
	unsigned bad = 0, sum_rx = 0, sum_tx = 0;

	netdev_info(dev, &info);
	ok(info.max_rx_queues == PAIRS && info.max_tx_queues == PAIRS, "info: %u queue pairs", PAIRS);
	ok(netdev_configure(dev, 1, 2) < 0, "more TX than RX queues refused");
	is_u64(netdev_configure(dev, USED, USED), 0, "configure %u pairs", USED);
	for (uint16_t q = 0; q < USED; q++) {
		netdev_rxq_setup(dev, q, 64, pool);
		netdev_txq_setup(dev, q, 64);
	}
	is_u64(s.ctrl_seen, 0, "no control command before start");
	is_u64(netdev_start(dev), 0, "start");
	ok(s.ctrl_seen == 1 && s.ctrl_last[0] == VIRTIO_NET_CTRL_MQ &&
	   s.ctrl_last[1] == VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET && s.ctrl_last[2] == USED &&
	   s.ctrl_last[3] == 0, "start: VQ_PAIRS_SET %u after DRIVER_OK", USED);
	ok(s.vq[2 * PAIRS] != NULL, "the control queue is queue %u, after the device's pairs",
	   2 * PAIRS);
	for (uint16_t q = 0; q < USED; q++) {
		/* Queue q: q+1 frames in, 2(q+1) frames out. */
		for (uint16_t i = 0; i <= q; i++)
			sim_rx(&s, (uint16_t)(2 * q), 60 + q, (uint8_t)q, 1);
		sim_publish(&s, (uint16_t)(2 * q));
	}
	for (uint16_t q = 0; q < USED; q++) {
		uint16_t k = netdev_rx_burst(dev, q, bufs, 32);
		for (uint16_t i = 0; i < k; i++)
			bad += bufs[i]->queue != q || bufs[i]->data_len != 60 + q;
		bad += k != q + 1;
		netbuf_free_bulk(bufs, k);
		for (uint16_t i = 0; i < 2 * (q + 1); i++)
			bufs[i] = frame(pool, 100 + q, (uint8_t)q);
		bad += netdev_tx_burst(dev, q, bufs, (uint16_t)(2 * (q + 1))) != 2 * (q + 1);
		bad += sim_tx(&s, (uint16_t)(2 * q + 1), 100) != 2u * (q + 1);
	}
	is_u64(bad, 0, "each pair carries its own frames; RX frames name their queue");
	bad = 0;
	for (uint16_t q = 0; q < USED; q++) {
		netdev_queue_stats(dev, q, &qs);
		bad += qs.rx_packets != q + 1u || qs.tx_packets != 2u * (q + 1);
		sum_rx += (unsigned)qs.rx_packets;
		sum_tx += (unsigned)qs.tx_packets;
	}
	netdev_stats(dev, &st);
	ok(!bad && st.rx_packets == sum_rx && st.tx_packets == sum_tx,
	   "per-queue counters right and add up to the device's (%u RX, %u TX)", sum_rx, sum_tx);
	ok(netdev_queue_stats(dev, USED, &qs) < 0, "a queue beyond those configured: -EINVAL");
	netdev_stats_reset(dev);
	netdev_stats(dev, &st);
	netdev_queue_stats(dev, 2, &qs);
	ok(st.rx_packets == 0 && st.tx_packets == 0 && qs.rx_packets == 0 && qs.tx_packets == 0,
	   "after a reset every counter reads 0");
	sim_rx(&s, 4, 70, 0, 1);
	sim_publish(&s, 4);
	netbuf_free_bulk(bufs, netdev_rx_burst(dev, 2, bufs, 32));
	netdev_stats(dev, &st);
	netdev_queue_stats(dev, 2, &qs);
	ok(st.rx_packets == 1 && qs.rx_packets == 1 && qs.rx_bytes == 70,
	   "and counts from there");
	netdev_stop(dev);
	is_u64(in_use(pool), 0, "every netbuf back after stop");

	/* One pair of a multi-queue device: no command needed. */
	unsigned seen = s.ctrl_seen;
	open_pair(dev, pool, 64, 64);
	is_u64(s.ctrl_seen, seen, "one pair: the device's default, no command");
	netdev_stop(dev);
}

int main(void)
{
	test_rx_starvation();
	test_rx_nudges();
	test_multiqueue();
	return done_testing();
}
