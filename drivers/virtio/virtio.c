/* SPDX-License-Identifier: BSD-3-Clause */
/* Device initialisation common to all transports (virtio 1.x, 3.1.1). */
#include <skiff/console.h>
#include <skiff/errno.h>
#include "virtio.h"

void virtio_fail(struct virtio_dev *d)
{
	d->ops->set_status(d, d->ops->get_status(d) | VIRTIO_CONFIG_S_FAILED);
}

int virtio_negotiate(struct virtio_dev *d, uint64_t wanted)
{
	const struct virtio_transport *ops = d->ops;
	bool modern = !ops->legacy;
	uint64_t offered;

	ops->reset(d);
	ops->set_status(d, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	ops->set_status(d, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);

	offered = ops->device_features(d);
	d->features = offered & wanted;
	if (modern && !virtio_has(d, VIRTIO_F_VERSION_1)) {
		log_err("%s: modern device without VERSION_1 (features %#llx)\n",
			d->where, (unsigned long long)offered);
		virtio_fail(d);
		return -EIO;
	}
	if (!modern)
		d->features &= 0xffffffffULL;	/* legacy has 32 feature bits */
	ops->driver_features(d, d->features);
	if (!modern)
		return 0;	/* legacy devices have no FEATURES_OK step */

	ops->set_status(d, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
			       VIRTIO_CONFIG_S_FEATURES_OK);
	if (!(ops->get_status(d) & VIRTIO_CONFIG_S_FEATURES_OK)) {
		log_err("%s: device refused features %#llx\n", d->where,
			(unsigned long long)d->features);
		virtio_fail(d);
		return -EIO;
	}
	return 0;
}

void virtio_driver_ok(struct virtio_dev *d)
{
	d->ops->set_status(d, d->ops->get_status(d) | VIRTIO_CONFIG_S_DRIVER_OK);
}
