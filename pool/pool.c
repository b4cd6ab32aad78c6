/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fixed-size object pool: creation, the shared ring, cache refill/flush and
 * the DEBUG checks. The per-core fast path is inline in include/skiff/pool.h,
 * which also describes the design.
 */
#include <skiff/pool.h>
#include <skiff/string.h>

/*
 * Producers or consumers: head is the next index to claim, tail the end of
 * what has been published to the other side. Indices run freely and wrap at
 * 2^32; a slot is index & mask.
 */
struct ring_headtail {
	uint32_t head;
	uint32_t tail;
};

struct pool_ring {
	uint32_t mask;
	uint32_t capacity;	/* = the pool's n: one more put is a bug */
	struct ring_headtail prod __aligned(POOL_CORE_ALIGN);
	struct ring_headtail cons __aligned(POOL_CORE_ALIGN);
	void *slots[] __aligned(POOL_CORE_ALIGN);
};

/*
 * Claims up to @n entries on side @d, bounded by the other side's tail @s
 * (capacity is 0 for consumers, whose bound is what producers published).
 * With @exact, claims all @n or nothing. Returns the count, and the first
 * claimed index in @first.
 *
 * Acquire on s->tail pairs with the other side's publish, so their slot
 * accesses are complete before we touch the slots. The CAS releases and
 * acquires d->head so that a core reading a head also sees an s->tail at
 * least as new as the one its mover saw (else capacity + tail - head could
 * wrap on weakly ordered CPUs; DPDK fixed the same bug).
 */
static unsigned ring_claim(struct ring_headtail *d, const struct ring_headtail *s,
			   uint32_t capacity, unsigned n, bool exact,
			   uint32_t *first)
{
	uint32_t head = __atomic_load_n(&d->head, __ATOMIC_ACQUIRE);
	unsigned got;

	do {
		uint32_t avail = capacity + __atomic_load_n(&s->tail, __ATOMIC_ACQUIRE) - head;

		got = n;
		if (unlikely(got > avail))
			got = exact ? 0 : avail;
		if (got == 0)
			break;
	} while (unlikely(!__atomic_compare_exchange_n(&d->head, &head, head + got,
							false, __ATOMIC_RELEASE,
							__ATOMIC_ACQUIRE)));
	*first = head;
	return got;
}

/*
 * Publishes [first, first + n) once every earlier claim on this side has been
 * published. The acquire load makes the earlier claimant's slot accesses
 * part of what our release store hands to the other side.
 */
static void ring_publish(struct ring_headtail *ht, uint32_t first, unsigned n)
{
	while (__atomic_load_n(&ht->tail, __ATOMIC_ACQUIRE) != first)
		cpu_relax();
	__atomic_store_n(&ht->tail, first + n, __ATOMIC_RELEASE);
}

/* Slot copies in at most two runs, split where the index wraps. */
static void ring_copy_in(struct pool_ring *r, uint32_t first, void *const *objs,
			 unsigned n)
{
	uint32_t i = first & r->mask;
	unsigned run = MIN(n, r->mask + 1 - i);

	memcpy(&r->slots[i], objs, run * sizeof(void *));
	memcpy(&r->slots[0], objs + run, (n - run) * sizeof(void *));
}

static void ring_copy_out(const struct pool_ring *r, uint32_t first, void **objs,
			  unsigned n)
{
	uint32_t i = first & r->mask;
	unsigned run = MIN(n, r->mask + 1 - i);

	memcpy(objs, &r->slots[i], run * sizeof(void *));
	memcpy(objs + run, &r->slots[0], (n - run) * sizeof(void *));
}

/* Puts all @n objects in the ring; the ring holds all n, so it cannot fill. */
static void ring_put(struct pool *p, void *const *objs, unsigned n)
{
	struct pool_ring *r = p->ring;
	uint32_t first;

	if (unlikely(ring_claim(&r->prod, &r->cons, r->capacity, n, true, &first) != n))
		panic("pool %s: more objects put than it has (double put or foreign object)",
		      p->name);
	ring_copy_in(r, first, objs, n);
	ring_publish(&r->prod, first, n);
}

/* Takes @n objects (or as many as there are, unless @exact); returns the count. */
static unsigned ring_get(struct pool *p, void **objs, unsigned n, bool exact)
{
	struct pool_ring *r = p->ring;
	uint32_t first;

	n = ring_claim(&r->cons, &r->prod, 0, n, exact, &first);
	if (n == 0)
		return 0;
	ring_copy_out(r, first, objs, n);
	ring_publish(&r->cons, first, n);
	return n;
}

/*
 * Cache miss (n > len). A request the cache can serve is served from it after
 * a refill that leaves it at its refill target; larger ones (and all requests
 * when there is no cache) go to the ring directly. A refill takes what the
 * ring has: if that is still not enough the request fails, and the objects
 * stay in this core's cache for the next get.
 */
int pool_get_slow(struct pool *p, struct pool_cache *c, void **objs, unsigned n)
{
	if (n <= c->size) {
		uint32_t len = c->len;
		bool served;

		len += ring_get(p, c->objs + len, c->size + n - len, false);
		served = len >= n;
		if (served) {
			len -= n;
			memcpy(objs, &c->objs[len], n * sizeof(void *));
			pool_counter_add(&c->gets, n);
		}
		__atomic_store_n(&c->len, len, __ATOMIC_RELAXED);
		if (served)
			return 0;
	} else if (ring_get(p, objs, n, true) == n) {
		pool_counter_add(&c->gets, n);
		return 0;
	}
	pool_counter_add(&c->empty, 1);
	return -ENOBUFS;
}

/*
 * Cache overflow (len + n > cap). Flushing the whole cache and keeping the
 * new objects keeps the most recently used (cache-warm) ones on this core and
 * makes the next flush cap - n puts away. Puts bigger than the cache go to
 * the ring directly.
 */
void pool_put_slow(struct pool *p, struct pool_cache *c, void *const *objs,
		   unsigned n)
{
	if (n <= c->cap) {
		ring_put(p, c->objs, c->len);
		memcpy(c->objs, objs, n * sizeof(void *));
		__atomic_store_n(&c->len, n, __ATOMIC_RELAXED);
	} else {
		ring_put(p, objs, n);
	}
	pool_counter_add(&c->puts, n);
}

/* ------------------------------------------------------------- creation */

/* Where each part of a pool goes, as offsets from a 128-byte aligned base. */
struct pool_layout {
	size_t ring;
	size_t caches;		/* SKIFF_MAX_CPUS stacks, cache_stride apart */
	size_t cache_stride;
	size_t state;		/* DEBUG only */
	size_t objs;
	size_t stride;
	size_t obj_align;
	size_t end;
};

#ifdef SKIFF_DEBUG
#define POOL_STATE_BYTES(n) ((size_t)(n))
#else
#define POOL_STATE_BYTES(n) 0
#endif

static uint32_t pow2_ceil(uint32_t x)
{
	return x <= 1 ? 1 : (uint32_t)1 << (32 - __builtin_clz(x - 1));
}

/* false if the parameters are invalid. @base is where the pool will start. */
static bool pool_layout(uintptr_t base, unsigned n, size_t size, size_t align,
			unsigned cache_size, struct pool_layout *l)
{
	size_t off;

	if (n == 0 || n > (1u << 31) || size == 0 || !IS_POW2(align) ||
	    cache_size > POOL_CACHE_MAX || 2 * cache_size > n)
		return false;
	l->stride = ALIGN_UP(size, align);
	if (l->stride < size || l->stride > SIZE_MAX / 2 / n)
		return false;
	l->obj_align = MAX(align, (size_t)CACHE_LINE);

	off = ALIGN_UP(sizeof(struct pool), POOL_CORE_ALIGN);
	l->ring = off;
	off += sizeof(struct pool_ring) + pow2_ceil(n) * sizeof(void *);
	l->caches = off = ALIGN_UP(off, POOL_CORE_ALIGN);
	l->cache_stride = ALIGN_UP(2 * cache_size * sizeof(void *), POOL_CORE_ALIGN);
	off += SKIFF_MAX_CPUS * l->cache_stride;
	l->state = off;
	off += POOL_STATE_BYTES(n);
	l->objs = ALIGN_UP(base + off, l->obj_align) - base;
	l->end = l->objs + n * l->stride;
	return true;
}

size_t pool_memsize(unsigned n, size_t size, size_t align, unsigned cache_size)
{
	struct pool_layout l;

	if (!pool_layout(0, n, size, align, cache_size, &l))
		return 0;
	/* Slack for aligning an arbitrary @mem: to 128 for the pool, then
	 * (for larger alignments) further for the objects. */
	return l.end + POOL_CORE_ALIGN - 1 +
	       (l.obj_align > POOL_CORE_ALIGN ? l.obj_align - POOL_CORE_ALIGN : 0);
}

static void copy_name(char *dst, const char *src)
{
	size_t i = 0;

	for (; src && src[i] && i < POOL_NAME_MAX - 1; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

struct pool *pool_create(const struct pool_params *pp, void *mem, size_t memlen)
{
	uintptr_t base = ALIGN_UP((uintptr_t)mem, POOL_CORE_ALIGN);
	struct pool_layout l;
	struct pool_ring *r;
	struct pool *p;

	if (!mem || !pool_layout(base, pp->n, pp->size, pp->align, pp->cache_size, &l) ||
	    base - (uintptr_t)mem + l.end > memlen)
		return NULL;

	p = (struct pool *)base;
	memset(p, 0, sizeof(*p));
	copy_name(p->name, pp->name);
	p->stride = l.stride;
	p->obj_size = pp->size;
	p->poison_skip = MIN(pp->poison_skip, pp->size);
	p->n = pp->n;
	p->init = pp->init;
	p->init_arg = pp->init_arg;
	p->objs_start = (char *)base + l.objs;
	p->objs_end = (char *)base + l.end;
	if (POOL_STATE_BYTES(1))
		p->state = memset((char *)base + l.state, 0, POOL_STATE_BYTES(pp->n));

	for (unsigned cpu = 0; cpu < SKIFF_MAX_CPUS; cpu++) {
		struct pool_cache *c = &p->cache[cpu];

		c->size = pp->cache_size;
		c->cap = 2 * pp->cache_size;
		c->objs = (void **)((char *)base + l.caches + cpu * l.cache_stride);
	}

	r = (struct pool_ring *)((char *)base + l.ring);
	memset(r, 0, sizeof(*r));
	r->mask = pow2_ceil(pp->n) - 1;
	r->capacity = pp->n;
	for (unsigned i = 0; i < pp->n; i++) {
		void *obj = p->objs_start + i * l.stride;

		if (pp->init)
			pp->init(obj, i, pp->init_arg);
		r->slots[i] = obj;
	}
	r->prod.head = r->prod.tail = pp->n;
	p->ring = r;
	return p;
}

void pool_cache_flush(struct pool *p)
{
	struct pool_cache *c = pool_my_cache(p);

	if (c->len == 0)
		return;
	ring_put(p, c->objs, c->len);
	__atomic_store_n(&c->len, 0, __ATOMIC_RELAXED);
}

/* ---------------------------------------------------------------- stats */

unsigned pool_avail(const struct pool *p)
{
	const struct pool_ring *r = p->ring;
	/* cons.tail first: prod.tail can only have grown past it since. */
	uint32_t cons = __atomic_load_n(&r->cons.tail, __ATOMIC_RELAXED);
	uint32_t prod = __atomic_load_n(&r->prod.tail, __ATOMIC_RELAXED);
	unsigned avail = prod - cons;

	for (unsigned cpu = 0; cpu < SKIFF_MAX_CPUS; cpu++)
		avail += __atomic_load_n(&p->cache[cpu].len, __ATOMIC_RELAXED);
	return MIN(avail, p->n);
}

void pool_stats(const struct pool *p, struct pool_stats *st)
{
	memset(st, 0, sizeof(*st));
	for (unsigned cpu = 0; cpu < SKIFF_MAX_CPUS; cpu++) {
		const struct pool_cache *c = &p->cache[cpu];

		st->gets += __atomic_load_n(&c->gets, __ATOMIC_RELAXED);
		st->puts += __atomic_load_n(&c->puts, __ATOMIC_RELAXED);
		st->empty += __atomic_load_n(&c->empty, __ATOMIC_RELAXED);
	}
	st->in_use = st->gets - st->puts;
	st->avail = pool_avail(p);
}

/* ---------------------------------------------------------------- DEBUG */
#ifdef SKIFF_DEBUG

enum obj_state {
	OBJ_FREE,		/* initialised, never handed out or re-initialised */
	OBJ_IN_USE,
	OBJ_POISONED,		/* put back and filled with POOL_POISON */
};

/* Index of @obj, or a panic naming the pool if it is not one of its objects. */
static size_t obj_index(const struct pool *p, const void *obj, const char *op)
{
	uintptr_t a = (uintptr_t)obj, start = (uintptr_t)p->objs_start;

	if (a < start || a >= (uintptr_t)p->objs_end || (a - start) % p->stride)
		panic("pool %s: %s of foreign pointer %p (not an object of this pool)",
		      p->name, op, obj);
	return (a - start) / p->stride;
}

void pool_debug_put(struct pool *p, void *const *objs, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		size_t idx = obj_index(p, objs[i], "put");

		if (__atomic_exchange_n(&p->state[idx], OBJ_POISONED,
					__ATOMIC_ACQ_REL) != OBJ_IN_USE)
			panic("pool %s: double put of %p", p->name, objs[i]);
		memset((char *)objs[i] + p->poison_skip, POOL_POISON,
		       p->obj_size - p->poison_skip);
	}
}

void pool_debug_got(struct pool *p, void *const *objs, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		const unsigned char *b = objs[i];
		size_t idx = obj_index(p, b, "get");
		uint8_t was = __atomic_exchange_n(&p->state[idx], OBJ_IN_USE,
						  __ATOMIC_ACQ_REL);

		if (was == OBJ_IN_USE)
			panic("pool %s: %p handed out twice", p->name, b);
		if (was != OBJ_POISONED)
			continue;
		for (size_t off = p->poison_skip; off < p->obj_size; off++)
			if (b[off] != POOL_POISON)
				panic("pool %s: %p written after put (byte %zu is %#x)",
				      p->name, b, off, b[off]);
		if (p->init)
			p->init(objs[i], (unsigned)idx, p->init_arg);
	}
}

#endif /* SKIFF_DEBUG */
