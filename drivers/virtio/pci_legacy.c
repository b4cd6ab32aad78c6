/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Legacy virtio over PCI (spec 4.1.4.8): registers in I/O BAR 0, 32 feature
 * bits, queues placed by page frame number with the used ring page-aligned,
 * and sizes the device dictates. Device config follows the registers at
 * offset 20 because we never enable MSI-X.
 */
#include <skiff/console.h>
#include <skiff/errno.h>
#include <skiff/portio.h>
#include "virtio.h"

static void legacy_reset(struct virtio_dev *d)
{
	outb(d->io + VIRTIO_PCI_STATUS, 0);
	(void)inb(d->io + VIRTIO_PCI_STATUS);	/* flush the reset */
}

static uint8_t legacy_get_status(struct virtio_dev *d)
{
	return inb(d->io + VIRTIO_PCI_STATUS);
}

static void legacy_set_status(struct virtio_dev *d, uint8_t s)
{
	outb(d->io + VIRTIO_PCI_STATUS, s);
}

static uint64_t legacy_device_features(struct virtio_dev *d)
{
	return inl(d->io + VIRTIO_PCI_HOST_FEATURES);
}

static void legacy_driver_features(struct virtio_dev *d, uint64_t f)
{
	outl(d->io + VIRTIO_PCI_GUEST_FEATURES, (uint32_t)f);
}

static void legacy_config_read(struct virtio_dev *d, unsigned off, void *buf,
			       unsigned len)
{
	uint8_t *out = buf;

	for (unsigned i = 0; i < len; i++)
		out[i] = inb((uint16_t)(d->io + VIRTIO_PCI_CONFIG_OFF(false) + off + i));
}

static uint16_t legacy_queue_max(struct virtio_dev *d, uint16_t q)
{
	outw(d->io + VIRTIO_PCI_QUEUE_SEL, q);
	return inw(d->io + VIRTIO_PCI_QUEUE_NUM);
}

static int legacy_queue_enable(struct virtio_dev *d, struct virtqueue *vq)
{
	uint64_t pfn = (uintptr_t)vq->desc >> VIRTIO_PCI_QUEUE_ADDR_SHIFT;

	if (pfn >> 32) {
		log_err("virtio: legacy queue %u above 16 TiB\n", vq->index);
		return -EINVAL;
	}
	outw(d->io + VIRTIO_PCI_QUEUE_SEL, vq->index);
	outl(d->io + VIRTIO_PCI_QUEUE_PFN, (uint32_t)pfn);
	vq->notify_port = (uint16_t)(d->io + VIRTIO_PCI_QUEUE_NOTIFY);
	return 0;
}

static const struct virtio_ops legacy_ops = {
	.name = "pci-legacy",
	.reset = legacy_reset,
	.get_status = legacy_get_status,
	.set_status = legacy_set_status,
	.device_features = legacy_device_features,
	.driver_features = legacy_driver_features,
	.config_read = legacy_config_read,
	.queue_max = legacy_queue_max,
	.queue_enable = legacy_queue_enable,
	.queue_size_fixed = true,
};

int virtio_pci_legacy_attach(const struct pci_dev *pci, struct virtio_dev *d)
{
	const struct pci_bar *b = &pci->bar[0];

	*d = (struct virtio_dev){ .ops = &legacy_ops, .pci = pci };
	if (pci->device < 0x1000 || pci->device > 0x103f || b->type != PCI_BAR_IO || !b->addr)
		return -ENODEV;
	d->io = (uint16_t)b->addr;
	pci_enable(pci);
	return 0;
}
