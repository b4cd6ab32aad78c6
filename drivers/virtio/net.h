/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SKIFF_VIRTIO_NET_H
#define SKIFF_VIRTIO_NET_H

/* Finds virtio-net PCI functions and registers a netdev for each. */
void virtio_net_probe(void);

#endif
