/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Legacy virtio over PCI (spec 4.1.4.8): registers in I/O BAR 0, 32 feature
 * bits, queues placed by page frame number with the used ring page-aligned,
 * and sizes the device dictates. Device config follows the registers at
 * offset 20 because we never enable MSI-X.
 */
#include <skiff/console.h>
#include <skiff/errno.h>
#include <skiff/mem.h>
#include <skiff/pci.h>
#include <skiff/portio.h>
#include <linux/virtio_pci.h>
#include "virtio.h"
#include "virtio_pci.h"

struct legacy {
	struct virtio_dev vdev;
	uint16_t io;		/* I/O BAR 0 */
};

static uint16_t io_of(struct virtio_dev *d)
{
	return container_of(d, struct legacy, vdev)->io;
}

static void legacy_reset(struct virtio_dev *d)
{
	outb(io_of(d) + VIRTIO_PCI_STATUS, 0);
	(void)inb(io_of(d) + VIRTIO_PCI_STATUS);	/* flush the reset */
}

static uint8_t legacy_get_status(struct virtio_dev *d)
{
	return inb(io_of(d) + VIRTIO_PCI_STATUS);
}

static void legacy_set_status(struct virtio_dev *d, uint8_t s)
{
	outb(io_of(d) + VIRTIO_PCI_STATUS, s);
}

static uint64_t legacy_device_features(struct virtio_dev *d)
{
	return inl(io_of(d) + VIRTIO_PCI_HOST_FEATURES);
}

static void legacy_driver_features(struct virtio_dev *d, uint64_t f)
{
	outl(io_of(d) + VIRTIO_PCI_GUEST_FEATURES, (uint32_t)f);
}

static void legacy_config_read(struct virtio_dev *d, unsigned off, void *buf,
			       unsigned len)
{
	uint8_t *out = buf;

	for (unsigned i = 0; i < len; i++)
		out[i] = inb((uint16_t)(io_of(d) + VIRTIO_PCI_CONFIG_OFF(false) + off + i));
}

static uint16_t legacy_queue_max(struct virtio_dev *d, uint16_t q)
{
	outw(io_of(d) + VIRTIO_PCI_QUEUE_SEL, q);
	return inw(io_of(d) + VIRTIO_PCI_QUEUE_NUM);
}

/* The doorbell: the queue's index, written to the notify port. */
static void legacy_notify(struct virtqueue *vq)
{
	outw((uint16_t)(uintptr_t)vq->notify_addr, vq->index);
}

static int legacy_queue_enable(struct virtio_dev *d, struct virtqueue *vq)
{
	uint64_t pfn = (uintptr_t)vq->desc >> VIRTIO_PCI_QUEUE_ADDR_SHIFT;

	if (pfn >> 32) {
		log_err("%s: legacy queue %u above 16 TiB\n", d->where, vq->index);
		return -EINVAL;
	}
	outw(io_of(d) + VIRTIO_PCI_QUEUE_SEL, vq->index);
	outl(io_of(d) + VIRTIO_PCI_QUEUE_PFN, (uint32_t)pfn);
	vq->notify_addr = (volatile void *)(uintptr_t)(io_of(d) + VIRTIO_PCI_QUEUE_NOTIFY);
	vq->notify = legacy_notify;
	return 0;
}

static const struct virtio_transport legacy_ops = {
	.name = "pci-legacy",
	.reset = legacy_reset,
	.get_status = legacy_get_status,
	.set_status = legacy_set_status,
	.device_features = legacy_device_features,
	.driver_features = legacy_driver_features,
	.config_read = legacy_config_read,
	.queue_max = legacy_queue_max,
	.queue_enable = legacy_queue_enable,
	.legacy = true,
	.queue_size_fixed = true,
};

struct virtio_dev *virtio_pci_legacy_attach(const struct pci_dev *pci)
{
	const struct pci_bar *b = &pci->bar[0];
	struct legacy *d;

	/* Only transitional IDs have the legacy interface (spec 4.1.2.3). */
	if (pci->device < 0x1000 || pci->device > 0x103f || b->type != PCI_BAR_IO || !b->addr)
		return NULL;
	if (!(d = mem_alloc(sizeof(*d), CACHE_LINE, "virtio-pci")))
		return NULL;
	*d = (struct legacy){ .vdev.ops = &legacy_ops, .io = (uint16_t)b->addr };
	pci_enable(pci);
	return &d->vdev;
}
