/* SPDX-License-Identifier: BSD-3-Clause */
#include <skiff/console.h>
#include <skiff/idle.h>
#include <skiff/shutdown.h>
#include <skiff/time.h>
#include "cores.h"

static bool done[SKIFF_MAX_CPUS];

int nf_cores_check(const char *nf, unsigned cores)
{
	if (cores <= cpu_count())
		return 0;
	printf("%s: cores=%u, but %u CPU%s run%s Skiff: give the VM more"
	       " (scripts/run --cpus %u) or ask for fewer cores\n", nf, cores, cpu_count(),
	       cpu_count() == 1 ? "" : "s", cpu_count() == 1 ? "s" : "", cores);
	return -1;
}

int nf_cores_run(const char *nf, unsigned cores, smp_fn *fn, void *arg)
{
	int rc, wrc;

	for (unsigned c = 0; c < cores; c++)
		done[c] = false;	/* before the launches: they order it */
	for (unsigned c = 1; c < cores; c++) {
		if ((rc = smp_launch(c, fn, arg)) < 0) {
			/* Those already launched are stopped with the VM. */
			printf("%s: cannot start core %u (%d)\n", nf, c, rc);
			return EXIT_FAIL;
		}
	}
	rc = fn(arg);
	for (unsigned c = 1; c < cores; c++)
		if ((wrc = smp_wait(c)) != 0 && rc == 0)
			rc = wrc;
	return rc;
}

static bool all_done(unsigned cores)
{
	for (unsigned c = 0; c < cores; c++)
		if (!READ_ONCE(done[c]))
			return false;
	return true;
}

void nf_core_done(unsigned k, unsigned cores, void (*tick)(uint64_t now))
{
	WRITE_ONCE(done[k], true);
	if (k != 0)
		return;
	while (!all_done(cores)) {
		tick(rdtsc());
		cpu_idle(NSEC_PER_MSEC);
	}
}
