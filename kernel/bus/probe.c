/* SPDX-License-Identifier: BSD-3-Clause */
/* The driver registry walk of include/skiff/driver.h. */
#include <skiff/console.h>
#include <skiff/driver.h>
#include <skiff/errno.h>
#include <skiff/fmt.h>
#include <skiff/pci.h>
#include "mmio.h"

/* Bounds of the .drivers section (kernel/boot/kernel.ld). */
extern const struct driver *const __drivers_start[], *const __drivers_end[];

static void offer(const struct bus_device *dev)
{
	for (const struct driver *const *d = __drivers_start; d < __drivers_end; d++) {
		if ((*d)->bus != dev->bus)
			continue;
		int rc = (*d)->probe(dev);
		if (rc != -ENODEV) {
			if (rc < 0)
				log_warn("%s: driver %s could not set it up (%d)\n",
					 dev->name, (*d)->name, rc);
			return;
		}
	}
}

static void probe_pci(void)
{
	for (unsigned i = 0; i < pci_count(); i++) {
		const struct pci_dev *p = pci_get(i);
		struct bus_device dev = { .bus = BUS_PCI, .pci = p };

		fmt_snprintf(dev.name, sizeof(dev.name), "pci %02x:%02x.%x", p->bus, p->dev,
			     p->fn);
		offer(&dev);
	}
}

/* In the order the settings gave them: net0 is the VMM's first NIC. */
static void probe_virtio_mmio(void)
{
	struct virtio_mmio_region r[VIRTIO_MMIO_MAX];
	unsigned n = virtio_mmio_regions(r, VIRTIO_MMIO_MAX);

	for (unsigned i = 0; i < n; i++) {
		struct bus_device dev = {
			.bus = BUS_VIRTIO_MMIO, .base = r[i].base, .size = r[i].size,
			.irq = r[i].irq,
		};

		fmt_snprintf(dev.name, sizeof(dev.name), "mmio %#llx",
			     (unsigned long long)r[i].base);
		offer(&dev);
	}
}

void drivers_probe(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	probe_pci();
	probe_virtio_mmio();
}
