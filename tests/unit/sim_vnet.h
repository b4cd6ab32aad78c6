/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A simulated virtio-net device behind a simulated transport, for running
 * the real driver (drivers/virtio/net_*.c) on the host. The test plays the
 * device: it consumes what the driver made available, fills RX buffers,
 * answers control commands, and can misbehave on purpose.
 */
#ifndef SKIFF_SIM_VNET_H
#define SKIFF_SIM_VNET_H

#include <skiff/netdev.h>
#include "virtio.h"

#define SIM_QUEUES	17	/* 8 pairs and the control queue */
#define SIM_LOG_MAX	4096

struct sim_vnet;

/* One queue's doorbell: vq->notify_addr points here. */
struct sim_bell {
	struct sim_vnet *sim;
	uint16_t index;
	unsigned rung;
};

struct sim_vnet {
	struct virtio_dev vdev;
	uint8_t status;
	uint64_t offered, accepted;
	uint8_t mac[6];
	uint16_t max_pairs;
	uint16_t qmax[SIM_QUEUES];
	struct virtqueue *vq[SIM_QUEUES];	/* enabled queues */
	struct sim_bell bell[SIM_QUEUES];
	uint16_t last_avail[SIM_QUEUES];	/* next avail entry to take */
	uint16_t used_idx[SIM_QUEUES];		/* next used entry to write */
	unsigned early_bells;	/* doorbells while not DRIVER_OK or not enabled */
	unsigned rx_no_buffer;	/* frames the device dropped: no buffer posted */
	bool ctrl_silent;	/* never answer control commands */
	unsigned ctrl_seen;	/* control commands taken */
	uint8_t ctrl_last[4];	/* class, cmd, data[0], data[1] of the last one */
	/* What the device sent on TX: lengths and the first bytes. */
	unsigned tx_frames;
	unsigned tx_bad_header;	/* TX headers that were not all zero */
	uint32_t tx_len[SIM_LOG_MAX];
	uint8_t tx_head[SIM_LOG_MAX][16];
};

/* A device offering @features with @pairs queue pairs of ring size @qsize. */
void sim_init(struct sim_vnet *s, uint64_t features, uint16_t pairs, uint16_t qsize,
	      bool legacy);

/* After sim_init, before attaching: the transport only caps the ring sizes
 * (queue_max_is_cap, as virtio-mmio), so the driver picks its defaults. */
void sim_cap_queue_sizes(struct sim_vnet *s);

/* Takes up to @max frames from TX queue @q; returns how many. */
unsigned sim_tx(struct sim_vnet *s, uint16_t q, unsigned max);

/*
 * Delivers a frame of @len bytes (byte i = seed + i) into RX queue @q as
 * @nbuf buffers (num_buffers; 1 for a normal frame). Returns false (and
 * counts rx_no_buffer) if no buffer was posted.
 */
bool sim_rx(struct sim_vnet *s, uint16_t q, uint32_t len, uint8_t seed, uint16_t nbuf);

/* Makes buffers used so far visible: writes used->idx of queue @q. */
void sim_publish(struct sim_vnet *s, uint16_t q);

/* Writes a used entry of queue @q naming descriptor @id with @len, as is. */
void sim_used_raw(struct sim_vnet *s, uint16_t q, uint32_t id, uint32_t len);

/* Buffers queue @q made available that the device has not taken: RX
 * buffers it could fill now, TX frames it has yet to send. */
unsigned sim_avail(struct sim_vnet *s, uint16_t q);

/* Called by the hosted time_ns(): the device's chance to act while the
 * driver waits (answers control commands). */
void sim_tick(void);

#endif
