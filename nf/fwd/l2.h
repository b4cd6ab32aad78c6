/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fwd mode=l2: a transparent two-port learning bridge. Every frame goes out
 * of the other port unchanged (the same netbuf) unless:
 *
 *   - its destination MAC was last seen as a source on the port it arrived
 *     on: both ends are on that side, and the segment has delivered it
 *     already (filtered, as an 802.1D bridge does);
 *   - it is for the IEEE 802.1D link-local group 01:80:c2:00:00:0X (STP,
 *     LACP, 802.1X: never forwarded by a bridge; link_local);
 *   - its source MAC is a group address (bad_src) or it is shorter than an
 *     Ethernet header (truncated).
 *
 * Broadcast, multicast and unknown unicast go to the other port. Sources are
 * learned from every forwarded or filtered frame; an entry not refreshed for
 * the ageing time is forgotten. The table is set-associative (L2_SETS sets of
 * L2_WAYS): a full set replaces its least recently seen entry, so the table
 * never refuses a station, it only forgets the quietest.
 */
#ifndef SKIFF_FWD_L2_H
#define SKIFF_FWD_L2_H

#include "fwd.h"

#define L2_SETS	256
#define L2_WAYS	4

/* X-macro: every counter, in report order. Each received frame lands in
 * exactly one of the first five; learned and moved count table events. */
#define L2_COUNTERS(X)                                                      \
	X(forwarded) X(filtered) X(link_local) X(bad_src) X(truncated)      \
	X(learned) X(moved)

struct l2_counters {
#define L2_FIELD(name) uint64_t name;
	L2_COUNTERS(L2_FIELD)
#undef L2_FIELD
};

struct l2_entry {
	uint64_t mac;		/* mac48(); 0: free */
	uint64_t seen;		/* TSC of the last frame from it */
	uint8_t port;
};

struct l2 {
	struct fwd_io *io;
	uint64_t age;		/* TSC ticks an entry lives unrefreshed */
	struct l2_counters cnt;
	struct l2_entry table[L2_SETS][L2_WAYS];
};

/* An empty table whose entries live @age TSC ticks unrefreshed. */
void l2_init(struct l2 *b, struct fwd_io *io, uint64_t age);

/* Bridges bufs[0..n), received on port @in at TSC @now. */
void l2_input(struct l2 *b, unsigned in, struct netbuf **bufs, unsigned n, uint64_t now);

/* The port @mac was last seen on at @now, or -1 if it is not known. */
int l2_lookup(const struct l2 *b, const uint8_t mac[6], uint64_t now);

#endif
