/* SPDX-License-Identifier: BSD-3-Clause */
/* General heap: alignment, coalescing, exhaustion, stats, bad frees. */
#include <stdlib.h>
#include <skiff/errno.h>
#include <skiff/heap.h>
#include "test_pool_death.h"

#define REGION (256 * 1024)

static char region[REGION] __aligned(4096);

static void test_init(void)
{
	struct heap_stats st;

	ok(heap_init(region, 16) == -EINVAL, "init: refuses a tiny region");
	ok(heap_init(NULL, REGION) == -EINVAL, "init: refuses NULL");
	ok(heap_init(region + 3, REGION - 3) == 0, "init: any alignment");
	heap_stats(&st);
	ok(st.size > REGION - 64 && st.size < REGION, "init: manages the region (%zu)", st.size);
	is_u64(st.used, 0, "init: nothing used");
	is_u64(st.largest_free, st.size, "init: one free block");
	ok(heap_alloc(0, 16) == NULL, "alloc: size 0 is refused");
	ok(heap_alloc(16, 24) == NULL, "alloc: alignment 24 is refused");
	ok(heap_alloc(REGION, 16) == NULL, "alloc: more than the heap fails");
	heap_free(NULL);
	heap_stats(&st);
	is_u64(st.fails, 1, "alloc: a failed search is counted");
	is_u64(st.frees, 0, "free(NULL) is a no-op");
}

/* Allocations of every alignment are aligned, disjoint and keep their data. */
static void test_align(void)
{
	static const size_t aligns[] = { 1, 8, 16, 32, 64, 128, 256, 4096 };
	unsigned char *p[ARRAY_SIZE(aligns) * 3];
	size_t sz[ARRAY_SIZE(aligns) * 3];
	int aligned = 1, intact = 1;
	struct heap_stats st;
	unsigned k = 0;

	heap_init(region, REGION);
	for (unsigned i = 0; i < ARRAY_SIZE(aligns); i++) {
		for (unsigned j = 0; j < 3; j++, k++) {
			sz[k] = 1 + 37 * k + j;
			p[k] = heap_alloc(sz[k], aligns[i]);
			aligned &= p[k] && ((uintptr_t)p[k] & (MAX(aligns[i], 16) - 1)) == 0;
			memset(p[k], (int)k, sz[k]);
		}
	}
	ok(aligned, "align: every block aligned as asked");
	for (unsigned i = 0; i < k; i++)
		for (size_t b = 0; b < sz[i]; b++)
			intact &= p[i][b] == (unsigned char)i;
	ok(intact, "align: blocks do not overlap");
	heap_stats(&st);
	is_u64(st.allocs, k, "align: allocations counted");
	ok(st.used > 0, "align: used bytes counted");
	for (unsigned i = 0; i < k; i += 2)
		heap_free(p[i]);
	for (unsigned i = 1; i < k; i += 2)
		heap_free(p[i]);
	heap_stats(&st);
	is_u64(st.used, 0, "align: all freed");
	is_u64(st.largest_free, st.size, "align: gaps and neighbours coalesced into one block");
}

/* 2 KiB netbuf-like blocks until the heap is full, then all back. */
static void test_exhaustion(void)
{
	static void *blocks[REGION / 2048];
	struct heap_stats st;
	unsigned k = 0;
	void *big;

	heap_init(region, REGION);
	while (k < ARRAY_SIZE(blocks) && (blocks[k] = heap_alloc(2048, 64)) != NULL)
		k++;
	ok(k > REGION / 2048 * 9 / 10 && k < REGION / 2048, "exhaustion: %u blocks of 2 KiB", k);
	ok(heap_alloc(2048, 64) == NULL, "exhaustion: the next one fails");
	heap_stats(&st);
	is_u64(st.fails, 2, "exhaustion: both failures counted");
	for (unsigned i = 1; i < k; i += 2)	/* holes first, then what joins them */
		heap_free(blocks[i]);
	for (unsigned i = 0; i < k; i += 2)
		heap_free(blocks[i]);
	heap_stats(&st);
	is_u64(st.frees, k, "exhaustion: every block freed once");
	is_u64(st.used, 0, "exhaustion: nothing used");
	big = heap_alloc(st.size - 64, 16);
	ok(big != NULL, "exhaustion: the whole heap is one block again");
	heap_free(big);
}

/* Random alloc/free against a shadow record: contents never disturbed. */
static void test_random(void)
{
	enum { SLOTS = 64, ROUNDS = 20000 };
	unsigned char *p[SLOTS] = { 0 };
	size_t sz[SLOTS];
	unsigned seed = 1, bad = 0, misaligned = 0;
	struct heap_stats st;

	heap_init(region, REGION);
	for (unsigned r = 0; r < ROUNDS; r++) {
		unsigned s = (unsigned)rand_r(&seed) % SLOTS;

		if (p[s]) {
			for (size_t b = 0; b < sz[s]; b++)
				bad += p[s][b] != (unsigned char)s;
			heap_free(p[s]);
			p[s] = NULL;
		} else {
			size_t align = (size_t)1 << (rand_r(&seed) % 8);

			sz[s] = 1 + (size_t)rand_r(&seed) % 3000;
			p[s] = heap_alloc(sz[s], align);
			if (p[s]) {
				misaligned += ((uintptr_t)p[s] & (align - 1)) != 0;
				memset(p[s], (int)s, sz[s]);
			}
		}
	}
	is_u64(bad, 0, "random: no block was overwritten");
	is_u64(misaligned, 0, "random: all aligned");
	for (unsigned s = 0; s < SLOTS; s++)
		heap_free(p[s]);
	heap_stats(&st);
	is_u64(st.used, 0, "random: all freed");
	is_u64(st.largest_free, st.size, "random: fully coalesced");
}

static void double_free(void *arg)
{
	void *a, *b;

	heap_init(region, REGION);
	a = heap_alloc(100, 16);
	b = heap_alloc(100, 16);
	heap_free(a);
	heap_free(b);		/* merges with a: a's header is stale */
	heap_free(arg ? b : a);
}

static void interior_free(void *arg)
{
	char *a;

	heap_init(region, REGION);
	a = heap_alloc(256, 16);
	heap_free(a + 64);
}

static void foreign_free(void *arg)
{
	char local[64];

	heap_init(region, REGION);
	heap_alloc(256, 16);
	heap_free(local + 16);
}

int main(void)
{
	alarm(30);	/* corruption can make a loop endless: fail, do not hang */
	test_init();
	test_align();
	test_exhaustion();
	test_random();
	DIES_WITH("double free (merged)", double_free, NULL, "heap: free of", "not an allocated block");
	DIES_WITH("double free (head)", double_free, (void *)1, "heap: free of", "not an allocated block");
	DIES_WITH("interior pointer", interior_free, NULL, "heap: free of", "not an allocated block");
	DIES_WITH("foreign pointer", foreign_free, NULL, "heap: free of", "not an allocated block");
	return done_testing();
}
