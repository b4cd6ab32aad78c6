/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What every NF does with a NIC: open it with one queue pair and a pool big
 * enough for both rings plus what the NF itself holds, say what it is, print
 * its counters, stop it. Errors are printed here, naming the NF.
 */
#ifndef SKIFF_NF_NIC_H
#define SKIFF_NF_NIC_H

#include <skiff/netdev.h>

#define NIC_POOL_CACHE	64
#define NIC_DATA_ROOM	(2048 - 64)	/* 2 KiB objects */

struct nf_nic {
	struct netdev *dev;
	struct netdev_info info;
	struct netbuf_pool *pool;
};

/*
 * Opens NIC @index: rings of @rx_ring/@tx_ring descriptors (0: the device's
 * sizes), a pool of @pool netbufs (0: both rings + @extra + per-core cache
 * slack), promiscuous mode as asked where the device can switch it. Returns
 * 0, or -1 after printing why (no such NIC: how to add one).
 */
int nic_open(struct nf_nic *nic, const char *nf, unsigned index, unsigned rx_ring,
	     unsigned tx_ring, unsigned pool, unsigned extra, bool promisc);

/* Drains TX and stops the device (see netdev_stop); 0 or -errno. */
int nic_close(struct nf_nic *nic);

/* One line: "<nf> <dev> stats rx_packets=... tx_kicks=... pool_in_use=..." */
void nic_print_stats(const char *nf, struct nf_nic *nic);

#endif
