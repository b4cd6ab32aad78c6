/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Idling without burning the host CPU. A polling loop that finds nothing to
 * do can halt the vCPU for a while instead of spinning: on a shared host the
 * cycles go to the threads that move the packets (QEMU's I/O thread, other
 * VMs). The wake-up comes from the calling CPU's own local APIC timer (or an
 * IPI that launches work on it, include/skiff/smp.h), and interrupts are on
 * only here: never on the packet path. Works on every CPU, each on its own
 * timer.
 *
 * Typical use, once per poll:
 *     idle_poll(&idle, did_something);
 */
#ifndef SKIFF_IDLE_H
#define SKIFF_IDLE_H

#include <skiff/compiler.h>

/*
 * Halts the CPU for about @ns nanoseconds (or until an interrupt). Without
 * a usable local APIC it spins for that long instead.
 */
void cpu_idle(uint64_t ns);

/* Whether cpu_idle() really halts (a local APIC timer was found). */
bool cpu_idle_halts(void);

/*
 * APIC timer interrupts the calling CPU has taken: how a test tells a halt
 * that its own timer ended from a spin.
 */
uint64_t cpu_idle_wakeups(void);

struct idle {
	uint32_t empty;		/* consecutive polls without work */
	uint32_t spins;		/* polls to spin before halting; 0: never halt */
	uint32_t halt_ns;	/* how long each halt lasts */
};

/* Spins for @spins empty polls, then halts @halt_ns per further empty poll. */
static inline void idle_init(struct idle *s, uint32_t spins, uint32_t halt_ns)
{
	s->empty = 0;
	s->spins = spins;
	s->halt_ns = halt_ns;
}

static inline void idle_poll(struct idle *s, bool busy)
{
	if (likely(busy)) {
		s->empty = 0;
		return;
	}
	if (s->spins && ++s->empty >= s->spins)
		cpu_idle(s->halt_ns);
}

#endif
