/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fatal errors. In the kernel, panic() prints the message and the caller's
 * address and stops the VM with exit status EXIT_PANIC; in hosted tests it
 * prints to stderr and aborts, so a death test can watch for SIGABRT.
 */
#ifndef SKIFF_PANIC_H
#define SKIFF_PANIC_H

#include <skiff/compiler.h>

__noreturn __printf(1, 2) void panic(const char *fmt, ...);

#define assert(cond)                                                      \
	do {                                                              \
		if (unlikely(!(cond)))                                    \
			panic("assertion failed: %s (%s:%d)", #cond,      \
			      __FILE__, __LINE__);                        \
	} while (0)

/* Checks that cost something on the fast path: compiled in by DEBUG=1 only. */
#ifdef SKIFF_DEBUG
#define debug_assert(cond) assert(cond)
#else
#define debug_assert(cond) do { (void)sizeof(cond); } while (0)
#endif

#endif /* SKIFF_PANIC_H */
