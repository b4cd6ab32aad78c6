/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtio-mmio bus: devices a VMM describes on the kernel command line
 * with Linux's virtio_mmio.device=<size>@<base>:<irq>[:<id>] (QEMU microvm
 * with acpi=off, Firecracker). Nothing on the bus can be discovered: each
 * setting is one slot, which may be empty (DeviceID 0).
 *
 * The parsing is pure and is unit-tested on the host.
 */
#ifndef SKIFF_BUS_MMIO_H
#define SKIFF_BUS_MMIO_H

#include <skiff/config.h>

#define VIRTIO_MMIO_MAX		16	/* virtio_mmio.device= settings (say so in mmio.c) */
#define VIRTIO_MMIO_FORM	"<size>@<base>:<irq>[:<id>] as in Linux, e.g." \
	" 512@0xfeb00e00:12 (size at least 0x100, optional K/M/G suffix)"

struct virtio_mmio_region {
	uint64_t base, size;
	uint32_t irq;		/* the device's interrupt: unused, Skiff polls */
};

/* Every virtio_mmio.device= value, file before command line, as given. */
struct virtio_mmio_list {
	const char *vals[VIRTIO_MMIO_MAX];
	unsigned n;
};
extern struct virtio_mmio_list virtio_mmio_devices;

/* The value type of the virtio_mmio.device parameter (PARAM_OF): each
 * occurrence is checked and added to the list. */
extern const struct param_kind virtio_mmio_kind;

/* Parses one value into @r: NULL, or what is wrong with it. */
const char *virtio_mmio_parse(const char *s, struct virtio_mmio_region *r);

/*
 * The regions of virtio_mmio_devices in the order given, at most @max. A
 * region overlapping an earlier one (the same device given by the VMM and
 * again by the user) is dropped with a warning, so no device is driven twice.
 */
unsigned virtio_mmio_regions(struct virtio_mmio_region *out, unsigned max);

#endif
