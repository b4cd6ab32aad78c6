/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Virtio over PCI: which functions are virtio devices, and which of the two
 * transports drives one (spec 4.1.2).
 */
#include <skiff/console.h>
#include <skiff/pci.h>
#include <skiff/string.h>
#include "virtio.h"
#include "virtio_pci.h"

#define VIRTIO_PCI_VENDOR	0x1af4
#define VIRTIO_PCI_MODERN_BASE	0x1040	/* + device type */

uint32_t virtio_pci_device_type(const struct pci_dev *pci)
{
	if (pci->vendor != VIRTIO_PCI_VENDOR)
		return 0;
	/* Transitional devices (0x1000..0x103f) carry the type in the
	 * subsystem ID; modern-only ones in the device ID. */
	if (pci->device >= 0x1000 && pci->device <= 0x103f)
		return pci->subsys_id;
	if (pci->device >= VIRTIO_PCI_MODERN_BASE && pci->device <= 0x107f)
		return pci->device - VIRTIO_PCI_MODERN_BASE;
	return 0;
}

struct virtio_dev *virtio_pci_attach(const struct pci_dev *pci, const char *where)
{
	struct virtio_dev *d = virtio_pci_modern_attach(pci);

	if (!d)
		d = virtio_pci_legacy_attach(pci);
	if (!d) {
		log_err("%s: virtio device with neither usable modern capabilities"
			" nor a legacy I/O BAR\n", where);
		return NULL;
	}
	d->device_type = virtio_pci_device_type(pci);
	size_t n = strnlen(where, sizeof(d->where) - 1);
	memcpy(d->where, where, n);
	d->where[n] = '\0';
	return d;
}
