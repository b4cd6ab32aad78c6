/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What fwd's frame logic (l2.c, l3.c) shares with its loop (main.c): the
 * frames each port is to send, and the per-port drop counts. Pure code on
 * netbufs, no device: the loop receives a burst, hands it to l2_input() or
 * l3_input(), which leave every frame in exactly one place (a port's TX
 * queue, the neighbour table waiting for ARP, or freed and counted), then
 * the loop sends the TX queues with netdev_tx_burst().
 *
 * A frame is sent on the other port as the same netbuf it arrived in: no
 * copy. Each port's RX ring is filled from that port's pool and a netbuf
 * goes back to its own pool (netbuf->pool) whichever port's TX completion
 * frees it, so the pools are sized for what the other port can hold too
 * (main.c).
 */
#ifndef SKIFF_FWD_H
#define SKIFF_FWD_H

#include <skiff/netbuf.h>
#include <skiff/string.h>

#define FWD_PORTS	2
#define FWD_BURST	32	/* frames per netdev_rx_burst */
#define FWD_TXQ_MAX	256	/* frames waiting for a port's TX ring */
/*
 * The most frames one received burst can add to one TX queue: each frame
 * makes at most one frame to send, except an ARP packet from a neighbour
 * frames were held for, which releases them (NEIGH_QMAX, 4) and may be a
 * request to answer too. The loop receives only while every TX queue has
 * this much room, so the logic does not drop for want of queue space while
 * the device keeps up (l3.c checks the figure against NEIGH_QMAX).
 */
#define FWD_TXQ_RESERVE	(FWD_BURST * 5)
#define FWD_FREE_BATCH	64

STATIC_ASSERT(FWD_TXQ_RESERVE < FWD_TXQ_MAX, "TX queues hold more than one burst's output");

struct fwd_txq {
	struct netbuf *bufs[FWD_TXQ_MAX];
	uint16_t off, n;	/* bufs[off..n) wait to be sent */
};

struct fwd_io {
	struct fwd_txq txq[FWD_PORTS];
	uint64_t drop[FWD_PORTS];	/* frames received on port p, freed unsent */
	uint64_t txq_full[FWD_PORTS];	/* frames for port p dropped: its queue was full */
	uint64_t discarded;		/* forwarded frames freed (discard) */
	bool discard;			/* output=free: forwarded frames are freed,
					 * not queued (the router's own still are) */
	/* Frames to free, returned to their pools in one batch. */
	struct netbuf *gone[FWD_FREE_BATCH];
	unsigned ngone;
};

/* Frames port @p can still queue. */
static inline unsigned fwd_txq_room(const struct fwd_txq *q)
{
	return FWD_TXQ_MAX - (unsigned)(q->n - q->off);
}

/* Frees what fwd_free() collected. */
void fwd_free_flush(struct fwd_io *io);

static inline void fwd_free(struct fwd_io *io, struct netbuf *nb)
{
	if (unlikely(io->ngone == FWD_FREE_BATCH))
		fwd_free_flush(io);
	io->gone[io->ngone++] = nb;
}

/* Drops @nb, received on port @in: freed and counted in drop[in]. */
static inline void fwd_drop(struct fwd_io *io, unsigned in, struct netbuf *nb)
{
	io->drop[in]++;
	fwd_free(io, nb);
}

/* fwd_send() when the queue's array is used up to its end. */
void fwd_send_full(struct fwd_io *io, unsigned out, struct netbuf *nb);

/* Queues @nb for port @out (freed and counted in txq_full if it is full). */
static inline void fwd_send(struct fwd_io *io, unsigned out, struct netbuf *nb)
{
	struct fwd_txq *q = &io->txq[out];

	if (unlikely(q->n == FWD_TXQ_MAX)) {
		fwd_send_full(io, out, nb);
		return;
	}
	q->bufs[q->n++] = nb;
}

/* Queues a forwarded frame for port @out, or frees it with output=free. */
static inline void fwd_forward(struct fwd_io *io, unsigned out, struct netbuf *nb)
{
	if (io->discard) {
		io->discarded++;
		fwd_free(io, nb);
		return;
	}
	fwd_send(io, out, nb);
}

/* Frees every frame still queued; call before stopping the devices. */
void fwd_io_drain(struct fwd_io *io);

/* MAC addresses as 48-bit integers (byte 0 in the low bits, so bit 0 is
 * the group bit), for one compare instead of memcmp. */
static inline uint64_t mac48(const uint8_t *m)
{
	uint32_t lo;
	uint16_t hi;

	/* Two loads in registers: a 6-byte copy into a zeroed 8-byte value
	 * went through the stack (14 instructions per address, not 4). */
	memcpy(&lo, m, 4);
	memcpy(&hi, m + 4, 2);
	return lo | (uint64_t)hi << 32;
}

static inline bool mac48_is_group(uint64_t m)
{
	return m & 1;
}

#endif
