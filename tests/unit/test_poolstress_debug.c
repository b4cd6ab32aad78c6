/* SPDX-License-Identifier: BSD-3-Clause */
/* The poolstress tests with the pool's DEBUG checks (poisoning, double puts); see unit.mk. */
#include "test_poolstress.c"
