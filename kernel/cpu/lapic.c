/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The local APIC, used for one thing: a one-shot timer that wakes the CPU
 * from hlt in cpu_idle(). The 8259 PICs are masked so that no legacy IRQ
 * (the PIT we calibrated with keeps counting) can land on an exception
 * vector. The timer's rate is measured against the TSC at boot; QEMU's APIC
 * runs at 1 GHz, real hardware at the bus clock.
 */
#include <skiff/console.h>
#include <skiff/idle.h>
#include <skiff/mem.h>
#include <skiff/portio.h>
#include <skiff/time.h>
#include "../kernel.h"
#include "cpu.h"

#define LAPIC_BASE	0xfee00000ULL
#define LAPIC_SVR	0x0f0	/* spurious vector, enable bit */
#define LAPIC_EOI	0x0b0
#define LAPIC_LVT_TIMER	0x320
#define LAPIC_TIMER_ICR	0x380	/* initial count */
#define LAPIC_TIMER_CCR	0x390	/* current count */
#define LAPIC_TIMER_DCR	0x3e0	/* divide configuration */
#define SVR_ENABLE	0x100
#define DCR_DIV1	0xb
#define MSR_APIC_BASE	0x1b
#define APIC_BASE_EN	(1u << 11)

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

void lapic_init(void)
{
	uint32_t a, b, c, d, lo, hi;

	pic_mask_all();
	cpuid(1, 0, &a, &b, &c, &d);
	if (!(d & (1u << 9))) {
		log_info("cpu: no local APIC; idle loops will spin\n");
		return;
	}
	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(MSR_APIC_BASE));
	if (((lo & ~0xfffu) | (uint64_t)hi << 32) != LAPIC_BASE || !(lo & APIC_BASE_EN) ||
	    mem_map_mmio(LAPIC_BASE, 4096) < 0) {
		log_info("cpu: local APIC not at %#llx or disabled; idle loops will spin\n",
			 LAPIC_BASE);
		return;
	}
	lapic = (volatile uint32_t *)(uintptr_t)LAPIC_BASE;
	lapic_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
	lapic_write(LAPIC_TIMER_DCR, DCR_DIV1);
	lapic_write(LAPIC_LVT_TIMER, VEC_WAKE);	/* one-shot, unmasked */

	/* Measure the timer against the TSC over 1 ms. */
	lapic_write(LAPIC_TIMER_ICR, 0xffffffff);
	uint64_t t0 = rdtsc();
	delay_us(1000);
	uint32_t left = lapic_read(LAPIC_TIMER_CCR);
	uint64_t t1 = rdtsc();
	lapic_write(LAPIC_TIMER_ICR, 0);
	uint64_t us = tsc_to_ns(t1 - t0) / 1000;
	ticks_per_us = us ? (0xffffffffULL - left) / us : 0;
	if (!ticks_per_us) {
		lapic = NULL;
		log_info("cpu: local APIC timer does not count; idle loops will spin\n");
		return;
	}
	log_debug("cpu: local APIC timer at %llu MHz\n", (unsigned long long)ticks_per_us);
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

/* Called from the interrupt stub for VEC_WAKE. */
void lapic_eoi(void);
void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}
