/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rxcount's busy periods. A core's busy period starts with the first frame
 * after a second (the gap) without any, so stray frames before a stream do
 * not dilute the summary's rate. With several cores the summary covers the
 * busy period of all of them: the period that ended last, joined by every
 * other core's period that overlaps it or ends less than the gap before it
 * starts (and again, as the joined period grows). Pure code: unit-tested on
 * the host.
 */
#ifndef SKIFF_RXCOUNT_BUSY_H
#define SKIFF_RXCOUNT_BUSY_H

#include <skiff/compiler.h>

struct busy {
	uint64_t first, last;	/* TSC of its first and last frame */
	uint64_t pkts, bytes;	/* frames and bytes in it; pkts 0: no period */
};

/* The busy period of @n cores' periods together, as above, into @out. */
void busy_merge(const struct busy *b, unsigned n, uint64_t gap, struct busy *out);

#endif
