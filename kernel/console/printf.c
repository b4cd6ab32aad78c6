/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * printf() and leveled logging on top of fmt_vsnprintf() and the UART.
 *
 * A lock keeps the lines of different CPUs apart. It is taken per call,
 * after formatting, and a CPU may take it again while it holds it: a fault
 * inside printf still gets its register dump. A CPU stopped while holding it
 * (kernel/smp/stop.c) never gives it back, so the CPU that stopped it takes
 * it over (console_break_lock).
 */
#include <skiff/console.h>
#include <skiff/cpu.h>
#include <skiff/fmt.h>
#include <skiff/string.h>
#include "../kernel.h"

#define NO_OWNER UINT32_MAX

int log_level = LOG_INFO;

static uint32_t owner = NO_OWNER;
static unsigned depth;		/* the owner's nesting */

static void console_lock(void)
{
	uint32_t me = cpu_id(), free = NO_OWNER;

	if (__atomic_load_n(&owner, __ATOMIC_RELAXED) != me)
		while (!__atomic_compare_exchange_n(&owner, &free, me, false,
						    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
			free = NO_OWNER;
			cpu_relax();
		}
	depth++;
}

static void console_unlock(void)
{
	if (--depth == 0)
		__atomic_store_n(&owner, NO_OWNER, __ATOMIC_RELEASE);
}

void console_break_lock(void)
{
	if (__atomic_load_n(&owner, __ATOMIC_RELAXED) != cpu_id()) {
		depth = 0;
		__atomic_store_n(&owner, NO_OWNER, __ATOMIC_RELEASE);
	}
}

static const char *const level_names[] = {
	[LOG_CRIT] = "crit", [LOG_ERR] = "err", [LOG_WARN] = "warn",
	[LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

int vprintf(const char *fmt, va_list ap)
{
	char buf[512];
	int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);

	console_lock();
	console_write(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	if (n >= (int)sizeof(buf))
		console_write("...\n", 4);
	console_unlock();
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

void log_printf(int level, const char *fmt, ...)
{
	va_list ap;

	console_lock();		/* prefix and message on one line */
	if (level < LOG_INFO)
		printf("%s: ", level_names[level]);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	console_unlock();
}

int log_level_parse(const char *name)
{
	for (unsigned i = 0; i < ARRAY_SIZE(level_names); i++)
		if (strcmp(name, level_names[i]) == 0)
			return (int)i;
	return -1;
}
