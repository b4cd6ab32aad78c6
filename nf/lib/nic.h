/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What every NF does with a NIC: open it with one queue pair per core and a
 * pool big enough for every ring plus what the NF itself holds, say what it
 * is, print its counters, stop it. Errors are printed here, naming the NF.
 */
#ifndef SKIFF_NF_NIC_H
#define SKIFF_NF_NIC_H

#include <skiff/netdev.h>

#define NIC_POOL_CACHE	64
#define NIC_DATA_ROOM	(2048 - 64)	/* 2 KiB objects */
#define NIC_RX_UNREAD	64		/* RX ring size of an NF that never reads it */

/* nic_open_queues(): the NIC cannot do what the settings ask (EXIT_CONFIG). */
#define NIC_ERR_CONFIG	(-2)

struct nf_nic {
	struct netdev *dev;
	struct netdev_info info;
	struct netbuf_pool *pool;
	unsigned queues;	/* queue pairs in use; pair k belongs to core k */
	unsigned rx_size, tx_size;	/* each queue's ring, as opened */
	/* Set before opening, for senders that keep the ring busy and flush
	 * when they pause: each TX queue notifies the device once this percent
	 * of its ring is in flight (netdev_txq_defer(); 0: after every burst). */
	unsigned tx_defer_pct;
	/* Set before opening by NFs that never read their RX queues: where the
	 * device lets the driver choose, each RX ring gets NIC_RX_UNREAD
	 * descriptors instead of the device's size (a full ring nobody empties
	 * costs a pool of buffers and their set-up at boot, and buys nothing). */
	bool rx_unread;
};

/*
 * Opens NIC @index with @queues queue pairs: rings of @rx_ring/@tx_ring
 * descriptors (0: the driver's defaults, or NIC_RX_UNREAD for @rx_ring with
 * nic->rx_unread where the device allows), one pool of @pool netbufs for all of
 * them (0: every ring + @extra per queue + each core's cache slack),
 * promiscuous mode as asked where the device can switch it. Returns 0;
 * NIC_ERR_CONFIG after saying why when the NIC has fewer queue pairs; or -1
 * after printing why (no such NIC: how to add one).
 */
int nic_open_queues(struct nf_nic *nic, const char *nf, unsigned index, unsigned queues,
		    unsigned rx_ring, unsigned tx_ring, unsigned pool, unsigned extra,
		    bool promisc);

/* nic_open_queues() with one queue pair: 0 or -1. */
static inline int nic_open(struct nf_nic *nic, const char *nf, unsigned index,
			   unsigned rx_ring, unsigned tx_ring, unsigned pool, unsigned extra,
			   bool promisc)
{
	return nic_open_queues(nic, nf, index, 1, rx_ring, tx_ring, pool, extra, promisc) < 0
		       ? -1 : 0;
}

/* Drains TX and stops the device (see netdev_stop); 0 or -errno. */
int nic_close(struct nf_nic *nic);

/* One line: "<nf> <dev> stats rx_packets=... tx_kicks=... pool_in_use=..." */
void nic_print_stats(const char *nf, struct nf_nic *nic);

/*
 * With more than one queue pair, one line per pair from netdev_queue_stats():
 * "<nf>: <dev> queue <q> rx_packets=... tx_ring_full=...". The pairs add up
 * to nic_print_stats()'s totals.
 */
void nic_print_queue_stats(const char *nf, struct nf_nic *nic);

#endif
