# Hosted unit tests of kernel code that runs unchanged on Linux.
UNIT_TESTS += fmt config memmap ramfs

UNIT_SRCS_fmt    := kernel/console/fmt.c
UNIT_SRCS_config := kernel/cmdline/kv.c kernel/cmdline/value.c \
		    kernel/cmdline/params.c kernel/console/fmt.c
UNIT_SRCS_memmap := kernel/mem/memmap.c
UNIT_CFLAGS_memmap := -Ikernel/mem
UNIT_SRCS_ramfs  := kernel/ramfs/cpio.c kernel/console/fmt.c

UNIT_TESTS += smp_tables
UNIT_SRCS_smp_tables := kernel/smp/acpi.c kernel/smp/mptable.c kernel/smp/fwtable.c
UNIT_CFLAGS_smp_tables := -Ikernel/smp

UNIT_TESTS += smp_launch
TSAN_TESTS += smp_launch
UNIT_SRCS_smp_launch := kernel/smp/launch.c
UNIT_CFLAGS_smp_launch := -Ikernel/smp

UNIT_TESTS += virtqueue
UNIT_SRCS_virtqueue := drivers/virtio/virtqueue.c
UNIT_CFLAGS_virtqueue := -Idrivers/virtio

UNIT_TESTS += inet
UNIT_SRCS_inet := nf/lib/inet.c

UNIT_TESTS += pktgen_frame
UNIT_SRCS_pktgen_frame := nf/pktgen/frame.c nf/lib/inet.c
UNIT_CFLAGS_pktgen_frame := -Inf/pktgen

UNIT_TESTS += pktgen_share
UNIT_SRCS_pktgen_share := nf/pktgen/share.c
UNIT_CFLAGS_pktgen_share := -Inf/pktgen

UNIT_TESTS += rxcount_flows
UNIT_SRCS_rxcount_flows := nf/rxcount/flows.c nf/rxcount/busy.c
UNIT_CFLAGS_rxcount_flows := -Inf/rxcount

UNIT_TESTS += echo_reflect
UNIT_SRCS_echo_reflect := nf/echo/reflect.c nf/lib/inet.c
UNIT_CFLAGS_echo_reflect := -Inf/echo

# The virtio-net driver against a simulated device (tests/unit/sim_vnet.c).
UNIT_TESTS += virtio_net
UNIT_SRCS_virtio_net := tests/unit/sim_vnet.c drivers/virtio/virtio.c \
	drivers/virtio/virtqueue.c drivers/virtio/net_probe.c drivers/virtio/net_ops.c \
	drivers/virtio/net_rx.c drivers/virtio/net_tx.c drivers/virtio/net_ctrl.c \
	netdev/netdev.c netdev/netbuf.c netdev/pool_alloc.c pool/pool.c \
	kernel/console/fmt.c
UNIT_CFLAGS_virtio_net := -Idrivers/virtio
UNIT_TESTS += virtio_net_rx
UNIT_SRCS_virtio_net_rx := $(UNIT_SRCS_virtio_net)
UNIT_CFLAGS_virtio_net_rx := -Idrivers/virtio
UNIT_TESTS += virtio_net_tx
UNIT_SRCS_virtio_net_tx := $(UNIT_SRCS_virtio_net)
UNIT_CFLAGS_virtio_net_tx := -Idrivers/virtio
# poolstress's pairs on threads, also under TSan and with the pool's DEBUG checks.
UNIT_TESTS += poolstress poolstress_debug
TSAN_TESTS += poolstress
UNIT_SRCS_poolstress := nf/poolstress/stress.c pool/pool.c netdev/netbuf.c kernel/console/fmt.c
UNIT_CFLAGS_poolstress := -Inf/poolstress
UNIT_SRCS_poolstress_debug := $(UNIT_SRCS_poolstress)
UNIT_CFLAGS_poolstress_debug := -Inf/poolstress -DSKIFF_DEBUG
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

# TSC calibration against a simulated PIT (tests/unit/sim_pit.h).
UNIT_TESTS += pit
UNIT_SRCS_pit := kernel/time/pit.c
UNIT_CFLAGS_pit := -Ikernel/time -include tests/unit/sim_pit.h
UNIT_LIBS_pit := -lm
