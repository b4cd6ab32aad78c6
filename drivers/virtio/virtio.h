/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A virtio device behind its transport (virtio 1.x, section 4).
 *
 * Device drivers (net_*.c) see only struct virtio_dev and its transport ops:
 * status, features, device config, queue sizes and queue set-up. Each
 * transport keeps its own registers in a structure of its own that embeds
 * the virtio_dev, and gives every enabled virtqueue its doorbell (the
 * virtqueue's notify callback); the virtqueue knows nothing else of it.
 */
#ifndef SKIFF_VIRTIO_H
#define SKIFF_VIRTIO_H

#include <skiff/compiler.h>
#include <linux/virtio_config.h>
#include "virtqueue.h"

#define BIT64(n)		(1ULL << (n))

struct virtio_dev;
struct pci_dev;

struct virtio_transport {
	const char *name;	/* "pci-modern", "pci-legacy" */
	/* Virtio 0.9.5 ("legacy"): 32 feature bits, no FEATURES_OK step, no
	 * VERSION_1; and on PCI the device dictates every queue's size. */
	bool legacy;
	bool queue_size_fixed;
	/*
	 * queue_max() is the transport's cap, the same for every queue, and
	 * not a size anybody chose for this device (virtio-mmio's QueueNumMax:
	 * QEMU reports 1024 whatever the NIC's rx/tx_queue_size say), so a
	 * driver picks its own default below it. On PCI the VMM's user set it.
	 */
	bool queue_max_is_cap;
	void (*reset)(struct virtio_dev *d);
	uint8_t (*get_status)(struct virtio_dev *d);
	void (*set_status)(struct virtio_dev *d, uint8_t status);
	uint64_t (*device_features)(struct virtio_dev *d);
	void (*driver_features)(struct virtio_dev *d, uint64_t features);
	void (*config_read)(struct virtio_dev *d, unsigned off, void *buf, unsigned len);
	/* Largest size of queue @q, 0 if the device has no such queue. */
	uint16_t (*queue_max)(struct virtio_dev *d, uint16_t q);
	/*
	 * Tells the device where @vq's rings are (vq->size descriptors) and
	 * enables it; sets vq->notify and vq->notify_addr, the queue's
	 * doorbell. 0 or -errno after logging why.
	 */
	int (*queue_enable)(struct virtio_dev *d, struct virtqueue *vq);
};

struct virtio_dev {
	const struct virtio_transport *ops;
	uint64_t features;		/* negotiated */
	uint32_t device_type;		/* VIRTIO_ID_NET, ... (<linux/virtio_ids.h>) */
	char where[24];			/* "pci 00:03.0", for messages */
};

/*
 * Binds a virtio PCI function to the modern transport when its capabilities
 * are there, else to the legacy one. Returns the device (with device_type
 * set; memory from the boot allocator), or NULL after logging why.
 */
struct virtio_dev *virtio_pci_attach(const struct pci_dev *pci, const char *where);

/* Whether @pci is a virtio function, and of which device type (0: not). */
uint32_t virtio_pci_device_type(const struct pci_dev *pci);

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
