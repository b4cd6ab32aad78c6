/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Identity page tables. entry.S maps the first 4 GiB with 2 MiB pages; here we
 * unmap page 0 (so a NULL dereference faults instead of reading the IVT),
 * extend the map over RAM above 4 GiB and map MMIO BARs on request. Everything
 * stays in PML4 slot 0, i.e. below 512 GiB.
 */
#include <skiff/console.h>
#include <skiff/mem.h>
#include <skiff/string.h>
#include "../kernel.h"
#include "../boot/boot.h"

#define PAGE_2M		(2ULL << 20)
#define GIB		(1ULL << 30)
#define MAP_LIMIT	(512 * GIB)
#define ADDR_MASK	0x000ffffffffff000ULL

static uint64_t low_pt[512] __aligned(4096);

static uint64_t *pdpt(void)
{
	return (uint64_t *)(uintptr_t)(boot_pml4[0] & ADDR_MASK);
}

/* The page directory for the GiB containing @addr, created if needed. */
static uint64_t *pd_for(uint64_t addr)
{
	uint64_t *dir = pdpt();
	unsigned i = (unsigned)(addr / GIB);

	if (!(dir[i] & PTE_P)) {
		uint64_t *pd = mem_alloc(4096, 4096, "page directory");
		if (!pd)
			return NULL;
		dir[i] = (uintptr_t)pd | PTE_P | PTE_W;
	}
	return (uint64_t *)(uintptr_t)(dir[i] & ADDR_MASK);
}

static void flush_tlb(void)
{
	uint64_t cr3;
	__asm__ __volatile__("mov %%cr3, %0; mov %0, %%cr3" : "=r"(cr3) : : "memory");
}

static int map_range(uint64_t addr, uint64_t len, uint64_t flags, bool force)
{
	uint64_t end = ALIGN_UP(addr + len, PAGE_2M);

	if (end > MAP_LIMIT || end < addr)
		return -1;
	for (uint64_t a = ALIGN_DOWN(addr, PAGE_2M); a < end; a += PAGE_2M) {
		uint64_t *pd = pd_for(a);
		if (!pd)
			return -1;
		uint64_t *e = &pd[(a / PAGE_2M) % 512];
		if (a == 0)
			continue;	/* the first 2 MiB stay on low_pt */
		if (force || !(*e & PTE_P))
			*e = a | PTE_P | PTE_W | PTE_PS | flags;
	}
	flush_tlb();
	return 0;
}

void paging_init(uint64_t top)
{
	uint64_t *pd0 = pd_for(0);

	for (unsigned i = 1; i < 512; i++)
		low_pt[i] = ((uint64_t)i << 12) | PTE_P | PTE_W;
	low_pt[0] = 0;
	pd0[0] = (uintptr_t)low_pt | PTE_P | PTE_W;

	if (top > MAP_LIMIT) {
		log_warn("mem: RAM above 512 GiB is not mapped\n");
		top = MAP_LIMIT;
	}
	if (top > 4 * GIB && map_range(4 * GIB, top - 4 * GIB, 0, false) < 0)
		log_warn("mem: could not map RAM above 4 GiB\n");
	flush_tlb();
}

int mem_map_mmio(uint64_t addr, uint64_t len)
{
	if (map_range(addr, len, PTE_PCD | PTE_PWT, true) < 0) {
		log_err("mem: cannot map MMIO %#llx+%#llx\n",
			(unsigned long long)addr, (unsigned long long)len);
		return -1;
	}
	return 0;
}
