/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fixed-size object pool: n objects of one size, carved from memory the
 * caller hands in, with O(1) get/put from any core and no locks.
 *
 *     core 0 cache    core 1 cache    ...     per-core LIFO stacks: no atomics
 *           \              |          /
 *      shared ring of free object pointers    lock-free MPMC (CAS on head)
 *
 * A get pops from the calling core's cache; when that runs dry it refills
 * from the ring in one batch. A put pushes onto the cache; when the cache
 * would exceed 2 x cache_size it is flushed to the ring in one batch. The
 * common case thus touches only the core's own cache lines, and the ring's
 * atomics are paid about once per cache_size objects. With cache_size 0
 * every operation goes to the ring.
 *
 * The ring follows DPDK's rte_ring: free-running 32-bit head/tail indices,
 * producers and consumers each claim slots with a CAS on their head, copy,
 * then publish by moving their tail once earlier claimants have published.
 * Skiff never preempts a core inside a pool call, so that wait is short.
 *
 * What callers must know:
 *  - The cache is chosen by cpu_id(), so each core must call with its own id
 *    (Skiff never migrates) and code that can interrupt a core must not use
 *    a pool that the interrupted code uses.
 *  - Objects parked in other cores' caches are invisible to this core: a get
 *    can fail while pool_avail() > 0, by at most 2 x cache_size per core.
 *    Size n with that margin.
 *  - An object's content after a get is whatever its last owner left (the
 *    init callback ran on it once, at pool_create). A DEBUG build instead
 *    fills freed objects with POOL_POISON, checks the pattern when the object
 *    is handed out again and re-runs the init callback; it also panics,
 *    naming the pool, on a double put or a pointer that is not one of the
 *    pool's objects. poison_skip spares a header that a double free must
 *    still be able to read (a netbuf's refcount and owner).
 */
#ifndef SKIFF_POOL_H
#define SKIFF_POOL_H

#include <skiff/compiler.h>
#include <skiff/cpu.h>
#include <skiff/errno.h>
#include <skiff/panic.h>
#include <skiff/string.h>

#define POOL_NAME_MAX	32	/* longer names are truncated */
#define POOL_CACHE_MAX	512	/* largest cache_size */
#define POOL_POISON	0x6b	/* DEBUG: fill byte of free objects */

/*
 * Per-core data sits 128 bytes apart, not 64: x86 cores prefetch cache lines
 * in aligned pairs, so two cores writing neighbouring lines still contend.
 */
#define POOL_CORE_ALIGN	(2 * CACHE_LINE)

/* Called once per object by pool_create (idx counts from 0). */
typedef void pool_obj_init_fn(void *obj, unsigned idx, void *arg);

struct pool_params {
	const char *name;	/* for stats and panic messages */
	unsigned n;		/* objects, 1 .. 2^31 */
	size_t size;		/* bytes per object, > 0 */
	size_t align;		/* object alignment, a power of two */
	unsigned cache_size;	/* per-core cache: 0, or up to POOL_CACHE_MAX and n/2 */
	pool_obj_init_fn *init;	/* optional */
	void *init_arg;
	size_t poison_skip;	/* DEBUG: leading bytes left unpoisoned on put */
};

struct pool_stats {
	uint64_t gets;		/* objects handed out */
	uint64_t puts;		/* objects given back */
	uint64_t empty;		/* get calls that failed for lack of objects */
	uint64_t in_use;	/* gets - puts: objects held by callers */
	uint64_t avail;		/* pool_avail() */
};

/*
 * Internals, in the header only so that the fast path can be inlined.
 * A core's cache is written by that core alone; other cores only read len
 * and the counters (pool_stats), which is why those are stored with relaxed
 * atomic stores (plain moves on x86) rather than plain assignments.
 */
struct pool_cache {
	uint32_t len;		/* objects in objs[] */
	uint32_t size;		/* refill target */
	uint32_t cap;		/* flush threshold, 2 x size */
	void **objs;		/* LIFO stack of cap entries */
	uint64_t gets, puts, empty;
} __aligned(POOL_CORE_ALIGN);

struct pool_ring;

struct pool {
	struct pool_cache cache[SKIFF_MAX_CPUS];
	/* Read-only after pool_create. */
	struct pool_ring *ring;
	char *objs_start, *objs_end;
	size_t stride;		/* distance between objects */
	size_t obj_size;
	size_t poison_skip;
	unsigned n;
	pool_obj_init_fn *init;
	void *init_arg;
	uint8_t *state;		/* DEBUG: one byte per object, else NULL */
	char name[POOL_NAME_MAX];
};

/*
 * Bytes of memory pool_create needs for these parameters, alignment slack
 * included, so any address will do. 0 if the parameters are invalid (see
 * struct pool_params). The result depends on the build (DEBUG adds a state
 * byte per object), so always ask rather than hard-code it.
 */
size_t pool_memsize(unsigned n, size_t size, size_t align, unsigned cache_size);

/*
 * Builds a pool in @mem (@memlen bytes, at least pool_memsize()), calls
 * pp->init on each object, and returns the pool, which lives at the start of
 * @mem. The pool keeps @mem for as long as it is used (pools are never
 * destroyed). Returns NULL if the parameters are invalid or @memlen too
 * small. Not thread-safe: create a pool before sharing it.
 */
struct pool *pool_create(const struct pool_params *pp, void *mem, size_t memlen);

/* Slow paths and DEBUG checks of the inline functions below; not API. */
int pool_get_slow(struct pool *p, struct pool_cache *c, void **objs, unsigned n);
void pool_put_slow(struct pool *p, struct pool_cache *c, void *const *objs,
		   unsigned n);
#ifdef SKIFF_DEBUG
void pool_debug_got(struct pool *p, void *const *objs, unsigned n);
void pool_debug_put(struct pool *p, void *const *objs, unsigned n);
#else
static inline void pool_debug_got(struct pool *p, void *const *objs, unsigned n) {}
static inline void pool_debug_put(struct pool *p, void *const *objs, unsigned n) {}
#endif

/*
 * Adds @n to a per-core counter. Only the owning core may call it; other
 * cores read the counter with __atomic_load_n(..., __ATOMIC_RELAXED). It is a
 * plain load, add and store: no locked instruction.
 */
static inline void pool_counter_add(uint64_t *ctr, uint64_t n)
{
	__atomic_store_n(ctr, *ctr + n, __ATOMIC_RELAXED);
}

/* The calling core's cache (see cpu_id()). */
static inline struct pool_cache *pool_my_cache(struct pool *p)
{
	unsigned cpu = cpu_id();

	debug_assert(cpu < SKIFF_MAX_CPUS);
	return &p->cache[cpu];
}

/*
 * Takes @n objects into objs[0..n): all of them and returns 0, or none and
 * returns -ENOBUFS (counted in stats.empty). The caller owns the objects
 * until it puts them back. Safe on any core, concurrently with any other
 * pool call; O(n).
 */
static inline int pool_get_bulk(struct pool *p, void **objs, unsigned n)
{
	struct pool_cache *c = pool_my_cache(p);
	uint32_t len = c->len;

	if (unlikely(n > len)) {
		if (pool_get_slow(p, c, objs, n) != 0)
			return -ENOBUFS;
	} else {
		len -= n;
		memcpy(objs, &c->objs[len], n * sizeof(void *));
		__atomic_store_n(&c->len, len, __ATOMIC_RELAXED);
		pool_counter_add(&c->gets, n);
	}
	pool_debug_got(p, objs, n);
	return 0;
}

/*
 * Gives objs[0..n) back; ownership passes to the pool. Each must have come
 * from a get on this pool (any core) and not been put since: anything else
 * corrupts the pool in a release build and panics in a DEBUG build. Safe on
 * any core, concurrently with any other pool call; O(n).
 */
static inline void pool_put_bulk(struct pool *p, void *const *objs, unsigned n)
{
	struct pool_cache *c = pool_my_cache(p);
	uint32_t len = c->len;

	pool_debug_put(p, objs, n);
	if (unlikely(len + n > c->cap)) {
		pool_put_slow(p, c, objs, n);
		return;
	}
	memcpy(&c->objs[len], objs, n * sizeof(void *));
	__atomic_store_n(&c->len, len + n, __ATOMIC_RELAXED);
	pool_counter_add(&c->puts, n);
}

/* One object, or NULL when none is available. As pool_get_bulk. */
static inline void *pool_get(struct pool *p)
{
	void *obj;

	return pool_get_bulk(p, &obj, 1) == 0 ? obj : NULL;
}

/* Gives @obj back. As pool_put_bulk. */
static inline void pool_put(struct pool *p, void *obj)
{
	pool_put_bulk(p, &obj, 1);
}

/*
 * Free objects: in the ring plus in every core's cache. Exact when no other
 * core is using the pool, a snapshot otherwise. Any core, any time.
 */
unsigned pool_avail(const struct pool *p);

/* Fills @st with the counters summed over all cores; as pool_avail. */
void pool_stats(const struct pool *p, struct pool_stats *st);

/*
 * Returns the calling core's cached objects to the shared ring, so that other
 * cores can get them: for a core that stops using the pool. Any core, for
 * its own cache.
 */
void pool_cache_flush(struct pool *p);

/* The name given at creation (possibly truncated). */
static inline const char *pool_name(const struct pool *p)
{
	return p->name;
}

#endif /* SKIFF_POOL_H */
