# Hosted tests of the pool, the heap and netbufs (see the Makefile for how
# UNIT_TESTS / TSAN_TESTS are built and run).
UNIT_TESTS += pool pool_debug pool_stress heap netbuf netbuf_heap
TSAN_TESTS += pool_stress

UNIT_SRCS_pool        := pool/pool.c
UNIT_SRCS_pool_debug  := pool/pool.c netdev/netbuf.c
UNIT_CFLAGS_pool_debug := -DSKIFF_DEBUG
UNIT_SRCS_pool_stress := pool/pool.c pool/heap.c netdev/netbuf.c
UNIT_SRCS_heap        := pool/heap.c
UNIT_SRCS_netbuf      := pool/pool.c netdev/netbuf.c
# The same tests against the heap-backed netbuf pools of ALLOC=heap.
UNIT_SRCS_netbuf_heap := pool/pool.c pool/heap.c netdev/netbuf.c
UNIT_CFLAGS_netbuf_heap := -DSKIFF_ALLOC_HEAP
