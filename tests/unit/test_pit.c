/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TSC calibration (kernel/time/pit.c) against a simulated 8254 channel 0 and
 * a simulated clock: every port access and TSC read moves time on, and the
 * boot work between pit_calibration_start() and _finish() is a jump of the
 * clock with no PIT read in it. The overlapped interval must give the right
 * frequency within the error it claims, last at least 4 ms, and refuse an
 * interval in which the count wrapped unseen (the PIT's 16 bits last 55 ms).
 */
#include <math.h>
#include <skiff/compiler.h>
#include "pit.h"
#include "tap.h"

#define PIT_HZ	1193182.0

static uint64_t now_ps;			/* simulated time, picoseconds */
static uint64_t port_ps = 150000;	/* one port access */
static uint64_t true_hz = 2500000000ULL;
static bool counting = true;
static unsigned port_accesses;

/* Channel 0. */
static unsigned mode, reload = 65536, write_lo, writing_hi;
static uint64_t load_ps;
static int latched = -1, status = -1;	/* -1: none */
static bool reading_hi;

uint64_t sim_rdtsc(void)
{
	now_ps += 20000;		/* an rdtsc: 20 ns */
	return (uint64_t)((long double)now_ps * true_hz / 1e12L);
}

static uint64_t ticks_since_load(void)
{
	return counting ? (uint64_t)((now_ps - load_ps) * PIT_HZ / 1e12) : 0;
}

static unsigned count_now(void)
{
	uint64_t n = ticks_since_load();

	if (mode == 0)
		return (unsigned)(reload - n) & 0xffff;
	return (unsigned)(reload - n % reload) & 0xffff;	/* mode 2 */
}

static bool out_high(void)
{
	return mode == 0 ? ticks_since_load() >= reload : true;
}

void outb(uint16_t port, uint8_t v)
{
	now_ps += port_ps;
	port_accesses++;
	if (port == 0x43) {
		if ((v & 0xc0) == 0xc0) {		/* read-back */
			if ((v & 0x02) && !(v & 0x20) && latched < 0)
				latched = (int)count_now();
			if ((v & 0x02) && !(v & 0x10) && status < 0)
				status = out_high() << 7 | 3 << 4 | mode << 1;
		} else if ((v & 0xc0) == 0 && (v & 0x30) == 0) {	/* latch ch0 */
			if (latched < 0)
				latched = (int)count_now();
		} else if ((v & 0xc0) == 0) {		/* ch0 control word, lo/hi */
			mode = v >> 1 & 7;
			writing_hi = 0;
			reading_hi = false;
		}
	} else if (port == 0x40) {
		if (!writing_hi) {
			write_lo = v;
			writing_hi = 1;
		} else {
			reload = (write_lo | v << 8) ? (write_lo | v << 8) : 65536;
			load_ps = now_ps;
			writing_hi = 0;
		}
	}
}

uint8_t inb(uint16_t port)
{
	unsigned c;
	uint8_t b;

	now_ps += port_ps;
	port_accesses++;
	if (port != 0x40)
		return 0xff;
	if (status >= 0) {
		b = (uint8_t)status;
		status = -1;
		return b;
	}
	c = latched >= 0 ? (unsigned)latched : count_now();
	b = reading_hi ? (uint8_t)(c >> 8) : (uint8_t)c;
	if (reading_hi)
		latched = -1;
	reading_hi = !reading_hi;
	return b;
}

static void reset(uint64_t hz, uint64_t port_cost_ps)
{
	now_ps = 1000000000000ULL;	/* a second in */
	true_hz = hz;
	port_ps = port_cost_ps;
	counting = true;
	mode = 2;
	reload = 65536;
	load_ps = 0;
	latched = status = -1;
	reading_hi = false;
	writing_hi = 0;
}

static void work_ms(double ms)
{
	now_ps += (uint64_t)(ms * 1e9);
}

/* |hz - true| in ppm */
static double off_ppm(uint64_t hz)
{
	return fabs((double)hz - (double)true_hz) / (double)true_hz * 1e6;
}

int main(void)
{
	uint32_t err = 0;
	uint64_t hz, t0;

	/* The boot's work fills the interval: no waiting at the end. */
	reset(2500000000ULL, 150000);
	ok(pit_calibration_start(), "start: the PIT counts");
	work_ms(6);
	t0 = now_ps;
	hz = pit_calibration_finish(&err);
	ok(hz && err > 0 && err <= 200, "6 ms of work: %llu Hz, within %u ppm",
	   (unsigned long long)hz, err);
	ok(off_ppm(hz) <= err, "and really within it: %.1f ppm off", off_ppm(hz));
	ok(now_ps - t0 < 100000000ULL, "finish took %.3f ms: nothing left to wait",
	   (now_ps - t0) / 1e9);
	is_u64(pit_calibration_finish(&err), 0, "a second finish without a start: 0");

	/* Little work: finish waits out the 4 ms. */
	reset(3000000000ULL, 150000);
	t0 = now_ps;
	ok(pit_calibration_start(), "start again");
	work_ms(0.5);
	hz = pit_calibration_finish(&err);
	ok(hz && off_ppm(hz) <= err && err <= 200, "0.5 ms of work: %llu Hz, %.1f ppm off, within %u",
	   (unsigned long long)hz, off_ppm(hz), err);
	ok(now_ps - t0 >= 4000000000ULL, "the interval lasted at least 4 ms: %.3f ms",
	   (now_ps - t0) / 1e9);

	/* 40 ms: still inside one countdown. */
	reset(2096000000ULL, 150000);
	pit_calibration_start();
	work_ms(40);
	hz = pit_calibration_finish(&err);
	ok(hz && off_ppm(hz) <= err, "40 ms of work: %llu Hz, %.1f ppm off, within %u",
	   (unsigned long long)hz, off_ppm(hz), err);

	/* Past one countdown: the wraps went unseen, the interval is refused. */
	static const double too_long[] = { 56, 60, 110, 200, 1000 };
	for (unsigned i = 0; i < sizeof(too_long) / sizeof(too_long[0]); i++) {
		reset(2096000000ULL, 150000);
		pit_calibration_start();
		work_ms(too_long[i]);
		hz = pit_calibration_finish(&err);
		is_u64(hz, 0, "%.0f ms of work (more than 55): refused", too_long[i]);
	}
	/* ... and measuring again (the rate generator, polled) is right. */
	err = 0;
	hz = pit_measure_tsc_hz(&err);
	ok(hz && off_ppm(hz) <= err && err <= 200, "measured again: %llu Hz, %.1f ppm off, within %u",
	   (unsigned long long)hz, off_ppm(hz), err);

	/* Slow port exits: too uncertain over the interval, refused. */
	reset(2096000000ULL, 40000000);	/* 40 us per access */
	pit_calibration_start();
	work_ms(6);
	is_u64(pit_calibration_finish(&err), 0, "40 us port exits over 6 ms: too uncertain, refused");
	err = 0;
	hz = pit_measure_tsc_hz(&err);
	ok(hz && off_ppm(hz) <= err, "the polled measurement says how sure it is: %.1f ppm off, within %u",
	   off_ppm(hz), err);

	/* No PIT: start says so, within a bounded number of reads. */
	reset(2096000000ULL, 150000);
	counting = false;
	port_accesses = 0;
	ok(!pit_calibration_start(), "a PIT that does not count: start says so");
	ok(port_accesses < 4000010, "after %u port accesses", port_accesses);
	is_u64(pit_calibration_finish(&err), 0, "and finish gives nothing");
	return done_testing();
}
