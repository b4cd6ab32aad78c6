/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The netdev operations of virtio-net (see net.h): queue set-up, start,
 * stop, statistics, link state, promiscuous mode.
 */
#include <skiff/console.h>
#include <skiff/mem.h>
#include <skiff/string.h>
#include <skiff/time.h>
#include "net.h"

#define STOP_TIMEOUT_NS		(1000 * NSEC_PER_MSEC)

static void vnet_info(struct netdev *nd, struct netdev_info *info)
{
	struct vnet *v = to_vnet(nd);

	*info = (struct netdev_info){
		.driver = "virtio-net",
		.transport = v->vdev->ops->name,
		.mac_random = v->mac_random,
		.mtu = ETH_DATA_LEN,
		.max_frame = ETH_FRAME_LEN,
		.tx_headroom = v->hdr_len,
		.tx_max_segs = virtio_has(v->vdev, VIRTIO_RING_F_INDIRECT_DESC) ? TX_MAX_SEGS : 1,
		.rx_min_room = NETBUF_HEADROOM + ETH_FRAME_LEN,
		.buf_align = 1,
		.max_rx_queues = v->max_pairs,
		.max_tx_queues = v->max_pairs,
		.rx_desc_max = v->rx_max,
		.tx_desc_max = v->tx_max,
		.rx_desc_default = v->rx_max,	/* RX takes what the device offers */
		.tx_desc_default = v->tx_default,
		.rx_desc_fixed = v->vdev->ops->queue_size_fixed,
		.promisc_ctrl = virtio_has(v->vdev, VIRTIO_NET_F_CTRL_RX),
		.features = v->vdev->features,
	};
	memcpy(info->mac, v->mac, ETH_ALEN);
}

/*
 * The device spreads received frames over every queue pair in use, so the
 * pairs in use are the RX queues; TX may use fewer of them.
 */
static int vnet_configure(struct netdev *nd, uint16_t nrxq, uint16_t ntxq)
{
	struct vnet *v = to_vnet(nd);
	int rc;

	if (ntxq > nrxq) {
		log_err("%s: %u TX queues for %u RX queues: virtio-net spreads received"
			" frames over every queue pair in use, so configure at least as many"
			" RX queues as TX queues\n", nd->name, ntxq, nrxq);
		return -EINVAL;
	}
	if (v->needs_negotiation && (rc = vnet_negotiate(v)) < 0)
		return rc;
	v->pairs = nrxq;
	return 0;
}

int vnet_ring_memory(struct vnet *v, const char *what, uint16_t size, uint16_t *cap,
		     void **ring, void ***cookies)
{
	if (*ring && size <= *cap) {
		memset(*ring, 0, vq_ring_bytes(size));
		return 0;
	}
	*ring = mem_alloc(vq_ring_bytes(size), VQ_ALIGN, what);
	*cookies = mem_alloc(size * sizeof(void *), 64, what);
	if (!*ring || !*cookies) {
		log_err("%s: no memory for a %u-descriptor %s\n", v->nd.name, size, what);
		*ring = NULL;
		return -ENOMEM;
	}
	*cap = size;
	return 0;
}

static int queue_size(struct netdev *nd, const char *what, uint16_t want,
		      uint16_t max, uint16_t dflt, bool fixed, uint16_t *size)
{
	if (want == 0 || (fixed && want == max)) {
		*size = want ? max : dflt;
		return 0;
	}
	if (fixed) {
		log_err("%s: %s size %u: this (legacy) device only does %u (or pass 0)\n",
			nd->name, what, want, max);
		return -EINVAL;
	}
	if (!IS_POW2(want) || want > max) {
		log_err("%s: %s size %u: want a power of two up to %u (or 0 for %u)\n",
			nd->name, what, want, max, dflt);
		return -EINVAL;
	}
	*size = want;
	return 0;
}

static int vnet_rxq_setup(struct netdev *nd, uint16_t qid, uint16_t nb_desc,
			  struct netbuf_pool *pool)
{
	struct vnet *v = to_vnet(nd);
	struct vnet_rxq *q = &v->rxq[qid];
	uint16_t size;
	int rc;

	if (netbuf_pool_data_room(pool) < NETBUF_HEADROOM + ETH_FRAME_LEN) {
		log_err("%s: pool '%s' buffers hold %u bytes; RX needs at least %u\n",
			nd->name, netbuf_pool_name(pool), netbuf_pool_data_room(pool),
			NETBUF_HEADROOM + ETH_FRAME_LEN);
		return -EINVAL;
	}
	if ((rc = queue_size(nd, "RX ring", nb_desc, v->rx_max, v->rx_max,
			     v->vdev->ops->queue_size_fixed, &size)) < 0 ||
	    (rc = vnet_ring_memory(v, "RX ring", size, &q->ring_cap, &q->ring,
				   &q->cookies)) < 0)
		return rc;
	vq_init(&q->vq, (uint16_t)(2 * qid), size, q->ring, q->cookies,
		virtio_has(v->vdev, VIRTIO_RING_F_EVENT_IDX));
	q->pool = pool;
	q->hdr_len = v->hdr_len;
	q->mrg = virtio_has(v->vdev, VIRTIO_NET_F_MRG_RXBUF);
	q->post_len = netbuf_pool_data_room(pool) - NETBUF_HEADROOM + v->hdr_len;
	q->post_off = (uint16_t)(sizeof(struct netbuf) + NETBUF_HEADROOM - v->hdr_len);
	q->port = nd->id;
	q->queue = qid;
	q->drop_more = 0;
	q->ran_dry = false;
	q->reserve = MIN(size / 2, RX_RESERVE);
	q->packets = q->bytes = q->errors = q->oversize = q->nobuf = q->ring_dry = 0;

	vq_slots_init(&q->vq);
	vnet_rx_fill(q);	/* published and announced by start() */
	if (vq_slots_empty(&q->vq)) {
		log_err("%s: pool '%s' could fill only %u of the %u RX descriptors;"
			" it needs %u netbufs for the ring plus what the NF holds\n",
			nd->name, netbuf_pool_name(pool), vq_slots_in_flight(&q->vq), size, size);
		for (uint16_t i = 0; i < size; i++)	/* give back what was posted */
			if (q->cookies[i])
				netbuf_free(q->cookies[i]);
		return -ENOBUFS;
	}
	nd->rxq[qid] = q;
	return 0;
}

static int vnet_txq_setup(struct netdev *nd, uint16_t qid, uint16_t nb_desc)
{
	struct vnet *v = to_vnet(nd);
	struct vnet_txq *q = &v->txq[qid];
	uint16_t size;
	int rc;

	if ((rc = queue_size(nd, "TX ring", nb_desc, v->tx_max, v->tx_default,
			     v->vdev->ops->queue_size_fixed, &size)) < 0 ||
	    (rc = vnet_ring_memory(v, "TX ring", size, &q->ring_cap, &q->ring,
				   &q->cookies)) < 0)
		return rc;
	if (virtio_has(v->vdev, VIRTIO_RING_F_INDIRECT_DESC) && !q->indirect &&
	    !(q->indirect = mem_alloc_raw((size_t)v->tx_max * TX_MAX_SEGS * sizeof(*q->indirect),
				      16, "TX indirect tables"))) {
		log_err("%s: no memory for the TX queue's indirect tables\n", nd->name);
		return -ENOMEM;
	}
	vq_init(&q->vq, (uint16_t)(2 * qid + 1), size, q->ring, q->cookies,
		virtio_has(v->vdev, VIRTIO_RING_F_EVENT_IDX));
	vq_slots_init(&q->vq);
	q->hdr_len = v->hdr_len;
	q->max_frame = ETH_FRAME_LEN;
	q->kick_at = 0;
	q->packets = q->bytes = q->errors = q->ring_full = 0;
	nd->txq[qid] = q;
	return 0;
}

static int vnet_txq_defer(struct netdev *nd, uint16_t qid, uint16_t frames)
{
	struct vnet_txq *q = &to_vnet(nd)->txq[qid];

	if (frames > q->vq.size) {
		log_err("%s: TX queue %u cannot wait for %u frames in flight: its ring holds %u\n",
			nd->name, qid, frames, q->vq.size);
		return -EINVAL;
	}
	q->kick_at = frames;
	return 0;
}

static int vnet_stop(struct netdev *nd);

static int vnet_start(struct netdev *nd)
{
	struct vnet *v = to_vnet(nd);
	const struct virtio_transport *ops = v->vdev->ops;
	int rc = 0;

	for (uint16_t i = 0; i < nd->nb_rxq && rc == 0; i++)
		rc = ops->queue_enable(v->vdev, &v->rxq[i].vq);
	for (uint16_t i = 0; i < nd->nb_txq && rc == 0; i++)
		rc = ops->queue_enable(v->vdev, &v->txq[i].vq);
	if (rc == 0 && virtio_has(v->vdev, VIRTIO_NET_F_CTRL_VQ))
		rc = vnet_ctrl_start(v);
	if (rc < 0) {
		log_err("%s: cannot start the device (%d)\n", nd->name, rc);
		virtio_fail(v->vdev);
		return rc;
	}
	virtio_driver_ok(v->vdev);
	for (uint16_t i = 0; i < nd->nb_rxq; i++)
		vq_announce(&v->rxq[i].vq);	/* the buffers posted at set-up */
	if (v->pairs > 1) {
		/* The device uses one pair until told (spec 5.1.6.5.5). */
		struct virtio_net_ctrl_mq mq = { .virtqueue_pairs = v->pairs };
		if ((rc = vnet_ctrl(v, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, &mq,
				    sizeof(mq))) < 0) {
			log_err("%s: the device refused %u queue pairs (%d)\n", nd->name,
				v->pairs, rc);
			vnet_stop(nd);
			return rc;
		}
	}
	return 0;
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
	unsigned left;
	int rc = 0;

	/* Let the device send what it has; it may need a last kick. */
	for (uint16_t i = 0; i < nd->nb_txq; i++)
		vq_announce(&v->txq[i].vq);
	for (;;) {
		left = 0;
		for (uint16_t i = 0; i < nd->nb_txq; i++) {
			vnet_tx_reclaim(&v->txq[i]);
			left += vq_slots_in_flight(&v->txq[i].vq);
		}
		if (!left)
			break;
		if (time_ns() > deadline) {
			log_warn("%s: %u frames still unsent after 1 s; dropping them\n",
				 nd->name, left);
			rc = -ETIMEDOUT;
			break;
		}
		cpu_relax();
	}
	v->vdev->ops->reset(v->vdev);
	for (uint16_t i = 0; i < nd->nb_rxq; i++)
		release_ring(&v->rxq[i].vq);
	for (uint16_t i = 0; i < nd->nb_txq; i++)
		release_ring(&v->txq[i].vq);
	v->needs_negotiation = true;
	return rc;
}

static void vnet_stats(struct netdev *nd, struct netdev_stats *st)
{
	struct vnet *v = to_vnet(nd);

	*st = (struct netdev_stats){ 0 };
	for (uint16_t i = 0; i < nd->nb_rxq; i++) {
		const struct vnet_rxq *r = &v->rxq[i];
		st->rx_packets += r->packets;
		st->rx_bytes += r->bytes;
		st->rx_errors += r->errors;
		st->dev_errors += r->vq.dev_errors;
		st->rx_oversize += r->oversize;
		st->rx_nobuf += r->nobuf;
		st->rx_ring_dry += r->ring_dry;
		st->rx_kicks += r->vq.kicks;
		st->nudges += r->vq.nudges;
	}
	for (uint16_t i = 0; i < nd->nb_txq; i++) {
		const struct vnet_txq *t = &v->txq[i];
		st->tx_packets += t->packets;
		st->tx_bytes += t->bytes;
		st->tx_errors += t->errors;
		st->dev_errors += t->vq.dev_errors;
		st->tx_ring_full += t->ring_full;
		st->tx_kicks += t->vq.kicks;
		st->nudges += t->vq.nudges;
	}
}

static void vnet_queue_stats(struct netdev *nd, uint16_t q, struct netdev_queue_stats *st)
{
	struct vnet *v = to_vnet(nd);

	*st = (struct netdev_queue_stats){ 0 };
	if (q < nd->nb_rxq) {
		const struct vnet_rxq *r = &v->rxq[q];
		st->rx_packets = r->packets;
		st->rx_bytes = r->bytes;
		st->rx_errors = r->errors;
		st->rx_nobuf = r->nobuf;
	}
	if (q < nd->nb_txq) {
		const struct vnet_txq *t = &v->txq[q];
		st->tx_packets = t->packets;
		st->tx_bytes = t->bytes;
		st->tx_errors = t->errors;
		st->tx_ring_full = t->ring_full;
	}
}

static int vnet_promisc(struct netdev *nd, bool on)
{
	struct vnet *v = to_vnet(nd);
	uint8_t flag = on;

	if (!virtio_has(v->vdev, VIRTIO_NET_F_CTRL_RX))
		return -ENOTSUP;
	return vnet_ctrl(v, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &flag, 1);
}

static int vnet_link(struct netdev *nd)
{
	struct vnet *v = to_vnet(nd);
	uint16_t status;

	if (!virtio_has(v->vdev, VIRTIO_NET_F_STATUS))
		return 1;	/* no status field: the spec says assume up */
	v->vdev->ops->config_read(v->vdev, offsetof(struct virtio_net_config, status),
				  &status, sizeof(status));
	return status & VIRTIO_NET_S_LINK_UP ? 1 : 0;
}

const struct netdev_ops vnet_ops = {
	.info = vnet_info,
	.configure = vnet_configure,
	.rxq_setup = vnet_rxq_setup,
	.txq_setup = vnet_txq_setup,
	.txq_defer = vnet_txq_defer,
	.start = vnet_start,
	.stop = vnet_stop,
	.stats = vnet_stats,
	.queue_stats = vnet_queue_stats,
	.promisc = vnet_promisc,
	.link = vnet_link,
};
