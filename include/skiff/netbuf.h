/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netbuf: a packet buffer, and pools of them.
 *
 * One allocation holds the header and the buffer:
 *
 *   +-----------+----------------+------------------+-------------+
 *   | header    |   headroom     |      data        |  tailroom   |
 *   | 64 bytes  | data_off bytes |  data_len bytes  |             |
 *   +-----------+----------------+------------------+-------------+
 *               ^ netbuf_buf()   ^ netbuf_data()                  ^ buf + buf_len
 *
 * A fresh netbuf has NETBUF_HEADROOM bytes of headroom, so protocol headers
 * (and the virtio-net header) can be prepended without moving data. Memory is
 * identity-mapped: a data pointer is also its DMA address.
 *
 * A packet may be a chain of netbufs linked by next; the first (head) holds
 * pkt_len and nb_segs for the whole chain. Every segment has its own
 * reference count: netbuf_ref() takes one more reference on each segment,
 * netbuf_free() drops one on each, and a segment goes back to its pool when
 * its last reference goes. A netbuf with more than one reference is shared
 * and should be treated as read-only.
 *
 * Buffers come from a netbuf pool. With ALLOC=pool (SKIFF_ALLOC_POOL, the
 * default) that is a lock-free object pool with per-core caches; with
 * ALLOC=heap (SKIFF_ALLOC_HEAP) every alloc and free goes to the general heap
 * instead, the baseline the bench compares against. The API is the same.
 *
 * Thread safety: pools and reference counts are safe on any core. A netbuf's
 * other fields belong to whoever holds it: the functions that change them
 * must not run concurrently on the same netbuf.
 */
#ifndef SKIFF_NETBUF_H
#define SKIFF_NETBUF_H

#include <skiff/compiler.h>
#include <skiff/errno.h>
#include <skiff/panic.h>
#include <skiff/pool.h>

#define NETBUF_HEADROOM	128	/* headroom of a fresh netbuf */
#define NETBUF_NAME_MAX	POOL_NAME_MAX

struct netbuf_pool;

struct netbuf {
	struct netbuf *next;		/* next segment, NULL at the end */
	struct netbuf_pool *pool;	/* owner; set once */
	uint64_t udata;			/* free for the driver or NF; 0 after alloc */
	uint32_t pkt_len;		/* bytes in the whole chain (head only) */
	uint16_t data_off;		/* headroom: data starts here in the buffer */
	uint16_t data_len;		/* bytes of data in this segment */
	uint16_t buf_len;		/* buffer bytes after the header; set once */
	uint16_t refcnt;		/* use netbuf_refcnt() to read it */
	uint16_t nb_segs;		/* segments in the chain (head only) */
	uint16_t port;			/* RX: port it came from */
	uint16_t queue;			/* RX: queue it came from */
	uint16_t flags;			/* driver/NF defined; 0 after alloc */
} __cache_aligned;

STATIC_ASSERT(sizeof(struct netbuf) == CACHE_LINE, "netbuf header is one cache line");

struct netbuf_pool_stats {
	uint64_t allocs;	/* netbufs handed out */
	uint64_t frees;		/* netbufs given back */
	uint64_t fails;		/* alloc calls that found nothing */
	uint64_t in_use;	/* allocs - frees */
};

/* Internals, in the header only so that alloc and free can be inlined. */
struct netbuf_pool {
#ifdef SKIFF_ALLOC_HEAP
	struct netbuf_pool_core {
		uint64_t allocs, frees, fails;
	} core[SKIFF_MAX_CPUS] __aligned(POOL_CORE_ALIGN);
#else
	struct pool *pool;
#endif
	uint16_t data_room;
	char name[NETBUF_NAME_MAX];
};

/* ------------------------------------------------------------- pools */

/*
 * Bytes of memory netbuf_pool_create needs for @n netbufs of @data_room
 * buffer bytes each (NETBUF_HEADROOM .. 65535; 2048 - 64 makes 2 KiB
 * objects) and a per-core cache of @cache (see struct pool_params), or 0 if
 * these are invalid. With ALLOC=heap the netbufs come from the heap, so only
 * the pool's own structure is counted.
 */
size_t netbuf_pool_memsize(unsigned n, unsigned data_room, unsigned cache);

/*
 * Creates a pool of @n netbufs in @mem (@memlen bytes, at least
 * netbuf_pool_memsize(); any alignment), named @name in stats and panic
 * messages. Returns NULL if the parameters are invalid or @memlen is too
 * small. With ALLOC=heap, @n and @cache are only checked: buffers come from
 * the heap (heap_init must have run) and are limited by its size. Not
 * thread-safe: create pools before sharing them.
 */
struct netbuf_pool *netbuf_pool_create(const char *name, unsigned n,
				       unsigned data_room, unsigned cache,
				       void *mem, size_t memlen);

/* Counters summed over all cores; a snapshot while other cores run. */
void netbuf_pool_stats(const struct netbuf_pool *np, struct netbuf_pool_stats *st);

/* The name given at creation (possibly truncated). */
static inline const char *netbuf_pool_name(const struct netbuf_pool *np)
{
	return np->name;
}

/* Buffer bytes of each netbuf of @np (its buf_len). */
static inline unsigned netbuf_pool_data_room(const struct netbuf_pool *np)
{
	return np->data_room;
}

#ifdef SKIFF_ALLOC_HEAP
/* The heap side of the inline functions below; not API. */
struct netbuf *netbuf_heap_alloc(struct netbuf_pool *np);
int netbuf_heap_alloc_bulk(struct netbuf_pool *np, struct netbuf **bufs, unsigned n);
void netbuf_heap_free(struct netbuf *nb);
#endif
#ifdef SKIFF_DEBUG
/* DEBUG: panics about a free of @nb, which has no reference left; not API. */
__noreturn void netbuf_bad_free(const struct netbuf *nb);
#endif

/* ------------------------------------------------------------- accessors */

/* Start of the buffer (the headroom), right after the header. */
static inline void *netbuf_buf(struct netbuf *nb)
{
	return nb + 1;
}

/* First data byte of this segment. */
static inline void *netbuf_data(struct netbuf *nb)
{
	return (char *)(nb + 1) + nb->data_off;
}

/* Bytes free in front of the data: what netbuf_prepend can take. */
static inline unsigned netbuf_headroom(const struct netbuf *nb)
{
	return nb->data_off;
}

/* Bytes free after the data: what netbuf_append can take. */
static inline unsigned netbuf_tailroom(const struct netbuf *nb)
{
	return (unsigned)nb->buf_len - nb->data_off - nb->data_len;
}

/* Last segment of the chain @nb heads (@nb itself if it has no next). */
static inline struct netbuf *netbuf_last(struct netbuf *nb)
{
	while (nb->next)
		nb = nb->next;
	return nb;
}

/* References to @nb (this segment). */
static inline unsigned netbuf_refcnt(const struct netbuf *nb)
{
	return __atomic_load_n(&nb->refcnt, __ATOMIC_RELAXED);
}

/*
 * Empties a netbuf the caller holds: NETBUF_HEADROOM of headroom, no data,
 * a single segment, port/queue/flags/udata 0. Segments chained after @nb are
 * forgotten, not freed. Leaves the reference count alone.
 */
static inline void netbuf_reset(struct netbuf *nb)
{
	nb->next = NULL;
	nb->udata = 0;
	nb->pkt_len = 0;
	nb->data_off = NETBUF_HEADROOM;
	nb->data_len = 0;
	nb->nb_segs = 1;
	nb->port = 0;
	nb->queue = 0;
	nb->flags = 0;
}

/* ------------------------------------------------------------- data */

/*
 * Grows the data of head @nb by @len bytes at the front, into the headroom.
 * Returns the new data start, or NULL (nothing changed) if the headroom is
 * smaller than @len.
 */
static inline void *netbuf_prepend(struct netbuf *nb, unsigned len)
{
	if (unlikely(len > nb->data_off))
		return NULL;
	nb->data_off -= len;
	nb->data_len += len;
	nb->pkt_len += len;
	return netbuf_data(nb);
}

/*
 * Grows the packet headed by @nb by @len bytes at the end of its last
 * segment. Returns where the new bytes go, or NULL (nothing changed) if
 * that segment's tailroom is smaller than @len.
 */
static inline void *netbuf_append(struct netbuf *nb, unsigned len)
{
	struct netbuf *last = netbuf_last(nb);
	char *tail;

	if (unlikely(len > netbuf_tailroom(last)))
		return NULL;
	tail = (char *)netbuf_data(last) + last->data_len;
	last->data_len += len;
	nb->pkt_len += len;
	return tail;
}

/*
 * Removes @len bytes from the front of head @nb (they become headroom).
 * Returns 0, or -EINVAL (nothing changed) if the segment holds fewer.
 */
static inline int netbuf_adj(struct netbuf *nb, unsigned len)
{
	if (unlikely(len > nb->data_len))
		return -EINVAL;
	nb->data_off += len;
	nb->data_len -= len;
	nb->pkt_len -= len;
	return 0;
}

/*
 * Removes @len bytes from the end of the packet headed by @nb (from its last
 * segment). Returns 0, or -EINVAL (nothing changed) if that segment holds
 * fewer.
 */
static inline int netbuf_trim(struct netbuf *nb, unsigned len)
{
	struct netbuf *last = netbuf_last(nb);

	if (unlikely(len > last->data_len))
		return -EINVAL;
	last->data_len -= len;
	nb->pkt_len -= len;
	return 0;
}

/*
 * Appends the chain headed by @tail to the chain headed by @head; @head's
 * pkt_len and nb_segs then cover both, and @tail is no longer a head.
 * Returns 0, or -EOVERFLOW (nothing changed) if either total would not fit
 * its field. O(segments of head).
 */
int netbuf_chain(struct netbuf *head, struct netbuf *tail);

/* ------------------------------------------------------------- alloc/free */

/*
 * Takes one netbuf from @np, reset (netbuf_reset) with one reference, or
 * returns NULL if the pool is empty (counted in stats.fails). The caller
 * owns it. Any core.
 */
static inline struct netbuf *netbuf_alloc(struct netbuf_pool *np)
{
#ifdef SKIFF_ALLOC_HEAP
	struct netbuf *nb = netbuf_heap_alloc(np);
#else
	struct netbuf *nb = pool_get(np->pool);
#endif
	if (likely(nb != NULL)) {
		netbuf_reset(nb);
		nb->refcnt = 1;
	}
	return nb;
}

/*
 * Takes @n netbufs into bufs[0..n), each as from netbuf_alloc: all of them
 * and returns 0, or none and returns -ENOBUFS. Any core.
 */
static inline int netbuf_alloc_bulk(struct netbuf_pool *np, struct netbuf **bufs,
				    unsigned n)
{
#ifdef SKIFF_ALLOC_HEAP
	if (unlikely(netbuf_heap_alloc_bulk(np, bufs, n) != 0))
		return -ENOBUFS;
#else
	if (unlikely(pool_get_bulk(np->pool, (void **)bufs, n) != 0))
		return -ENOBUFS;
#endif
	for (unsigned i = 0; i < n; i++) {
		netbuf_reset(bufs[i]);
		bufs[i]->refcnt = 1;
	}
	return 0;
}

/*
 * Adds one reference to every segment of @nb, e.g. to keep a packet for
 * retransmission while the driver sends it. Each holder frees it once.
 */
static inline void netbuf_ref(struct netbuf *nb)
{
	for (; nb; nb = nb->next) {
		debug_assert(netbuf_refcnt(nb) >= 1 && netbuf_refcnt(nb) < UINT16_MAX);
		__atomic_add_fetch(&nb->refcnt, 1, __ATOMIC_RELAXED);
	}
}

/*
 * Drops one reference to segment @nb; true if it was the last, and @nb must
 * go back to its pool. A DEBUG build zeroes the count of a released netbuf
 * and panics, naming the pool, when it finds a zero count (a double free). A count of 1 means the caller is the only holder, so
 * nobody can change it concurrently: the common case needs no atomic
 * read-modify-write (DPDK's rte_pktmbuf_prefree_seg does the same). Acquire
 * and acq_rel order the other holders' last reads of the buffer before its
 * reuse.
 */
static inline bool netbuf_unref(struct netbuf *nb)
{
	uint16_t refcnt = __atomic_load_n(&nb->refcnt, __ATOMIC_ACQUIRE);

	if (likely(refcnt == 1)) {
#ifdef SKIFF_DEBUG
		/* So that freeing it again finds 0 below. */
		__atomic_store_n(&nb->refcnt, 0, __ATOMIC_RELAXED);
#endif
		return true;
	}
#ifdef SKIFF_DEBUG
	if (refcnt == 0)
		netbuf_bad_free(nb);
#endif
	return __atomic_sub_fetch(&nb->refcnt, 1, __ATOMIC_ACQ_REL) == 0;
}

/*
 * Drops one reference to each segment of @nb (NULL is ignored); segments
 * whose last reference goes return to their pools. The caller must not use
 * @nb afterwards. Any core.
 */
static inline void netbuf_free(struct netbuf *nb)
{
	while (nb) {
		struct netbuf *next = nb->next;

		if (netbuf_unref(nb)) {
#ifdef SKIFF_ALLOC_HEAP
			netbuf_heap_free(nb);
#else
			pool_put(nb->pool->pool, nb);
#endif
		}
		nb = next;
	}
}

/*
 * netbuf_free() on bufs[0..n) (NULL entries are skipped), returning the
 * released segments to their pools in batches rather than one by one: the
 * TX completion path. Any core.
 */
void netbuf_free_bulk(struct netbuf *const *bufs, unsigned n);

#endif /* SKIFF_NETBUF_H */
