/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netbuf pools and the out-of-line netbuf operations (include/skiff/netbuf.h).
 * With ALLOC=pool a netbuf pool wraps an object pool; with ALLOC=heap every
 * netbuf is a heap block and the pool only keeps the counters.
 */
#include <skiff/netbuf.h>
#include <skiff/heap.h>
#include <skiff/string.h>

/* Segments netbuf_free_bulk hands back per pool_put_bulk call. */
#define NETBUF_FREE_BATCH 64

static size_t netbuf_obj_size(unsigned data_room)
{
	return sizeof(struct netbuf) + data_room;
}

/*
 * Both builds accept the same parameters, so that a configuration that runs
 * with ALLOC=heap also runs with ALLOC=pool.
 */
static size_t pool_bytes(unsigned n, unsigned data_room, unsigned cache)
{
	if (data_room < NETBUF_HEADROOM || data_room > UINT16_MAX)
		return 0;
	return pool_memsize(n, netbuf_obj_size(data_room), CACHE_LINE, cache);
}

size_t netbuf_pool_memsize(unsigned n, unsigned data_room, unsigned cache)
{
	size_t bytes = pool_bytes(n, data_room, cache);

	if (bytes == 0)
		return 0;
#ifdef SKIFF_ALLOC_HEAP
	bytes = 0;
#endif
	return _Alignof(struct netbuf_pool) - 1 + sizeof(struct netbuf_pool) + bytes;
}

#ifdef SKIFF_ALLOC_HEAP

static void give_back(struct netbuf_pool *np, struct netbuf **segs, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		netbuf_heap_free(segs[i]);
}

static struct netbuf *heap_take(struct netbuf_pool *np)
{
	struct netbuf *nb = heap_alloc(netbuf_obj_size(np->data_room), CACHE_LINE);

	if (likely(nb != NULL)) {
		nb->pool = np;
		nb->buf_len = np->data_room;
	}
	return nb;
}

struct netbuf *netbuf_heap_alloc(struct netbuf_pool *np)
{
	struct netbuf_pool_core *c = &np->core[cpu_id()];
	struct netbuf *nb = heap_take(np);

	pool_counter_add(nb ? &c->allocs : &c->fails, 1);
	return nb;
}

int netbuf_heap_alloc_bulk(struct netbuf_pool *np, struct netbuf **bufs, unsigned n)
{
	struct netbuf_pool_core *c = &np->core[cpu_id()];

	for (unsigned i = 0; i < n; i++) {
		bufs[i] = heap_take(np);
		if (unlikely(bufs[i] == NULL)) {
			while (i--)
				heap_free(bufs[i]);
			pool_counter_add(&c->fails, 1);
			return -ENOBUFS;
		}
	}
	pool_counter_add(&c->allocs, n);
	return 0;
}

void netbuf_heap_free(struct netbuf *nb)
{
	struct netbuf_pool_core *c = &nb->pool->core[cpu_id()];

	heap_free(nb);
	pool_counter_add(&c->frees, 1);
}

void netbuf_pool_stats(const struct netbuf_pool *np, struct netbuf_pool_stats *st)
{
	memset(st, 0, sizeof(*st));
	for (unsigned cpu = 0; cpu < SKIFF_MAX_CPUS; cpu++) {
		const struct netbuf_pool_core *c = &np->core[cpu];

		st->allocs += __atomic_load_n(&c->allocs, __ATOMIC_RELAXED);
		st->frees += __atomic_load_n(&c->frees, __ATOMIC_RELAXED);
		st->fails += __atomic_load_n(&c->fails, __ATOMIC_RELAXED);
	}
	st->in_use = st->allocs - st->frees;
}

#else /* SKIFF_ALLOC_POOL */

/* Not inlined: netbuf_free_bulk() calls it once per batch, and inlined the
 * pool's put path takes the registers its per-frame loop needs. */
static __noinline void give_back(struct netbuf_pool *np, struct netbuf **segs, unsigned n)
{
	pool_put_bulk(np->pool, (void *const *)segs, n);
}

/* Sets the fields that never change; netbuf_alloc resets the rest. */
static void netbuf_obj_init(void *obj, unsigned idx, void *arg)
{
	struct netbuf_pool *np = arg;
	struct netbuf *nb = obj;

	memset(nb, 0, sizeof(*nb));
	nb->pool = np;
	nb->buf_len = np->data_room;
}

void netbuf_pool_stats(const struct netbuf_pool *np, struct netbuf_pool_stats *st)
{
	struct pool_stats ps;

	pool_stats(np->pool, &ps);
	st->allocs = ps.gets;
	st->frees = ps.puts;
	st->fails = ps.empty;
	st->in_use = ps.in_use;
}

#endif /* SKIFF_ALLOC_HEAP */

struct netbuf_pool *netbuf_pool_create(const char *name, unsigned n,
				       unsigned data_room, unsigned cache,
				       void *mem, size_t memlen)
{
	uintptr_t at = ALIGN_UP((uintptr_t)mem, _Alignof(struct netbuf_pool));
	struct netbuf_pool *np = (struct netbuf_pool *)at;
	size_t head = at - (uintptr_t)mem + sizeof(*np);
	size_t len;

	if (!mem || !name || pool_bytes(n, data_room, cache) == 0 || memlen < head)
		return NULL;
	memset(np, 0, sizeof(*np));
	len = strnlen(name, NETBUF_NAME_MAX - 1);
	memcpy(np->name, name, len);
	np->data_room = (uint16_t)data_room;
#ifndef SKIFF_ALLOC_HEAP
	np->pool = pool_create(&(struct pool_params){
					.name = name,
					.n = n,
					.size = netbuf_obj_size(data_room),
					.align = CACHE_LINE,
					.cache_size = cache,
					.init = netbuf_obj_init,
					.init_arg = np,
					.poison_skip = sizeof(struct netbuf),
				},
				np + 1, memlen - head);
	if (!np->pool)
		return NULL;
#endif
	return np;
}

#ifdef SKIFF_DEBUG
void netbuf_bad_free(const struct netbuf *nb)
{
	panic("netbuf pool %s: free of %p, which has no reference left (double free?)",
	      nb->pool->name, nb);
}
#endif

int netbuf_chain(struct netbuf *head, struct netbuf *tail)
{
	if ((uint32_t)head->nb_segs + tail->nb_segs > UINT16_MAX ||
	    (uint64_t)head->pkt_len + tail->pkt_len > UINT32_MAX)
		return -EOVERFLOW;
	netbuf_last(head)->next = tail;
	head->nb_segs += tail->nb_segs;
	head->pkt_len += tail->pkt_len;
	return 0;
}

void netbuf_free_bulk(struct netbuf *const *bufs, unsigned n)
{
	struct netbuf *batch[NETBUF_FREE_BATCH];
	struct netbuf_pool *np = NULL;
	unsigned k = 0;

	for (unsigned i = 0; i < n; i++) {
		struct netbuf *nb = bufs[i], *next;

		for (; nb; nb = next) {
			next = nb->next;
			if (!netbuf_unref(nb))
				continue;
			if (unlikely(nb->pool != np || k == NETBUF_FREE_BATCH)) {
				if (k)
					give_back(np, batch, k);
				np = nb->pool;
				k = 0;
			}
			batch[k++] = nb;
		}
	}
	if (k)
		give_back(np, batch, k);
}
