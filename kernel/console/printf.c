/* SPDX-License-Identifier: BSD-3-Clause */
/* printf() and leveled logging on top of fmt_vsnprintf() and the UART. */
#include <skiff/console.h>
#include <skiff/fmt.h>
#include <skiff/string.h>

int log_level = LOG_INFO;

static const char *const level_names[] = {
	[LOG_CRIT] = "crit", [LOG_ERR] = "err", [LOG_WARN] = "warn",
	[LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

int vprintf(const char *fmt, va_list ap)
{
	char buf[512];
	int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);

	console_write(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	if (n >= (int)sizeof(buf))
		console_write("...\n", 4);
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

	if (level < LOG_INFO)
		printf("%s: ", level_names[level]);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

int log_level_parse(const char *name)
{
	for (unsigned i = 0; i < ARRAY_SIZE(level_names); i++)
		if (strcmp(name, level_names[i]) == 0)
			return (int)i;
	return -1;
}
