/* SPDX-License-Identifier: BSD-3-Clause */
#include "flows.h"

void flow_totals(const struct flow_state *const *tables, unsigned ntables, unsigned n,
		 struct flow_totals *t)
{
	*t = (struct flow_totals){ 0 };
	for (unsigned i = 0; i < n; i++) {
		uint64_t unique = 0;
		uint32_t highest = 0;
		unsigned queues = 0;

		for (unsigned k = 0; k < ntables; k++) {
			const struct flow_state *f = &tables[k][i];
			if (!READ_ONCE(f->seen))
				continue;
			uint32_t h = READ_ONCE(f->highest);
			/* The latest in sequence order: sequences wrap. */
			if (!queues++ || (int32_t)(h - highest) > 0)
				highest = h;
			unique += READ_ONCE(f->unique);
			t->reordered += READ_ONCE(f->reordered);
			t->dups += READ_ONCE(f->dups);
		}
		if (!queues)
			continue;
		uint64_t expected = (uint64_t)highest + 1;
		t->flows++;
		t->split += queues > 1;
		t->unique += unique;
		t->expected += expected;
		t->lost += expected > unique ? expected - unique : 0;
	}
}

unsigned flow_count(const struct flow_state *table, unsigned n)
{
	unsigned seen = 0;

	for (unsigned i = 0; i < n; i++)
		seen += READ_ONCE(table[i].seen);
	return seen;
}
