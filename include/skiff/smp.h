/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Running code on more than one CPU, in the spirit of DPDK's lcores.
 *
 * The kernel starts the CPUs the cpus= setting asks for (default: every CPU
 * the VM has, up to SKIFF_MAX_CPUS) before the NF's main() runs on CPU 0,
 * the boot CPU. Every other CPU is a worker: it halts until it is given a
 * function to run, runs it to completion, and halts again. Nothing preempts
 * or migrates it, so a function launched on a worker is that core's loop for
 * as long as it runs, and cpu_id() (include/skiff/cpu.h) is its index.
 *
 * The intended shape of a multi-core NF:
 *
 *     static int loop(void *arg)            // one per core
 *     {
 *             struct port *p = arg;
 *             unsigned q = cpu_id();         // its own queue pair and pool cache
 *             ...poll queue q until done...
 *             return EXIT_OK;
 *     }
 *
 *     main():  set up the NICs with cpu_count() queue pairs, then
 *              smp_launch_workers(loop, port);   // CPUs 1..n-1
 *              int rc = loop(port);               // CPU 0 takes queue 0
 *              int wrc = smp_wait_workers();
 *
 * Memory ordering. smp_launch() and smp_wait() synchronise like a release
 * and an acquire on one variable:
 *  - everything the launching CPU wrote before smp_launch() is visible to
 *    @fn when it starts on the worker;
 *  - everything @fn wrote (and everything visible to it) before it returned
 *    is visible to the CPU whose smp_wait() returned its value.
 * Nothing else is ordered: workers running at the same time share memory
 * only through the usual tools (the pool, atomics, acquire/release pairs),
 * and a CPU other than the launcher that wants a worker's results must be
 * ordered after the smp_wait() that collected them.
 *
 * Rules: a worker runs one function at a time. The CPU that launched it is
 * the one that waits for it, and it must, before launching on that worker
 * again. Launching costs an inter-processor interrupt and the wake-up of a
 * halted CPU: launch once per loop, never per packet.
 */
#ifndef SKIFF_SMP_H
#define SKIFF_SMP_H

#include <skiff/compiler.h>
#include <skiff/cpu.h>

/* What a worker runs; its return value is what smp_wait() returns. */
typedef int smp_fn(void *arg);

/*
 * CPUs running Skiff: cpu_id() values are 0 .. cpu_count() - 1. 1 before
 * the kernel started the others, and when the VM has one CPU or cpus=1.
 */
unsigned cpu_count(void);

/*
 * Starts @fn(@arg) on worker @cpu and returns without waiting: 0, or
 * -EINVAL if @cpu is 0, the calling CPU, not below cpu_count(), or still has
 * a launch that smp_wait() has not collected. Any CPU may launch on any
 * other worker (see the rules above).
 */
int smp_launch(unsigned cpu, smp_fn *fn, void *arg);

/*
 * Waits until the function launched on @cpu returns and gives its return
 * value; the worker is then free for another launch. The waiting CPU halts
 * (the worker's completion interrupts it) rather than spinning. A worker with
 * nothing launched returns 0 at once, as DPDK's rte_eal_wait_lcore does;
 * -EINVAL if @cpu is not a worker.
 */
int smp_wait(unsigned cpu);

/*
 * smp_launch(cpu, @fn, @arg) on every worker, 1 .. cpu_count() - 1 (none on
 * a one-CPU VM). 0, or the first error; a worker that was busy is skipped and
 * the others still start. Call it from CPU 0.
 */
int smp_launch_workers(smp_fn *fn, void *arg);

/*
 * smp_wait() on every worker, in order; 0 if all returned 0, else the
 * first non-zero return value (lowest CPU first).
 */
int smp_wait_workers(void);

/* Each worker's index in turn: unsigned cpu; SMP_FOREACH_WORKER(cpu) {...} */
#define SMP_FOREACH_WORKER(cpu) for ((cpu) = 1; (cpu) < cpu_count(); (cpu)++)

#endif /* SKIFF_SMP_H */
