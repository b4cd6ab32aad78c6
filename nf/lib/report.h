/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rates for report lines: packets and bits per second from counter and TSC
 * deltas, bits counted with the 24 bytes of preamble, FCS and gap each
 * frame costs on a wire (as the Unikraft tutorial does).
 */
#ifndef SKIFF_NF_REPORT_H
#define SKIFF_NF_REPORT_H

#include <skiff/time.h>

/* @pkts over @ticks of TSC, per second. */
static inline uint64_t rate_per_sec(uint64_t pkts, uint64_t ticks)
{
	return ticks ? (uint64_t)((unsigned __int128)pkts * tsc_hz / ticks) : 0;
}

/* Tenths of Mbit/s for @pps frames per second of @bytes_per_frame average
 * frame bytes (without FCS). */
static inline uint64_t mbps_x10(uint64_t pps, uint64_t bytes, uint64_t pkts)
{
	if (!pkts)
		return 0;
	return (uint64_t)((unsigned __int128)pps * (bytes + pkts * 24) * 8 / pkts / 100000);
}

/* Seconds with two decimals, as "S.CC" parts. */
static inline void ticks_to_sec(uint64_t ticks, uint64_t *sec, uint64_t *centi)
{
	uint64_t ms = tsc_to_ns(ticks) / NSEC_PER_MSEC;
	*sec = ms / 1000;
	*centi = ms % 1000 / 10;
}

#endif
