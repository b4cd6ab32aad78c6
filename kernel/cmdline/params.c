/* SPDX-License-Identifier: BSD-3-Clause */
/* Applying key=value pairs to declared parameters; see include/skiff/config.h. */
#include <skiff/config.h>
#include <skiff/fmt.h>
#include <skiff/string.h>

static const struct param *find(const struct param_table *t, unsigned nt,
				const char *key)
{
	for (unsigned i = 0; i < nt; i++)
		for (unsigned j = 0; j < t[i].count; j++)
			if (strcmp(t[i].params[j].key, key) == 0)
				return &t[i].params[j];
	return NULL;
}

void param_describe(const struct param *p, char *buf, size_t len)
{
	size_t n;

	switch (p->type) {
	case PARAM_U64:
		fmt_snprintf(buf, len, "an integer in %llu..%llu",
			     (unsigned long long)p->min, (unsigned long long)p->max);
		break;
	case PARAM_BOOL:
		fmt_snprintf(buf, len, "a boolean: 1/0, yes/no, on/off, true/false");
		break;
	case PARAM_STR:
		fmt_snprintf(buf, len, "a non-empty string");
		break;
	case PARAM_MAC:
		fmt_snprintf(buf, len, "a MAC address like 02:00:00:00:00:01");
		break;
	case PARAM_IPV4:
		fmt_snprintf(buf, len, "an IPv4 address like 198.18.0.1");
		break;
	case PARAM_ENUM:
		n = (size_t)fmt_snprintf(buf, len, "one of ");
		for (unsigned i = 0; p->choices[i] && n < len; i++)
			n += (size_t)fmt_snprintf(buf + n, len - n, "%s%s",
						  i ? "|" : "", p->choices[i]);
		break;
	case PARAM_CUSTOM:
		fmt_snprintf(buf, len, "%s", p->kind->form);
		break;
	}
}

void param_value(const struct param *p, char *buf, size_t len)
{
	const uint8_t *m;
	uint32_t ip;

	switch (p->type) {
	case PARAM_U64:
		fmt_snprintf(buf, len, "%llu",
			     (unsigned long long)*(const uint64_t *)p->dst);
		break;
	case PARAM_BOOL:
		fmt_snprintf(buf, len, "%d", *(const bool *)p->dst ? 1 : 0);
		break;
	case PARAM_STR:
		fmt_snprintf(buf, len, "%s",
			     *(const char *const *)p->dst ? *(const char *const *)p->dst
							  : "(none)");
		break;
	case PARAM_MAC:
		m = p->dst;
		fmt_snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x",
			     m[0], m[1], m[2], m[3], m[4], m[5]);
		break;
	case PARAM_IPV4:
		ip = *(const uint32_t *)p->dst;
		fmt_snprintf(buf, len, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff,
			     (ip >> 8) & 0xff, ip & 0xff);
		break;
	case PARAM_ENUM:
		fmt_snprintf(buf, len, "%s", p->choices[*(const unsigned *)p->dst]);
		break;
	case PARAM_CUSTOM:
		p->kind->show(p->dst, buf, len);
		break;
	}
}

static void origin_text(const struct kv *kv, char *buf, size_t len)
{
	if (kv->line)
		fmt_snprintf(buf, len, "%s line %u", kv->origin, kv->line);
	else
		fmt_snprintf(buf, len, "%s", kv->origin);
}

/* 0, or -1 for a value not of the form, with what is wrong in *@why if the
 * parameter's kind says. */
static int set(const struct param *p, const char *v, const char **why)
{
	uint64_t u;

	switch (p->type) {
	case PARAM_U64:
		if (value_parse_u64(v, &u) < 0 || u < p->min || u > p->max)
			return -1;
		*(uint64_t *)p->dst = u;
		return 0;
	case PARAM_BOOL:
		return value_parse_bool(v, p->dst);
	case PARAM_STR:
		if (!v || !*v)
			return -1;
		*(const char **)p->dst = v;
		return 0;
	case PARAM_MAC:
		return value_parse_mac(v, p->dst);
	case PARAM_IPV4:
		return value_parse_ipv4(v, p->dst);
	case PARAM_ENUM:
		for (unsigned i = 0; v && p->choices[i]; i++)
			if (strcmp(v, p->choices[i]) == 0) {
				*(unsigned *)p->dst = i;
				return 0;
			}
		return -1;
	case PARAM_CUSTOM:
		*why = p->kind->parse(p->dst, v);
		return *why ? -1 : 0;
	}
	return -1;
}

int params_apply(const struct param_table *tables, unsigned ntables,
		 const struct kvlist *kv, char *err, size_t errlen)
{
	char where[96], form[160];
	const char *why;

	for (unsigned i = 0; i < kv->n; i++) {
		const struct kv *e = &kv->kv[i];
		const struct param *p = find(tables, ntables, e->key);

		origin_text(e, where, sizeof(where));
		if (!p) {
			size_t n = (size_t)fmt_snprintf(err, errlen,
				"unknown key '%s' (%s); valid keys:", e->key, where);
			for (unsigned t = 0; t < ntables; t++)
				for (unsigned j = 0; j < tables[t].count && n < errlen; j++)
					n += (size_t)fmt_snprintf(err + n, errlen - n, " %s",
								  tables[t].params[j].key);
			return -1;
		}
		why = NULL;
		if (set(p, e->val, &why) < 0) {
			bool reason = why && *why;
			param_describe(p, form, sizeof(form));
			fmt_snprintf(err, errlen, "bad value %s%s%s for '%s' (%s): %s%sexpected %s",
				     e->val ? "'" : "", e->val ? e->val : "(none)",
				     e->val ? "'" : "", e->key, where, reason ? why : "",
				     reason ? "; " : "", form);
			return -1;
		}
	}
	return 0;
}
