/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Network functions on several cores, DPDK style: core k (cpu_id() k) owns
 * queue pair k of the NIC, its own pool cache and its own polling loop, and
 * shares nothing with the other cores on the fast path.
 *
 * CPU 0 runs a loop too (queue 0) and, between its polls, prints the report
 * lines for every core. A CPU that only reported would cost a vCPU that
 * polls nothing: on the 2-core hosts Skiff is tested on, cores=2 with a
 * reporting CPU would need 3 vCPUs for 2 queues, and the third would take
 * host time from QEMU's I/O thread. Reporting is once per interval, so
 * queue 0 loses a few microseconds a second.
 *
 * The other cores' counters are read while they run (READ_ONCE; each core
 * writes its own with WRITE_ONCE), so a report line may be a burst behind;
 * the summary is read after every core has returned (smp_wait orders it).
 */
#ifndef SKIFF_NF_CORES_H
#define SKIFF_NF_CORES_H

#include <skiff/config.h>
#include <skiff/smp.h>

#define NF_CORES_PARAM(var)                                                       \
	PARAM_INT("cores", var, 1, SKIFF_MAX_CPUS,                               \
		  "cores, each with its own queue pair (at most the CPUs running" \
		  " and the NIC's queue pairs)")

/*
 * 0 if @cores CPUs run Skiff (cpu_count()), else -1 after saying how to
 * get them: the NF then stops with EXIT_CONFIG.
 */
int nf_cores_check(const char *nf, unsigned cores);

/*
 * Runs @fn(@arg) on CPUs 1 .. @cores - 1 and on the calling CPU (CPU 0),
 * then waits for the others. Returns CPU 0's status, else the first
 * non-zero status of the others; EXIT_FAIL if a CPU could not be launched.
 */
int nf_cores_run(const char *nf, unsigned cores, smp_fn *fn, void *arg);

/*
 * The end of core @k's loop (of nf_cores_run()'s @cores): marks it done.
 * Core 0 then goes on calling @tick(now) about once a millisecond, halting
 * in between, until every core is done, so that the report lines keep
 * coming while the others finish.
 */
void nf_core_done(unsigned k, unsigned cores, void (*tick)(uint64_t now));

#endif
