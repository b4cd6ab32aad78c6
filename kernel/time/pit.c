/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TSC calibration against the 8254 PIT, polled. Channel 0's count is read
 * back with latch commands, which works on every QEMU machine with a PIT,
 * microvm included (channel 2's gate and output sit behind port 0x61, which
 * microvm does not have). Interrupts are off, so IRQ0 firing is harmless.
 *
 * A count read alone only says which 838 ns tick it fell in, and the vCPU
 * can be descheduled in the middle of one (three port accesses, each a VM
 * exit): a TSC value taken beside it can be off by anything from a tick to a
 * host time slice. So each end of the interval is the moment the count
 * changes, pinned between the TSC values around the two reads that saw it
 * change, and the narrowest of a few such edges is kept. The uncertainty of
 * the result is then known: half of each end's bracket over the interval.
 *
 * The interval starts short (CALIB_MS) and doubles while that uncertainty
 * is above CALIB_ERR_PPM (slow port exits).
 *
 * Two ways to use it. pit_calibration_start()/_finish() let boot steps that
 * need no clock run inside the interval: channel 0 counts down from 65536
 * (mode 0) and nobody reads it in between, so the finish trusts the interval
 * only if, at its first read, the count has not yet passed zero (the status
 * read-back's OUT bit): a wrap nobody saw would go uncounted. Otherwise, or
 * when even CALIB_MS_MAX is too uncertain, pit_measure_tsc_hz() measures
 * again, polling throughout (rate generator), and starts again from a new
 * first edge when even CALIB_MS_MAX is not enough (a host that keeps
 * preempting).
 */
#include <skiff/cpu.h>
#include <skiff/portio.h>
#include "pit.h"

#define PIT_HZ		1193182ULL
#define PIT_CH0		0x40
#define PIT_CMD		0x43
#define CMD_CH0_MODE0	0x30	/* channel 0, lo/hi byte, one countdown */
#define CMD_CH0_MODE2	0x34	/* channel 0, lo/hi byte, rate generator */
#define CMD_LATCH_CH0	0x00
#define CMD_STATUS_CH0	0xe2	/* read-back: channel 0's status, not its count */
#define STATUS_OUT	0x80	/* mode 0: the count has reached zero */
#define CALIB_MS	4	/* the first interval; doubled while too uncertain */
#define CALIB_MS_MAX	32
#define CALIB_ERR_PPM	200	/* the two ends' uncertainty over the interval */
#define CALIB_ATTEMPTS	3
#define SAMPLES		4	/* per end of the interval */

struct pit_clock {
	uint16_t last;		/* the last count read */
	uint64_t ticks;		/* PIT ticks since the first read */
	uint32_t still;		/* reads in a row that saw the same count */
};

/* No PIT reads back one count this often in a row (a read takes longer than
 * a nanosecond, a tick 838 ns): the PIT is not counting. */
#define STILL_MAX	1000000

/* One PIT tick lasts 838 ns and the counter wraps after 65536 of them (55
 * ms): reads must come more often than that, which every loop here does. */
static uint64_t pit_read(struct pit_clock *c)
{
	uint8_t lo, hi;
	uint16_t now;

	outb(PIT_CMD, CMD_LATCH_CH0);
	lo = inb(PIT_CH0);
	hi = inb(PIT_CH0);
	now = (uint16_t)(hi << 8 | lo);
	c->still = now == c->last ? c->still + 1 : 0;
	c->ticks += (uint16_t)(c->last - now);	/* counts down, wraps */
	c->last = now;
	return c->ticks;
}

/* A moment the PIT count changed. */
struct sample {
	uint64_t ticks;		/* PIT ticks up to it */
	uint64_t tsc;		/* TSC at the middle of the bracket around it */
	uint64_t width;		/* the bracket in TSC ticks: the uncertainty */
};

/* The moment the count changes, between the TSC before the last read that
 * saw the old count and the TSC after the first read that saw the new one. */
static struct sample edge_sample(struct pit_clock *c)
{
	uint64_t before = rdtsc(), old = pit_read(c);

	while (c->still < STILL_MAX) {
		uint64_t t0 = rdtsc(), ticks = pit_read(c), t1 = rdtsc();
		if (ticks != old)
			return (struct sample){ ticks, before + (t1 - before) / 2, t1 - before };
		before = t0;
	}
	return (struct sample){ .width = UINT64_MAX };
}

static struct sample best_sample(struct pit_clock *c)
{
	struct sample best = { .width = UINT64_MAX }, s;

	for (unsigned i = 0; i < SAMPLES; i++)
		if ((s = edge_sample(c)).width < best.width)
			best = s;
	return best;
}

/* TSC ticks per second between edges @a and @b, and its uncertainty in ppm
 * (UINT64_MAX if the two do not make an interval). */
static uint64_t interval_hz(struct sample a, struct sample b, uint64_t *ppm)
{
	*ppm = UINT64_MAX;
	if (a.width == UINT64_MAX || b.width == UINT64_MAX || b.ticks <= a.ticks || b.tsc <= a.tsc)
		return 0;
	*ppm = (a.width / 2 + b.width / 2) * 1000000 / (b.tsc - a.tsc);
	return (b.tsc - a.tsc) * PIT_HZ / (b.ticks - a.ticks);
}

/* Waits until @ms have passed on @c since edge @a. */
static void wait_since(struct pit_clock *c, struct sample a, uint64_t ms)
{
	while (c->still < STILL_MAX && pit_read(c) - a.ticks < PIT_HZ * ms / 1000)
		;
}

/* The least uncertain measurement so far. */
struct best {
	uint64_t hz, ppm;
};

/*
 * Ends the interval from edge @a after CALIB_MS, then twice as long while
 * its uncertainty is above CALIB_ERR_PPM, up to CALIB_MS_MAX. Returns the
 * frequency once it is certain enough; 0 when even CALIB_MS_MAX was not or
 * the PIT stopped counting (c->still). @best keeps the least uncertain.
 */
static uint64_t widen(struct pit_clock *c, struct sample a, struct best *best)
{
	for (uint64_t ms = CALIB_MS; ms <= CALIB_MS_MAX; ms *= 2) {
		uint64_t hz, ppm;

		wait_since(c, a, ms);
		hz = interval_hz(a, best_sample(c), &ppm);
		if (c->still >= STILL_MAX || !hz)
			return 0;
		if (ppm < best->ppm)
			*best = (struct best){ hz, ppm };
		if (ppm <= CALIB_ERR_PPM)
			return hz;
	}
	return 0;
}

static struct pit_clock overlap_clock;
static struct sample overlap_start = { .width = UINT64_MAX };

bool pit_calibration_start(void)
{
	outb(PIT_CMD, CMD_CH0_MODE0);
	outb(PIT_CH0, 0);	/* 0 = 65536 ticks until OUT rises */
	outb(PIT_CH0, 0);
	pit_read(&overlap_clock);
	overlap_clock.ticks = 0;
	overlap_start = best_sample(&overlap_clock);
	return overlap_start.width != UINT64_MAX;
}

uint64_t pit_calibration_finish(uint32_t *err_ppm)
{
	struct pit_clock *c = &overlap_clock;
	struct sample a = overlap_start;
	struct best best = { 0, UINT64_MAX };
	uint64_t hz;

	overlap_start.width = UINT64_MAX;	/* once per start */
	if (a.width == UINT64_MAX)
		return 0;
	/* The first read since the start, then the OUT bit: if the count had
	 * not passed zero after that read, no wrap went unseen before it, and
	 * from here on the count is polled. */
	pit_read(c);
	outb(PIT_CMD, CMD_STATUS_CH0);
	if (inb(PIT_CH0) & STATUS_OUT)
		return 0;
	if ((hz = widen(c, a, &best)))
		*err_ppm = (uint32_t)best.ppm;	/* the last and least uncertain */
	return hz;
}

uint64_t pit_measure_tsc_hz(uint32_t *err_ppm)
{
	struct pit_clock c = { 0 };
	struct best best = { 0, UINT64_MAX };

	outb(PIT_CMD, CMD_CH0_MODE2);
	outb(PIT_CH0, 0);	/* reload value 0 = 65536 */
	outb(PIT_CH0, 0);
	pit_read(&c);		/* counts from its first read */
	c.ticks = 0;

	for (unsigned attempt = 0; attempt < CALIB_ATTEMPTS; attempt++)
		if (widen(&c, best_sample(&c), &best) || c.still >= STILL_MAX)
			break;
	if (best.hz)
		*err_ppm = (uint32_t)MIN(best.ppm, UINT32_MAX);
	return best.hz;
}
