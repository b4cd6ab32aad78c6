/* fwd's addresses and routes: ip0=/ip1= and route= through the config
 * machinery (route= repeated adds up), the table's checks with messages
 * naming the setting, and longest-prefix lookups. */
#include <skiff/config.h>
#include "route.h"
#include "tap.h"

static struct ipv4_prefix ip[2] = { { 0xc6120101, 24 }, { 0xc6120201, 24 } };
static struct route_list routes;
static const struct param params[] = {
	PARAM_OF("ip0", ip[0], ipv4_prefix_kind, "port 0"),
	PARAM_OF("ip1", ip[1], ipv4_prefix_kind, "port 1"),
	PARAM_OF("route", routes, route_kind, "a route"),
};
static const struct param_table tables[] = { { "fwd", params, 3 } };
static char err[512];

static int apply(const char *text)
{
	static char buf[2048];
	static struct kvlist kv;

	snprintf(buf, sizeof(buf), "%s", text);
	kv.n = 0;
	err[0] = 0;
	if (kv_parse(buf, &kv, "command line", false, err, sizeof(err)) < 0)
		return -2;
	return params_apply(tables, 1, &kv, err, sizeof(err));
}

static void test_prefix(void)
{
	struct ipv4_prefix p;

	ok(ipv4_prefix_parse("198.18.1.1/24", &p) == 0 && p.ip == 0xc6120101 && p.len == 24,
	   "prefix: 198.18.1.1/24");
	ok(ipv4_prefix_parse("10.0.0.1/0", &p) == 0 && p.len == 0, "prefix: /0 parses");
	ok(ipv4_prefix_parse("10.0.0.1/32", &p) == 0 && p.len == 32, "prefix: /32");
	const char *bad[] = { "198.18.1.1", "198.18.1.1/", "/24", "198.18.1.1/33",
			      "198.18.1.1/2x", "198.18.1.1/0x1", "198.18.1.1/1k", "198.18.1/24",
			      "198.18.1.1/24/8", "198.18.1.1 /24", "", "198.18.1.1.1/24" };
	int refused = 0;
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++)
		refused += ipv4_prefix_parse(bad[i], &p) < 0;
	is_u64(refused, ARRAY_SIZE(bad), "prefix: %zu malformed ones refused", ARRAY_SIZE(bad));
	ok(ipv4_prefix_parse(NULL, &p) < 0, "prefix: a bare key refused");
}

static void test_route_parse(void)
{
	struct route r;
	char txt[64];

	ok(route_parse("198.18.3.0/24 via 198.18.2.2 port 1", &r) == 0 && r.prefix == 0xc6120300 &&
	   r.mask == 0xffffff00 && r.len == 24 && r.gw == 0xc6120202 && r.port == 1,
	   "route: PREFIX via GW port N");
	route_format(&r, txt, sizeof(txt));
	is_str(txt, "198.18.3.0/24 via 198.18.2.2 port 1", "route: printed back");
	ok(route_parse("default via 198.18.1.254 port 0", &r) == 0 && r.len == 0 && r.mask == 0 &&
	   r.port == 0, "route: default");
	ok(route_parse("  10.0.0.0/8   via 198.18.1.9  port 0 ", &r) == 0 && r.len == 8,
	   "route: extra blanks are fine");
	const char *bad[] = {
		"198.18.3.1/24 via 198.18.2.2 port 1",	/* host bits */
		"198.18.3.0/24 via 198.18.2.2 port 2",
		"198.18.3.0/24 via 198.18.2.2 port",
		"198.18.3.0/24 via 198.18.2.2",
		"198.18.3.0/24 through 198.18.2.2 port 1",
		"198.18.3.0/24 via 198.18.2 port 1",
		"198.18.3.0/24 via 0.0.0.0 port 1",
		"198.18.3.0/24 via 198.18.2.2 port 1 metric 5",
		"198.18.3.0/24 via 198.18.2.2 port 01",
		"198.18.3.0 via 198.18.2.2 port 1",
		"198.18.3.0/24 via 198.18.2.2 nic 1",
		"",
	};
	int refused = 0;
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		int rc = route_parse(bad[i], &r);
		if (rc == 0)
			printf("# accepted: '%s'\n", bad[i]);
		refused += rc < 0;
	}
	is_u64(refused, ARRAY_SIZE(bad), "route: %zu malformed ones refused", ARRAY_SIZE(bad));
}

static void test_params(void)
{
	char v[64];

	ok(apply("ip0=10.1.0.1/16 route=\"198.18.3.0/24 via 198.18.2.2 port 1\" "
		 "ip1=10.2.0.1/16 route=\"default via 10.1.0.254 port 0\"") == 0,
	   "config: ip0, ip1 and two route= keys: %s", err);
	ok(ip[0].ip == 0x0a010001 && ip[0].len == 16 && ip[1].ip == 0x0a020001,
	   "config: addresses stored");
	ok(routes.n == 2 && routes.r[0].port == 1 && routes.r[1].len == 0,
	   "config: a repeated route= key adds a route each time, in order");
	param_value(&params[0], v, sizeof(v));
	is_str(v, "10.1.0.1/16", "config: ip0 printed back");
	param_value(&params[2], v, sizeof(v));
	is_str(v, "\"2 routes\"", "config: several routes printed as a count, quoted");
	ok(apply("ip0=198.18.1.1") < 0 && strstr(err, "'ip0'") && strstr(err, "prefix length"),
	   "config: ip0 without /LEN refused, key named: %s", err);
	ok(apply("route=\"198.18.9.0/24 via 198.18.2.2 port 7\"") < 0 && strstr(err, "'route'") &&
	   strstr(err, "PREFIX/LEN via GATEWAY port 0|1") && routes.n == 2,
	   "config: a bad route refused, key and form named, none added: %s", err);
	routes.n = 0;
	char many[2048] = "";
	for (int i = 0; i <= ROUTES_MAX; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many),
			 "route=\"10.%d.0.0/16 via 198.18.2.2 port 1\" ", i);
	ok(apply(many) < 0 && routes.n == ROUTES_MAX && strstr(err, "at most 16"),
	   "config: a 17th route is refused: %s", err);
	routes.n = 1;
	param_value(&params[2], v, sizeof(v));
	is_str(v, "\"10.0.0.0/16 via 198.18.2.2 port 1\"", "config: one route printed quoted");
	routes.n = 0;
	param_value(&params[2], v, sizeof(v));
	is_str(v, "none", "config: no routes printed as none");
}

static struct route_table t;

static int build(const char *a0, const char *a1, const char *const *rs, unsigned n)
{
	struct ipv4_prefix addr[2];
	struct route_list l = { 0 };

	ipv4_prefix_parse(a0, &addr[0]);
	ipv4_prefix_parse(a1, &addr[1]);
	for (unsigned i = 0; i < n; i++)
		if (route_parse(rs[i], &l.r[l.n++]) < 0)
			return -2;
	err[0] = 0;
	return route_table_build(&t, addr, &l, err, sizeof(err));
}

static void test_table(void)
{
	const char *rs[] = {
		"198.18.3.0/24 via 198.18.2.2 port 1",
		"default via 198.18.1.254 port 0",
		"198.18.3.128/25 via 198.18.2.3 port 1",
		"198.18.3.200/32 via 198.18.1.9 port 0",
	};
	ok(build("198.18.1.1/24", "198.18.2.1/24", rs, 4) == 0 && t.n == 6, "table: 2 connected + 4");
	int sorted = 1;
	for (unsigned i = 1; i < t.n; i++)
		sorted &= t.r[i - 1].len >= t.r[i].len;
	ok(sorted, "table: longest prefixes first");
	const struct { uint32_t dst; uint32_t gw; unsigned port; } want[] = {
		{ 0xc6120105, 0, 0 },			/* connected port 0 */
		{ 0xc61202fe, 0, 1 },			/* connected port 1 */
		{ 0xc6120307, 0xc6120202, 1 },		/* the /24 */
		{ 0xc6120380, 0xc6120203, 1 },		/* the /25 */
		{ 0xc61203c8, 0xc6120109, 0 },		/* the /32 */
		{ 0x08080808, 0xc61201fe, 0 },		/* default */
	};
	int right = 0;
	for (unsigned i = 0; i < ARRAY_SIZE(want); i++) {
		const struct route *r = route_lookup(&t, want[i].dst);
		right += r && r->gw == want[i].gw && r->port == want[i].port;
	}
	is_u64(right, ARRAY_SIZE(want), "lookup: longest prefix for 6 destinations");
	ok(build("198.18.1.1/24", "198.18.2.1/24", rs, 1) == 0 && !route_lookup(&t, 0x08080808),
	   "lookup: no default, no route");

	ok(build("198.18.1.1/24", "198.18.1.2/24", NULL, 0) < 0 && strstr(err, "overlap"),
	   "table: overlapping subnets refused: %s", err);
	ok(build("198.18.1.1/16", "198.18.2.1/24", NULL, 0) < 0 && strstr(err, "overlap"),
	   "table: one subnet inside the other refused");
	ok(build("198.18.1.0/24", "198.18.2.1/24", NULL, 0) < 0 && strstr(err, "ip0=198.18.1.0/24"),
	   "table: a network address as ip0 refused: %s", err);
	ok(build("198.18.1.1/24", "198.18.2.255/24", NULL, 0) < 0 && strstr(err, "ip1="),
	   "table: a broadcast address as ip1 refused");
	ok(build("198.18.1.1/0", "198.18.2.1/24", NULL, 0) < 0, "table: a /0 port refused");
	ok(build("198.18.1.0/31", "198.18.2.1/32", NULL, 0) == 0, "table: /31 and /32 ports accepted");
	const char *off[] = { "198.18.3.0/24 via 198.18.1.7 port 1" };
	ok(build("198.18.1.1/24", "198.18.2.1/24", off, 1) < 0 &&
	   strstr(err, "route=\"198.18.3.0/24 via 198.18.1.7 port 1\"") && strstr(err, "port 1"),
	   "table: a gateway outside its port's subnet refused, route named: %s", err);
	const char *self[] = { "198.18.3.0/24 via 198.18.2.1 port 1" };
	ok(build("198.18.1.1/24", "198.18.2.1/24", self, 1) < 0,
	   "table: our own address as gateway refused");
	const char *dup[] = { "198.18.3.0/24 via 198.18.2.2 port 1",
			      "198.18.3.0/24 via 198.18.2.3 port 1" };
	ok(build("198.18.1.1/24", "198.18.2.1/24", dup, 2) < 0 && strstr(err, "already"),
	   "table: two routes for one prefix refused: %s", err);
	const char *conn[] = { "198.18.2.0/24 via 198.18.1.5 port 0" };
	ok(build("198.18.1.1/24", "198.18.2.1/24", conn, 1) < 0 && strstr(err, "connected"),
	   "table: a route over a connected subnet refused: %s", err);
}

int main(void)
{
	test_prefix();
	test_route_parse();
	test_params();
	test_table();
	return done_testing();
}
