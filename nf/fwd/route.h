/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fwd's addresses and routes: the ip0=/ip1= and route= settings (parsed by
 * the config machinery through the param_kinds below), and the table the
 * router looks up: one connected route per port plus the static routes,
 * longest prefix first, searched in order. With at most 18 entries a linear
 * search is a few compares per frame; a table of thousands would want a
 * DIR-24-8 LPM like DPDK's rte_lpm.
 */
#ifndef SKIFF_FWD_ROUTE_H
#define SKIFF_FWD_ROUTE_H

#include <skiff/config.h>

#define ROUTES_MAX	16	/* route= settings */

/* An address with its prefix length: 198.18.1.1/24 (host order). */
struct ipv4_prefix {
	uint32_t ip;
	uint8_t len;
};

struct route {
	uint32_t prefix;	/* host order, host bits zero */
	uint32_t mask;
	uint32_t gw;		/* next hop; 0: connected (the destination itself) */
	uint8_t len;
	uint8_t port;
};

/* What route= collects, in the order given. */
struct route_list {
	unsigned n;
	struct route r[ROUTES_MAX];
};

struct route_table {
	unsigned n;
	struct route r[ROUTES_MAX + 2];
};

/* Config kinds: ipv4_prefix_kind fills a struct ipv4_prefix (host bits
 * allowed: it is an interface address), route_kind appends to a struct
 * route_list ("PREFIX/LEN via GW port N" or "default via GW port N"). */
extern const struct param_kind ipv4_prefix_kind;
extern const struct param_kind route_kind;

static inline uint32_t prefix_mask(unsigned len)
{
	return len ? ~0u << (32 - len) : 0;
}

/* "198.18.1.1/24"; 0 or -1. */
int ipv4_prefix_parse(const char *s, struct ipv4_prefix *out);

/* One route= value; 0 or -1 (not of the form, host bits set, port > 1). */
int route_parse(const char *s, struct route *out);

/* "198.18.3.0/24 via 198.18.2.2 port 1" */
void route_format(const struct route *r, char *buf, size_t len);

/*
 * Builds @t from the ports' addresses and the static routes: refuses, with
 * a message in @err naming the setting, ports whose subnets overlap, a
 * gateway outside its port's subnet or equal to a port's own address, and
 * two routes for the same prefix. Returns 0 or -1.
 */
int route_table_build(struct route_table *t, const struct ipv4_prefix addr[2],
		      const struct route_list *routes, char *err, size_t errlen);

/* The longest-prefix route to @dst (host order), or NULL. */
static inline const struct route *route_lookup(const struct route_table *t, uint32_t dst)
{
	for (unsigned i = 0; i < t->n; i++)
		if ((dst & t->r[i].mask) == t->r[i].prefix)
			return &t->r[i];
	return NULL;
}

#endif
