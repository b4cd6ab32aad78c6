/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-CPU area: one struct percpu per CPU, reached through the GS base,
 * which each CPU points at its own entry when it starts (cpu_start). Its
 * first word is what cpu_id() reads. What lives here is what a CPU needs to
 * itself (its GDT and TSS, its stacks) and what others need to know of it
 * (its APIC id, whether it is online or stopped).
 */
#ifndef SKIFF_KERNEL_CPU_PERCPU_H
#define SKIFF_KERNEL_CPU_PERCPU_H

#include <skiff/cpu.h>

/* The 64-bit TSS: Skiff uses it for its interrupt stack table only. */
struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;

struct percpu {
	uint32_t id;			/* cpu_id(): at CPU_ID_GS_OFFSET */
	uint32_t apic_id;
	uint64_t timer_wakeups;		/* APIC timer interrupts taken */
	uintptr_t stack_lo, stack_hi;	/* the normal stack, for backtraces */
	uintptr_t df_stack, nmi_stack;	/* tops of the IST stacks */
	uint32_t online;		/* set by the CPU itself, once it runs C */
	uint32_t stopped;		/* parked for good by smp_stop_others() */
	uint64_t gdt[5];
	struct tss tss;
} __aligned(2 * CACHE_LINE);

STATIC_ASSERT(offsetof(struct percpu, id) == CPU_ID_GS_OFFSET,
	      "cpu_id() reads struct percpu's id");

extern struct percpu percpu[SKIFF_MAX_CPUS];

static inline struct percpu *this_cpu(void)
{
	return &percpu[cpu_id()];
}

/* Points GS at @pc, loads its GDT and TSS and the IDT: every CPU's start. */
void cpu_start(struct percpu *pc);

#endif
