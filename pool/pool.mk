# Object pool and the general heap (ALLOC=heap baseline); both are always
# built: netbuf pools size themselves with pool_memsize either way.
KERNEL_SRCS += pool/pool.c pool/heap.c
