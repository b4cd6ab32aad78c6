/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * smp_launch() and smp_wait() (include/skiff/smp.h): one slot per worker,
 * a small state machine in it.
 *
 *   IDLE --launcher's CAS--> CLAIMED --launcher sets fn, arg--> BUSY
 *   BUSY --the worker's fn returns--> DONE --the launcher's smp_wait()--> IDLE
 *
 * Only the launcher writes fn and arg (between its CAS and the release of
 * BUSY), only the worker writes ret (before the release of DONE), and each
 * side reads the other's fields after an acquire of the state that published
 * them: that is the whole of the ordering smp.h promises.
 *
 * Nobody spins. A worker halts in smp_sleep() until the launcher's kick; the
 * launcher halts in smp_wait() until the worker's kick. Each sleeper first
 * says so (worker_asleep, waiter), then looks at the state once more; the
 * other side changes the state, then looks at that flag. Both stores and
 * both loads are sequentially consistent (a store followed by a load is the
 * one reordering x86 allows; the store becomes an xchg, a full barrier), so
 * at least one side sees the other, and no wake-up is lost. smp_sleep()'s
 * timeout covers the rest.
 */
#include <skiff/errno.h>
#include "launch.h"

enum slot_state { SLOT_IDLE, SLOT_CLAIMED, SLOT_BUSY, SLOT_DONE };

struct slot {
	uint32_t state;
	uint32_t worker_asleep;	/* the worker is (about to be) halted */
	uint32_t waiter;	/* 1 + the CPU halted in smp_wait(); 0: none */
	int ret;
	smp_fn *fn;
	void *arg;
} __aligned(2 * CACHE_LINE);	/* workers never share a line pair */

static struct slot slots[SKIFF_MAX_CPUS];
static unsigned ncpus = 1;

void smp_set_cpu_count(unsigned n)
{
	__atomic_store_n(&ncpus, n, __ATOMIC_RELEASE);
}

unsigned cpu_count(void)
{
	return __atomic_load_n(&ncpus, __ATOMIC_ACQUIRE);
}

static bool is_worker(unsigned cpu)
{
	return cpu != 0 && cpu < cpu_count();
}

static uint32_t state_of(struct slot *s)
{
	return __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
}

int smp_launch(unsigned cpu, smp_fn *fn, void *arg)
{
	uint32_t idle = SLOT_IDLE;
	struct slot *s;

	if (!is_worker(cpu) || cpu == cpu_id() || !fn)
		return -EINVAL;
	s = &slots[cpu];
	if (!__atomic_compare_exchange_n(&s->state, &idle, SLOT_CLAIMED, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return -EINVAL;
	s->fn = fn;
	s->arg = arg;
	__atomic_store_n(&s->state, SLOT_BUSY, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&s->worker_asleep, __ATOMIC_SEQ_CST))
		smp_kick(cpu);
	return 0;
}

void smp_worker_run_one(void)
{
	struct slot *s = &slots[cpu_id()];
	uint32_t waiter;
	int ret;

	while (state_of(s) != SLOT_BUSY) {
		__atomic_store_n(&s->worker_asleep, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&s->state, __ATOMIC_SEQ_CST) != SLOT_BUSY)
			smp_sleep();
		__atomic_store_n(&s->worker_asleep, 0, __ATOMIC_RELAXED);
	}
	ret = s->fn(s->arg);
	s->ret = ret;
	__atomic_store_n(&s->state, SLOT_DONE, __ATOMIC_SEQ_CST);
	waiter = __atomic_load_n(&s->waiter, __ATOMIC_SEQ_CST);
	if (waiter)
		smp_kick(waiter - 1);
}

int smp_wait(unsigned cpu)
{
	struct slot *s;
	uint32_t st;
	int ret;

	if (!is_worker(cpu))
		return -EINVAL;
	s = &slots[cpu];
	while ((st = state_of(s)) != SLOT_DONE) {
		if (st == SLOT_IDLE)
			return 0;
		__atomic_store_n(&s->waiter, cpu_id() + 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&s->state, __ATOMIC_SEQ_CST) != SLOT_DONE)
			smp_sleep();
	}
	__atomic_store_n(&s->waiter, 0, __ATOMIC_RELAXED);
	ret = s->ret;
	__atomic_store_n(&s->state, SLOT_IDLE, __ATOMIC_RELEASE);
	return ret;
}

int smp_launch_workers(smp_fn *fn, void *arg)
{
	unsigned cpu;
	int err = 0;

	SMP_FOREACH_WORKER(cpu) {
		int rc = smp_launch(cpu, fn, arg);

		if (rc && !err)
			err = rc;
	}
	return err;
}

int smp_wait_workers(void)
{
	unsigned cpu;
	int first = 0;

	SMP_FOREACH_WORKER(cpu) {
		int rc = smp_wait(cpu);

		if (rc && !first)
			first = rc;
	}
	return first;
}
