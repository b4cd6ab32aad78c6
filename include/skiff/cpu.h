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
 * Index of the calling core, dense from 0 and below SKIFF_MAX_CPUS.
 * Skiff runs one loop per core and never migrates, so the value is stable for
 * the caller's whole life.
 */
unsigned cpu_id(void);

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

#endif /* SKIFF_CPU_H */
