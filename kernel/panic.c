/* SPDX-License-Identifier: BSD-3-Clause */
#include <skiff/console.h>
#include <skiff/panic.h>
#include <skiff/shutdown.h>
#include "kernel.h"

void panic(const char *fmt, ...)
{
	va_list ap;

	__asm__ __volatile__("cli");
	smp_stop_others();
	printf("\n*** PANIC: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n*** called from %p\n", __builtin_return_address(0));
	smp_report_stop();
	shutdown(EXIT_PANIC);
}
