NF_SRCS_pktgen := nf/pktgen/main.c nf/pktgen/frame.c nf/pktgen/share.c nf/lib/inet.c \
		  nf/lib/nic.c nf/lib/cores.c
