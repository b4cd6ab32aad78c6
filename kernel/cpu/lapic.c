/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The local APIC, used for two things: a one-shot timer that wakes the CPU
 * from hlt in cpu_idle(), and interprocessor interrupts (starting CPUs,
 * waking a worker for work, stopping CPUs with an NMI). The 8259 PICs are
 * masked so that no legacy IRQ (the PIT we calibrated with keeps counting)
 * can land on an exception vector. The timer's rate is measured against the
 * TSC at boot, on the boot CPU; QEMU's APIC runs at 1 GHz, real hardware at
 * the bus clock, which all CPUs share.
 *
 * Every CPU has its own APIC at the same address, so the state here (the
 * mapping and the rate) is shared and read-only after boot, while each CPU
 * programs its own APIC's registers: lapic_init() on the boot CPU,
 * lapic_init_ap() on the others.
 */
#include <skiff/console.h>
#include <skiff/idle.h>
#include <skiff/mem.h>
#include <skiff/portio.h>
#include <skiff/time.h>
#include "../kernel.h"
#include "cpu.h"
#include "percpu.h"

#define LAPIC_BASE	0xfee00000ULL
#define LAPIC_ID	0x020	/* bits 31:24 */
#define LAPIC_SVR	0x0f0	/* spurious vector, enable bit */
#define LAPIC_EOI	0x0b0
#define LAPIC_ICR_LO	0x300	/* writing it sends the IPI */
#define LAPIC_ICR_HI	0x310	/* destination APIC id in bits 31:24 */
#define LAPIC_LVT_TIMER	0x320
#define LAPIC_TIMER_ICR	0x380	/* initial count */
#define LAPIC_TIMER_CCR	0x390	/* current count */
#define LAPIC_TIMER_DCR	0x3e0	/* divide configuration */
#define SVR_ENABLE	0x100
#define DCR_DIV1	0xb
#define APIC_BASE_EN	(1u << 11)
#define ICR_PENDING	(1u << 12)	/* delivery status: not yet accepted */
#define IPI_SPINS	1000000		/* bound on waiting for delivery */

static volatile uint32_t *lapic;
static uint64_t ticks_per_us;	/* APIC timer ticks per microsecond */

static inline uint32_t lapic_read(unsigned reg)
{
	return lapic[reg / 4];
}

static inline void lapic_write(unsigned reg, uint32_t v)
{
	lapic[reg / 4] = v;
}

static void pic_mask_all(void)
{
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

/* What every CPU does to its own APIC: enable it, one-shot timer on VEC_WAKE. */
static void lapic_setup(void)
{
	lapic_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
	lapic_write(LAPIC_TIMER_DCR, DCR_DIV1);
	lapic_write(LAPIC_LVT_TIMER, VEC_WAKE);	/* one-shot, unmasked */
}

/*
 * Calibrating takes two calls so that the interval overlaps the TSC's own
 * calibration against the PIT (several milliseconds): lapic_init() starts the
 * timer counting down before time_init(), lapic_calibrate() reads it after.
 */
static uint64_t calib_tsc;

void lapic_init(void)
{
	uint32_t a, b, c, d;
	uint64_t base;

	pic_mask_all();
	cpuid(1, 0, &a, &b, &c, &d);
	if (!(d & (1u << 9))) {
		log_info("cpu: no local APIC; idle loops will spin\n");
		return;
	}
	base = rdmsr(MSR_APIC_BASE);
	if ((base & ~0xfffULL) != LAPIC_BASE || !(base & APIC_BASE_EN) ||
	    mem_map_mmio(LAPIC_BASE, 4096) < 0) {
		log_info("cpu: local APIC not at %#llx or disabled; idle loops will spin\n",
			 LAPIC_BASE);
		return;
	}
	lapic = (volatile uint32_t *)(uintptr_t)LAPIC_BASE;
	lapic_setup();
	lapic_write(LAPIC_TIMER_ICR, 0xffffffff);
	calib_tsc = rdtsc();
}

void lapic_calibrate(void)
{
	uint64_t us, now;
	uint32_t left;

	if (!lapic)
		return;
	/* At least 1 ms (the TSC's rate may have come from CPUID at once);
	 * the 32-bit count lasts over 4 s even at QEMU's 1 GHz. */
	while (tsc_to_ns(rdtsc() - calib_tsc) < 1000000)
		cpu_relax();
	left = lapic_read(LAPIC_TIMER_CCR);
	now = rdtsc();
	lapic_write(LAPIC_TIMER_ICR, 0);
	us = tsc_to_ns(now - calib_tsc) / 1000;
	ticks_per_us = us ? (0xffffffffULL - left) / us : 0;
	if (!ticks_per_us) {
		lapic = NULL;
		log_info("cpu: local APIC timer does not count; idle loops will spin\n");
		return;
	}
	this_cpu()->apic_id = lapic_id();
	log_debug("cpu: local APIC timer at %llu MHz\n", (unsigned long long)ticks_per_us);
}

/* An application processor's own APIC (the boot CPU found it usable). */
void lapic_init_ap(void)
{
	lapic_setup();
}

bool lapic_present(void)
{
	return lapic != NULL;
}

uint32_t lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

int lapic_send(uint32_t apic_id, uint32_t icr)
{
	lapic_write(LAPIC_ICR_HI, apic_id << 24);
	lapic_write(LAPIC_ICR_LO, icr);
	for (unsigned spins = 0; lapic_read(LAPIC_ICR_LO) & ICR_PENDING; spins++) {
		if (spins == IPI_SPINS)
			return -1;
		cpu_relax();
	}
	return 0;
}

void lapic_timer_stop(void)
{
	lapic_write(LAPIC_TIMER_ICR, 0);
}

bool cpu_idle_halts(void)
{
	return lapic != NULL;
}

void cpu_idle(uint64_t ns)
{
	uint64_t ticks;

	if (!lapic) {
		delay_us(ns / 1000);
		return;
	}
	ticks = ns * ticks_per_us / 1000;
	lapic_write(LAPIC_TIMER_ICR, (uint32_t)MIN(MAX(ticks, 1), 0xffffffffULL));
	/* sti takes effect after the next instruction, so the wake-up cannot
	 * slip in between and leave hlt waiting for good. */
	__asm__ __volatile__("sti; hlt; cli" ::: "memory");
}

uint64_t cpu_idle_wakeups(void)
{
	return __atomic_load_n(&this_cpu()->timer_wakeups, __ATOMIC_RELAXED);
}

/* Called from the interrupt stubs (trap_entry.S). */
void lapic_eoi(void);
void lapic_timer_irq(void);

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

void lapic_timer_irq(void)
{
	this_cpu()->timer_wakeups++;
	lapic_eoi();
}
