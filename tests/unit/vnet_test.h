/* SPDX-License-Identifier: BSD-3-Clause */
/* What the virtio-net driver tests share: a device on the simulator, a
 * queue pair opened on a pool, frames with a byte pattern. */
#ifndef SKIFF_VNET_TEST_H
#define SKIFF_VNET_TEST_H

#include <skiff/netdev.h>
#include "net.h"
#include "sim_vnet.h"
#include "tap.h"

#define F(bit)		(1ULL << (bit))
#define MODERN		(F(VIRTIO_F_VERSION_1) | F(VIRTIO_NET_F_MAC) | F(VIRTIO_NET_F_STATUS) | \
			 F(VIRTIO_NET_F_MRG_RXBUF) | F(VIRTIO_RING_F_EVENT_IDX) |             \
			 F(VIRTIO_NET_F_CTRL_VQ) | F(VIRTIO_NET_F_CTRL_RX) |                 \
			 F(VIRTIO_RING_F_INDIRECT_DESC))

static inline struct netdev *attach_pairs(struct sim_vnet *s, uint64_t features, uint16_t pairs,
				   uint16_t qsize, bool legacy)
{
	unsigned before = netdev_count();

	sim_init(s, features, pairs, qsize, legacy);
	if (vnet_attach(&s->vdev) < 0 || netdev_count() != before + 1)
		return NULL;
	return netdev_get(before);
}

static inline struct netdev *attach(struct sim_vnet *s, uint64_t features, uint16_t qsize,
			     bool legacy)
{
	return attach_pairs(s, features, 1, qsize, legacy);
}

/* Configures one queue pair of @rx/@tx descriptors on @pool, its TX queue
 * kicking once @kick_at frames are in flight (netdev_txq_defer), and starts. */
static inline int open_pair_defer(struct netdev *dev, struct netbuf_pool *pool, uint16_t rx,
				  uint16_t tx, uint16_t kick_at)
{
	int rc;

	if ((rc = netdev_configure(dev, 1, 1)) < 0 ||
	    (rc = netdev_rxq_setup(dev, 0, rx, pool)) < 0 ||
	    (rc = netdev_txq_setup(dev, 0, tx)) < 0 ||
	    (kick_at && (rc = netdev_txq_defer(dev, 0, kick_at)) < 0))
		return rc;
	return netdev_start(dev);
}

/* The same with a kick after every burst, the default. */
static inline int open_pair(struct netdev *dev, struct netbuf_pool *pool, uint16_t rx, uint16_t tx)
{
	return open_pair_defer(dev, pool, rx, tx, 0);
}

static inline uint64_t in_use(struct netbuf_pool *pool)
{
	struct netbuf_pool_stats st;

	netbuf_pool_stats(pool, &st);
	return st.in_use;
}

/* A frame of @len bytes: byte i = seed + i. */
static inline struct netbuf *frame(struct netbuf_pool *pool, unsigned len, uint8_t seed)
{
	struct netbuf *nb = netbuf_alloc(pool);
	uint8_t *p = nb ? netbuf_append(nb, len) : NULL;

	for (unsigned i = 0; p && i < len; i++)
		p[i] = (uint8_t)(seed + i);
	return nb;
}

static inline bool pattern_ok(const uint8_t *p, unsigned len, uint8_t seed)
{
	for (unsigned i = 0; i < len; i++)
		if (p[i] != (uint8_t)(seed + i))
			return false;
	return true;
}

#endif
