/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Time from the TSC, calibrated once at boot: from the hypervisor's CPUID
 * timing leaf (0x40000010) or CPUID 0x15 where present, else against the PIT.
 * Reading the clock costs an rdtsc; still, never read it per packet: loops
 * compare raw TSC values against deadlines computed with ns_to_tsc().
 */
#ifndef SKIFF_TIME_H
#define SKIFF_TIME_H

#include <skiff/compiler.h>
#include <skiff/cpu.h>

#define NSEC_PER_SEC	1000000000ULL
#define NSEC_PER_MSEC	1000000ULL
#define NSEC_PER_USEC	1000ULL

/* TSC ticks per second, and where the figure came from ("pit", "cpuid"). */
extern uint64_t tsc_hz;
extern const char *tsc_source;

/*
 * The clock is set up in two steps so that boot work needing no clock runs
 * while the TSC is measured: time_calibration_start() begins measuring (or
 * reads the frequency from CPUID), time_init() finishes, waiting out what is
 * left of the measurement, and starts the clock. Nothing below may be used
 * before time_init().
 */
void time_calibration_start(void);
void time_init(void);

/* Nanoseconds since time_init(). */
uint64_t time_ns(void);

uint64_t tsc_to_ns(uint64_t ticks);
uint64_t ns_to_tsc(uint64_t ns);

void delay_us(uint64_t us);

#endif
