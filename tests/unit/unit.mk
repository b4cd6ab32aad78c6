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

UNIT_TESTS += inet
UNIT_SRCS_inet := nf/lib/inet.c

UNIT_TESTS += pktgen_frame
UNIT_SRCS_pktgen_frame := nf/pktgen/frame.c nf/lib/inet.c
UNIT_CFLAGS_pktgen_frame := -Inf/pktgen

UNIT_TESTS += rxcount_flows
UNIT_SRCS_rxcount_flows := nf/rxcount/flows.c
UNIT_CFLAGS_rxcount_flows := -Inf/rxcount

UNIT_TESTS += echo_reflect
UNIT_SRCS_echo_reflect := nf/echo/reflect.c nf/lib/inet.c
UNIT_CFLAGS_echo_reflect := -Inf/echo

FWD_SRCS := nf/fwd/fwd.c nf/fwd/l2.c nf/fwd/l3.c nf/fwd/arp.c nf/fwd/icmp.c \
	    nf/fwd/neigh.c nf/fwd/route.c nf/lib/inet.c pool/pool.c netdev/netbuf.c \
	    kernel/cmdline/value.c kernel/console/fmt.c
UNIT_TESTS += fwd_l3 fwd_l2 fwd_route
UNIT_SRCS_fwd_l3 := $(FWD_SRCS)
UNIT_SRCS_fwd_l2 := $(FWD_SRCS)
UNIT_SRCS_fwd_route := $(FWD_SRCS) kernel/cmdline/params.c kernel/cmdline/kv.c
UNIT_CFLAGS_fwd_l3 := -Inf/fwd
UNIT_CFLAGS_fwd_l2 := -Inf/fwd
UNIT_CFLAGS_fwd_route := -Inf/fwd
