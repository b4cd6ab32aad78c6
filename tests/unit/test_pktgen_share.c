/* How pktgen splits flows, count= and rate= over cores (share.h): against
 * one core taking turns over every flow, for many shapes. */
#include "share.h"
#include "tap.h"

/* Frames flow f gets when one core sends @count frames over @flows. */
static uint64_t one_core(unsigned flows, uint64_t count, unsigned f)
{
	return count / flows + (f < count % flows);
}

int main(void)
{
	int good = 1;

	for (unsigned cores = 1; cores <= 16 && good; cores++) {
		for (unsigned flows = cores; flows <= 70 && good; flows++) {
			for (uint64_t count = 0; count <= 300 && good; count += 7) {
				unsigned owner[70] = { 0 }, nflows = 0;
				uint64_t total = 0;
				for (unsigned k = 0; k < cores; k++) {
					struct share s;
					share_of(k, cores, flows, count, &s);
					/* The core's flows in turn, as pktgen sends them. */
					uint64_t got[70] = { 0 };
					unsigned f = s.first_flow, n = 0;
					for (uint64_t i = 0; i < s.count; i++) {
						got[f]++;
						f += cores;
						if (f >= flows)
							f = s.first_flow;
					}
					for (f = s.first_flow; f < flows; f += cores, n++) {
						owner[f]++;
						if (got[f] != one_core(flows, count, f))
							good = 0;
					}
					good &= n == s.nflows && s.first_flow == k;
					nflows += s.nflows;
					total += s.count;
				}
				for (unsigned f = 0; f < flows; f++)
					good &= owner[f] == 1;
				good &= nflows == flows && total == count;
				if (!good)
					printf("# cores %u flows %u count %llu\n", cores, flows,
					       (unsigned long long)count);
			}
		}
	}
	ok(good, "every flow on one core; each flow's frames as from one core; counts add up");

	struct share s;
	share_of(1, 2, 3, 1000001, &s);
	ok(s.first_flow == 1 && s.nflows == 1 && s.count == 333334,
	   "3 flows on 2 cores: core 1 sends flow 1 only, a third of the frames");
	share_of(0, 2, 3, 1000001, &s);
	ok(s.nflows == 2 && s.count == 666667, "core 0 sends flows 0 and 2");
	share_of(0, 4, 65535, 0, &s);
	ok(s.nflows == 16384 && s.count == 0, "count 0 stays unlimited on every core");
	share_of(3, 4, 65535, 0, &s);
	ok(s.nflows == 16383, "65535 flows on 4 cores: the last core one flow fewer");
	return done_testing();
}
