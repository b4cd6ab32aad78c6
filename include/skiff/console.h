/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Console output (16550 serial, COM1) and leveled logging.
 *
 * printf() writes the formatted text as is. log_*() prefix the level (crit,
 * err and warn) and are filtered twice: at build time by LOG_FLOOR (messages more
 * verbose than the floor are compiled out) and at run time by the
 * loglevel=crit|err|warn|info|debug setting. Never print on a fast path.
 */
#ifndef SKIFF_CONSOLE_H
#define SKIFF_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>
#include <skiff/compiler.h>

enum log_level { LOG_CRIT, LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };

#ifndef LOG_FLOOR
#define LOG_FLOOR LOG_DEBUG
#endif

extern int log_level;

void console_init(void);
void console_write(const char *s, size_t len);
__printf(1, 2) int printf(const char *fmt, ...);
int vprintf(const char *fmt, va_list ap);
__printf(2, 3) void log_printf(int level, const char *fmt, ...);

/* Parses "crit".."debug"; returns the level or -1. */
int log_level_parse(const char *name);

#define log_at(level, ...)                                                 \
	do {                                                               \
		if ((level) <= LOG_FLOOR && (level) <= log_level)          \
			log_printf(level, __VA_ARGS__);                    \
	} while (0)

#define log_crit(...)	log_at(LOG_CRIT, __VA_ARGS__)
#define log_err(...)	log_at(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	log_at(LOG_WARN, __VA_ARGS__)
#define log_info(...)	log_at(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_at(LOG_DEBUG, __VA_ARGS__)

#endif
