/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which CPUs the VM has: the ACPI MADT where there is one, else the MP
 * table, else the boot CPU alone (said plainly; Skiff then runs on one
 * CPU). QEMU 7.2 gives both tables on pc and q35 (SeaBIOS) and on microvm
 * with acpi=on (qboot copies QEMU's ACPI tables and writes an MP table),
 * and the MP table alone on microvm with acpi=off. The MADT goes first for
 * more than habit: SeaBIOS's MP table lists one CPU per package (the MP
 * specification predates multi-core), and QEMU 7.2's -smp N is N cores of
 * one package, so it shows a single CPU. Firecracker writes an MP table,
 * cloud-hypervisor ACPI.
 */
#include <skiff/console.h>
#include <skiff/string.h>
#include "../kernel.h"
#include "../cpu/cpu.h"
#include "../cpu/percpu.h"
#include "cpus.h"
#include "internal.h"

#define LOW_MEMORY	(1ULL << 20)	/* BIOS areas: always readable */
#define BOOT_MAPPED	(4ULL << 30)	/* entry.S maps the first 4 GiB */

struct cpu_list smp_cpus;
static uint64_t cpus_wanted;

const struct param smp_params[] = {
	PARAM_INT("cpus", cpus_wanted, 1, SKIFF_MAX_CPUS,
		  "CPUs to run on (default: all the VM has)"),
};
const unsigned smp_nparams = ARRAY_SIZE(smp_params);

unsigned smp_cpus_wanted(void)
{
	return (unsigned)cpus_wanted;
}

/*
 * Firmware memory, identity-mapped: the first MiB (BIOS data area, EBDA,
 * BIOS ROM), and above it only ranges the boot memory map lists, so that a
 * stray table pointer never reads device registers.
 */
static const struct memmap *boot_map;

static bool in_boot_map(uint64_t a, uint64_t end)
{
	for (unsigned i = 0; i < boot_map->n; i++) {
		const struct mem_range *r = &boot_map->r[i];

		if (a >= r->base && end <= r->base + r->len)
			return true;
	}
	return false;
}

static int boot_read(const struct fwmem *m, uint64_t addr, void *buf, size_t len)
{
	uint64_t end = addr + len;

	if (end < addr || end > BOOT_MAPPED || (end > LOW_MEMORY && !in_boot_map(addr, end)))
		return -1;
	memcpy(buf, (const void *)(uintptr_t)addr, len);
	return 0;
}

void smp_discover(const struct boot_info *bi)
{
	static const struct fwmem mem = { boot_read };
	uint32_t a, b, c, d, bsp;
	struct cpu_list *l = &smp_cpus;

	cpuid(1, 0, &a, &b, &c, &d);
	bsp = b >> 24;		/* the initial APIC id */
	boot_map = &bi->map;
	if (bi->rsdp)
		log_debug("smp: the boot protocol says the ACPI RSDP is at %#llx\n",
			  (unsigned long long)bi->rsdp);
	if (acpi_find_cpus(&mem, bi->rsdp, bsp, l) < 0 &&
	    mptable_find_cpus(&mem, bsp, l) < 0) {
		cpu_list_start(l, bsp, "none", 0);
		log_warn("smp: no ACPI MADT or MP table: running on the boot CPU only\n");
	} else {
		log_info("smp: %u CPU%s in the %s at %#llx\n", l->listed,
			 l->listed == 1 ? "" : "s", l->source, (unsigned long long)l->table);
	}
	if (l->skipped)
		log_warn("smp: %u of them left out (more than SKIFF_MAX_CPUS %d, or an"
			 " APIC id above 254)\n", l->skipped, SKIFF_MAX_CPUS);
	percpu[0].apic_id = bsp;
	cpus_wanted = l->n;
}
