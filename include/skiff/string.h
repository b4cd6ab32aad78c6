/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The few <string.h> functions Skiff uses. The kernel is built freestanding
 * (which implies -fno-builtin), so the mem* names are routed to gcc's
 * builtins: constant-size copies are then inlined, and only the rest call
 * kernel/lib/string.c. Hosted builds use the C library.
 */
#ifndef SKIFF_STRING_H
#define SKIFF_STRING_H

#ifdef SKIFF_HOSTED
#include <string.h>
#else
#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);

#define memcpy(d, s, n)		__builtin_memcpy(d, s, n)
#define memmove(d, s, n)	__builtin_memmove(d, s, n)
#define memset(d, c, n)		__builtin_memset(d, c, n)
#define memcmp(a, b, n)		__builtin_memcmp(a, b, n)
#define strlen(s)		__builtin_strlen(s)
#endif

#endif
