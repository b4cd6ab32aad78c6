/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Device drivers and the buses they sit on.
 *
 * A driver registers itself with DRIVER_REGISTER(); nothing else names it.
 * drivers_probe() walks each bus once and offers every device it finds to the
 * drivers of that bus, in link order, until one takes it. A driver that takes
 * a device registers what it made of it with its class (netdev_register() for
 * a NIC), so the layers above find devices through their class only.
 */
#ifndef SKIFF_DRIVER_H
#define SKIFF_DRIVER_H

#include <skiff/compiler.h>

enum bus_type {
	BUS_PCI,
	BUS_VIRTIO_MMIO,	/* the slots of virtio_mmio.device= (kernel/bus/mmio.h) */
};

struct pci_dev;

/* A device as its bus found it. */
struct bus_device {
	enum bus_type bus;
	const struct pci_dev *pci;	/* BUS_PCI */
	uint64_t base, size;		/* BUS_VIRTIO_MMIO: the register region */
	uint32_t irq;			/* BUS_VIRTIO_MMIO: unused, Skiff polls */
	char name[24];			/* for messages: "pci 00:03.0", "mmio 0xfeb00e00" */
};

struct driver {
	const char *name;
	enum bus_type bus;
	/*
	 * Looks at @dev: returns -ENODEV if it is not the driver's (the next
	 * driver is asked), 0 if the driver took it, another -errno if it is
	 * the driver's but could not be set up (the driver has said why).
	 */
	int (*probe)(const struct bus_device *dev);
};

#define DRIVER_REGISTER(drv)                                               \
	static const struct driver *const driver_entry_##drv __used            \
		__section(".drivers") = &(drv)

/* Offers every device on every bus to the drivers; the first call only. */
void drivers_probe(void);

#endif
