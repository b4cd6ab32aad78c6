/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-net, polled, behind the netdev API (include/skiff/netdev.h).
 *
 * One queue pair (0: RX, 1: TX) and the control queue (2) for promiscuous
 * mode. Every buffer is one descriptor: the virtio-net header sits in the
 * netbuf's headroom, right before the frame (VERSION_1 or ANY_LAYOUT allow
 * that layout), so nothing is copied or moved. On TX the header is all
 * zeros (no offloads), so writing it changes no byte another in-flight send
 * of the same netbuf could see: refcounted netbufs can be sent many times at
 * once (zero-copy), and the driver never touches the netbuf's fields.
 *
 * RX: the ring is filled from the queue's pool at set-up and refilled in
 * batches of RX_REFILL_BATCH. With MRG_RXBUF a frame longer than a buffer
 * spans several; such frames are dropped and counted (rx_oversize), every
 * buffer they used recycled.
 * TX: completions are reclaimed at the start of the next burst (never on a
 * completion of their own) and returned to the pools in batches with
 * netbuf_free_bulk(). Reclaiming at every burst rather than when the ring
 * runs low keeps the device's avail ring from running dry: QEMU then never
 * waits for a kick and a wake-up between two runs of its TX loop (measured:
 * 650-720k frames/s into the drop sink against 530k with low-water reclaim,
 * on a loaded machine).
 */
#include <skiff/console.h>
#include <skiff/mem.h>
#include <skiff/netdev.h>
#include <skiff/string.h>
#include <skiff/time.h>
#include <linux/if_ether.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>
#include "net.h"
#include "virtio.h"

#define VNET_MAX_DEVS		4
#define RXQ			0
#define TXQ			1
#define CTRLQ			2
#define CTRLQ_SIZE		16
#define RX_REFILL_BATCH		32
#define TX_RECLAIM_BATCH	64	/* completions freed per netbuf_free_bulk() */
#define STOP_TIMEOUT_NS		(1000 * NSEC_PER_MSEC)
/*
 * A queue that makes no progress for NUDGE_NS kicks the device unasked (a
 * "nudge"). EVENT_IDX is a store-buffering handshake: we publish then read
 * avail_event, the device writes avail_event then reads the index, each
 * with a full barrier between. If either barrier is missing (QEMU's TCG
 * drops the guest's fences when the machine has a single CPU slot; device
 * bugs have done the same) both sides can miss each other and a polling
 * driver would wait forever. With correct barriers a nudge changes nothing
 * and the nudges counter stays 0. The clock is read once per NUDGE_CHECK
 * polls without progress, never on a poll that moves frames.
 */
#define NUDGE_NS		(10 * NSEC_PER_MSEC)
#define NUDGE_CHECK		1024

#define FEATURES_WANTED (BIT64(VIRTIO_F_VERSION_1) | BIT64(VIRTIO_F_ANY_LAYOUT) | \
	BIT64(VIRTIO_NET_F_MAC) | BIT64(VIRTIO_NET_F_STATUS) |                    \
	BIT64(VIRTIO_NET_F_MRG_RXBUF) | BIT64(VIRTIO_RING_F_EVENT_IDX) |          \
	BIT64(VIRTIO_NET_F_CTRL_VQ) | BIT64(VIRTIO_NET_F_CTRL_RX))

struct vnet_rxq {
	struct virtqueue vq;
	struct netbuf_pool *pool;
	uint32_t post_len;	/* bytes each posted buffer offers, header included */
	uint16_t hdr_len;
	uint16_t port;
	uint16_t drop_more;	/* buffers of an oversize frame still to drop */
	bool mrg;
	uint32_t stall;		/* polls without a frame (see NUDGE_NS) */
	uint64_t stall_since;
	uint64_t packets, bytes, errors, oversize, nobuf, ring_dry, nudges;
	void *ring;		/* ring memory, kept across restarts */
	void **cookies;
	uint16_t ring_cap;	/* descriptors the memory was sized for */
} __cache_aligned;

struct vnet_txq {
	struct virtqueue vq;
	uint16_t hdr_len;
	uint16_t max_frame;
	uint32_t stall;		/* bursts on a full ring without a completion */
	uint64_t stall_since;
	uint64_t packets, bytes, errors, ring_full, nudges;
	void *ring;
	void **cookies;
	uint16_t ring_cap;
} __cache_aligned;

/* A control command and its status, in device-visible memory. */
struct vnet_ctrl {
	struct virtio_net_ctrl_hdr hdr;
	uint8_t data;
	uint8_t ack;
};

struct vnet {
	struct netdev nd;
	struct virtio_dev vdev;
	struct vnet_rxq rxq;
	struct vnet_txq txq;
	struct virtqueue ctrlq;
	void *ctrl_ring;
	void **ctrl_cookies;
	uint16_t ctrl_cap;
	struct vnet_ctrl ctrl;
	uint8_t mac[ETH_ALEN];
	bool mac_random;
	uint16_t hdr_len;
	uint16_t rx_max, tx_max;	/* ring sizes the device offers */
	bool needs_negotiation;		/* after a reset by stop() */
};

static struct vnet vnets[VNET_MAX_DEVS];
static unsigned nvnets;

static struct vnet *to_vnet(struct netdev *nd)
{
	return container_of(nd, struct vnet, nd);
}

/* ------------------------------------------------------------------ stalls */

static uint64_t nudge_ticks;

/* One more poll without progress on @vq; kicks it after NUDGE_NS of them. */
static __noinline void stall_poll(struct virtqueue *vq, uint32_t *stall,
				  uint64_t *since, uint64_t *nudges)
{
	if (++*stall % NUDGE_CHECK)
		return;
	uint64_t now = rdtsc();
	if (*stall == NUDGE_CHECK) {
		*since = now;
	} else if (now - *since > nudge_ticks) {
		vq_notify(vq);
		(*nudges)++;
		*stall = 0;
	}
}

/* ------------------------------------------------------------------ RX */

/* Posts buffers from the pool into every free slot (batch allocations). */
static void rx_refill(struct vnet_rxq *q)
{
	struct virtqueue *vq = &q->vq;
	struct netbuf *bufs[64];

	while (vq_free_count(vq)) {
		unsigned want = MIN(vq_free_count(vq), ARRAY_SIZE(bufs)), got = want;

		if (unlikely(netbuf_alloc_bulk(q->pool, bufs, want) < 0)) {
			/* All-or-nothing failed: take what is left, one by one. */
			for (got = 0; got < want; got++)
				if (!(bufs[got] = netbuf_alloc(q->pool)))
					break;
			q->nobuf += want - got;
		}
		for (unsigned i = 0; i < got; i++)
			vq_add(vq, (uintptr_t)netbuf_data(bufs[i]) - q->hdr_len,
			       q->post_len, true, bufs[i]);
		if (got < want)
			break;
	}
	vq_kick(vq);
}

static uint16_t vnet_rx_burst(void *queue, struct netbuf **bufs, uint16_t n)
{
	struct vnet_rxq *q = queue;
	struct virtqueue *vq = &q->vq;
	uint16_t ready = vq_used_count(vq), got = 0;
	uint64_t bytes = 0;

	if (unlikely(!ready)) {
		stall_poll(vq, &q->stall, &q->stall_since, &q->nudges);
		return 0;
	}
	q->stall = 0;
	if (unlikely(ready == vq_in_flight(vq)))
		q->ring_dry++;	/* every posted buffer was filled */
	if (n > ready)
		n = ready;
	for (uint16_t k = 0; k < n; k++) {
		uint32_t len;
		struct netbuf *nb = vq_get_used(vq, &len);

		if (unlikely(!nb))
			continue;
		if (unlikely(q->drop_more)) {	/* tail of an oversize frame */
			q->drop_more--;
			netbuf_free(nb);
			continue;
		}
		if (unlikely(len < (uint32_t)q->hdr_len + ETH_HLEN || len > q->post_len)) {
			q->errors++;
			netbuf_free(nb);
			continue;
		}
		if (q->mrg) {
			const struct virtio_net_hdr_mrg_rxbuf *h =
				(const void *)((char *)netbuf_data(nb) - q->hdr_len);
			if (unlikely(h->num_buffers != 1)) {
				q->errors++;
				q->oversize++;
				q->drop_more = h->num_buffers ? h->num_buffers - 1 : 0;
				netbuf_free(nb);
				continue;
			}
		}
		nb->data_len = (uint16_t)(len - q->hdr_len);
		nb->pkt_len = nb->data_len;
		nb->port = q->port;
		bytes += nb->data_len;
		bufs[got++] = nb;
	}
	q->packets += got;
	q->bytes += bytes;
	if (vq_free_count(vq) >= RX_REFILL_BATCH)
		rx_refill(q);
	return got;
}

/* ------------------------------------------------------------------ TX */

/* Returns every buffer the device has finished with to its pool. */
static uint16_t tx_reclaim(struct vnet_txq *q)
{
	struct virtqueue *vq = &q->vq;
	struct netbuf *done[TX_RECLAIM_BATCH];
	uint16_t n = vq_used_count(vq), total = n;

	while (n) {
		unsigned k = MIN(n, ARRAY_SIZE(done)), m = 0;
		for (unsigned i = 0; i < k; i++) {
			uint32_t len;
			struct netbuf *nb = vq_get_used(vq, &len);
			if (likely(nb))
				done[m++] = nb;
		}
		netbuf_free_bulk(done, m);
		n = (uint16_t)(n - k);
	}
	return total;
}

static uint16_t vnet_tx_reclaim(void *queue)
{
	return tx_reclaim(queue);
}

/* Zeroes the virtio-net header in front of the data; no offloads asked. */
static inline void tx_write_header(uint8_t *hdr, uint16_t hdr_len)
{
	uint64_t zero8 = 0;
	uint16_t zero2 = 0;

	memcpy(hdr, &zero8, 8);
	memcpy(hdr + 8, &zero2, 2);
	if (hdr_len == 12)
		memcpy(hdr + 10, &zero2, 2);	/* num_buffers */
}

/* A frame the fast path does not take: a chain, or malformed. */
static bool tx_slow(struct vnet_txq *q, struct netbuf *nb)
{
	struct virtqueue *vq = &q->vq;
	struct vq_seg segs[16];
	unsigned n = 0;

	if (nb->data_off < q->hdr_len || nb->pkt_len > q->max_frame ||
	    nb->nb_segs > ARRAY_SIZE(segs)) {
		q->errors++;
		netbuf_free(nb);
		return true;
	}
	if (vq_free_count(vq) < nb->nb_segs)
		return false;
	for (struct netbuf *s = nb; s && n < ARRAY_SIZE(segs); s = s->next, n++) {
		segs[n].addr = (uintptr_t)netbuf_data(s);
		segs[n].len = s->data_len;
		segs[n].device_writes = false;
	}
	tx_write_header((uint8_t *)netbuf_data(nb) - q->hdr_len, q->hdr_len);
	segs[0].addr -= q->hdr_len;
	segs[0].len += q->hdr_len;
	vq_add_chain(vq, segs, n, nb);
	q->packets++;
	q->bytes += nb->pkt_len;
	return true;
}

static uint16_t vnet_tx_burst(void *queue, struct netbuf **bufs, uint16_t n)
{
	struct vnet_txq *q = queue;
	struct virtqueue *vq = &q->vq;
	uint64_t bytes = 0;
	uint16_t i, fast = 0;

	if (unlikely(!tx_reclaim(q) && !vq_free_count(vq)))
		stall_poll(vq, &q->stall, &q->stall_since, &q->nudges);
	else
		q->stall = 0;
	for (i = 0; i < n; i++) {
		struct netbuf *nb = bufs[i];

		if (unlikely(!vq_free_count(vq)))
			break;
		if (unlikely(nb->nb_segs != 1 || nb->data_off < q->hdr_len ||
			     nb->data_len > q->max_frame)) {
			if (!tx_slow(q, nb))
				break;
			continue;
		}
		uint8_t *hdr = (uint8_t *)netbuf_data(nb) - q->hdr_len;
		tx_write_header(hdr, q->hdr_len);
		vq_add(vq, (uintptr_t)hdr, (uint32_t)nb->data_len + q->hdr_len, false, nb);
		bytes += nb->data_len;
		fast++;
	}
	q->packets += fast;
	q->bytes += bytes;
	q->ring_full += n - i;
	vq_kick(vq);
	return i;
}

/* ------------------------------------------------------------------ control */

static int ctrl_command(struct vnet *v, uint8_t class, uint8_t cmd, uint8_t data)
{
	struct vnet_ctrl *c = &v->ctrl;
	const struct vq_seg segs[3] = {
		{ (uintptr_t)&c->hdr, sizeof(c->hdr), false },
		{ (uintptr_t)&c->data, 1, false },
		{ (uintptr_t)&c->ack, 1, true },
	};
	uint64_t deadline = time_ns() + STOP_TIMEOUT_NS;
	uint32_t len;

	if (!virtio_has(&v->vdev, VIRTIO_NET_F_CTRL_VQ))
		return -ENOTSUP;
	c->hdr.class = class;
	c->hdr.cmd = cmd;
	c->data = data;
	c->ack = 0xff;
	vq_add_chain(&v->ctrlq, segs, 3, c);
	vq_publish(&v->ctrlq);
	vq_notify(&v->ctrlq);
	while (!vq_used_count(&v->ctrlq)) {
		if (time_ns() > deadline) {
			log_err("%s: control command %u/%u got no answer\n", v->nd.name,
				class, cmd);
			return -ETIMEDOUT;
		}
		cpu_relax();
	}
	vq_get_used(&v->ctrlq, &len);
	return READ_ONCE(c->ack) == VIRTIO_NET_OK ? 0 : -EIO;
}

/* ------------------------------------------------------------------ netdev ops */

static void vnet_info(struct netdev *nd, struct netdev_info *info)
{
	struct vnet *v = to_vnet(nd);

	*info = (struct netdev_info){
		.driver = "virtio-net",
		.transport = v->vdev.ops->name,
		.mac_random = v->mac_random,
		.mtu = ETH_DATA_LEN,
		.max_frame = ETH_FRAME_LEN,
		.tx_headroom = v->hdr_len,
		.rx_min_room = NETBUF_HEADROOM + ETH_FRAME_LEN,
		.buf_align = 1,
		.max_rx_queues = 1,
		.max_tx_queues = 1,
		.rx_desc_max = v->rx_max,
		.tx_desc_max = v->tx_max,
		.rx_desc_fixed = v->vdev.ops->queue_size_fixed,
		.promisc_ctrl = virtio_has(&v->vdev, VIRTIO_NET_F_CTRL_RX),
		.features = v->vdev.features,
	};
	memcpy(info->mac, v->mac, ETH_ALEN);
}

/* Feature negotiation and what follows from it; at probe and after a stop. */
static int vnet_negotiate(struct vnet *v)
{
	int rc = virtio_negotiate(&v->vdev, FEATURES_WANTED);

	if (rc < 0)
		return rc;
	if (!virtio_has(&v->vdev, VIRTIO_F_VERSION_1) &&
	    !virtio_has(&v->vdev, VIRTIO_F_ANY_LAYOUT)) {
		log_err("virtio-net: device offers neither VERSION_1 nor ANY_LAYOUT;"
			" Skiff needs one of them\n");
		virtio_fail(&v->vdev);
		return -ENOTSUP;
	}
	v->hdr_len = virtio_has(&v->vdev, VIRTIO_F_VERSION_1) ||
				     virtio_has(&v->vdev, VIRTIO_NET_F_MRG_RXBUF)
			     ? sizeof(struct virtio_net_hdr_mrg_rxbuf)
			     : sizeof(struct virtio_net_hdr);
	v->needs_negotiation = false;
	return 0;
}

static int vnet_configure(struct netdev *nd, uint16_t nrxq, uint16_t ntxq)
{
	struct vnet *v = to_vnet(nd);

	return v->needs_negotiation ? vnet_negotiate(v) : 0;
}

/* Ring memory for @size descriptors, allocated once at the largest size. */
static int ring_memory(struct netdev *nd, const char *what, uint16_t size,
		       uint16_t *cap, void **ring, void ***cookies)
{
	if (*ring && size <= *cap) {
		memset(*ring, 0, vq_ring_bytes(size));
		return 0;
	}
	*ring = mem_alloc(vq_ring_bytes(size), VQ_ALIGN, what);
	*cookies = mem_alloc(size * sizeof(void *), 64, what);
	if (!*ring || !*cookies) {
		log_err("%s: no memory for a %u-descriptor %s\n", nd->name, size, what);
		*ring = NULL;
		return -ENOMEM;
	}
	*cap = size;
	return 0;
}

static int queue_size(struct netdev *nd, const char *what, uint16_t want,
		      uint16_t max, bool fixed, uint16_t *size)
{
	if (want == 0 || (fixed && want == max)) {
		*size = max;
		return 0;
	}
	if (fixed) {
		log_err("%s: %s size %u: this (legacy) device only does %u (or pass 0)\n",
			nd->name, what, want, max);
		return -EINVAL;
	}
	if (!IS_POW2(want) || want > max) {
		log_err("%s: %s size %u: want a power of two up to %u (or 0 for %u)\n",
			nd->name, what, want, max, max);
		return -EINVAL;
	}
	*size = want;
	return 0;
}

static int vnet_rxq_setup(struct netdev *nd, uint16_t qid, uint16_t nb_desc,
			  struct netbuf_pool *pool)
{
	struct vnet *v = to_vnet(nd);
	struct vnet_rxq *q = &v->rxq;
	uint16_t size;
	int rc;

	if (netbuf_pool_data_room(pool) < NETBUF_HEADROOM + ETH_FRAME_LEN) {
		log_err("%s: pool '%s' buffers hold %u bytes; RX needs at least %u\n",
			nd->name, netbuf_pool_name(pool), netbuf_pool_data_room(pool),
			NETBUF_HEADROOM + ETH_FRAME_LEN);
		return -EINVAL;
	}
	if ((rc = queue_size(nd, "RX ring", nb_desc, v->rx_max,
			     v->vdev.ops->queue_size_fixed, &size)) < 0 ||
	    (rc = ring_memory(nd, "RX ring", size, &q->ring_cap, &q->ring,
			      &q->cookies)) < 0)
		return rc;
	vq_init(&q->vq, RXQ, size, q->ring, q->cookies,
		virtio_has(&v->vdev, VIRTIO_RING_F_EVENT_IDX));
	q->pool = pool;
	q->hdr_len = v->hdr_len;
	q->mrg = virtio_has(&v->vdev, VIRTIO_NET_F_MRG_RXBUF);
	q->post_len = netbuf_pool_data_room(pool) - NETBUF_HEADROOM + v->hdr_len;
	q->port = nd->id;
	q->drop_more = 0;
	q->packets = q->bytes = q->errors = q->oversize = q->nobuf = q->ring_dry = 0;
	q->nudges = q->stall = 0;

	rx_refill(q);
	if (vq_free_count(&q->vq)) {
		log_err("%s: pool '%s' could fill only %u of the %u RX descriptors;"
			" it needs %u netbufs for the ring plus what the NF holds\n",
			nd->name, netbuf_pool_name(pool), vq_in_flight(&q->vq), size, size);
		for (uint16_t i = 0; i < size; i++)	/* give back what was posted */
			if (q->cookies[i])
				netbuf_free(q->cookies[i]);
		return -ENOBUFS;
	}
	q->nobuf = 0;
	nd->rxq[qid] = q;
	return 0;
}

static int vnet_txq_setup(struct netdev *nd, uint16_t qid, uint16_t nb_desc)
{
	struct vnet *v = to_vnet(nd);
	struct vnet_txq *q = &v->txq;
	uint16_t size;
	int rc;

	if ((rc = queue_size(nd, "TX ring", nb_desc, v->tx_max,
			     v->vdev.ops->queue_size_fixed, &size)) < 0 ||
	    (rc = ring_memory(nd, "TX ring", size, &q->ring_cap, &q->ring,
			      &q->cookies)) < 0)
		return rc;
	vq_init(&q->vq, TXQ, size, q->ring, q->cookies,
		virtio_has(&v->vdev, VIRTIO_RING_F_EVENT_IDX));
	q->hdr_len = v->hdr_len;
	q->max_frame = ETH_FRAME_LEN;
	q->packets = q->bytes = q->errors = q->ring_full = q->nudges = q->stall = 0;
	nd->txq[qid] = q;
	return 0;
}

static int vnet_start(struct netdev *nd)
{
	struct vnet *v = to_vnet(nd);
	const struct virtio_ops *ops = v->vdev.ops;
	int rc;

	if ((rc = ops->queue_enable(&v->vdev, &v->rxq.vq)) < 0 ||
	    (rc = ops->queue_enable(&v->vdev, &v->txq.vq)) < 0)
		goto fail;
	if (virtio_has(&v->vdev, VIRTIO_NET_F_CTRL_VQ)) {
		uint16_t max = ops->queue_max(&v->vdev, CTRLQ), size = CTRLQ_SIZE;
		if (ops->queue_size_fixed || max < size)
			size = max;
		if ((rc = ring_memory(nd, "control queue", size, &v->ctrl_cap,
				      &v->ctrl_ring, &v->ctrl_cookies)) < 0)
			goto fail;
		if (vq_init(&v->ctrlq, CTRLQ, size, v->ctrl_ring, v->ctrl_cookies,
			    virtio_has(&v->vdev, VIRTIO_RING_F_EVENT_IDX)) < 0 ||
		    (rc = ops->queue_enable(&v->vdev, &v->ctrlq)) < 0)
			goto fail;
	}
	virtio_driver_ok(&v->vdev);
	vq_publish(&v->rxq.vq);
	vq_notify(&v->rxq.vq);	/* the device may have looked before DRIVER_OK */
	return 0;
fail:
	log_err("%s: cannot start the device (%d)\n", nd->name, rc);
	virtio_fail(&v->vdev);
	return rc < 0 ? rc : -EIO;
}

/* Frees the netbufs a ring still holds (after the device was reset). */
static void release_ring(struct virtqueue *vq)
{
	for (uint16_t i = 0; i < vq->size; i++)
		if (vq->cookie[i]) {
			netbuf_free(vq->cookie[i]);
			vq->cookie[i] = NULL;
		}
}

static int vnet_stop(struct netdev *nd)
{
	struct vnet *v = to_vnet(nd);
	uint64_t deadline = time_ns() + STOP_TIMEOUT_NS;
	int rc = 0;

	/* Let the device send what it has; it may need a last kick. */
	vq_publish(&v->txq.vq);
	vq_notify(&v->txq.vq);
	for (;;) {
		tx_reclaim(&v->txq);
		if (!vq_in_flight(&v->txq.vq))
			break;
		if (time_ns() > deadline) {
			log_warn("%s: %u frames still unsent after 1 s; dropping them\n",
				 nd->name, vq_in_flight(&v->txq.vq));
			rc = -ETIMEDOUT;
			break;
		}
		cpu_relax();
	}
	v->vdev.ops->reset(&v->vdev);
	release_ring(&v->rxq.vq);
	release_ring(&v->txq.vq);
	v->needs_negotiation = true;
	return rc;
}

static void vnet_stats(struct netdev *nd, struct netdev_stats *st)
{
	struct vnet *v = to_vnet(nd);
	const struct vnet_rxq *r = &v->rxq;
	const struct vnet_txq *t = &v->txq;

	*st = (struct netdev_stats){
		.rx_packets = r->packets, .rx_bytes = r->bytes,
		.rx_errors = r->errors + r->vq.bad_used, .rx_oversize = r->oversize,
		.rx_nobuf = r->nobuf, .rx_ring_dry = r->ring_dry,
		.tx_packets = t->packets, .tx_bytes = t->bytes,
		.tx_errors = t->errors + t->vq.bad_used, .tx_ring_full = t->ring_full,
		.rx_kicks = r->vq.kicks, .tx_kicks = t->vq.kicks,
		.nudges = r->nudges + t->nudges,
	};
}

static int vnet_promisc(struct netdev *nd, bool on)
{
	struct vnet *v = to_vnet(nd);

	if (!virtio_has(&v->vdev, VIRTIO_NET_F_CTRL_RX))
		return -ENOTSUP;
	return ctrl_command(v, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, on);
}

static int vnet_link(struct netdev *nd)
{
	struct vnet *v = to_vnet(nd);
	uint16_t status;

	if (!virtio_has(&v->vdev, VIRTIO_NET_F_STATUS))
		return 1;	/* no status field: the spec says assume up */
	v->vdev.ops->config_read(&v->vdev, offsetof(struct virtio_net_config, status),
				 &status, sizeof(status));
	return status & VIRTIO_NET_S_LINK_UP ? 1 : 0;
}

static const struct netdev_ops vnet_ops = {
	.info = vnet_info,
	.configure = vnet_configure,
	.rxq_setup = vnet_rxq_setup,
	.txq_setup = vnet_txq_setup,
	.start = vnet_start,
	.stop = vnet_stop,
	.stats = vnet_stats,
	.promisc = vnet_promisc,
	.link = vnet_link,
};

/* ------------------------------------------------------------------ probe */

static void random_mac(uint8_t mac[ETH_ALEN])
{
	uint64_t r = rdtsc() * 0x9e3779b97f4a7c15ULL;

	for (int i = 0; i < ETH_ALEN; i++, r >>= 8)
		mac[i] = (uint8_t)r;
	mac[0] = (uint8_t)((mac[0] & ~1u) | 2u);	/* unicast, locally administered */
}

static void vnet_attach(const struct pci_dev *pci)
{
	struct vnet *v;

	if (nvnets == VNET_MAX_DEVS) {
		log_warn("virtio-net: more than %d devices; ignoring %02x:%02x.%x\n",
			 VNET_MAX_DEVS, pci->bus, pci->dev, pci->fn);
		return;
	}
	v = &vnets[nvnets];
	if (virtio_pci_attach(pci, &v->vdev) < 0) {
		log_err("virtio-net: %02x:%02x.%x has neither usable modern capabilities"
			" nor a legacy I/O BAR\n", pci->bus, pci->dev, pci->fn);
		return;
	}
	if (vnet_negotiate(v) < 0)
		return;
	v->rx_max = v->vdev.ops->queue_max(&v->vdev, RXQ);
	v->tx_max = v->vdev.ops->queue_max(&v->vdev, TXQ);
	if (!IS_POW2(v->rx_max) || !IS_POW2(v->tx_max)) {
		log_err("virtio-net: %02x:%02x.%x queue sizes %u/%u are not powers of two\n",
			pci->bus, pci->dev, pci->fn, v->rx_max, v->tx_max);
		virtio_fail(&v->vdev);
		return;
	}
	if (virtio_has(&v->vdev, VIRTIO_NET_F_MAC)) {
		v->vdev.ops->config_read(&v->vdev, offsetof(struct virtio_net_config, mac),
					 v->mac, ETH_ALEN);
	} else {
		random_mac(v->mac);
		v->mac_random = true;
	}
	v->nd.ops = &vnet_ops;
	v->nd.rx_burst = vnet_rx_burst;
	v->nd.tx_burst = vnet_tx_burst;
	v->nd.tx_reclaim = vnet_tx_reclaim;
	if (netdev_register(&v->nd) < 0)
		return;
	nvnets++;
	log_info("%s: virtio-net %s at %02x:%02x.%x, MAC %02x:%02x:%02x:%02x:%02x:%02x%s,"
		 " rings %u/%u, features %#llx\n",
		 v->nd.name, v->vdev.ops->name, pci->bus, pci->dev, pci->fn, v->mac[0],
		 v->mac[1], v->mac[2], v->mac[3], v->mac[4], v->mac[5],
		 v->mac_random ? " (random)" : "", v->rx_max, v->tx_max,
		 (unsigned long long)v->vdev.features);
}

void virtio_net_probe(void)
{
	nudge_ticks = ns_to_tsc(NUDGE_NS);
	for (unsigned i = 0; i < pci_count(); i++) {
		const struct pci_dev *d = pci_get(i);

		if (d->vendor != VIRTIO_VENDOR)
			continue;
		if (d->device == VIRTIO_ID_NET_MODERN ||
		    (d->device == VIRTIO_ID_NET_LEGACY && d->subsys_id == VIRTIO_ID_NET))
			vnet_attach(d);
	}
}
