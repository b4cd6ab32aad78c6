/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Finding virtio-net devices (see net.h): the bus drivers registered here
 * bind each device to its transport, and vnet_attach() makes a netdev of it.
 */
#include <skiff/console.h>
#include <skiff/driver.h>
#include <skiff/mem.h>
#include <skiff/string.h>
#include <skiff/time.h>
#include <linux/virtio_ids.h>
#include "net.h"
#include "virtio_mmio.h"

#define NUDGE_NS		(10 * NSEC_PER_MSEC)

#define FEATURES_WANTED (BIT64(VIRTIO_F_VERSION_1) | BIT64(VIRTIO_F_ANY_LAYOUT) | \
	BIT64(VIRTIO_NET_F_MAC) | BIT64(VIRTIO_NET_F_STATUS) |                    \
	BIT64(VIRTIO_NET_F_MRG_RXBUF) | BIT64(VIRTIO_RING_F_EVENT_IDX) |          \
	BIT64(VIRTIO_NET_F_CTRL_VQ) | BIT64(VIRTIO_NET_F_CTRL_RX) |               \
	BIT64(VIRTIO_NET_F_MQ) | BIT64(VIRTIO_RING_F_INDIRECT_DESC))

int vnet_negotiate(struct vnet *v)
{
	int rc = virtio_negotiate(v->vdev, FEATURES_WANTED);

	if (rc < 0)
		return rc;
	if (!virtio_has(v->vdev, VIRTIO_F_VERSION_1) &&
	    !virtio_has(v->vdev, VIRTIO_F_ANY_LAYOUT)) {
		log_err("%s: device offers neither VERSION_1 nor ANY_LAYOUT;"
			" Skiff needs one of them\n", v->vdev->where);
		virtio_fail(v->vdev);
		return -ENOTSUP;
	}
	/* MQ needs the control queue to switch pairs on (spec 5.1.3.1). */
	if (virtio_has(v->vdev, VIRTIO_NET_F_MQ) && !virtio_has(v->vdev, VIRTIO_NET_F_CTRL_VQ))
		v->vdev->features &= ~BIT64(VIRTIO_NET_F_MQ);
	v->hdr_len = virtio_has(v->vdev, VIRTIO_F_VERSION_1) ||
				     virtio_has(v->vdev, VIRTIO_NET_F_MRG_RXBUF)
			     ? sizeof(struct virtio_net_hdr_mrg_rxbuf)
			     : sizeof(struct virtio_net_hdr);
	v->needs_negotiation = false;
	return 0;
}

/*
 * How many queue pairs the device has (dev_pairs, which places the control
 * queue) and how many the driver can use (max_pairs), and their ring sizes:
 * every RX and every TX ring of the pairs used must offer the same size.
 */
static int vnet_queue_pairs(struct vnet *v)
{
	const struct virtio_transport *ops = v->vdev->ops;
	uint16_t pairs = 1;

	if (virtio_has(v->vdev, VIRTIO_NET_F_MQ)) {
		ops->config_read(v->vdev, offsetof(struct virtio_net_config, max_virtqueue_pairs),
				 &pairs, sizeof(pairs));
		if (pairs < VIRTIO_NET_CTRL_MQ_VQ_PAIRS_MIN || pairs > VIRTIO_NET_CTRL_MQ_VQ_PAIRS_MAX) {
			log_err("%s: virtio-net offers MQ with %u queue pairs\n", v->vdev->where,
				pairs);
			virtio_fail(v->vdev);
			return -EIO;
		}
	}
	v->dev_pairs = pairs;
	v->max_pairs = MIN(pairs, VNET_MAX_PAIRS);
	v->rx_max = ops->queue_max(v->vdev, 0);
	v->tx_max = ops->queue_max(v->vdev, 1);
	v->tx_default = ops->queue_max_is_cap ? MIN(v->tx_max, VNET_TX_RING_DEFAULT) : v->tx_max;
	for (uint16_t q = 0; q < 2 * v->max_pairs; q++) {
		uint16_t size = ops->queue_max(v->vdev, q);
		if (!IS_POW2(size) || size != (q & 1 ? v->tx_max : v->rx_max)) {
			log_err("%s: virtio-net queue %u offers %u descriptors (queue %u: %u);"
				" want the same power of two on every %s queue\n",
				v->vdev->where, q, size, q & 1, q & 1 ? v->tx_max : v->rx_max,
				q & 1 ? "TX" : "RX");
			virtio_fail(v->vdev);
			return -EIO;
		}
	}
	return 0;
}

static void random_mac(uint8_t mac[ETH_ALEN])
{
	uint64_t r = rdtsc() * 0x9e3779b97f4a7c15ULL;

	for (int i = 0; i < ETH_ALEN; i++, r >>= 8)
		mac[i] = (uint8_t)r;
	mac[0] = (uint8_t)((mac[0] & ~1u) | 2u);	/* unicast, locally administered */
}

int vnet_attach(struct virtio_dev *vd)
{
	const struct virtio_transport *ops = vd->ops;
	struct vnet *v;
	int rc;

	if (!(v = mem_alloc(sizeof(*v), CACHE_LINE, "virtio-net")))
		return -ENOMEM;
	memset(v, 0, sizeof(*v));
	v->vdev = vd;
	vq_nudge_ticks = ns_to_tsc(NUDGE_NS);
	if ((rc = vnet_negotiate(v)) < 0)
		return rc;
	if ((rc = vnet_queue_pairs(v)) < 0)
		return rc;
	if (virtio_has(vd, VIRTIO_NET_F_MAC)) {
		ops->config_read(vd, offsetof(struct virtio_net_config, mac), v->mac, ETH_ALEN);
	} else {
		random_mac(v->mac);
		v->mac_random = true;
	}
	v->nd.ops = &vnet_ops;
	v->nd.rx_burst = vnet_rx_burst;
	v->nd.tx_burst = vnet_tx_burst;
	v->nd.tx_reclaim = vnet_tx_reclaim;
	v->nd.tx_flush = vnet_tx_flush;
	if ((rc = netdev_register(&v->nd)) < 0)
		return rc;
	log_info("%s: virtio-net %s at %s, MAC %02x:%02x:%02x:%02x:%02x:%02x%s,"
		 " rings %s%u/%u, %u queue pair%s, features %#llx\n",
		 v->nd.name, ops->name, vd->where, v->mac[0], v->mac[1], v->mac[2],
		 v->mac[3], v->mac[4], v->mac[5], v->mac_random ? " (random)" : "",
		 ops->queue_max_is_cap ? "up to " : "", v->rx_max, v->tx_max,
		 v->max_pairs, v->max_pairs > 1 ? "s" : "",
		 (unsigned long long)vd->features);
	return 0;
}

/* ------------------------------------------------------------------ buses */

static int vnet_pci_probe(const struct bus_device *dev)
{
	struct virtio_dev *vd;

	if (virtio_pci_device_type(dev->pci) != VIRTIO_ID_NET)
		return -ENODEV;
	if (!(vd = virtio_pci_attach(dev->pci, dev->name)))
		return -EIO;
	return vnet_attach(vd);
}

static const struct driver virtio_net_pci = {
	.name = "virtio-net", .bus = BUS_PCI, .probe = vnet_pci_probe,
};
DRIVER_REGISTER(virtio_net_pci);

/* virtio-mmio (kernel/bus/mmio.h): the slots a VMM gives on the command line. */

static int vnet_mmio_probe(const struct bus_device *dev)
{
	int type = virtio_mmio_device_type(dev->base, dev->size, dev->name);
	struct virtio_dev *vd;

	if (type != VIRTIO_ID_NET)
		return type < 0 ? type : -ENODEV;
	if (!(vd = virtio_mmio_attach(dev->base, dev->size, dev->name)))
		return -EIO;
	return vnet_attach(vd);
}

static const struct driver virtio_net_mmio = {
	.name = "virtio-net", .bus = BUS_VIRTIO_MMIO, .probe = vnet_mmio_probe,
};
DRIVER_REGISTER(virtio_net_mmio);
