/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pool across cores: CPUs in pairs, one allocating and one freeing.
 * Producer 2k takes objects from the shared pool, tags each with its pair
 * and a sequence number and hands it to consumer 2k + 1 through a
 * single-producer single-consumer queue; the consumer checks the tag (every
 * object exactly once, in order), and frees it into its own cache, from
 * which the pool's ring carries it back to the producers. Three kinds:
 * pool_get/pool_put one object at a time, pool_get_bulk/pool_put_bulk in
 * bursts, and netbufs in bursts, a quarter of them with a second reference
 * that the producer drops later, so the last reference goes on either core.
 *
 * Pure code: the NF (main.c) runs it on the CPUs through the launch API,
 * the hosted unit test on threads.
 */
#ifndef SKIFF_NF_POOLSTRESS_STRESS_H
#define SKIFF_NF_POOLSTRESS_STRESS_H

#include <skiff/compiler.h>
#include <skiff/cpu.h>
#include <skiff/netbuf.h>
#include <skiff/pool.h>

#define STRESS_QUEUE	1024	/* objects in flight per pair, a power of 2 */
#define STRESS_BURST_MAX 256
#define STRESS_HELD	64	/* extra netbuf references a producer keeps */
#define STRESS_PAIRS	(SKIFF_MAX_CPUS / 2)

enum stress_kind { STRESS_SINGLE, STRESS_BULK, STRESS_NETBUF };
enum stress_inject {
	INJECT_NONE,
	INJECT_LEAK,	/* a consumer keeps one object: the pool must not balance */
	INJECT_SKIP,	/* a producer skips a sequence number: a gap to catch */
};

/* The head of every pool object. */
struct stress_obj {
	uint32_t magic;		/* STRESS_LIVE from tag to check, else STRESS_FREE */
	uint32_t pair;
	uint64_t seq;
	uint32_t idx;		/* the object's index, set once by stress_obj_init */
};

#define STRESS_LIVE	0x4c495645	/* "LIVE" */
#define STRESS_FREE	0x46524545	/* "FREE" */

/* The pool's init callback for stress objects. */
void stress_obj_init(void *obj, unsigned idx, void *arg);

/* A single-producer single-consumer queue of pointers. */
struct stress_queue {
	uint32_t head __aligned(2 * CACHE_LINE);	/* producer's */
	uint32_t tail __aligned(2 * CACHE_LINE);	/* consumer's */
	void *slot[STRESS_QUEUE] __aligned(2 * CACHE_LINE);
};

struct stress_run;

struct stress_pair {
	struct stress_queue q;
	unsigned id;
	/* Written by their own side, read after smp_wait(). */
	uint64_t sent, received, empty, errors, shared;
	char error[160];	/* the first error, if any */
} __aligned(2 * CACHE_LINE);

struct stress_run {
	/* Set before the launch. */
	enum stress_kind kind;
	enum stress_inject inject;
	uint64_t count;			/* objects per pair */
	unsigned burst;
	unsigned pairs;			/* CPUs 0 .. 2 * pairs - 1 take part */
	uint64_t stall_ns;		/* no progress this long: give up */
	struct pool *pool;		/* SINGLE, BULK */
	uint8_t *in_flight;		/* one byte per pool object */
	struct netbuf_pool *netbufs;	/* NETBUF */
	uint32_t abort;			/* set by the first side that gives up */
	struct stress_pair pair[STRESS_PAIRS];
};

/*
 * What each CPU runs (an smp_fn): CPU 2k produces for pair k, 2k + 1
 * consumes; CPUs beyond the pairs return at once. 0, or 1 after an error
 * (recorded in the pair). Each CPU flushes its pool cache before returning.
 */
int stress_cpu(void *run);

/* Objects a pool needs so that @pairs pairs never wait on it for good. */
unsigned stress_pool_size(unsigned pairs, unsigned burst, unsigned cache);

/*
 * After every CPU returned: whether the pairs and the pool balance (each
 * pair sent and received count objects without error; the pool's gets equal
 * its puts, nothing is in use or still flagged in flight, every object is
 * free again). 0, or -1 with the first failure in @why.
 */
int stress_verdict(const struct stress_run *r, unsigned pool_objects, char *why,
		   size_t len);

/* What the environment provides (main.c in the kernel): nanoseconds from
 * any fixed point, and a pause of some microseconds that frees the host
 * CPU (a halt) for a side that has nothing to do. */
uint64_t stress_now_ns(void);
void stress_idle(void);

#endif
