/*
 * virtio-mmio: the transport (drivers/virtio/mmio.c) against a simulated
 * device, register access by register access, for version 2 and version 1
 * (legacy); and virtio_mmio.device= (kernel/bus/mmio.c) through the
 * parameter tables, good and malformed.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <skiff/config.h>
#include <skiff/console.h>
#include <skiff/errno.h>
#include <skiff/mem.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_net.h>
#include "virtio.h"
#include "virtio_mmio.h"
#include "mmio.h"
#include "tap.h"

/* ------------------------------------------------------ what the kernel gives */

int log_level = LOG_DEBUG;
static char logbuf[4096];

void log_printf(int level, const char *fmt, ...)
{
	size_t n = strlen(logbuf);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(logbuf + n, sizeof(logbuf) - n, fmt, ap);
	va_end(ap);
}

static uint64_t mapped_base, mapped_len;
static bool map_fails;

int mem_map_mmio(uint64_t addr, uint64_t len)
{
	if (map_fails)
		return -1;
	mapped_base = addr;
	mapped_len = len;
	return 0;
}

static void *allocs[64];
static unsigned nallocs;

void *mem_alloc(size_t size, size_t align, const char *what)
{
	void *p = aligned_alloc(align, ALIGN_UP(size, align));

	memset(p, 0, size);
	return allocs[nallocs++] = p;
}

/* ------------------------------------------------------ the simulated device */

#define BASE		0xfeb00e00u
#define NQUEUES		3

struct simq {
	uint32_t num_max, num, ready, pfn, align;
	uint64_t desc, avail, used;
};

static struct sim {
	uint32_t magic, version, device_id;
	uint64_t dev_features, drv_features;
	uint32_t dev_sel, drv_sel, status, queue_sel, page_size, generation;
	bool refuse_features;		/* FEATURES_OK does not stick */
	unsigned reset_busy;		/* STATUS reads non-zero this often after a reset */
	unsigned change_config;		/* config reads before the device changes it */
	unsigned gen_reads;
	struct simq q[NQUEUES];
	uint8_t config[64];
	int notified[16];
	unsigned nnotified;
	char trace[4096];
} sim;

static const char *reg_name(unsigned off)
{
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE: return "Magic";
	case VIRTIO_MMIO_VERSION: return "Version";
	case VIRTIO_MMIO_DEVICE_ID: return "DeviceID";
	case VIRTIO_MMIO_DEVICE_FEATURES: return "DeviceFeatures";
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL: return "DeviceFeaturesSel";
	case VIRTIO_MMIO_DRIVER_FEATURES: return "DriverFeatures";
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL: return "DriverFeaturesSel";
	case VIRTIO_MMIO_GUEST_PAGE_SIZE: return "GuestPageSize";
	case VIRTIO_MMIO_QUEUE_SEL: return "QueueSel";
	case VIRTIO_MMIO_QUEUE_NUM_MAX: return "QueueNumMax";
	case VIRTIO_MMIO_QUEUE_NUM: return "QueueNum";
	case VIRTIO_MMIO_QUEUE_ALIGN: return "QueueAlign";
	case VIRTIO_MMIO_QUEUE_PFN: return "QueuePFN";
	case VIRTIO_MMIO_QUEUE_READY: return "QueueReady";
	case VIRTIO_MMIO_QUEUE_NOTIFY: return "QueueNotify";
	case VIRTIO_MMIO_STATUS: return "Status";
	case VIRTIO_MMIO_QUEUE_DESC_LOW: return "QueueDescLow";
	case VIRTIO_MMIO_QUEUE_DESC_HIGH: return "QueueDescHigh";
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW: return "QueueDriverLow";
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH: return "QueueDriverHigh";
	case VIRTIO_MMIO_QUEUE_USED_LOW: return "QueueDeviceLow";
	case VIRTIO_MMIO_QUEUE_USED_HIGH: return "QueueDeviceHigh";
	case VIRTIO_MMIO_CONFIG_GENERATION: return "ConfigGeneration";
	}
	return "?";
}

static void trace(const char *fmt, ...)
{
	size_t n = strlen(sim.trace);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sim.trace + n, sizeof(sim.trace) - n, fmt, ap);
	va_end(ap);
}

static unsigned reg_off(uintptr_t addr)
{
	if (addr < BASE || addr >= BASE + 0x200) {
		fprintf(stderr, "access outside the device: %#lx\n", (unsigned long)addr);
		abort();
	}
	return (unsigned)(addr - BASE);
}

static struct simq *selq(void)
{
	return sim.queue_sel < NQUEUES ? &sim.q[sim.queue_sel] : NULL;
}

static void device_reset(void)
{
	for (unsigned i = 0; i < NQUEUES; i++) {
		sim.q[i].ready = sim.q[i].pfn = sim.q[i].num = 0;
		sim.q[i].desc = sim.q[i].avail = sim.q[i].used = 0;
	}
	sim.drv_features = 0;
}

/* Config space reads, traced by width: "c8 6" is a byte read at offset 6. */
static const uint8_t *config_at(uintptr_t addr, unsigned width)
{
	unsigned off = reg_off(addr) - VIRTIO_MMIO_CONFIG;

	if (addr < BASE + VIRTIO_MMIO_CONFIG || off + width > sizeof(sim.config) ||
	    off % width)
		abort();
	trace("c%u %u; ", 8 * width, off);
	if (sim.change_config && !--sim.change_config) {
		/* The device changes its config in the middle of a read. */
		for (unsigned i = 0; i < sizeof(sim.config); i++)
			sim.config[i] ^= 0xff;
		sim.generation++;
	}
	return &sim.config[off];
}

uint32_t vm_read32(uintptr_t addr)
{
	unsigned off = reg_off(addr);
	struct simq *q = selq();
	uint32_t v = 0;

	if (off >= VIRTIO_MMIO_CONFIG) {
		memcpy(&v, config_at(addr, 4), 4);
		return v;
	}
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE: v = sim.magic; break;
	case VIRTIO_MMIO_VERSION: v = sim.version; break;
	case VIRTIO_MMIO_DEVICE_ID: v = sim.device_id; break;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		v = sim.dev_sel ? (uint32_t)(sim.dev_features >> 32) : (uint32_t)sim.dev_features;
		if (sim.version == 1 && sim.dev_sel)
			v = 0;
		break;
	case VIRTIO_MMIO_QUEUE_NUM_MAX: v = q ? q->num_max : 0; break;
	case VIRTIO_MMIO_QUEUE_READY: v = q ? q->ready : 0; break;
	case VIRTIO_MMIO_QUEUE_PFN: v = q ? q->pfn : 0; break;
	case VIRTIO_MMIO_STATUS:
		v = sim.status;
		if (sim.reset_busy) {
			sim.reset_busy--;
			v = 0x80;
		}
		break;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		v = sim.generation;
		sim.gen_reads++;
		break;
	default:
		fprintf(stderr, "read of %#x (%s)\n", off, reg_name(off));
		abort();
	}
	trace("r %s; ", reg_name(off));
	return v;
}

uint8_t vm_read8(uintptr_t addr)
{
	return *config_at(addr, 1);
}

uint16_t vm_read16(uintptr_t addr)
{
	uint16_t v;

	memcpy(&v, config_at(addr, 2), 2);
	return v;
}

void vm_write32(uintptr_t addr, uint32_t v)
{
	unsigned off = reg_off(addr);
	struct simq *q = selq();

	trace("w %s %#x; ", reg_name(off), v);
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL: sim.dev_sel = v; break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL: sim.drv_sel = v; break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (sim.drv_sel)
			sim.drv_features = (sim.drv_features & 0xffffffffu) | (uint64_t)v << 32;
		else
			sim.drv_features = (sim.drv_features & ~0xffffffffull) | v;
		break;
	case VIRTIO_MMIO_GUEST_PAGE_SIZE: sim.page_size = v; break;
	case VIRTIO_MMIO_QUEUE_SEL: sim.queue_sel = v; break;
	case VIRTIO_MMIO_QUEUE_NUM: if (q) q->num = v; break;
	case VIRTIO_MMIO_QUEUE_ALIGN: if (q) q->align = v; break;
	case VIRTIO_MMIO_QUEUE_PFN: if (q) q->pfn = v; break;
	case VIRTIO_MMIO_QUEUE_READY: if (q) q->ready = v; break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		if (sim.nnotified < ARRAY_SIZE(sim.notified))
			sim.notified[sim.nnotified++] = (int)v;
		break;
	case VIRTIO_MMIO_STATUS:
		if (v == 0)
			device_reset();
		if ((v & VIRTIO_CONFIG_S_FEATURES_OK) &&
		    (sim.refuse_features || (sim.drv_features & ~sim.dev_features)))
			v &= ~VIRTIO_CONFIG_S_FEATURES_OK;
		sim.status = v;
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW: if (q) q->desc = (q->desc & ~0xffffffffull) | v; break;
	case VIRTIO_MMIO_QUEUE_DESC_HIGH: if (q) q->desc = (q->desc & 0xffffffffu) | (uint64_t)v << 32; break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW: if (q) q->avail = (q->avail & ~0xffffffffull) | v; break;
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH: if (q) q->avail = (q->avail & 0xffffffffu) | (uint64_t)v << 32; break;
	case VIRTIO_MMIO_QUEUE_USED_LOW: if (q) q->used = (q->used & ~0xffffffffull) | v; break;
	case VIRTIO_MMIO_QUEUE_USED_HIGH: if (q) q->used = (q->used & 0xffffffffu) | (uint64_t)v << 32; break;
	default:
		fprintf(stderr, "write of %#x (%s)\n", off, reg_name(off));
		abort();
	}
}

/* A virtio-net device of @version with a MAC in its config. */
static void sim_new(uint32_t version)
{
	memset(&sim, 0, sizeof(sim));
	sim.magic = 0x74726976;		/* "virt" */
	sim.version = version;
	sim.device_id = VIRTIO_ID_NET;
	sim.dev_features = BIT64(VIRTIO_NET_F_MAC) | BIT64(VIRTIO_NET_F_MRG_RXBUF) |
			   BIT64(VIRTIO_RING_F_EVENT_IDX) | BIT64(40);
	if (version == 2)
		sim.dev_features |= BIT64(VIRTIO_F_VERSION_1);
	else
		sim.dev_features |= BIT64(VIRTIO_F_ANY_LAYOUT);
	sim.q[0].num_max = sim.q[1].num_max = 1024;
	sim.q[2].num_max = 0;		/* no such queue */
	const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x0a };
	memcpy(sim.config + offsetof(struct virtio_net_config, mac), mac, 6);
	sim.config[offsetof(struct virtio_net_config, status)] = 0x01;	/* LINK_UP */
	sim.config[offsetof(struct virtio_net_config, status) + 1] = 0x0a;
	logbuf[0] = 0;
	mapped_base = mapped_len = 0;
	map_fails = false;
}

static void trace_clear(void)
{
	sim.trace[0] = 0;
}

static int trace_has(const char *want, const char *name)
{
	int pass = strstr(sim.trace, want) != NULL;

	ok(pass, "%s", name);
	if (!pass)
		printf("#   trace: %s\n#   want:  %s\n", sim.trace, want);
	return pass;
}

/* Whether the log holds @want; the log goes in a comment, not the test name. */
static int log_has(const char *want, const char *name)
{
	int pass = strstr(logbuf, want) != NULL;

	ok(pass, "%s", name);
	if (!pass)
		printf("#   log: %s\n#   want: %s\n", logbuf, want);
	return pass;
}

#define WANTED (BIT64(VIRTIO_F_VERSION_1) | BIT64(VIRTIO_F_ANY_LAYOUT) | \
		BIT64(VIRTIO_NET_F_MAC) | BIT64(VIRTIO_NET_F_MRG_RXBUF) | \
		BIT64(VIRTIO_RING_F_EVENT_IDX))

static void *ring_mem(uint16_t size)
{
	void *p = aligned_alloc(VQ_ALIGN, vq_ring_bytes(size));

	memset(p, 0, vq_ring_bytes(size));
	return allocs[nallocs++] = p;
}

/* ------------------------------------------------------ version 2 */

static void test_modern(void)
{
	struct virtio_dev *d;
	struct virtqueue vq;
	void *cookies[256];

	sim_new(2);
	is_u64(virtio_mmio_device_type(BASE, 0x200, "mmio 0xfeb00e00"), VIRTIO_ID_NET,
	       "v2: DeviceID is net");
	ok(mapped_base == BASE && mapped_len == 0x200, "the region is mapped with mem_map_mmio()");
	trace_clear();
	d = virtio_mmio_attach(BASE, 0x200, "mmio 0xfeb00e00");
	ok(d != NULL, "v2: attached");
	is_str(d->ops->name, "mmio-modern", "v2: the modern transport");
	ok(!d->ops->legacy && !d->ops->queue_size_fixed, "v2: not legacy; the driver sizes queues");
	is_u64(d->device_type, VIRTIO_ID_NET, "v2: device_type set");
	is_str(d->where, "mmio 0xfeb00e00", "v2: named after its slot");
	trace_has("r Magic; r Version; r DeviceID; ", "v2: attach checks Magic, Version, DeviceID");

	trace_clear();
	is_u64(virtio_negotiate(d, WANTED), 0, "v2: negotiation succeeds");
	trace_has("w Status 0; r Status; w Status 0x1; w Status 0x3; "
		  "w DeviceFeaturesSel 0x1; r DeviceFeatures; "
		  "w DeviceFeaturesSel 0; r DeviceFeatures; "
		  "w DriverFeaturesSel 0x1; w DriverFeatures 0x1; "
		  "w DriverFeaturesSel 0; w DriverFeatures 0x20008020; "
		  "w Status 0xb; r Status; ",
		  "v2: reset, ACKNOWLEDGE, DRIVER, features in two halves, FEATURES_OK re-read");
	is_u64(d->features, WANTED & sim.dev_features, "v2: negotiated = wanted & offered");
	is_u64(sim.drv_features, d->features, "v2: the device got both halves");

	trace_clear();
	is_u64(d->ops->queue_max(d, 1), 1024, "v2: queue 1 has 1024 descriptors");
	trace_has("w QueueSel 0x1; r QueueNumMax; ", "v2: queue_max selects then reads QueueNumMax");
	is_u64(d->ops->queue_max(d, 2), 0, "v2: no queue 2 (QueueNumMax 0)");
	sim.q[1].num_max = 65536;
	is_u64(d->ops->queue_max(d, 1), VQ_MAX_SIZE, "v2: a larger QueueNumMax is capped");
	sim.q[1].num_max = 1024;

	ok(vq_init(&vq, 1, 256, ring_mem(256), cookies, true) == 0, "v2: virtqueue laid out");
	trace_clear();
	is_u64(d->ops->queue_enable(d, &vq), 0, "v2: queue enabled");
	char want[512];
	uint64_t desc = (uintptr_t)vq.desc, avail = (uintptr_t)vq.avail, used = (uintptr_t)vq.used;
	snprintf(want, sizeof(want),
		 "w QueueSel 0x1; r QueueReady; r QueueNumMax; w QueueNum 0x100; "
		 "w QueueDescLow %#x; w QueueDescHigh %#x; "
		 "w QueueDriverLow %#x; w QueueDriverHigh %#x; "
		 "w QueueDeviceLow %#x; w QueueDeviceHigh %#x; w QueueReady 0x1; ",
		 (uint32_t)desc, (uint32_t)(desc >> 32), (uint32_t)avail,
		 (uint32_t)(avail >> 32), (uint32_t)used, (uint32_t)(used >> 32));
	trace_has(want, "v2: QueueSel, checks, QueueNum, Desc/Driver/Device Low/High, QueueReady");
	ok(sim.q[1].desc == desc && sim.q[1].avail == avail && sim.q[1].used == used &&
	   sim.q[1].num == 256 && sim.q[1].ready == 1, "v2: the device has the rings");

	vq_notify(&vq);
	ok(sim.nnotified == 1 && sim.notified[0] == 1, "v2: the doorbell writes the queue index to QueueNotify");

	trace_clear();
	virtio_driver_ok(d);
	trace_has("r Status; w Status 0xf; ", "v2: DRIVER_OK added to the status");

	/* The queue is the device's now: enabling it again is refused. */
	logbuf[0] = 0;
	ok(d->ops->queue_enable(d, &vq) == -EIO, "v2: a queue already ready is refused");
	log_has("mmio 0xfeb00e00: queue 1 is already in use", "v2: and said so");

	struct virtqueue big;
	void *bigc[2048];
	vq_init(&big, 0, 2048, ring_mem(2048), bigc, true);
	logbuf[0] = 0;
	ok(d->ops->queue_enable(d, &big) == -EINVAL, "v2: more descriptors than QueueNumMax refused");
	log_has("queue 0: 2048 descriptors, the device has 1024", "v2: said so");

	/* The config: read between two equal ConfigGeneration reads. */
	uint8_t mac[6];
	sim.gen_reads = 0;
	d->ops->config_read(d, offsetof(struct virtio_net_config, mac), mac, 6);
	ok(mac[0] == 0x02 && mac[5] == 0x0a, "v2: MAC read from the config space");
	is_u64(sim.gen_reads, 2, "v2: ConfigGeneration read before and after");
	sim.gen_reads = 0;
	sim.change_config = 3;		/* changes during the third byte */
	d->ops->config_read(d, offsetof(struct virtio_net_config, mac), mac, 6);
	ok(mac[0] == (0x02 ^ 0xff) && mac[5] == (0x0a ^ 0xff),
	   "v2: a config changed mid-read is read again, whole");
	is_u64(sim.gen_reads, 4, "v2: ConfigGeneration differed once, so two passes");

	/* Each field as wide as it is (spec 4.2.2.2); the MAC is 6 bytes. */
	uint16_t st;
	uint32_t u32;
	uint64_t u64;
	trace_clear();
	d->ops->config_read(d, offsetof(struct virtio_net_config, mac), mac, 6);
	d->ops->config_read(d, offsetof(struct virtio_net_config, status), &st, 2);
	d->ops->config_read(d, 12, &u32, 4);
	d->ops->config_read(d, 16, &u64, 8);
	trace_has("r ConfigGeneration; c8 0; c8 1; c8 2; c8 3; c8 4; c8 5; r ConfigGeneration; "
		  "r ConfigGeneration; c16 6; r ConfigGeneration; "
		  "r ConfigGeneration; c32 12; r ConfigGeneration; "
		  "r ConfigGeneration; c32 16; c32 20; r ConfigGeneration; ",
		  "v2: config fields read 8, 16 and 32 bits wide");
	is_u64(st, 0x0a01 ^ 0xffff, "v2: the 16-bit status as the device has it (flipped above)");

	/* A reset the device takes time to finish is waited for. */
	sim.reset_busy = 3;
	trace_clear();
	d->ops->reset(d);
	trace_has("w Status 0; r Status; r Status; r Status; r Status; ",
		  "v2: reset waits until Status reads 0");
	ok(sim.q[1].ready == 0, "v2: reset disabled the queue");
}

static void test_modern_refusals(void)
{
	struct virtio_dev *d;

	sim_new(2);
	sim.refuse_features = true;
	d = virtio_mmio_attach(BASE, 0x200, "mmio 0xfeb00e00");
	ok(virtio_negotiate(d, WANTED) == -EIO, "v2: FEATURES_OK not kept: negotiation fails");
	log_has("refused features", "v2: refusal logged");
	ok(sim.status & VIRTIO_CONFIG_S_FAILED, "v2: FAILED set");

	sim_new(2);
	sim.dev_features &= ~BIT64(VIRTIO_F_VERSION_1);
	d = virtio_mmio_attach(BASE, 0x200, "mmio 0xfeb00e00");
	ok(virtio_negotiate(d, WANTED) == -EIO, "v2 without VERSION_1: refused");
	log_has("without VERSION_1", "v2 without VERSION_1: said so");
}

/* ------------------------------------------------------ version 1 */

static void test_legacy(void)
{
	struct virtio_dev *d;
	struct virtqueue vq;
	void *cookies[128];
	uint8_t mac[6];

	sim_new(1);
	d = virtio_mmio_attach(BASE, 0x200, "mmio 0xfeb00e00");
	ok(d != NULL, "v1: attached");
	is_str(d->ops->name, "mmio-legacy", "v1: the legacy transport");
	ok(d->ops->legacy && !d->ops->queue_size_fixed,
	   "v1: legacy (32 feature bits, no FEATURES_OK); the driver still sizes queues");

	trace_clear();
	is_u64(virtio_negotiate(d, WANTED), 0, "v1: negotiation succeeds");
	trace_has("w Status 0; r Status; w Status 0x1; w Status 0x3; "
		  "w DeviceFeaturesSel 0x1; r DeviceFeatures; "
		  "w DeviceFeaturesSel 0; r DeviceFeatures; "
		  "w DriverFeaturesSel 0; w DriverFeatures 0x28008020; ",
		  "v1: features in one 32-bit half");
	ok(strstr(sim.trace, "Status 0xb") == NULL, "v1: no FEATURES_OK step");
	ok(strstr(sim.trace, "DriverFeaturesSel 0x1") == NULL, "v1: no upper half written");
	is_u64(d->features, (WANTED & sim.dev_features) & 0xffffffffu, "v1: 32 bits negotiated");

	/* QueuePFN is 32 bits of 4 KiB pages: a ring above 16 TiB cannot be
	 * given (the sanitizers' heap is up there). */
	ok(vq_init(&vq, 0, 128, ring_mem(128), cookies, true) == 0, "v1: virtqueue laid out");
	if ((uintptr_t)vq.desc >> 44) {
		logbuf[0] = 0;
		trace_clear();
		ok(d->ops->queue_enable(d, &vq) == -EINVAL, "v1: a ring above 16 TiB is refused");
		log_has("legacy queue 0 above 16 TiB", "v1: and said so");
		is_str(sim.trace, "", "v1: before touching the device");
	}
	void *low = mmap(NULL, vq_ring_bytes(128), PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	ok(low != MAP_FAILED && vq_init(&vq, 0, 128, low, cookies, true) == 0,
	   "v1: virtqueue laid out below 4 GiB");
	trace_clear();
	is_u64(d->ops->queue_enable(d, &vq), 0, "v1: queue enabled");
	char want[256];
	snprintf(want, sizeof(want),
		 "w QueueSel 0; r QueuePFN; r QueueNumMax; w QueueNum 0x80; "
		 "w GuestPageSize 0x1000; w QueueAlign 0x1000; w QueuePFN %#x; ",
		 (uint32_t)((uintptr_t)vq.desc >> 12));
	trace_has(want, "v1: QueueSel, PFN free, QueueNum, GuestPageSize, QueueAlign, QueuePFN");
	ok(strstr(sim.trace, "QueueReady") == NULL && strstr(sim.trace, "QueueDesc") == NULL,
	   "v1: no QueueReady or 64-bit addresses");
	is_u64((uint64_t)sim.q[0].pfn * sim.page_size, (uintptr_t)vq.desc,
	       "v1: PFN x GuestPageSize is the ring");
	is_u64((uintptr_t)vq.used - (uintptr_t)vq.desc,
	       ALIGN_UP(128 * 16 + 6 + 2 * 128, sim.q[0].align),
	       "v1: the used ring sits where QueueAlign puts it");

	vq_notify(&vq);
	ok(sim.nnotified == 1 && sim.notified[0] == 0, "v1: the doorbell writes QueueNotify");

	logbuf[0] = 0;
	ok(d->ops->queue_enable(d, &vq) == -EIO, "v1: a queue with a PFN already is refused");

	sim.gen_reads = 0;
	d->ops->config_read(d, offsetof(struct virtio_net_config, mac), mac, 6);
	ok(mac[0] == 0x02 && mac[5] == 0x0a, "v1: MAC read from the config space");
	is_u64(sim.gen_reads, 0, "v1: no ConfigGeneration register used");
	uint16_t st;
	trace_clear();
	d->ops->config_read(d, offsetof(struct virtio_net_config, status), &st, 2);
	is_str(sim.trace, "c8 6; c8 7; ", "v1: config read byte by byte");
	is_u64(st, 0x0a01, "v1: the status as the device has it");
	munmap(low, vq_ring_bytes(128));
}

/* ------------------------------------------------------ not a device */

static void test_not_a_device(void)
{
	sim_new(2);
	sim.magic = 0x12345678;
	is_u64(virtio_mmio_device_type(BASE, 0x200, "mmio 0xfeb00e00"), (uint64_t)-ENODEV,
	       "bad magic: not a device");
	log_has("mmio 0xfeb00e00: not a virtio-mmio device (MagicValue 0x12345678",
		"bad magic: said so");
	ok(virtio_mmio_attach(BASE, 0x200, "mmio 0xfeb00e00") == NULL, "bad magic: not attached");

	sim_new(3);
	is_u64(virtio_mmio_device_type(BASE, 0x200, "mmio 0xfeb00e00"), (uint64_t)-ENODEV,
	       "version 3: refused");
	log_has("virtio-mmio version 3; Skiff drives 1 (legacy) and 2", "version 3: said so");

	sim_new(2);
	sim.device_id = 0;
	is_u64(virtio_mmio_device_type(BASE, 0x200, "mmio 0xfeb00e00"), 0, "DeviceID 0: an empty slot");
	ok(virtio_mmio_attach(BASE, 0x200, "mmio 0xfeb00e00") == NULL, "DeviceID 0: not attached");
	is_str(logbuf, "", "DeviceID 0: skipped quietly");

	sim_new(2);
	map_fails = true;
	is_u64(virtio_mmio_device_type(BASE, 0x200, "mmio 0xfeb00e00"), (uint64_t)-ENODEV,
	       "unmappable region: no device");
	is_str(sim.trace, "", "unmappable region: never touched");
}

/* ------------------------------------------------------ virtio_mmio.device= */

static const struct param params[] = {
	PARAM_OF("virtio_mmio.device", virtio_mmio_devices, virtio_mmio_kind,
		 "a virtio-mmio device slot"),
};
static const struct param_table tables[] = { { "kernel", params, ARRAY_SIZE(params) } };

static void test_parse(void)
{
	static const struct {
		const char *s;
		uint64_t size, base;
		uint32_t irq;
	} good[] = {
		{ "512@0xfeb00e00:12", 512, 0xfeb00e00, 12 },		/* QEMU microvm */
		{ "4K@0xd0000000:5", 4096, 0xd0000000, 5 },		/* Firecracker */
		{ "1K@0x100b0000:48:7", 1024, 0x100b0000, 48 },	/* Linux's example, with an id */
		{ "0x200@4272950784:12", 512, 0xfeb00e00, 12 },
		{ "1k@0X1000:0", 1024, 0x1000, 0 },
		{ "1M@0x1000:4294967295", 1 << 20, 0x1000, 4294967295u },
		{ "2G@0x100000000:3", 2ull << 30, 0x100000000ull, 3 },
	};
	static const struct {
		const char *s, *why;
	} bad[] = {
		{ "", "the size is not a number" },
		{ "@0x1000:5", "the size is not a number" },
		{ "010@0x1000:5", "the size is not a number" },	/* octal in Linux */
		{ "99999999999999999999@0x1000:5", "the size is not a number" },
		{ "99999999999999999G@0x1000:5", "the size is too large" },
		{ "0x80@0x1000:5", "below 0x100" },
		{ "512", "no '@' after the size" },
		{ "512T@0x1000:5", "no '@' after the size" },
		{ "512@", "the base address is not a number" },
		{ "512@0x:5", "the base address is not a number" },
		{ "512@feb00e00:12", "the base address is not a number" },
		{ "512@0xfeb00e02:12", "not 4-byte aligned" },
		{ "512@0xfffffffffffffe00:1", "wraps around" },
		{ "512@0xfeb00e00", "no ':' and IRQ" },
		{ "512@0xfeb00e00;12", "no ':' and IRQ" },
		{ "512@0xfeb00e00:", "the IRQ is not a 32-bit number" },
		{ "512@0xfeb00e00:x", "the IRQ is not a 32-bit number" },
		{ "512@0xfeb00e00:4294967296", "the IRQ is not a 32-bit number" },
		{ "512@0xfeb00e00:12:", "the id after the IRQ is not a number" },
		{ "512@0xfeb00e00:12:-1", "the id after the IRQ is not a number" },
		{ "512@0xfeb00e00:12:3:4", "text after the IRQ" },
		{ "512@0xfeb00e00:12 ", "text after the IRQ" },
	};
	struct virtio_mmio_region r;

	for (unsigned i = 0; i < ARRAY_SIZE(good); i++) {
		const char *why = virtio_mmio_parse(good[i].s, &r);
		ok(!why && r.size == good[i].size && r.base == good[i].base && r.irq == good[i].irq,
		   "parses %s (%s)", good[i].s, why ? why : "ok");
	}
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		const char *why = virtio_mmio_parse(bad[i].s, &r);
		ok(why && strstr(why, bad[i].why), "refuses '%s': %s", bad[i].s, why ? why : "(accepted)");
	}
}

static int apply(const char *text, char *err, size_t errlen)
{
	static char buf[2048];
	static struct kvlist kv;

	snprintf(buf, sizeof(buf), "%s", text);
	kv.n = 0;
	virtio_mmio_devices.n = 0;
	err[0] = 0;
	if (kv_parse(buf, &kv, "command line", false, err, errlen) < 0)
		return -1;
	return params_apply(tables, ARRAY_SIZE(tables), &kv, err, errlen);
}

static void test_cmdline(void)
{
	char err[512], val[256];
	struct virtio_mmio_region r[VIRTIO_MMIO_MAX];

	/* What QEMU 7.2 microvm appends (acpi=off) for two NICs, after the user's text. */
	is_u64(apply(" virtio_mmio.device=512@0xfeb00e00:12 virtio_mmio.device=512@0xfeb00c00:11",
		     err, sizeof(err)), 0, "two devices accepted: %s", err);
	is_u64(virtio_mmio_devices.n, 2, "both kept");
	is_str(virtio_mmio_devices.vals[0], "512@0xfeb00e00:12", "in command-line order (first)");
	is_str(virtio_mmio_devices.vals[1], "512@0xfeb00c00:11", "in command-line order (second)");
	param_value(&params[0], val, sizeof(val));
	is_str(val, "512@0xfeb00e00:12,512@0xfeb00c00:11", "effective value lists both");
	is_u64(virtio_mmio_regions(r, VIRTIO_MMIO_MAX), 2, "two regions");
	ok(r[0].base == 0xfeb00e00 && r[1].base == 0xfeb00c00 && r[1].irq == 11,
	   "regions in the order given");

	/* The user gave one the VMM gives too: offered once. */
	logbuf[0] = 0;
	is_u64(apply("virtio_mmio.device=512@0xfeb00e00:12 virtio_mmio.device=4K@0xd0000000:5 "
		     "virtio_mmio.device=0x200@0xfeb00e00:12 virtio_mmio.device=1K@0xfeb00c00:11",
		     err, sizeof(err)), 0, "duplicates are valid settings");
	is_u64(virtio_mmio_regions(r, VIRTIO_MMIO_MAX), 2, "an overlapping device is dropped");
	ok(r[0].base == 0xfeb00e00 && r[1].base == 0xd0000000, "the first of each kept");
	log_has("virtio_mmio.device=0x200@0xfeb00e00:12 overlaps a device given before",
		"the dropped one is named");
	log_has("virtio_mmio.device=1K@0xfeb00c00:11 overlaps", "so is the other");

	apply("", err, sizeof(err));
	param_value(&params[0], val, sizeof(val));
	is_str(val, "(none)", "no device: (none)");

	ok(apply("virtio_mmio.device=512@0xfeb00e00:x", err, sizeof(err)) < 0, "malformed value refused");
	ok(strstr(err, "bad value '512@0xfeb00e00:x' for 'virtio_mmio.device' (command line): "
		       "the IRQ is not a 32-bit number; expected <size>@<base>:<irq>[:<id>]"),
	   "the error names the value, the key, what is wrong and the form: %s", err);
	ok(apply("virtio_mmio.device", err, sizeof(err)) < 0 && strstr(err, "bad value (none)"),
	   "a bare key refused: %s", err);

	char many[2048] = "";
	for (unsigned i = 0; i <= VIRTIO_MMIO_MAX; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many),
			 "virtio_mmio.device=512@%#x:%u ", 0xfeb00000 + 512 * i, 5 + i);
	ok(apply(many, err, sizeof(err)) < 0 &&
	   strstr(err, "for 'virtio_mmio.device' (command line): more devices than the 16"
			" Skiff takes"),
	   "one too many refused: %s", err);
}

int main(void)
{
	test_modern();
	test_modern_refusals();
	test_legacy();
	test_not_a_device();
	test_parse();
	test_cmdline();
	for (unsigned i = 0; i < nallocs; i++)
		free(allocs[i]);
	return done_testing();
}
