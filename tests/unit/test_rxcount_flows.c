/* rxcount's loss/reorder/duplicate accounting against scripted and random
 * arrival orders with known answers. */
#include <stdlib.h>
#include "flows.h"
#include "tap.h"

static struct flow_totals run(const uint32_t *seqs, unsigned n)
{
	struct flow_state f = { 0 };
	struct flow_totals t;

	for (unsigned i = 0; i < n; i++)
		flow_track(&f, seqs[i]);
	flow_totals(&f, 1, &t);
	return t;
}

#define RUN(...) run((const uint32_t[]){ __VA_ARGS__ }, \
		     sizeof((uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t))

int main(void)
{
	struct flow_totals t;

	t = RUN(0, 1, 2, 3, 4);
	ok(t.unique == 5 && t.lost == 0 && t.reordered == 0 && t.dups == 0, "in order");
	t = RUN(0, 1, 3, 4);
	ok(t.lost == 1 && t.reordered == 0 && t.dups == 0, "one gap is one loss");
	t = RUN(0, 2, 1, 3);
	ok(t.lost == 0 && t.reordered == 1 && t.dups == 0, "a late frame fills its gap");
	t = RUN(0, 1, 1, 2, 0);
	ok(t.lost == 0 && t.dups == 2 && t.reordered == 0, "duplicates, new and old");
	t = RUN(1, 2, 3);
	ok(t.lost == 1, "a missing first frame (seq 0) is lost");
	t = RUN(0, 100, 50);
	ok(t.lost == 98 && t.reordered == 1, "a frame within the window after a big gap");
	t = RUN(0, 1000, 5, 5);
	ok(t.unique == 4 && t.reordered == 2 && t.lost == 997,
	   "beyond the window: counted late, never as a duplicate");

	/* Random shuffles within a small distance, random drops and dups:
	 * exact answers while the displacement stays inside the window. */
	srand(9);
	int good = 1;
	for (int round = 0; round < 500 && good; round++) {
		enum { N = 3000 };
		static uint32_t order[N * 2];
		static uint8_t dropped[N];
		unsigned n = 0, drops = 0, dups = 0, late = 0;
		for (unsigned i = 0; i < N; i++) {
			dropped[i] = rand() % 50 == 0 && i < N - 1;
			drops += dropped[i];
			if (!dropped[i])
				order[n++] = i;
		}
		/* Swap neighbours a little: each swap makes one frame late. */
		for (unsigned i = 0; i + 1 < n; i++)
			if (rand() % 20 == 0) {
				uint32_t x = order[i];
				order[i] = order[i + 1];
				order[i + 1] = x;
				late++;
				i++;
			}
		/* Duplicates right after their original, inside the window. */
		static uint32_t stream[N * 2];
		unsigned m = 0;
		for (unsigned i = 0; i < n; i++) {
			stream[m++] = order[i];
			if (rand() % 100 == 0) {
				stream[m++] = order[i];
				dups++;
			}
		}
		struct flow_totals r = run(stream, m);
		if (r.lost != drops || r.dups != dups || r.reordered != late) {
			good = 0;
			printf("# round %d: lost %llu/%u dups %llu/%u late %llu/%u\n", round,
			       (unsigned long long)r.lost, drops, (unsigned long long)r.dups,
			       dups, (unsigned long long)r.reordered, late);
		}
	}
	ok(good, "500 random streams: lost, duplicates and reordered exact");

	/* Wrap of the 32-bit sequence. */
	struct flow_state f = { 0 };
	for (uint32_t s = 0xfffffff0u; s != 0x10; s++)
		flow_track(&f, s);
	ok(f.unique == 32 && f.dups == 0 && f.reordered == 0, "sequence wraps past 2^32");
	return done_testing();
}
