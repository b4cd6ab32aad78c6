/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-net TX (see net.h). The queue runs in slot mode (virtqueue.h):
 * frame k of the ring's life goes into descriptor k mod size, whose avail
 * entry never changes, so a frame costs one descriptor write, its cookie
 * and the header in its headroom. A chained frame takes one slot too, as an
 * indirect descriptor pointing at the slot's own table (this needs
 * VIRTIO_RING_F_INDIRECT_DESC; without it chains are refused).
 *
 * Completions are reclaimed at the start of the next burst (never on a
 * completion of their own) and returned to the pools in batches with
 * netbuf_free_bulk(). Reclaiming at every burst rather than when the ring
 * runs low keeps the device's avail ring from running dry, so the device
 * never has to wait for a kick between two runs of its TX loop.
 *
 * Every burst is published at once; the kick may wait (netdev_txq_defer()):
 * a device that drained the ring and asked to be told of more would
 * otherwise be kicked for every burst, and on QEMU each kick waits for the
 * device's own TX loop (docs/virtio.md, "Kicks, and QEMU's two speeds").
 * Held back until kick_at frames are in flight, the kick comes once per
 * fraction of a ring, and a device still working finds the new frames
 * published without one.
 */
#include <skiff/string.h>
#include "net.h"

#define TX_RECLAIM_BATCH	64	/* completions freed per netbuf_free_bulk() */

/* Returns every buffer the device has finished with to its pool. */
static uint16_t tx_reclaim(struct vnet_txq *q)
{
	struct virtqueue *vq = &q->vq;
	struct netbuf *done[TX_RECLAIM_BATCH];
	uint16_t n = vq_used_count(vq), total = n;

	while (n) {
		unsigned k = MIN(n, ARRAY_SIZE(done)), m = 0;
		struct vq_used_cursor c = vq_used_cursor(vq);
		for (unsigned i = 0; i < k; i++) {
			uint32_t len;
			struct netbuf *nb = vq_used_take(&c, &len);
			if (likely(nb))
				done[m++] = nb;
		}
		vq_used_done(vq, &c);
		netbuf_free_bulk(done, m);
		n = (uint16_t)(n - k);
	}
	return total;
}

uint16_t vnet_tx_reclaim(void *queue)
{
	return tx_reclaim(queue);
}

uint16_t vnet_tx_flush(void *queue)
{
	struct virtqueue *vq = &((struct vnet_txq *)queue)->vq;
	uint16_t held = (uint16_t)(vq->avail_idx - vq->kick_idx);

	vq_kick(vq);
	return held;
}

/* Zeroes the virtio-net header in front of the data: no offloads asked.
 * Stores of zero, not a copy of a zero header the CPU would load first. */
static inline void tx_write_header(uint8_t *hdr, uint16_t hdr_len)
{
	memset(hdr, 0, sizeof(struct virtio_net_hdr));
	if (hdr_len == sizeof(struct virtio_net_hdr_mrg_rxbuf))
		memset(hdr + sizeof(struct virtio_net_hdr), 0,
		       sizeof(struct virtio_net_hdr_mrg_rxbuf) - sizeof(struct virtio_net_hdr));
}

/* Taken but not sent: counted and freed. */
static void tx_refuse(struct vnet_txq *q, struct netbuf *nb)
{
	q->errors++;
	netbuf_free(nb);
}

/*
 * A frame the fast path does not take: a chain, or malformed. The chain is
 * walked as it is (nb_segs and pkt_len must agree with it); empty segments
 * get no descriptor. It goes out through the slot's indirect table.
 */
static void tx_slow(struct vnet_txq *q, struct netbuf *nb)
{
	struct virtqueue *vq = &q->vq;
	uint16_t slot = vq->avail_idx & vq->mask;
	struct vring_desc *t;
	unsigned n = 0, segs_seen = 0;
	uint32_t total = 0;

	if (!q->indirect || nb->data_off < q->hdr_len) {
		tx_refuse(q, nb);
		return;
	}
	t = q->indirect + (size_t)slot * TX_MAX_SEGS;
	for (struct netbuf *s = nb; s; s = s->next) {
		if (++segs_seen > nb->nb_segs || n == TX_MAX_SEGS) {
			tx_refuse(q, nb);
			return;
		}
		total += s->data_len;
		if (!s->data_len && s != nb)
			continue;
		t[n] = (struct vring_desc){ .addr = (uintptr_t)netbuf_data(s),
					    .len = s->data_len, .flags = VRING_DESC_F_NEXT,
					    .next = (uint16_t)(n + 1) };
		n++;
	}
	if (segs_seen != nb->nb_segs || total != nb->pkt_len || total < ETH_HLEN ||
	    total > q->max_frame) {
		tx_refuse(q, nb);
		return;
	}
	t[n - 1].flags = 0;
	tx_write_header((uint8_t *)netbuf_data(nb) - q->hdr_len, q->hdr_len);
	t[0].addr -= q->hdr_len;
	t[0].len += q->hdr_len;
	vq_add_slot(vq, (uintptr_t)t, n * (uint32_t)sizeof(*t), VRING_DESC_F_INDIRECT, nb);
	q->packets++;
	q->bytes += total;
}

uint16_t vnet_tx_burst(void *queue, struct netbuf **bufs, uint16_t n)
{
	struct vnet_txq *q = queue;
	struct virtqueue *vq = &q->vq;
	const uint16_t hdr_len = q->hdr_len, max_frame = q->max_frame;
	uint64_t bytes = 0;
	uint16_t i, fast = 0;
	struct vq_cursor c;

	if (unlikely(!tx_reclaim(q) && !vq_slot_free(vq)))
		vq_stalled(vq);
	else
		vq_progress(vq);
	c = vq_cursor(vq);
	for (i = 0; i < n; i++) {
		struct netbuf *nb = bufs[i];
		uint16_t len = nb->data_len;	/* read once: the header stores may alias it */

		if (unlikely(!vq_cursor_free(&c)))
			break;
		/* One compare for both bounds: a length under ETH_HLEN wraps. */
		if (unlikely(nb->nb_segs != 1 || nb->data_off < hdr_len ||
			     (uint16_t)(len - ETH_HLEN) > max_frame - ETH_HLEN)) {
			vq_cursor_done(vq, &c);
			tx_slow(q, nb);
			c = vq_cursor(vq);
			continue;
		}
		uint8_t *hdr = (uint8_t *)netbuf_data(nb) - hdr_len;
		tx_write_header(hdr, hdr_len);
		vq_cursor_add(&c, (uintptr_t)hdr, (uint32_t)len + hdr_len, 0, nb);
		bytes += len;
		fast++;
	}
	vq_cursor_done(vq, &c);
	q->packets += fast;
	q->bytes += bytes;
	q->ring_full += n - i;
	if (vq_slots_in_flight(vq) >= q->kick_at)
		vq_kick(vq);
	else
		vq_publish_held(vq);
	return i;
}
