/* SPDX-License-Identifier: BSD-3-Clause */
/* virtio_mmio.device= values; see mmio.h. */
#include <skiff/console.h>
#include <skiff/fmt.h>
#include <linux/virtio_mmio.h>
#include "mmio.h"

struct virtio_mmio_list virtio_mmio_devices;

static int digit(char c, unsigned base)
{
	unsigned d;

	if (c >= '0' && c <= '9')
		d = (unsigned)(c - '0');
	else if (c >= 'a' && c <= 'f')
		d = (unsigned)(c - 'a' + 10);
	else if (c >= 'A' && c <= 'F')
		d = (unsigned)(c - 'A' + 10);
	else
		return -1;
	return d < base ? (int)d : -1;
}

/*
 * An unsigned number at *@s, decimal or hex after 0x; advances *@s past it.
 * Linux would read a leading 0 as octal: refused rather than read otherwise.
 */
static bool number(const char **s, uint64_t *out)
{
	const char *p = *s;
	unsigned base = 10, digits = 0;
	uint64_t v = 0;
	int d;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		base = 16, p += 2;
	else if (p[0] == '0' && digit(p[1], 10) >= 0)
		return false;
	for (; (d = digit(*p, base)) >= 0; p++, digits++) {
		if (v > (UINT64_MAX - (unsigned)d) / base)
			return false;
		v = v * base + (unsigned)d;
	}
	if (!digits)
		return false;
	*s = p;
	*out = v;
	return true;
}

const char *virtio_mmio_parse(const char *s, struct virtio_mmio_region *r)
{
	uint64_t size, base, irq, id;
	unsigned shift = 0;

	if (!number(&s, &size))
		return "the size is not a number";
	switch (*s) {
	case 'k': case 'K': shift = 10; break;
	case 'm': case 'M': shift = 20; break;
	case 'g': case 'G': shift = 30; break;
	}
	if (shift) {
		s++;
		if (size > UINT64_MAX >> shift)
			return "the size is too large";
		size <<= shift;
	}
	if (size < VIRTIO_MMIO_CONFIG)
		return "the size is below 0x100, the register block";
	if (*s++ != '@')
		return "no '@' after the size";
	if (!number(&s, &base))
		return "the base address is not a number";
	if (base % 4)
		return "the base address is not 4-byte aligned";
	if (base + size < base)
		return "the region wraps around the address space";
	if (*s++ != ':')
		return "no ':' and IRQ after the base address";
	if (!number(&s, &irq) || irq > UINT32_MAX)
		return "the IRQ is not a 32-bit number";
	if (*s == ':' && (s++, !number(&s, &id) || id > INT32_MAX))
		return "the id after the IRQ is not a number";
	if (*s)
		return "text after the IRQ (or id)";
	*r = (struct virtio_mmio_region){ .base = base, .size = size, .irq = (uint32_t)irq };
	return NULL;
}

static const char *list_add(void *dst, const char *val)
{
	struct virtio_mmio_list *l = dst;
	struct virtio_mmio_region r;
	const char *why;

	if (!val)
		return "";
	if ((why = virtio_mmio_parse(val, &r)))
		return why;
	if (l->n == VIRTIO_MMIO_MAX)
		return "more devices than the 16 Skiff takes";
	l->vals[l->n++] = val;
	return NULL;
}

static void list_show(const void *dst, char *buf, size_t len)
{
	const struct virtio_mmio_list *l = dst;
	size_t n = (size_t)fmt_snprintf(buf, len, "%s", l->n ? "" : "(none)");

	for (unsigned i = 0; i < l->n && n < len; i++)
		n += (size_t)fmt_snprintf(buf + n, len - n, "%s%s", i ? "," : "", l->vals[i]);
}

const struct param_kind virtio_mmio_kind = {
	.form = VIRTIO_MMIO_FORM "; may be repeated",
	.parse = list_add,
	.show = list_show,
};

unsigned virtio_mmio_regions(struct virtio_mmio_region *out, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < virtio_mmio_devices.n && n < max; i++) {
		const char *v = virtio_mmio_devices.vals[i];
		struct virtio_mmio_region r;
		bool dup = false;

		if (virtio_mmio_parse(v, &r))
			continue;	/* cannot happen: checked when it was set */
		for (unsigned j = 0; j < n && !dup; j++)
			dup = r.base < out[j].base + out[j].size && out[j].base < r.base + r.size;
		if (dup) {
			log_warn("virtio_mmio.device=%s overlaps a device given before;"
				 " ignored\n", v);
			continue;
		}
		out[n++] = r;
	}
	return n;
}
