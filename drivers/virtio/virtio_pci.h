/* SPDX-License-Identifier: BSD-3-Clause */
/* The two PCI transports, for pci.c; see virtio.h. */
#ifndef SKIFF_VIRTIO_PCI_H
#define SKIFF_VIRTIO_PCI_H

struct pci_dev;
struct virtio_dev;

/* A device of the transport, or NULL if @pci does not offer it. */
struct virtio_dev *virtio_pci_modern_attach(const struct pci_dev *pci);
struct virtio_dev *virtio_pci_legacy_attach(const struct pci_dev *pci);

#endif
