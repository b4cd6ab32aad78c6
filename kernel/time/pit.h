/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SKIFF_KERNEL_PIT_H
#define SKIFF_KERNEL_PIT_H
#include <stdbool.h>
#include <stdint.h>

/*
 * An interval that boot steps needing no clock can fill. _start() loads
 * channel 0 and takes the first edge (false: the PIT does not count);
 * _finish() takes the second at least CALIB_MS (4 ms) after it, longer where
 * port exits are slow, and returns the TSC frequency; or 0 if the interval
 * cannot be trusted (_finish came 55 ms or more after _start, one countdown,
 * or even 32 ms were too uncertain): then measure with pit_measure_tsc_hz().
 * Nothing may touch the PIT in between.
 */
bool pit_calibration_start(void);
uint64_t pit_calibration_finish(uint32_t *err_ppm);

/*
 * TSC frequency measured against PIT channel 0, or 0 if the PIT does not
 * count. *err_ppm: the measurement's worst-case error, in parts per million.
 * Takes CALIB_MS (4 ms) where port exits are cheap, longer where they are not.
 */
uint64_t pit_measure_tsc_hz(uint32_t *err_ppm);

#endif
