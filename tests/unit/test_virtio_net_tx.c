/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TX kick deferral (netdev_txq_defer, netdev_tx_flush) of the virtio-net
 * driver, on the simulated device: when the doorbell rings and when it
 * must not, against a device that sleeps between runs as QEMU's does; and
 * the ring sizes a queue gets by default.
 */
#include "vnet_test.h"

/* Sends @n 60-byte frames in one burst; returns how many were taken. */
static unsigned send_frames(struct netdev *dev, struct netbuf_pool *pool, unsigned n)
{
	struct netbuf *bufs[64];
	unsigned k;

	for (unsigned i = 0; i < n; i++)
		bufs[i] = frame(pool, 60, (uint8_t)i);
	k = netdev_tx_burst(dev, 0, bufs, (uint16_t)n);
	netbuf_free_bulk(bufs + k, n - k);
	return k;
}

/*
 * netdev_txq_defer(): bursts are published at once but the doorbell waits
 * for the threshold; netdev_tx_flush() rings for what is held back and only
 * then; set-up resets the threshold to a kick per burst.
 */
static void test_tx_defer(void)
{
	struct sim_vnet s;
	/* Without EVENT_IDX the device wants every kick: each one shows. */
	struct netdev *dev = attach(&s, MODERN & ~F(VIRTIO_RING_F_EVENT_IDX), 64, false);
	struct netbuf_pool *pool = netbuf_pool_alloc("defer", 512, 2048 - 64, 0);
	unsigned *rung = &s.bell[1].rung, before;

	is_u64(netdev_configure(dev, 1, 1), 0, "defer: configured");
	ok(netdev_rxq_setup(dev, 0, 64, pool) == 0 && netdev_txq_setup(dev, 0, 64) == 0,
	   "defer: queues set up");
	ok(netdev_txq_defer(dev, 0, 65) == -EINVAL, "defer: more frames than the ring refused");
	ok(netdev_txq_defer(dev, 1, 8) == -EINVAL, "defer: a queue not configured refused");
	is_u64(netdev_txq_defer(dev, 0, 32), 0, "defer: 32 of 64 accepted");
	is_u64(netdev_start(dev), 0, "defer: started");
	ok(netdev_txq_defer(dev, 0, 16) == -EINVAL, "defer: refused while running");

	before = *rung;
	for (int b = 0; b < 3; b++)
		send_frames(dev, pool, 8);
	is_u64(sim_avail(&s, 1), 24, "defer: 24 frames published to the device");
	is_u64(*rung, before, "defer: no kick below 32 in flight");
	send_frames(dev, pool, 8);
	is_u64(*rung, before + 1, "defer: one kick at 32 in flight");

	sim_tx(&s, 1, 100);
	send_frames(dev, pool, 8);	/* reclaims the 32: 8 in flight */
	is_u64(*rung, before + 1, "defer: completions reclaimed, 8 in flight, no kick");
	is_u64(netdev_tx_flush(dev, 0), 8, "defer: flush announces the 8 held back");
	is_u64(*rung, before + 2, "defer: flush kicks");
	is_u64(netdev_tx_flush(dev, 0), 0, "defer: a second flush has nothing");
	is_u64(*rung, before + 2, "defer: and does not kick");
	sim_tx(&s, 1, 100);
	is_u64(s.tx_frames, 40, "defer: the device got all 40");
	netdev_stop(dev);

	/* Set-up again: a kick per burst, as before any netdev_txq_defer(). */
	is_u64(open_pair(dev, pool, 64, 64), 0, "defer: reopened without deferring");
	before = *rung;
	for (int b = 0; b < 3; b++) {
		send_frames(dev, pool, 8);
		sim_tx(&s, 1, 100);
	}
	is_u64(*rung, before + 3, "defer: txq_setup resets it, a kick per burst");
	netdev_stop(dev);
	is_u64(in_use(pool), 0, "defer: every netbuf back after stop");
}

/*
 * A device that, as QEMU's, drains the ring whenever it runs and then asks
 * (EVENT_IDX) to be told of the next frame, against random bursts and
 * flushes: a sleeping device must be woken once kick_at frames wait and
 * after every flush, and not otherwise.
 */
static void test_tx_defer_event_idx(void)
{
	struct sim_vnet s;
	struct netdev *dev = attach(&s, MODERN, 256, false);
	struct netbuf_pool *pool = netbuf_pool_alloc("defer-ei", 1024, 2048 - 64, 0);
	unsigned *rung = &s.bell[1].rung, seen, stranded = 0, missed = 0, extra = 0;
	unsigned sent = 0, wakes = 0;
	const uint16_t kick_at = 100;
	uint64_t seed = 12345;

	is_u64(open_pair_defer(dev, pool, 256, 256, kick_at), 0, "defer/event_idx: started");
	seen = *rung;
	for (int step = 0; step < 20000; step++) {
		bool flush = step % 7 == 6;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		sent += send_frames(dev, pool, 1 + (unsigned)(seed >> 59));	/* 1..32 */
		if (flush)
			netdev_tx_flush(dev, 0);
		uint16_t waiting = (uint16_t)sim_avail(&s, 1);
		bool woken = *rung != seen;
		seen = *rung;
		/* Asleep with kick_at waiting, or anything after a flush: stranded. */
		stranded += !woken && (waiting >= kick_at || (flush && waiting));
		/* Woken with less than kick_at waiting and no flush: a kick too many. */
		extra += woken && !flush && waiting < kick_at;
		if (woken) {
			wakes++;
			sim_tx(&s, 1, 1000);
			/* Asleep again: tell me when the index passes what I took. */
			*s.vq[1]->avail_event = s.last_avail[1];
		}
		missed += woken && sim_avail(&s, 1);
	}
	is_u64(stranded, 0, "defer/event_idx: never asleep with kick_at frames waiting or after a flush");
	is_u64(extra, 0, "defer/event_idx: never woken for fewer without a flush");
	is_u64(missed, 0, "defer/event_idx: every wake drained the ring");
	ok(wakes > 20000 / 7 && wakes < 20000 / 2, "defer/event_idx: %u wakes for %u frames in 20000 bursts",
	   wakes, sent);
	netdev_tx_flush(dev, 0);
	sim_tx(&s, 1, 1000);
	netdev_stop(dev);
	is_u64(s.tx_frames, sent, "defer/event_idx: the device got every frame taken");
	is_u64(in_use(pool), 0, "defer/event_idx: every netbuf back after stop");
}

/*
 * Ring sizes for 0: where the transport only caps them (virtio-mmio), RX
 * gets the cap and TX the driver's VNET_TX_RING_DEFAULT (256), or the cap if
 * smaller; where the VMM set them (PCI), both are the device's.
 */
static struct netdev *attach_capped(struct sim_vnet *s, uint16_t qsize)
{
	unsigned before = netdev_count();

	sim_init(s, MODERN, 1, qsize, false);
	sim_cap_queue_sizes(s);
	return vnet_attach(&s->vdev) < 0 ? NULL : netdev_get(before);
}

static void test_default_rings(void)
{
	struct netbuf_pool *pool = netbuf_pool_alloc("rings", 2200, 2048 - 64, 0);
	struct netdev_info info;
	struct sim_vnet s, t, u;
	struct netdev *dev = attach_capped(&s, 1024);

	netdev_info(dev, &info);
	ok(info.rx_desc_max == 1024 && info.tx_desc_max == 1024, "capped: the cap is the max both ways");
	ok(info.rx_desc_default == 1024 && info.tx_desc_default == 256,
	   "capped: defaults %u/%u (want 1024/256)", info.rx_desc_default, info.tx_desc_default);
	/* The larger ring first: a ring that grows is allocated anew (the
	 * boot allocator never frees), one that shrinks reuses its memory. */
	is_u64(open_pair(dev, pool, 0, 1024), 0, "capped: a TX ring of the cap on request");
	is_u64(s.vq[1]->size, 1024, "capped: TX ring 1024");
	netdev_stop(dev);
	is_u64(open_pair(dev, pool, 0, 0), 0, "capped: set up with 0/0");
	ok(s.vq[0]->size == 1024 && s.vq[1]->size == 256,
	   "capped: rings %u/%u as the defaults say", s.vq[0]->size, s.vq[1]->size);
	netdev_stop(dev);

	dev = attach_capped(&t, 128);
	netdev_info(dev, &info);
	ok(info.rx_desc_default == 128 && info.tx_desc_default == 128,
	   "capped at 128: defaults %u/%u, never above the cap", info.rx_desc_default,
	   info.tx_desc_default);

	dev = attach(&u, MODERN, 1024, false);
	netdev_info(dev, &info);
	ok(info.rx_desc_default == 1024 && info.tx_desc_default == 1024,
	   "sized by the VMM: defaults %u/%u, the device's", info.rx_desc_default,
	   info.tx_desc_default);
	is_u64(open_pair(dev, pool, 0, 0), 0, "sized by the VMM: set up with 0/0");
	ok(u.vq[0]->size == 1024 && u.vq[1]->size == 1024, "sized by the VMM: rings %u/%u",
	   u.vq[0]->size, u.vq[1]->size);
	netdev_stop(dev);
	is_u64(in_use(pool), 0, "every netbuf back after stop");
}

int main(void)
{
	test_tx_defer();
	test_tx_defer_event_idx();
	test_default_rings();
	return done_testing();
}
