NF_SRCS_echo := nf/echo/main.c nf/echo/reflect.c nf/lib/inet.c nf/lib/nic.c nf/lib/cores.c
