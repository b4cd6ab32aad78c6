/* SPDX-License-Identifier: BSD-3-Clause */
#include <skiff/cpu.h>
#include "busy.h"

void busy_merge(const struct busy *b, unsigned n, uint64_t gap, struct busy *out)
{
	bool in[SKIFF_MAX_CPUS] = { false };
	unsigned latest;

	*out = (struct busy){ 0 };
	n = MIN(n, SKIFF_MAX_CPUS);
	latest = n;
	for (unsigned k = 0; k < n; k++)
		if (b[k].pkts && (latest == n || b[k].last > b[latest].last))
			latest = k;
	if (latest == n)
		return;
	*out = b[latest];
	in[latest] = true;
	for (bool grew = true; grew;) {
		grew = false;
		for (unsigned k = 0; k < n; k++) {
			if (in[k] || !b[k].pkts || b[k].last + gap < out->first)
				continue;
			in[k] = grew = true;
			out->first = MIN(out->first, b[k].first);
			out->pkts += b[k].pkts;
			out->bytes += b[k].bytes;
		}
	}
}
