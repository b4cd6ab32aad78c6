/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * poolstress: the lock-free pool across cores, in the kernel. CPUs pair up
 * (0 -> 1, 2 -> 3, ...): one allocates, tags and hands objects over, the
 * other checks and frees them (stress.h). Three phases: pool objects one at
 * a time, in bursts, and netbufs in bursts with shared references. Each
 * phase must balance (every object seen once, in order; the pool's gets
 * equal its puts, nothing in use, every object free again) or the NF exits
 * with status 1, naming what did not. Work is bounded by count, not time.
 *
 * Its own NF rather than a mode of hello: it needs at least two CPUs and
 * takes seconds, while hello is the smoke test every boot test runs.
 */
#include <skiff/console.h>
#include <skiff/idle.h>
#include <skiff/mem.h>
#include <skiff/netdev.h>
#include <skiff/nf.h>
#include <skiff/smp.h>
#include <skiff/string.h>
#include <skiff/time.h>
#include "stress.h"

/* Small buffers: a DEBUG build poisons and checks every byte of each. */
#define NETBUF_ROOM	256

static const char *const phase_names[] = { "all", "single", "bulk", "netbuf", NULL };
static const char *const inject_names[] = { "none", "leak", "skip", NULL };
static unsigned phase, inject;
static uint64_t count = 1000000, burst = 32, cache = 64, stall = 10;

static const struct param params[] = {
	PARAM_INT("count", count, 1, 1000000000, "objects each pair passes per phase"),
	PARAM_INT("burst", burst, 1, STRESS_BURST_MAX, "objects per bulk call"),
	PARAM_INT("cache", cache, 0, POOL_CACHE_MAX, "per-core cache of the pools"),
	PARAM_CHOICE("phase", phase, phase_names,
		     "which: single get/put, bulk, netbufs, or all in turn"),
	PARAM_CHOICE("inject", inject, inject_names,
		     "break it on purpose: a consumer leaks one object, a producer"
		     " skips a sequence number"),
	PARAM_INT("stall", stall, 1, 3600, "seconds without progress before giving up"),
};

static const char *const kind_names[] = { "single", "bulk", "netbuf" };
static struct stress_run run;

/* Halting for a queue to fill or empty leaves the host core to the vCPU
 * that will do it: this machine's vCPUs may share host cores. */
#define IDLE_NS	(20 * NSEC_PER_USEC)

uint64_t stress_now_ns(void)
{
	return time_ns();
}

void stress_idle(void)
{
	cpu_idle(IDLE_NS);
}

/* A fresh run of @kind: its pool, its counters. */
static int setup(enum stress_kind kind, unsigned pairs, unsigned objects)
{
	memset(&run, 0, sizeof(run));
	run.kind = kind;
	run.inject = inject;
	run.count = count;
	run.burst = (unsigned)(kind == STRESS_SINGLE ? 1 : burst);
	run.pairs = pairs;
	run.stall_ns = stall * NSEC_PER_SEC;
	for (unsigned k = 0; k < pairs; k++)
		run.pair[k].id = k;
	if (kind == STRESS_NETBUF)
		return (run.netbufs = netbuf_pool_alloc("poolstress", objects, NETBUF_ROOM,
							(unsigned)cache)) ? 0 : -1;

	struct pool_params pp = {
		.name = "poolstress", .n = objects, .size = sizeof(struct stress_obj),
		.align = 8, .cache_size = (unsigned)cache, .init = stress_obj_init,
	};
	size_t len = pool_memsize(pp.n, pp.size, pp.align, pp.cache_size);
	void *mem = len ? mem_alloc_raw(len, 4096, "poolstress pool") : NULL;

	run.in_flight = mem_alloc(objects, 64, "poolstress in-flight flags");
	if (!mem || !run.in_flight || !(run.pool = pool_create(&pp, mem, len)))
		return -1;
	return 0;
}

static int one_phase(enum stress_kind kind, unsigned pairs)
{
	unsigned objects = stress_pool_size(pairs, (unsigned)burst, (unsigned)cache);
	uint64_t t0, sent = 0, empty = 0, shared = 0;
	char why[256];
	int rc;

	if (setup(kind, pairs, objects) < 0) {
		printf("poolstress: %s: cannot create a pool of %u objects\n",
		       kind_names[kind], objects);
		return EXIT_FAIL;
	}
	t0 = time_ns();
	if (smp_launch_workers(stress_cpu, &run) != 0) {
		printf("poolstress: a worker CPU is busy\n");
		return EXIT_FAIL;
	}
	stress_cpu(&run);
	smp_wait_workers();	/* the verdict below says what went wrong */
	for (unsigned k = 0; k < pairs; k++) {
		sent += run.pair[k].sent;
		empty += run.pair[k].empty;
		shared += run.pair[k].shared;
	}
	rc = stress_verdict(&run, objects, why, sizeof(why));
	printf("poolstress: %s: %u pair%s passed %llu objects through a pool of %u in"
	       " %llu ms (burst %llu, cache %llu); pool ran dry %llu times",
	       kind_names[kind], pairs, pairs == 1 ? "" : "s", (unsigned long long)sent,
	       objects, (unsigned long long)((time_ns() - t0) / NSEC_PER_MSEC),
	       (unsigned long long)run.burst, (unsigned long long)cache,
	       (unsigned long long)empty);
	if (kind == STRESS_NETBUF)
		printf(", %llu netbufs shared", (unsigned long long)shared);
	printf("\n");
	if (rc < 0) {
		printf("poolstress: %s: FAILED: %s\n", kind_names[kind], why);
		return EXIT_FAIL;
	}
	printf("poolstress: %s: balanced: every object once and in order, all back\n",
	       kind_names[kind]);
	return EXIT_OK;
}

static int poolstress_main(void)
{
	unsigned pairs = cpu_count() / 2, passed = 0, failed = 0;

	if (pairs == 0) {
		printf("poolstress: needs at least 2 CPUs and has 1 (scripts/run --cpus N;"
		       " cpus= if given must be 2 or more)\n");
		return EXIT_CONFIG;
	}
	printf("poolstress: %u CPUs: ", cpu_count());
	for (unsigned k = 0; k < pairs; k++)
		printf("%scpu %u -> cpu %u", k ? ", " : "", 2 * k, 2 * k + 1);
	printf("%s\n", cpu_count() % 2 ? " (the last CPU stays idle)" : "");
	for (unsigned kind = STRESS_SINGLE; kind <= STRESS_NETBUF; kind++) {
		if (phase && phase - 1 != kind)
			continue;
		if (one_phase(kind, pairs) == EXIT_OK)
			passed++;
		else
			failed++;
	}
	printf("poolstress summary cpus=%u pairs=%u count=%llu phases=%u failed=%u\n",
	       cpu_count(), pairs, (unsigned long long)count, passed + failed, failed);
	return failed ? EXIT_FAIL : EXIT_OK;
}

NF_DEFINE("poolstress", "allocates on one core and frees on another until it balances",
	  params, poolstress_main);
