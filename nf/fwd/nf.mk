NF_SRCS_fwd := nf/fwd/main.c nf/fwd/fwd.c nf/fwd/l2.c nf/fwd/l3.c nf/fwd/arp.c \
	       nf/fwd/icmp.c nf/fwd/neigh.c nf/fwd/route.c nf/lib/inet.c nf/lib/nic.c
