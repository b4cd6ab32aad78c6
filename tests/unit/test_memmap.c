/* The memory map normaliser, checked against a byte-per-unit model. */
#include <stdlib.h>
#include "memmap.h"
#include "tap.h"

#define SPACE 256	/* model address space, in units */

static uint32_t model[SPACE];

static void model_add(uint64_t base, uint64_t len, uint32_t type)
{
	for (uint64_t a = base; a < base + len && a < SPACE; a++)
		if (type > model[a])
			model[a] = type;
}

/* The map must equal the model, be sorted, disjoint and maximally merged. */
static int map_matches(const struct memmap *m)
{
	uint32_t seen[SPACE] = { 0 };

	for (unsigned i = 0; i < m->n; i++) {
		const struct mem_range *r = &m->r[i];
		if (r->len == 0)
			return 0;
		if (i && r->base < m->r[i - 1].base + m->r[i - 1].len)
			return 0;	/* unsorted or overlapping */
		if (i && r->base == m->r[i - 1].base + m->r[i - 1].len &&
		    r->type == m->r[i - 1].type)
			return 0;	/* not merged */
		for (uint64_t a = r->base; a < r->base + r->len; a++)
			seen[a] = r->type;
	}
	return memcmp(seen, model, sizeof(seen)) == 0;
}

static void test_random(void)
{
	int good = 1;

	srand(12345);
	for (int round = 0; round < 2000 && good; round++) {
		struct memmap m = { .n = 0 };
		memset(model, 0, sizeof(model));
		int adds = 1 + rand() % 12;
		for (int i = 0; i < adds; i++) {
			uint64_t base = (uint64_t)(rand() % SPACE);
			uint64_t len = (uint64_t)(rand() % (SPACE - base + 1));
			uint32_t type = (uint32_t)(1 + rand() % 5);
			if (rand() % 8 == 0)
				type = MEM_ALLOCATED;
			memmap_add(&m, base, len, type);
			model_add(base, len, type);
			if (!map_matches(&m)) {
				good = 0;
				printf("# round %d add %d (%lu+%lu type %u) diverged\n", round, i,
				       (unsigned long)base, (unsigned long)len, type);
				break;
			}
		}
	}
	ok(good, "2000 random maps match the model (sorted, disjoint, merged)");
}

static void test_cases(void)
{
	struct memmap m = { .n = 0 };

	/* QEMU's e820, out of order, with a reserved hole inside usable RAM. */
	memmap_add(&m, 0x100000, 0x3ee0000, MEM_USABLE);
	memmap_add(&m, 0, 0x9fc00, MEM_USABLE);
	memmap_add(&m, 0x9fc00, 0x400, MEM_RESERVED);
	memmap_add(&m, 0x200000, 0x1000, MEM_RESERVED);
	is_u64(m.n, 5, "five ranges");
	is_u64(memmap_total(&m, MEM_USABLE), 0x9fc00 + 0x3ee0000 - 0x1000, "usable total");
	is_u64(memmap_top(&m, MEM_USABLE), 0x3fe0000, "top of usable RAM");

	uint64_t a = memmap_find(&m, 0x2000, 0x1000, 0x100000);
	is_u64(a, 0x100000, "first fit above 1 MiB");
	a = memmap_find(&m, 0x100001, 0x1000, 0x100000);
	is_u64(a, 0x201000, "a block too big for the first gap goes after the hole");
	a = memmap_find(&m, 0x1000, 0x200000, 0x100000);
	is_u64(a, 0x400000, "2 MiB alignment respected");
	is_u64(memmap_find(&m, 1ULL << 40, 64, 0), 0, "impossible request finds nothing");
	is_u64(memmap_find(&m, 64, 3, 0), 0, "non-power-of-two alignment refused");
	is_u64(memmap_largest(&m, 0x100000), 0x3fe0000 - 0x201000, "largest block");

	memmap_add(&m, 0x100000, 0x1000, MEM_ALLOCATED);
	is_u64(memmap_find(&m, 0x1000, 0x1000, 0x100000), 0x101000,
	       "allocated memory is not found again");
	memmap_add(&m, 0x100000, 0x1000, MEM_USABLE);
	is_u64(memmap_total(&m, MEM_ALLOCATED), 0x1000, "usable never overrides allocated");

	struct memmap top = { .n = 0 };
	memmap_add(&top, UINT64_MAX - 0xfff, 0x2000, MEM_RESERVED);
	ok(top.n == 1 && top.r[0].base + top.r[0].len == UINT64_MAX, "a range past 2^64 is clipped");
	memmap_add(&top, 5, 0, MEM_USABLE);
	is_u64(top.n, 1, "zero-length range ignored");

	struct memmap full = { .n = 0 };
	int rc = 0;
	for (unsigned i = 0; i < MEMMAP_MAX && rc == 0; i++)
		rc = memmap_add(&full, i * 2, 1, MEM_USABLE);
	ok(rc == 0 && full.n == MEMMAP_MAX, "map holds MEMMAP_MAX ranges");
	struct memmap before = full;
	ok(memmap_add(&full, 1000, 1, MEM_USABLE) < 0, "one more is refused");
	ok(memcmp(&before, &full, sizeof(full)) == 0, "and leaves the map unchanged");
}

int main(void)
{
	test_cases();
	test_random();
	return done_testing();
}
