/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A virtio device behind its transport. Device drivers (net.c) see only this:
 * status, features, device config, queue set-up. The PCI transports, modern
 * (virtio 1.x capabilities, MMIO) and legacy (I/O BAR), fill in the ops.
 */
#ifndef SKIFF_VIRTIO_H
#define SKIFF_VIRTIO_H

#include <skiff/compiler.h>
#include <skiff/pci.h>
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include "virtqueue.h"

#define VIRTIO_VENDOR		0x1af4
#define VIRTIO_ID_NET_LEGACY	0x1000	/* transitional or legacy-only */
#define VIRTIO_ID_NET_MODERN	0x1041	/* 0x1040 + device type 1 */

#define BIT64(n)		(1ULL << (n))

struct virtio_dev;

struct virtio_ops {
	const char *name;
	void (*reset)(struct virtio_dev *d);
	uint8_t (*get_status)(struct virtio_dev *d);
	void (*set_status)(struct virtio_dev *d, uint8_t status);
	uint64_t (*device_features)(struct virtio_dev *d);
	void (*driver_features)(struct virtio_dev *d, uint64_t features);
	void (*config_read)(struct virtio_dev *d, unsigned off, void *buf, unsigned len);
	/* Largest size of queue @q, 0 if it does not exist. */
	uint16_t (*queue_max)(struct virtio_dev *d, uint16_t q);
	/* Tells the device where @vq's rings are, enables it, sets its doorbell. */
	int (*queue_enable)(struct virtio_dev *d, struct virtqueue *vq);
	bool queue_size_fixed;	/* legacy: the device dictates the size */
};

struct virtio_dev {
	const struct virtio_ops *ops;
	const struct pci_dev *pci;
	uint64_t features;		/* negotiated */
	/* modern PCI */
	volatile struct virtio_pci_common_cfg *common;
	volatile uint8_t *device_cfg;
	volatile uint8_t *notify_base;
	uint32_t notify_mult;
	uint32_t notify_len;
	/* legacy PCI */
	uint16_t io;
};

/* Binds @pci to a transport: modern when its capabilities are there. 0 or -errno. */
int virtio_pci_attach(const struct pci_dev *pci, struct virtio_dev *d);
int virtio_pci_modern_attach(const struct pci_dev *pci, struct virtio_dev *d);
int virtio_pci_legacy_attach(const struct pci_dev *pci, struct virtio_dev *d);

/*
 * Reset, ACKNOWLEDGE, DRIVER, then offers @wanted & device features (with
 * VERSION_1 mandatory on modern transports), FEATURES_OK and its re-check.
 * Returns 0 with d->features set, or -errno after setting FAILED.
 */
int virtio_negotiate(struct virtio_dev *d, uint64_t wanted);

/* DRIVER_OK: the device may start using the queues. */
void virtio_driver_ok(struct virtio_dev *d);
void virtio_fail(struct virtio_dev *d);

static inline bool virtio_has(const struct virtio_dev *d, unsigned bit)
{
	return d->features & BIT64(bit);
}

#endif
