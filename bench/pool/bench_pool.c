/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Allocator micro-benchmark: one round of measurements, as CSV on stdout
 * (bench/bench.py --sections pool runs it once per round; make bench-pool).
 *
 * Cost of a get+put pair and of a bulk of 32 gets then 32 puts (per object)
 * of 2 KiB objects, on 1 thread and on 2 threads pinned to CPUs 0 and 1, for:
 * the pool with a per-core cache, the pool without one (every operation on
 * the shared ring), the heap (ALLOC=heap's allocator) and glibc malloc/free.
 * The 2-thread figures are the aggregate: wall time over both threads'
 * objects. Each line: allocator,op,threads,ns (ns per object).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <skiff/heap.h>
#include <skiff/pool.h>

#define OBJ_SIZE	2048
#define OBJ_ALIGN	64
#define NOBJS		4096
#define CACHE		256
#define BULK		32
#define PAIRS		4000000		/* per thread, single get+put */
#define ROUNDS		(PAIRS / BULK)	/* per thread, bulk of BULK */
#define MAX_THREADS	2

enum kind { POOL_CACHE, POOL_NOCACHE, HEAP, GLIBC, NKINDS };
static const char *const kind_name[NKINDS] = {
	"pool-cache", "pool-nocache", "heap", "glibc",
};

static struct pool *pool;
static char *pool_mem, *heap_mem;
static size_t pool_len, heap_len;

/* Keeps the compiler from dropping an unused allocation (it may for malloc). */
static inline void escape(void *p)
{
	__asm__ __volatile__("" : : "g"(p) : "memory");
}

/* One allocator per instantiation: the pool's inline fast path stays inline. */
static __always_inline void *get1(enum kind k)
{
	switch (k) {
	case POOL_CACHE:
	case POOL_NOCACHE:
		return pool_get(pool);
	case HEAP:
		return heap_alloc(OBJ_SIZE, OBJ_ALIGN);
	default:
		return malloc(OBJ_SIZE);
	}
}

static __always_inline void put1(enum kind k, void *p)
{
	switch (k) {
	case POOL_CACHE:
	case POOL_NOCACHE:
		pool_put(pool, p);
		break;
	case HEAP:
		heap_free(p);
		break;
	default:
		free(p);
	}
}

static __always_inline void single_loop(enum kind k, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		void *p = get1(k);

		escape(p);
		put1(k, p);
	}
}

static __always_inline void bulk_loop(enum kind k, unsigned long n)
{
	void *objs[BULK];

	for (unsigned long i = 0; i < n; i++) {
		if (k == POOL_CACHE || k == POOL_NOCACHE) {
			if (pool_get_bulk(pool, objs, BULK) != 0)
				abort();
			escape(objs);
			pool_put_bulk(pool, objs, BULK);
		} else {
			for (unsigned j = 0; j < BULK; j++)
				objs[j] = get1(k);
			escape(objs);
			for (unsigned j = 0; j < BULK; j++)
				put1(k, objs[j]);
		}
	}
}

#define LOOPS(k)                                                            \
	static __noinline void single_##k(unsigned long n) { single_loop(k, n); } \
	static __noinline void bulk_##k(unsigned long n) { bulk_loop(k, n); }
LOOPS(POOL_CACHE)
LOOPS(POOL_NOCACHE)
LOOPS(HEAP)
LOOPS(GLIBC)

typedef void loop_fn(unsigned long n);
static loop_fn *const single_fn[NKINDS] = {
	single_POOL_CACHE, single_POOL_NOCACHE, single_HEAP, single_GLIBC,
};
static loop_fn *const bulk_fn[NKINDS] = {
	bulk_POOL_CACHE, bulk_POOL_NOCACHE, bulk_HEAP, bulk_GLIBC,
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

struct job {
	loop_fn *fn;
	unsigned long n;
	unsigned cpu;
	pthread_barrier_t *go;
	uint64_t t0, t1;
};

static void *run_job(void *arg)
{
	struct job *j = arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(j->cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	j->fn(j->n / 10);		/* warm caches, TLBs, the allocator */
	pthread_barrier_wait(j->go);
	j->t0 = now_ns();
	j->fn(j->n);
	j->t1 = now_ns();
	return NULL;
}

/* Fresh allocator state, so no run inherits another's cached objects. */
static void reset(enum kind k)
{
	struct pool_params pp = {
		.name = "bench", .n = NOBJS, .size = OBJ_SIZE, .align = OBJ_ALIGN,
		.cache_size = k == POOL_CACHE ? CACHE : 0,
	};

	if (k == POOL_CACHE || k == POOL_NOCACHE)
		pool = pool_create(&pp, pool_mem, pool_len);
	else if (k == HEAP)
		heap_init(heap_mem, heap_len);
}

/* Nanoseconds per object for all threads together: wall time / objects. */
static double measure(enum kind k, bool bulk, unsigned threads)
{
	struct job jobs[MAX_THREADS];
	pthread_t tid[MAX_THREADS];
	pthread_barrier_t go;
	uint64_t t0 = UINT64_MAX, t1 = 0;

	reset(k);
	pthread_barrier_init(&go, NULL, threads);
	for (unsigned i = 0; i < threads; i++) {
		jobs[i] = (struct job){
			.fn = bulk ? bulk_fn[k] : single_fn[k],
			.n = bulk ? ROUNDS : PAIRS, .cpu = i, .go = &go,
		};
		pthread_create(&tid[i], NULL, run_job, &jobs[i]);
	}
	for (unsigned i = 0; i < threads; i++) {
		pthread_join(tid[i], NULL);
		t0 = MIN(t0, jobs[i].t0);
		t1 = MAX(t1, jobs[i].t1);
	}
	pthread_barrier_destroy(&go);
	return (double)(t1 - t0) / ((double)PAIRS * threads);
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		fprintf(stderr, "usage: %s\n(one round of measurements as CSV; bench/bench.py"
			" --sections pool runs it)\n", argv[0]);
		return 64;
	}
	pool_len = pool_memsize(NOBJS, OBJ_SIZE, OBJ_ALIGN, CACHE);
	heap_len = (size_t)NOBJS * (OBJ_SIZE + 2 * OBJ_ALIGN);
	pool_mem = aligned_alloc(4096, ALIGN_UP(pool_len, 4096));
	heap_mem = aligned_alloc(4096, heap_len);
	if (!pool_mem || !heap_mem)
		return 1;
	memset(pool_mem, 0, pool_len);	/* fault the pages in up front */
	memset(heap_mem, 0, heap_len);

	printf("allocator,op,threads,ns\n");
	for (unsigned k = 0; k < NKINDS; k++)
		for (unsigned b = 0; b < 2; b++)
			for (unsigned t = 1; t <= MAX_THREADS; t++)
				printf("%s,%s,%u,%.3f\n", kind_name[k], b ? "bulk32" : "pair", t,
				       measure(k, b, t));
	free(pool_mem);
	free(heap_mem);
	return 0;
}
