/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The launch state machine's edges (launch.c). Pure code: the hosted unit
 * test runs it with threads as CPUs and its own kick and sleep.
 */
#ifndef SKIFF_KERNEL_SMP_LAUNCH_H
#define SKIFF_KERNEL_SMP_LAUNCH_H

#include <skiff/smp.h>

/* Called once, by CPU 0, when the workers are up: what cpu_count() says. */
void smp_set_cpu_count(unsigned n);

/* A worker's life: wait for one launch on the calling CPU, run it, report. */
void smp_worker_run_one(void);

/*
 * What launch.c needs from the machine (kernel/smp/ipi.c in the kernel):
 * smp_kick() wakes @cpu if it is halted in smp_sleep(); smp_sleep() halts
 * the caller until a kick or any interrupt, at most a few milliseconds, so
 * a lost kick costs time, never a hang.
 */
void smp_kick(unsigned cpu);
void smp_sleep(void);

#endif
