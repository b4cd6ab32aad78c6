/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netbufs and netbuf pools. test_netbuf_heap.c builds this same file with
 * -DSKIFF_ALLOC_HEAP, so every test here runs against both back ends.
 */
#include <stdlib.h>
#include <unistd.h>
#include <skiff/heap.h>
#include <skiff/netbuf.h>
#include "tap.h"

#ifdef SKIFF_ALLOC_HEAP
#define MODE "heap"
#else
#define MODE "pool"
#endif

#define ROOM	(2048 - 64)
#define N	64

static void *mems[8];
static unsigned nmems;

static struct netbuf_pool *make(const char *name, unsigned n, unsigned room,
				unsigned cache)
{
	size_t len = netbuf_pool_memsize(n, room, cache);
	void *mem = malloc(len);

	mems[nmems++] = mem;
	return netbuf_pool_create(name, n, room, cache, mem, len);
}

static uint64_t in_use(const struct netbuf_pool *np)
{
	struct netbuf_pool_stats st;

	netbuf_pool_stats(np, &st);
	return st.in_use;
}

static void test_params(void)
{
	char mem[4096];

	ok(netbuf_pool_memsize(N, NETBUF_HEADROOM - 1, 0) == 0, "params: room below the headroom");
	ok(netbuf_pool_memsize(N, 65536, 0) == 0, "params: room above 65535");
	ok(netbuf_pool_memsize(0, ROOM, 0) == 0, "params: no buffers");
	ok(netbuf_pool_memsize(N, ROOM, N) == 0, "params: cache too big for n");
	ok(netbuf_pool_memsize(N, ROOM, 8) > 0, "params: valid");
	ok(netbuf_pool_create("x", N, ROOM, 8, mem, 16) == NULL, "params: memory too small");
	ok(netbuf_pool_create(NULL, N, ROOM, 8, mem, sizeof(mem)) == NULL, "params: no name");
	ok(netbuf_pool_create("x", N, 64, 8, mem, sizeof(mem)) == NULL, "params: room too small");
}

static void test_fresh(struct netbuf_pool *np)
{
	struct netbuf *nb = netbuf_alloc(np);

	ok(nb != NULL, MODE ": alloc");
	is_str(netbuf_pool_name(np), "nbtest", MODE ": pool name");
	is_u64(netbuf_pool_data_room(np), ROOM, MODE ": data room");
	is_u64((uintptr_t)nb % 64, 0, MODE ": header is cache-line aligned");
	ok(nb->pool == np, MODE ": owner set");
	is_u64(nb->buf_len, ROOM, MODE ": buf_len");
	is_u64(netbuf_refcnt(nb), 1, MODE ": one reference");
	is_u64(nb->nb_segs, 1, MODE ": one segment");
	ok(nb->next == NULL, MODE ": no next");
	is_u64(nb->data_len, 0, MODE ": empty");
	is_u64(nb->pkt_len, 0, MODE ": pkt_len 0");
	is_u64(netbuf_headroom(nb), NETBUF_HEADROOM, MODE ": headroom");
	is_u64(netbuf_tailroom(nb), ROOM - NETBUF_HEADROOM, MODE ": tailroom");
	ok(netbuf_buf(nb) == (char *)nb + 64, MODE ": buffer right after the header");
	ok(netbuf_data(nb) == (char *)nb + 64 + NETBUF_HEADROOM, MODE ": data after the headroom");
	is_u64(in_use(np), 1, MODE ": counted in use");

	/* Whatever the last holder left, the next alloc starts clean. */
	nb->udata = 7;
	nb->port = 3;
	nb->queue = 2;
	nb->flags = 1;
	netbuf_append(nb, 100);
	netbuf_free(nb);
	is_u64(in_use(np), 0, MODE ": free gives it back");
	nb = netbuf_alloc(np);
	ok(nb->udata == 0 && nb->port == 0 && nb->queue == 0 && nb->flags == 0 &&
	   nb->data_len == 0 && nb->pkt_len == 0 && netbuf_headroom(nb) == NETBUF_HEADROOM,
	   MODE ": reused netbuf is reset");
	netbuf_free(nb);
}

static void test_bounds(struct netbuf_pool *np)
{
	struct netbuf *x = netbuf_alloc(np), *y = netbuf_alloc(np);
	/* The lower one, so the 64 bytes after its buffer are in the pool. */
	struct netbuf *nb = x < y ? x : y;
	char *after = (char *)netbuf_buf(nb) + ROOM, saved[64];
	unsigned tail = netbuf_tailroom(nb);
	char *p, *data = netbuf_data(nb);

	memcpy(saved, after, sizeof(saved));
	ok(netbuf_prepend(nb, NETBUF_HEADROOM + 1) == NULL, MODE ": prepend beyond the headroom fails");
	ok(netbuf_data(nb) == data && nb->data_len == 0 && nb->pkt_len == 0,
	   MODE ": and changes nothing");
	ok(netbuf_append(nb, tail + 1) == NULL, MODE ": append beyond the tailroom fails");
	ok(nb->data_len == 0 && netbuf_tailroom(nb) == tail, MODE ": and changes nothing");

	p = netbuf_append(nb, tail);
	ok(p == data, MODE ": append returns the old end");
	memset(p, 0xee, tail);
	is_u64(netbuf_tailroom(nb), 0, MODE ": tailroom used up");
	p = netbuf_prepend(nb, NETBUF_HEADROOM);
	ok(p == netbuf_buf(nb), MODE ": prepend of the whole headroom");
	memset(p, 0xdd, NETBUF_HEADROOM);
	is_u64(nb->data_len, ROOM, MODE ": data fills the buffer");
	is_u64(nb->pkt_len, ROOM, MODE ": pkt_len follows");
	ok(netbuf_prepend(nb, 1) == NULL && netbuf_append(nb, 1) == NULL, MODE ": full buffer grows no more");
	ok(memcmp(saved, after, sizeof(saved)) == 0, MODE ": the bytes after the buffer are untouched");

	ok(netbuf_adj(nb, ROOM + 1) == -EINVAL, MODE ": adj beyond the data fails");
	ok(netbuf_trim(nb, ROOM + 1) == -EINVAL, MODE ": trim beyond the data fails");
	is_u64(nb->data_len, ROOM, MODE ": and change nothing");
	ok(netbuf_adj(nb, 14) == 0, MODE ": adj");
	is_u64(netbuf_headroom(nb), 14, MODE ": adj makes headroom");
	ok(*(unsigned char *)netbuf_data(nb) == 0xdd, MODE ": data start moved");
	ok(netbuf_trim(nb, 4) == 0, MODE ": trim");
	is_u64(nb->data_len, ROOM - 18, MODE ": data_len after adj and trim");
	is_u64(nb->pkt_len, ROOM - 18, MODE ": pkt_len after adj and trim");
	is_u64(netbuf_tailroom(nb), 4, MODE ": trim makes tailroom");

	netbuf_reset(nb);
	ok(nb->data_len == 0 && netbuf_headroom(nb) == NETBUF_HEADROOM &&
	   netbuf_tailroom(nb) == ROOM - NETBUF_HEADROOM, MODE ": reset");
	netbuf_free(x);
	netbuf_free(y);
}

static void test_chain(struct netbuf_pool *np)
{
	struct netbuf *a = netbuf_alloc(np), *b = netbuf_alloc(np), *c = netbuf_alloc(np);
	struct netbuf *d = netbuf_alloc(np);
	char *p;

	netbuf_append(a, 100);
	netbuf_append(b, 200);
	netbuf_append(c, 300);
	ok(netbuf_chain(a, b) == 0, MODE ": chain a+b");
	ok(netbuf_chain(a, c) == 0, MODE ": chain +c");
	is_u64(a->pkt_len, 600, MODE ": pkt_len covers the chain");
	is_u64(a->nb_segs, 3, MODE ": nb_segs covers the chain");
	ok(a->next == b && b->next == c && c->next == NULL, MODE ": links in order");
	ok(netbuf_last(a) == c, MODE ": last segment");

	p = netbuf_append(a, 10);
	ok(p == (char *)netbuf_data(c) + 300, MODE ": append goes to the last segment");
	ok(c->data_len == 310 && a->pkt_len == 610 && a->data_len == 100,
	   MODE ": append updates the segment and the head");
	ok(netbuf_trim(a, 311) == -EINVAL, MODE ": trim cannot cross segments");
	ok(netbuf_trim(a, 310) == 0 && c->data_len == 0 && a->pkt_len == 300,
	   MODE ": trim takes from the last segment");

	netbuf_append(d, 20);
	a->pkt_len = UINT32_MAX - 10;
	ok(netbuf_chain(a, d) == -EOVERFLOW, MODE ": chain overflowing pkt_len fails");
	ok(a->nb_segs == 3 && c->next == NULL, MODE ": and changes nothing");
	a->pkt_len = 300;
	ok(netbuf_chain(a, d) == 0 && a->pkt_len == 320 && a->nb_segs == 4, MODE ": chain d");
	is_u64(in_use(np), 4, MODE ": four segments in use");
	netbuf_free(a);
	is_u64(in_use(np), 0, MODE ": freeing the head frees the chain");
}

static void test_refcnt(struct netbuf_pool *np)
{
	struct netbuf *a = netbuf_alloc(np), *b = netbuf_alloc(np), *c;

	netbuf_ref(a);
	is_u64(netbuf_refcnt(a), 2, MODE ": ref adds one");
	netbuf_free(a);
	is_u64(in_use(np), 2, MODE ": first free keeps it");
	is_u64(netbuf_refcnt(a), 1, MODE ": one reference left");
	netbuf_free(a);
	is_u64(in_use(np), 1, MODE ": last free returns it");

	/* Chains: a ref covers every segment, a free drops one on each. */
	a = netbuf_alloc(np);
	c = netbuf_alloc(np);
	netbuf_chain(a, b);
	netbuf_chain(a, c);
	netbuf_ref(a);
	netbuf_ref(a);
	ok(netbuf_refcnt(a) == 3 && netbuf_refcnt(b) == 3 && netbuf_refcnt(c) == 3,
	   MODE ": ref on a chain takes every segment");
	netbuf_free(a);
	netbuf_free(a);
	ok(netbuf_refcnt(a) == 1 && netbuf_refcnt(c) == 1 && in_use(np) == 3,
	   MODE ": chain kept while a reference remains");

	/* A tail with its own extra reference outlives the head. */
	netbuf_ref(b);
	netbuf_free(a);
	is_u64(in_use(np), 2, MODE ": head freed, shared tail kept");
	is_u64(netbuf_refcnt(b), 1, MODE ": tail has its own reference");
	netbuf_free(b);
	is_u64(in_use(np), 0, MODE ": tail freed last");
	netbuf_free(NULL);
}

/* Capacity: N for a pool, whatever the heap holds for the heap. */
static unsigned capacity(struct netbuf_pool *np, struct netbuf **bufs, unsigned max)
{
	unsigned k = 0;

	while (k < max && (bufs[k] = netbuf_alloc(np)) != NULL)
		k++;
	netbuf_free_bulk(bufs, k);
	return k;
}

static void test_bulk(struct netbuf_pool *np)
{
	struct netbuf *bufs[4 * N], *more[8];
	struct netbuf_pool_stats st;
	unsigned cap = capacity(np, bufs, 4 * N);
	uint64_t fails;

	ok(cap >= N / 2 && cap < 4 * N, MODE ": capacity %u", cap);
#ifndef SKIFF_ALLOC_HEAP
	is_u64(cap, N, "pool: capacity is n");
#endif
	netbuf_pool_stats(np, &st);
	fails = st.fails;
	ok(netbuf_alloc_bulk(np, bufs, cap + 1) == -ENOBUFS, MODE ": bulk beyond capacity fails");
	is_u64(in_use(np), 0, MODE ": and takes nothing");
	ok(netbuf_alloc_bulk(np, bufs, cap - 2) == 0, MODE ": bulk of capacity - 2");
	ok(netbuf_alloc_bulk(np, more, 3) == -ENOBUFS, MODE ": 3 more fail");
	is_u64(in_use(np), cap - 2, MODE ": still cap - 2 in use");
	ok(netbuf_alloc_bulk(np, more, 2) == 0, MODE ": the last 2 succeed");
	ok(netbuf_alloc(np) == NULL, MODE ": then alloc fails");
	netbuf_pool_stats(np, &st);
	is_u64(st.fails - fails, 3, MODE ": failures counted");
	ok(more[0]->refcnt == 1 && more[1]->data_off == NETBUF_HEADROOM, MODE ": bulk netbufs reset");

	bufs[cap - 2] = more[0];
	bufs[cap - 1] = more[1];
	netbuf_ref(bufs[5]);
	netbuf_free_bulk(bufs, cap);
	is_u64(in_use(np), 1, MODE ": free_bulk keeps the one with a reference");
	netbuf_free_bulk(&bufs[5], 1);
	is_u64(in_use(np), 0, MODE ": free_bulk frees it on its last reference");
}

/* free_bulk of a mix from two pools gives each its own back. */
static void test_free_bulk_pools(struct netbuf_pool *np)
{
	struct netbuf_pool *other = make("other", 32, 512, 0);
	struct netbuf *bufs[100 + 1];
	unsigned k = 0;

	for (unsigned i = 0; i < 100; i++) {
		bufs[k++] = netbuf_alloc(i % 7 == 0 ? other : np);
		if (i % 9 == 0) {
			bufs[k] = netbuf_alloc(other);
			netbuf_chain(bufs[k - 1], bufs[k]);
		}
	}
	bufs[k++] = NULL;
	ok(in_use(np) + in_use(other) > 100, MODE ": mixed netbufs allocated");
	netbuf_free_bulk(bufs, k);
	is_u64(in_use(np), 0, MODE ": first pool got all back");
	is_u64(in_use(other), 0, MODE ": second pool got all back");
#ifndef SKIFF_ALLOC_HEAP
	is_u64(pool_avail(np->pool), 4 * N, "pool: first pool full");
	is_u64(pool_avail(other->pool), 32, "pool: second pool full");
#endif
}

int main(void)
{
	struct netbuf_pool *np;

	alarm(30);	/* corruption can make a loop endless: fail, do not hang */
#ifdef SKIFF_ALLOC_HEAP
	/* Room for about N netbufs of 2 KiB. */
	static char region[N * (2048 + 64)] __aligned(64);

	heap_init(region, sizeof(region));
#endif
	test_params();
	np = make("nbtest", N, ROOM, 8);
	ok(np != NULL, MODE ": pool created");
	test_fresh(np);
	test_bounds(np);
	test_chain(np);
	test_refcnt(np);
	test_bulk(np);
#ifdef SKIFF_ALLOC_HEAP
	static char big[4 * N * (2048 + 64)] __aligned(64);

	heap_init(big, sizeof(big));	/* the old pool's netbufs are all back */
#endif
	np = make("nbtest", 4 * N, ROOM, 8);
	test_free_bulk_pools(np);
	for (unsigned i = 0; i < nmems; i++)
		free(mems[i]);
	return done_testing();
}
