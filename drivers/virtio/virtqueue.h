/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Split virtqueue, driver side (virtio 1.x section 2.7), for polling drivers.
 *
 * The ring layout, vring_init() and the EVENT_IDX arithmetic come from
 * <linux/virtio_ring.h>. What is ours: a descriptor free list threaded
 * through desc[].next, a cookie per descriptor head (the netbuf it carries),
 * and batching: vq_add() only writes the avail ring, vq_publish() makes a
 * whole batch visible with one index store, and vq_kick() notifies the
 * device at most once per batch and only when it asked to be notified
 * (VRING_USED_F_NO_NOTIFY, or avail_event with EVENT_IDX).
 *
 * Interrupts are never wanted: with EVENT_IDX used_event trails the used
 * index by 0xffff entries (so a device notifies once per 65535 buffers at
 * most), without it avail->flags carries VRING_AVAIL_F_NO_INTERRUPT.
 *
 * Indices are free-running 16-bit counters, masked only to address the ring,
 * so empty (equal) and full (differing by size) stay distinct.
 *
 * One virtqueue is used by one core: no locks, no atomics. The hot functions
 * are inline; this header has no kernel dependency, so the logic is
 * unit-tested on the host against a simulated device.
 */
#ifndef SKIFF_VIRTQUEUE_H
#define SKIFF_VIRTQUEUE_H

#include <skiff/compiler.h>
#include <linux/virtio_ring.h>
#ifndef SKIFF_HOSTED
#include <skiff/portio.h>
#endif

#define VQ_ALIGN	4096	/* legacy PCI requires the used ring page-aligned */
#define VQ_MAX_SIZE	32768

struct virtqueue {
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	void **cookie;			/* per descriptor head; never NULL in flight */
	uint16_t *avail_event;		/* EVENT_IDX: device says when to kick */
	uint16_t mask;			/* size - 1 */
	uint16_t free_head;		/* first free descriptor */
	uint16_t num_free;		/* free descriptors */
	uint16_t avail_idx;		/* next avail slot; published by vq_publish */
	uint16_t kick_idx;		/* avail_idx when last considered for a kick */
	uint16_t used_idx;		/* next used entry to consume */
	bool event_idx;
	uint16_t size;
	uint16_t index;			/* queue number in the device */
	volatile uint16_t *notify_mmio;	/* modern PCI doorbell, or NULL */
	uint16_t notify_port;		/* legacy PCI doorbell */
	uint64_t kicks;			/* notifications sent */
	uint64_t bad_used;		/* used entries naming no buffer: device bug */
};

/* One descriptor of a chain for vq_add_chain(). */
struct vq_seg {
	uint64_t addr;
	uint32_t len;
	bool device_writes;
};

/* Bytes of ring memory for @size descriptors (aligned to VQ_ALIGN). */
size_t vq_ring_bytes(uint16_t size);

/*
 * Lays out a queue of @size descriptors (a power of two) in @ring (zeroed,
 * VQ_ALIGN-aligned, vq_ring_bytes() long) with @cookies (@size pointers).
 * Returns 0 or -1 if @size is not a power of two in 1..VQ_MAX_SIZE.
 */
int vq_init(struct virtqueue *vq, uint16_t index, uint16_t size, void *ring,
	    void **cookies, bool event_idx);

static inline uint16_t vq_free_count(const struct virtqueue *vq)
{
	return vq->num_free;
}

/* Descriptors the device holds (made available, not yet reclaimed). */
static inline uint16_t vq_in_flight(const struct virtqueue *vq)
{
	return (uint16_t)(vq->size - vq->num_free);
}

/*
 * Queues one buffer in one descriptor; @cookie (not NULL) comes back from
 * vq_get_used(). The caller checks vq_free_count() first. Nothing is visible
 * to the device until vq_publish().
 */
static inline void vq_add(struct virtqueue *vq, uint64_t addr, uint32_t len,
			  bool device_writes, void *cookie)
{
	uint16_t head = vq->free_head;
	struct vring_desc *d = &vq->desc[head];

	vq->free_head = d->next;
	vq->num_free--;
	d->addr = addr;
	d->len = len;
	d->flags = device_writes ? VRING_DESC_F_WRITE : 0;
	vq->cookie[head] = cookie;
	vq->avail->ring[vq->avail_idx++ & vq->mask] = head;
}

/* Queues one buffer made of @n descriptors (n <= vq_free_count()). */
void vq_add_chain(struct virtqueue *vq, const struct vq_seg *segs, unsigned n,
		  void *cookie);

/* Makes every buffer queued so far visible to the device. */
static inline void vq_publish(struct virtqueue *vq)
{
	wmb();		/* descriptors and ring entries before the index */
	WRITE_ONCE(vq->avail->idx, vq->avail_idx);
}

/*
 * Whether the device wants a notification for what was published since the
 * last call. The full barrier orders our avail->idx store before the load
 * of the device's suppression state: without it both sides can miss each
 * other and the queue stalls.
 */
static inline bool vq_kick_needed(struct virtqueue *vq)
{
	uint16_t old = vq->kick_idx, now = vq->avail_idx;

	if (old == now)
		return false;
	vq->kick_idx = now;
	mb();
	if (vq->event_idx)
		return vring_need_event(READ_ONCE(*vq->avail_event), now, old);
	return !(READ_ONCE(vq->used->flags) & VRING_USED_F_NO_NOTIFY);
}

static inline void vq_notify(struct virtqueue *vq)
{
	vq->kicks++;
	if (vq->notify_mmio)
		*vq->notify_mmio = vq->index;
#ifndef SKIFF_HOSTED
	else
		outw(vq->notify_port, vq->index);
#endif
}

/*
 * Publishes and notifies the device if it asked for it. With nothing queued
 * since the last call it does nothing: a sender spinning on a full ring must
 * not keep storing the index to a cache line the device is reading.
 */
static inline void vq_kick(struct virtqueue *vq)
{
	if (vq->avail_idx == vq->kick_idx)
		return;
	vq_publish(vq);
	if (vq_kick_needed(vq))
		vq_notify(vq);
}

/*
 * Buffers the device has returned and we have not taken yet. Call once per
 * batch; the read barrier orders the index load before the entry loads.
 */
static inline uint16_t vq_used_count(struct virtqueue *vq)
{
	uint16_t n = (uint16_t)(READ_ONCE(vq->used->idx) - vq->used_idx);

	rmb();
	return n;
}

/*
 * Takes the next used buffer (vq_used_count() must have said there is one):
 * returns its cookie and the bytes the device wrote in *@len, and frees its
 * descriptors. Returns NULL for an entry naming a descriptor that is not in
 * flight (counted in bad_used; the entry is skipped).
 */
static inline void *vq_get_used(struct virtqueue *vq, uint32_t *len)
{
	const struct vring_used_elem *e = &vq->used->ring[vq->used_idx++ & vq->mask];
	uint32_t id = e->id;
	void *cookie;

	*len = e->len;
	if (unlikely(id > vq->mask || !vq->cookie[id])) {
		vq->bad_used++;
		return NULL;
	}
	cookie = vq->cookie[id];
	vq->cookie[id] = NULL;
	if (likely(!(vq->desc[id].flags & VRING_DESC_F_NEXT))) {
		vq->desc[id].next = vq->free_head;
		vq->free_head = (uint16_t)id;
		vq->num_free++;
		return cookie;
	}
	/* A chain: find its tail, splice the whole chain onto the free list. */
	uint16_t tail = (uint16_t)id, n = 1;
	while ((vq->desc[tail].flags & VRING_DESC_F_NEXT) && n <= vq->mask) {
		tail = vq->desc[tail].next & vq->mask;
		n++;
	}
	vq->desc[tail].next = vq->free_head;
	vq->free_head = (uint16_t)id;
	vq->num_free += n;
	return cookie;
}

#endif
