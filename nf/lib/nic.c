/* SPDX-License-Identifier: BSD-3-Clause */
#include <skiff/console.h>
#include "nic.h"

int nic_open_queues(struct nf_nic *nic, const char *nf, unsigned index, unsigned queues,
		    unsigned rx_ring, unsigned tx_ring, unsigned pool, unsigned extra,
		    bool promisc)
{
	const struct netdev_info *in = &nic->info;
	unsigned n, max;
	int rc;

	if (index >= netdev_count()) {
		printf("%s: no network device net%u (found %u); boot with a NIC"
		       " (scripts/run --net tap:IFNAME or --net sink)\n",
		       nf, index, netdev_count());
		return -1;
	}
	nic->dev = netdev_get(index);
	nic->queues = queues;
	netdev_info(nic->dev, &nic->info);
	if (!rx_ring && nic->rx_unread && !in->rx_desc_fixed)
		rx_ring = MIN(NIC_RX_UNREAD, in->rx_desc_max);
	nic->rx_size = rx_ring ? rx_ring : in->rx_desc_default;
	nic->tx_size = tx_ring ? tx_ring : in->tx_desc_default;
	printf("%s: %s %s %s MAC %02x:%02x:%02x:%02x:%02x:%02x%s rings %u/%u link %s",
	       nf, nic->dev->name, in->driver, in->transport, in->mac[0], in->mac[1],
	       in->mac[2], in->mac[3], in->mac[4], in->mac[5],
	       in->mac_random ? " (random)" : "",
	       nic->rx_size, nic->tx_size, netdev_link(nic->dev) ? "up" : "down");
	max = MIN(in->max_rx_queues, in->max_tx_queues);
	if (max > 1 && queues <= max)
		printf(", %u of %u queue pairs", queues, max);
	printf("\n");
	if (queues > max) {
		printf("%s: cores=%u needs %u queue pairs, but %s has %u; give it more"
		       " (a multi-queue tap: scripts/run --net tap:IFNAME,queues=%u; QEMU's"
		       " drop sink has one)\n", nf, queues, queues, nic->dev->name, max, queues);
		return NIC_ERR_CONFIG;
	}
	/* Each core that polls keeps up to two caches' worth of netbufs. */
	n = pool ? pool : queues * (nic->rx_size + nic->tx_size + extra + 2 * NIC_POOL_CACHE);
	if (!(nic->pool = netbuf_pool_alloc(nic->dev->name, n, NIC_DATA_ROOM, NIC_POOL_CACHE)))
		goto fail;
	if ((rc = netdev_configure(nic->dev, (uint16_t)queues, (uint16_t)queues)) < 0)
		goto fail;
	for (unsigned q = 0; q < queues; q++)
		if ((rc = netdev_rxq_setup(nic->dev, (uint16_t)q, (uint16_t)rx_ring,
					   nic->pool)) < 0 ||
		    (rc = netdev_txq_setup(nic->dev, (uint16_t)q, (uint16_t)tx_ring)) < 0 ||
		    (rc = netdev_txq_defer(nic->dev, (uint16_t)q,
					   (uint16_t)(nic->tx_size * nic->tx_defer_pct / 100))) < 0)
			goto fail;
	if ((rc = netdev_start(nic->dev)) < 0)
		goto fail;
	if (in->promisc_ctrl && (rc = netdev_promisc(nic->dev, promisc)) < 0)
		log_warn("%s: %s: cannot switch promiscuous mode (%d)\n", nf,
			 nic->dev->name, rc);
	return 0;
fail:
	printf("%s: cannot set up %s (see above)\n", nf, nic->dev->name);
	return -1;
}

int nic_close(struct nf_nic *nic)
{
	return netdev_stop(nic->dev);
}

void nic_print_stats(const char *nf, struct nf_nic *nic)
{
	struct netdev_stats st;
	struct netbuf_pool_stats ps;

	netdev_stats(nic->dev, &st);
	netbuf_pool_stats(nic->pool, &ps);
	printf("%s: %s stats rx_packets=%llu rx_bytes=%llu rx_errors=%llu rx_oversize=%llu"
	       " rx_nobuf=%llu rx_ring_dry=%llu tx_packets=%llu tx_bytes=%llu tx_errors=%llu"
	       " tx_ring_full=%llu rx_kicks=%llu tx_kicks=%llu nudges=%llu dev_errors=%llu"
	       " pool_in_use=%llu\n",
	       nf, nic->dev->name, (unsigned long long)st.rx_packets,
	       (unsigned long long)st.rx_bytes, (unsigned long long)st.rx_errors,
	       (unsigned long long)st.rx_oversize, (unsigned long long)st.rx_nobuf,
	       (unsigned long long)st.rx_ring_dry, (unsigned long long)st.tx_packets,
	       (unsigned long long)st.tx_bytes, (unsigned long long)st.tx_errors,
	       (unsigned long long)st.tx_ring_full, (unsigned long long)st.rx_kicks,
	       (unsigned long long)st.tx_kicks, (unsigned long long)st.nudges,
	       (unsigned long long)st.dev_errors, (unsigned long long)ps.in_use);
}

void nic_print_queue_stats(const char *nf, struct nf_nic *nic)
{
	struct netdev_queue_stats st;

	if (nic->queues < 2)
		return;
	for (unsigned q = 0; q < nic->queues; q++) {
		if (netdev_queue_stats(nic->dev, (uint16_t)q, &st) < 0)
			continue;
		printf("%s: %s queue %u rx_packets=%llu rx_bytes=%llu rx_errors=%llu"
		       " rx_nobuf=%llu tx_packets=%llu tx_bytes=%llu tx_errors=%llu"
		       " tx_ring_full=%llu\n", nf, nic->dev->name, q,
		       (unsigned long long)st.rx_packets, (unsigned long long)st.rx_bytes,
		       (unsigned long long)st.rx_errors, (unsigned long long)st.rx_nobuf,
		       (unsigned long long)st.tx_packets, (unsigned long long)st.tx_bytes,
		       (unsigned long long)st.tx_errors, (unsigned long long)st.tx_ring_full);
	}
}
