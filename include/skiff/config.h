/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration: key=value settings from the kernel command line (QEMU
 * -append) and, with config=/path, from a file in the initrd ramfs.
 * Precedence: command line > file > the defaults the owner put in the
 * variables before calling config_load().
 *
 * Every setting is declared once, in a table of struct param owned by the
 * kernel or the NF. A key that no table declares, a value of the wrong form
 * or out of range stops the NF at start with a message naming the key, where
 * it came from and what is accepted.
 *
 * A key given more than once: the last value wins, except for PARAM_CUSTOM
 * parameters, whose parser sees every value in order and may keep them all
 * (a list, such as fwd's route=).
 *
 * The parsing half (kv_parse, value_parse_*, params_apply) is pure and is
 * unit-tested on the host.
 */
#ifndef SKIFF_CONFIG_H
#define SKIFF_CONFIG_H

#include <skiff/compiler.h>

enum param_type {
	PARAM_U64,	/* uint64_t in [min, max]; decimal or 0x hex, k/M/G suffix */
	PARAM_BOOL,	/* bool: 1/0, yes/no, on/off, true/false; bare key = 1 */
	PARAM_STR,	/* const char *: any non-empty text */
	PARAM_MAC,	/* uint8_t[6]: aa:bb:cc:dd:ee:ff */
	PARAM_IPV4,	/* uint32_t, host byte order: a.b.c.d */
	PARAM_ENUM,	/* unsigned: index into choices[] */
	PARAM_CUSTOM,	/* the owner's type: parsed and printed by kind's functions */
};

/* A value type an owner defines for itself (an address with a prefix, a
 * route). */
struct param_kind {
	const char *form;	/* what is accepted, for messages: "an IPv4 prefix ..." */
	/* Stores @val (NULL for a bare key) in @dst and returns NULL, or
	 * leaves @dst as it was and returns what is wrong with @val ("" to
	 * say only that it is not of the form). Called once per occurrence of
	 * the key, so a kind may collect repeated keys. */
	const char *(*parse)(void *dst, const char *val);
	void (*show)(const void *dst, char *buf, size_t len);	/* current value */
};

struct param {
	const char *key;
	enum param_type type;
	void *dst;
	uint64_t min, max;		/* PARAM_U64 only */
	const char *const *choices;	/* PARAM_ENUM only, NULL-terminated */
	const struct param_kind *kind;	/* PARAM_CUSTOM only */
	const char *help;
};

#define PARAM_INT(k, var, lo, hi, h) \
	{ .key = (k), .type = PARAM_U64, .dst = &(var), .min = (lo), .max = (hi), .help = (h) }
#define PARAM_FLAG(k, var, h) \
	{ .key = (k), .type = PARAM_BOOL, .dst = &(var), .help = (h) }
#define PARAM_TEXT(k, var, h) \
	{ .key = (k), .type = PARAM_STR, .dst = &(var), .help = (h) }
#define PARAM_MACADDR(k, var, h) \
	{ .key = (k), .type = PARAM_MAC, .dst = (var), .help = (h) }
#define PARAM_IP(k, var, h) \
	{ .key = (k), .type = PARAM_IPV4, .dst = &(var), .help = (h) }
#define PARAM_CHOICE(k, var, list, h) \
	{ .key = (k), .type = PARAM_ENUM, .dst = &(var), .choices = (list), .help = (h) }
#define PARAM_OF(k, var, knd, h) \
	{ .key = (k), .type = PARAM_CUSTOM, .dst = &(var), .kind = &(knd), .help = (h) }

struct param_table {
	const char *owner;		/* "kernel", "pktgen", ... */
	const struct param *params;
	unsigned count;
};

#define CONFIG_MAX_KV 64

/* One key=value pair and where it came from ("command line", "/etc/x.conf:3"). */
struct kv {
	const char *key;
	const char *val;	/* NULL for a bare key */
	const char *origin;
	unsigned line;		/* 0 for the command line */
};

struct kvlist {
	struct kv kv[CONFIG_MAX_KV];
	unsigned n;
};

/*
 * Splits @text in place into key=value pairs separated by blanks or newlines
 * and appends them to @out. '#' at the start of a word comments out the rest
 * of the line; a value may be double-quoted to hold blanks. Pairs record
 * @origin and, when @numbered (a file), their line number. Returns 0, or -1
 * with a message in @err (too many pairs, empty key, unterminated quote).
 */
int kv_parse(char *text, struct kvlist *out, const char *origin, bool numbered,
	     char *err, size_t errlen);

/* Value parsers: 0 on success, -1 if @s is not of the form. */
int value_parse_u64(const char *s, uint64_t *out);
int value_parse_bool(const char *s, bool *out);
int value_parse_mac(const char *s, uint8_t mac[6]);
int value_parse_ipv4(const char *s, uint32_t *out);

/*
 * Applies every pair of @kv, in order (later pairs win; PARAM_CUSTOM parsers
 * see each one), to the parameter
 * that declares its key in one of @tables. Returns 0, or -1 with a message in
 * @err naming the key, its origin and the accepted form.
 */
int params_apply(const struct param_table *tables, unsigned ntables,
		 const struct kvlist *kv, char *err, size_t errlen);

/* The accepted form ("an integer in 60..1514") and the current value. */
void param_describe(const struct param *p, char *buf, size_t len);
void param_value(const struct param *p, char *buf, size_t len);

/* Prints one line per parameter: key, current value, form and help. */
void params_print_usage(const struct param_table *t);

#endif
