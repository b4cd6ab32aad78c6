/* SPDX-License-Identifier: BSD-3-Clause */
#include <skiff/fmt.h>
#include <skiff/string.h>
#include "route.h"

#define IP_FMT		"%u.%u.%u.%u"
#define IP_ARGS(a)	(a) >> 24, ((a) >> 16) & 0xff, ((a) >> 8) & 0xff, (a) & 0xff

/* Copies the next blank-separated word of *s into @w (at most @len - 1
 * characters); -1 if there is none or it is too long. */
static int word(const char **s, char *w, size_t len)
{
	const char *p = *s;
	size_t n = 0;

	while (*p == ' ')
		p++;
	while (*p && *p != ' ') {
		if (n + 1 >= len)
			return -1;
		w[n++] = *p++;
	}
	w[n] = '\0';
	*s = p;
	return n ? 0 : -1;
}

static int parse_len(const char *s, uint8_t *out)
{
	uint64_t v;

	/* value_parse_u64 takes suffixes and hex: a prefix length is plain digits. */
	for (const char *p = s; *p; p++)
		if (*p < '0' || *p > '9')
			return -1;
	if (value_parse_u64(s, &v) < 0 || v > 32)
		return -1;
	*out = (uint8_t)v;
	return 0;
}

int ipv4_prefix_parse(const char *s, struct ipv4_prefix *out)
{
	char ip[16];
	const char *slash = s;
	struct ipv4_prefix p;

	if (!s)
		return -1;
	while (*slash && *slash != '/')
		slash++;
	if (!*slash || (size_t)(slash - s) >= sizeof(ip))
		return -1;
	memcpy(ip, s, (size_t)(slash - s));
	ip[slash - s] = '\0';
	if (value_parse_ipv4(ip, &p.ip) < 0 || parse_len(slash + 1, &p.len) < 0)
		return -1;
	*out = p;
	return 0;
}

int route_parse(const char *s, struct route *out)
{
	char w[4][20], n[4];
	struct ipv4_prefix dst;
	struct route r;
	uint64_t port;

	if (!s)
		return -1;
	for (unsigned i = 0; i < 4; i++)
		if (word(&s, w[i], sizeof(w[i])) < 0)
			return -1;
	if (word(&s, n, sizeof(n)) < 0)
		return -1;
	while (*s == ' ')
		s++;
	if (*s)
		return -1;	/* nothing after N */
	if (strcmp(w[0], "default") == 0)
		dst = (struct ipv4_prefix){ 0, 0 };
	else if (ipv4_prefix_parse(w[0], &dst) < 0)
		return -1;
	if (strcmp(w[1], "via") || value_parse_ipv4(w[2], &r.gw) < 0 || strcmp(w[3], "port") ||
	    strlen(n) != 1 || value_parse_u64(n, &port) < 0 || port > 1)
		return -1;
	r.mask = prefix_mask(dst.len);
	r.prefix = dst.ip;
	r.len = dst.len;
	r.port = (uint8_t)port;
	if ((dst.ip & ~r.mask) || !r.gw)
		return -1;	/* host bits set, or gateway 0.0.0.0 */
	*out = r;
	return 0;
}

void route_format(const struct route *r, char *buf, size_t len)
{
	if (r->gw)
		fmt_snprintf(buf, len, IP_FMT "/%u via " IP_FMT " port %u", IP_ARGS(r->prefix),
			     r->len, IP_ARGS(r->gw), r->port);
	else
		fmt_snprintf(buf, len, IP_FMT "/%u connected port %u", IP_ARGS(r->prefix),
			     r->len, r->port);
}

static const char *prefix_kind_parse(void *dst, const char *val)
{
	return ipv4_prefix_parse(val, dst) < 0 ? "" : NULL;
}

static void prefix_kind_show(const void *dst, char *buf, size_t len)
{
	const struct ipv4_prefix *p = dst;

	fmt_snprintf(buf, len, IP_FMT "/%u", IP_ARGS(p->ip), p->len);
}

const struct param_kind ipv4_prefix_kind = {
	.form = "an IPv4 address with its prefix length, like 198.18.1.1/24",
	.parse = prefix_kind_parse,
	.show = prefix_kind_show,
};

static const char *route_kind_parse(void *dst, const char *val)
{
	struct route_list *l = dst;

	if (l->n == ROUTES_MAX)
		return "one route too many";
	if (route_parse(val, &l->r[l->n]) < 0)
		return "";
	l->n++;
	return NULL;
}

static void route_kind_show(const void *dst, char *buf, size_t len)
{
	const struct route_list *l = dst;
	char one[64];

	/* Quoted, as on the command line: the effective-settings line stays
	 * key=value pairs the config tokenizer reads back. */
	if (l->n == 0) {
		fmt_snprintf(buf, len, "none");
	} else if (l->n == 1) {
		route_format(&l->r[0], one, sizeof(one));
		fmt_snprintf(buf, len, "\"%s\"", one);
	} else {
		fmt_snprintf(buf, len, "\"%u routes\"", l->n);
	}
}

const struct param_kind route_kind = {
	.form = "\"PREFIX/LEN via GATEWAY port 0|1\" (quoted; or \"default via ...\";"
		" host bits of PREFIX zero; at most 16 routes)",
	.parse = route_kind_parse,
	.show = route_kind_show,
};

static bool in_subnet(uint32_t ip, const struct ipv4_prefix *a)
{
	return ((ip ^ a->ip) & prefix_mask(a->len)) == 0;
}

int route_table_build(struct route_table *t, const struct ipv4_prefix addr[2],
		      const struct route_list *routes, char *err, size_t errlen)
{
	char txt[64];

	t->n = 0;
	for (unsigned p = 0; p < 2; p++) {
		const struct ipv4_prefix *a = &addr[p];
		uint32_t host = a->ip & ~prefix_mask(a->len);

		/* /31 (RFC 3021) and /32 have no network or broadcast address. */
		if (a->len == 0 || (a->len < 31 && (host == 0 || host == ~prefix_mask(a->len)))) {
			fmt_snprintf(err, errlen, "ip%u=" IP_FMT "/%u: not a host address in"
				     " a subnet", p, IP_ARGS(a->ip), a->len);
			return -1;
		}
		t->r[t->n++] = (struct route){ .prefix = a->ip & prefix_mask(a->len),
					       .mask = prefix_mask(a->len), .len = a->len,
					       .port = (uint8_t)p };
	}
	if (in_subnet(addr[0].ip, &addr[1]) || in_subnet(addr[1].ip, &addr[0])) {
		fmt_snprintf(err, errlen, "ip0=" IP_FMT "/%u and ip1=" IP_FMT "/%u: the two"
			     " ports' subnets overlap", IP_ARGS(addr[0].ip), addr[0].len,
			     IP_ARGS(addr[1].ip), addr[1].len);
		return -1;
	}
	for (unsigned i = 0; i < routes->n; i++) {
		const struct route *r = &routes->r[i];
		const struct ipv4_prefix *a = &addr[r->port];

		route_format(r, txt, sizeof(txt));
		if (!in_subnet(r->gw, a) || r->gw == addr[0].ip || r->gw == addr[1].ip) {
			fmt_snprintf(err, errlen, "route=\"%s\": the gateway must be a neighbour"
				     " in port %u's subnet (ip%u=" IP_FMT "/%u)", txt, r->port,
				     r->port, IP_ARGS(a->ip), a->len);
			return -1;
		}
		for (unsigned j = 0; j < t->n; j++)
			if (t->r[j].prefix == r->prefix && t->r[j].len == r->len) {
				fmt_snprintf(err, errlen, "route=\"%s\": %s already has a route",
					     txt, j < 2 ? "a connected subnet" : "this prefix");
				return -1;
			}
		t->r[t->n++] = *r;
	}
	/* Longest prefix first (insertion sort: a handful of entries). */
	for (unsigned i = 1; i < t->n; i++)
		for (unsigned k = i; k > 0 && t->r[k - 1].len < t->r[k].len; k--) {
			struct route tmp = t->r[k];
			t->r[k] = t->r[k - 1];
			t->r[k - 1] = tmp;
		}
	return 0;
}
