/* SPDX-License-Identifier: BSD-3-Clause */
/* Kernel-internal interfaces between the subsystems in kernel/. */
#ifndef SKIFF_KERNEL_H
#define SKIFF_KERNEL_H

#include <skiff/compiler.h>
#include <skiff/config.h>
#include "mem/memmap.h"

/* What the boot protocol told us, in one form. */
struct boot_info {
	const char *proto;		/* "pvh" or "multiboot" */
	const char *cmdline;		/* never NULL */
	uint64_t initrd_base, initrd_len;	/* len 0: no initrd */
	uint64_t rsdp;			/* ACPI RSDP from PVH, 0 if not given */
	struct memmap map;		/* as reported, before reservations */
};

/* Fills @bi from the registers the boot stub saved; stops the VM on failure. */
void boot_info_parse(uint32_t proto, uint32_t info, struct boot_info *bi);

void kmain(uint32_t proto, uint32_t info);
void cpu_init(void);
/* The boot CPU's local APIC: lapic_init() before time_init() starts its
 * timer, lapic_calibrate() after it measures the timer against the TSC. */
void lapic_init(void);
void lapic_calibrate(void);

/*
 * The other CPUs (kernel/smp/). smp_discover() reads the firmware's tables
 * (before paging_init unmaps page 0, where the BIOS data area is) and makes
 * their count the default of cpus=; smp_start() starts what cpus= asks for,
 * or stops the VM with EXIT_CONFIG if there are not that many.
 */
struct percpu;
void smp_discover(const struct boot_info *bi);
void smp_start(const struct boot_info *bi);
__noreturn void ap_main(struct percpu *pc);
extern const struct param smp_params[];
extern const unsigned smp_nparams;

/*
 * Stopping (kernel/smp/stop.c), for faults, panics and shutdown: the first
 * CPU to call smp_stop_others() stops every other online CPU with an NMI
 * and waits (boundedly) until they are parked; a CPU that calls it while
 * another is stopping parks itself. smp_stopping() says whether another CPU
 * is stopping us; smp_report_stop() prints who stopped whom.
 */
void smp_stop_others(void);
bool smp_stopping(void);
__noreturn void smp_park(void);
void smp_report_stop(void);

/* The console's lock (kernel/console/printf.c): once the CPU that held it
 * has been stopped, smp_stop_others() takes it over. */
void console_break_lock(void);

/* Configuration (kernel/cmdline/config.c). */
struct nf;
void config_early(const char *cmdline);
int config_load(const struct nf *nf);
void mem_init(struct boot_info *bi);
void paging_init(uint64_t top);

/* Symbols from kernel.ld and entry.S. */
extern char __image_start[], __image_end[], __bss_start[], __bss_end[];
extern char boot_stack_bottom[], boot_stack_top[];
extern uint64_t boot_pml4[];

extern const char build_image[], build_rev[], build_opts[], build_cc[], build_tag[];

#endif
