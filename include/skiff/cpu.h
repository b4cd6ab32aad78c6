/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the rest of Skiff may ask of the CPU layer. The kernel implements these
 * in kernel/cpu/; hosted unit tests provide their own cpu_id() (a thread-local
 * index) so that code using per-core state runs unchanged on Linux.
 */
#ifndef SKIFF_CPU_H
#define SKIFF_CPU_H

#include <skiff/compiler.h>

/* Upper bound on cores any per-core table has to cover. */
#define SKIFF_MAX_CPUS 16

/*
 * Where cpu_id() finds the index: the first word of the calling CPU's
 * per-CPU area, which the GS base points at (kernel/cpu/percpu.h).
 */
#define CPU_ID_GS_OFFSET 0

/*
 * Index of the calling core, dense from 0 (the boot CPU) and below
 * cpu_count() (include/skiff/smp.h) and SKIFF_MAX_CPUS.
 * Skiff runs one loop per core and never migrates, so the value is stable for
 * the caller's whole life.
 *
 * In the kernel this is one instruction, mov %gs:0: the pool's fast path
 * calls it. It is an ordinary memory read to the compiler (the __seg_gs
 * address space), so it is never moved above the code that sets the GS base.
 */
#ifdef SKIFF_HOSTED
unsigned cpu_id(void);
#else
static __always_inline unsigned cpu_id(void)
{
	return *(const __seg_gs unsigned *)CPU_ID_GS_OFFSET;
}
#endif

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

#endif /* SKIFF_CPU_H */
