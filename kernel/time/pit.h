/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SKIFF_KERNEL_PIT_H
#define SKIFF_KERNEL_PIT_H
#include <stdint.h>

/* TSC frequency measured against PIT channel 2, or 0 if the PIT never answered. */
uint64_t pit_measure_tsc_hz(void);

#endif
