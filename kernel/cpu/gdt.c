/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The long-mode GDT: one code and one data segment (flat; segmentation is off
 * in 64-bit mode) and a TSS whose only job is the IST stack for double faults
 * and NMIs, so a stack overflow still gets a register dump.
 */
#include "cpu.h"

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;

static uint8_t fault_stack[8192] __aligned(16);
static struct tss tss;
static uint64_t gdt[5];

void gdt_init(void)
{
	uint64_t base = (uintptr_t)&tss, limit = sizeof(tss) - 1;
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed ptr = { sizeof(gdt) - 1, (uintptr_t)gdt };

	tss.ist[0] = (uintptr_t)(fault_stack + sizeof(fault_stack));
	tss.iomap_base = sizeof(tss);

	gdt[0] = 0;
	gdt[SEL_KCODE / 8] = 0x00af9a000000ffffULL;	/* 64-bit code, DPL 0 */
	gdt[SEL_KDATA / 8] = 0x00cf92000000ffffULL;
	/* 16-byte available 64-bit TSS descriptor (type 9, present). */
	gdt[SEL_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
			   (0x89ULL << 40) | (((limit >> 16) & 0xf) << 48) |
			   (((base >> 24) & 0xff) << 56);
	gdt[SEL_TSS / 8 + 1] = base >> 32;

	__asm__ __volatile__(
		"lgdt %0\n\t"
		"pushq %1\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"mov %2, %%eax\n\t"
		"mov %%eax, %%ds\n\t"
		"mov %%eax, %%es\n\t"
		"mov %%eax, %%ss\n\t"
		"ltr %w3\n\t"
		:
		: "m"(ptr), "i"(SEL_KCODE), "i"(SEL_KDATA), "r"(SEL_TSS)
		: "rax", "memory");
}
