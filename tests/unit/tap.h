/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A minimal TAP producer for the hosted unit tests (run by prove).
 *   ok(cond, "name %d", i);  is_u64(got, want, "name");  is_str(got, want, "name");
 *   return done_testing();
 * There is no skip: a hosted test runs everywhere the build does.
 */
#ifndef SKIFF_TAP_H
#define SKIFF_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

static inline int tap_vok(int pass, const char *file, int line,
			  const char *fmt, va_list ap)
{
	tap_count++;
	printf("%sok %d - ", pass ? "" : "not ", tap_count);
	vprintf(fmt, ap);
	printf("\n");
	if (!pass) {
		tap_failed++;
		printf("#   Failed at %s line %d\n", file, line);
	}
	fflush(stdout);
	return pass;
}

static inline int tap_ok(int pass, const char *file, int line,
			 const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pass = tap_vok(pass, file, line, fmt, ap);
	va_end(ap);
	return pass;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

#define is_u64(got, want, ...)                                               \
	do {                                                                 \
		uint64_t g_ = (uint64_t)(got), w_ = (uint64_t)(want);        \
		if (!tap_ok(g_ == w_, __FILE__, __LINE__, __VA_ARGS__))      \
			printf("#   got %" PRIu64 ", want %" PRIu64 "\n",    \
			       g_, w_);                                      \
	} while (0)

#define is_str(got, want, ...)                                               \
	do {                                                                 \
		const char *g_ = (got), *w_ = (want);                        \
		int p_ = g_ && w_ ? strcmp(g_, w_) == 0 : g_ == w_;          \
		if (!tap_ok(p_, __FILE__, __LINE__, __VA_ARGS__))            \
			printf("#   got '%s', want '%s'\n",                  \
			       g_ ? g_ : "(null)", w_ ? w_ : "(null)");      \
	} while (0)

/* A test that ran no check is broken, not skipped (prove reads "1..0" as a skip). */
static inline int done_testing(void)
{
	if (!tap_count)
		tap_ok(0, __FILE__, __LINE__, "at least one check ran");
	printf("1..%d\n", tap_count);
	if (tap_failed)
		printf("# %d of %d failed\n", tap_failed, tap_count);
	return tap_failed ? 1 : 0;
}

#endif
