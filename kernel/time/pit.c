/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TSC calibration against the 8254 PIT, polled. Channel 0 runs as a rate
 * generator and its count is read back with latch commands, which works on
 * every QEMU machine with a PIT, microvm included (channel 2's gate and
 * output sit behind port 0x61, which microvm does not have). Interrupts are
 * off, so IRQ0 firing is harmless.
 */
#include <skiff/cpu.h>
#include <skiff/portio.h>
#include "pit.h"

#define PIT_HZ		1193182ULL
#define PIT_CH0		0x40
#define PIT_CMD		0x43
#define CMD_CH0_MODE2	0x34	/* channel 0, lo/hi byte, rate generator */
#define CMD_LATCH_CH0	0x00
#define CALIB_MS	10

static uint16_t read_count(void)
{
	uint8_t lo, hi;

	outb(PIT_CMD, CMD_LATCH_CH0);
	lo = inb(PIT_CH0);
	hi = inb(PIT_CH0);
	return (uint16_t)(hi << 8 | lo);
}

uint64_t pit_measure_tsc_hz(void)
{
	const uint64_t want = PIT_HZ * CALIB_MS / 1000;
	uint64_t elapsed = 0, t0, t1;
	uint16_t prev, now;
	unsigned still = 0;

	outb(PIT_CMD, CMD_CH0_MODE2);
	outb(PIT_CH0, 0);	/* reload value 0 = 65536 */
	outb(PIT_CH0, 0);

	prev = read_count();
	t0 = rdtsc();
	while (elapsed < want) {
		now = read_count();
		if (now == prev) {
			/* Bounded: no PIT reads back a constant. */
			if (++still > 1000000)
				return 0;
			continue;
		}
		still = 0;
		elapsed += (uint16_t)(prev - now);	/* counts down, wraps */
		prev = now;
	}
	t1 = rdtsc();
	return (t1 - t0) * PIT_HZ / elapsed;
}
