/* fwd's router (mode=l3): ARP both ways, forwarding with the TTL and
 * checksum right, zero copy, ICMP replies and errors with their rate limit,
 * the neighbour table's retries and probes, malformed frames by name, and
 * about 200000 mutated frames each counted once, every frame sent well formed,
 * no netbuf leaked. */
#include "l3.h"
#include "test_fwd.h"

static const uint8_t MAC0[6] = { 0x02, 0, 0, 0, 0, 0xa0 };	/* port 0 */
static const uint8_t MAC1[6] = { 0x02, 0, 0, 0, 0, 0xa1 };	/* port 1 */
static const uint8_t H1[6] = { 0x02, 0, 0, 0, 1, 0x02 };	/* 198.18.1.2, port 0 side */
static const uint8_t H2[6] = { 0x02, 0, 0, 0, 2, 0x02 };	/* 198.18.2.2, port 1 side */
static const uint8_t H3[6] = { 0x02, 0, 0, 0, 2, 0x03 };	/* 198.18.2.3 */
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t ZERO[6];

#define IP0	0xc6120101u	/* 198.18.1.1/24 */
#define IP1	0xc6120201u	/* 198.18.2.1/24 */
#define H1_IP	0xc6120102u
#define H2_IP	0xc6120202u
#define H3_IP	0xc6120203u
#define FAR	0xc6120307u	/* 198.18.3.7: via H2 */
#define FAR_HI	0xc61203c8u	/* 198.18.3.200: via H3 (the /25) */
#define NOWHERE	0xc6120909u	/* 198.18.9.9: no route */

#define RETRY	1000
#define TIMEOUT	100000
#define ICMP_T	10		/* ticks per ICMP error token */

static struct netbuf_pool *pool[2];
static struct route_table table;
static struct fwd_io io;
static struct l3 r;
static uint64_t now = 1000000;
static uint8_t f[2048];
static struct netbuf *out[FWD_TXQ_MAX];

static void setup(unsigned arp_queue, unsigned burst)
{
	struct ipv4_prefix addr[2] = { { IP0, 24 }, { IP1, 24 } };
	struct route_list routes = { 0 };
	char err[128];

	route_parse("198.18.3.0/24 via 198.18.2.2 port 1", &routes.r[routes.n++]);
	route_parse("198.18.3.128/25 via 198.18.2.3 port 1", &routes.r[routes.n++]);
	if (route_table_build(&table, addr, &routes, err, sizeof(err)) < 0)
		printf("# %s\n", err);
	struct l3_cfg cfg = {
		.routes = &table, .arp_queue = arp_queue, .arp_tries = 3, .arp_retry = RETRY,
		.arp_timeout = TIMEOUT, .icmp_interval = ICMP_T, .icmp_burst = burst,
	};
	memcpy(cfg.port[0].mac, MAC0, 6);
	memcpy(cfg.port[1].mac, MAC1, 6);
	cfg.port[0].ip = IP0;
	cfg.port[1].ip = IP1;
	cfg.port[0].mask = cfg.port[1].mask = 0xffffff00u;
	cfg.port[0].pool = pool[0];
	cfg.port[1].pool = pool[1];
	memset(&io, 0, sizeof(io));
	l3_init(&r, &cfg, &io);
}

static uint64_t fates(void)
{
	uint64_t t = 0;
#define ADD(name) t += r.cnt.name;
	L3_FATES(ADD)
#undef ADD
	return t;
}

static void feed(unsigned port, unsigned len)
{
	struct netbuf *nb = nb_of(pool[port], f, len);
	l3_input(&r, port, &nb, 1, now);
}

static uint64_t in_use(void)
{
	return pool_in_use(pool[0]) + pool_in_use(pool[1]);
}

static bool ip_ok(const uint8_t *fr)
{
	struct iphdr ip = ip_of(fr);
	return ip.version == 4 && inet_csum(fr + ETH_HLEN, ip.ihl * 4u) == 0;
}

/* The ICMP message in frame @fr is well formed, of @type/@code. */
static bool icmp_is(const uint8_t *fr, unsigned len, uint8_t type, uint8_t code)
{
	struct iphdr ip = ip_of(fr);
	unsigned ihl = ip.ihl * 4u, tot = ntohs(ip.tot_len);
	return ip_ok(fr) && ip.protocol == IPPROTO_ICMP && ETH_HLEN + tot <= len &&
	       inet_csum(fr + ETH_HLEN + ihl, tot - ihl) == 0 && fr[ETH_HLEN + ihl] == type &&
	       fr[ETH_HLEN + ihl + 1] == code;
}

/* Resolves H1 on port 0, H2 and H3 on port 1 the way neighbours do: they
 * ask for us. */
static void neighbours_ask(void)
{
	arp_frame(f, BCAST, ARPOP_REQUEST, H1, H1_IP, ZERO, IP0);
	feed(0, 60);
	arp_frame(f, BCAST, ARPOP_REQUEST, H2, H2_IP, ZERO, IP1);
	feed(1, 60);
	arp_frame(f, BCAST, ARPOP_REQUEST, H3, H3_IP, ZERO, IP1);
	feed(1, 60);
	free_all(out, take(&io, 0, out, FWD_TXQ_MAX));
	free_all(out, take(&io, 1, out, FWD_TXQ_MAX));
}

static void test_arp(void)
{
	setup(4, 10);
	arp_frame(f, BCAST, ARPOP_REQUEST, H1, H1_IP, ZERO, IP0);
	feed(0, 60);
	unsigned n = take(&io, 0, out, 8);
	is_u64(n, 1, "arp: a request for our address is answered");
	const uint8_t *a = netbuf_data(out[0]);
	ok(!memcmp(a, H1, 6) && !memcmp(a + 6, MAC0, 6), "arp: reply to the asker, from our MAC");
	ok(a[21] == 2 && !memcmp(a + 22, MAC0, 6) && !memcmp(a + 32, H1, 6),
	   "arp: op 2, sender our MAC, target the asker");
	uint32_t spa, tpa;
	memcpy(&spa, a + 28, 4);
	memcpy(&tpa, a + 38, 4);
	ok(ntohl(spa) == IP0 && ntohl(tpa) == H1_IP, "arp: sender our address, target the asker's");
	is_u64(r.cnt.arp_replies, 1, "arp: counted");
	struct neigh *e = neigh_find(&r.neigh, 0, H1_IP);
	ok(e && e->state == NEIGH_REACHABLE && !memcmp(e->mac, H1, 6),
	   "arp: the asker is learned (it is about to talk to us)");
	free_all(out, n);

	arp_frame(f, BCAST, ARPOP_REQUEST, H2, H2_IP, ZERO, 0xc6120263u);
	feed(1, 60);
	is_u64(take(&io, 1, out, 8), 0, "arp: a request for another address is not answered");
	ok(!neigh_find(&r.neigh, 1, H2_IP), "arp: ... and its sender not learned");
	is_u64(r.cnt.arp_seen, 1, "arp: counted as seen");
	arp_frame(f, BCAST, ARPOP_REQUEST, H1, H1_IP, ZERO, IP1);
	feed(0, 60);
	is_u64(take(&io, 0, out, 8), 0,
	       "arp: port 1's address is not answered on port 0 (as arp_ignore=1)");
	arp_frame(f, BCAST, ARPOP_REQUEST, H2, 0xc6120102u, ZERO, IP1);
	feed(1, 60);
	ok(!neigh_find(&r.neigh, 1, 0xc6120102u),
	   "arp: a sender outside the port's subnet is not learned");
	free_all(out, take(&io, 1, out, 8));
	arp_frame(f, BCAST, ARPOP_REQUEST, BCAST, H2_IP, ZERO, IP1);
	feed(1, 60);
	is_u64(r.cnt.martian, 1, "arp: a group sender MAC is a martian");
	is_u64(fates(), 5, "arp: five frames, five fates");
}

static void test_forward(void)
{
	struct netbuf *nb;

	setup(4, 10);
	unsigned len = ip_frame(f, MAC0, H1, H1_IP, H2_IP, IPPROTO_UDP, 64, 100);
	uint8_t sent[200];
	memcpy(sent, f, len);
	nb = nb_of(pool[0], f, len);
	l3_input(&r, 0, &nb, 1, now);
	is_u64(r.cnt.held, 1, "forward: next hop unknown: the frame is held");
	unsigned n = take(&io, 1, out, 8);
	is_u64(n, 1, "forward: ... and an ARP request goes out of port 1");
	const uint8_t *a = netbuf_data(out[0]);
	uint32_t spa, tpa;
	memcpy(&spa, a + 28, 4);
	memcpy(&tpa, a + 38, 4);
	ok(!memcmp(a, BCAST, 6) && !memcmp(a + 6, MAC1, 6) && a[21] == 1 &&
	   ntohl(spa) == IP1 && ntohl(tpa) == H2_IP && out[0]->data_len == 60,
	   "forward: broadcast request for 198.18.2.2 from port 1's MAC and address, 60 bytes");
	ok(out[0]->pool == pool[1], "forward: the request's netbuf is from port 1's pool");
	free_all(out, n);

	arp_frame(f, MAC1, ARPOP_REPLY, H2, H2_IP, MAC1, IP1);
	feed(1, 60);
	n = take(&io, 1, out, 8);
	is_u64(n, 1, "forward: the reply releases the held frame");
	ok(out[0] == nb, "forward: zero copy: the netbuf received on port 0 is sent on port 1");
	ok(out[0]->pool == pool[0], "forward: ... and still belongs to port 0's pool");
	const uint8_t *g = netbuf_data(out[0]);
	struct iphdr ip = ip_of(g);
	ok(!memcmp(g, H2, 6) && !memcmp(g + 6, MAC1, 6), "forward: MACs: to H2, from port 1");
	ok(ip.ttl == 63 && ip_ok(g), "forward: TTL 64 -> 63, header checksum valid");
	ok(out[0]->data_len == len && !memcmp(g + 34, sent + 34, len - 34) &&
	   !memcmp(g + 12, sent + 12, 8) && !memcmp(g + 26, sent + 26, 8),
	   "forward: length, payload, addresses and the rest of the header untouched");
	is_u64(r.cnt.released, 1, "forward: counted as released");
	free_all(out, n);

	ip_frame(f, MAC0, H1, H1_IP, H2_IP, IPPROTO_UDP, 64, 100);
	nb = nb_of(pool[0], f, len);
	l3_input(&r, 0, &nb, 1, now);
	n = take(&io, 1, out, 8);
	ok(n == 1 && out[0] == nb && r.cnt.forwarded == 1, "forward: next frame straight out");
	free_all(out, n);

	/* RFC 1624 against a full recomputation, every TTL and many headers. */
	int bad = 0;
	srand(5);
	for (unsigned ttl = 2; ttl <= 255; ttl++)
		for (int k = 0; k < 40; k++) {
			len = ip_frame(f, MAC0, H1, H1_IP + (uint32_t)(rand() % 200), H2_IP,
				       (uint8_t)rand(), (uint8_t)ttl, (unsigned)rand() % 200);
			f[ETH_HLEN + 1] = (uint8_t)rand();	/* TOS */
			f[ETH_HLEN + 4] = (uint8_t)rand();	/* ID */
			f[ETH_HLEN + 10] = f[ETH_HLEN + 11] = 0;
			uint16_t c = inet_csum(f + ETH_HLEN, 20);
			memcpy(f + ETH_HLEN + 10, &c, 2);
			feed(0, len);
			n = take(&io, 1, out, 8);
			if (n != 1 || ip_of(netbuf_data(out[0])).ttl != ttl - 1 ||
			    !ip_ok(netbuf_data(out[0])))
				bad++;
			free_all(out, n);
		}
	is_u64(bad, 0, "forward: 10160 headers: TTL lowered by one, checksum valid (RFC 1624)");

	neighbours_ask();
	ip_frame(f, MAC0, H1, H1_IP, FAR, IPPROTO_UDP, 10, 20);
	feed(0, 60);
	n = take(&io, 1, out, 8);
	ok(n == 1 && !memcmp(netbuf_data(out[0]), H2, 6), "route: 198.18.3.7 via 198.18.2.2 (/24)");
	free_all(out, n);
	ip_frame(f, MAC0, H1, H1_IP, FAR_HI, IPPROTO_UDP, 10, 20);
	feed(0, 60);
	n = take(&io, 1, out, 8);
	ok(n == 1 && !memcmp(netbuf_data(out[0]), H3, 6),
	   "route: 198.18.3.200 via 198.18.2.3: the longer prefix wins");
	free_all(out, n);
	len = ip_frame(f, MAC1, H2, H2_IP, H1_IP, IPPROTO_TCP, 2, 40);
	feed(1, len);
	n = take(&io, 0, out, 8);
	ok(n == 1 && !memcmp(netbuf_data(out[0]), H1, 6) && ip_of(netbuf_data(out[0])).ttl == 1,
	   "route: the other way, TTL 2 -> 1 still forwarded");
	free_all(out, n);

	/* A fragment is forwarded like any packet (only the router's own
	 * traffic would need reassembly). */
	len = ip_frame(f, MAC0, H1, H1_IP, H2_IP, IPPROTO_UDP, 64, 100);
	f[ETH_HLEN + 6] = 0x20;	/* MF */
	f[ETH_HLEN + 10] = f[ETH_HLEN + 11] = 0;
	uint16_t c = inet_csum(f + ETH_HLEN, 20);
	memcpy(f + ETH_HLEN + 10, &c, 2);
	feed(0, len);
	n = take(&io, 1, out, 8);
	is_u64(n, 1, "forward: a fragment passes");
	free_all(out, n);
	is_u64(in_use(), 0, "forward: no netbuf left behind");
}

static void test_local(void)
{
	setup(4, 10);
	unsigned len = ip_frame(f, MAC0, H1, H1_IP, IP0, IPPROTO_ICMP, 64, 64);
	feed(0, len);
	unsigned n = take(&io, 0, out, 8);
	is_u64(n, 1, "echo: a ping to port 0's address is answered");
	const uint8_t *g = netbuf_data(out[0]);
	struct iphdr ip = ip_of(g);
	ok(!memcmp(g, H1, 6) && !memcmp(g + 6, MAC0, 6) && ntohl(ip.saddr) == IP0 &&
	   ntohl(ip.daddr) == H1_IP && ip.ttl == 64, "echo: back to the sender, from us, TTL 64");
	ok(icmp_is(g, len, ICMP_ECHOREPLY, 0), "echo: type 0, ICMP and IPv4 checksums valid");
	ok(!memcmp(g + 38, f + 38, len - 38), "echo: identifier, sequence and data kept");
	free_all(out, n);

	ip_frame(f, MAC0, H1, H1_IP, IP1, IPPROTO_ICMP, 64, 64);
	feed(0, len);
	n = take(&io, 0, out, 8);
	ok(n == 1 && ntohl(ip_of(netbuf_data(out[0])).saddr) == IP1,
	   "echo: port 1's address answers on port 0 too, from that address");
	free_all(out, n);
	is_u64(r.cnt.echo_replies, 2, "echo: counted");

	ip_frame(f, MAC0, H1, H1_IP, IP0, IPPROTO_ICMP, 64, 64);
	f[60] ^= 1;
	feed(0, len);
	ip_frame(f, MAC0, H1, H1_IP, IP0, IPPROTO_UDP, 64, 64);
	feed(0, len);
	ip_frame(f, MAC0, H1, H1_IP, IP0, IPPROTO_ICMP, 64, 64);
	f[ETH_HLEN + 6] = 0x20;
	f[ETH_HLEN + 10] = f[ETH_HLEN + 11] = 0;
	uint16_t c = inet_csum(f + ETH_HLEN, 20);
	memcpy(f + ETH_HLEN + 10, &c, 2);
	feed(0, len);
	ip_frame(f, MAC0, H1, H1_IP, IP0, IPPROTO_ICMP, 64, 4);
	feed(0, 60);
	is_u64(take(&io, 0, out, 8), 0, "local: nothing else is answered");
	ok(r.cnt.bad_icmp_csum == 1 && r.cnt.ignored == 1 && r.cnt.fragments == 1 &&
	   r.cnt.truncated == 1, "local: bad ICMP checksum, UDP, a fragment, 4 bytes of ICMP: each named");
	is_u64(io.drop[0], 4, "local: four drops on port 0");
	is_u64(in_use(), 0, "local: no netbuf left behind");
}

static void test_errors(void)
{
	setup(4, 3);
	neighbours_ask();
	unsigned len = ip_frame(f, MAC0, H1, H1_IP, H2_IP, IPPROTO_UDP, 1, 100);
	uint8_t orig[200];
	memcpy(orig, f, len);
	feed(0, len);
	unsigned n = take(&io, 0, out, 8);
	is_u64(n, 1, "ttl 1: an ICMP error comes back on port 0");
	is_u64(take(&io, 1, out + 1, 8), 0, "ttl 1: nothing forwarded");
	const uint8_t *g = netbuf_data(out[0]);
	struct iphdr ip = ip_of(g);
	ok(icmp_is(g, out[0]->data_len, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL),
	   "ttl 1: time exceeded (11/0), checksums valid");
	ok(!memcmp(g, H1, 6) && !memcmp(g + 6, MAC0, 6) && ntohl(ip.saddr) == IP0 &&
	   ntohl(ip.daddr) == H1_IP && ip.ttl == 64 && ip.tos == 0xc0,
	   "ttl 1: to the sender from port 0's address, TTL 64, precedence 6");
	ok(out[0]->data_len == ETH_HLEN + 28 + 20 + 8 && ntohs(ip.tot_len) == 56 &&
	   !memcmp(g + ETH_HLEN + 28, orig + ETH_HLEN, 28),
	   "ttl 1: quotes the IPv4 header as received and 8 bytes of payload");
	free_all(out, n);
	ip_frame(f, MAC0, H1, H1_IP, H2_IP, IPPROTO_UDP, 0, 100);
	feed(0, len);
	n = take(&io, 0, out, 8);
	ok(n == 1 && icmp_is(netbuf_data(out[0]), out[0]->data_len, 11, 0), "ttl 0: the same");
	free_all(out, n);
	is_u64(r.cnt.ttl_exceeded, 2, "ttl: counted");

	ip_frame(f, MAC0, H1, H1_IP, NOWHERE, IPPROTO_UDP, 64, 0);
	feed(0, 60);
	n = take(&io, 0, out, 8);
	ok(n == 1 && icmp_is(netbuf_data(out[0]), out[0]->data_len, ICMP_DEST_UNREACH,
			     ICMP_NET_UNREACH), "no route: net unreachable (3/0)");
	ok(n == 1 && out[0]->data_len == ETH_HLEN + 28 + 20,
	   "no route: a packet without payload is quoted header only");
	free_all(out, n);
	is_u64(r.cnt.no_route, 1, "no route: counted");

	/* Never an error about an error, or about a later fragment. */
	now += 1000;
	unsigned l4 = 36;
	len = ip_frame(f, MAC0, H1, H1_IP, H2_IP, IPPROTO_ICMP, 1, l4);
	f[34] = ICMP_DEST_UNREACH;
	feed(0, len);
	ip_frame(f, MAC0, H1, H1_IP, H2_IP, IPPROTO_UDP, 1, 100);
	f[ETH_HLEN + 7] = 0xb9;	/* offset 185 * 8 */
	f[ETH_HLEN + 10] = f[ETH_HLEN + 11] = 0;
	uint16_t c = inet_csum(f + ETH_HLEN, 20);
	memcpy(f + ETH_HLEN + 10, &c, 2);
	feed(0, 134);
	is_u64(take(&io, 0, out, 8), 0, "no error about an ICMP error or a non-first fragment");
	ip_frame(f, MAC0, H1, H1_IP, H2_IP, IPPROTO_ICMP, 1, l4);
	feed(0, len);
	n = take(&io, 0, out, 8);
	ok(n == 1, "an error about an echo request (a query) is sent");
	free_all(out, n);

	/* The bucket: 3 back to back, then one per ICMP_T ticks. */
	now += 1000;
	unsigned sent = 0;
	for (int i = 0; i < 10; i++) {
		ip_frame(f, MAC0, H1, H1_IP, H2_IP, IPPROTO_UDP, 1, 10);
		feed(0, 60);
	}
	sent = take(&io, 0, out, 16);
	free_all(out, sent);
	is_u64(sent, 3, "rate limit: a burst of 3 errors, then none");
	is_u64(r.cnt.icmp_limited, 7, "rate limit: 7 held back, counted");
	now += ICMP_T;
	feed(0, 60);
	feed(0, 60);
	sent = take(&io, 0, out, 16);
	free_all(out, sent);
	is_u64(sent, 1, "rate limit: one token per interval");
	now += 100 * ICMP_T;
	for (int i = 0; i < 5; i++)
		feed(0, 60);
	sent = take(&io, 0, out, 16);
	free_all(out, sent);
	is_u64(sent, 3, "rate limit: a long pause refills the bucket to its burst only");
	is_u64(in_use(), 0, "errors: no netbuf left behind");
}

static void test_resolution(void)
{
	setup(4, 10);
	unsigned len = ip_frame(f, MAC0, H1, H1_IP, 0xc6120232u, IPPROTO_UDP, 64, 60);
	for (int i = 0; i < 6; i++)
		feed(0, len);
	is_u64(r.cnt.held, 4, "unresolved: 4 frames held");
	is_u64(r.cnt.queue_full, 2, "unresolved: the 5th and 6th dropped (queue_full)");
	is_u64(l3_held(&r), 4, "unresolved: 4 in the table");
	unsigned n = take(&io, 1, out, 8);
	is_u64(n, 1, "unresolved: one request, not one per frame");
	free_all(out, n);

	l3_tick(&r, now + RETRY - 1);
	is_u64(take(&io, 1, out, 8), 0, "retry: not before arp_retry");
	l3_tick(&r, now + RETRY);
	n = take(&io, 1, out, 8);
	is_u64(n, 1, "retry: a second request after arp_retry");
	free_all(out, n);
	l3_tick(&r, now + 2 * RETRY);
	n = take(&io, 1, out, 8);
	is_u64(n, 1, "retry: a third");
	free_all(out, n);
	l3_tick(&r, now + 3 * RETRY);
	is_u64(take(&io, 1, out, 8), 0, "give up: after arp_tries requests, no fourth");
	n = take(&io, 0, out, 8);
	is_u64(n, 4, "give up: each held frame gets host unreachable, on port 0");
	int good = 0;
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *g = netbuf_data(out[i]);
		struct iphdr q;
		memcpy(&q, g + ETH_HLEN + 28, 20);
		good += icmp_is(g, out[i]->data_len, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH) &&
			!memcmp(g, H1, 6) && ntohl(ip_of(g).saddr) == IP0 && q.ttl == 63;
	}
	is_u64(good, 4, "give up: 3/1 to H1 from port 0, quoting the header (TTL 63)");
	free_all(out, n);
	is_u64(r.cnt.arp_failed, 4, "give up: counted");
	ok(!neigh_find(&r.neigh, 1, 0xc6120232u) && l3_held(&r) == 0, "give up: the entry is gone");

	/* Probing: a stale answer is still used, and asked about again. */
	neighbours_ask();
	now += TIMEOUT + 1;
	ip_frame(f, MAC0, H1, H1_IP, H2_IP, IPPROTO_UDP, 64, 60);
	feed(0, len);
	n = take(&io, 1, out, 8);
	ok(n == 1 && !memcmp(netbuf_data(out[0]), H2, 6), "stale: still forwarded to the known MAC");
	free_all(out, n);
	l3_tick(&r, now);
	n = take(&io, 1, out, 8);
	ok(n == 1 && ((uint8_t *)netbuf_data(out[0]))[21] == 1, "stale: the tick probes it");
	free_all(out, n);
	arp_frame(f, MAC1, ARPOP_REPLY, H2, H2_IP, MAC1, IP1);
	feed(1, 60);
	struct neigh *e = neigh_find(&r.neigh, 1, H2_IP);
	ok(e && !e->probing && e->confirmed == now, "stale: the answer confirms it");
	l3_tick(&r, now + 10 * RETRY);
	is_u64(take(&io, 1, out, 8), 0, "stale: confirmed, no more probes");

	now += TIMEOUT + 1;
	ip_frame(f, MAC0, H1, H1_IP, H3_IP, IPPROTO_UDP, 64, 60);
	feed(0, len);
	free_all(out, take(&io, 1, out, 8));
	for (int i = 0; i <= 3; i++) {
		l3_tick(&r, now + (uint64_t)i * RETRY);
		free_all(out, take(&io, 1, out, 8));
	}
	ok(!neigh_find(&r.neigh, 1, H3_IP), "stale: unanswered probes drop the entry");
	feed(0, len);
	ok(r.cnt.held == 5 && l3_held(&r) == 1, "stale: the next frame waits for a new answer");
	l3_flush(&r);
	free_all(out, take(&io, 1, out, 8));
	is_u64(in_use(), 0, "resolution: no netbuf left behind after l3_flush");

	/* arp_queue=0: nothing held, the request still goes. */
	setup(0, 10);
	ip_frame(f, MAC0, H1, H1_IP, H2_IP, IPPROTO_UDP, 64, 60);
	feed(0, len);
	ok(r.cnt.queue_full == 1 && r.cnt.arp_requests == 1, "arp_queue=0: dropped, request sent");
	free_all(out, take(&io, 1, out, 8));

	/* A full set: every way being resolved, the next address is refused. */
	setup(1, 10);
	uint32_t target = 0xc6120233u;
	struct neigh *slot = neigh_slot(&r.neigh, 1, target);	/* stays FREE */
	long set = (slot - &r.neigh.set[0][0]) / NEIGH_WAYS;
	unsigned filled = 0;
	for (uint32_t a = 0x0a000000u; filled < NEIGH_WAYS; a++) {
		struct neigh *e = neigh_slot(&r.neigh, 1, a);
		if ((e - &r.neigh.set[0][0]) / NEIGH_WAYS == set) {
			e->state = NEIGH_INCOMPLETE;
			filled++;
		}
	}
	ip_frame(f, MAC0, H1, H1_IP, target, IPPROTO_UDP, 64, 10);
	feed(0, 60);
	ok(r.cnt.neigh_full == 1 && r.cnt.arp_requests == 0 && io.drop[0] == 1,
	   "neigh_full: every way of its set being resolved, a new next hop is refused");
	is_u64(in_use(), 0, "neigh_full: no netbuf left behind");
}

static void test_dropped(void)
{
	setup(4, 10);
	struct { const char *what; uint64_t *counter; } cases[] = {
		{ "another MAC", &r.cnt.not_for_us },
		{ "IPv4 to the broadcast MAC", &r.cnt.not_unicast },
		{ "directed broadcast 198.18.2.255", &r.cnt.not_unicast },
		{ "multicast 224.0.0.5", &r.cnt.not_unicast },
		{ "source 127.0.0.1", &r.cnt.martian },
		{ "source our own address", &r.cnt.martian },
		{ "source 198.18.1.255", &r.cnt.martian },
		{ "destination 0.1.2.3", &r.cnt.martian },
		{ "IPv6", &r.cnt.ignored },
		{ "13 bytes", &r.cnt.truncated },
		{ "IPv4 header cut", &r.cnt.truncated },
		{ "version 6", &r.cnt.bad_version },
		{ "IHL 4", &r.cnt.bad_ihl },
		{ "IHL 15 in 60 bytes", &r.cnt.truncated },
		{ "total length past the frame", &r.cnt.bad_length },
		{ "total length below the header", &r.cnt.bad_length },
		{ "header checksum", &r.cnt.bad_ip_csum },
		{ "ARP cut at 41 bytes", &r.cnt.truncated },
		{ "ARP for IPv6", &r.cnt.ignored },
		{ "ARP op 3", &r.cnt.ignored },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned len = ip_frame(f, MAC0, H1, H1_IP, H2_IP, IPPROTO_UDP, 64, 26);
		switch (i) {
		case 0: f[5] = 0x77; break;
		case 1: memset(f, 0xff, 6); break;
		case 2: ip_frame(f, MAC0, H1, H1_IP, 0xc61202ffu, IPPROTO_UDP, 64, 26); break;
		case 3: ip_frame(f, MAC0, H1, H1_IP, 0xe0000005u, IPPROTO_UDP, 64, 26); break;
		case 4: ip_frame(f, MAC0, H1, 0x7f000001u, H2_IP, IPPROTO_UDP, 64, 26); break;
		case 5: ip_frame(f, MAC0, H1, IP1, H2_IP, IPPROTO_UDP, 64, 26); break;
		case 6: ip_frame(f, MAC0, H1, 0xc61201ffu, H2_IP, IPPROTO_UDP, 64, 26); break;
		case 7: ip_frame(f, MAC0, H1, H1_IP, 0x00010203u, IPPROTO_UDP, 64, 26); break;
		case 8: f[12] = 0x86, f[13] = 0xdd; break;
		case 9: len = 13; break;
		case 10: len = 24; break;
		case 11: f[14] = 0x65; break;
		case 12: f[14] = 0x44; break;
		case 13: f[14] = 0x4f; break;
		case 14: f[17] += 100; break;
		case 15: f[16] = 0, f[17] = 16; break;
		case 16: f[24] ^= 0x40; break;
		case 17: len = arp_frame(f, BCAST, ARPOP_REQUEST, H1, H1_IP, ZERO, IP0) - 19; break;
		case 18: arp_frame(f, BCAST, ARPOP_REQUEST, H1, H1_IP, ZERO, IP0); f[17] = 0xdd; break;
		case 19: arp_frame(f, BCAST, 3, H1, H1_IP, ZERO, IP0); break;
		}
		if (i == 11 || i == 12 || i == 14 || i == 15) {	/* keep the checksum valid */
			f[24] = f[25] = 0;
			uint16_t c = inet_csum(f + ETH_HLEN, 20);
			memcpy(f + 24, &c, 2);
		}
		uint64_t before = *cases[i].counter, all = fates();
		feed(0, len);
		ok(*cases[i].counter == before + 1 && fates() == all + 1,
		   "dropped and named: %s", cases[i].what);
	}
	is_u64(take(&io, 0, out, 8) + take(&io, 1, out, 8), 0, "dropped: nothing sent");
	is_u64(io.drop[0], ARRAY_SIZE(cases), "dropped: each one counted in drop0");
	is_u64(l3_malformed(&r.cnt), 9, "dropped: 9 of them malformed");
	is_u64(in_use(), 0, "dropped: every netbuf freed");
}

static void test_output_free(void)
{
	setup(4, 10);
	io.discard = true;
	neighbours_ask();
	ip_frame(f, MAC0, H1, H1_IP, H2_IP, IPPROTO_UDP, 64, 100);
	for (int i = 0; i < 5; i++)
		feed(0, 134);
	ok(take(&io, 1, out, 8) == 0 && io.discarded == 5 && r.cnt.forwarded == 5,
	   "output=free: forwarded frames counted and freed, not queued");
	ip_frame(f, MAC0, H1, H1_IP, IP0, IPPROTO_ICMP, 64, 20);
	feed(0, 60);
	unsigned n = take(&io, 0, out, 8);
	is_u64(n, 1, "output=free: the router's own replies still go out");
	free_all(out, n);
	is_u64(in_use(), 0, "output=free: no netbuf left behind");
}

/* Mutated frames of every kind the router handles, on both ports. */
static void test_fuzz(void)
{
	uint64_t sent = 0, escaped = 0, bad_out = 0, bad_fwd = 0;
	struct netbuf *burst[FWD_BURST];
	uint8_t orig[FWD_BURST][64];
	uint32_t inputs = 0;

	setup(4, 1000);
	neighbours_ask();
	uint64_t base_rx = fates(), base_sent_arp = r.cnt.arp_requests;
	uint64_t base_drop = io.drop[0] + io.drop[1];

	srand(77);
	for (int round = 0; round < 12000; round++) {
		unsigned in = (unsigned)rand() & 1, n = 1 + (unsigned)rand() % FWD_BURST;
		const uint8_t *mac = in ? MAC1 : MAC0, *peer = in ? H2 : H1;
		uint32_t me = in ? H2_IP : H1_IP;
		static const uint32_t dsts[] = { H1_IP, H2_IP, FAR, FAR_HI, NOWHERE, IP0, IP1,
						 0xc6120232u, 0xc6120177u };
		for (unsigned i = 0; i < n; i++) {
			unsigned len, kind = (unsigned)rand() % 8;
			if (kind == 0)
				len = arp_frame(f, rand() % 2 ? BCAST : mac, 1 + rand() % 2, peer,
						me, ZERO, in ? IP1 : IP0);
			else
				len = ip_frame(f, mac, peer, me, dsts[(unsigned)rand() % 9],
					       kind == 1 ? IPPROTO_ICMP : (uint8_t)rand(),
					       (uint8_t)rand(), 8 + (unsigned)rand() % 300);
			for (int k = rand() % 4; k >= 0 && rand() % 3; k--)
				f[(unsigned)rand() % len] ^= (uint8_t)(1 + rand() % 255);
			if (rand() % 8 == 0)
				len = (unsigned)rand() % (len + 1);
			burst[i] = nb_of(pool[in], f, len);
			memcpy(orig[i], f, MIN(len, 64u));
		}
		uint64_t all = fates();
		struct netbuf *copy[FWD_BURST];
		memcpy(copy, burst, sizeof(burst));
		l3_input(&r, in, burst, n, now);
		inputs += n;
		escaped += fates() != all + n;
		if (rand() % 16 == 0) {
			now += (uint64_t)rand() % (2 * RETRY);
			l3_tick(&r, now);
		}
		/* Whatever goes out is well formed; forwarded frames are the
		 * netbufs that came in, one hop older. */
		for (unsigned p = 0; p < 2; p++) {
			unsigned k = take(&io, p, out, FWD_TXQ_MAX);
			for (unsigned j = 0; j < k; j++) {
				const uint8_t *g = netbuf_data(out[j]);
				unsigned len = out[j]->data_len;
				uint16_t type = (uint16_t)(g[12] << 8 | g[13]);
				if (len < ETH_HLEN || mac48_is_group(mac48(g + 6)) ||
				    memcmp(g + 6, p ? MAC1 : MAC0, 6)) {
					bad_out++;
					continue;
				}
				if (type == ETH_P_ARP)
					continue;
				if (type != ETH_P_IP || !ip_ok(g)) {
					bad_out++;
					continue;
				}
				struct iphdr ip = ip_of(g);
				bool own = ntohl(ip.saddr) == IP0 || ntohl(ip.saddr) == IP1;
				if (own && ip.protocol == IPPROTO_ICMP) {
					unsigned ihl = ip.ihl * 4u, tot = ntohs(ip.tot_len);
					if (inet_csum(g + ETH_HLEN + ihl, tot - ihl) != 0)
						bad_out++;
					continue;
				}
				for (unsigned i = 0; i < n; i++)
					if (copy[i] == out[j]) {
						struct iphdr was;
						memcpy(&was, orig[i] + ETH_HLEN, 20);
						if (ip.ttl != was.ttl - 1 || ip.daddr != was.daddr)
							bad_fwd++;
					}
			}
			sent += k;
			free_all(out, k);
		}
	}
	ok(escaped == 0, "fuzz: %u frames, each counted in exactly one fate", inputs);
	ok(bad_out == 0, "fuzz: every frame sent is from the port's MAC, IPv4 and ICMP checksums valid");
	ok(bad_fwd == 0, "fuzz: every frame forwarded in its own netbuf lost exactly one TTL");
	ok(r.cnt.forwarded + r.cnt.released > 1000 && r.cnt.echo_replies > 100 &&
	   r.cnt.icmp_errors > 100 && r.cnt.held > 100 && l3_malformed(&r.cnt) > 1000,
	   "fuzz: every path was taken (forwarded %llu, echo %llu, errors %llu, held %llu)",
	   (unsigned long long)(r.cnt.forwarded + r.cnt.released),
	   (unsigned long long)r.cnt.echo_replies, (unsigned long long)r.cnt.icmp_errors,
	   (unsigned long long)r.cnt.held);
	is_u64(in_use(), l3_held(&r), "fuzz: the only netbufs out are those held for ARP");
	/* Every netbuf in is sent, dropped or held; ARP requests are extra. */
	uint64_t rx = fates() - base_rx, drops = io.drop[0] + io.drop[1] - base_drop;
	is_u64(rx + r.cnt.arp_requests - base_sent_arp, sent + drops + l3_held(&r),
	       "fuzz: received + requests made = sent + dropped + held");
	l3_flush(&r);
	is_u64(in_use(), 0, "fuzz: l3_flush frees the rest");
}

int main(void)
{
	pool[0] = pool_new("port0", 4096);
	pool[1] = pool_new("port1", 4096);
	test_arp();
	test_forward();
	test_local();
	test_errors();
	test_resolution();
	test_dropped();
	test_output_free();
	test_fuzz();
	return done_testing();
}
