# virtio-mmio: the transport against a simulated device, and the
# virtio_mmio.device= settings through the parameter tables.
UNIT_TESTS += virtio_mmio
UNIT_SRCS_virtio_mmio := drivers/virtio/mmio.c drivers/virtio/virtio.c \
	drivers/virtio/virtqueue.c kernel/bus/mmio.c kernel/cmdline/kv.c \
	kernel/cmdline/value.c kernel/cmdline/params.c kernel/console/fmt.c
UNIT_CFLAGS_virtio_mmio := -Idrivers/virtio -Ikernel/bus
