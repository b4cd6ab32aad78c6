/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The two settings of an NF that halts its CPU when polls find no work
 * (include/skiff/idle.h), declared and applied the same way everywhere.
 */
#ifndef SKIFF_NF_IDLE_PARAMS_H
#define SKIFF_NF_IDLE_PARAMS_H

#include <skiff/config.h>
#include <skiff/idle.h>

#define NF_IDLE_PARAMS(halt_us, idle_polls)                                      \
	PARAM_INT("halt_us", halt_us, 0, 10000,                                  \
		  "after idle_polls polls without work, halt this long per poll" \
		  " (0: always spin)"),                                          \
	PARAM_INT("idle_polls", idle_polls, 1, 1000000, "polls without work before halting")

static inline void nf_idle_init(struct idle *s, uint64_t halt_us, uint64_t idle_polls)
{
	idle_init(s, halt_us ? (uint32_t)idle_polls : 0, (uint32_t)(halt_us * 1000));
}

#endif
