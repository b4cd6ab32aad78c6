/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Finding CPUs in firmware tables (kernel/smp/acpi.c, mptable.c): tables
 * built byte by byte in a fake 2 MiB of physical memory, laid out the way
 * SeaBIOS and qboot lay them out, then broken in the ways firmware breaks.
 */
#include <stdlib.h>
#include "cpus.h"
#include "tap.h"

#define MEM_SIZE	(2u << 20)
#define EBDA		0x9fc00
#define BIOS_AREA	0xf0000

static uint8_t *mem;

static int fake_read(const struct fwmem *m, uint64_t addr, void *buf, size_t len)
{
	if (addr >= MEM_SIZE || len > MEM_SIZE - addr)
		return -1;
	memcpy(buf, mem + addr, len);
	return 0;
}

static const struct fwmem fw = { fake_read };

static void reset_memory(void)
{
	memset(mem, 0, MEM_SIZE);
}

static void put16(uint32_t a, uint16_t v) { memcpy(mem + a, &v, 2); }
static void put32(uint32_t a, uint32_t v) { memcpy(mem + a, &v, 4); }
static void put64(uint32_t a, uint64_t v) { memcpy(mem + a, &v, 8); }

/* Sets the byte at @at so that [a, a + len) sums to 0. */
static void fix_sum(uint32_t a, uint32_t len, uint32_t at)
{
	uint8_t sum = 0;

	mem[at] = 0;
	for (uint32_t i = 0; i < len; i++)
		sum += mem[a + i];
	mem[at] = (uint8_t)-sum;
}

/* ------------------------------------------------------------- ACPI */

static void rsdp(uint32_t a, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	memcpy(mem + a, "RSD PTR ", 8);
	memcpy(mem + a + 9, "SKIFF ", 6);
	mem[a + 15] = rev;
	put32(a + 16, rsdt);
	fix_sum(a, 20, a + 8);
	if (rev >= 2) {
		put32(a + 20, 36);
		put64(a + 24, xsdt);
		fix_sum(a, 36, a + 32);
	}
}

static void sdt_header(uint32_t a, const char *sig, uint32_t len)
{
	memcpy(mem + a, sig, 4);
	put32(a + 4, len);
	mem[a + 8] = 1;
	memcpy(mem + a + 10, "SKIFF ", 6);
}

static void sdt_seal(uint32_t a)
{
	uint32_t len;

	memcpy(&len, mem + a + 4, 4);
	fix_sum(a, len, a + 9);
}

/* A root table at @a with @n entries of @esize bytes: 4 (RSDT) or 8 (XSDT). */
static void root(uint32_t a, unsigned esize, const uint32_t *tables, unsigned n)
{
	sdt_header(a, esize == 8 ? "XSDT" : "RSDT", 36 + n * esize);
	for (unsigned i = 0; i < n; i++) {
		if (esize == 8)
			put64(a + 36 + i * 8, tables[i]);
		else
			put32(a + 36 + i * 4, tables[i]);
	}
	sdt_seal(a);
}

/* MADT entries, appended at madt_end. */
static uint32_t madt_at, madt_end;

static void madt_start(uint32_t a)
{
	madt_at = a;
	madt_end = a + 44;
	put32(a + 36, 0xfee00000);
	put32(a + 40, 1);
}

static void madt_lapic(uint8_t apic_id, uint32_t flags)
{
	uint32_t e = madt_end;

	mem[e] = 0;
	mem[e + 1] = 8;
	mem[e + 2] = apic_id;	/* ACPI processor id: anything */
	mem[e + 3] = apic_id;
	put32(e + 4, flags);
	madt_end += 8;
}

static void madt_x2apic(uint32_t apic_id, uint32_t flags)
{
	uint32_t e = madt_end;

	mem[e] = 9;
	mem[e + 1] = 16;
	put32(e + 4, apic_id);
	put32(e + 8, flags);
	put32(e + 12, apic_id);
	madt_end += 16;
}

static void madt_ioapic(void)
{
	uint32_t e = madt_end;

	mem[e] = 1;
	mem[e + 1] = 12;
	mem[e + 2] = 0;
	put32(e + 4, 0xfec00000);
	madt_end += 12;
}

static void madt_seal(void)
{
	sdt_header(madt_at, "APIC", madt_end - madt_at);
	put32(madt_at + 36, 0xfee00000);
	put32(madt_at + 40, 1);
	sdt_seal(madt_at);
}

/* QEMU's shape: RSDP in the BIOS area, RSDT -> FACP, APIC. */
static void acpi_qemu(unsigned ncpus, unsigned hotplug)
{
	uint32_t tables[] = { 0x100100, 0x100200 };

	reset_memory();
	rsdp(0xf59e0, 0, 0x100000, 0);
	root(0x100000, 4, tables, 2);
	sdt_header(0x100100, "FACP", 36);
	sdt_seal(0x100100);
	madt_start(0x100200);
	for (unsigned i = 0; i < ncpus + hotplug; i++)
		madt_lapic((uint8_t)i, i < ncpus ? 1 : 0);
	madt_ioapic();
	madt_seal();
}

static void check_ids(const struct cpu_list *l, const uint32_t *want, unsigned n,
		      const char *what)
{
	int same = l->n == n;

	for (unsigned i = 0; same && i < n; i++)
		same = l->apic_id[i] == want[i];
	ok(same, "%s: APIC ids in order", what);
	if (!same) {
		printf("#   got");
		for (unsigned i = 0; i < l->n; i++)
			printf(" %u", l->apic_id[i]);
		printf("\n");
	}
}

static void test_acpi(void)
{
	struct cpu_list l;

	acpi_qemu(4, 0);
	is_u64(acpi_find_cpus(&fw, 0, 0, &l), 0, "QEMU MADT found by scanning the BIOS area");
	check_ids(&l, (uint32_t[]){ 0, 1, 2, 3 }, 4, "4 CPUs");
	is_u64(l.listed, 4, "4 listed");
	is_u64(l.table, 0x100200, "the MADT's address reported");
	is_str(l.source, "ACPI MADT", "source named");

	/* -smp 1,maxcpus=2: the hot-plug slot is not a CPU. */
	acpi_qemu(1, 1);
	is_u64(acpi_find_cpus(&fw, 0, 0, &l), 0, "maxcpus > cpus: MADT found");
	check_ids(&l, (uint32_t[]){ 0 }, 1, "disabled entry left out");
	is_u64(l.listed, 1, "disabled entry not counted");

	/* The boot CPU goes first, whatever the table's order. */
	acpi_qemu(4, 0);
	acpi_find_cpus(&fw, 0, 2, &l);
	check_ids(&l, (uint32_t[]){ 2, 0, 1, 3 }, 4, "boot CPU 2 first");

	/* A boot CPU the table forgot is still CPU 0. */
	acpi_find_cpus(&fw, 0, 7, &l);
	check_ids(&l, (uint32_t[]){ 7, 0, 1, 2, 3 }, 5, "unlisted boot CPU kept");

	/* The PVH hint wins over the scan; a wrong hint falls back to it. */
	acpi_qemu(2, 0);
	rsdp(0x7000, 0, 0x100000, 0);
	memset(mem + 0xf59e0, 0, 20);	/* no RSDP in the BIOS area any more */
	is_u64(acpi_find_cpus(&fw, 0x7000, 0, &l), 0, "RSDP at the hint used");
	acpi_qemu(2, 0);
	is_u64(acpi_find_cpus(&fw, 0x7000, 0, &l), 0, "bad hint: the scan still finds one");
	check_ids(&l, (uint32_t[]){ 0, 1 }, 2, "bad hint: 2 CPUs");

	/* ACPI 2.0: the XSDT, its RSDP in the EBDA that the BDA points at. */
	reset_memory();
	put16(0x40e, EBDA >> 4);
	rsdp(EBDA + 0x40, 2, 0, 0x180000);
	root(0x180000, 8, (uint32_t[]){ 0x180100 }, 1);
	madt_start(0x180100);
	madt_lapic(0, 1);
	madt_x2apic(5, 1);
	madt_x2apic(6, 0);
	madt_x2apic(300, 1);	/* beyond xAPIC: cannot be started */
	madt_lapic(5, 1);	/* listed twice */
	madt_seal();
	is_u64(acpi_find_cpus(&fw, 0, 0, &l), 0, "XSDT through the EBDA");
	check_ids(&l, (uint32_t[]){ 0, 5 }, 2, "x2APIC entries read, duplicates once");
	is_u64(l.skipped, 1, "APIC id 300 skipped and counted");

	/* More CPUs than SKIFF_MAX_CPUS. */
	acpi_qemu(SKIFF_MAX_CPUS + 4, 0);
	acpi_find_cpus(&fw, 0, 0, &l);
	is_u64(l.n, SKIFF_MAX_CPUS, "capped at SKIFF_MAX_CPUS");
	is_u64(l.listed, SKIFF_MAX_CPUS + 4, "all of them counted");
	is_u64(l.skipped, 4, "the rest skipped");

	/* Broken firmware. */
	acpi_qemu(4, 0);
	mem[0x100200 + 50]++;
	ok(acpi_find_cpus(&fw, 0, 0, &l) < 0, "MADT with a bad checksum refused");
	acpi_qemu(4, 0);
	mem[0xf59e0 + 10]++;
	ok(acpi_find_cpus(&fw, 0, 0, &l) < 0, "RSDP with a bad checksum refused");
	acpi_qemu(4, 0);
	put32(0xf59e0 + 16, 0x7fff0000);	/* RSDT beyond memory */
	fix_sum(0xf59e0, 20, 0xf59e0 + 8);
	ok(acpi_find_cpus(&fw, 0, 0, &l) < 0, "RSDT outside memory: no MADT, no fault");
	acpi_qemu(4, 0);
	put32(0x100004, 0xfffffff0);		/* RSDT length past the end */
	ok(acpi_find_cpus(&fw, 0, 0, &l) < 0, "absurd RSDT length refused");
	reset_memory();
	ok(acpi_find_cpus(&fw, 0, 0, &l) < 0, "no RSDP anywhere: -1");

	/* An entry of length 0 would loop for ever: what came before is kept. */
	acpi_qemu(4, 0);
	mem[0x100200 + 44 + 2 * 8 + 1] = 0;
	sdt_seal(0x100200);
	is_u64(acpi_find_cpus(&fw, 0, 0, &l), 0, "zero-length entry: MADT still read");
	check_ids(&l, (uint32_t[]){ 0, 1 }, 2, "zero-length entry: earlier CPUs kept");
	/* An entry running past the table's end is not read. */
	acpi_qemu(2, 0);
	mem[0x100200 + 44 + 8 + 1] = 200;
	sdt_seal(0x100200);
	acpi_find_cpus(&fw, 0, 0, &l);
	check_ids(&l, (uint32_t[]){ 0 }, 1, "overlong entry not read");
}

/* ------------------------------------------------------------- MP table */

static uint32_t mpc_at, mpc_end;

static void mp_floating(uint32_t a, uint32_t config, uint8_t default_type)
{
	memcpy(mem + a, "_MP_", 4);
	put32(a + 4, config);
	mem[a + 8] = 1;
	mem[a + 9] = 4;
	mem[a + 11] = default_type;
	fix_sum(a, 16, a + 10);
}

static void mpc_start(uint32_t a)
{
	mpc_at = a;
	mpc_end = a + 44;
}

static void mpc_cpu(uint8_t apic_id, uint8_t flags)
{
	uint32_t e = mpc_end;

	memset(mem + e, 0, 20);
	mem[e] = 0;
	mem[e + 1] = apic_id;
	mem[e + 2] = 0x14;
	mem[e + 3] = flags;
	mpc_end += 20;
}

static void mpc_entry8(uint8_t type)
{
	memset(mem + mpc_end, 0, 8);
	mem[mpc_end] = type;
	mpc_end += 8;
}

/* @count as the firmware wrote it: qboot leaves it 0. */
static void mpc_seal(uint16_t count)
{
	memcpy(mem + mpc_at, "PCMP", 4);
	put16(mpc_at + 4, (uint16_t)(mpc_end - mpc_at));
	mem[mpc_at + 6] = 4;
	memcpy(mem + mpc_at + 8, "QBOOT   ", 8);
	put16(mpc_at + 34, count);
	put32(mpc_at + 36, 0xfee00000);
	fix_sum(mpc_at, mpc_end - mpc_at, mpc_at + 7);
}

/* qboot's shape: at 0x9fc00, and no EBDA pointer. */
static void mp_qboot(unsigned ncpus)
{
	reset_memory();
	mp_floating(0x9fc00, 0x9fc10, 0);
	mpc_start(0x9fc10);
	for (unsigned i = 0; i < ncpus; i++)
		mpc_cpu((uint8_t)i, i == 0 ? 3 : 1);
	mpc_entry8(1);		/* bus */
	mpc_entry8(2);		/* I/O APIC */
	for (int i = 0; i < 15; i++)
		mpc_entry8(3);	/* interrupt sources */
	mpc_entry8(4);
	mpc_entry8(4);
	mpc_seal(0);
}

static void test_mptable(void)
{
	struct cpu_list l;

	mp_qboot(3);
	is_u64(mptable_find_cpus(&fw, 0, &l), 0, "qboot's MP table found at the end of base memory");
	check_ids(&l, (uint32_t[]){ 0, 1, 2 }, 3, "qboot: 3 CPUs, entry count 0 ignored");
	is_u64(l.table, 0x9fc10, "configuration table's address reported");
	is_str(l.source, "MP table", "source named");

	/* SeaBIOS's shape: EBDA pointer, floating pointer in the BIOS area,
	 * a disabled CPU, entries counted. */
	reset_memory();
	put16(0x40e, EBDA >> 4);
	mp_floating(BIOS_AREA + 0x5a40, 0xf5a50, 0);
	mpc_start(0xf5a50);
	mpc_cpu(0, 3);
	mpc_cpu(1, 0);		/* not enabled */
	mpc_cpu(2, 1);
	mpc_entry8(1);
	mpc_seal(4);
	is_u64(mptable_find_cpus(&fw, 0, &l), 0, "MP table found in the BIOS area");
	check_ids(&l, (uint32_t[]){ 0, 2 }, 2, "disabled CPU left out");

	reset_memory();
	mp_floating(BIOS_AREA + 0x100, 0, 5);
	is_u64(mptable_find_cpus(&fw, 1, &l), 0, "default configuration");
	check_ids(&l, (uint32_t[]){ 1, 0 }, 2, "default configuration: APIC ids 0 and 1");

	mp_qboot(2);
	mem[0x9fc10 + 44 + 5]++;
	ok(mptable_find_cpus(&fw, 0, &l) < 0, "bad configuration checksum refused");
	mp_qboot(2);
	mem[0x9fc00 + 4]++;
	ok(mptable_find_cpus(&fw, 0, &l) < 0, "bad floating pointer checksum: not found");
	mp_qboot(2);
	put32(0x9fc04, 0x7fff0000);
	fix_sum(0x9fc00, 16, 0x9fc0a);
	ok(mptable_find_cpus(&fw, 0, &l) < 0, "configuration table outside memory: -1, no fault");
	reset_memory();
	ok(mptable_find_cpus(&fw, 0, &l) < 0, "no MP table: -1");

	/* An unknown entry type has an unknown length: stop there. */
	mp_qboot(1);
	mpc_start(0x9fc10);
	mpc_cpu(0, 3);
	mpc_cpu(1, 1);
	mpc_entry8(0x80);
	mpc_cpu(2, 1);
	mpc_seal(0);
	mptable_find_cpus(&fw, 0, &l);
	check_ids(&l, (uint32_t[]){ 0, 1 }, 2, "unknown entry type: CPUs before it kept");
}

static void test_scan(void)
{
	reset_memory();
	memcpy(mem + 0xe0008, "RSD PTR ", 8);	/* not 16-byte aligned */
	is_u64(fw_scan(&fw, 0xe0000, 0x100000, "RSD PTR ", 20), 0, "unaligned signature ignored");
	put16(0x40e, 0x10);
	is_u64(fw_ebda(&fw), 0, "EBDA pointer into the BIOS data area ignored");
	put16(0x40e, 0xa000);
	is_u64(fw_ebda(&fw), 0, "EBDA pointer past 640 KiB ignored");
	put16(0x40e, EBDA >> 4);
	is_u64(fw_ebda(&fw), EBDA, "EBDA pointer read");
}

int main(void)
{
	mem = calloc(1, MEM_SIZE);
	test_acpi();
	test_mptable();
	test_scan();
	free(mem);
	return done_testing();
}
