/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CPUs from the ACPI MADT (ACPI 6.5, sections 5.2.5 RSDP, 5.2.7-8 RSDT and
 * XSDT, 5.2.12 MADT). Only what finding CPUs needs: Skiff uses no other
 * ACPI table and interprets no AML.
 */
#include <skiff/string.h>
#include "cpus.h"

struct rsdp {
	char sig[8];			/* "RSD PTR " */
	uint8_t checksum;		/* of the first 20 bytes */
	char oem[6];
	uint8_t revision;		/* 0: ACPI 1.0, RSDT only; 2+: XSDT too */
	uint32_t rsdt;
	uint32_t length;		/* revision 2+ from here on */
	uint64_t xsdt;
	uint8_t xchecksum;		/* of all length bytes */
	uint8_t reserved[3];
} __packed;

struct sdt {
	char sig[4];
	uint32_t length;		/* header included */
	uint8_t revision;
	uint8_t checksum;		/* of all length bytes */
	char oem[6];
	char oem_table[8];
	uint32_t oem_revision;
	uint32_t creator, creator_revision;
} __packed;

struct madt {
	struct sdt h;
	uint32_t lapic;
	uint32_t flags;
} __packed;

#define RSDP_V1_LEN	20
#define SDT_MAX_LEN	(1u << 20)	/* anything longer is not a real table */

enum madt_type { MADT_LAPIC = 0, MADT_X2APIC = 9 };
#define MADT_ENABLED	(1u << 0)	/* else a slot for a hot-plugged CPU */

STATIC_ASSERT(sizeof(struct rsdp) == 36 && sizeof(struct sdt) == 36 &&
	      sizeof(struct madt) == 44, "ACPI layouts");

/* Reads the RSDP at @a into @r; false if there is none. A revision 2 RSDP
 * whose extended checksum fails is used as revision 0 (RSDT only). */
static bool rsdp_read(const struct fwmem *m, uint64_t a, struct rsdp *r)
{
	memset(r, 0, sizeof(*r));
	if (m->read(m, a, r, RSDP_V1_LEN) < 0 || memcmp(r->sig, "RSD PTR ", 8) ||
	    fw_sum(m, a, RSDP_V1_LEN) != 0)
		return false;
	if (r->revision >= 2 && (m->read(m, a, r, sizeof(*r)) < 0 ||
				 r->length < sizeof(*r) || fw_sum(m, a, r->length) != 0))
		r->revision = 0;
	return true;
}

static uint64_t rsdp_find(const struct fwmem *m, uint64_t hint, struct rsdp *r)
{
	uint64_t ebda = fw_ebda(m), a = 0;

	if (hint && rsdp_read(m, hint, r))
		return hint;
	if (ebda)
		a = fw_scan(m, ebda, ebda + 1024, "RSD PTR ", RSDP_V1_LEN);
	if (!a)
		a = fw_scan(m, 0xe0000, 0x100000, "RSD PTR ", RSDP_V1_LEN);
	return a && rsdp_read(m, a, r) ? a : 0;
}

/* Whether a complete, checksummed table with @sig (any if NULL) is at @a. */
static bool sdt_read(const struct fwmem *m, uint64_t a, const char *sig, struct sdt *h)
{
	return a && m->read(m, a, h, sizeof(*h)) == 0 &&
	       (!sig || memcmp(h->sig, sig, 4) == 0) &&
	       h->length >= sizeof(*h) && h->length <= SDT_MAX_LEN &&
	       fw_sum(m, a, h->length) == 0;
}

/* Address of the table @sig listed in the XSDT or RSDT, or 0. */
static uint64_t sdt_find(const struct fwmem *m, const struct rsdp *r, const char *sig)
{
	bool x = r->revision >= 2 && r->xsdt;
	uint64_t root = x ? r->xsdt : r->rsdt;
	size_t esize = x ? 8 : 4;
	struct sdt h;

	if (!sdt_read(m, root, x ? "XSDT" : "RSDT", &h))
		return 0;
	for (size_t off = sizeof(h); off + esize <= h.length; off += esize) {
		uint64_t entry = 0;
		struct sdt t;

		if (m->read(m, root + off, &entry, esize) == 0 && sdt_read(m, entry, sig, &t))
			return entry;
	}
	return 0;
}

int acpi_find_cpus(const struct fwmem *m, uint64_t rsdp_hint, uint32_t bsp,
		   struct cpu_list *out)
{
	struct rsdp r;
	struct madt madt;
	uint64_t a;

	memset(out, 0, sizeof(*out));
	if (!rsdp_find(m, rsdp_hint, &r) || !(a = sdt_find(m, &r, "APIC")) ||
	    m->read(m, a, &madt, sizeof(madt)) < 0 || madt.h.length < sizeof(madt))
		return -1;
	cpu_list_start(out, bsp, "ACPI MADT", a);
	for (uint32_t off = sizeof(madt); off + 2 <= madt.h.length;) {
		uint8_t e[16];

		if (m->read(m, a + off, e, 2) < 0 || e[1] < 2 || e[1] > madt.h.length - off)
			break;	/* malformed: keep what came before */
		if (e[0] == MADT_LAPIC && e[1] >= 8 && m->read(m, a + off, e, 8) == 0) {
			/* type, length, ACPI processor id, APIC id, flags */
			uint32_t flags;
			memcpy(&flags, e + 4, 4);
			if (flags & MADT_ENABLED)
				cpu_list_add(out, e[3]);
		} else if (e[0] == MADT_X2APIC && e[1] >= 16 && m->read(m, a + off, e, 16) == 0) {
			/* type, length, reserved[2], x2APIC id, flags, UID */
			uint32_t id, flags;
			memcpy(&id, e + 4, 4);
			memcpy(&flags, e + 8, 4);
			if (flags & MADT_ENABLED)
				cpu_list_add(out, id);
		}
		off += e[1];
	}
	return 0;
}
