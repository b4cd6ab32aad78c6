/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the kernel provides, for code under test on Linux: cpu_id() is a
 * thread-local index handed out on first use, panic() prints and aborts so
 * that death tests can expect SIGABRT.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <skiff/cpu.h>
#include <skiff/panic.h>

static unsigned next_cpu;
static __thread int my_cpu = -1;

unsigned cpu_id(void)
{
	if (my_cpu < 0)
		my_cpu = (int)(__atomic_fetch_add(&next_cpu, 1, __ATOMIC_RELAXED) %
			       SKIFF_MAX_CPUS);
	return (unsigned)my_cpu;
}

void panic(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "panic: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}
