/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stopping the VM with a status the host can read.
 *
 * With QEMU's isa-debug-exit device (iobase 0xf4, which scripts/run always
 * adds) the status reaches the host as QEMU's exit code
 * (status + 16) * 2 + 1; scripts/run turns it back into the status. Without
 * it, shutdown() powers off through ACPI (QEMU exits 0), and as a last resort
 * halts with interrupts off, which idles the vCPU instead of spinning.
 * Before stopping, the console gets a final "skiff: exit <status>" line.
 */
#ifndef SKIFF_SHUTDOWN_H
#define SKIFF_SHUTDOWN_H

#include <skiff/compiler.h>

enum exit_status {
	EXIT_OK = 0,		/* the NF did its job */
	EXIT_FAIL = 1,		/* it could not (no device, expectation not met) */
	EXIT_CONFIG = 2,	/* bad configuration: unknown key, bad value */
	EXIT_PANIC = 3,		/* panic() or a failed assert() */
	EXIT_FAULT = 4,		/* CPU exception, or a machine we cannot run on */
};

/* Offset keeps guest statuses apart from QEMU's own exit code 1 (error). */
#define EXIT_DEBUG_PORT		0xf4
#define EXIT_DEBUG_OFFSET	16

__noreturn void shutdown(int status);

#endif
