# Hosted unit tests of kernel code that runs unchanged on Linux.
UNIT_TESTS += fmt config memmap ramfs

UNIT_SRCS_fmt    := kernel/console/fmt.c
UNIT_SRCS_config := kernel/cmdline/kv.c kernel/cmdline/value.c \
		    kernel/cmdline/params.c kernel/console/fmt.c
UNIT_SRCS_memmap := kernel/mem/memmap.c
UNIT_CFLAGS_memmap := -Ikernel/mem
UNIT_SRCS_ramfs  := kernel/ramfs/cpio.c kernel/console/fmt.c

UNIT_TESTS += virtqueue
UNIT_SRCS_virtqueue := drivers/virtio/virtqueue.c
UNIT_CFLAGS_virtqueue := -Idrivers/virtio

