/* SPDX-License-Identifier: BSD-3-Clause */
#include "flows.h"

void flow_totals(const struct flow_state *flows, unsigned n, struct flow_totals *t)
{
	*t = (struct flow_totals){ 0 };
	for (unsigned i = 0; i < n; i++) {
		const struct flow_state *f = &flows[i];
		if (!f->seen)
			continue;
		uint64_t expected = (uint64_t)f->highest + 1;
		t->flows++;
		t->unique += f->unique;
		t->expected += expected;
		t->lost += expected > f->unique ? expected - f->unique : 0;
		t->reordered += f->reordered;
		t->dups += f->dups;
	}
}
