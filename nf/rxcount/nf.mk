NF_SRCS_rxcount := nf/rxcount/main.c nf/rxcount/flows.c nf/rxcount/busy.c nf/lib/nic.c \
		   nf/lib/cores.c
