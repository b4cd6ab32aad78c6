NF_SRCS_nettest := nf/nettest/main.c nf/lib/nic.c
