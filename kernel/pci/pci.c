/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PCI configuration mechanism #1. The walk starts at bus 0 and follows every
 * PCI-PCI bridge to its secondary bus, so it reaches all buses without
 * probing 65536 addresses (each probe is two VM exits). A multi-function host
 * bridge at 00:00 means several root buses: function N roots bus N.
 */
#include <skiff/console.h>
#include <skiff/fmt.h>
#include <skiff/pci.h>
#include <skiff/portio.h>

#define CONFIG_ADDR	0xcf8
#define CONFIG_DATA	0xcfc

#define PCI_VENDOR	0x00
#define PCI_COMMAND	0x04
#define PCI_STATUS	0x06
#define PCI_CLASS_REV	0x08
#define PCI_HEADER_TYPE	0x0e
#define PCI_BAR0	0x10
#define PCI_SUBSYS	0x2c
#define PCI_CAP_PTR	0x34
#define PCI_SECONDARY_BUS 0x19

#define CMD_IO		0x1
#define CMD_MEM		0x2
#define CMD_MASTER	0x4
#define STATUS_CAPS	0x10

static struct pci_dev devs[PCI_MAX_DEVICES];
static unsigned ndevs;

static uint32_t addr_of(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off)
{
	return 0x80000000u | ((uint32_t)bus << 16) | ((uint32_t)dev << 11) |
	       ((uint32_t)fn << 8) | (off & 0xfc);
}

static uint32_t cfg_read(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off)
{
	outl(CONFIG_ADDR, addr_of(bus, dev, fn, off));
	return inl(CONFIG_DATA);
}

uint32_t pci_read32(const struct pci_dev *d, uint8_t off)
{
	return cfg_read(d->bus, d->dev, d->fn, off);
}

uint16_t pci_read16(const struct pci_dev *d, uint8_t off)
{
	return (uint16_t)(pci_read32(d, off) >> ((off & 2) * 8));
}

uint8_t pci_read8(const struct pci_dev *d, uint8_t off)
{
	return (uint8_t)(pci_read32(d, off) >> ((off & 3) * 8));
}

void pci_write32(const struct pci_dev *d, uint8_t off, uint32_t v)
{
	outl(CONFIG_ADDR, addr_of(d->bus, d->dev, d->fn, off));
	outl(CONFIG_DATA, v);
}

void pci_write16(const struct pci_dev *d, uint8_t off, uint16_t v)
{
	outl(CONFIG_ADDR, addr_of(d->bus, d->dev, d->fn, off));
	outw(CONFIG_DATA + (off & 2), v);
}


/* Sizes BAR @i by writing all ones (decoding off meanwhile); returns slots used. */
static unsigned read_bar(struct pci_dev *d, unsigned i)
{
	uint8_t off = PCI_BAR0 + 4 * i;
	uint32_t lo = pci_read32(d, off), size_lo;
	struct pci_bar *b = &d->bar[i];

	pci_write32(d, off, 0xffffffff);
	size_lo = pci_read32(d, off);
	pci_write32(d, off, lo);
	if (size_lo == 0 || size_lo == 0xffffffff)
		return 1;

	if (lo & 1) {
		b->type = PCI_BAR_IO;
		b->addr = lo & ~3u;
		b->size = (uint16_t)~(size_lo & ~3u) + 1;
		return 1;
	}
	b->prefetchable = lo & 8;
	if (((lo >> 1) & 3) == 2 && i < 5) {
		uint32_t hi = pci_read32(d, off + 4), size_hi;
		pci_write32(d, off + 4, 0xffffffff);
		size_hi = pci_read32(d, off + 4);
		pci_write32(d, off + 4, hi);
		uint64_t mask = ((uint64_t)size_hi << 32) | (size_lo & ~0xfu);
		b->type = PCI_BAR_MEM64;
		b->addr = ((uint64_t)hi << 32) | (lo & ~0xfu);
		b->size = ~mask + 1;
		return 2;
	}
	b->type = PCI_BAR_MEM32;
	b->addr = lo & ~0xfu;
	b->size = (uint32_t)(~(size_lo & ~0xfu) + 1);
	return 1;
}

static void scan_bus(uint8_t bus, unsigned depth);

static void add_function(uint8_t bus, uint8_t dev, uint8_t fn, unsigned depth)
{
	uint32_t id = cfg_read(bus, dev, fn, PCI_VENDOR);
	uint32_t cls = cfg_read(bus, dev, fn, PCI_CLASS_REV);
	uint8_t htype = (uint8_t)(cfg_read(bus, dev, fn, PCI_HEADER_TYPE & ~3) >> 16) & 0x7f;
	struct pci_dev *d;

	if (ndevs == PCI_MAX_DEVICES) {
		log_warn("pci: more than %d functions; ignoring %02x:%02x.%x\n",
			 PCI_MAX_DEVICES, bus, dev, fn);
		return;
	}
	d = &devs[ndevs++];
	*d = (struct pci_dev){
		.bus = bus, .dev = dev, .fn = fn,
		.vendor = id & 0xffff, .device = id >> 16,
		.class = cls >> 24, .subclass = (cls >> 16) & 0xff,
		.progif = (cls >> 8) & 0xff, .revision = cls & 0xff,
	};

	if (htype == 0) {
		uint32_t sub = pci_read32(d, PCI_SUBSYS);
		uint16_t cmd = pci_read16(d, PCI_COMMAND);
		d->subsys_vendor = sub & 0xffff;
		d->subsys_id = sub >> 16;
		/* Decoding off while BARs hold all ones, so nothing aliases. */
		pci_write16(d, PCI_COMMAND, cmd & ~(CMD_IO | CMD_MEM));
		for (unsigned i = 0; i < 6;)
			i += read_bar(d, i);
		pci_write16(d, PCI_COMMAND, cmd);
	} else if (htype == 1 && depth < 8) {
		uint8_t secondary = pci_read8(d, PCI_SECONDARY_BUS);
		if (secondary > bus)
			scan_bus(secondary, depth + 1);
	}
}

static void scan_bus(uint8_t bus, unsigned depth)
{
	for (uint8_t dev = 0; dev < 32; dev++) {
		if ((cfg_read(bus, dev, 0, PCI_VENDOR) & 0xffff) == 0xffff)
			continue;
		uint8_t htype = (uint8_t)(cfg_read(bus, dev, 0, PCI_HEADER_TYPE & ~3) >> 16);
		unsigned nfn = (htype & 0x80) ? 8 : 1;
		for (uint8_t fn = 0; fn < nfn; fn++)
			if ((cfg_read(bus, dev, fn, PCI_VENDOR) & 0xffff) != 0xffff)
				add_function(bus, dev, fn, depth);
	}
}

static const char *bar_type_name(enum pci_bar_type t)
{
	switch (t) {
	case PCI_BAR_IO: return "io";
	case PCI_BAR_MEM32: return "mem32";
	case PCI_BAR_MEM64: return "mem64";
	default: return "-";
	}
}

void pci_init(void)
{
	/* No host bridge answering at 00:00.0 (e.g. QEMU microvm): no PCI. */
	if ((cfg_read(0, 0, 0, PCI_VENDOR) & 0xffff) == 0xffff) {
		log_info("pci: no PCI bus\n");
		return;
	}
	uint8_t htype = (uint8_t)(cfg_read(0, 0, 0, PCI_HEADER_TYPE & ~3) >> 16);
	if (htype & 0x80) {
		for (uint8_t fn = 0; fn < 8; fn++)
			if ((cfg_read(0, 0, fn, PCI_VENDOR) & 0xffff) != 0xffff)
				scan_bus(fn, 0);
	} else {
		scan_bus(0, 0);
	}

	log_info("pci: %u functions\n", ndevs);
	for (unsigned i = 0; i < ndevs; i++) {
		const struct pci_dev *d = &devs[i];
		log_debug("pci:   %02x:%02x.%x %04x:%04x class %02x.%02x.%02x\n",
			  d->bus, d->dev, d->fn, d->vendor, d->device, d->class,
			  d->subclass, d->progif);
		for (unsigned b = 0; b < 6; b++)
			if (d->bar[b].type != PCI_BAR_NONE)
				log_debug("pci:     BAR%u %s %#llx size %#llx%s\n", b,
					  bar_type_name(d->bar[b].type),
					  (unsigned long long)d->bar[b].addr,
					  (unsigned long long)d->bar[b].size,
					  d->bar[b].prefetchable ? " prefetchable" : "");
		if (log_level >= LOG_DEBUG && (pci_read16(d, PCI_STATUS) & STATUS_CAPS)) {
			char caps[160];
			size_t n = 0;
			for (uint8_t c = pci_read8(d, PCI_CAP_PTR) & 0xfc, k = 0;
			     c && k < 16; c = pci_read8(d, c + 1) & 0xfc, k++)
				n += (size_t)fmt_snprintf(caps + n, sizeof(caps) - n,
							  " %02x@%02x", pci_read8(d, c), c);
			log_debug("pci:     capabilities (id@offset):%s\n", caps);
		}
	}
}

unsigned pci_count(void)
{
	return ndevs;
}

struct pci_dev *pci_get(unsigned i)
{
	return i < ndevs ? &devs[i] : NULL;
}


uint8_t pci_find_cap(const struct pci_dev *d, uint8_t id, uint8_t after)
{
	uint8_t c;

	if (!(pci_read16(d, PCI_STATUS) & STATUS_CAPS))
		return 0;
	c = after ? pci_read8(d, after + 1) & 0xfc : pci_read8(d, PCI_CAP_PTR) & 0xfc;
	for (unsigned n = 0; c && n < 48; n++) {	/* bounded: a loop in the list */
		if (pci_read8(d, c) == id)
			return c;
		c = pci_read8(d, c + 1) & 0xfc;
	}
	return 0;
}

void pci_enable(const struct pci_dev *d)
{
	pci_write16(d, PCI_COMMAND,
		    pci_read16(d, PCI_COMMAND) | CMD_IO | CMD_MEM | CMD_MASTER);
}
