/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loading the configuration: the command line first for loglevel (so that
 * boot messages honour it), then, once the initrd is known, the file named by
 * config= followed by the command line again (it wins), checked against the
 * kernel's and the NF's parameter tables.
 */
#include <skiff/config.h>
#include <skiff/console.h>
#include <skiff/fmt.h>
#include <skiff/nf.h>
#include <skiff/ramfs.h>
#include <skiff/string.h>
#include "../kernel.h"
#include "../bus/mmio.h"

#define CONFIG_FILE_MAX (16 * 1024)

static char cmdline_buf[2048];
static char file_buf[CONFIG_FILE_MAX + 1];
static struct kvlist cmdline_kv;
static char cmdline_err[256];	/* a syntax error, reported by config_load() */

static const char *const level_choices[] = { "crit", "err", "warn", "info", "debug", NULL };
static unsigned level_choice = LOG_INFO;
static const char *config_path;

static const struct param kernel_params[] = {
	PARAM_CHOICE("loglevel", level_choice, level_choices,
		     "console verbosity"),
	PARAM_TEXT("config", config_path,
		   "file in the initrd with more key=value settings"),
	PARAM_OF("virtio_mmio.device", virtio_mmio_devices, virtio_mmio_kind,
		 "a virtio-mmio device slot (the VMM adds these)"),
};

void config_early(const char *cmdline)
{
	size_t n = strnlen(cmdline, sizeof(cmdline_buf) - 1);

	memcpy(cmdline_buf, cmdline, n);
	cmdline_buf[n] = '\0';
	if (kv_parse(cmdline_buf, &cmdline_kv, "command line", false, cmdline_err,
		     sizeof(cmdline_err)) < 0)
		return;
	for (unsigned i = 0; i < cmdline_kv.n; i++)
		if (strcmp(cmdline_kv.kv[i].key, "loglevel") == 0 &&
		    cmdline_kv.kv[i].val) {
			int l = log_level_parse(cmdline_kv.kv[i].val);
			if (l >= 0)
				log_level = l;
		}
}

void params_print_usage(const struct param_table *t)
{
	char form[160], val[64];

	for (unsigned i = 0; i < t->count; i++) {
		const struct param *p = &t->params[i];
		param_describe(p, form, sizeof(form));
		param_value(p, val, sizeof(val));
		printf("  %-10s %s (default %s)\n  %-10s   %s\n", p->key, p->help, val,
		       "", form);
	}
}

static void print_effective(const struct param_table *t)
{
	char line[512], val[256];
	size_t n = (size_t)fmt_snprintf(line, sizeof(line), "%s config:", t->owner);

	for (unsigned i = 0; i < t->count && n < sizeof(line); i++) {
		param_value(&t->params[i], val, sizeof(val));
		n += (size_t)fmt_snprintf(line + n, sizeof(line) - n, " %s=%s",
					  t->params[i].key, val);
	}
	printf("%s\n", line);
}

/* Appends the pairs of the config= file (if any) to @all; -1 on error. */
static int load_file(struct kvlist *all, char *err, size_t errlen)
{
	const char *path = NULL;
	const void *data;
	size_t len;

	for (unsigned i = 0; i < cmdline_kv.n; i++)
		if (strcmp(cmdline_kv.kv[i].key, "config") == 0)
			path = cmdline_kv.kv[i].val;
	if (!path)
		return 0;
	if (!initrd.len) {
		fmt_snprintf(err, errlen, "config=%s: no initrd was given (boot with -initrd)",
			     path);
		return -1;
	}
	if (ramfs_lookup(&initrd, path, &data, &len) < 0) {
		fmt_snprintf(err, errlen, "config=%s: no such file in the initrd", path);
		return -1;
	}
	if (len > CONFIG_FILE_MAX) {
		fmt_snprintf(err, errlen, "config=%s: %zu bytes, more than the %d allowed",
			     path, len, CONFIG_FILE_MAX);
		return -1;
	}
	memcpy(file_buf, data, len);
	file_buf[len] = '\0';
	return kv_parse(file_buf, all, path, true, err, errlen);
}

int config_load(const struct nf *nf)
{
	static struct kvlist all;
	char err[512];
	const struct param_table tables[] = {
		{ "kernel", kernel_params, ARRAY_SIZE(kernel_params) },
		{ nf->name, nf->params, nf->nparams },
		{ "smp", smp_params, smp_nparams },
	};

	if (cmdline_err[0]) {
		memcpy(err, cmdline_err, sizeof(cmdline_err));
		goto fail;
	}
	if (load_file(&all, err, sizeof(err)) < 0)
		goto fail;
	for (unsigned i = 0; i < cmdline_kv.n; i++) {
		if (all.n == CONFIG_MAX_KV) {
			fmt_snprintf(err, sizeof(err), "more than %d settings in all",
				     CONFIG_MAX_KV);
			goto fail;
		}
		all.kv[all.n++] = cmdline_kv.kv[i];
	}
	if (params_apply(tables, ARRAY_SIZE(tables), &all, err, sizeof(err)) < 0)
		goto fail;
	log_level = (int)level_choice;
	for (unsigned i = 0; i < ARRAY_SIZE(tables); i++)
		print_effective(&tables[i]);
	return 0;

fail:
	printf("config error: %s\n", err);
	printf("settings of %s (%s):\n", nf->name, nf->summary);
	params_print_usage(&tables[1]);
	printf("kernel settings:\n");
	params_print_usage(&tables[0]);
	params_print_usage(&tables[2]);
	return -1;
}
