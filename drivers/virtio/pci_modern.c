/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Virtio 1.x over PCI (spec 4.1.4): the device describes its register blocks
 * in vendor capabilities {cfg_type, bar, offset, length}; we map the BARs
 * uncached and talk MMIO. Queue doorbells sit at
 * notify base + queue_notify_off * notify_off_multiplier.
 */
#include <skiff/console.h>
#include <skiff/errno.h>
#include <skiff/mem.h>
#include <skiff/pci.h>
#include <linux/virtio_pci.h>
#include "virtio.h"
#include "virtio_pci.h"

struct modern {
	struct virtio_dev vdev;
	volatile struct virtio_pci_common_cfg *common;
	volatile uint8_t *device_cfg;
	volatile uint8_t *notify_base;
	uint32_t notify_mult;
	uint32_t notify_len;
};

static struct modern *to_modern(struct virtio_dev *d)
{
	return container_of(d, struct modern, vdev);
}

static volatile uint8_t *cap_region(const struct pci_dev *pci, uint8_t cap,
				    uint32_t *len)
{
	uint8_t bar = pci_read8(pci, cap + VIRTIO_PCI_CAP_BAR);
	uint32_t off = pci_read32(pci, cap + VIRTIO_PCI_CAP_OFFSET);
	const struct pci_bar *b;

	*len = pci_read32(pci, cap + VIRTIO_PCI_CAP_LENGTH);
	if (bar > 5)
		return NULL;
	b = &pci->bar[bar];
	if ((b->type != PCI_BAR_MEM32 && b->type != PCI_BAR_MEM64) || !b->addr ||
	    (uint64_t)off + *len > b->size)
		return NULL;
	if (mem_map_mmio(b->addr + off, *len) < 0)
		return NULL;
	return (volatile uint8_t *)(uintptr_t)(b->addr + off);
}

static void modern_reset(struct virtio_dev *vd)
{
	struct modern *d = to_modern(vd);

	d->common->device_status = 0;
	/* The reset is complete when the status reads back 0 (spec 4.1.4.3.2). */
	for (unsigned spin = 0; spin < 1000000 && d->common->device_status; spin++)
		cpu_relax();
}

static uint8_t modern_get_status(struct virtio_dev *vd)
{
	struct modern *d = to_modern(vd);

	return d->common->device_status;
}

static void modern_set_status(struct virtio_dev *vd, uint8_t s)
{
	struct modern *d = to_modern(vd);

	d->common->device_status = s;
}

static uint64_t modern_device_features(struct virtio_dev *vd)
{
	struct modern *d = to_modern(vd);
	uint64_t f;

	d->common->device_feature_select = 0;
	f = d->common->device_feature;
	d->common->device_feature_select = 1;
	return f | (uint64_t)d->common->device_feature << 32;
}

static void modern_driver_features(struct virtio_dev *vd, uint64_t f)
{
	struct modern *d = to_modern(vd);

	d->common->guest_feature_select = 0;
	d->common->guest_feature = (uint32_t)f;
	d->common->guest_feature_select = 1;
	d->common->guest_feature = (uint32_t)(f >> 32);
}

static void modern_config_read(struct virtio_dev *vd, unsigned off, void *buf,
			       unsigned len)
{
	struct modern *d = to_modern(vd);
	uint8_t *out = buf, gen;

	/* Re-read while the device changes the config under us. */
	for (unsigned tries = 0; tries < 16; tries++) {
		gen = d->common->config_generation;
		for (unsigned i = 0; i < len; i++)
			out[i] = d->device_cfg[off + i];
		if (gen == d->common->config_generation)
			return;
	}
}

static uint16_t modern_queue_max(struct virtio_dev *vd, uint16_t q)
{
	struct modern *d = to_modern(vd);

	if (q >= d->common->num_queues)
		return 0;
	d->common->queue_select = q;
	return d->common->queue_size;
}

/* The doorbell: the queue's index, at its notify address. */
static void modern_notify(struct virtqueue *vq)
{
	*(volatile uint16_t *)vq->notify_addr = vq->index;
}

static int modern_queue_enable(struct virtio_dev *vd, struct virtqueue *vq)
{
	struct modern *d = to_modern(vd);
	volatile struct virtio_pci_common_cfg *c = d->common;
	uint64_t desc = (uintptr_t)vq->desc, avail = (uintptr_t)vq->avail,
		 used = (uintptr_t)vq->used;
	uint32_t off;

	c->queue_select = vq->index;
	c->queue_size = vq->size;
	c->queue_msix_vector = VIRTIO_MSI_NO_VECTOR;
	c->queue_desc_lo = (uint32_t)desc;
	c->queue_desc_hi = (uint32_t)(desc >> 32);
	c->queue_avail_lo = (uint32_t)avail;
	c->queue_avail_hi = (uint32_t)(avail >> 32);
	c->queue_used_lo = (uint32_t)used;
	c->queue_used_hi = (uint32_t)(used >> 32);
	off = (uint32_t)c->queue_notify_off * d->notify_mult;
	if (off + 2 > d->notify_len) {
		log_err("%s: queue %u doorbell at %#x is outside the notify region\n",
			vd->where, vq->index, off);
		return -EIO;
	}
	vq->notify_addr = d->notify_base + off;
	vq->notify = modern_notify;
	c->queue_enable = 1;
	return 0;
}

static const struct virtio_transport modern_ops = {
	.name = "pci-modern",
	.reset = modern_reset,
	.get_status = modern_get_status,
	.set_status = modern_set_status,
	.device_features = modern_device_features,
	.driver_features = modern_driver_features,
	.config_read = modern_config_read,
	.queue_max = modern_queue_max,
	.queue_enable = modern_queue_enable,
};

struct virtio_dev *virtio_pci_modern_attach(const struct pci_dev *pci)
{
	struct modern m = { .vdev.ops = &modern_ops }, *d;
	uint32_t len;

	for (uint8_t cap = pci_find_cap(pci, PCI_CAP_VENDOR, 0); cap;
	     cap = pci_find_cap(pci, PCI_CAP_VENDOR, cap)) {
		uint8_t type = pci_read8(pci, cap + VIRTIO_PCI_CAP_CFG_TYPE);
		volatile uint8_t *p;

		/* The first capability of each type is the one to use. */
		if (type == VIRTIO_PCI_CAP_COMMON_CFG && !m.common) {
			p = cap_region(pci, cap, &len);
			if (p && len >= sizeof(struct virtio_pci_common_cfg))
				m.common = (volatile struct virtio_pci_common_cfg *)p;
		} else if (type == VIRTIO_PCI_CAP_NOTIFY_CFG && !m.notify_base) {
			m.notify_base = cap_region(pci, cap, &len);
			m.notify_len = len;
			m.notify_mult = pci_read32(pci, cap + sizeof(struct virtio_pci_cap));
		} else if (type == VIRTIO_PCI_CAP_DEVICE_CFG && !m.device_cfg) {
			m.device_cfg = cap_region(pci, cap, &len);
		}
	}
	if (!m.common || !m.notify_base || !m.device_cfg)
		return NULL;
	if (!(d = mem_alloc(sizeof(*d), CACHE_LINE, "virtio-pci")))
		return NULL;
	*d = m;
	pci_enable(pci);
	return &d->vdev;
}
