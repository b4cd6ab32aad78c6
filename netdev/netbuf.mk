# Packet buffers and netbuf pools (on the pool, or on the heap with ALLOC=heap).
KERNEL_SRCS += netdev/netbuf.c
