/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * General-purpose heap: variable-size blocks from one region, first fit over
 * a free list, neighbours coalesced on free, one spinlock around everything.
 *
 * This is the slow baseline (what Unikraft's default allocator is to its
 * pools): a build with ALLOC=heap allocates every netbuf here, so the bench
 * can show what the lock-free pool buys. Nothing on a fast path should use it
 * otherwise.
 *
 * There is one heap. Every function but heap_init is safe on any core.
 */
#ifndef SKIFF_HEAP_H
#define SKIFF_HEAP_H

#include <skiff/compiler.h>

struct heap_stats {
	size_t size;		/* bytes managed, block headers included */
	size_t used;		/* bytes in allocated blocks, headers included */
	size_t largest_free;	/* biggest free block, header included */
	uint64_t allocs;	/* successful heap_alloc calls */
	uint64_t frees;		/* heap_free calls with a non-NULL pointer */
	uint64_t fails;		/* heap_alloc calls that found no block */
};

/*
 * Makes [region, region + len) the heap, forgetting any previous one (whose
 * blocks must no longer be used). Returns 0, or -EINVAL if the region is
 * too small to hold one block. Not thread-safe: call before other cores use
 * the heap.
 */
int heap_init(void *region, size_t len);

/*
 * Returns @size bytes aligned to @align (a power of two; at least 16 is
 * used), or NULL if @size is 0, @align is not a power of two or no free block
 * fits (counted in stats.fails). The caller owns the block until heap_free.
 * O(free blocks) under the heap lock.
 */
void *heap_alloc(size_t size, size_t align);

/*
 * Gives back a block from heap_alloc; NULL is ignored. Panics if @ptr is not
 * an allocated block of the heap (double free, foreign or interior pointer),
 * as far as a header check can tell. O(1) under the heap lock.
 */
void heap_free(void *ptr);

/* Fills @st. O(free blocks) under the heap lock. */
void heap_stats(struct heap_stats *st);

#endif /* SKIFF_HEAP_H */
