/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * How pktgen splits its work over cores: flow f is sent by core f mod cores,
 * so every flow comes from one core and one TX queue (its sequence numbers
 * stay in order on the wire), and each core's flows take turns as all flows
 * do on one core. count= is split so that every flow gets exactly the frames
 * it would get from one core (flows take turns: with count = q * flows + r,
 * flows 0..r-1 send q + 1 frames, the others q); rate= is split in the same
 * proportion, so the flows keep one rate and the cores add up to rate=.
 * Pure code: unit-tested on the host.
 */
#ifndef SKIFF_PKTGEN_SHARE_H
#define SKIFF_PKTGEN_SHARE_H

#include <skiff/compiler.h>

struct share {
	uint16_t first_flow;	/* the core's flows: first, first + cores, ... */
	uint16_t nflows;	/* how many (0 when core >= flows) */
	uint64_t count;		/* frames to send (0: no limit) */
};

/* Core @core's share of @flows flows and @count frames over @cores cores. */
void share_of(unsigned core, unsigned cores, unsigned flows, uint64_t count,
	      struct share *s);

#endif
