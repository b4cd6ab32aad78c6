KERNEL_SRCS += netdev/netdev.c
KERNEL_SRCS += netdev/pool_alloc.c
