/* rxcount's loss/reorder/duplicate accounting against scripted and random
 * arrival orders with known answers; per-queue tables merged as one; busy
 * periods of several cores merged. */
#include <stdlib.h>
#include "busy.h"
#include "flows.h"
#include "tap.h"

static struct flow_totals run(const uint32_t *seqs, unsigned n)
{
	struct flow_state f = { 0 };
	struct flow_totals t;

	const struct flow_state *table = &f;

	for (unsigned i = 0; i < n; i++)
		flow_track(&f, seqs[i]);
	flow_totals(&table, 1, 1, &t);
	return t;
}

/* Flows spread over queues: frame i of flow f (seqs 0..n-1) goes to queue
 * q_of(f, i); returns the merged totals. */
enum { QN = 4, FN = 64 };
static struct flow_state qtab[QN][FN];

static struct flow_totals spread(unsigned nq, unsigned nflows, unsigned n,
				 unsigned (*q_of)(unsigned f, unsigned i),
				 int (*keep)(unsigned f, unsigned i))
{
	const struct flow_state *tables[QN];
	struct flow_totals t;

	memset(qtab, 0, sizeof(qtab));
	for (unsigned q = 0; q < nq; q++)
		tables[q] = qtab[q];
	for (unsigned i = 0; i < n; i++)
		for (unsigned f = 0; f < nflows; f++)
			if (keep(f, i))
				flow_track(&qtab[q_of(f, i) % nq][f], i);
	flow_totals(tables, nq, nflows, &t);
	return t;
}

static unsigned by_flow(unsigned f, unsigned i) { (void)i; return f * 7 + 3; }
static unsigned by_frame(unsigned f, unsigned i) { return f + i; }
static unsigned moves_once(unsigned f, unsigned i) { return f + (i >= 500); }
static int all(unsigned f, unsigned i) { (void)f; (void)i; return 1; }
static int drop_some(unsigned f, unsigned i) { return (i * 31 + f) % 97 != 5; }

static unsigned dropped(unsigned nflows, unsigned n)
{
	unsigned d = 0;

	for (unsigned i = 0; i < n; i++)
		for (unsigned f = 0; f < nflows; f++)
			d += !drop_some(f, i);
	return d;
}

static void merges(void)
{
	struct flow_totals t, one;

	t = spread(QN, FN, 1000, by_flow, all);
	ok(t.flows == FN && t.unique == FN * 1000 && t.lost == 0 && t.reordered == 0 &&
	   t.dups == 0 && t.split == 0, "each flow on its own queue: exact, nothing split");
	t = spread(QN, FN, 1000, by_flow, drop_some);
	ok(t.lost == dropped(FN, 1000) && t.split == 0, "each flow on one queue: every loss counted");
	one = spread(1, FN, 1000, by_flow, drop_some);
	ok(one.lost == t.lost && one.unique == t.unique && one.expected == t.expected,
	   "four queues agree with one");

	t = spread(QN, FN, 1000, by_frame, all);
	ok(t.split == FN && t.unique == FN * 1000 && t.lost == 0 && t.dups == 0,
	   "frames of every flow on every queue: counted split, nothing lost or doubled");
	t = spread(QN, FN, 1000, by_frame, drop_some);
	ok(t.split == FN && t.lost == dropped(FN, 1000),
	   "split flows: losses still exact (no frame came twice)");
	t = spread(2, FN, 1000, moves_once, all);
	ok(t.split == FN && t.lost == 0 && t.unique == FN * 1000,
	   "a flow that moves to another queue once: split, no loss");

	/* The highest sequence is taken in sequence order: one queue saw the
	 * flow before the 32-bit wrap, the other after it. */
	struct flow_state a = { 0 }, b = { 0 };
	const struct flow_state *ab[2] = { &a, &b };
	for (uint32_t s = 0xfffffff0u; s != 0; s++)
		flow_track(&a, s);
	for (uint32_t s = 0; s != 0x10; s++)
		flow_track(&b, s);
	flow_totals(ab, 2, 1, &t);
	ok(t.unique == 32 && t.split == 1 && t.expected == 0x10,
	   "split across the sequence wrap: the later side's highest");
}

static void busy_periods(void)
{
	struct busy out;
	const uint64_t gap = 100;

	busy_merge((struct busy[]){ { 0 }, { 0 } }, 2, gap, &out);
	ok(out.pkts == 0, "no frames: no busy period");
	busy_merge((struct busy[]){ { 1000, 2000, 50, 3000 } }, 1, gap, &out);
	ok(out.first == 1000 && out.last == 2000 && out.pkts == 50 && out.bytes == 3000,
	   "one core: its own period");
	busy_merge((struct busy[]){ { 1000, 2000, 50, 3000 }, { 1100, 2100, 70, 4200 } }, 2, gap,
		   &out);
	ok(out.first == 1000 && out.last == 2100 && out.pkts == 120 && out.bytes == 7200,
	   "overlapping periods join");
	busy_merge((struct busy[]){ { 10, 20, 1, 60 }, { 1000, 2000, 50, 3000 } }, 2, gap, &out);
	ok(out.first == 1000 && out.pkts == 50, "a stray frame long before on another core stays out");
	busy_merge((struct busy[]){ { 850, 950, 5, 300 }, { 1000, 2000, 50, 3000 }, { 700, 800, 2, 120 } },
		   3, gap, &out);
	ok(out.first == 700 && out.pkts == 57,
	   "periods within the gap join, and what joins widens the period");
	busy_merge((struct busy[]){ { 1000, 2000, 50, 3000 }, { 0 }, { 1500, 1900, 9, 540 } }, 3, gap,
		   &out);
	ok(out.first == 1000 && out.last == 2000 && out.pkts == 59,
	   "a core without frames is left out; the latest end is the end");
}


#define RUN(...) run((const uint32_t[]){ __VA_ARGS__ }, \
		     sizeof((uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t))

int main(void)
{
	struct flow_totals t;

	merges();
	busy_periods();
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
