NF_SRCS_hello := nf/hello/main.c
