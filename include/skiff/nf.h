/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a network function gives the kernel. Each image links the kernel with
 * exactly one NF, which defines NF_DEFINE(...). The kernel boots, loads the
 * configuration against the NF's parameter table (refusing to start on a bad
 * key or value), then calls main() and stops the VM with its return value
 * (an enum exit_status).
 */
#ifndef SKIFF_NF_H
#define SKIFF_NF_H

#include <skiff/config.h>
#include <skiff/shutdown.h>

struct nf {
	const char *name;
	const char *summary;
	const struct param *params;
	unsigned nparams;
	int (*main)(void);
};

extern const struct nf nf_image;

#define NF_DEFINE(nm, sum, table, fn)                                   \
	const struct nf nf_image = {                                    \
		.name = (nm), .summary = (sum), .params = (table),      \
		.nparams = ARRAY_SIZE(table), .main = (fn),             \
	}

#endif
