/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A TCG plugin that counts guest instructions per translation block and, at
 * exit, writes the blocks that executed the most to out=FILE (default
 * stderr): "total INSNS blocks EXECUTIONS", then "ADDR INSNS BLOCK_LEN EXECUTIONS" per line, most
 * first. bench/insns.sh --profile turns the addresses into function names.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "plugin_api.h"

#define MAX_BLOCKS	(1 << 20)
#define TOP		200

PLUGIN_EXPORT int qemu_plugin_version = 1;

struct block {
	uint64_t vaddr, len, execs;
};
static struct block *blocks;
static unsigned nblocks;
static const char *out;

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	unsigned i = __atomic_fetch_add(&nblocks, 1, __ATOMIC_RELAXED);

	if (i >= MAX_BLOCKS)
		return;		/* retranslations beyond the table are not counted */
	blocks[i].vaddr = qemu_plugin_tb_vaddr(tb);
	blocks[i].len = qemu_plugin_tb_n_insns(tb);
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
						 &blocks[i].execs, 1);
}

static int by_insns(const void *a, const void *b)
{
	const struct block *x = a, *y = b;
	uint64_t p = x->len * x->execs, q = y->len * y->execs;

	return p < q ? 1 : p > q ? -1 : 0;
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
	unsigned n = nblocks < MAX_BLOCKS ? nblocks : MAX_BLOCKS;
	FILE *f = out ? fopen(out, "w") : stderr;
	uint64_t total = 0, execs = 0;

	if (!f)
		f = stderr;
	for (unsigned i = 0; i < n; i++) {
		total += blocks[i].len * blocks[i].execs;
		execs += blocks[i].execs;
	}
	qsort(blocks, n, sizeof(*blocks), by_insns);
	fprintf(f, "total %" PRIu64 " blocks %" PRIu64 "\n", total, execs);
	for (unsigned i = 0; i < n && i < TOP; i++)
		fprintf(f, "%#" PRIx64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", blocks[i].vaddr,
			blocks[i].len * blocks[i].execs, blocks[i].len, blocks[i].execs);
	if (f != stderr)
		fclose(f);
}

int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (strncmp(argv[i], "out=", 4) == 0)
			out = argv[i] + 4;
	if (!(blocks = calloc(MAX_BLOCKS, sizeof(*blocks))))
		return -1;
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
