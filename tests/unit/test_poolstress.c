/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * poolstress's producer/consumer pairs and verdict (nf/poolstress/stress.c)
 * on threads as CPUs, also under ThreadSanitizer and with the pool's DEBUG
 * checks: every kind must balance, and each way of breaking it (a leak, a
 * skipped sequence number, a consumer that never comes) must be caught and
 * named.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>
#include "stress.h"
#include "tap.h"

#define CPUS	4
#define COUNT	20000

uint64_t stress_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void stress_idle(void)
{
	sched_yield();
}

/* Every thread runs the same runs in turn, between two barriers. */
static pthread_barrier_t start, done;
static struct stress_run run;
static unsigned absent = CPUS;	/* a CPU that skips the run: none */
static bool finished;
static unsigned started;

static void *cpu_thread(void *arg)
{
	/* hosted.c hands out cpu_id()s in order of first use: take ours
	 * before the next thread starts. */
	unsigned me = cpu_id();

	__atomic_store_n(&started, me, __ATOMIC_RELEASE);
	for (;;) {
		pthread_barrier_wait(&start);
		if (finished)
			return NULL;
		if (me != absent)
			stress_cpu(&run);
		pthread_barrier_wait(&done);
	}
}

static void *pool_mem;
static unsigned pool_objects;

static void setup(enum stress_kind kind, unsigned burst, unsigned cache,
		  enum stress_inject inject)
{
	free(pool_mem);
	free(run.in_flight);
	memset(&run, 0, sizeof(run));
	run.kind = kind;
	run.inject = inject;
	run.count = COUNT;
	run.burst = burst;
	run.pairs = CPUS / 2;
	run.stall_ns = 2000000000u;
	for (unsigned k = 0; k < run.pairs; k++)
		run.pair[k].id = k;
	pool_objects = stress_pool_size(run.pairs, burst, cache);
	if (kind == STRESS_NETBUF) {
		size_t len = netbuf_pool_memsize(pool_objects, 256, cache);

		pool_mem = malloc(len);
		run.netbufs = netbuf_pool_create("stress", pool_objects, 256, cache,
						 pool_mem, len);
		return;
	}
	struct pool_params pp = {
		.name = "stress", .n = pool_objects, .size = sizeof(struct stress_obj),
		.align = 8, .cache_size = cache, .init = stress_obj_init,
	};
	size_t len = pool_memsize(pp.n, pp.size, pp.align, cache);

	pool_mem = malloc(len);
	run.pool = pool_create(&pp, pool_mem, len);
	run.in_flight = calloc(pool_objects, 1);
}

/* Runs the set-up run on all CPUs; the verdict, its reason in @why. */
static int go(char *why, size_t len)
{
	pthread_barrier_wait(&start);
	stress_cpu(&run);
	pthread_barrier_wait(&done);
	why[0] = '\0';
	return stress_verdict(&run, pool_objects, why, len);
}

int main(void)
{
	pthread_t threads[CPUS];
	char why[256];
	int rc;

	is_u64(cpu_id(), 0, "the main thread is CPU 0");
	pthread_barrier_init(&start, NULL, CPUS);
	pthread_barrier_init(&done, NULL, CPUS);
	for (unsigned i = 1; i < CPUS; i++) {
		pthread_create(&threads[i], NULL, cpu_thread, NULL);
		while (__atomic_load_n(&started, __ATOMIC_ACQUIRE) != i)
			sched_yield();
	}

	setup(STRESS_SINGLE, 1, 16, INJECT_NONE);
	rc = go(why, sizeof(why));
	ok(rc == 0, "single get/put, 2 pairs x %d objects: balanced %s", COUNT, why);
	is_u64(run.pair[0].received + run.pair[1].received, 2 * COUNT, "all received");

	setup(STRESS_BULK, 32, 64, INJECT_NONE);
	rc = go(why, sizeof(why));
	ok(rc == 0, "bulk, burst 32, cache 64: balanced %s", why);

	setup(STRESS_BULK, 7, 0, INJECT_NONE);
	rc = go(why, sizeof(why));
	ok(rc == 0, "bulk, burst 7, no cache (the ring alone): balanced %s", why);

	setup(STRESS_NETBUF, 16, 32, INJECT_NONE);
	rc = go(why, sizeof(why));
	ok(rc == 0, "netbufs with shared references: balanced %s", why);
	is_u64(run.pair[0].shared, COUNT / 4, "a quarter of them shared");

	/* Each of the 2 consumers keeps one. */
	setup(STRESS_BULK, 32, 64, INJECT_LEAK);
	rc = go(why, sizeof(why));
	ok(rc < 0 && strstr(why, " 2 in use"), "leaked objects are caught: %s", why);

	setup(STRESS_NETBUF, 16, 32, INJECT_LEAK);
	rc = go(why, sizeof(why));
	ok(rc < 0 && strstr(why, " 2 in use"), "leaked netbufs are caught: %s", why);

	setup(STRESS_SINGLE, 1, 16, INJECT_SKIP);
	rc = go(why, sizeof(why));
	ok(rc < 0 && strstr(why, "expected seq"), "a skipped sequence number is caught: %s",
	   why);

	/* CPU 3, pair 1's consumer, never comes: its producer gives up. */
	setup(STRESS_BULK, 32, 64, INJECT_NONE);
	run.stall_ns = 200000000u;
	absent = 3;
	rc = go(why, sizeof(why));
	absent = CPUS;
	ok(rc < 0 && strstr(why, "pair 1 producer stalled"), "a stall is caught: %s", why);

	finished = true;
	pthread_barrier_wait(&start);
	for (unsigned i = 1; i < CPUS; i++)
		pthread_join(threads[i], NULL);
	free(pool_mem);
	free(run.in_flight);
	return done_testing();
}
