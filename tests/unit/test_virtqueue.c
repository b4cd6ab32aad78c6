/* The split virtqueue against a simulated device: wrap-around of the 16-bit
 * indices, EVENT_IDX and NO_NOTIFY suppression, free-list exhaustion and
 * recovery, chains, and device errors. */
#include <stdlib.h>
#include "virtqueue.h"
#include "tap.h"

/* The device side: consumes avail entries, returns them in used. */
struct sim {
	struct virtqueue *vq;
	uint16_t last_avail;
	uint16_t used_idx;
};

/* The transport's doorbell: the queue index written to notify_addr. */
static void sim_notify(struct virtqueue *vq)
{
	*(volatile uint16_t *)vq->notify_addr = vq->index;
}

static void arm_doorbell(struct virtqueue *vq, uint16_t *doorbell)
{
	vq->notify_addr = doorbell;
	vq->notify = sim_notify;
}

static void *rings[16];
static unsigned nrings;

static void *ring_mem(uint16_t size)
{
	void *p = aligned_alloc(VQ_ALIGN, vq_ring_bytes(size));
	memset(p, 0, vq_ring_bytes(size));
	return rings[nrings++] = p;
}

/* Consumes up to @max published buffers; returns how many. Each buffer is
 * "written" with len = total descriptor length of its chain. */
static unsigned sim_consume(struct sim *s, unsigned max)
{
	struct virtqueue *vq = s->vq;
	unsigned n = 0;

	while (n < max && s->last_avail != vq->avail->idx) {
		uint16_t head = vq->avail->ring[s->last_avail++ & vq->mask];
		uint32_t total = 0;
		uint16_t i = head;
		for (unsigned k = 0; k <= vq->mask; k++) {
			total += vq->desc[i].len;
			if (!(vq->desc[i].flags & VRING_DESC_F_NEXT))
				break;
			i = vq->desc[i].next;
		}
		vq->used->ring[s->used_idx & vq->mask].id = head;
		vq->used->ring[s->used_idx & vq->mask].len = total;
		s->used_idx++;
		n++;
	}
	vq->used->idx = s->used_idx;
	return n;
}

/* Writes a used entry naming descriptor @id, as a lying device would. */
static void sim_used_raw_id(struct sim *s, uint16_t id, uint32_t len)
{
	struct virtqueue *vq = s->vq;

	vq->used->ring[s->used_idx & vq->mask].id = id;
	vq->used->ring[s->used_idx & vq->mask].len = len;
	vq->used->idx = ++s->used_idx;
}

static void test_basic(void)
{
	void *cookies[8];
	struct virtqueue vq;
	uint16_t doorbell = 0xffff;

	ok(vq_init(&vq, 3, 6, ring_mem(8), cookies, false) < 0, "size 6 refused");
	ok(vq_init(&vq, 3, 8, ring_mem(8), cookies, false) == 0, "size 8 accepted");
	arm_doorbell(&vq, &doorbell);
	is_u64(vq_free_count(&vq), 8, "all descriptors free");
	ok(vq.avail->flags & VRING_AVAIL_F_NO_INTERRUPT, "no interrupts wanted without EVENT_IDX");

	struct sim s = { .vq = &vq };
	int tags[4];
	for (int i = 0; i < 4; i++)
		vq_add(&vq, 0x1000 * (uint64_t)(i + 1), 100 + (uint32_t)i, i & 1, &tags[i]);
	is_u64(vq.avail->idx, 0, "nothing visible before publish");
	is_u64(sim_consume(&s, 10), 0, "device sees nothing before publish");
	vq_kick(&vq);
	is_u64(doorbell, 3, "kick writes the queue index to the doorbell");
	is_u64(vq.kicks, 1, "one kick for the batch of four");
	ok(vq.desc[vq.avail->ring[1]].flags & VRING_DESC_F_WRITE, "device-writable flag set");
	is_u64(sim_consume(&s, 10), 4, "device consumes the four");
	is_u64(vq_used_count(&vq), 4, "four used");
	int order = 1;
	for (int i = 0; i < 4; i++) {
		uint32_t len;
		void *c = vq_get_used(&vq, &len);
		order &= c == &tags[i] && len == 100 + (uint32_t)i;
	}
	ok(order, "cookies and lengths come back in order");
	is_u64(vq_free_count(&vq), 8, "descriptors freed");
	vq_kick(&vq);
	is_u64(vq.kicks, 1, "no kick when nothing new was published");
}

static void test_wraparound(void)
{
	enum { SIZE = 8, TOTAL = 200000 };
	void *cookies[SIZE];
	struct virtqueue vq;
	struct sim s = { .vq = &vq };
	uint16_t doorbell;
	static uintptr_t next_tag = 1, want_tag = 1;
	unsigned sent = 0, got = 0, bad = 0;

	vq_init(&vq, 0, SIZE, ring_mem(SIZE), cookies, true);
	arm_doorbell(&vq, &doorbell);
	srand(7);
	while (got < TOTAL) {
		unsigned n = (unsigned)rand() % (SIZE + 1);
		while (n-- && vq_free_count(&vq) && sent < TOTAL) {
			vq_add(&vq, next_tag * 64, 60, false, (void *)next_tag);
			next_tag++;
			sent++;
		}
		vq_kick(&vq);
		sim_consume(&s, (unsigned)rand() % (SIZE + 1));
		for (uint16_t k = vq_used_count(&vq); k; k--) {
			uint32_t len;
			void *c = vq_get_used(&vq, &len);
			if ((uintptr_t)c != want_tag++ || len != 60)
				bad++;
			got++;
		}
	}
	ok(bad == 0, "%u buffers through a size-8 ring, all in order (indices wrapped %u times)",
	   got, got / 65536);
	is_u64(vq_free_count(&vq), SIZE, "every descriptor back on the free list");
	is_u64(vq.used_idx, (uint16_t)TOTAL, "used index is free-running mod 2^16");
}

static void test_exhaustion_and_chains(void)
{
	void *cookies[16];
	struct virtqueue vq;
	struct sim s = { .vq = &vq };
	uint16_t doorbell;
	int tag[20];

	vq_init(&vq, 1, 16, ring_mem(16), cookies, true);
	arm_doorbell(&vq, &doorbell);
	for (int i = 0; i < 5; i++) {
		struct vq_seg segs[3] = {
			{ 0x1000, 12, false }, { 0x2000, 100, false }, { 0x3000, 8, true },
		};
		vq_add_chain(&vq, segs, 3, &tag[i]);
	}
	is_u64(vq_free_count(&vq), 1, "five chains of three leave one descriptor");
	vq_add(&vq, 0x4000, 60, false, &tag[5]);
	is_u64(vq_free_count(&vq), 0, "ring exhausted");
	vq_kick(&vq);
	is_u64(sim_consume(&s, 3), 3, "device takes three buffers");
	uint32_t len;
	uint16_t n = vq_used_count(&vq);
	void *c0 = vq_get_used(&vq, &len);
	ok(n == 3 && c0 == &tag[0] && len == 120, "a chain returns once, with its total length");
	vq_get_used(&vq, &len);
	vq_get_used(&vq, &len);
	is_u64(vq_free_count(&vq), 9, "three chains freed nine descriptors");
	for (int i = 6; i < 15; i++)
		vq_add(&vq, 0x5000, 60, false, &tag[i]);
	is_u64(vq_free_count(&vq), 0, "recovered descriptors reused until empty again");
	vq_kick(&vq);
	unsigned left = sim_consume(&s, 100);
	is_u64(left, 12, "device drains the rest");
	for (uint16_t k = vq_used_count(&vq); k; k--)
		vq_get_used(&vq, &len);
	is_u64(vq_free_count(&vq), 16, "all sixteen free at the end");

}

static void test_event_idx(void)
{
	void *cookies[256];
	struct virtqueue vq;
	uint16_t doorbell;
	int tag;
	unsigned wrong = 0, kicks = 0;

	vq_init(&vq, 0, 256, ring_mem(256), cookies, true);
	arm_doorbell(&vq, &doorbell);
	is_u64(vq.avail->ring[256], 0xffff,	/* used_event sits after the avail ring */
	       "used_event trails used_idx: no interrupts wanted");

	/* Publish batches across the 16-bit wrap; the device asks for a kick at
	 * a random point. A kick must happen exactly when a batch crosses it. */
	struct sim s = { .vq = &vq };
	vq.avail_idx = vq.kick_idx = s.last_avail = s.used_idx = 65000;
	vq.used_idx = 65000;
	vq.avail->idx = vq.used->idx = 65000;
	srand(11);
	for (int round = 0; round < 5000; round++) {
		uint16_t old = vq.avail_idx;
		uint16_t event = (uint16_t)(old + rand() % 64 - 8);
		*vq.avail_event = event;
		unsigned n = 1 + (unsigned)rand() % 32;
		for (unsigned i = 0; i < n; i++)
			vq_add(&vq, 0x1000, 60, false, &tag);
		uint64_t before = vq.kicks;
		vq_kick(&vq);
		bool crossed = (uint16_t)(event - old) < n;	/* event in [old, old+n) */
		wrong += (vq.kicks != before) != crossed;
		kicks += vq.kicks != before;
		sim_consume(&s, 1000);
		uint32_t len;
		for (uint16_t k = vq_used_count(&vq); k; k--)
			vq_get_used(&vq, &len);
	}
	ok(wrong == 0, "EVENT_IDX: kick iff the batch crossed avail_event (%u kicks in 5000 batches, across the wrap)",
	   kicks);

	/* Without EVENT_IDX the device's NO_NOTIFY flag decides. */
	vq_init(&vq, 0, 256, ring_mem(256), cookies, false);
	arm_doorbell(&vq, &doorbell);
	vq.used->flags = VRING_USED_F_NO_NOTIFY;
	vq_add(&vq, 0x1000, 60, false, &tag);
	vq_kick(&vq);
	is_u64(vq.kicks, 0, "NO_NOTIFY suppresses the kick");
	vq.used->flags = 0;
	vq_add(&vq, 0x1000, 60, false, &tag);
	vq_kick(&vq);
	is_u64(vq.kicks, 1, "without NO_NOTIFY the batch is kicked");
}

/*
 * A sender holding its kicks back can publish more than 2^16 buffers to a
 * device that keeps up. When the device then sleeps (avail_event at the
 * next index) and five more buffers come, they must be kicked, although
 * the whole window since the last look, 65539, is 3 modulo 2^16: less than
 * the 5 published since the device asked.
 */
static void test_long_kick_window(void)
{
	void *cookies[8];
	struct virtqueue vq;
	uint16_t doorbell;
	uint32_t len;
	int tag;

	vq_init(&vq, 0, 8, ring_mem(8), cookies, true);
	arm_doorbell(&vq, &doorbell);
	struct sim s = { .vq = &vq };
	for (unsigned i = 0; i < 65536 - 2; i++) {
		vq_add(&vq, 0x1000, 60, false, &tag);
		vq_publish_held(&vq);
		sim_consume(&s, 1);
		if (vq_used_count(&vq))
			vq_get_used(&vq, &len);
	}
	*vq.avail_event = vq.avail_idx;		/* the device sleeps: tell me of the next */
	uint64_t before = vq.kicks;
	for (unsigned i = 0; i < 5; i++) {
		vq_add(&vq, 0x1000, 60, false, &tag);
		vq_publish_held(&vq);
	}
	vq_kick(&vq);
	is_u64(vq.kicks - before, 1, "a device asleep after 65534 held buffers is kicked for the next five");
}

/*
 * A device is not trusted: a used index beyond what was made available is
 * refused (its entries are not real), and entries naming a descriptor that
 * is out of range, not a chain head, or not in flight are skipped. Each is
 * a counted device error; nothing it names is dereferenced.
 */
static void test_untrusted_device(void)
{
	void *cookies[16];
	struct virtqueue vq;
	struct sim s = { .vq = &vq };
	uint16_t doorbell;
	int tag[8];
	uint32_t len;

	vq_init(&vq, 0, 16, ring_mem(16), cookies, true);
	arm_doorbell(&vq, &doorbell);
	for (int i = 0; i < 4; i++)
		vq_add(&vq, 0x1000, 60, false, &tag[i]);
	vq_kick(&vq);

	vq.used->idx = (uint16_t)(vq.used_idx + 100);	/* claims 100 of 4 */
	is_u64(vq_used_count(&vq), 0, "used index beyond what was made available: nothing taken");
	is_u64(vq.dev_errors, 1, "and counted once");
	is_u64(vq_used_count(&vq), 0, "still refused on the next poll");
	is_u64(vq.dev_errors, 1, "without counting the same index again");
	is_u64(vq_free_count(&vq), 12, "no descriptor freed on its word");

	vq.used->idx = vq.used_idx;	/* the device comes back to its senses */
	s.used_idx = vq.used_idx;
	is_u64(sim_consume(&s, 2), 2, "device returns two real buffers");
	ok(vq_used_count(&vq) == 2 && vq_get_used(&vq, &len) == &tag[0] &&
	   vq_get_used(&vq, &len) == &tag[1], "and they come back");

	struct vq_seg segs[3] = { { 0x1000, 12, false }, { 0x2000, 100, false }, { 0x3000, 8, true } };
	vq_add_chain(&vq, segs, 3, &tag[4]);
	vq_add(&vq, 0x4000, 60, false, &tag[5]);
	vq_add(&vq, 0x4000, 60, false, &tag[6]);
	vq_kick(&vq);
	uint16_t head = vq.avail->ring[(vq.avail_idx - 3) & vq.mask];
		uint16_t inner = vq.desc[head].next;
	uint64_t errors = vq.dev_errors;
	/* Four lies in a row: out of range, a chain's inner descriptor, a
	 * descriptor already returned, a free one. */
	sim_used_raw_id(&s, 16, 1);
	sim_used_raw_id(&s, inner, 1);
	sim_used_raw_id(&s, vq.avail->ring[0], 1);
	sim_used_raw_id(&s, vq.free_head, 1);
	ok(vq_used_count(&vq) == 4 && !vq_get_used(&vq, &len) && !vq_get_used(&vq, &len) &&
	   !vq_get_used(&vq, &len) && !vq_get_used(&vq, &len),
	   "bad ids: out of range, inner, returned, free: all skipped");
	is_u64(vq.dev_errors - errors, 4, "each counted");
	is_u64(vq_free_count(&vq), 16 - 2 - 3 - 2, "the free list untouched by them");
}

int main(void)
{
	test_basic();
	test_wraparound();
	test_exhaustion_and_chains();
	test_event_idx();
	test_long_kick_window();
	test_untrusted_device();
	while (nrings)
		free(rings[--nrings]);
	return done_testing();
}
