/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-net RX (see net.h). The queue runs in slot mode (virtqueue.h):
 * buffer k of the ring's life goes into descriptor k mod size, whose avail
 * entry never changes. The ring is filled from the queue's pool at
 * set-up and refilled whenever RX_REFILL_BATCH slots are free: after a poll
 * that found frames and after one that found none (a ring that ran short
 * while the pool was dry would otherwise never get its buffers back).
 *
 * When the pool is dry the driver keeps q->reserve buffers posted by
 * dropping the newest frames of the burst and posting their buffers again,
 * counted in rx_nobuf. So the device always has somewhere to put frames and
 * never stalls its backend, and every frame the device was offered is
 * either received, counted in rx_nobuf, or dropped by the device's backend
 * because no buffer was posted at all.
 *
 * With MRG_RXBUF a frame longer than a buffer spans several; such frames
 * are dropped and counted (rx_oversize), every buffer they used recycled.
 */
#include <skiff/string.h>
#include "net.h"

/*
 * Posts @nb's buffer in the cursor's next slot (vq_cursor_free() must be
 * true). Every buffer posted has a fresh netbuf's headroom: either just
 * allocated, or received here and never given out (the reserve), so where
 * the header goes is the queue's constant post_off, not a load of data_off.
 */
static inline void rx_post(struct vq_cursor *c, uint16_t post_off, uint32_t post_len,
			   struct netbuf *nb)
{
	vq_cursor_add(c, (uintptr_t)nb + post_off, post_len, VRING_DESC_F_WRITE, nb);
}

bool vnet_rx_fill(struct vnet_rxq *q)
{
	struct virtqueue *vq = &q->vq;
	struct netbuf *bufs[64];
	const uint16_t post_off = q->post_off;
	const uint32_t post_len = q->post_len;

	while (vq_slots_empty(vq)) {
		unsigned want = MIN(vq_slots_empty(vq), ARRAY_SIZE(bufs)), got = want;

		if (unlikely(netbuf_alloc_bulk(q->pool, bufs, want) < 0)) {
			/* All-or-nothing failed: take what is left, one by one. */
			for (got = 0; got < want; got++)
				if (!(bufs[got] = netbuf_alloc(q->pool)))
					break;
		}
		struct vq_cursor c = vq_cursor(vq);

		for (unsigned i = 0; i < got; i++) {
			if (unlikely(!vq_cursor_free(&c))) {
				/* A buffer the device returned out of order
				 * still holds the next slot: post later. */
				vq_cursor_done(vq, &c);
				netbuf_free_bulk(bufs + i, got - i);
				return true;
			}
			rx_post(&c, post_off, post_len, bufs[i]);
		}
		vq_cursor_done(vq, &c);
		if (got < want)
			return false;
	}
	return true;
}

/* Refills the ring; with the pool dry, keeps the reserve posted with the
 * buffers of the newest of the @got frames in @bufs. Returns the frames
 * left to deliver. */
static uint16_t rx_refill(struct vnet_rxq *q, struct netbuf **bufs, uint16_t got)
{
	struct virtqueue *vq = &q->vq;

	if (unlikely(!vnet_rx_fill(q))) {
		while (got && vq_slots_in_flight(vq) < q->reserve && vq_slot_free(vq)) {
			struct netbuf *nb = bufs[--got];
			struct vq_cursor c = vq_cursor(vq);

			q->bytes -= nb->data_len;
			rx_post(&c, q->post_off, q->post_len, nb);
			vq_cursor_done(vq, &c);
			q->nobuf++;
		}
	}
	vq_kick(vq);
	return got;
}

uint16_t vnet_rx_burst(void *queue, struct netbuf **bufs, uint16_t n)
{
	struct vnet_rxq *q = queue;
	struct virtqueue *vq = &q->vq;
	uint16_t ready = vq_used_count(vq), got = 0;
	uint64_t bytes = 0;

	if (unlikely(!ready)) {
		if (unlikely(vq_slots_empty(vq) >= RX_REFILL_BATCH))
			rx_refill(q, bufs, 0);
		/* Only a device that ran out of buffers waits for a doorbell:
		 * if it missed the one after the refill, nudge it. */
		if (unlikely(q->ran_dry))
			vq_stalled(vq);
		return 0;
	}
	vq_progress(vq);
	if (unlikely(ready == vq_slots_in_flight(vq))) {
		q->ring_dry++;	/* every posted buffer was filled */
		q->ran_dry = true;
		q->dry_mark = vq->avail_idx;
	} else if (unlikely(q->ran_dry) &&
		   (int16_t)(vq->used_idx + ready - q->dry_mark) > 0) {
		q->ran_dry = false;	/* it has used a buffer posted since */
	}
	if (n > ready)
		n = ready;
	/* The queue's settings in locals: the stores into each netbuf might
	 * otherwise alias them and make the compiler load them per frame. */
	const uint32_t hdr_len = q->hdr_len, post_len = q->post_len;
	const uint32_t min_len = hdr_len + ETH_HLEN;
	const uint16_t post_off = q->post_off;
	const bool mrg = q->mrg;
	const uint16_t in_port = q->port, in_queue = q->queue;
	uint16_t drop_more = q->drop_more;
	struct vq_used_cursor c = vq_used_cursor(vq);

	for (uint16_t k = 0; k < n; k++) {
		uint32_t len;
		struct netbuf *nb = vq_used_take(&c, &len);

		if (unlikely(!nb))
			continue;
		if (unlikely(drop_more)) {	/* tail of an oversize frame */
			drop_more--;
			netbuf_free(nb);
			continue;
		}
		if (unlikely(len - min_len > post_len - min_len)) {
			if (len > post_len)
				c.errors++;		/* wrote past the buffer */
			else
				q->errors++;		/* a runt */
			netbuf_free(nb);
			continue;
		}
		if (mrg) {
			const struct virtio_net_hdr_mrg_rxbuf *h =
				(const void *)((const char *)nb + post_off);
			if (unlikely(h->num_buffers != 1)) {
				q->errors++;
				q->oversize++;
				drop_more = h->num_buffers ? h->num_buffers - 1 : 0;
				netbuf_free(nb);
				continue;
			}
		}
		nb->data_len = (uint16_t)(len - hdr_len);
		nb->pkt_len = nb->data_len;
		nb->port = in_port;
		nb->queue = in_queue;
		bytes += len - hdr_len;
		bufs[got++] = nb;
	}
	q->drop_more = drop_more;
	vq_used_done(vq, &c);
	q->bytes += bytes;
	if (vq_slots_empty(vq) >= RX_REFILL_BATCH)
		got = rx_refill(q, bufs, got);
	q->packets += got;
	return got;
}
