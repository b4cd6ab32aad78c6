/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * General-purpose heap (include/skiff/heap.h): boundary-tagged blocks in
 * address order, the free ones also on a LIFO doubly linked list.
 *
 *   | prev_size | size|USED | payload ...       | prev_size | size|USED | ...
 *   `------ struct blk -----'                   `--- next block's header
 *
 * Every block records its own size and its predecessor's, so both neighbours
 * of a freed block are found in O(1) and merged with it if free: no two free
 * blocks are ever adjacent. A zero-size USED sentinel ends the region.
 */
#include <skiff/heap.h>
#include <skiff/cpu.h>
#include <skiff/errno.h>
#include <skiff/panic.h>
#include <skiff/string.h>

#define HDR		sizeof(struct blk)
#define GRAIN		16	/* block sizes and payloads are multiples of this */
#define MIN_BLOCK	sizeof(struct free_blk)
#define USED		((size_t)1)

struct blk {
	size_t prev_size;	/* 0 for the first block */
	size_t size;		/* header included, | USED */
};

struct free_blk {
	struct blk h;
	struct free_blk *next, *prev;
};

STATIC_ASSERT(HDR == GRAIN && MIN_BLOCK == 2 * GRAIN, "block layout");

static struct {
	uint32_t lock;
	char *start, *end;	/* first block, sentinel */
	struct free_blk *free;
	struct heap_stats st;
} heap;

static void heap_lock(void)
{
	while (__atomic_exchange_n(&heap.lock, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&heap.lock, __ATOMIC_RELAXED))
			cpu_relax();
}

static void heap_unlock(void)
{
	__atomic_store_n(&heap.lock, 0, __ATOMIC_RELEASE);
}

static size_t blk_size(const struct blk *b)
{
	return b->size & ~USED;
}

static struct blk *blk_next(struct blk *b)
{
	return (struct blk *)((char *)b + blk_size(b));
}

/* Sets @b's size and flag, and tells its successor. */
static void blk_set(struct blk *b, size_t size, size_t used)
{
	b->size = size | used;
	blk_next(b)->prev_size = size;
}

static void list_push(struct free_blk *f)
{
	f->prev = NULL;
	f->next = heap.free;
	if (heap.free)
		heap.free->prev = f;
	heap.free = f;
}

static void list_remove(struct free_blk *f)
{
	if (f->prev)
		f->prev->next = f->next;
	else
		heap.free = f->next;
	if (f->next)
		f->next->prev = f->prev;
}

int heap_init(void *region, size_t len)
{
	char *start = (char *)ALIGN_UP((uintptr_t)region, GRAIN);
	char *end = (char *)ALIGN_DOWN((uintptr_t)region + len, GRAIN) - HDR;
	struct blk *first = (struct blk *)start;

	if (!region || end < start + MIN_BLOCK)
		return -EINVAL;
	memset(&heap, 0, sizeof(heap));
	heap.start = start;
	heap.end = end;
	first->prev_size = 0;
	blk_set(first, (size_t)(end - start), 0);
	((struct blk *)end)->size = USED;	/* sentinel */
	list_push((struct free_blk *)first);
	heap.st.size = (size_t)(end - start);
	return 0;
}

/*
 * Payload address for a request of @align inside free block @f: the first
 * aligned one, pushed further if the gap before it could not hold a free
 * block of its own.
 */
static uintptr_t fit_payload(const struct free_blk *f, size_t align)
{
	uintptr_t pay = (uintptr_t)f + HDR;
	uintptr_t aligned = ALIGN_UP(pay, align);

	return aligned == pay ? pay : ALIGN_UP(pay + MIN_BLOCK, align);
}

/* Cuts a block of @need bytes with its payload at @pay out of free block @f. */
static struct blk *carve(struct free_blk *f, uintptr_t pay, size_t need)
{
	struct blk *b = (struct blk *)(pay - HDR);
	size_t gap = (size_t)((char *)b - (char *)f);
	size_t size = blk_size(&f->h) - gap;

	list_remove(f);
	if (gap) {
		blk_set(&f->h, gap, 0);		/* also sets b->prev_size */
		list_push(f);
	}
	if (size - need >= MIN_BLOCK) {
		struct blk *rest = (struct blk *)((char *)b + need);

		blk_set(b, need, USED);
		blk_set(rest, size - need, 0);
		list_push((struct free_blk *)rest);
	} else {
		blk_set(b, size, USED);
	}
	return b;
}

void *heap_alloc(size_t size, size_t align)
{
	struct blk *b = NULL;

	if (size == 0 || !IS_POW2(align))
		return NULL;
	align = MAX(align, (size_t)GRAIN);

	heap_lock();
	if (size <= heap.st.size && align <= heap.st.size) {	/* else rounding could wrap */
		size_t need = MAX(ALIGN_UP(size, GRAIN) + HDR, MIN_BLOCK);

		for (struct free_blk *f = heap.free; f; f = f->next) {
			uintptr_t pay = fit_payload(f, align);

			if (pay - HDR + need <= (uintptr_t)blk_next(&f->h)) {
				b = carve(f, pay, need);
				break;
			}
		}
	}
	if (b) {
		heap.st.used += blk_size(b);
		heap.st.allocs++;
	} else {
		heap.st.fails++;
	}
	heap_unlock();
	return b ? (char *)b + HDR : NULL;
}

/* True if @b looks like an allocated block: in range, flagged, consistent. */
static bool blk_valid(const struct blk *b)
{
	const char *c = (const char *)b;

	return c >= heap.start && c < heap.end && ((uintptr_t)c & (GRAIN - 1)) == 0 &&
	       (b->size & USED) && blk_size(b) >= MIN_BLOCK &&
	       blk_size(b) <= (size_t)(heap.end - c) &&
	       ((const struct blk *)(c + blk_size(b)))->prev_size == blk_size(b);
}

void heap_free(void *ptr)
{
	struct blk *b, *next;
	size_t size;

	if (!ptr)
		return;
	b = (struct blk *)((char *)ptr - HDR);
	heap_lock();
	if (!blk_valid(b)) {
		heap_unlock();
		panic("heap: free of %p, which is not an allocated block", ptr);
	}
	size = blk_size(b);
	b->size = size;		/* a stale header must not look allocated */
	heap.st.used -= size;
	heap.st.frees++;

	next = blk_next(b);
	if (!(next->size & USED)) {
		list_remove((struct free_blk *)next);
		size += blk_size(next);
	}
	if (b->prev_size) {
		struct blk *prev = (struct blk *)((char *)b - b->prev_size);

		if (!(prev->size & USED)) {
			list_remove((struct free_blk *)prev);
			size += blk_size(prev);
			b = prev;
		}
	}
	blk_set(b, size, 0);
	list_push((struct free_blk *)b);
	heap_unlock();
}

void heap_stats(struct heap_stats *st)
{
	heap_lock();
	*st = heap.st;
	st->largest_free = 0;
	for (struct free_blk *f = heap.free; f; f = f->next)
		st->largest_free = MAX(st->largest_free, blk_size(&f->h));
	heap_unlock();
}
