NF_SRCS_rxcount := nf/rxcount/main.c nf/rxcount/flows.c nf/lib/nic.c
