/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PCI through configuration mechanism #1 (ports 0xCF8/0xCFC). pci_init()
 * walks bus 0 and every bus behind a PCI-PCI bridge, records each function
 * with its BARs (sized, then restored) and prints the list at loglevel=debug.
 */
#ifndef SKIFF_PCI_H
#define SKIFF_PCI_H

#include <skiff/compiler.h>

#define PCI_MAX_DEVICES 64

enum pci_bar_type { PCI_BAR_NONE, PCI_BAR_IO, PCI_BAR_MEM32, PCI_BAR_MEM64 };

struct pci_bar {
	uint64_t addr;
	uint64_t size;
	enum pci_bar_type type;
	bool prefetchable;
};

struct pci_dev {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	uint16_t subsys_vendor, subsys_id;
	uint8_t class, subclass, progif, revision;
	struct pci_bar bar[6];
};

void pci_init(void);
unsigned pci_count(void);
struct pci_dev *pci_get(unsigned i);

uint8_t pci_read8(const struct pci_dev *d, uint8_t off);
uint16_t pci_read16(const struct pci_dev *d, uint8_t off);
uint32_t pci_read32(const struct pci_dev *d, uint8_t off);
void pci_write16(const struct pci_dev *d, uint8_t off, uint16_t v);
void pci_write32(const struct pci_dev *d, uint8_t off, uint32_t v);

/*
 * Offset of the first capability with @id after the one at @after (0: search
 * from the head of the list), or 0 if there is none. Iterate with
 * for (c = pci_find_cap(d, id, 0); c; c = pci_find_cap(d, id, c)).
 */
uint8_t pci_find_cap(const struct pci_dev *d, uint8_t id, uint8_t after);

/* Turns on I/O and memory decoding and bus mastering (DMA). */
void pci_enable(const struct pci_dev *d);

#define PCI_CAP_VENDOR	0x09
#define PCI_CAP_MSIX	0x11

#endif
