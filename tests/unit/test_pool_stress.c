/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Concurrency stress, also built with ThreadSanitizer: threads hammer one
 * pool with random get/put/bulk for a bounded time, and every object carries
 * an owner tag claimed with an atomic exchange, so an object handed out twice
 * is caught the moment it happens; at the end all n must be back, distinct.
 * Then shared netbufs freed concurrently (refcounts), then the heap.
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <skiff/heap.h>
#include <skiff/netbuf.h>
#include <skiff/pool.h>
#include "tap.h"

#define THREADS		3
#define RUN_US		300000
#define N		256
#define HOLD_MAX	96	/* THREADS x HOLD_MAX > N: the pool runs dry */

struct obj {
	uint32_t owner;		/* 0 = in the pool; claimed atomically */
	unsigned char data[60];	/* written by the owner, checked on put */
};

struct run {
	struct pool *p;
	uint32_t stop;
	uint32_t errors;
	uint64_t ops;
};

static void claim(struct run *r, struct obj *o, uint32_t me)
{
	if (__atomic_exchange_n(&o->owner, me, __ATOMIC_RELAXED) != 0)
		__atomic_add_fetch(&r->errors, 1, __ATOMIC_RELAXED);
	memset(o->data, (int)me, sizeof(o->data));
}

static void release(struct run *r, struct obj *o, uint32_t me)
{
	for (unsigned i = 0; i < sizeof(o->data); i++)
		if (o->data[i] != (unsigned char)me) {
			__atomic_add_fetch(&r->errors, 1, __ATOMIC_RELAXED);
			break;
		}
	if (__atomic_exchange_n(&o->owner, 0, __ATOMIC_RELAXED) != me)
		__atomic_add_fetch(&r->errors, 1, __ATOMIC_RELAXED);
}

struct worker {
	struct run *run;
	uint32_t me;
	pthread_t tid;
};

static int by_address(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;

	return (x > y) - (x < y);
}

static void *pool_worker(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->run;
	void *held[HOLD_MAX];
	unsigned seed = w->me * 7919, k = 0;
	uint64_t ops = 0;

	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		unsigned op = (unsigned)rand_r(&seed) % 4, m;

		ops++;
		if (op == 0 && k < HOLD_MAX) {			/* get one */
			if ((held[k] = pool_get(r->p)) != NULL)
				claim(r, held[k++], w->me);
		} else if (op == 1) {				/* get a bulk */
			m = 1 + (unsigned)rand_r(&seed) % (rand_r(&seed) % 4 ? 16 : 80);
			if (k + m <= HOLD_MAX && pool_get_bulk(r->p, held + k, m) == 0)
				for (; m; m--)
					claim(r, held[k++], w->me);
		} else if (op == 2 && k) {			/* put a random one */
			unsigned i = (unsigned)rand_r(&seed) % k;
			void *o = held[i];

			held[i] = held[--k];
			release(r, o, w->me);
			pool_put(r->p, o);
		} else if (op == 3 && k) {			/* put a bulk */
			m = 1 + (unsigned)rand_r(&seed) % k;
			k -= m;
			for (unsigned i = 0; i < m; i++)
				release(r, held[k + i], w->me);
			pool_put_bulk(r->p, held + k, m);
		}
	}
	for (unsigned i = 0; i < k; i++)
		release(r, held[i], w->me);
	pool_put_bulk(r->p, held, k);
	pool_cache_flush(r->p);
	__atomic_add_fetch(&r->ops, ops, __ATOMIC_RELAXED);
	return NULL;
}

/* Starts THREADS workers on @fn, lets them run RUN_US, stops and joins them. */
static void run_workers(struct run *r, void *(*fn)(void *))
{
	struct worker w[THREADS];

	for (unsigned i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .run = r, .me = i + 1 };
		pthread_create(&w[i].tid, NULL, fn, &w[i]);
	}
	usleep(RUN_US);
	__atomic_store_n(&r->stop, 1, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < THREADS; i++)
		pthread_join(w[i].tid, NULL);
}

static void stress_pool(unsigned cache)
{
	struct pool_params pp = {
		.name = "stress", .n = N, .size = sizeof(struct obj),
		.align = 64, .cache_size = cache,
	};
	size_t len = pool_memsize(N, sizeof(struct obj), 64, cache);
	char *mem = calloc(1, len);
	struct run r = { .p = pool_create(&pp, mem, len) };
	struct pool_stats st;
	void *all[N];
	int distinct = 1, ours = 1;

	run_workers(&r, pool_worker);
	pool_stats(r.p, &st);
	is_u64(r.errors, 0, "cache %u: no object held by two threads, none corrupted", cache);
	ok(st.gets > 1000, "cache %u: %llu objects went around (%llu ops, %llu empty)",
	   cache, (unsigned long long)st.gets, (unsigned long long)r.ops,
	   (unsigned long long)st.empty);
	is_u64(st.gets, st.puts, "cache %u: every get was put back", cache);
	is_u64(st.in_use, 0, "cache %u: nothing in use", cache);
	is_u64(pool_avail(r.p), N, "cache %u: all n available", cache);

	ok(pool_get_bulk(r.p, all, N) == 0, "cache %u: all n can be taken at once", cache);
	qsort(all, N, sizeof(void *), by_address);
	for (unsigned i = 0; i < N; i++) {
		char *o = all[i];

		ours &= o >= mem && o + sizeof(struct obj) <= mem + len &&
			((struct obj *)o)->owner == 0;
		if (i)
			distinct &= o >= (char *)all[i - 1] + sizeof(struct obj);
	}
	ok(distinct, "cache %u: and they are n distinct objects", cache);
	ok(ours, "cache %u: each one of the pool's, unowned", cache);
	free(mem);
}

/* ------------------------------------------------------------ netbufs */

#define NB_N		128
#define NB_BATCH	32

/*
 * Each round the main thread allocates a batch, writes it and takes THREADS-1
 * extra references; every worker reads the data and drops one reference on
 * each buffer (one worker with free_bulk), then allocates, writes and frees
 * buffers of its own, which may be those another worker just released.
 */
struct nb_run {
	struct netbuf_pool *np;
	struct netbuf *batch[NB_BATCH];
	pthread_barrier_t start, done;
	uint32_t stop;
	uint32_t errors;
	uint8_t round;
};

static struct nb_run nbr;

static void *netbuf_worker(void *arg)
{
	struct worker *w = arg;

	for (;;) {
		struct netbuf *mine[NB_BATCH];

		pthread_barrier_wait(&nbr.start);
		if (__atomic_load_n(&nbr.stop, __ATOMIC_RELAXED))
			return NULL;
		for (unsigned i = 0; i < NB_BATCH; i++) {
			unsigned char *d = netbuf_data(nbr.batch[i]);

			if (nbr.batch[i]->data_len != 64 || d[0] != nbr.round || d[63] != nbr.round)
				__atomic_add_fetch(&nbr.errors, 1, __ATOMIC_RELAXED);
		}
		if (w->me == 1) {
			netbuf_free_bulk(nbr.batch, NB_BATCH);
		} else {
			/* An odd stride visits every buffer once, in its own order. */
			for (unsigned i = 0; i < NB_BATCH; i++)
				netbuf_free(nbr.batch[(i * (2 * w->me + 1)) % NB_BATCH]);
		}
		if (netbuf_alloc_bulk(nbr.np, mine, 8) == 0) {
			for (unsigned i = 0; i < 8; i++)
				memset(netbuf_append(mine[i], 64), 0x5a, 64);
			netbuf_free_bulk(mine, 8);
		}
		pthread_barrier_wait(&nbr.done);
	}
}

static void stress_netbuf(void)
{
	size_t len = netbuf_pool_memsize(NB_N, 256, 8);
	void *mem = malloc(len);
	struct worker w[THREADS];
	struct netbuf_pool_stats st;
	struct timespec t0, t;
	unsigned rounds = 0, leaked = 0;

	nbr.np = netbuf_pool_create("nbstress", NB_N, 256, 8, mem, len);
	pthread_barrier_init(&nbr.start, NULL, THREADS + 1);
	pthread_barrier_init(&nbr.done, NULL, THREADS + 1);
	for (unsigned i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .me = i + 1 };
		pthread_create(&w[i].tid, NULL, netbuf_worker, &w[i]);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		nbr.round = (uint8_t)++rounds;
		if (netbuf_alloc_bulk(nbr.np, nbr.batch, NB_BATCH) != 0)
			break;
		for (unsigned i = 0; i < NB_BATCH; i++) {
			memset(netbuf_append(nbr.batch[i], 64), nbr.round, 64);
			for (unsigned j = 1; j < THREADS; j++)
				netbuf_ref(nbr.batch[i]);
		}
		pthread_barrier_wait(&nbr.start);
		pthread_barrier_wait(&nbr.done);
		netbuf_pool_stats(nbr.np, &st);
		leaked += st.in_use != 0;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000000 + (t.tv_nsec - t0.tv_nsec) / 1000 < RUN_US);
	__atomic_store_n(&nbr.stop, 1, __ATOMIC_RELAXED);
	pthread_barrier_wait(&nbr.start);
	for (unsigned i = 0; i < THREADS; i++)
		pthread_join(w[i].tid, NULL);

	ok(rounds > 50, "netbuf: %u rounds of shared batches", rounds);
	is_u64(nbr.errors, 0, "netbuf: data intact until the last reference went");
	is_u64(leaked, 0, "netbuf: every round ended with nothing in use");
	is_u64(pool_avail(nbr.np->pool), NB_N, "netbuf: all buffers back in the pool");
	pthread_barrier_destroy(&nbr.start);
	pthread_barrier_destroy(&nbr.done);
	free(mem);
}

/* ------------------------------------------------------------ heap */

static struct run heap_run;

static void *heap_worker(void *arg)
{
	struct worker *w = arg;
	unsigned char *held[32] = { 0 };
	size_t sz[32];
	unsigned seed = w->me;

	while (!__atomic_load_n(&heap_run.stop, __ATOMIC_RELAXED)) {
		unsigned s = (unsigned)rand_r(&seed) % 32;

		if (held[s]) {
			for (size_t i = 0; i < sz[s]; i++)
				if (held[s][i] != (unsigned char)w->me) {
					__atomic_add_fetch(&heap_run.errors, 1, __ATOMIC_RELAXED);
					break;
				}
			heap_free(held[s]);
			held[s] = NULL;
		} else {
			sz[s] = 1 + (size_t)rand_r(&seed) % 2500;
			held[s] = heap_alloc(sz[s], (size_t)64 << (s % 3));
			if (held[s])
				memset(held[s], (int)w->me, sz[s]);
		}
	}
	for (unsigned s = 0; s < 32; s++)
		heap_free(held[s]);
	return NULL;
}

static void stress_heap(void)
{
	static char region[512 * 1024];
	struct heap_stats st;

	heap_init(region, sizeof(region));
	run_workers(&heap_run, heap_worker);
	heap_stats(&st);
	is_u64(heap_run.errors, 0, "heap: no block shared or corrupted");
	ok(st.allocs > 1000, "heap: %llu allocations", (unsigned long long)st.allocs);
	is_u64(st.allocs, st.frees, "heap: every block freed");
	is_u64(st.used, 0, "heap: nothing used");
	is_u64(st.largest_free, st.size, "heap: fully coalesced");
}

int main(void)
{
	alarm(30);	/* corruption can make a loop endless: fail, do not hang */
	stress_pool(0);
	stress_pool(16);
	stress_pool(POOL_CACHE_MAX / 4);	/* caches hold half the pool */
	stress_netbuf();
	stress_heap();
	return done_testing();
}
