/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-net, polled, behind the netdev API (include/skiff/netdev.h): what
 * the pieces of the driver share.
 *
 *   net_probe.c  finding devices on the buses, feature negotiation
 *   net_ops.c    the netdev operations: queue set-up, start, stop, stats
 *   net_rx.c     the RX burst and ring refill
 *   net_tx.c     the TX burst and completion reclaim
 *   net_ctrl.c   the control queue
 *
 * Queue pairs: RX queue k is virtqueue 2k, TX queue k is 2k+1, the control
 * queue comes after the last pair (spec 5.1.2).
 *
 * Every buffer is one descriptor: the virtio-net header sits in the netbuf's
 * headroom, right before the frame (VERSION_1 or ANY_LAYOUT allow that
 * layout), so nothing is copied or moved. On TX the header is all zeros (no
 * offloads), so writing it changes no byte another in-flight send of the
 * same netbuf could see: refcounted netbufs can be sent many times at once
 * (zero-copy), and the driver never touches the netbuf's fields.
 */
#ifndef SKIFF_VIRTIO_NET_H
#define SKIFF_VIRTIO_NET_H

#include <skiff/netdev.h>
#include <linux/if_ether.h>
#include <linux/virtio_net.h>
#include "virtio.h"

#define VNET_MAX_PAIRS		NETDEV_MAX_QUEUES
#define CTRLQ_SIZE		16
#define RX_REFILL_BATCH		32	/* free slots that make a burst refill */
#define RX_RESERVE		64	/* buffers kept posted when the pool is dry */
#define TX_MAX_SEGS		16	/* segments of one chained frame */
/* The TX ring where the transport lets the driver choose (virtio-mmio): what
 * QEMU's virtio-net-pci and Firecracker give by default, and faster here
 * than 1024 (docs/microvm.md, "Ring sizes"). */
#define VNET_TX_RING_DEFAULT	256

struct vnet_rxq {
	struct virtqueue vq;
	struct netbuf_pool *pool;
	uint32_t post_len;	/* bytes each posted buffer offers, header included */
	uint16_t post_off;	/* where in a netbuf the device writes the header */
	uint16_t hdr_len;
	uint16_t port, queue;
	uint16_t drop_more;	/* buffers of an oversize frame still to drop */
	uint16_t reserve;	/* see rx_refill() */
	bool mrg;
	bool ran_dry;		/* the device used every buffer posted before
				 * dry_mark and none posted since */
	uint16_t dry_mark;	/* avail index when it ran dry */
	uint64_t packets, bytes, errors, oversize, nobuf, ring_dry;
	void *ring;		/* ring memory, kept across restarts */
	void **cookies;
	uint16_t ring_cap;	/* descriptors the memory was sized for */
} __cache_aligned;

struct vnet_txq {
	struct virtqueue vq;
	uint16_t hdr_len;
	uint16_t max_frame;
	uint16_t kick_at;		/* frames in flight before a kick (0: every burst) */
	uint64_t packets, bytes, errors, ring_full;
	struct vring_desc *indirect;	/* TX_MAX_SEGS per slot; NULL: no chains */
	void *ring;
	void **cookies;
	uint16_t ring_cap;
} __cache_aligned;

/* A control command and its status, in device-visible memory. */
struct vnet_ctrl {
	struct virtio_net_ctrl_hdr hdr;
	uint8_t data[8];
	uint8_t ack;
};

struct vnet {
	struct netdev nd;
	struct vnet_rxq rxq[VNET_MAX_PAIRS];
	struct vnet_txq txq[VNET_MAX_PAIRS];
	struct virtio_dev *vdev;
	struct virtqueue ctrlq;
	void *ctrl_ring;
	void **ctrl_cookies;
	uint16_t ctrl_cap;
	bool ctrl_lost;			/* a command is still the device's: see net_ctrl.c */
	struct vnet_ctrl ctrl;
	uint8_t mac[ETH_ALEN];
	bool mac_random;
	uint16_t hdr_len;
	uint16_t dev_pairs;		/* queue pairs the device has */
	uint16_t max_pairs;		/* of those, what the driver can use */
	uint16_t pairs;			/* in use: the RX queues configured */
	uint16_t rx_max, tx_max;	/* ring sizes the device offers */
	uint16_t tx_default;		/* what a TX queue set up with 0 gets */
	bool needs_negotiation;		/* after a reset by stop() */
};

static inline struct vnet *to_vnet(struct netdev *nd)
{
	return container_of(nd, struct vnet, nd);
}

/* net_probe.c: negotiation, at probe and after a stop. */
int vnet_negotiate(struct vnet *v);

/*
 * Takes a virtio device of type net bound to its transport: negotiates,
 * reads the MAC and queue sizes, registers a netdev. 0 or -errno (logged).
 */
int vnet_attach(struct virtio_dev *vd);

/* net_ops.c */
extern const struct netdev_ops vnet_ops;
/* Ring memory for @size descriptors, allocated once at the largest size
 * asked and zeroed on reuse. 0 or -ENOMEM (logged). */
int vnet_ring_memory(struct vnet *v, const char *what, uint16_t size, uint16_t *cap,
		     void **ring, void ***cookies);

/* net_rx.c */
uint16_t vnet_rx_burst(void *queue, struct netbuf **bufs, uint16_t n);
/* Posts buffers into every free slot; false if the pool ran dry. No kick. */
bool vnet_rx_fill(struct vnet_rxq *q);

/* net_tx.c */
uint16_t vnet_tx_burst(void *queue, struct netbuf **bufs, uint16_t n);
uint16_t vnet_tx_reclaim(void *queue);
uint16_t vnet_tx_flush(void *queue);

/* net_ctrl.c: sends a control command with @len bytes of @data and waits
 * for the answer. 0, -ENOTSUP without a control queue, -EIO (refused, or
 * the queue is unusable), -ETIMEDOUT. */
int vnet_ctrl(struct vnet *v, uint8_t class, uint8_t cmd, const void *data,
	      unsigned len);
/* Sets up and enables the control queue (at start). */
int vnet_ctrl_start(struct vnet *v);

#endif
