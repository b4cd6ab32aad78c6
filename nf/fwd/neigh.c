/* SPDX-License-Identifier: BSD-3-Clause */
#include <skiff/string.h>
#include "neigh.h"

STATIC_ASSERT(IS_POW2(NEIGH_SETS), "sets are picked with a mask");

static struct neigh *set_of(struct neigh_table *t, unsigned port, uint32_t ip)
{
	uint32_t h = (ip ^ (port << 31)) * 0x9e3779b1u;	/* Fibonacci hashing */

	return t->set[h >> (32 - __builtin_ctz(NEIGH_SETS))];
}

struct neigh *neigh_find(struct neigh_table *t, unsigned port, uint32_t ip)
{
	struct neigh *set = set_of(t, port, ip);

	for (unsigned w = 0; w < NEIGH_WAYS; w++)
		if (set[w].state != NEIGH_FREE && set[w].ip == ip && set[w].port == port)
			return &set[w];
	return NULL;
}

struct neigh *neigh_slot(struct neigh_table *t, unsigned port, uint32_t ip)
{
	struct neigh *set = set_of(t, port, ip), *victim = NULL;

	for (unsigned w = 0; w < NEIGH_WAYS; w++) {
		struct neigh *e = &set[w];
		if (e->state == NEIGH_FREE) {
			victim = e;
			break;
		}
		if (e->state == NEIGH_REACHABLE &&
		    (!victim || e->confirmed < victim->confirmed))
			victim = e;
	}
	if (victim) {
		memset(victim, 0, sizeof(*victim));
		victim->ip = ip;
		victim->port = (uint8_t)port;
	}
	return victim;
}
