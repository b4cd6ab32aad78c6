/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-net RX (see net.h): the ring is filled from the queue's pool at
 * set-up and refilled in batches of RX_REFILL_BATCH. With MRG_RXBUF a frame
 * longer than a buffer spans several; such frames are dropped and counted
 * (rx_oversize), every buffer they used recycled.
 */
#include <skiff/string.h>
#include "net.h"

static inline void rx_post(struct vnet_rxq *q, struct netbuf *nb)
{
	vq_add(&q->vq, (uintptr_t)netbuf_data(nb) - q->hdr_len, q->post_len, true, nb);
}

bool vnet_rx_fill(struct vnet_rxq *q)
{
	struct virtqueue *vq = &q->vq;
	struct netbuf *bufs[64];

	while (vq_free_count(vq)) {
		unsigned want = MIN(vq_free_count(vq), ARRAY_SIZE(bufs)), got = want;

		if (unlikely(netbuf_alloc_bulk(q->pool, bufs, want) < 0)) {
			/* All-or-nothing failed: take what is left, one by one. */
			for (got = 0; got < want; got++)
				if (!(bufs[got] = netbuf_alloc(q->pool)))
					break;
			q->nobuf += want - got;
		}
		for (unsigned i = 0; i < got; i++)
			rx_post(q, bufs[i]);
		if (got < want)
			return false;
	}
	return true;
}

uint16_t vnet_rx_burst(void *queue, struct netbuf **bufs, uint16_t n)
{
	struct vnet_rxq *q = queue;
	struct virtqueue *vq = &q->vq;
	uint16_t ready = vq_used_count(vq), got = 0;
	uint64_t bytes = 0;

	if (unlikely(!ready)) {
		vq_stalled(vq);
		return 0;
	}
	vq_progress(vq);
	if (unlikely(ready == vq_in_flight(vq)))
		q->ring_dry++;	/* every posted buffer was filled */
	if (n > ready)
		n = ready;
	for (uint16_t k = 0; k < n; k++) {
		uint32_t len;
		struct netbuf *nb = vq_get_used(vq, &len);

		if (unlikely(!nb))
			continue;
		if (unlikely(q->drop_more)) {	/* tail of an oversize frame */
			q->drop_more--;
			netbuf_free(nb);
			continue;
		}
		if (unlikely(len - ((uint32_t)q->hdr_len + ETH_HLEN) >
			     q->post_len - ((uint32_t)q->hdr_len + ETH_HLEN))) {
			if (len > q->post_len)
				vq->dev_errors++;	/* wrote past the buffer */
			else
				q->errors++;		/* a runt */
			netbuf_free(nb);
			continue;
		}
		if (q->mrg) {
			const struct virtio_net_hdr_mrg_rxbuf *h =
				(const void *)((char *)netbuf_data(nb) - q->hdr_len);
			if (unlikely(h->num_buffers != 1)) {
				q->errors++;
				q->oversize++;
				q->drop_more = h->num_buffers ? h->num_buffers - 1 : 0;
				netbuf_free(nb);
				continue;
			}
		}
		nb->data_len = (uint16_t)(len - q->hdr_len);
		nb->pkt_len = nb->data_len;
		nb->port = q->port;
		bytes += nb->data_len;
		bufs[got++] = nb;
	}
	q->packets += got;
	q->bytes += bytes;
	if (vq_free_count(vq) >= RX_REFILL_BATCH) {
		vnet_rx_fill(q);
		vq_kick(vq);
	}
	return got;
}
