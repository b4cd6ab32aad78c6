/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stopping every CPU: a fault or panic on any CPU, or the end of the NF,
 * stops the VM, and no other CPU may run on meanwhile (print over the
 * report, or keep using a device). The first CPU to get here sends every
 * other online CPU an NMI, which no cli masks; their NMI handler parks them
 * (traps.c). A CPU that gets here second parks itself: the first one's NMI
 * finds it parked.
 */
#include <skiff/console.h>
#include <skiff/fmt.h>
#include <skiff/time.h>
#include "../kernel.h"
#include "../cpu/cpu.h"
#include "../cpu/percpu.h"

/* Long enough for a vCPU the host has descheduled; we exit either way. */
#define STOP_TIMEOUT	(200 * NSEC_PER_MSEC)

static int32_t stopper = -1;	/* the CPU stopping the others */

bool smp_stopping(void)
{
	int32_t s = __atomic_load_n(&stopper, __ATOMIC_ACQUIRE);

	return s >= 0 && (unsigned)s != cpu_id();
}

void smp_park(void)
{
	__atomic_store_n(&this_cpu()->stopped, 1, __ATOMIC_RELEASE);
	for (;;)
		__asm__ __volatile__("cli; hlt");
}

static bool others_stopped(unsigned me)
{
	for (unsigned cpu = 0; cpu < SKIFF_MAX_CPUS; cpu++)
		if (cpu != me && __atomic_load_n(&percpu[cpu].online, __ATOMIC_ACQUIRE) &&
		    !__atomic_load_n(&percpu[cpu].stopped, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

void smp_stop_others(void)
{
	int32_t me = (int32_t)cpu_id(), none = -1;
	uint64_t t0;

	if (!__atomic_compare_exchange_n(&stopper, &none, me, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		if (none == me)
			return;		/* already done: a panic's shutdown() */
		smp_park();
	}
	for (unsigned cpu = 0; cpu < SKIFF_MAX_CPUS; cpu++)
		if (cpu != (unsigned)me && __atomic_load_n(&percpu[cpu].online, __ATOMIC_ACQUIRE))
			lapic_send(percpu[cpu].apic_id, ICR_NMI);
	/* Spinning: interrupts stay off on the way out. No CPU but the boot
	 * CPU is online before time_init(), so the clock is there. */
	for (t0 = rdtsc(); !others_stopped((unsigned)me); cpu_relax())
		if (tsc_to_ns(rdtsc() - t0) > STOP_TIMEOUT)
			break;
	/* Whoever held the console is parked now, or will never answer. */
	console_break_lock();
	for (unsigned cpu = 0; cpu < SKIFF_MAX_CPUS; cpu++)
		if (cpu != (unsigned)me && percpu[cpu].online && !percpu[cpu].stopped)
			printf("smp: cpu %u (APIC id %u) did not stop\n", cpu,
			       percpu[cpu].apic_id);
}

void smp_report_stop(void)
{
	unsigned me = cpu_id(), n = 0;
	char list[4 * SKIFF_MAX_CPUS + 1];

	for (unsigned cpu = 0; cpu < SKIFF_MAX_CPUS; cpu++)
		if (cpu != me && percpu[cpu].stopped)
			n += (unsigned)fmt_snprintf(list + n, sizeof(list) - n, " %u", cpu);
	list[n] = '\0';
	printf("*** on cpu %u (APIC id %u); other CPUs stopped:%s\n", me,
	       percpu[me].apic_id, n ? list : " none");
}
