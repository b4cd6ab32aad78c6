/* SPDX-License-Identifier: BSD-3-Clause */
/* What the ACPI and MP table parsers share; see cpus.h. */
#include <skiff/string.h>
#include "cpus.h"

#define BDA_EBDA_SEG	0x40e	/* u16: EBDA segment */
#define BASE_MEMORY_MAX	(640 * 1024)
#define XAPIC_ID_MAX	254	/* 255 is the broadcast id */

int fw_sum(const struct fwmem *m, uint64_t addr, size_t len)
{
	uint8_t buf[256], sum = 0;

	while (len) {
		size_t n = MIN(len, sizeof(buf));

		if (m->read(m, addr, buf, n) < 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			sum += buf[i];
		addr += n;
		len -= n;
	}
	return sum;
}

uint64_t fw_scan(const struct fwmem *m, uint64_t from, uint64_t to,
		 const char *sig, size_t len)
{
	size_t siglen = strlen(sig);
	char buf[16];

	if (siglen > sizeof(buf))
		return 0;
	for (uint64_t a = ALIGN_UP(from, 16); a < to && to - a >= len; a += 16)
		if (m->read(m, a, buf, siglen) == 0 && memcmp(buf, sig, siglen) == 0 &&
		    fw_sum(m, a, len) == 0)
			return a;
	return 0;
}

uint64_t fw_ebda(const struct fwmem *m)
{
	uint16_t seg;
	uint64_t a;

	if (m->read(m, BDA_EBDA_SEG, &seg, sizeof(seg)) < 0)
		return 0;
	a = (uint64_t)seg << 4;
	/* It lives below 640 KiB, above the BIOS data area. */
	return a >= 0x1000 && a + 1024 <= BASE_MEMORY_MAX ? a : 0;
}

void cpu_list_start(struct cpu_list *l, uint32_t bsp, const char *source,
		    uint64_t table)
{
	memset(l, 0, sizeof(*l));
	l->apic_id[0] = bsp;
	l->n = 1;
	l->source = source;
	l->table = table;
}

void cpu_list_add(struct cpu_list *l, uint32_t apic_id)
{
	l->listed++;
	for (unsigned i = 0; i < l->n; i++)
		if (l->apic_id[i] == apic_id) {
			if (i > 0)	/* listed twice: count it once */
				l->listed--;
			return;
		}
	if (apic_id > XAPIC_ID_MAX || l->n == SKIFF_MAX_CPUS) {
		l->skipped++;
		return;
	}
	l->apic_id[l->n++] = apic_id;
}
