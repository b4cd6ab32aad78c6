/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The long-mode GDT, one per CPU: one code and one data segment (flat;
 * segmentation is off in 64-bit mode) and a TSS whose only job is the IST
 * stacks for double faults and NMIs, so a stack overflow still gets a
 * register dump and an NMI that stops the CPU never lands on a broken stack.
 * Per CPU because ltr marks the TSS descriptor busy in the GDT it is in.
 */
#include "cpu.h"
#include "percpu.h"

void gdt_load(struct percpu *pc)
{
	uint64_t base = (uintptr_t)&pc->tss, limit = sizeof(pc->tss) - 1;
	uint64_t *gdt = pc->gdt;
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed ptr = { sizeof(pc->gdt) - 1, (uintptr_t)gdt };

	pc->tss.ist[IST_DF - 1] = pc->df_stack;
	pc->tss.ist[IST_NMI - 1] = pc->nmi_stack;
	pc->tss.iomap_base = sizeof(pc->tss);

	gdt[0] = 0;
	gdt[SEL_KCODE / 8] = 0x00af9a000000ffffULL;	/* 64-bit code, DPL 0 */
	gdt[SEL_KDATA / 8] = 0x00cf92000000ffffULL;
	/* 16-byte available 64-bit TSS descriptor (type 9, present). */
	gdt[SEL_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
			   (0x89ULL << 40) | (((limit >> 16) & 0xf) << 48) |
			   (((base >> 24) & 0xff) << 56);
	gdt[SEL_TSS / 8 + 1] = base >> 32;

	/* Not GS: loading a selector into it would reset the GS base. */
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
