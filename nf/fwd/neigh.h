/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The router's neighbour (ARP) table: the MAC of each next hop, per port.
 * Set-associative (NEIGH_SETS sets of NEIGH_WAYS), so a lookup reads one
 * set and the table never grows. The policy (when to ask, when to give up,
 * what to do with the frames held) is the router's (l3.c); this is the
 * data structure.
 *
 * An entry is INCOMPLETE while its address is being resolved, holding up to
 * NEIGH_QMAX frames to send once the answer comes, or REACHABLE with a MAC.
 * A REACHABLE entry whose confirmation is older than the timeout is still
 * used, and probed: re-asked a few times before it is dropped.
 */
#ifndef SKIFF_FWD_NEIGH_H
#define SKIFF_FWD_NEIGH_H

#include <skiff/netbuf.h>

#define NEIGH_SETS	64
#define NEIGH_WAYS	4
#define NEIGH_QMAX	4	/* frames held per unresolved neighbour */
#define NEIGH_HELD_MAX	256	/* frames held in all */

enum neigh_state { NEIGH_FREE, NEIGH_INCOMPLETE, NEIGH_REACHABLE };

struct neigh {
	uint32_t ip;		/* host order */
	uint8_t port;
	uint8_t state;		/* enum neigh_state */
	uint8_t tries;		/* requests sent since the last answer */
	uint8_t nq;		/* frames held */
	bool probing;		/* REACHABLE but unconfirmed for too long */
	uint8_t mac[6];
	uint64_t confirmed;	/* TSC of the last ARP packet from it */
	uint64_t next_try;	/* TSC at which to ask again (INCOMPLETE, probing) */
	struct netbuf *q[NEIGH_QMAX];
};

struct neigh_table {
	struct neigh set[NEIGH_SETS][NEIGH_WAYS];
	unsigned held;		/* frames held in all entries */
};

/* The entry for @ip on @port, or NULL. */
struct neigh *neigh_find(struct neigh_table *t, unsigned port, uint32_t ip);

/*
 * A slot for @ip on @port in its set (which must not have it yet): a free
 * one, else the REACHABLE entry confirmed longest ago (forgotten; it holds
 * no frames), else NULL when every way is being resolved. The slot comes
 * back FREE with ip and port set, for the caller to fill.
 */
struct neigh *neigh_slot(struct neigh_table *t, unsigned port, uint32_t ip);

/* Every slot, for the periodic scan: index 0 .. NEIGH_SETS * NEIGH_WAYS - 1. */
static inline struct neigh *neigh_at(struct neigh_table *t, unsigned i)
{
	return &t->set[i / NEIGH_WAYS][i % NEIGH_WAYS];
}

#endif
