NF_SRCS_poolstress := nf/poolstress/main.c nf/poolstress/stress.c
