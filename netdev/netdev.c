/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The device list and the state machine of include/skiff/netdev.h. Drivers
 * do the work; this layer checks that calls come in a valid order and with
 * valid arguments, and says what was wrong when they do not.
 */
#include <skiff/console.h>
#include <skiff/driver.h>
#include <skiff/fmt.h>
#include <skiff/netdev.h>

static struct netdev *devices[NETDEV_MAX];
static unsigned ndevices;

int netdev_register(struct netdev *dev)
{
	if (ndevices == NETDEV_MAX) {
		log_warn("netdev: more than %d devices; ignoring one\n", NETDEV_MAX);
		return -ENOSPC;
	}
	dev->id = (uint16_t)ndevices;
	fmt_snprintf(dev->name, sizeof(dev->name), "net%u", ndevices);
	dev->state = NETDEV_PROBED;
	devices[ndevices++] = dev;
	return 0;
}

unsigned netdev_count(void)
{
	drivers_probe();
	return ndevices;
}

struct netdev *netdev_get(unsigned id)
{
	drivers_probe();
	return id < ndevices ? devices[id] : NULL;
}

void netdev_info(struct netdev *dev, struct netdev_info *info)
{
	dev->ops->info(dev, info);
}

static const char *const state_names[] = {
	[NETDEV_PROBED] = "probed", [NETDEV_CONFIGURED] = "configured",
	[NETDEV_RUNNING] = "running", [NETDEV_STOPPED] = "stopped",
};

static int wrong_state(struct netdev *dev, const char *call)
{
	log_err("%s: %s() called while the device is %s\n", dev->name, call,
		state_names[dev->state]);
	return -EINVAL;
}

int netdev_configure(struct netdev *dev, uint16_t nb_rxq, uint16_t nb_txq)
{
	struct netdev_info info;
	int rc;

	if (dev->state == NETDEV_RUNNING)
		return wrong_state(dev, "netdev_configure");
	netdev_info(dev, &info);
	if (nb_rxq < 1 || nb_txq < 1 || nb_rxq > info.max_rx_queues ||
	    nb_txq > info.max_tx_queues || nb_rxq > NETDEV_MAX_QUEUES ||
	    nb_txq > NETDEV_MAX_QUEUES) {
		log_err("%s: %u RX and %u TX queues asked; the device has 1..%u and 1..%u\n",
			dev->name, nb_rxq, nb_txq, info.max_rx_queues, info.max_tx_queues);
		return -EINVAL;
	}
	if ((rc = dev->ops->configure(dev, nb_rxq, nb_txq)) < 0)
		return rc;
	dev->nb_rxq = nb_rxq;
	dev->nb_txq = nb_txq;
	dev->rxq_ready = dev->txq_ready = 0;
	dev->state = NETDEV_CONFIGURED;
	return 0;
}

int netdev_rxq_setup(struct netdev *dev, uint16_t q, uint16_t nb_desc,
		     struct netbuf_pool *pool)
{
	int rc;

	if (dev->state != NETDEV_CONFIGURED)
		return wrong_state(dev, "netdev_rxq_setup");
	if (q >= dev->nb_rxq || !pool) {
		log_err("%s: RX queue %u (configured: %u), pool %p\n", dev->name, q,
			dev->nb_rxq, (void *)pool);
		return -EINVAL;
	}
	if ((rc = dev->ops->rxq_setup(dev, q, nb_desc, pool)) < 0)
		return rc;
	dev->rxq_ready |= (uint16_t)(1u << q);
	return 0;
}

int netdev_txq_setup(struct netdev *dev, uint16_t q, uint16_t nb_desc)
{
	int rc;

	if (dev->state != NETDEV_CONFIGURED)
		return wrong_state(dev, "netdev_txq_setup");
	if (q >= dev->nb_txq) {
		log_err("%s: TX queue %u (configured: %u)\n", dev->name, q, dev->nb_txq);
		return -EINVAL;
	}
	if ((rc = dev->ops->txq_setup(dev, q, nb_desc)) < 0)
		return rc;
	dev->txq_ready |= (uint16_t)(1u << q);
	return 0;
}

int netdev_txq_defer(struct netdev *dev, uint16_t q, uint16_t frames)
{
	if (dev->state != NETDEV_CONFIGURED)
		return wrong_state(dev, "netdev_txq_defer");
	if (q >= dev->nb_txq || !(dev->txq_ready & (1u << q))) {
		log_err("%s: netdev_txq_defer() on TX queue %u, which is not set up\n",
			dev->name, q);
		return -EINVAL;
	}
	return dev->ops->txq_defer(dev, q, frames);
}

int netdev_start(struct netdev *dev)
{
	int rc;

	if (dev->state != NETDEV_CONFIGURED)
		return wrong_state(dev, "netdev_start");
	if (dev->rxq_ready != (1u << dev->nb_rxq) - 1 ||
	    dev->txq_ready != (1u << dev->nb_txq) - 1) {
		log_err("%s: netdev_start() before every queue was set up\n", dev->name);
		return -EINVAL;
	}
	if ((rc = dev->ops->start(dev)) < 0)
		return rc;
	/* The driver's counters start from 0 with the queues. */
	dev->stats_base = (struct netdev_stats){ 0 };
	for (uint16_t q = 0; q < NETDEV_MAX_QUEUES; q++)
		dev->qstats_base[q] = (struct netdev_queue_stats){ 0 };
	dev->state = NETDEV_RUNNING;
	return 0;
}

int netdev_stop(struct netdev *dev)
{
	int rc;

	if (dev->state != NETDEV_RUNNING)
		return wrong_state(dev, "netdev_stop");
	rc = dev->ops->stop(dev);
	dev->state = NETDEV_STOPPED;
	dev->rxq_ready = dev->txq_ready = 0;
	return rc;
}

/* @a -= @b, counter by counter (the structures hold only uint64_t). */
static void counters_sub(uint64_t *a, const uint64_t *b, size_t bytes)
{
	for (size_t i = 0; i < bytes / sizeof(uint64_t); i++)
		a[i] -= b[i];
}
STATIC_ASSERT(sizeof(struct netdev_stats) % sizeof(uint64_t) == 0, "counters only");
STATIC_ASSERT(sizeof(struct netdev_queue_stats) % sizeof(uint64_t) == 0, "counters only");

void netdev_stats(struct netdev *dev, struct netdev_stats *st)
{
	dev->ops->stats(dev, st);
	counters_sub((uint64_t *)st, (const uint64_t *)&dev->stats_base, sizeof(*st));
}

int netdev_queue_stats(struct netdev *dev, uint16_t q, struct netdev_queue_stats *st)
{
	if (q >= MAX(dev->nb_rxq, dev->nb_txq)) {
		log_err("%s: queue %u statistics: %u RX and %u TX queues configured\n",
			dev->name, q, dev->nb_rxq, dev->nb_txq);
		return -EINVAL;
	}
	dev->ops->queue_stats(dev, q, st);
	counters_sub((uint64_t *)st, (const uint64_t *)&dev->qstats_base[q], sizeof(*st));
	return 0;
}

void netdev_stats_reset(struct netdev *dev)
{
	dev->ops->stats(dev, &dev->stats_base);
	for (uint16_t q = 0; q < NETDEV_MAX_QUEUES; q++) {
		if (q < MAX(dev->nb_rxq, dev->nb_txq))
			dev->ops->queue_stats(dev, q, &dev->qstats_base[q]);
		else
			dev->qstats_base[q] = (struct netdev_queue_stats){ 0 };
	}
}

int netdev_promisc(struct netdev *dev, bool on)
{
	if (dev->state != NETDEV_RUNNING)
		return wrong_state(dev, "netdev_promisc");
	return dev->ops->promisc(dev, on);
}

int netdev_link(struct netdev *dev)
{
	return dev->ops->link(dev);
}
