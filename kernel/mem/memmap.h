/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A physical memory map kept sorted, non-overlapping and merged, whatever
 * order and overlaps the firmware reported. Pure code: unit-tested hosted.
 *
 * Types follow e820 (1 usable, 2 reserved, 3 ACPI, 4 NVS, 5 bad) plus types
 * of our own for memory Skiff took. Where ranges overlap, the higher type
 * wins, so anything not plainly usable is never handed out.
 */
#ifndef SKIFF_MEMMAP_H
#define SKIFF_MEMMAP_H

#include <skiff/compiler.h>

enum mem_type {
	MEM_USABLE = 1,
	MEM_RESERVED = 2,
	MEM_ACPI = 3,
	MEM_NVS = 4,
	MEM_BAD = 5,
	MEM_KERNEL = 16,	/* the image, boot info, initrd */
	MEM_ALLOCATED = 17,	/* handed out by mem_alloc() */
};

#define MEMMAP_MAX 64

struct mem_range {
	uint64_t base, len;
	uint32_t type;
};

struct memmap {
	struct mem_range r[MEMMAP_MAX];
	unsigned n;
};

/*
 * Adds a range, keeping the map normalised. Zero-length ranges are ignored;
 * a range that wraps past 2^64 is clipped. Returns 0, or -1 when the map
 * would need more than MEMMAP_MAX entries (the map is left unchanged).
 */
int memmap_add(struct memmap *m, uint64_t base, uint64_t len, uint32_t type);

/* Total bytes of @type. */
uint64_t memmap_total(const struct memmap *m, uint32_t type);

/* Highest end address of any range of @type (0 if none). */
uint64_t memmap_top(const struct memmap *m, uint32_t type);

/*
 * Lowest address >= @min, aligned to @align, where @size bytes of usable
 * memory lie; 0 if none. (Address 0 is never returned: the first MiB is
 * never offered, see mem_init.)
 */
uint64_t memmap_find(const struct memmap *m, uint64_t size, uint64_t align,
		     uint64_t min);

/* Largest usable block at or above @min. */
uint64_t memmap_largest(const struct memmap *m, uint64_t min);

const char *memmap_type_name(uint32_t type);

#endif
