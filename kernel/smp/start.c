/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Starting the application processors (APs) the MultiProcessor
 * Specification's way: an INIT IPI puts each in its wait-for-startup state
 * (SeaBIOS leaves them halted in its own code), then STARTUP IPIs send it to
 * real mode at the page that holds the trampoline (trampoline.S), which
 * takes it into long mode on the kernel's page tables and to ap_main() on
 * its own stack. One AP at a time: they share the trampoline and the two
 * words that tell it which per-CPU area and stack are its own.
 */
#include <skiff/console.h>
#include <skiff/idle.h>
#include <skiff/mem.h>
#include <skiff/shutdown.h>
#include <skiff/string.h>
#include <skiff/time.h>
#include "../boot/boot.h"
#include "../kernel.h"
#include "../cpu/cpu.h"
#include "../cpu/percpu.h"
#include "launch.h"
#include "internal.h"

/* A page below 1 MiB that is RAM on every PC and that nothing else uses
 * once Skiff runs; its number is the STARTUP IPI's vector. */
#define SMP_TRAMPOLINE	0x8000
#define INIT_DELAY_US	10000		/* INIT to STARTUP, as the spec asks */
#define SIPI_DELAY_US	200		/* between the two STARTUP IPIs */
#define START_TIMEOUT	(5 * NSEC_PER_SEC)	/* TCG on a busy host is slow */
#define AP_STACK_SIZE	BOOT_STACK_SIZE
#define AP_IST_SIZE	8192

extern const char ap_trampoline[], ap_trampoline_end[];

/* Read by ap_start64 (entry.S) on the AP being started. */
uintptr_t ap_boot_stack;
struct percpu *ap_boot_cpu;

static __noreturn void cannot_start(const char *why, unsigned cpu)
{
	printf("smp: cannot start cpu %u (APIC id %u): %s\n", cpu,
	       percpu[cpu].apic_id, why);
	shutdown(EXIT_FAULT);
}

/* Stacks and per-CPU area of CPU @cpu. */
static void ap_prepare(unsigned cpu)
{
	struct percpu *pc = &percpu[cpu];
	uint8_t *mem = mem_alloc(AP_STACK_SIZE + 2 * AP_IST_SIZE, 4096, "CPU stacks");

	if (!mem)
		cannot_start("no memory for its stacks", cpu);
	pc->id = cpu;
	pc->apic_id = smp_cpus.apic_id[cpu];
	pc->stack_lo = (uintptr_t)mem;
	pc->stack_hi = pc->stack_lo + AP_STACK_SIZE;
	pc->df_stack = pc->stack_hi + AP_IST_SIZE;
	pc->nmi_stack = pc->df_stack + AP_IST_SIZE;
}

static bool ap_online(const struct percpu *pc)
{
	return __atomic_load_n(&pc->online, __ATOMIC_ACQUIRE);
}

static void ap_boot(unsigned cpu)
{
	struct percpu *pc = &percpu[cpu];
	uint32_t startup = ICR_STARTUP | (SMP_TRAMPOLINE >> 12);
	uint64_t t0;

	ap_boot_cpu = pc;
	ap_boot_stack = pc->stack_hi;
	mb();		/* before the IPI that makes the AP read them */
	if (lapic_send(pc->apic_id, startup) < 0)
		cannot_start("its APIC did not accept the STARTUP IPI", cpu);
	delay_us(SIPI_DELAY_US);
	/* A second one, as the spec says; ignored by a CPU already started. */
	if (!ap_online(pc))
		lapic_send(pc->apic_id, startup);
	/* Halting, not spinning, leaves the host's cores to the new vCPU. */
	for (t0 = time_ns(); !ap_online(pc); cpu_idle(50 * NSEC_PER_USEC))
		if (time_ns() - t0 > START_TIMEOUT)
			cannot_start("it did not report in within 5 s", cpu);
}

/* Whether [SMP_TRAMPOLINE, +4 KiB) is RAM the boot memory map calls usable. */
static bool trampoline_page_usable(const struct memmap *map)
{
	return memmap_find(map, 4096, 4096, SMP_TRAMPOLINE) == SMP_TRAMPOLINE;
}

void smp_start(const struct boot_info *bi)
{
	unsigned want = smp_cpus_wanted(), have = smp_cpus.n;
	uint64_t t0 = time_ns();

	log_info("smp: cpu 0 online, APIC id %u (boot CPU)\n", percpu[0].apic_id);
	if (want > have) {
		printf("config error: cpus=%u, but this VM has %u CPU%s (%s)\n", want, have,
		       have == 1 ? "" : "s", smp_cpus.source);
		shutdown(EXIT_CONFIG);
	}
	if (want == 1)
		return;
	if (!lapic_present()) {
		printf("config error: cpus=%u needs a usable local APIC, and there is none\n",
		       want);
		shutdown(EXIT_CONFIG);
	}
	if (!trampoline_page_usable(&bi->map))
		cannot_start("the page for the startup code (0x8000) is not usable RAM", 1);

	memcpy((void *)(uintptr_t)SMP_TRAMPOLINE, ap_trampoline,
	       (size_t)(ap_trampoline_end - ap_trampoline));
	for (unsigned cpu = 1; cpu < want; cpu++) {
		ap_prepare(cpu);
		if (lapic_send(percpu[cpu].apic_id, ICR_INIT) < 0)
			cannot_start("its APIC did not accept the INIT IPI", cpu);
		lapic_send(percpu[cpu].apic_id, ICR_INIT_DEASSERT);
	}
	delay_us(INIT_DELAY_US);
	for (unsigned cpu = 1; cpu < want; cpu++)
		ap_boot(cpu);
	smp_set_cpu_count(want);
	log_info("smp: %u CPUs online, started in %llu ms\n", want,
		 (unsigned long long)((time_ns() - t0) / NSEC_PER_MSEC));
}

/* An AP's first C, on its own stack, with interrupts off. */
void ap_main(struct percpu *pc)
{
	cpu_start(pc);
	lapic_init_ap();
	if (lapic_id() != pc->apic_id)
		log_warn("smp: cpu %u has APIC id %u, the table said %u\n", cpu_id(),
			 lapic_id(), pc->apic_id);
	log_info("smp: cpu %u online, APIC id %u\n", cpu_id(), lapic_id());
	__atomic_store_n(&pc->online, 1, __ATOMIC_RELEASE);
	for (;;)
		smp_worker_run_one();
}
