/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-net TX (see net.h): completions are reclaimed at the start of the
 * next burst (never on a completion of their own) and returned to the pools
 * in batches with netbuf_free_bulk(). Reclaiming at every burst rather than
 * when the ring runs low keeps the device's avail ring from running dry, so
 * the device never has to wait for a kick between two runs of its TX loop.
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
		for (unsigned i = 0; i < k; i++) {
			uint32_t len;
			struct netbuf *nb = vq_get_used(vq, &len);
			if (likely(nb))
				done[m++] = nb;
		}
		netbuf_free_bulk(done, m);
		n = (uint16_t)(n - k);
	}
	return total;
}

uint16_t vnet_tx_reclaim(void *queue)
{
	return tx_reclaim(queue);
}

/* Zeroes the virtio-net header in front of the data; no offloads asked. */
static inline void tx_write_header(uint8_t *hdr, uint16_t hdr_len)
{
	uint64_t zero8 = 0;
	uint16_t zero2 = 0;

	memcpy(hdr, &zero8, 8);
	memcpy(hdr + 8, &zero2, 2);
	if (hdr_len == 12)
		memcpy(hdr + 10, &zero2, 2);	/* num_buffers */
}

/* A frame the fast path does not take: a chain, or malformed. */
static bool tx_slow(struct vnet_txq *q, struct netbuf *nb)
{
	struct virtqueue *vq = &q->vq;
	struct vq_seg segs[TX_MAX_SEGS];
	unsigned n = 0;

	if (nb->data_off < q->hdr_len || nb->pkt_len > q->max_frame ||
	    nb->nb_segs > ARRAY_SIZE(segs)) {
		q->errors++;
		netbuf_free(nb);
		return true;
	}
	if (vq_free_count(vq) < nb->nb_segs)
		return false;
	for (struct netbuf *s = nb; s && n < ARRAY_SIZE(segs); s = s->next, n++) {
		segs[n].addr = (uintptr_t)netbuf_data(s);
		segs[n].len = s->data_len;
		segs[n].device_writes = false;
	}
	tx_write_header((uint8_t *)netbuf_data(nb) - q->hdr_len, q->hdr_len);
	segs[0].addr -= q->hdr_len;
	segs[0].len += q->hdr_len;
	vq_add_chain(vq, segs, n, nb);
	q->packets++;
	q->bytes += nb->pkt_len;
	return true;
}

uint16_t vnet_tx_burst(void *queue, struct netbuf **bufs, uint16_t n)
{
	struct vnet_txq *q = queue;
	struct virtqueue *vq = &q->vq;
	uint64_t bytes = 0;
	uint16_t i, fast = 0;

	if (unlikely(!tx_reclaim(q) && !vq_free_count(vq)))
		vq_stalled(vq);
	else
		vq_progress(vq);
	for (i = 0; i < n; i++) {
		struct netbuf *nb = bufs[i];

		if (unlikely(!vq_free_count(vq)))
			break;
		if (unlikely(nb->nb_segs != 1 || nb->data_off < q->hdr_len ||
			     nb->data_len > q->max_frame)) {
			if (!tx_slow(q, nb))
				break;
			continue;
		}
		uint8_t *hdr = (uint8_t *)netbuf_data(nb) - q->hdr_len;
		tx_write_header(hdr, q->hdr_len);
		vq_add(vq, (uintptr_t)hdr, (uint32_t)nb->data_len + q->hdr_len, false, nb);
		bytes += nb->data_len;
		fast++;
	}
	q->packets += fast;
	q->bytes += bytes;
	q->ring_full += n - i;
	vq_kick(vq);
	return i;
}
