/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SKIFF_KERNEL_PIT_H
#define SKIFF_KERNEL_PIT_H
#include <stdint.h>

/*
 * TSC frequency measured against PIT channel 0, or 0 if the PIT does not
 * count. *err_ppm: the measurement's worst-case error, in parts per million.
 * Takes CALIB_MS (4 ms) where port exits are cheap, longer where they are not.
 */
uint64_t pit_measure_tsc_hz(uint32_t *err_ppm);

#endif
