/* SPDX-License-Identifier: BSD-3-Clause */
/* Stopping the VM; see include/skiff/shutdown.h for the exit-status contract. */
#include <skiff/console.h>
#include <skiff/portio.h>
#include <skiff/shutdown.h>
#include "kernel.h"

void shutdown(int status)
{
	/* The exit line is the console's last: no other CPU runs on. */
	smp_stop_others();
	printf("skiff: exit %d\n", status);

	/* isa-debug-exit: QEMU exits on the spot with (value << 1) | 1. */
	outl(EXIT_DEBUG_PORT, (uint32_t)(status + EXIT_DEBUG_OFFSET));

	/* ACPI S5 through PM1a_CNT: QEMU pc/q35 (0x604), older QEMU and Bochs
	 * (0xb004). Firmware set these bases up; writing elsewhere is harmless. */
	outw(0x604, 0x2000);
	outw(0xb004, 0x2000);

	printf("skiff: no way to power off; halting\n");
	for (;;)
		__asm__ __volatile__("cli; hlt");
}
