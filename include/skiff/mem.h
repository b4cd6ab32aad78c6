/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Physical memory. Skiff is identity-mapped (virtual == physical), so every
 * pointer is also the address a device should DMA to.
 *
 * The boot allocator hands out large aligned regions carved from the free
 * RAM of the boot memory map (pools, rings, page tables). There is no free():
 * everything is allocated once at start and lives until the VM stops.
 */
#ifndef SKIFF_MEM_H
#define SKIFF_MEM_H

#include <skiff/compiler.h>

/*
 * Returns zeroed memory of @size bytes aligned to @align (a power of two),
 * or NULL after logging an error that names @what, the request and the
 * largest free block. Callers refuse to start when it fails.
 */
void *mem_alloc(size_t size, size_t align, const char *what);

/*
 * As mem_alloc(), but the memory holds whatever the RAM held: for large
 * regions whose owner writes what it reads before reading it (packet
 * buffers, descriptor tables, a heap). Zeroing those would write every page
 * of them at boot, which takes milliseconds under emulation.
 */
void *mem_alloc_raw(size_t size, size_t align, const char *what);

/* RAM the boot map reported as usable, and how much of it is taken. */
uint64_t mem_total(void);
uint64_t mem_used(void);

/* One past the highest usable RAM address. */
uint64_t mem_top(void);

/* Makes [addr, addr+len) accessible as uncached device memory (MMIO BARs). */
int mem_map_mmio(uint64_t addr, uint64_t len);

#endif
