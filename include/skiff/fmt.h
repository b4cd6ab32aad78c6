/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * printf-style formatting into a buffer, with no dependency on the kernel so
 * it is unit-tested against glibc on the host.
 *
 * Conversions: %d %i %u %x %X %o %c %s %p %%; flags '-' '0' '+' ' ' '#';
 * field width and precision (numbers or '*'); length modifiers hh h l ll z t j.
 * No floating point: callers print fixed-point integers.
 * Semantics follow C99 vsnprintf: the output is always NUL-terminated when
 * size > 0, and the return value is the length the full output would have.
 */
#ifndef SKIFF_FMT_H
#define SKIFF_FMT_H

#include <stdarg.h>
#include <stddef.h>
#include <skiff/compiler.h>

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
__printf(3, 4) int fmt_snprintf(char *buf, size_t size, const char *fmt, ...);

#endif
