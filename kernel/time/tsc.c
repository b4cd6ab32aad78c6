/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TSC clock. The frequency comes, in order of trust, from the hypervisor's
 * timing leaf (CPUID 0x40000010, KVM/VMware: TSC kHz), from CPUID 0x15
 * (crystal ratio, when the crystal frequency is given), or from counting TSC
 * ticks across a PIT interval, which spans the boot steps between
 * time_calibration_start() and time_init(). Conversions use a 32.32
 * fixed-point factor so that no division happens after calibration.
 */
#include <skiff/console.h>
#include <skiff/fmt.h>
#include <skiff/time.h>
#include "../cpu/cpu.h"
#include "pit.h"

uint64_t tsc_hz;
const char *tsc_source = "none";

static uint64_t tsc_start;
static uint64_t ns_per_tick_32;	/* ns per tick, << 32 */
static uint64_t ticks_per_ns_32;	/* ticks per ns, << 32 */

static uint64_t hz_from_hypervisor(void)
{
	uint32_t a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	if (!(c & (1u << 31)))		/* no hypervisor bit */
		return 0;
	cpuid(0x40000000, 0, &a, &b, &c, &d);
	if (a < 0x40000010)
		return 0;
	cpuid(0x40000010, 0, &a, &b, &c, &d);
	return (uint64_t)a * 1000;
}

static uint64_t hz_from_cpuid15(void)
{
	uint32_t a, b, c, d;

	cpuid(0, 0, &a, &b, &c, &d);
	if (a < 0x15)
		return 0;
	cpuid(0x15, 0, &a, &b, &c, &d);
	if (!a || !b || !c)
		return 0;
	return (uint64_t)c * b / a;
}

static uint64_t cpuid_hz;	/* from time_calibration_start() */
static const char *cpuid_source;
static bool pit_counts;

void time_calibration_start(void)
{
	if ((cpuid_hz = hz_from_hypervisor()))
		cpuid_source = "cpuid 0x40000010";
	else if ((cpuid_hz = hz_from_cpuid15()))
		cpuid_source = "cpuid 0x15";
	else
		pit_counts = pit_calibration_start();
}

void time_init(void)
{
	uint32_t err_ppm = 0;
	char how_sure[32] = "";

	if ((tsc_hz = cpuid_hz))
		tsc_source = cpuid_source;
	else if (pit_counts && (tsc_hz = pit_calibration_finish(&err_ppm)))
		tsc_source = "pit";
	else if (pit_counts && (tsc_hz = pit_measure_tsc_hz(&err_ppm))) {
		tsc_source = "pit";
		log_debug("time: the PIT interval across the boot steps was not usable"
			  " (55 ms or more, or too uncertain); measured again\n");
	}
	else {
		tsc_hz = 1000000000;
		tsc_source = "guess (no PIT answered)";
		log_warn("time: could not calibrate the TSC; assuming 1 GHz\n");
	}
	ns_per_tick_32 = (NSEC_PER_SEC << 32) / tsc_hz;
	ticks_per_ns_32 = (uint64_t)(((unsigned __int128)tsc_hz << 32) / NSEC_PER_SEC);
	tsc_start = rdtsc();
	if (err_ppm)
		fmt_snprintf(how_sure, sizeof(how_sure), ", within %u ppm", err_ppm);
	log_info("time: TSC %llu.%03llu MHz (%s%s)\n", (unsigned long long)(tsc_hz / 1000000),
		 (unsigned long long)(tsc_hz / 1000 % 1000), tsc_source, how_sure);
}

uint64_t tsc_to_ns(uint64_t ticks)
{
	return (uint64_t)(((unsigned __int128)ticks * ns_per_tick_32) >> 32);
}

uint64_t ns_to_tsc(uint64_t ns)
{
	return (uint64_t)(((unsigned __int128)ns * ticks_per_ns_32) >> 32);
}

uint64_t time_ns(void)
{
	return tsc_to_ns(rdtsc() - tsc_start);
}

void delay_us(uint64_t us)
{
	uint64_t end = rdtsc() + ns_to_tsc(us * NSEC_PER_USEC);

	while ((int64_t)(rdtsc() - end) < 0)
		cpu_relax();
}
