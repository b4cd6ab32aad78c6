/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtio-net driver (drivers/virtio/net_*.c), run on the host against a
 * simulated device (sim_vnet.c) through the netdev API, with the real
 * netbuf pools: set-up, TX and RX contents, the control queue, stop; and
 * what the driver must survive: a device that never answers or lies about
 * what it used, frames it must refuse. RX under pressure and queue pairs:
 * test_virtio_net_rx.c.
 */
#include <stdlib.h>
#include "vnet_test.h"

static void test_basic(void)
{
	struct sim_vnet s;
	struct netdev *dev = attach(&s, MODERN, 64, false);
	struct netbuf_pool *pool = netbuf_pool_alloc("basic", 256, 2048 - 64, 0);
	struct netdev_info info;
	struct netdev_stats st;
	struct netbuf *bufs[64];

	ok(dev != NULL, "attach: a netdev registered");
	netdev_info(dev, &info);
	is_str(info.driver, "virtio-net", "info: driver");
	ok(memcmp(info.mac, s.mac, 6) == 0 && !info.mac_random, "info: MAC from the config space");
	is_u64(info.tx_headroom, 12, "info: VERSION_1 header is 12 bytes");
	is_u64(open_pair(dev, pool, 64, 64), 0, "configure, queue set-up and start");
	ok(s.status & VIRTIO_CONFIG_S_DRIVER_OK, "device is live");
	is_u64(sim_avail(&s, 0), 64, "RX ring full at start");

	/* TX: 100 frames of 60..159 bytes in bursts of 10. */
	unsigned sent = 0, bad = 0;
	for (int b = 0; b < 10; b++) {
		for (int i = 0; i < 10; i++)
			bufs[i] = frame(pool, 60 + sent + (unsigned)i, (uint8_t)(sent + (unsigned)i));
		sent += netdev_tx_burst(dev, 0, bufs, 10);
		sim_tx(&s, 1, 100);
	}
	is_u64(sent, 100, "TX: 100 frames taken");
	is_u64(s.tx_frames, 100, "TX: the device got 100");
	for (unsigned i = 0; i < 100; i++)
		bad += s.tx_len[i] != 60 + i || !pattern_ok(s.tx_head[i], 16, (uint8_t)i);
	is_u64(bad, 0, "TX: every frame's length and bytes as sent");
	is_u64(s.tx_bad_header, 0, "TX: every virtio-net header all zero");
	netdev_tx_reclaim(dev, 0);

	/* RX: 100 frames, read in bursts. */
	unsigned got = 0;
	bad = 0;
	for (unsigned i = 0; i < 100; i++) {
		/* The device fills 20 at a time, the driver reads 32 at most. */
		sim_rx(&s, 0, 60 + i, (uint8_t)(7 * i), 1);
		if (i % 20 != 19)
			continue;
		sim_publish(&s, 0);
		uint16_t k = netdev_rx_burst(dev, 0, bufs, 32);
		for (uint16_t i = 0; i < k; i++, got++) {
			bad += bufs[i]->data_len != 60 + got || bufs[i]->pkt_len != 60 + got ||
			       bufs[i]->port != dev->id ||
			       !pattern_ok(netbuf_data(bufs[i]), bufs[i]->data_len, (uint8_t)(7 * got));
		}
		netbuf_free_bulk(bufs, k);
	}
	is_u64(got, 100, "RX: 100 frames received");
	is_u64(bad, 0, "RX: lengths, port and bytes as the device wrote them");
	ok(sim_avail(&s, 0) >= 64 - RX_REFILL_BATCH, "RX: ring refilled");

	is_u64(netdev_promisc(dev, true), 0, "promisc on: the device acknowledged");
	ok(s.ctrl_last[0] == VIRTIO_NET_CTRL_RX && s.ctrl_last[1] == VIRTIO_NET_CTRL_RX_PROMISC &&
	   s.ctrl_last[2] == 1, "promisc on: class, command and data as the spec says");

	netdev_stats(dev, &st);
	ok(st.tx_packets == 100 && st.rx_packets == 100 && st.rx_errors == 0 &&
	   st.tx_errors == 0, "stats: 100 each way, no errors");
	is_u64(netdev_stop(dev), 0, "stop");
	is_u64(in_use(pool), 0, "every netbuf back in the pool after stop");
	is_u64(s.status, 0, "device reset by stop");
}

/* The legacy transport: 10-byte header without MRG_RXBUF, fixed ring sizes. */
static void test_legacy(void)
{
	struct sim_vnet s;
	struct netdev *dev = attach(&s, F(VIRTIO_NET_F_MAC) | F(VIRTIO_F_ANY_LAYOUT), 256, true);
	struct netbuf_pool *pool = netbuf_pool_alloc("legacy", 600, 2048 - 64, 0);
	struct netdev_info info;
	struct netbuf *nb;

	netdev_info(dev, &info);
	is_u64(info.tx_headroom, 10, "legacy: 10-byte header");
	ok(open_pair(dev, pool, 128, 0) < 0, "legacy: a ring size the device does not dictate is refused");
	is_u64(open_pair(dev, pool, 0, 0), 0, "legacy: the device's sizes are taken");
	nb = frame(pool, 60, 3);
	is_u64(netdev_tx_burst(dev, 0, &nb, 1), 1, "legacy: TX taken");
	sim_tx(&s, 1, 1);
	ok(s.tx_len[0] == 60 && pattern_ok(s.tx_head[0], 16, 3) && !s.tx_bad_header,
	   "legacy: frame after a zero 10-byte header");
	sim_rx(&s, 0, 80, 9, 1);
	sim_publish(&s, 0);
	ok(netdev_rx_burst(dev, 0, &nb, 1) == 1 && nb->data_len == 80 &&
	   pattern_ok(netbuf_data(nb), 80, 9), "legacy: RX frame after a 10-byte header");
	netbuf_free(nb);
	netdev_stop(dev);
	is_u64(in_use(pool), 0, "legacy: every netbuf back after stop");
}

/*
 * No doorbell before the device knows the queue and is live: the driver
 * must not even try (a doorbell without an address goes to address 0).
 */
static void test_no_early_doorbell(void)
{
	struct sim_vnet s;
	struct netdev *dev = attach(&s, MODERN, 256, false);
	struct netbuf_pool *pool = netbuf_pool_alloc("early", 600, 2048 - 64, 0);
	struct vnet *v = to_vnet(dev);

	netdev_configure(dev, 1, 1);
	netdev_rxq_setup(dev, 0, 0, pool);
	netdev_txq_setup(dev, 0, 0);
	is_u64(v->rxq[0].vq.early_notify + v->txq[0].vq.early_notify, 0,
	       "set-up: no doorbell attempted before the queues are enabled");
	netdev_start(dev);
	is_u64(s.early_bells, 0, "start: no doorbell reached the device before DRIVER_OK");
	ok(s.bell[0].rung >= 1, "start: the RX queue was told about its buffers once live");
	is_u64(v->rxq[0].vq.early_notify + v->txq[0].vq.early_notify + v->ctrlq.early_notify, 0,
	       "start: no doorbell attempted on a queue without one");
	netdev_stop(dev);
}

/* A device that lies: lengths beyond the buffer, a used index beyond what
 * was made available. Counted as device errors, nothing dereferenced or
 * freed on its word, and the NF never sees a bogus frame. */
static void test_device_lies(void)
{
	struct sim_vnet s;
	struct netdev *dev = attach(&s, MODERN, 64, false);
	struct netbuf_pool *pool = netbuf_pool_alloc("lies", 256, 2048 - 64, 0);
	struct vnet *v = to_vnet(dev);
	struct netdev_stats st;
	struct netbuf *bufs[32];

	open_pair(dev, pool, 64, 64);
	/* RX: an entry claiming 4000 bytes in a 2 KiB buffer, then a good one. */
	uint16_t head = v->rxq[0].vq.avail->ring[0];
	s.last_avail[0]++;
	sim_used_raw(&s, 0, head, 4000);
	sim_rx(&s, 0, 100, 1, 1);
	sim_publish(&s, 0);
	uint16_t k = netdev_rx_burst(dev, 0, bufs, 32);
	ok(k == 1 && bufs[0]->data_len == 100, "RX: only the honest frame is delivered");
	netbuf_free_bulk(bufs, k);
	netdev_stats(dev, &st);
	is_u64(st.dev_errors, 1, "RX: a length beyond the buffer is a device error");
	is_u64(st.rx_errors, 0, "RX: not a malformed frame");

	/* TX: 8 frames in flight; the device claims 1000 completions. */
	for (int i = 0; i < 8; i++)
		bufs[i] = frame(pool, 60, 0);
	netdev_tx_burst(dev, 0, bufs, 8);
	uint64_t before = in_use(pool);
	s.vq[1]->used->idx = (uint16_t)(s.used_idx[1] + 1000);
	netdev_tx_reclaim(dev, 0);
	is_u64(in_use(pool), before, "TX: nothing freed on a used index beyond what was sent");
	netdev_stats(dev, &st);
	is_u64(st.dev_errors, 2, "TX: counted as a device error");
	netdev_stop(dev);
}

/*
 * A control command the device never answers: the driver gives up after
 * its timeout, but the chain and its buffer stay the device's; later
 * commands are refused at once rather than rewriting that buffer or
 * running the queue out of descriptors. A late answer, or a reset, makes
 * the queue usable again.
 */
static void test_ctrl_timeouts(void)
{
	struct sim_vnet s;
	struct netdev *dev = attach(&s, MODERN, 64, false);
	struct netbuf_pool *pool = netbuf_pool_alloc("ctrl", 256, 2048 - 64, 0);
	struct vnet *v = to_vnet(dev);
	struct vnet_ctrl held;
	int rc, refused = 0;

	open_pair(dev, pool, 64, 64);
	s.ctrl_silent = true;
	is_u64(netdev_promisc(dev, true), (uint64_t)-ETIMEDOUT, "no answer: -ETIMEDOUT");
	held = v->ctrl;
	for (int i = 0; i < 20; i++) {
		rc = netdev_promisc(dev, !(i & 1));	/* ends on off: a change */
		refused += rc == -EIO;
	}
	is_u64(refused, 20, "20 more commands refused at once (-EIO)");
	ok(memcmp(&held, &v->ctrl, sizeof(held)) == 0,
	   "the buffer the device holds was never rewritten");
	is_u64(vq_in_flight(&v->ctrlq), 3, "one chain in flight, no more");
	ok(vq_free_count(&v->ctrlq) <= v->ctrlq.size, "free count sane");

	s.ctrl_silent = false;
	sim_tick();	/* the device answers, late */
	is_u64(netdev_promisc(dev, false), 0, "after a late answer the queue works again");
	is_u64(s.ctrl_seen, 2, "the device saw the late command and the new one, nothing else");

	s.ctrl_silent = true;
	netdev_promisc(dev, true);
	netdev_stop(dev);
	s.ctrl_silent = false;
	open_pair(dev, pool, 64, 64);
	is_u64(netdev_promisc(dev, true), 0, "after a reset the queue works again");
	netdev_stop(dev);
	is_u64(in_use(pool), 0, "every netbuf back");
}

/* A chain of @n segments of @each bytes, bytes numbered across it. */
static struct netbuf *chain(struct netbuf_pool *pool, unsigned n, unsigned each)
{
	struct netbuf *head = frame(pool, each, 0);

	for (unsigned i = 1; i < n; i++)
		netbuf_chain(head, frame(pool, each, (uint8_t)(i * each)));
	return head;
}

/*
 * What TX must refuse (taken, counted in tx_errors, freed, never sent):
 * frames with no Ethernet header, longer than the device takes, chains
 * whose nb_segs or pkt_len disagree with the segments, chains of more than
 * TX_MAX_SEGS segments. What it must send: a good chain.
 */
static void test_tx_checks(void)
{
	struct sim_vnet s;
	struct netdev *dev = attach(&s, MODERN, 8, false);
	struct netbuf_pool *pool = netbuf_pool_alloc("txcheck", 256, 2048 - 64, 0);
	struct vnet *v = to_vnet(dev);
	struct netdev_stats st;
	struct netbuf *nb, *bad[8];
	unsigned k = 0;

	open_pair(dev, pool, 8, 8);
	uint64_t ring = in_use(pool);			/* the RX ring's */
	bad[k++] = frame(pool, 0, 0);			/* zero length */
	bad[k++] = frame(pool, 13, 0);			/* no Ethernet header */
	bad[k++] = frame(pool, 1515, 0);		/* over the 1514 the device takes */
	bad[k++] = chain(pool, 3, 600);			/* 1800 bytes in a chain */
	nb = chain(pool, 3, 100);
	nb->nb_segs = 2;				/* says 2, has 3 */
	bad[k++] = nb;
	nb = chain(pool, 3, 100);
	nb->pkt_len = 200;				/* says 200, has 300 */
	bad[k++] = nb;
	bad[k++] = chain(pool, TX_MAX_SEGS + 1, 60);	/* more segments than a frame may have */
	for (unsigned i = 0; i < k; i++)
		ok(netdev_tx_burst(dev, 0, &bad[i], 1) == 1, "bad frame %u taken", i);
	sim_tx(&s, 1, 100);
	netdev_stats(dev, &st);
	is_u64(st.tx_errors, k, "every one counted in tx_errors");
	is_u64(st.tx_packets, 0, "none counted as sent");
	is_u64(s.tx_frames, 0, "none reached the device");
	is_u64(vq_slots_in_flight(&v->txq[0].vq), 0, "no slot used by them");
	is_u64(in_use(pool), ring, "every one freed");

	/* A good chain takes one slot (an indirect descriptor): with the ring
	 * full it waits, then goes out whole. */
	struct netbuf *fill[8];
	for (int i = 0; i < 8; i++)
		fill[i] = frame(pool, 60, 0);
	is_u64(netdev_tx_burst(dev, 0, fill, 8), 8, "eight frames fill the ring");
	nb = chain(pool, 3, 100);
	is_u64(netdev_tx_burst(dev, 0, &nb, 1), 0, "a 3-segment chain waits for a slot");
	sim_tx(&s, 1, 1);
	is_u64(netdev_tx_burst(dev, 0, &nb, 1), 1, "and is taken once one is free");
	ok(v->txq[0].vq.desc[0].flags == VRING_DESC_F_INDIRECT, "as an indirect descriptor");
	sim_tx(&s, 1, 100);
	ok(s.tx_frames == 9 && s.tx_len[8] == 300 && pattern_ok(s.tx_head[8], 16, 0) &&
	   !s.tx_bad_header, "the device gets the chain as one 300-byte frame");
	netdev_stop(dev);
	is_u64(in_use(pool), 0, "every netbuf back after stop");
}

/* A device without indirect descriptors: chains are refused, and say so. */
static void test_tx_no_indirect(void)
{
	struct sim_vnet s;
	struct netdev *dev = attach(&s, MODERN & ~F(VIRTIO_RING_F_INDIRECT_DESC), 8, false);
	struct netbuf_pool *pool = netbuf_pool_alloc("noind", 64, 2048 - 64, 0);
	struct netdev_info info;
	struct netdev_stats st;
	struct netbuf *nb;

	netdev_info(dev, &info);
	is_u64(info.tx_max_segs, 1, "info: one segment per frame");
	open_pair(dev, pool, 8, 8);
	nb = chain(pool, 2, 100);
	is_u64(netdev_tx_burst(dev, 0, &nb, 1), 1, "a chain is taken");
	nb = frame(pool, 100, 0);
	is_u64(netdev_tx_burst(dev, 0, &nb, 1), 1, "a single frame too");
	sim_tx(&s, 1, 100);
	netdev_stats(dev, &st);
	ok(st.tx_errors == 1 && st.tx_packets == 1 && s.tx_frames == 1 && s.tx_len[0] == 100,
	   "the chain refused and counted, the frame sent");
	netdev_stop(dev);
	is_u64(in_use(pool), 0, "every netbuf back after stop");
}

int main(void)
{
	test_basic();
	test_no_early_doorbell();
	test_device_lies();
	test_ctrl_timeouts();
	test_tx_checks();
	test_tx_no_indirect();
	test_legacy();
	return done_testing();
}
