/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DEBUG-build checks (built with -DSKIFF_DEBUG): poisoning of free objects,
 * and panics naming the pool on double puts, foreign pointers, writes after
 * put and netbuf double frees.
 */
#include <skiff/netbuf.h>
#include <skiff/pool.h>
#include "test_pool_death.h"

#define N	16
#define SIZE	40

static unsigned inits;
static char arena[1 << 16];	/* every test builds its pool or netbuf pool here */

static void obj_init(void *obj, unsigned idx, void *arg)
{
	inits++;
	memset(obj, 0, SIZE);
}

static struct pool *make_pool(unsigned cache)
{
	struct pool_params pp = {
		.name = "dbgpool", .n = N, .size = SIZE, .align = 8,
		.cache_size = cache, .init = obj_init,
	};
	return pool_create(&pp, arena, sizeof(arena));
}

static int all_bytes(const void *p, size_t from, size_t to, int c)
{
	for (size_t i = from; i < to; i++)
		if (((const unsigned char *)p)[i] != c)
			return 0;
	return 1;
}

static void test_poison(unsigned cache)
{
	struct pool *p = make_pool(cache);
	unsigned char *x = pool_get(p);
	unsigned before;

	memset(x, 0x11, SIZE);
	pool_put(p, x);
	ok(all_bytes(x, 0, SIZE, POOL_POISON), "cache %u: a put object is poisoned", cache);
	before = inits;
	/* With no cache the ring hands out the other objects first. */
	for (unsigned i = 0; i < N; i++) {
		unsigned char *y = pool_get(p);

		if (y == x)
			break;
	}
	ok(inits == before + 1, "cache %u: init runs again when it is handed out", cache);
	ok(all_bytes(x, 0, SIZE, 0), "cache %u: and re-initialises it", cache);
}

/* Poisoning spares poison_skip bytes: netbuf headers survive a free. */
static void test_netbuf_header_kept(void)
{
	struct netbuf_pool *np = netbuf_pool_create("nbdbg", 8, 512, 0, arena, sizeof(arena));
	struct netbuf *nb = netbuf_alloc(np);
	char *data = netbuf_data(nb);

	netbuf_free(nb);
	ok(nb->pool == np && nb->buf_len == 512, "netbuf: header intact after free");
	ok(all_bytes(data, 0, 512 - NETBUF_HEADROOM, POOL_POISON), "netbuf: buffer poisoned");
}

/* ------------------------------------------------------------ death tests */

static void double_put(void *arg)
{
	struct pool *p = make_pool((unsigned)(uintptr_t)arg);
	void *x = pool_get(p);

	pool_put(p, x);
	pool_put(p, x);
}

static void double_put_in_bulk(void *arg)
{
	struct pool *p = make_pool(4);
	void *objs[3];

	pool_get_bulk(p, objs, 2);
	objs[2] = objs[0];
	pool_put_bulk(p, objs, 3);
}

static void put_stack_pointer(void *arg)
{
	struct pool *p = make_pool(4);
	char local[SIZE];

	pool_put(p, local);
}

static void put_misaligned(void *arg)
{
	struct pool *p = make_pool(4);
	char *x = pool_get(p);

	pool_put(p, x + 8);
}

static void put_past_end(void *arg)
{
	struct pool *p = make_pool(0);
	void *objs[N];
	char *last = NULL;

	pool_get_bulk(p, objs, N);
	for (unsigned i = 0; i < N; i++)
		if ((char *)objs[i] > last)
			last = objs[i];
	pool_put(p, last + SIZE);
}

static void write_after_put(void *arg)
{
	struct pool *p = make_pool(4);
	char *x = pool_get(p);

	pool_put(p, x);
	x[SIZE - 1] = 1;
	pool_get(p);
}

static void netbuf_double_free(void *arg)
{
	struct netbuf_pool *np = netbuf_pool_create("rxpool", 8, 512, 2, arena, sizeof(arena));
	struct netbuf *nb = netbuf_alloc(np);

	if (arg)		/* shared: the first free only drops a reference */
		netbuf_ref(nb);
	netbuf_free(nb);
	if (arg)
		netbuf_free(nb);
	netbuf_free(nb);
}

int main(void)
{
	alarm(30);	/* corruption can make a loop endless: fail, do not hang */
	test_poison(0);
	test_poison(4);
	test_netbuf_header_kept();

	DIES_WITH("double put (no cache)", double_put, (void *)0,
		  "pool dbgpool", "double put");
	DIES_WITH("double put (cache)", double_put, (void *)4,
		  "pool dbgpool", "double put");
	DIES_WITH("double put within one bulk", double_put_in_bulk, NULL,
		  "pool dbgpool", "double put");
	DIES_WITH("foreign pointer", put_stack_pointer, NULL,
		  "pool dbgpool", "foreign pointer");
	DIES_WITH("pointer inside an object", put_misaligned, NULL,
		  "pool dbgpool", "foreign pointer");
	DIES_WITH("pointer past the last object", put_past_end, NULL,
		  "pool dbgpool", "foreign pointer");
	DIES_WITH("write after put", write_after_put, NULL,
		  "pool dbgpool", "written after put");
	DIES_WITH("netbuf double free", netbuf_double_free, NULL,
		  "netbuf pool rxpool", "no reference left");
	DIES_WITH("netbuf double free of a shared buffer", netbuf_double_free, (void *)1,
		  "netbuf pool rxpool", "no reference left");
	return done_testing();
}
