/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CPUs from the Intel MultiProcessor Specification 1.4 table: what QEMU's
 * firmware offers where there is no ACPI (microvm with acpi=off: qboot
 * writes one at 0x9fc00), and what SeaBIOS also writes on pc and q35.
 */
#include <skiff/string.h>
#include "cpus.h"

struct mp_floating {
	char sig[4];			/* "_MP_" */
	uint32_t config;		/* the configuration table, 0 if default */
	uint8_t length;			/* in 16-byte units: 1 */
	uint8_t spec;
	uint8_t checksum;
	uint8_t feature[5];		/* feature[0] != 0: a default configuration */
} __packed;

struct mp_config {
	char sig[4];			/* "PCMP" */
	uint16_t length;		/* base table, header included */
	uint8_t spec;
	uint8_t checksum;		/* of the base table */
	char oem[8];
	char product[12];
	uint32_t oem_table;
	uint16_t oem_table_size;
	uint16_t entries;		/* qboot leaves it 0: go by length */
	uint32_t lapic;
	uint16_t ext_length;
	uint8_t ext_checksum;
	uint8_t reserved;
} __packed;

enum mp_entry { MP_PROCESSOR = 0, MP_BUS, MP_IOAPIC, MP_IOINT, MP_LINT };
#define MP_PROCESSOR_LEN	20	/* the other base entries take 8 bytes */
#define MP_CPU_ENABLED		(1u << 0)

STATIC_ASSERT(sizeof(struct mp_floating) == 16 && sizeof(struct mp_config) == 44,
	      "MP table layouts");

/* Where the spec says to look, as Linux does: the EBDA's first KiB, the
 * last KiB below 640 KiB (qboot's place), the BIOS ROM. */
static uint64_t floating_find(const struct fwmem *m)
{
	uint64_t ebda = fw_ebda(m), a = 0;

	if (ebda)
		a = fw_scan(m, ebda, ebda + 1024, "_MP_", sizeof(struct mp_floating));
	if (!a)
		a = fw_scan(m, 639 * 1024, 640 * 1024, "_MP_", sizeof(struct mp_floating));
	if (!a)
		a = fw_scan(m, 0xf0000, 0x100000, "_MP_", sizeof(struct mp_floating));
	return a;
}

int mptable_find_cpus(const struct fwmem *m, uint32_t bsp, struct cpu_list *out)
{
	struct mp_floating f;
	struct mp_config c;
	uint64_t a = floating_find(m);

	memset(out, 0, sizeof(*out));
	if (!a || m->read(m, a, &f, sizeof(f)) < 0 || f.length == 0 ||
	    fw_sum(m, a, f.length * 16u) != 0)
		return -1;
	if (f.feature[0]) {
		/* Every default configuration has two CPUs, APIC ids 0 and 1. */
		cpu_list_start(out, bsp, "MP table (default configuration)", a);
		cpu_list_add(out, 0);
		cpu_list_add(out, 1);
		return 0;
	}
	if (!f.config || m->read(m, f.config, &c, sizeof(c)) < 0 ||
	    memcmp(c.sig, "PCMP", 4) || c.length < sizeof(c) ||
	    fw_sum(m, f.config, c.length) != 0)
		return -1;
	cpu_list_start(out, bsp, "MP table", f.config);
	uint32_t off = sizeof(c);
	while (off < c.length) {
		uint8_t e[MP_PROCESSOR_LEN];
		uint32_t len;

		if (m->read(m, f.config + off, e, 1) < 0)
			break;
		if (e[0] == MP_PROCESSOR)
			len = MP_PROCESSOR_LEN;
		else if (e[0] <= MP_LINT)
			len = 8;
		else
			break;	/* unknown: its length is unknown too */
		if (len > c.length - off || m->read(m, f.config + off, e, len) < 0)
			break;
		/* type, APIC id, APIC version, flags, ... */
		if (e[0] == MP_PROCESSOR && (e[3] & MP_CPU_ENABLED))
			cpu_list_add(out, e[1]);
		off += len;
	}
	return 0;
}
