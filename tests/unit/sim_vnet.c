/* SPDX-License-Identifier: BSD-3-Clause */
/* The simulated virtio-net device of sim_vnet.h, and the kernel services the
 * driver needs on the host (memory, time, logging, bus stubs). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/console.h>
#include <skiff/driver.h>
#include <skiff/mem.h>
#include <skiff/time.h>
#include <linux/virtio_net.h>
#include "sim_vnet.h"
#include "virtio_mmio.h"

/* ------------------------------------------------------------ kernel stubs */

int log_level = LOG_DEBUG;
static uint64_t fake_ns;
static struct sim_vnet *current;

void log_printf(int level, const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

/* A clock that moves 1 ms per reading, and lets the device act. */
uint64_t time_ns(void)
{
	sim_tick();
	return fake_ns += NSEC_PER_MSEC;
}

uint64_t ns_to_tsc(uint64_t ns)
{
	return ns;
}

/* Never freed: the boot allocator does not free either. Raw memory comes
 * filled with a pattern, so code that reads it before writing it shows. */
void *mem_alloc_raw(size_t size, size_t align, const char *what)
{
	void *p = aligned_alloc(align, ALIGN_UP(size, align));

	if (p)
		memset(p, 0xa5, size);
	return p;
}

void *mem_alloc(size_t size, size_t align, const char *what)
{
	void *p = mem_alloc_raw(size, align, what);

	return p ? memset(p, 0, size) : NULL;
}

uint64_t mem_total(void) { return 1ULL << 30; }
uint64_t mem_used(void) { return 0; }
void drivers_probe(void) { }
uint32_t virtio_pci_device_type(const struct pci_dev *pci) { return 0; }
struct virtio_dev *virtio_pci_attach(const struct pci_dev *pci, const char *where)
{
	return NULL;
}
int virtio_mmio_device_type(uint64_t base, uint64_t size, const char *where) { return 0; }
struct virtio_dev *virtio_mmio_attach(uint64_t base, uint64_t size, const char *where)
{
	return NULL;
}

/* ------------------------------------------------------------ transport */

static struct sim_vnet *to_sim(struct virtio_dev *d)
{
	return container_of(d, struct sim_vnet, vdev);
}

static void sim_reset(struct virtio_dev *d)
{
	struct sim_vnet *s = to_sim(d);

	s->status = 0;
	memset(s->vq, 0, sizeof(s->vq));
	memset(s->last_avail, 0, sizeof(s->last_avail));
	memset(s->used_idx, 0, sizeof(s->used_idx));
}

static uint8_t sim_get_status(struct virtio_dev *d) { return to_sim(d)->status; }

static void sim_set_status(struct virtio_dev *d, uint8_t st)
{
	struct sim_vnet *s = to_sim(d);

	/* FEATURES_OK sticks only for features the device offered. */
	if ((st & VIRTIO_CONFIG_S_FEATURES_OK) && (s->accepted & ~s->offered))
		st &= (uint8_t)~VIRTIO_CONFIG_S_FEATURES_OK;
	s->status = st;
}

static uint64_t sim_device_features(struct virtio_dev *d) { return to_sim(d)->offered; }
static void sim_driver_features(struct virtio_dev *d, uint64_t f) { to_sim(d)->accepted = f; }

static void sim_config_read(struct virtio_dev *d, unsigned off, void *buf, unsigned len)
{
	struct sim_vnet *s = to_sim(d);
	struct virtio_net_config cfg = { .status = VIRTIO_NET_S_LINK_UP,
					 .max_virtqueue_pairs = s->max_pairs };

	memcpy(cfg.mac, s->mac, 6);
	memcpy(buf, (uint8_t *)&cfg + off, len);
}

static uint16_t sim_queue_max(struct virtio_dev *d, uint16_t q)
{
	return q < SIM_QUEUES ? to_sim(d)->qmax[q] : 0;
}

static void sim_notify(struct virtqueue *vq)
{
	struct sim_bell *b = (struct sim_bell *)vq->notify_addr;

	b->rung++;
	if (!(b->sim->status & VIRTIO_CONFIG_S_DRIVER_OK) || !b->sim->vq[b->index])
		b->sim->early_bells++;
}

static int sim_queue_enable(struct virtio_dev *d, struct virtqueue *vq)
{
	struct sim_vnet *s = to_sim(d);

	if (vq->index >= SIM_QUEUES || vq->size > s->qmax[vq->index])
		return -EINVAL;
	s->vq[vq->index] = vq;
	s->bell[vq->index] = (struct sim_bell){ .sim = s, .index = vq->index };
	vq->notify_addr = &s->bell[vq->index];
	vq->notify = sim_notify;
	return 0;
}

static const struct virtio_transport sim_modern = {
	.name = "sim", .reset = sim_reset, .get_status = sim_get_status,
	.set_status = sim_set_status, .device_features = sim_device_features,
	.driver_features = sim_driver_features, .config_read = sim_config_read,
	.queue_max = sim_queue_max, .queue_enable = sim_queue_enable,
};
static const struct virtio_transport sim_legacy = {
	.name = "sim-legacy", .legacy = true, .queue_size_fixed = true,
	.reset = sim_reset, .get_status = sim_get_status,
	.set_status = sim_set_status, .device_features = sim_device_features,
	.driver_features = sim_driver_features, .config_read = sim_config_read,
	.queue_max = sim_queue_max, .queue_enable = sim_queue_enable,
};

/* Like virtio-mmio: the sizes are a cap the driver chooses under. */
static const struct virtio_transport sim_capped = {
	.name = "sim-capped", .queue_max_is_cap = true,
	.reset = sim_reset, .get_status = sim_get_status,
	.set_status = sim_set_status, .device_features = sim_device_features,
	.driver_features = sim_driver_features, .config_read = sim_config_read,
	.queue_max = sim_queue_max, .queue_enable = sim_queue_enable,
};

void sim_cap_queue_sizes(struct sim_vnet *s)
{
	s->vdev.ops = &sim_capped;
}

void sim_init(struct sim_vnet *s, uint64_t features, uint16_t pairs, uint16_t qsize,
	      bool legacy)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

	memset(s, 0, sizeof(*s));
	s->vdev.ops = legacy ? &sim_legacy : &sim_modern;
	s->vdev.device_type = 1;
	strcpy(s->vdev.where, "sim 0");
	s->offered = features;
	s->max_pairs = pairs;
	memcpy(s->mac, mac, 6);
	for (unsigned q = 0; q < 2u * pairs + 1 && q < SIM_QUEUES; q++)
		s->qmax[q] = qsize;
	current = s;
}

/* ------------------------------------------------------------ device side */

static uint16_t avail_pending(struct sim_vnet *s, uint16_t q)
{
	return (uint16_t)(s->vq[q]->avail->idx - s->last_avail[q]);
}

static uint16_t take_avail(struct sim_vnet *s, uint16_t q)
{
	struct virtqueue *vq = s->vq[q];

	return vq->avail->ring[s->last_avail[q]++ & vq->mask];
}

void sim_used_raw(struct sim_vnet *s, uint16_t q, uint32_t id, uint32_t len)
{
	struct virtqueue *vq = s->vq[q];
	struct vring_used_elem *e = &vq->used->ring[s->used_idx[q]++ & vq->mask];

	e->id = id;
	e->len = len;
}

void sim_publish(struct sim_vnet *s, uint16_t q)
{
	__atomic_store_n(&s->vq[q]->used->idx, s->used_idx[q], __ATOMIC_RELEASE);
}

unsigned sim_tx(struct sim_vnet *s, uint16_t q, unsigned max)
{
	struct virtqueue *vq = s->vq[q];
	unsigned n = 0;

	while (n < max && avail_pending(s, q)) {
		uint16_t head = take_avail(s, q), i = head;
		uint8_t frame[2048];
		uint32_t total = 0;

		/* An indirect descriptor points at a table of the chain. */
		const struct vring_desc *table = vq->desc;
		unsigned limit = vq->mask + 1;
		if (vq->desc[i].flags & VRING_DESC_F_INDIRECT) {
			table = (const struct vring_desc *)(uintptr_t)vq->desc[i].addr;
			limit = vq->desc[i].len / sizeof(*table);
			i = 0;
		}
		for (unsigned k = 0; k < limit; k++) {
			const struct vring_desc *d = &table[i];
			if (total + d->len <= sizeof(frame))
				memcpy(frame + total, (void *)(uintptr_t)d->addr, d->len);
			total += d->len;
			if (!(d->flags & VRING_DESC_F_NEXT))
				break;
			i = d->next;
		}
		uint32_t hdr = (s->accepted & (1ULL << VIRTIO_F_VERSION_1)) ||
				       (s->accepted & (1ULL << VIRTIO_NET_F_MRG_RXBUF))
			       ? 12 : 10;
		for (uint32_t k = 0; k < hdr; k++)
			if (frame[k])
				s->tx_bad_header++;
		if (s->tx_frames < SIM_LOG_MAX) {
			s->tx_len[s->tx_frames] = total - hdr;
			memcpy(s->tx_head[s->tx_frames], frame + hdr, 16);
		}
		s->tx_frames++;
		sim_used_raw(s, q, head, 0);
		n++;
	}
	sim_publish(s, q);
	return n;
}

bool sim_rx(struct sim_vnet *s, uint16_t q, uint32_t len, uint8_t seed, uint16_t nbuf)
{
	struct virtqueue *vq = s->vq[q];

	if (!vq || !avail_pending(s, q)) {
		s->rx_no_buffer++;
		return false;
	}
	uint16_t head = take_avail(s, q);
	const struct vring_desc *d = &vq->desc[head];
	struct virtio_net_hdr_mrg_rxbuf h = { .num_buffers = nbuf };
	uint8_t *p = (uint8_t *)(uintptr_t)d->addr;
	uint32_t hdr = (s->accepted & (1ULL << VIRTIO_F_VERSION_1)) ||
			       (s->accepted & (1ULL << VIRTIO_NET_F_MRG_RXBUF))
		       ? 12 : 10;
	uint32_t room = d->len - hdr, n = len < room ? len : room;

	memcpy(p, &h, hdr);
	for (uint32_t i = 0; i < n; i++)
		p[hdr + i] = (uint8_t)(seed + i);
	sim_used_raw(s, q, head, hdr + n);
	return true;
}

unsigned sim_avail(struct sim_vnet *s, uint16_t q)
{
	return s->vq[q] ? avail_pending(s, q) : 0;
}

void sim_tick(void)
{
	struct sim_vnet *s = current;
	uint16_t q = (uint16_t)(2 * s->max_pairs);

	if (!s || !s->vq[q] || s->ctrl_silent)
		return;
	while (avail_pending(s, q)) {
		struct virtqueue *vq = s->vq[q];
		uint16_t head = take_avail(s, q), i = head;
		uint8_t *ack = NULL;
		unsigned k = 0;

		for (unsigned n = 0; n <= vq->mask; n++) {
			const struct vring_desc *d = &vq->desc[i];
			const uint8_t *b = (const uint8_t *)(uintptr_t)d->addr;
			if (d->flags & VRING_DESC_F_WRITE)
				ack = (uint8_t *)(uintptr_t)d->addr;
			for (uint32_t j = 0; j < d->len && k < 4 && !(d->flags & VRING_DESC_F_WRITE); j++)
				s->ctrl_last[k++] = b[j];
			if (!(d->flags & VRING_DESC_F_NEXT))
				break;
			i = d->next;
		}
		if (ack)
			*ack = VIRTIO_NET_OK;
		s->ctrl_seen++;
		sim_used_raw(s, q, head, 1);
		sim_publish(s, q);
	}
}
