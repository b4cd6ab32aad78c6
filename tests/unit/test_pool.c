/* SPDX-License-Identifier: BSD-3-Clause */
/* Object pool: sizing, creation, get/put, bulk, exhaustion, caches, stats. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include <skiff/pool.h>
#include "tap.h"

#define N 100

struct init_log {
	unsigned calls;
	unsigned seen[N];
};

static void obj_init(void *obj, unsigned idx, void *arg)
{
	struct init_log *log = arg;

	log->calls++;
	if (idx < N)
		log->seen[idx]++;
	memset(obj, 0xa5, 24);
}

/* Builds a pool of N objects of 24 bytes in fresh memory, @skew bytes off. */
static struct pool *make_pool(unsigned cache, size_t align, size_t skew,
			      struct init_log *log, char **mem, size_t *len)
{
	struct pool_params pp = {
		.name = "testpool", .n = N, .size = 24, .align = align,
		.cache_size = cache, .init = obj_init, .init_arg = log,
	};

	*len = pool_memsize(N, 24, align, cache);
	*mem = malloc(*len + skew);
	return pool_create(&pp, *mem + skew, *len);
}

static void test_memsize(void)
{
	char *mem = aligned_alloc(128, 1 << 16);
	struct pool_params pp = { .name = "x", .n = 8, .size = 16, .align = 8 };

	ok(pool_memsize(0, 16, 8, 0) == 0, "memsize: n = 0 is invalid");
	ok(pool_memsize(8, 0, 8, 0) == 0, "memsize: size 0 is invalid");
	ok(pool_memsize(8, 16, 3, 0) == 0, "memsize: alignment 3 is invalid");
	ok(pool_memsize(8, 16, 0, 0) == 0, "memsize: alignment 0 is invalid");
	ok(pool_memsize(8, 16, 8, 5) == 0, "memsize: cache > n/2 is invalid");
	ok(pool_memsize(4096, 16, 8, POOL_CACHE_MAX + 1) == 0, "memsize: cache > max is invalid");
	ok(pool_memsize(8, 16, 8, 4) > 8 * 16, "memsize: valid parameters");
	ok(pool_memsize(8, 16, 4096, 0) > pool_memsize(8, 16, 64, 0),
	   "memsize: grows with alignment");
	ok(pool_memsize(1000, 16, 8, 64) > pool_memsize(1000, 16, 8, 0),
	   "memsize: grows with the cache");

	/* mem + 1 off a 128-byte boundary needs all the alignment slack. */
	char *worst = mem + 1;

	ok(pool_create(&pp, worst, pool_memsize(8, 16, 8, 0) - 1) == NULL,
	   "create: refuses memory one byte short");
	ok(pool_create(&pp, worst, pool_memsize(8, 16, 8, 0)) != NULL,
	   "create: memsize bytes are enough at the worst alignment");
	ok(pool_create(&pp, NULL, 1 << 16) == NULL, "create: refuses NULL memory");
	pp.cache_size = 5;
	ok(pool_create(&pp, mem, 1 << 16) == NULL, "create: refuses invalid parameters");
	free(mem);
}

static void test_create(size_t align, size_t skew)
{
	struct init_log log = { 0 };
	size_t len;
	char *mem;
	struct pool *p = make_pool(0, align, skew, &log, &mem, &len);
	void *objs[N];
	int in_region = 1, aligned = 1, apart = 1, once = 1;

	ok(p != NULL, "create (align %zu, mem +%zu): pool built", align, skew);
	is_u64(log.calls, N, "create: init called once per object");
	for (unsigned i = 0; i < N; i++)
		once &= log.seen[i] == 1;
	ok(once, "create: init saw every index once");
	is_str(pool_name(p), "testpool", "create: name");
	is_u64(pool_avail(p), N, "create: all objects available");

	ok(pool_get_bulk(p, objs, N) == 0, "create: all objects can be taken");
	for (unsigned i = 0; i < N; i++) {
		char *o = objs[i];

		in_region &= o >= mem + skew && o + 24 <= mem + skew + len;
		aligned &= ((uintptr_t)o & (align - 1)) == 0;
		for (unsigned j = 0; j < i; j++) {
			char *q = objs[j];

			apart &= o + 24 <= q || q + 24 <= o;
		}
	}
	ok(in_region, "create: objects inside the caller's memory");
	ok(aligned, "create: objects aligned to %zu", align);
	ok(apart, "create: objects do not overlap");
	ok(((unsigned char *)objs[0])[0] == 0xa5, "create: init wrote the object");
	pool_put_bulk(p, objs, N);
	free(mem);
}

/* Takes every object one by one and checks they are distinct. */
static unsigned drain(struct pool *p, void **objs)
{
	unsigned k = 0;

	while (k < N && (objs[k] = pool_get(p)) != NULL)
		k++;
	return k;
}

static int all_distinct(void **objs, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = 0; j < i; j++)
			if (objs[i] == objs[j])
				return 0;
	return 1;
}

static void test_exhaustion(unsigned cache)
{
	struct init_log log = { 0 };
	struct pool_stats st;
	size_t len;
	char *mem;
	struct pool *p = make_pool(cache, 8, 0, &log, &mem, &len);
	void *objs[N], *extra;

	is_u64(drain(p, objs), N, "cache %u: N single gets succeed", cache);
	ok(all_distinct(objs, N), "cache %u: no object handed out twice", cache);
	ok(pool_get(p) == NULL, "cache %u: get on an empty pool fails", cache);
	ok(pool_get_bulk(p, &extra, 1) == -ENOBUFS, "cache %u: bulk get says -ENOBUFS", cache);
	pool_stats(p, &st);
	is_u64(st.gets, N, "cache %u: gets counted", cache);
	is_u64(st.empty, 2, "cache %u: failed gets counted", cache);
	is_u64(st.in_use, N, "cache %u: all in use", cache);
	is_u64(st.avail, 0, "cache %u: none available", cache);

	for (unsigned i = 0; i < N; i++)
		pool_put(p, objs[i]);
	pool_stats(p, &st);
	is_u64(st.puts, N, "cache %u: puts counted", cache);
	is_u64(st.in_use, 0, "cache %u: none in use after putting all back", cache);
	is_u64(pool_avail(p), N, "cache %u: pool full again", cache);
	is_u64(drain(p, objs), N, "cache %u: all N can be taken again", cache);
	ok(all_distinct(objs, N), "cache %u: still distinct", cache);
	pool_put_bulk(p, objs, N);
	is_u64(pool_avail(p), N, "cache %u: bulk put of all N", cache);
	free(mem);
}

static void test_bulk(unsigned cache)
{
	struct init_log log = { 0 };
	struct pool_stats st;
	size_t len;
	char *mem;
	struct pool *p = make_pool(cache, 8, 0, &log, &mem, &len);
	void *a[N + 1], *b[N], *sentinel = &log;

	a[0] = sentinel;
	ok(pool_get_bulk(p, a, N + 1) == -ENOBUFS, "bulk cache %u: N + 1 fails", cache);
	is_u64(pool_avail(p), N, "bulk cache %u: failure took nothing", cache);
	ok(pool_get_bulk(p, a, N - 3) == 0, "bulk cache %u: N - 3 succeeds", cache);
	ok(pool_get_bulk(p, b, 4) == -ENOBUFS, "bulk cache %u: 4 more fail", cache);
	is_u64(pool_avail(p), 3, "bulk cache %u: still 3 available", cache);
	ok(pool_get_bulk(p, b, 3) == 0, "bulk cache %u: the last 3 succeed", cache);
	memcpy(a + N - 3, b, 3 * sizeof(void *));
	ok(all_distinct(a, N), "bulk cache %u: all distinct", cache);
	ok(pool_get_bulk(p, b, 0) == 0, "bulk cache %u: get of 0 succeeds on empty", cache);

	pool_put_bulk(p, a, 7);
	pool_put_bulk(p, a + 7, N - 7);
	pool_stats(p, &st);
	is_u64(st.avail, N, "bulk cache %u: all back", cache);
	is_u64(st.gets, N, "bulk cache %u: gets count objects", cache);
	is_u64(st.empty, 2, "bulk cache %u: two failed calls", cache);
	free(mem);
}

/* With a cache, a put object is the next one got on the same core (warm). */
static void test_lifo(void)
{
	struct init_log log = { 0 };
	size_t len;
	char *mem;
	struct pool *p = make_pool(8, 8, 0, &log, &mem, &len);
	void *x = pool_get(p), *y;

	memset(x, 0x3c, 24);
	pool_put(p, x);
	y = pool_get(p);
	ok(x == y, "lifo: the object just put comes back first");
	ok(((unsigned char *)y)[23] == 0x3c, "lifo: contents kept by a release build");
	is_u64(pool_avail(p), N - 1, "lifo: refill counted in avail");
	pool_put(p, y);
	free(mem);
}

struct core_arg {
	struct pool *p;
	unsigned k;
};

static void *other_core(void *arg)
{
	struct core_arg *ca = arg;
	void *objs[N];

	if (pool_get_bulk(ca->p, objs, ca->k) == 0)
		pool_put_bulk(ca->p, objs, ca->k);
	return NULL;
}

/* Objects cached by another core count as available; stats sum all cores. */
static void test_other_core(void)
{
	struct init_log log = { 0 };
	struct pool_stats st;
	size_t len;
	char *mem;
	struct pool *p = make_pool(16, 8, 0, &log, &mem, &len);
	struct core_arg ca = { p, 10 };
	pthread_t t;
	void *objs[N];

	pthread_create(&t, NULL, other_core, &ca);
	pthread_join(t, NULL);
	pool_stats(p, &st);
	is_u64(st.gets, 10, "other core: its gets are counted");
	is_u64(st.puts, 10, "other core: its puts are counted");
	is_u64(st.avail, N, "other core: its cached objects count as available");
	ok(drain(p, objs) < N, "other core: its cached objects are not got here");
	free(mem);
}

/* Requests larger than the cache bypass it and still balance. */
static void test_large_bulk(void)
{
	struct init_log log = { 0 };
	size_t len;
	char *mem;
	struct pool *p = make_pool(8, 8, 0, &log, &mem, &len);
	void *a[N];

	ok(pool_get_bulk(p, a, 40) == 0, "large: bulk of 40 with a cache of 8");
	pool_put_bulk(p, a, 40);
	is_u64(pool_avail(p), N, "large: bulk put of 40 goes back");
	ok(pool_get_bulk(p, a, N) == 0, "large: everything in one bulk");
	ok(all_distinct(a, N), "large: distinct");
	pool_put_bulk(p, a, N);
	free(mem);
}

int main(void)
{
	alarm(30);	/* corruption can make a loop endless: fail, do not hang */
	test_memsize();
	test_create(8, 0);
	test_create(64, 3);
	test_create(4096, 1);
	test_exhaustion(0);
	test_exhaustion(4);
	test_exhaustion(50);
	test_bulk(0);
	test_bulk(16);
	test_lifo();
	test_other_core();
	test_large_bulk();
	return done_testing();
}
