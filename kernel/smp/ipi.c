/* SPDX-License-Identifier: BSD-3-Clause */
/* launch.c's kick and sleep, on the local APIC. */
#include <skiff/idle.h>
#include <skiff/time.h>
#include "../cpu/cpu.h"
#include "../cpu/percpu.h"
#include "launch.h"

/* A lost kick costs at most this much. */
#define SLEEP_NS	(10 * NSEC_PER_MSEC)

void smp_kick(unsigned cpu)
{
	lapic_send(percpu[cpu].apic_id, ICR_FIXED | VEC_IPI);
}

void smp_sleep(void)
{
	cpu_idle(SLEEP_NS);
	/* Woken by a kick, not the timer: disarm it, or it would cut short
	 * the next cpu_idle() of whatever runs next. */
	lapic_timer_stop();
}
