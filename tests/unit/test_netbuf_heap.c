/* SPDX-License-Identifier: BSD-3-Clause */
/* The netbuf tests against heap-backed netbuf pools (ALLOC=heap); see pool.mk. */
#include "test_netbuf.c"
