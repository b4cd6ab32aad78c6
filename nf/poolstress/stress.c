/* SPDX-License-Identifier: BSD-3-Clause */
/* The producer and consumer loops and the verdict; see stress.h. */
#include <skiff/fmt.h>
#include <skiff/string.h>
#include "stress.h"

/* A waiting side spins this often, then idles (stress_idle) between
 * checks: where vCPUs share host cores the other side may need ours. */
#define SPINS_BEFORE_IDLE 64

void stress_obj_init(void *obj, unsigned idx, void *arg)
{
	struct stress_obj *o = obj;

	o->magic = STRESS_FREE;
	o->pair = UINT32_MAX;
	o->seq = 0;
	o->idx = idx;
}

/* ------------------------------------------------------------ the queue */

/* The producer's view: slots free; the acquire pairs with the consumer's
 * release of tail, so the slots it read are really free. */
static unsigned queue_room(struct stress_queue *q)
{
	return STRESS_QUEUE - (q->head - __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE));
}

static void queue_push(struct stress_queue *q, void *const *objs, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		q->slot[(q->head + i) & (STRESS_QUEUE - 1)] = objs[i];
	__atomic_store_n(&q->head, q->head + n, __ATOMIC_RELEASE);
}

/* Up to @n objects; the acquire pairs with the producer's release of head,
 * which also publishes the tags it wrote into the objects. */
static unsigned queue_pop(struct stress_queue *q, void **objs, unsigned n)
{
	unsigned avail = __atomic_load_n(&q->head, __ATOMIC_ACQUIRE) - q->tail;

	n = MIN(n, avail);
	for (unsigned i = 0; i < n; i++)
		objs[i] = q->slot[(q->tail + i) & (STRESS_QUEUE - 1)];
	__atomic_store_n(&q->tail, q->tail + n, __ATOMIC_RELEASE);
	return n;
}

/* ------------------------------------------------------------ helpers */

static __printf(3, 4) void fail(struct stress_run *r, struct stress_pair *p,
				const char *fmt, ...)
{
	va_list ap;

	if (p->errors++ == 0) {
		va_start(ap, fmt);
		fmt_vsnprintf(p->error, sizeof(p->error), fmt, ap);
		va_end(ap);
	}
}

static bool aborted(struct stress_run *r)
{
	return __atomic_load_n(&r->abort, __ATOMIC_RELAXED);
}

/* Called while waiting; true once the run should end: another side gave
 * up, or this one has made no progress for stall_ns. */
struct waiter {
	unsigned spins;
	uint64_t since;
};

static void progress(struct waiter *w)
{
	w->spins = 0;
	w->since = 0;
}

static bool stuck(struct stress_run *r, struct stress_pair *p, struct waiter *w,
		  const char *side)
{
	if (++w->spins < SPINS_BEFORE_IDLE) {
		cpu_relax();
		return false;
	}
	stress_idle();
	if (aborted(r))
		return true;
	if (!w->since) {
		w->since = stress_now_ns();
		return false;
	}
	if (stress_now_ns() - w->since < r->stall_ns)
		return false;
	fail(r, p, "pair %u %s stalled: sent %llu, received %llu", p->id, side,
	     (unsigned long long)p->sent, (unsigned long long)p->received);
	__atomic_store_n(&r->abort, 1, __ATOMIC_RELAXED);
	return true;
}

/* ------------------------------------------------------------ the objects */

static int take(struct stress_run *r, void **objs, unsigned n)
{
	switch (r->kind) {
	case STRESS_SINGLE:
		for (unsigned i = 0; i < n; i++)
			if (!(objs[i] = pool_get(r->pool))) {
				pool_put_bulk(r->pool, objs, i);
				return -1;
			}
		return 0;
	case STRESS_BULK:
		return pool_get_bulk(r->pool, objs, n);
	case STRESS_NETBUF:
		return netbuf_alloc_bulk(r->netbufs, (struct netbuf **)objs, n);
	}
	return -1;
}

static void give_back(struct stress_run *r, void **objs, unsigned n)
{
	switch (r->kind) {
	case STRESS_SINGLE:
		for (unsigned i = 0; i < n; i++)
			pool_put(r->pool, objs[i]);
		break;
	case STRESS_BULK:
		pool_put_bulk(r->pool, objs, n);
		break;
	case STRESS_NETBUF:
		netbuf_free_bulk((struct netbuf **)objs, n);
		break;
	}
}

/* The tag of a netbuf: in its data, where a packet's bytes would be. */
struct netbuf_tag {
	uint64_t seq;
	uint32_t pair, magic;
};

static void tag(struct stress_run *r, struct stress_pair *p, void *obj, uint64_t seq)
{
	if (r->kind == STRESS_NETBUF) {
		struct netbuf_tag *t = netbuf_append(obj, sizeof(*t));

		t->seq = seq;
		t->pair = p->id;
		t->magic = STRESS_LIVE;
		return;
	}
	struct stress_obj *o = obj;

	if (o->magic != STRESS_FREE)
		fail(r, p, "pair %u: object %u handed out with tag %#x (seq %llu): it is"
		     " still in flight", p->id, o->idx, o->magic, (unsigned long long)o->seq);
	if (__atomic_exchange_n(&r->in_flight[o->idx], 1, __ATOMIC_RELAXED))
		fail(r, p, "pair %u: object %u handed out twice", p->id, o->idx);
	o->seq = seq;
	o->pair = p->id;
	o->magic = STRESS_LIVE;
}

/* Checks the tag against the next expected sequence number; returns the
 * number the next object should carry. */
static uint64_t check(struct stress_run *r, struct stress_pair *p, void *obj,
		      uint64_t expect)
{
	uint64_t seq;
	uint32_t pair, magic;

	if (r->kind == STRESS_NETBUF) {
		struct netbuf *nb = obj;
		struct netbuf_tag *t = netbuf_data(nb);

		if (nb->data_len != sizeof(*t)) {
			fail(r, p, "pair %u: netbuf with %u data bytes, want %zu", p->id,
			     nb->data_len, sizeof(*t));
			return expect + 1;
		}
		/* Read only: the producer may hold a reference too. */
		seq = t->seq;
		pair = t->pair;
		magic = t->magic;
	} else {
		struct stress_obj *o = obj;

		seq = o->seq;
		pair = o->pair;
		magic = o->magic;
		o->magic = STRESS_FREE;
		if (!__atomic_exchange_n(&r->in_flight[o->idx], 0, __ATOMIC_RELAXED))
			fail(r, p, "pair %u: object %u arrived but was not in flight", p->id,
			     o->idx);
	}
	if (magic != STRESS_LIVE || pair != p->id || seq != expect)
		fail(r, p, "pair %u: expected seq %llu, got seq %llu of pair %u (tag %#x)",
		     p->id, (unsigned long long)expect, (unsigned long long)seq, pair, magic);
	return seq + 1;
}

/* ------------------------------------------------------------ the sides */

/* NETBUF: every fourth netbuf keeps a second reference here for a while. */
struct held {
	struct netbuf *nb[STRESS_HELD];
	unsigned n, next;
};

static void hold(struct stress_pair *p, struct held *h, struct netbuf *nb)
{
	netbuf_ref(nb);
	p->shared++;
	if (h->n == STRESS_HELD) {
		netbuf_free(h->nb[h->next]);	/* the oldest: maybe the last ref */
		h->nb[h->next] = nb;
		h->next = (h->next + 1) % STRESS_HELD;
	} else {
		h->nb[h->n++] = nb;
	}
}

static void producer(struct stress_run *r, struct stress_pair *p)
{
	void *objs[STRESS_BURST_MAX];
	struct held held = { .n = 0 };
	struct waiter w = { 0 };
	uint64_t seq = 0;

	while (p->sent < r->count) {
		unsigned n = (unsigned)MIN((uint64_t)r->burst, r->count - p->sent);

		if (queue_room(&p->q) < n || take(r, objs, n) != 0) {
			if (queue_room(&p->q) >= n)
				p->empty++;
			if (stuck(r, p, &w, "producer"))
				break;
			continue;
		}
		progress(&w);
		for (unsigned i = 0; i < n; i++) {
			if (r->inject == INJECT_SKIP && seq == r->count / 2)
				seq++;
			tag(r, p, objs[i], seq++);
			if (r->kind == STRESS_NETBUF && seq % 4 == 0)
				hold(p, &held, objs[i]);
		}
		queue_push(&p->q, objs, n);
		p->sent += n;
	}
	for (unsigned i = 0; i < held.n; i++)
		netbuf_free(held.nb[i]);
}

static void consumer(struct stress_run *r, struct stress_pair *p)
{
	void *objs[STRESS_BURST_MAX];
	struct waiter w = { 0 };
	uint64_t expect = 0;

	while (p->received < r->count) {
		unsigned n = queue_pop(&p->q, objs, r->burst);

		if (!n) {
			if (stuck(r, p, &w, "consumer"))
				break;
			continue;
		}
		progress(&w);
		for (unsigned i = 0; i < n; i++)
			expect = check(r, p, objs[i], expect);
		p->received += n;
		if (r->inject == INJECT_LEAK && p->received >= r->count / 2 &&
		    p->received - n < r->count / 2)
			give_back(r, objs + 1, --n);	/* objs[0] is never freed */
		else
			give_back(r, objs, n);
	}
}

int stress_cpu(void *arg)
{
	struct stress_run *r = arg;
	unsigned me = cpu_id(), k = me / 2;
	struct stress_pair *p = &r->pair[k];

	if (k >= r->pairs)
		return 0;
	if (me % 2 == 0)
		producer(r, p);
	else
		consumer(r, p);
	/* Objects parked in this CPU's cache are invisible to the others and
	 * to pool_avail(). (netbufs are judged by their counters alone.) */
	if (r->kind != STRESS_NETBUF)
		pool_cache_flush(r->pool);
	return p->errors ? 1 : 0;
}

unsigned stress_pool_size(unsigned pairs, unsigned burst, unsigned cache)
{
	/* Full queues, a burst on each side, every cache at its flush
	 * threshold and the producers' extra references: the pool never runs
	 * dry for good, only for a moment. */
	return pairs * (STRESS_QUEUE + 2 * burst + STRESS_HELD) +
	       2 * pairs * 2 * cache + 64;
}

/* ------------------------------------------------------------ verdict */

int stress_verdict(const struct stress_run *r, unsigned pool_objects, char *why,
		   size_t len)
{
	/* An error explains the short counts it causes: report it first. */
	for (unsigned k = 0; k < r->pairs; k++) {
		const struct stress_pair *p = &r->pair[k];

		if (p->errors) {
			fmt_snprintf(why, len, "%s (%llu error%s)", p->error,
				     (unsigned long long)p->errors, p->errors == 1 ? "" : "s");
			return -1;
		}
	}
	for (unsigned k = 0; k < r->pairs; k++) {
		const struct stress_pair *p = &r->pair[k];

		if (p->sent != r->count || p->received != r->count) {
			fmt_snprintf(why, len, "pair %u sent %llu and received %llu of %llu",
				     k, (unsigned long long)p->sent,
				     (unsigned long long)p->received,
				     (unsigned long long)r->count);
			return -1;
		}
	}
	if (r->kind == STRESS_NETBUF) {
		struct netbuf_pool_stats st;

		netbuf_pool_stats(r->netbufs, &st);
		if (st.allocs != st.frees || st.in_use) {
			fmt_snprintf(why, len, "netbufs: %llu allocated, %llu freed, %llu in use",
				     (unsigned long long)st.allocs,
				     (unsigned long long)st.frees,
				     (unsigned long long)st.in_use);
			return -1;
		}
		return 0;
	}
	struct pool_stats st;
	unsigned flagged = 0;

	pool_stats(r->pool, &st);
	for (unsigned i = 0; i < pool_objects; i++)
		flagged += r->in_flight[i];
	if (st.gets != st.puts || st.in_use || st.avail != pool_objects || flagged) {
		fmt_snprintf(why, len, "pool: %llu gets, %llu puts, %llu in use, %llu of %u"
			     " free, %u still flagged in flight",
			     (unsigned long long)st.gets, (unsigned long long)st.puts,
			     (unsigned long long)st.in_use, (unsigned long long)st.avail,
			     pool_objects, flagged);
		return -1;
	}
	return 0;
}
