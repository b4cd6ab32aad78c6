/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The launch state machine (kernel/smp/launch.c) with threads as CPUs, also
 * built with ThreadSanitizer: the memory-ordering promises of smp.h are
 * checked by plain (non-atomic) data written on one side and read on the
 * other, which TSan reports as a race unless a launch or a wait orders it.
 *
 * smp_sleep() blocks on a per-CPU semaphore for up to 2 s and smp_kick()
 * posts it, so a lost wake-up (the race launch.c's sequentially consistent
 * flags close) shows up as a counted timeout instead of passing silently;
 * the busy loop below stops at the first one.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <time.h>
#include <skiff/errno.h>
#include "launch.h"
#include "tap.h"

#define CPUS		4
#define ROUNDS		3000
#define DATA_WORDS	64

static sem_t wake[CPUS];
static unsigned timeouts, kicks;

void smp_kick(unsigned cpu)
{
	__atomic_add_fetch(&kicks, 1, __ATOMIC_RELAXED);
	sem_post(&wake[cpu]);
}

void smp_sleep(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 2;
	while (sem_timedwait(&wake[cpu_id()], &ts) != 0)
		if (errno == ETIMEDOUT) {
			__atomic_add_fetch(&timeouts, 1, __ATOMIC_RELAXED);
			return;
		}
}

/* ------------------------------------------------------- the workers */

static __thread bool quit;
static pthread_t threads[CPUS];
static unsigned started;

static int stop_worker(void *arg)
{
	quit = true;
	return 0;
}

static void *worker(void *arg)
{
	/* hosted.c hands out cpu_id()s in order of first use: take ours
	 * before the next thread starts. */
	unsigned me = cpu_id();

	__atomic_store_n(&started, me, __ATOMIC_RELEASE);
	while (!quit)
		smp_worker_run_one();
	return NULL;
}

/* ------------------------------------------------------- launched work */

/* Written by the launcher before the launch, by the worker before it returns. */
static uint64_t in[CPUS][DATA_WORDS], out[CPUS][DATA_WORDS];

static int echo_id(void *arg)
{
	return (int)cpu_id() * 10 + (int)(intptr_t)arg;
}

/* Checks what the launcher wrote and answers with its complement. */
static int check_and_answer(void *arg)
{
	unsigned me = cpu_id();
	uint64_t round = (uint64_t)(uintptr_t)arg;
	int bad = 0;

	for (int i = 0; i < DATA_WORDS; i++) {
		if (in[me][i] != round * 1000 + (uint64_t)i)
			bad++;
		out[me][i] = ~in[me][i];
	}
	return bad;
}

static int nonzero_on_2_and_3(void *arg)
{
	return cpu_id() == 2 ? 7 : cpu_id() == 3 ? 9 : 0;
}

static int launch_on_3(void *arg)
{
	int rc = smp_launch(3, echo_id, (void *)(intptr_t)5);

	return rc ? rc : smp_wait(3);
}

static uint32_t gate;

static int wait_for_gate(void *arg)
{
	while (!__atomic_load_n(&gate, __ATOMIC_ACQUIRE))
		sched_yield();
	return 1;
}

int main(void)
{
	int errors = 0, rc;

	is_u64(cpu_count(), 1, "one CPU before the others are up");
	is_u64(cpu_id(), 0, "the test's main thread is CPU 0");
	for (int i = 0; i < CPUS; i++)
		sem_init(&wake[i], 0, 0);
	for (unsigned i = 1; i < CPUS; i++) {
		pthread_create(&threads[i], NULL, worker, NULL);
		while (__atomic_load_n(&started, __ATOMIC_ACQUIRE) != i)
			sched_yield();
	}
	is_u64(smp_launch(1, echo_id, NULL), (uint64_t)-EINVAL,
	       "no launch before the CPU count is set");
	smp_set_cpu_count(CPUS);
	is_u64(cpu_count(), CPUS, "cpu_count() as set");

	is_u64(smp_launch(0, echo_id, NULL), (uint64_t)-EINVAL, "CPU 0 is no worker");
	is_u64(smp_launch(CPUS, echo_id, NULL), (uint64_t)-EINVAL, "no such CPU");
	is_u64(smp_launch(1, NULL, NULL), (uint64_t)-EINVAL, "no function");
	is_u64(smp_wait(0), (uint64_t)-EINVAL, "smp_wait(0): not a worker");
	is_u64(smp_wait(2), 0, "smp_wait() on an idle worker returns 0 at once");

	is_u64(smp_launch(1, echo_id, (void *)(intptr_t)3), 0, "launch on CPU 1");
	is_u64(smp_wait(1), 13, "its return value, computed with its own cpu_id()");

	__atomic_store_n(&gate, 0, __ATOMIC_RELEASE);
	smp_launch(2, wait_for_gate, NULL);
	is_u64(smp_launch(2, echo_id, NULL), (uint64_t)-EINVAL,
	       "a second launch before smp_wait() is refused");
	__atomic_store_n(&gate, 1, __ATOMIC_RELEASE);
	is_u64(smp_wait(2), 1, "the first one's result");
	is_u64(smp_launch(2, echo_id, NULL), 0, "after smp_wait() the worker takes work again");
	is_u64(smp_wait(2), 20, "and returns");

	/* Ordering: plain data across launch and wait, many rounds, all
	 * workers at once. Every CPU is busy or about to be, so a sleep that
	 * times out here is a lost wake-up. */
	__atomic_store_n(&timeouts, 0, __ATOMIC_RELAXED);
	for (uint64_t round = 1; round <= ROUNDS &&
	     !__atomic_load_n(&timeouts, __ATOMIC_RELAXED); round++) {
		for (unsigned cpu = 1; cpu < CPUS; cpu++) {
			for (int i = 0; i < DATA_WORDS; i++)
				in[cpu][i] = round * 1000 + (uint64_t)i;
			if (smp_launch(cpu, check_and_answer, (void *)(uintptr_t)round))
				errors++;
		}
		for (unsigned cpu = 1; cpu < CPUS; cpu++) {
			errors += smp_wait(cpu);
			for (int i = 0; i < DATA_WORDS; i++)
				if (out[cpu][i] != ~(round * 1000 + (uint64_t)i))
					errors++;
		}
	}
	is_u64(errors, 0, "%d rounds x %d workers: the launcher's writes seen by the "
	       "worker, the worker's seen after smp_wait()", ROUNDS, CPUS - 1);
	is_u64(__atomic_load_n(&timeouts, __ATOMIC_RELAXED), 0,
	       "no wake-up lost (no 2 s sleep timed out)");
	ok(__atomic_load_n(&kicks, __ATOMIC_RELAXED) > 0, "sleepers were kicked awake");

	is_u64(smp_launch_workers(nonzero_on_2_and_3, NULL), 0, "launch on every worker");
	is_u64(smp_wait_workers(), 7, "smp_wait_workers(): the lowest CPU's non-zero result");
	is_u64(smp_wait_workers(), 0, "then every worker is idle again");

	is_u64(smp_launch(1, launch_on_3, NULL), 0, "a worker may launch on another");
	is_u64(smp_wait(1), 35, "and collect its result");

	rc = smp_launch_workers(stop_worker, NULL);
	smp_wait_workers();
	for (unsigned i = 1; i < CPUS; i++)
		pthread_join(threads[i], NULL);
	is_u64(rc, 0, "workers stopped");
	return done_testing();
}
