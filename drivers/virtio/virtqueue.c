/* SPDX-License-Identifier: BSD-3-Clause */
/* Split virtqueue set-up and the slow paths; see virtqueue.h. */
#include "virtqueue.h"

uint64_t vq_nudge_ticks = ~0ULL;

/* The doorbell of a queue the device does not know yet: rings nothing. */
static void notify_refused(struct virtqueue *vq)
{
	vq->kicks--;
	vq->early_notify++;
}

size_t vq_ring_bytes(uint16_t size)
{
	return ALIGN_UP(vring_size(size, VQ_ALIGN), (size_t)VQ_ALIGN);
}

int vq_init(struct virtqueue *vq, uint16_t index, uint16_t size, void *ring,
	    void **cookies, bool event_idx)
{
	struct vring vr;

	if (!IS_POW2(size) || size > VQ_MAX_SIZE)
		return -1;
	vring_init(&vr, size, ring, VQ_ALIGN);
	*vq = (struct virtqueue){
		.desc = vr.desc, .avail = vr.avail, .used = vr.used,
		.cookie = cookies, .mask = (uint16_t)(size - 1),
		.num_free = size, .event_idx = event_idx, .size = size,
		.index = index, .avail_event = &vring_avail_event(&vr),
		.notify = notify_refused,
	};
	for (uint16_t i = 0; i < size; i++) {
		vq->desc[i].next = (uint16_t)((i + 1) & vq->mask);
		cookies[i] = NULL;
	}
	if (event_idx)
		vring_used_event(&vr) = (uint16_t)(vq->used_idx - 1);
	else
		vq->avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
	return 0;
}

void vq_add_chain(struct virtqueue *vq, const struct vq_seg *segs, unsigned n,
		  void *cookie)
{
	uint16_t head = vq->free_head, i = head;

	for (unsigned k = 0; k < n; k++) {
		struct vring_desc *d = &vq->desc[i];
		d->addr = segs[k].addr;
		d->len = segs[k].len;
		d->flags = (segs[k].device_writes ? VRING_DESC_F_WRITE : 0) |
			   (k + 1 < n ? VRING_DESC_F_NEXT : 0);
		if (k + 1 < n)
			i = d->next;	/* the free list is already a chain */
	}
	vq->free_head = vq->desc[i].next;
	vq->num_free = (uint16_t)(vq->num_free - n);
	vq->cookie[head] = cookie;
	vq->avail->ring[vq->avail_idx++ & vq->mask] = head;
}

uint16_t vq_used_overrun(struct virtqueue *vq, uint16_t used_idx)
{
	if (vq->dev_errors == 0 || used_idx != vq->bad_used_idx)
		vq->dev_errors++;
	vq->bad_used_idx = used_idx;
	return 0;
}

void vq_stalled(struct virtqueue *vq)
{
	if (++vq->stall % VQ_NUDGE_CHECK)
		return;
	uint64_t now = rdtsc();
	if (vq->stall == VQ_NUDGE_CHECK) {
		vq->stall_since = now;
	} else if (now - vq->stall_since > vq_nudge_ticks) {
		vq_notify(vq);
		vq->nudges++;
		vq->stall = 0;
	}
}

void vq_slots_init(struct virtqueue *vq)
{
	for (uint16_t i = 0; i < vq->size; i++)
		vq->avail->ring[i] = i;
	vq->num_free = 0;	/* the free list is not used in slot mode */
}
