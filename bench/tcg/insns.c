/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A TCG plugin that counts the guest instructions QEMU executes (every vCPU)
 * and writes "guest_insns=N" to stderr, or to the file given as out=FILE,
 * when QEMU exits. Counts are exact for a given image, settings and input:
 * unlike a rate, they do not depend on what else the host is doing (as long
 * as the guest does not spin waiting on a device: use output=free, or a rate
 * the device keeps up with).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "plugin_api.h"

PLUGIN_EXPORT int qemu_plugin_version = 1;
static uint64_t insns;
static const char *out;

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	/* Inline adds are not atomic: with several vCPUs the total may miss
	 * a few; the benches count one vCPU. */
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &insns,
						 qemu_plugin_tb_n_insns(tb));
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
	FILE *f = out ? fopen(out, "w") : stderr;

	if (!f)
		f = stderr;
	fprintf(f, "guest_insns=%" PRIu64 "\n", insns);
	if (f != stderr)
		fclose(f);
}

int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (strncmp(argv[i], "out=", 4) == 0)
			out = argv[i] + 4;
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
