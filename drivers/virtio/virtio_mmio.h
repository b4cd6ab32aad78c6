/* SPDX-License-Identifier: BSD-3-Clause */
/* Virtio over MMIO (spec 4.2), for the bus drivers; see virtio.h and mmio.c. */
#ifndef SKIFF_VIRTIO_MMIO_H
#define SKIFF_VIRTIO_MMIO_H

#include <skiff/compiler.h>

struct virtio_dev;

/*
 * Maps the registers at @base (@size bytes, from virtio_mmio.device=) and
 * checks MagicValue and Version. Returns the DeviceID (<linux/virtio_ids.h>),
 * 0 for an empty slot (QEMU microvm has several), or -ENODEV after logging
 * why it is not a virtio-mmio device Skiff can drive (@where names it).
 */
int virtio_mmio_device_type(uint64_t base, uint64_t size, const char *where);

/*
 * Binds the device at @base to the transport of its version: 2 (virtio 1.x)
 * or 1 (legacy). Returns the device (device_type set; memory from the boot
 * allocator), NULL for an empty slot, or NULL after logging why.
 */
struct virtio_dev *virtio_mmio_attach(uint64_t base, uint64_t size, const char *where);

#endif
