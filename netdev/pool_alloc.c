/* SPDX-License-Identifier: BSD-3-Clause */
/* netbuf pools in boot memory: the kernel side of netbuf_pool_create(). */
#include <skiff/console.h>
#include <skiff/heap.h>
#include <skiff/mem.h>
#include <skiff/netdev.h>

#ifdef SKIFF_ALLOC_HEAP
/* The heap stands in for a general-purpose allocator owning most of RAM. */
static int heap_setup(void)
{
	static bool ready;
	size_t len;
	void *region;

	if (ready)
		return 0;
	len = (size_t)ALIGN_DOWN((mem_total() - mem_used()) / 4 * 3, 4096ULL);
	if (!(region = mem_alloc_raw(len, 4096, "heap")) || heap_init(region, len) < 0)
		return -1;
	ready = true;
	log_info("heap: %llu MiB for netbufs (ALLOC=heap)\n", (unsigned long long)(len >> 20));
	return 0;
}
#endif

struct netbuf_pool *netbuf_pool_alloc(const char *name, unsigned n,
				      unsigned data_room, unsigned cache)
{
	size_t len = netbuf_pool_memsize(n, data_room, cache);
	struct netbuf_pool *np;
	void *mem;

	if (!len) {
		log_err("pool %s: %u netbufs of %u bytes with a cache of %u is not a valid pool\n",
			name, n, data_room, cache);
		return NULL;
	}
#ifdef SKIFF_ALLOC_HEAP
	if (heap_setup() < 0)
		return NULL;
#endif
	if (!(mem = mem_alloc_raw(len, 4096, name)))
		return NULL;
	if (!(np = netbuf_pool_create(name, n, data_room, cache, mem, len)))
		log_err("pool %s: creation failed\n", name);
	return np;
}
