/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-flow sequence tracking for rxcount: from the sequence numbers of
 * pktgen's probes, how many frames of a flow were lost, arrived late
 * (reordered) or twice (duplicates). Each flow keeps the highest sequence
 * seen and a 64-bit window of which of the 64 below it arrived, like IPsec's
 * anti-replay window: O(1) per frame, no division.
 *
 * pktgen numbers each flow from 0, so a flow's expected count is
 * highest + 1; lost = expected - unique frames seen. A frame more than 64
 * behind the highest cannot be told from a duplicate and counts as
 * reordered. Sequences are 32-bit: counts assume < 2^31 frames per flow
 * in flight of each other, and < 2^32 frames per flow in all.
 *
 * With several cores (rxcount cores=N) each core tracks the frames of its
 * own RX queue in its own table, and flow_totals() merges the tables flow by
 * flow. A backend that hashes flows to queues keeps each flow on one queue,
 * where the merge is exact. A flow seen on several queues is counted in
 * split: its frames add up (unique, expected and lost stay exact unless one
 * frame arrived on two queues), but reordering and duplicates are only
 * measured within each queue, as frames on different queues have no order.
 */
#ifndef SKIFF_RXCOUNT_FLOWS_H
#define SKIFF_RXCOUNT_FLOWS_H

#include <skiff/compiler.h>

struct flow_state {
	uint64_t window;	/* bit k: highest - k arrived */
	uint64_t unique;	/* distinct frames */
	uint32_t highest;
	uint32_t dups;
	uint32_t reordered;
	bool seen;
};

struct flow_totals {
	uint64_t flows, unique, expected, lost, reordered, dups;
	uint64_t split;		/* flows seen on more than one queue */
};

static inline void flow_track(struct flow_state *f, uint32_t seq)
{
	if (unlikely(!f->seen)) {
		f->seen = true;
		f->highest = seq;
		f->window = 1;
		f->unique = 1;
		return;
	}
	int32_t d = (int32_t)(seq - f->highest);
	if (likely(d == 1)) {		/* the common case: next in line */
		f->window = f->window << 1 | 1;
		f->highest = seq;
		f->unique++;
	} else if (d > 1) {		/* a gap: lost until proven late */
		f->window = d >= 64 ? 1 : f->window << d | 1;
		f->highest = seq;
		f->unique++;
	} else if (d == 0) {
		f->dups++;
	} else if (-d < 64) {
		uint64_t bit = 1ULL << -d;
		if (f->window & bit) {
			f->dups++;
		} else {
			f->window |= bit;
			f->unique++;
			f->reordered++;
		}
	} else {
		f->unique++;
		f->reordered++;
	}
}

/*
 * Sums flows 0..@n-1 of @ntables tables (one per queue) into @t. The tables
 * may be read while their cores update them (each field is read once, whole):
 * a frame being counted at that moment may then be missing from the result.
 */
void flow_totals(const struct flow_state *const *tables, unsigned ntables, unsigned n,
		 struct flow_totals *t);

/* Flows of @table (@n entries) that saw a frame. */
unsigned flow_count(const struct flow_state *table, unsigned n);

#endif
