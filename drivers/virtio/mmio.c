/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Virtio over MMIO (spec 4.2): one block of 32-bit registers per device,
 * device config at 0x100, one doorbell (QueueNotify) for every queue.
 *
 * Version 2 is virtio 1.x: 64 feature bits in two halves, FEATURES_OK, the
 * three ring addresses in Low/High pairs and QueueReady. Version 1 is legacy
 * (QEMU's force-legacy=on): 32 feature bits, no FEATURES_OK, the queue placed
 * by page frame number (QueuePFN, in GuestPageSize units) with the used ring
 * at QueueAlign, as vq_init() lays it out. Unlike legacy PCI, the driver
 * chooses the queue size (QueueNum) on both versions.
 *
 * Register offsets come from <linux/virtio_mmio.h>.
 */
#include <skiff/console.h>
#include <skiff/errno.h>
#include <skiff/mem.h>
#include <skiff/string.h>
#include <linux/virtio_mmio.h>
#include "virtio.h"
#include "virtio_mmio.h"

#define VIRTIO_MMIO_MAGIC	('v' | 'i' << 8 | 'r' << 16 | 't' << 24)

/*
 * Register access. The hosted unit test (tests/unit/test_virtio_mmio.c)
 * supplies these with a simulated device behind them.
 */
#ifdef SKIFF_HOSTED
uint32_t vm_read32(uintptr_t addr);
uint16_t vm_read16(uintptr_t addr);
uint8_t vm_read8(uintptr_t addr);
void vm_write32(uintptr_t addr, uint32_t val);
#else
static inline uint32_t vm_read32(uintptr_t addr)
{
	return *(volatile uint32_t *)addr;
}

static inline uint16_t vm_read16(uintptr_t addr)
{
	return *(volatile uint16_t *)addr;
}

static inline uint8_t vm_read8(uintptr_t addr)
{
	return *(volatile uint8_t *)addr;
}

static inline void vm_write32(uintptr_t addr, uint32_t val)
{
	*(volatile uint32_t *)addr = val;
}
#endif

struct vmmio {
	struct virtio_dev vdev;
	uintptr_t regs;
	uint32_t version;
};

static struct vmmio *to_vmmio(struct virtio_dev *d)
{
	return container_of(d, struct vmmio, vdev);
}

static uint32_t rd(struct virtio_dev *d, unsigned off)
{
	return vm_read32(to_vmmio(d)->regs + off);
}

static void wr(struct virtio_dev *d, unsigned off, uint32_t val)
{
	vm_write32(to_vmmio(d)->regs + off, val);
}

static void vmmio_reset(struct virtio_dev *d)
{
	wr(d, VIRTIO_MMIO_STATUS, 0);
	/* The reset is complete when Status reads back 0. */
	for (unsigned spin = 0; spin < 1000000 && rd(d, VIRTIO_MMIO_STATUS); spin++)
		cpu_relax();
}

static uint8_t vmmio_get_status(struct virtio_dev *d)
{
	return (uint8_t)rd(d, VIRTIO_MMIO_STATUS);
}

static void vmmio_set_status(struct virtio_dev *d, uint8_t s)
{
	wr(d, VIRTIO_MMIO_STATUS, s);
}

static uint64_t vmmio_device_features(struct virtio_dev *d)
{
	uint64_t f;

	wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	f = (uint64_t)rd(d, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	return f | rd(d, VIRTIO_MMIO_DEVICE_FEATURES);
}

static void vmmio_driver_features(struct virtio_dev *d, uint64_t f)
{
	/* A legacy device has no upper half (QEMU logs a guest error). */
	if (to_vmmio(d)->version >= 2) {
		wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
		wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
	}
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
}

/*
 * One field of @len bytes. Version 2 wants a 16-bit field read 16 bits wide,
 * 32- and 64-bit ones 32 bits at a time (spec 4.2.2.2); other lengths are
 * byte arrays (the MAC), read as bytes, as is everything on version 1.
 */
static void config_field(uintptr_t cfg, uint8_t *out, unsigned len, bool modern)
{
	uint32_t v32;
	uint16_t v16;

	if (modern && len == 2) {
		v16 = vm_read16(cfg);
		memcpy(out, &v16, 2);
	} else if (modern && (len == 4 || len == 8)) {
		for (unsigned i = 0; i < len; i += 4) {
			v32 = vm_read32(cfg + i);
			memcpy(out + i, &v32, 4);
		}
	} else {
		for (unsigned i = 0; i < len; i++)
			out[i] = vm_read8(cfg + i);
	}
}

static void vmmio_config_read(struct virtio_dev *d, unsigned off, void *buf, unsigned len)
{
	uintptr_t cfg = to_vmmio(d)->regs + VIRTIO_MMIO_CONFIG + off;
	bool modern = to_vmmio(d)->version >= 2;
	uint32_t gen;

	/* Re-read while the device changes the config under us; version 1
	 * has no ConfigGeneration. */
	for (unsigned tries = 0; tries < 16; tries++) {
		gen = modern ? rd(d, VIRTIO_MMIO_CONFIG_GENERATION) : 0;
		config_field(cfg, buf, len, modern);
		if (!modern || gen == rd(d, VIRTIO_MMIO_CONFIG_GENERATION))
			return;
	}
}

static uint16_t vmmio_queue_max(struct virtio_dev *d, uint16_t q)
{
	uint32_t n;

	wr(d, VIRTIO_MMIO_QUEUE_SEL, q);
	n = rd(d, VIRTIO_MMIO_QUEUE_NUM_MAX);
	return (uint16_t)MIN(n, (uint32_t)VQ_MAX_SIZE);
}

/* The doorbell: the queue's index, written to QueueNotify. */
static void vmmio_notify(struct virtqueue *vq)
{
	vm_write32((uintptr_t)vq->notify_addr, vq->index);
}

/* Selects @vq's queue and checks it is free and large enough (spec 4.2.3.2). */
static int queue_select(struct virtio_dev *d, struct virtqueue *vq, unsigned in_use_reg)
{
	uint32_t max;

	wr(d, VIRTIO_MMIO_QUEUE_SEL, vq->index);
	if (rd(d, in_use_reg)) {
		log_err("%s: queue %u is already in use\n", d->where, vq->index);
		return -EIO;
	}
	max = rd(d, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (vq->size > max) {
		log_err("%s: queue %u: %u descriptors, the device has %u\n", d->where,
			vq->index, vq->size, max);
		return -EINVAL;
	}
	wr(d, VIRTIO_MMIO_QUEUE_NUM, vq->size);
	vq->notify_addr = (volatile void *)(to_vmmio(d)->regs + VIRTIO_MMIO_QUEUE_NOTIFY);
	vq->notify = vmmio_notify;
	return 0;
}

static int vmmio_queue_enable(struct virtio_dev *d, struct virtqueue *vq)
{
	uint64_t desc = (uintptr_t)vq->desc, avail = (uintptr_t)vq->avail,
		 used = (uintptr_t)vq->used;
	int rc;

	if ((rc = queue_select(d, vq, VIRTIO_MMIO_QUEUE_READY)) < 0)
		return rc;
	wr(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	wr(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	wr(d, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)avail);
	wr(d, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (uint32_t)(avail >> 32));
	wr(d, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)used);
	wr(d, VIRTIO_MMIO_QUEUE_USED_HIGH, (uint32_t)(used >> 32));
	wr(d, VIRTIO_MMIO_QUEUE_READY, 1);
	return 0;
}

static int vmmio_legacy_queue_enable(struct virtio_dev *d, struct virtqueue *vq)
{
	uint64_t pfn = (uintptr_t)vq->desc / VQ_ALIGN;
	int rc;

	if (pfn >> 32) {
		log_err("%s: legacy queue %u above 16 TiB\n", d->where, vq->index);
		return -EINVAL;
	}
	if ((rc = queue_select(d, vq, VIRTIO_MMIO_QUEUE_PFN)) < 0)
		return rc;
	wr(d, VIRTIO_MMIO_GUEST_PAGE_SIZE, VQ_ALIGN);
	wr(d, VIRTIO_MMIO_QUEUE_ALIGN, VQ_ALIGN);
	wr(d, VIRTIO_MMIO_QUEUE_PFN, (uint32_t)pfn);
	return 0;
}

static const struct virtio_transport vmmio_ops = {
	.name = "mmio-modern",
	.queue_max_is_cap = true,
	.reset = vmmio_reset,
	.get_status = vmmio_get_status,
	.set_status = vmmio_set_status,
	.device_features = vmmio_device_features,
	.driver_features = vmmio_driver_features,
	.config_read = vmmio_config_read,
	.queue_max = vmmio_queue_max,
	.queue_enable = vmmio_queue_enable,
};

static const struct virtio_transport vmmio_legacy_ops = {
	.name = "mmio-legacy",
	.legacy = true,
	.queue_max_is_cap = true,
	.reset = vmmio_reset,
	.get_status = vmmio_get_status,
	.set_status = vmmio_set_status,
	.device_features = vmmio_device_features,
	.driver_features = vmmio_driver_features,
	.config_read = vmmio_config_read,
	.queue_max = vmmio_queue_max,
	.queue_enable = vmmio_legacy_queue_enable,
};

int virtio_mmio_device_type(uint64_t base, uint64_t size, const char *where)
{
	uint32_t magic, version;

	if (mem_map_mmio(base, size) < 0)
		return -ENODEV;		/* mem_map_mmio() said why */
	magic = vm_read32((uintptr_t)base + VIRTIO_MMIO_MAGIC_VALUE);
	if (magic != VIRTIO_MMIO_MAGIC) {
		log_err("%s: not a virtio-mmio device (MagicValue %#x, not 'virt')\n",
			where, magic);
		return -ENODEV;
	}
	version = vm_read32((uintptr_t)base + VIRTIO_MMIO_VERSION);
	if (version != 1 && version != 2) {
		log_err("%s: virtio-mmio version %u; Skiff drives 1 (legacy) and 2\n",
			where, version);
		return -ENODEV;
	}
	return (int)vm_read32((uintptr_t)base + VIRTIO_MMIO_DEVICE_ID);
}

struct virtio_dev *virtio_mmio_attach(uint64_t base, uint64_t size, const char *where)
{
	int type = virtio_mmio_device_type(base, size, where);
	struct vmmio *d;
	size_t n;

	if (type <= 0)
		return NULL;
	if (!(d = mem_alloc(sizeof(*d), CACHE_LINE, "virtio-mmio")))
		return NULL;
	d->regs = (uintptr_t)base;
	d->version = vm_read32(d->regs + VIRTIO_MMIO_VERSION);
	d->vdev.ops = d->version == 1 ? &vmmio_legacy_ops : &vmmio_ops;
	d->vdev.device_type = (uint32_t)type;
	n = strnlen(where, sizeof(d->vdev.where) - 1);
	memcpy(d->vdev.where, where, n);
	d->vdev.where[n] = '\0';
	return &d->vdev;
}
