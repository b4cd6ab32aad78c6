# virtio transports, virtqueues and the virtio-net driver.
KERNEL_SRCS += \
	drivers/virtio/virtio.c \
	drivers/virtio/pci.c \
	drivers/virtio/pci_modern.c \
	drivers/virtio/pci_legacy.c \
	drivers/virtio/mmio.c \
	drivers/virtio/virtqueue.c \
	drivers/virtio/net_probe.c \
	drivers/virtio/net_ops.c \
	drivers/virtio/net_rx.c \
	drivers/virtio/net_tx.c \
	drivers/virtio/net_ctrl.c
