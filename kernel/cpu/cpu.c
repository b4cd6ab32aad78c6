/* SPDX-License-Identifier: BSD-3-Clause */
#include <skiff/cpu.h>
#include "../kernel.h"
#include "cpu.h"
#include "percpu.h"

#define IST_STACK_SIZE	8192

struct percpu percpu[SKIFF_MAX_CPUS];

/* The boot CPU's IST stacks; the others get theirs from kernel/smp/start.c. */
static uint8_t boot_df_stack[IST_STACK_SIZE] __aligned(16);
static uint8_t boot_nmi_stack[IST_STACK_SIZE] __aligned(16);

void cpu_start(struct percpu *pc)
{
	/* First: cpu_id(), hence printf, reads through GS. */
	wrmsr(MSR_GS_BASE, (uintptr_t)pc);
	gdt_load(pc);
	idt_load();
}

/* The boot CPU, before anything prints. */
void cpu_init(void)
{
	struct percpu *pc = &percpu[0];

	pc->id = 0;
	pc->stack_lo = (uintptr_t)boot_stack_bottom;
	pc->stack_hi = (uintptr_t)boot_stack_top;
	pc->df_stack = (uintptr_t)boot_df_stack + sizeof(boot_df_stack);
	pc->nmi_stack = (uintptr_t)boot_nmi_stack + sizeof(boot_nmi_stack);
	pc->online = 1;
	idt_init();
	cpu_start(pc);
}
