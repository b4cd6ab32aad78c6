/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Forced ahead of kernel/time/pit.c in test_pit (-include): its port I/O and
 * rdtsc() go to the simulated 8254 and clock of test_pit.c instead of the
 * hardware.
 */
#ifndef SKIFF_SIM_PIT_H
#define SKIFF_SIM_PIT_H

#include <stdint.h>
#include <skiff/cpu.h>

#define SKIFF_PORTIO_H	/* replaces <skiff/portio.h> */
void outb(uint16_t port, uint8_t v);
uint8_t inb(uint16_t port);

uint64_t sim_rdtsc(void);
#define rdtsc() sim_rdtsc()

#endif
