/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netdev: the packet I/O API network functions use, after DPDK's ethdev.
 *
 * Life of a device:
 *
 *   dev = netdev_get(i)               i < netdev_count(); probes drivers once
 *   netdev_info(dev, &info)           MAC, MTU, headroom, queue limits
 *   netdev_configure(dev, nrxq, ntxq)
 *   netdev_rxq_setup(dev, q, nb_desc, pool)   for each RX queue
 *   netdev_txq_setup(dev, q, nb_desc)         for each TX queue
 *   netdev_start(dev)                 RX rings filled from the pools
 *   ... netdev_rx_burst / netdev_tx_burst / netdev_tx_reclaim ...
 *   netdev_stop(dev)                  TX drained, buffers returned
 *
 * A call made in the wrong state returns -EINVAL (and logs why); setup
 * calls log a reason with every error they return.
 *
 * Fast path rules (the burst functions):
 * - One queue is polled by one core. Burst functions take no locks and never
 *   print; they may be called from different cores for different queues.
 * - netdev_rx_burst() returns up to @n filled netbufs; they belong to the
 *   caller, who frees them (or sends them). data points at the Ethernet
 *   header; data_len = pkt_len = the frame length without FCS; port and
 *   queue say where the frame came from. The driver refills its ring from
 *   the queue's pool in batches, on every poll that finds slots free; while
 *   the pool is dry it keeps some buffers posted by dropping frames
 *   (rx_nobuf), so RX resumes by itself once netbufs come back.
 * - netdev_tx_burst() takes the first k <= @n netbufs and returns k; those
 *   belong to the driver from then on (it frees them once the device is done,
 *   reclaiming completions in batches inside later bursts). bufs[k..n-1]
 *   still belong to the caller, who may retry or free them; k < n means the
 *   ring was full (counted in tx_ring_full). A netbuf must have at least
 *   info.tx_headroom bytes of headroom: the driver writes its header there
 *   and never modifies the frame or the netbuf's fields, so a netbuf with
 *   extra references (netbuf_ref) may be sent again while in flight
 *   (zero-copy transmission). A frame without the headroom, shorter than an
 *   Ethernet header, longer than info.max_frame, or of more segments than
 *   info.tx_max_segs, is taken, counted in tx_errors and freed.
 * - The device is notified at most once per burst, and only when it asked.
 *   A TX queue can hold that notification back until a number of frames
 *   are in flight (netdev_txq_defer()); its sender then calls
 *   netdev_tx_flush() whenever it stops sending for a while.
 */
#ifndef SKIFF_NETDEV_H
#define SKIFF_NETDEV_H

#include <skiff/compiler.h>
#include <skiff/errno.h>
#include <skiff/netbuf.h>

#define NETDEV_MAX		8	/* devices */
#define NETDEV_MAX_QUEUES	8	/* per direction */
#define NETDEV_NAME_MAX		8

struct netdev_info {
	const char *driver;		/* "virtio-net" */
	const char *transport;		/* "pci-modern", "pci-legacy" */
	uint8_t mac[6];
	bool mac_random;		/* the device gave none: locally administered */
	uint16_t mtu;			/* largest IP packet: 1500 */
	uint16_t max_frame;		/* largest frame without FCS the device moves */
	uint16_t tx_headroom;		/* bytes of headroom TX netbufs must have */
	uint16_t tx_max_segs;		/* segments a TX frame may have (1: no chains) */
	uint16_t rx_min_room;		/* smallest pool data_room for RX queues */
	uint16_t buf_align;		/* required alignment of netbuf data */
	uint16_t max_rx_queues, max_tx_queues;
	uint16_t rx_desc_max, tx_desc_max;	/* ring sizes the device offers */
	/* What a queue set up with 0 descriptors gets: the device's size, or
	 * where the device only caps it (virtio-mmio) the driver's choice. */
	uint16_t rx_desc_default, tx_desc_default;
	bool rx_desc_fixed;		/* the device dictates the ring size */
	bool promisc_ctrl;		/* netdev_promisc() can switch it */
	uint64_t features;		/* driver specific (virtio feature bits) */
};

struct netdev_stats {
	uint64_t rx_packets, rx_bytes;
	uint64_t rx_errors;	/* frames dropped as malformed: shorter than the
				 * device header, or not fitting one buffer */
	uint64_t rx_oversize;	/* of rx_errors: frames larger than a buffer */
	uint64_t rx_nobuf;	/* frames dropped because the pool had no buffer
				 * to take their place: the driver keeps a
				 * reserve of buffers posted with theirs */
	uint64_t rx_ring_dry;	/* polls that found every posted buffer filled:
				 * the device may have had to drop frames */
	uint64_t tx_packets, tx_bytes;
	uint64_t tx_errors;	/* frames taken but dropped: no headroom, too long */
	uint64_t tx_ring_full;	/* frames tx_burst could not take: ring full */
	uint64_t rx_kicks, tx_kicks;	/* device notifications sent */
	uint64_t nudges;	/* of those, sent unasked after 10 ms without
				 * progress: a notification was lost, or the
				 * host starved the device that long (0 on a
				 * host that is not overloaded) */
	uint64_t dev_errors;	/* the device broke the protocol: a completion
				 * naming no buffer, beyond what was given, or
				 * longer than the buffer (should stay 0) */
};

/* One queue number's counters: RX queue q and TX queue q. */
struct netdev_queue_stats {
	uint64_t rx_packets, rx_bytes, rx_errors, rx_nobuf;
	uint64_t tx_packets, tx_bytes, tx_errors, tx_ring_full;
};

enum netdev_state {
	NETDEV_PROBED, NETDEV_CONFIGURED, NETDEV_RUNNING, NETDEV_STOPPED,
};

struct netdev;

/* What a driver provides. Burst functions get the queue's private pointer. */
struct netdev_ops {
	void (*info)(struct netdev *dev, struct netdev_info *info);
	int (*configure)(struct netdev *dev, uint16_t nrxq, uint16_t ntxq);
	int (*rxq_setup)(struct netdev *dev, uint16_t q, uint16_t nb_desc,
			 struct netbuf_pool *pool);
	int (*txq_setup)(struct netdev *dev, uint16_t q, uint16_t nb_desc);
	int (*txq_defer)(struct netdev *dev, uint16_t q, uint16_t frames);
	int (*start)(struct netdev *dev);
	int (*stop)(struct netdev *dev);
	void (*stats)(struct netdev *dev, struct netdev_stats *st);
	void (*queue_stats)(struct netdev *dev, uint16_t q, struct netdev_queue_stats *st);
	int (*promisc)(struct netdev *dev, bool on);
	int (*link)(struct netdev *dev);
};

typedef uint16_t (*netdev_burst_fn)(void *queue, struct netbuf **bufs, uint16_t n);
typedef uint16_t (*netdev_reclaim_fn)(void *queue);

struct netdev {
	/* Hot: read by every burst. */
	netdev_burst_fn rx_burst;
	netdev_burst_fn tx_burst;
	netdev_reclaim_fn tx_reclaim;
	netdev_reclaim_fn tx_flush;
	void *rxq[NETDEV_MAX_QUEUES];
	void *txq[NETDEV_MAX_QUEUES];
	/* Cold. */
	const struct netdev_ops *ops;
	enum netdev_state state;
	uint16_t id;
	uint16_t nb_rxq, nb_txq;
	uint16_t rxq_ready, txq_ready;	/* bitmaps of set-up queues */
	char name[NETDEV_NAME_MAX];	/* "net0" */
	/* What netdev_stats_reset() saw: the counters are reported from there. */
	struct netdev_stats stats_base;
	struct netdev_queue_stats qstats_base[NETDEV_MAX_QUEUES];
};

/*
 * A netbuf pool of @n netbufs with @data_room buffer bytes and a per-core
 * cache of @cache, in memory from the boot allocator. Returns NULL after
 * logging why (bad sizes, not enough memory). With ALLOC=heap the first call
 * also gives the heap its region (three quarters of the free memory).
 */
struct netbuf_pool *netbuf_pool_alloc(const char *name, unsigned n,
				      unsigned data_room, unsigned cache);

/* For drivers: adds @dev to the device list (id and name are set here). */
int netdev_register(struct netdev *dev);

/* Devices found (the first call probes the drivers). */
unsigned netdev_count(void);

/* Device @id, or NULL if there is no such device. */
struct netdev *netdev_get(unsigned id);

/* What the device is and what callers must respect. */
void netdev_info(struct netdev *dev, struct netdev_info *info);

/* Chooses the number of queues (>= 1 each, within the info limits). */
int netdev_configure(struct netdev *dev, uint16_t nb_rxq, uint16_t nb_txq);

/*
 * Sets up RX queue @q with @nb_desc descriptors (0: info.rx_desc_default; a
 * power of two otherwise) filled from @pool, whose data_room must be at
 * least info.rx_min_room. The pool must be able to fill the whole ring at
 * start; -ENOBUFS otherwise, with a message giving both numbers.
 */
int netdev_rxq_setup(struct netdev *dev, uint16_t q, uint16_t nb_desc,
		     struct netbuf_pool *pool);

/* Sets up TX queue @q with @nb_desc descriptors (0: info.tx_desc_default). */
int netdev_txq_setup(struct netdev *dev, uint16_t q, uint16_t nb_desc);

/*
 * Lets TX queue @q (set up, device not running) publish its bursts without
 * notifying the device until @frames frames are in flight (0, the default
 * after netdev_txq_setup(): notify after every burst that needs it; at most
 * the ring size, -EINVAL beyond). For a sender that keeps the ring busy: a
 * device that has drained the ring and asked to be told of more is then
 * told once per @frames frames instead of once per burst. Frames below the
 * threshold wait for the next burst, netdev_tx_flush() or netdev_stop():
 * a sender that pauses (paced, out of buffers, waiting for input) must
 * flush first, or they may sit in the ring unsent.
 */
int netdev_txq_defer(struct netdev *dev, uint16_t q, uint16_t frames);

/* Fills the RX rings and lets the device run; every queue must be set up. */
int netdev_start(struct netdev *dev);

/*
 * Waits (up to a second) for the device to finish what was sent, returns
 * every buffer the driver holds to its pool and stops the device. Call it
 * before the VM stops, or the last frames may never leave.
 */
int netdev_stop(struct netdev *dev);

/* Counters summed over the queues, since start or the last reset. */
void netdev_stats(struct netdev *dev, struct netdev_stats *st);

/*
 * Counters of RX queue @q and TX queue @q (those of a direction with fewer
 * queues read 0), since start or the last reset. 0, or -EINVAL if @q is not
 * below the queues configured.
 */
int netdev_queue_stats(struct netdev *dev, uint16_t q, struct netdev_queue_stats *st);

/*
 * Starts every counter of the device and its queues again from 0. It never
 * writes the counters the polling cores update (it keeps what they read now
 * and reports from there), so it is safe while they run.
 */
void netdev_stats_reset(struct netdev *dev);

/* Receive frames for any MAC (on) or only ours, broadcast and multicast
 * (off). -ENOTSUP when the device cannot switch (info.promisc_ctrl). */
int netdev_promisc(struct netdev *dev, bool on);

/* 1 link up, 0 down. */
int netdev_link(struct netdev *dev);

static inline uint16_t netdev_rx_burst(struct netdev *dev, uint16_t q,
				       struct netbuf **bufs, uint16_t n)
{
	return dev->rx_burst(dev->rxq[q], bufs, n);
}

static inline uint16_t netdev_tx_burst(struct netdev *dev, uint16_t q,
				       struct netbuf **bufs, uint16_t n)
{
	return dev->tx_burst(dev->txq[q], bufs, n);
}

/*
 * Returns to their pools the netbufs of TX queue @q the device has finished
 * sending, and how many. netdev_tx_burst() does this itself; call this when
 * waiting for sent netbufs without sending more (zero-copy senders holding
 * references), or they stay with the driver until the next burst.
 */
static inline uint16_t netdev_tx_reclaim(struct netdev *dev, uint16_t q)
{
	return dev->tx_reclaim(dev->txq[q]);
}

/*
 * Notifies the device of what TX queue @q holds back (netdev_txq_defer()),
 * if it asked to be notified; returns how many frames were held back. Cheap
 * when there are none: call it whenever the sender pauses.
 */
static inline uint16_t netdev_tx_flush(struct netdev *dev, uint16_t q)
{
	return dev->tx_flush(dev->txq[q]);
}

#endif
