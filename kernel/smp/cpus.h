/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Finding the CPUs in the firmware's tables: the ACPI MADT (acpi.c) or the
 * Intel MultiProcessor table (mptable.c), with what the two share in
 * fwtable.c. Pure code: the hosted unit test feeds them byte arrays.
 * Everything is read through struct fwmem and every checksum is checked, so
 * a table pointing at nonsense costs a failed read, never a fault or a
 * made-up CPU.
 */
#ifndef SKIFF_KERNEL_SMP_CPUS_H
#define SKIFF_KERNEL_SMP_CPUS_H

#include <skiff/compiler.h>
#include <skiff/cpu.h>

/* Physical memory as the parsers see it. */
struct fwmem {
	/* Copies @len bytes at @addr into @buf: 0, or -1 if not readable. */
	int (*read)(const struct fwmem *m, uint64_t addr, void *buf, size_t len);
};

/* The usable CPUs: the boot CPU first, the others in the table's order. */
struct cpu_list {
	unsigned n;			/* entries in apic_id[] */
	unsigned listed;		/* enabled CPUs the table lists */
	unsigned skipped;		/* listed but left out: apic_id[] full, or id > 254 */
	uint32_t apic_id[SKIFF_MAX_CPUS];
	const char *source;		/* "ACPI MADT", "MP table" */
	uint64_t table;			/* its address */
};

/*
 * Fills @out from the ACPI MADT: the RSDP at @rsdp_hint if one is there
 * (PVH's rsdp_paddr; 0 for none), else where ACPI says to look (the EBDA's
 * first KiB, then 0xE0000-0xFFFFF); then the XSDT (or the RSDT), then the
 * "APIC" table. Entries not enabled (hot-pluggable slots: QEMU's maxcpus)
 * are left out, so are duplicates. @bsp is the calling CPU's APIC id: it is
 * entry 0 even if the table does not list it. Returns 0, or -1 if there is
 * no valid MADT.
 */
int acpi_find_cpus(const struct fwmem *m, uint64_t rsdp_hint, uint32_t bsp,
		   struct cpu_list *out);

/*
 * As acpi_find_cpus, from the MP table: the floating pointer in the EBDA's
 * first KiB, the last KiB below 640 KiB or 0xF0000-0xFFFFF, then its
 * configuration table, or for a default configuration APIC ids 0 and 1.
 */
int mptable_find_cpus(const struct fwmem *m, uint32_t bsp, struct cpu_list *out);

/* ----------------------------------------------- shared by the parsers */

/* Sum of the @len bytes at @addr, mod 256 (0 for a valid table), or -1. */
int fw_sum(const struct fwmem *m, uint64_t addr, size_t len);

/* First 16-byte aligned address in [from, to) holding @sig whose first
 * @len bytes sum to 0, or 0. */
uint64_t fw_scan(const struct fwmem *m, uint64_t from, uint64_t to,
		 const char *sig, size_t len);

/* The EBDA's address from the BIOS data area, or 0 if it names none. */
uint64_t fw_ebda(const struct fwmem *m);

void cpu_list_start(struct cpu_list *l, uint32_t bsp, const char *source,
		    uint64_t table);
void cpu_list_add(struct cpu_list *l, uint32_t apic_id);

#endif
