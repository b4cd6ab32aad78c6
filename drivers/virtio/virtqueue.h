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
 * The device is not trusted: a used index that runs ahead of what was made
 * available is refused (none of its entries can be told from stale ones),
 * and a used entry naming a descriptor that is not the head of a buffer in
 * flight is skipped. Both are counted in dev_errors; nothing they name is
 * dereferenced or freed.
 *
 * The doorbell belongs to the transport: queue_enable() sets notify (and
 * notify_addr for its use). Until then notify refuses and counts
 * (early_notify): a doorbell written before the device knows the queue
 * would go to whatever sits at address 0.
 *
 * One virtqueue is used by one core: no locks, no atomics. The hot functions
 * are inline; this header has no kernel dependency, so the logic is
 * unit-tested on the host against a simulated device.
 */
#ifndef SKIFF_VIRTQUEUE_H
#define SKIFF_VIRTQUEUE_H

#include <skiff/compiler.h>
#include <linux/virtio_ring.h>
#include <skiff/cpu.h>

#define VQ_ALIGN	4096	/* legacy PCI requires the used ring page-aligned */
#define VQ_MAX_SIZE	32768

struct virtqueue;
typedef void (*vq_notify_fn)(struct virtqueue *vq);

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
	vq_notify_fn notify;		/* the transport's doorbell */
	volatile void *notify_addr;	/* where the transport rings it */
	uint32_t stall;			/* polls without progress (vq_stalled) */
	uint64_t stall_since;		/* TSC when the stall was first noticed */
	uint64_t kicks;			/* notifications sent */
	uint64_t nudges;		/* of those, sent unasked after a stall */
	uint64_t dev_errors;		/* device protocol violations, see above */
	uint16_t bad_used_idx;		/* the last refused used index */
	uint64_t early_notify;		/* doorbells refused: queue not enabled */
};

/*
 * A queue that makes no progress for vq_nudge_ticks TSC ticks kicks the
 * device unasked (a "nudge"). EVENT_IDX is a store-buffering handshake: we
 * publish then read avail_event, the device writes avail_event then reads
 * the index, each with a full barrier between. If either barrier is missing
 * (QEMU's TCG drops the guest's fences when the machine has a single CPU
 * slot; device bugs have done the same) both sides can miss each other and a
 * polling driver would wait forever. With correct barriers a nudge changes
 * nothing and the nudges counter stays 0. The driver sets vq_nudge_ticks
 * once the TSC is calibrated.
 */
extern uint64_t vq_nudge_ticks;
#define VQ_NUDGE_CHECK	1024	/* polls between two clock reads while stalled */

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
 * Returns 0 or -1 if @size is not a power of two in 1..VQ_MAX_SIZE. The
 * doorbell refuses until the transport's queue_enable() sets it.
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

/*
 * Slot mode, for a queue whose buffers are single descriptors (RX, TX):
 * descriptor i always sits in avail slot i. vq_slots_init() writes the avail
 * ring once; after that a buffer costs its descriptor and its cookie, no
 * free list and no avail ring entry, so the ring's cache lines stay clean
 * for the device, which reads them from another core. Slots are taken in
 * ring order; the next one is free when its cookie is NULL (devices return
 * buffers in order, but one that does not only makes the queue wait). A
 * buffer of several pieces takes one slot with an indirect descriptor.
 * A queue uses either slot mode or vq_add()/vq_add_chain(), not both.
 */
void vq_slots_init(struct virtqueue *vq);

/* Buffers a slot-mode queue has made available and not taken back. */
static inline uint16_t vq_slots_in_flight(const struct virtqueue *vq)
{
	return (uint16_t)(vq->avail_idx - vq->used_idx);
}

/* Slots of a slot-mode queue not holding a buffer. */
static inline uint16_t vq_slots_empty(const struct virtqueue *vq)
{
	return (uint16_t)(vq->size - vq_slots_in_flight(vq));
}

/*
 * A burst's cursor over a slot-mode queue's free slots: the fields a burst
 * needs, copied into a local that the compiler keeps in registers. Written
 * through @vq itself, every descriptor store might alias the queue's own
 * fields and force the compiler to load them again for the next buffer.
 * Take one with vq_cursor(), fill slots with vq_cursor_add(), and hand it
 * back with vq_cursor_done() before anything else uses the queue.
 */
struct vq_cursor {
	struct vring_desc *desc;
	void **cookie;
	uint16_t idx;		/* the queue's avail_idx, advanced locally */
	uint16_t mask;
};

static inline struct vq_cursor vq_cursor(const struct virtqueue *vq)
{
	return (struct vq_cursor){ vq->desc, vq->cookie, vq->avail_idx, vq->mask };
}

/* True when the cursor's next slot holds no buffer. */
static inline bool vq_cursor_free(const struct vq_cursor *c)
{
	return !c->cookie[c->idx & c->mask];
}

/* Queues one buffer in the cursor's next slot (vq_cursor_free() must be true). */
static inline void vq_cursor_add(struct vq_cursor *c, uint64_t addr, uint32_t len,
				 uint16_t flags, void *cookie)
{
	uint16_t slot = c->idx++ & c->mask;
	struct vring_desc *d = &c->desc[slot];

	d->addr = addr;
	d->len = len;
	d->flags = flags;
	c->cookie[slot] = cookie;
}

static inline void vq_cursor_done(struct virtqueue *vq, const struct vq_cursor *c)
{
	vq->avail_idx = c->idx;
}

/* True when the queue's next slot holds no buffer. */
static inline bool vq_slot_free(const struct virtqueue *vq)
{
	struct vq_cursor c = vq_cursor(vq);

	return vq_cursor_free(&c);
}

/* Queues one buffer in the next slot (vq_slot_free() must be true). */
static inline void vq_add_slot(struct virtqueue *vq, uint64_t addr, uint32_t len,
			       uint16_t flags, void *cookie)
{
	struct vq_cursor c = vq_cursor(vq);

	vq_cursor_add(&c, addr, len, flags, cookie);
	vq_cursor_done(vq, &c);
}

/*
 * The used side's cursor, for the same reason as struct vq_cursor: a batch
 * of vq_used_take() keeps the queue's fields in registers instead of loading
 * them again after every store. Take one with vq_used_cursor() after
 * vq_used_count(), hand it back with vq_used_done().
 */
struct vq_used_cursor {
	const struct vring_used_elem *ring;
	void **cookie;
	uint16_t idx;		/* the queue's used_idx, advanced locally */
	uint16_t mask;
	uint32_t errors;	/* entries naming no buffer in flight */
};

static inline struct vq_used_cursor vq_used_cursor(const struct virtqueue *vq)
{
	return (struct vq_used_cursor){ vq->used->ring, vq->cookie, vq->used_idx, vq->mask, 0 };
}

/*
 * Takes the next used buffer of a slot-mode queue (vq_used_count() said
 * there is one): its cookie and the bytes the device wrote in *@len, or
 * NULL for an entry naming no buffer in flight (counted in dev_errors; the
 * entry is skipped).
 */
static inline void *vq_used_take(struct vq_used_cursor *c, uint32_t *len)
{
	const struct vring_used_elem *e = &c->ring[c->idx++ & c->mask];
	uint32_t id = e->id;
	void *cookie;

	*len = e->len;
	if (unlikely(id > c->mask || !(cookie = c->cookie[id]))) {
		c->errors++;
		return NULL;
	}
	c->cookie[id] = NULL;
	return cookie;
}

static inline void vq_used_done(struct virtqueue *vq, const struct vq_used_cursor *c)
{
	vq->used_idx = c->idx;
	vq->dev_errors += c->errors;
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
	vq->notify(vq);
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
 * Publishes without notifying, for a sender that holds its kicks back
 * (netdev_txq_defer): the next vq_kick() must judge every index published
 * since the last one, and vring_need_event() counts them modulo 2^16, so a
 * window grown to VQ_KICK_WINDOW_MAX is judged now, while it is exact.
 */
#define VQ_KICK_WINDOW_MAX	0x8000

static inline void vq_publish_held(struct virtqueue *vq)
{
	if (unlikely((uint16_t)(vq->avail_idx - vq->kick_idx) >= VQ_KICK_WINDOW_MAX))
		vq_kick(vq);
	else
		vq_publish(vq);
}

/*
 * Publishes and notifies whether or not the device asked: for a device that
 * may have looked at the queue before it was live, or may be waiting for a
 * notification it suppressed.
 */
static inline void vq_announce(struct virtqueue *vq)
{
	vq_publish(vq);
	vq->kick_idx = vq->avail_idx;
	vq_notify(vq);
}

/* Slow path of vq_used_count(): counts a refused index once, returns 0. */
uint16_t vq_used_overrun(struct virtqueue *vq, uint16_t used_idx);

/*
 * Buffers the device has returned and we have not taken yet. Call once per
 * batch; the read barrier orders the index load before the entry loads. A
 * device claiming more than was made available gets 0 (see above): the
 * queue stands still until the device is reset.
 */
static inline uint16_t vq_used_count(struct virtqueue *vq)
{
	uint16_t idx = READ_ONCE(vq->used->idx);
	uint16_t n = (uint16_t)(idx - vq->used_idx);

	rmb();
	if (unlikely(n > (uint16_t)(vq->avail->idx - vq->used_idx)))
		return vq_used_overrun(vq, idx);
	return n;
}

/* One more poll of @vq without progress: may nudge it (see vq_nudge_ticks). */
void vq_stalled(struct virtqueue *vq);

/* The queue moved: the stall is over. */
static inline void vq_progress(struct virtqueue *vq)
{
	vq->stall = 0;
}

/*
 * Takes the next used buffer (vq_used_count() must have said there is one):
 * returns its cookie and the bytes the device wrote in *@len, and frees its
 * descriptors. Returns NULL for an entry naming a descriptor that is not in
 * flight (counted in dev_errors; the entry is skipped).
 */
static inline void *vq_get_used(struct virtqueue *vq, uint32_t *len)
{
	const struct vring_used_elem *e = &vq->used->ring[vq->used_idx++ & vq->mask];
	uint32_t id = e->id;
	void *cookie;

	*len = e->len;
	if (unlikely(id > vq->mask || !vq->cookie[id])) {
		vq->dev_errors++;
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
