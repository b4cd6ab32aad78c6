/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The boot allocator: first fit over the usable RAM of the boot memory map,
 * above 1 MiB, never freed. Everything Skiff allocates is allocated at start
 * (pools, rings, page tables), so nothing more is needed.
 */
#include <skiff/console.h>
#include <skiff/mem.h>
#include <skiff/shutdown.h>
#include <skiff/string.h>
#include "../kernel.h"

#define LOW_MEMORY (1ULL << 20)	/* BIOS data, option ROMs, boot structures */

static struct memmap map;

static void reserve(uint64_t base, uint64_t len, uint32_t type)
{
	if (memmap_add(&map, base, len, type) < 0)
		log_warn("mem: memory map full; cannot record %#llx+%#llx\n",
			 (unsigned long long)base, (unsigned long long)len);
}

void mem_init(struct boot_info *bi)
{
	uint64_t img = (uintptr_t)__image_start, img_end = (uintptr_t)__image_end;

	map = bi->map;
	/* The image must lie in RAM the loader called usable. */
	if (memmap_find(&map, img_end - img, 1, img) != img) {
		printf("skiff: the kernel image (%#llx-%#llx) is not inside usable RAM;"
		       " give the VM more memory\n",
		       (unsigned long long)img, (unsigned long long)img_end);
		shutdown(EXIT_FAULT);
	}
	reserve(0, LOW_MEMORY, MEM_RESERVED);
	reserve(img, img_end - img, MEM_KERNEL);
	if (bi->initrd_len)
		reserve(bi->initrd_base, bi->initrd_len, MEM_KERNEL);

	paging_init(memmap_top(&bi->map, MEM_USABLE));

	log_info("mem: %llu MiB usable, image %#llx-%#llx (%llu KiB), %llu MiB free\n",
		 (unsigned long long)(memmap_total(&bi->map, MEM_USABLE) >> 20),
		 (unsigned long long)img, (unsigned long long)img_end,
		 (unsigned long long)((img_end - img) >> 10),
		 (unsigned long long)(memmap_total(&map, MEM_USABLE) >> 20));
	for (unsigned i = 0; i < bi->map.n; i++)
		log_debug("mem:   0x%012llx-0x%012llx %s\n",
			  (unsigned long long)bi->map.r[i].base,
			  (unsigned long long)(bi->map.r[i].base + bi->map.r[i].len),
			  memmap_type_name(bi->map.r[i].type));
}

void *mem_alloc_raw(size_t size, size_t align, const char *what)
{
	uint64_t addr;

	if (align < 64)
		align = 64;
	addr = memmap_find(&map, size, align, LOW_MEMORY);
	if (!addr || memmap_add(&map, addr, size, MEM_ALLOCATED) < 0) {
		log_err("mem: cannot allocate %llu KiB for %s: largest free block is %llu KiB"
			" (give the VM more memory with -m)\n",
			(unsigned long long)(size >> 10), what,
			(unsigned long long)(memmap_largest(&map, LOW_MEMORY) >> 10));
		return NULL;
	}
	return (void *)(uintptr_t)addr;
}

void *mem_alloc(size_t size, size_t align, const char *what)
{
	void *p = mem_alloc_raw(size, align, what);

	return p ? memset(p, 0, size) : NULL;
}

uint64_t mem_total(void)
{
	return memmap_total(&map, MEM_USABLE) + memmap_total(&map, MEM_KERNEL) +
	       memmap_total(&map, MEM_ALLOCATED);
}

uint64_t mem_top(void)
{
	return memmap_top(&map, MEM_USABLE);
}

uint64_t mem_used(void)
{
	return memmap_total(&map, MEM_KERNEL) + memmap_total(&map, MEM_ALLOCATED);
}
