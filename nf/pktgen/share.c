/* SPDX-License-Identifier: BSD-3-Clause */
#include "share.h"

void share_of(unsigned core, unsigned cores, unsigned flows, uint64_t count,
	      struct share *s)
{
	uint64_t q = count / flows, r = count % flows;

	s->first_flow = (uint16_t)core;
	s->nflows = core < flows ? (uint16_t)((flows - core + cores - 1) / cores) : 0;
	/* Flows core, core + cores, ... below r send one frame more. */
	s->count = q * s->nflows + (core < r ? (r - core + cores - 1) / cores : 0);
}
