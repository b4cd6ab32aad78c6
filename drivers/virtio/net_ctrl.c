/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtio-net control queue (spec 5.1.6.5): one command at a time, each
 * a chain of header, data and a status byte the device writes, waited for
 * by polling.
 *
 * A command the device does not answer in time stays the device's: its
 * chain and buffer may still be read or written by it, so neither is reused
 * until the device gives the chain back (checked at the next command) or is
 * reset (netdev_stop). Meanwhile commands fail at once with -EIO.
 */
#include <skiff/console.h>
#include <skiff/mem.h>
#include <skiff/string.h>
#include <skiff/time.h>
#include "net.h"

#define CTRL_TIMEOUT_NS		(1000 * NSEC_PER_MSEC)

/* Takes back a command the device has answered; true if the queue is idle. */
static bool ctrl_idle(struct vnet *v)
{
	uint32_t len;

	if (!v->ctrl_lost)
		return true;
	if (!vq_used_count(&v->ctrlq) || vq_get_used(&v->ctrlq, &len) != &v->ctrl)
		return false;
	v->ctrl_lost = false;
	return true;
}

int vnet_ctrl(struct vnet *v, uint8_t class, uint8_t cmd, const void *data,
	      unsigned len)
{
	struct vnet_ctrl *c = &v->ctrl;
	const struct vq_seg segs[3] = {
		{ (uintptr_t)&c->hdr, sizeof(c->hdr), false },
		{ (uintptr_t)c->data, len, false },
		{ (uintptr_t)&c->ack, 1, true },
	};
	uint64_t deadline;

	if (!virtio_has(v->vdev, VIRTIO_NET_F_CTRL_VQ))
		return -ENOTSUP;
	if (!ctrl_idle(v)) {
		log_err("%s: control command %u/%u refused: the device still holds an"
			" unanswered command %u/%u\n", v->nd.name, class, cmd,
			c->hdr.class, c->hdr.cmd);
		return -EIO;
	}
	if (len > sizeof(c->data) || vq_free_count(&v->ctrlq) < ARRAY_SIZE(segs)) {
		log_err("%s: control command %u/%u: %u data bytes, %u free descriptors\n",
			v->nd.name, class, cmd, len, vq_free_count(&v->ctrlq));
		return -EIO;
	}
	c->hdr.class = class;
	c->hdr.cmd = cmd;
	memcpy(c->data, data, len);
	c->ack = 0xff;
	vq_add_chain(&v->ctrlq, segs, ARRAY_SIZE(segs), c);
	vq_announce(&v->ctrlq);
	v->ctrl_lost = true;	/* until the answer is taken back */
	deadline = time_ns() + CTRL_TIMEOUT_NS;
	while (!ctrl_idle(v)) {
		if (time_ns() > deadline) {
			log_err("%s: control command %u/%u got no answer in %llu ms\n",
				v->nd.name, class, cmd,
				(unsigned long long)(CTRL_TIMEOUT_NS / NSEC_PER_MSEC));
			return -ETIMEDOUT;
		}
		cpu_relax();
	}
	return READ_ONCE(c->ack) == VIRTIO_NET_OK ? 0 : -EIO;
}

int vnet_ctrl_start(struct vnet *v)
{
	const struct virtio_transport *ops = v->vdev->ops;
	uint16_t index = (uint16_t)(2 * v->dev_pairs);
	uint16_t max = ops->queue_max(v->vdev, index), size = CTRLQ_SIZE;
	int rc;

	if (ops->queue_size_fixed || max < size)
		size = max;
	if ((rc = vnet_ring_memory(v, "control queue", size, &v->ctrl_cap, &v->ctrl_ring,
				   &v->ctrl_cookies)) < 0)
		return rc;
	if (vq_init(&v->ctrlq, index, size, v->ctrl_ring, v->ctrl_cookies,
		    virtio_has(v->vdev, VIRTIO_RING_F_EVENT_IDX)) < 0) {
		log_err("%s: control queue size %u is not a power of two\n", v->nd.name, size);
		return -EIO;
	}
	v->ctrl_lost = false;	/* a fresh queue on a reset device */
	return ops->queue_enable(v->vdev, &v->ctrlq);
}
