/* SPDX-License-Identifier: BSD-3-Clause */
/* See memmap.h. Maps are small (tens of ranges), so clarity beats big-O. */
#include "memmap.h"

static uint32_t type_at(const struct memmap *m, uint64_t addr)
{
	for (unsigned i = 0; i < m->n; i++)
		if (addr >= m->r[i].base && addr - m->r[i].base < m->r[i].len)
			return m->r[i].type;
	return 0;
}

int memmap_add(struct memmap *m, uint64_t base, uint64_t len, uint32_t type)
{
	uint64_t pts[2 * MEMMAP_MAX + 2];
	unsigned np = 0;
	struct memmap out = { .n = 0 };

	if (base + len < base)
		len = UINT64_MAX - base;	/* clip: the last byte is never RAM */
	if (len == 0)
		return 0;
	uint64_t end = base + len;

	/* Boundary points of every range, the new one included. */
	for (unsigned i = 0; i < m->n; i++) {
		pts[np++] = m->r[i].base;
		pts[np++] = m->r[i].base + m->r[i].len;
	}
	pts[np++] = base;
	pts[np++] = end;

	for (unsigned i = 1; i < np; i++) {	/* insertion sort */
		uint64_t v = pts[i];
		unsigned j = i;
		while (j > 0 && pts[j - 1] > v) {
			pts[j] = pts[j - 1];
			j--;
		}
		pts[j] = v;
	}

	/* Each elementary interval takes the highest type covering it. */
	for (unsigned i = 0; i + 1 < np; i++) {
		uint64_t a = pts[i], b = pts[i + 1];
		if (a == b)
			continue;
		uint32_t t = type_at(m, a);
		if (a >= base && a < end && type > t)
			t = type;
		if (!t)
			continue;
		if (out.n && out.r[out.n - 1].type == t &&
		    out.r[out.n - 1].base + out.r[out.n - 1].len == a) {
			out.r[out.n - 1].len += b - a;
			continue;
		}
		if (out.n == MEMMAP_MAX)
			return -1;
		out.r[out.n++] = (struct mem_range){ a, b - a, t };
	}
	*m = out;
	return 0;
}

uint64_t memmap_total(const struct memmap *m, uint32_t type)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < m->n; i++)
		if (m->r[i].type == type)
			sum += m->r[i].len;
	return sum;
}

uint64_t memmap_top(const struct memmap *m, uint32_t type)
{
	uint64_t top = 0;

	for (unsigned i = 0; i < m->n; i++)
		if (m->r[i].type == type && m->r[i].base + m->r[i].len > top)
			top = m->r[i].base + m->r[i].len;
	return top;
}

uint64_t memmap_find(const struct memmap *m, uint64_t size, uint64_t align,
		     uint64_t min)
{
	if (!size || !IS_POW2(align))
		return 0;
	for (unsigned i = 0; i < m->n; i++) {
		const struct mem_range *r = &m->r[i];
		uint64_t end = r->base + r->len;

		if (r->type != MEM_USABLE || end <= min)
			continue;
		uint64_t a = ALIGN_UP(MAX(r->base, min), align);
		if (a == 0 || a < r->base)
			continue;	/* alignment wrapped */
		if (a < end && end - a >= size)
			return a;
	}
	return 0;
}

uint64_t memmap_largest(const struct memmap *m, uint64_t min)
{
	uint64_t best = 0;

	for (unsigned i = 0; i < m->n; i++) {
		const struct mem_range *r = &m->r[i];
		uint64_t end = r->base + r->len;

		if (r->type != MEM_USABLE || end <= min)
			continue;
		uint64_t a = MAX(r->base, min);
		if (end - a > best)
			best = end - a;
	}
	return best;
}

const char *memmap_type_name(uint32_t type)
{
	switch (type) {
	case MEM_USABLE: return "usable";
	case MEM_RESERVED: return "reserved";
	case MEM_ACPI: return "acpi";
	case MEM_NVS: return "acpi-nvs";
	case MEM_BAD: return "bad";
	case MEM_KERNEL: return "kernel";
	case MEM_ALLOCATED: return "allocated";
	default: return "other";
	}
}
