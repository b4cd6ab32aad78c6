/* echo's frame logic: replies are correct, malformed frames are counted by
 * kind, and random mutations never crash nor escape the counters. */
#include <stdlib.h>
#include <skiff/inet.h>
#include <linux/icmp.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include "reflect.h"
#include "tap.h"

static const uint8_t OURS[6] = { 0x02, 0, 0, 0, 0, 0x10 };
static const uint8_t PEER[6] = { 0x02, 0, 0, 0, 0, 0x20 };
#define OUR_IP	0xc6120010u	/* 198.18.0.16 */
#define PEER_IP	0xc6120001u

static struct echo_cfg cfg;
static struct echo_counters cnt;

static uint64_t total(const struct echo_counters *c)
{
	uint64_t t = 0;
#define ADD(name) t += c->name;
	ECHO_COUNTERS(ADD)
#undef ADD
	return t;
}

static unsigned build_arp(uint8_t *f, uint32_t target, uint16_t op)
{
	memset(f, 0, 60);
	memset(f, 0xff, 6);
	memcpy(f + 6, PEER, 6);
	f[12] = 0x08, f[13] = 0x06;
	uint8_t body[28] = { 0, 1, 8, 0, 6, 4, 0, (uint8_t)op };
	memcpy(body + 8, PEER, 6);
	uint32_t spa = htonl(PEER_IP), tpa = htonl(target);
	memcpy(body + 14, &spa, 4);
	memcpy(body + 24, &tpa, 4);
	memcpy(f + 14, body, 28);
	return 42;
}

/* IPv4 to @dst with @proto and @payload_len bytes of L4 (checksums valid). */
static unsigned build_ip(uint8_t *f, uint32_t dst, uint8_t proto, unsigned l4_len)
{
	memcpy(f, OURS, 6);
	memcpy(f + 6, PEER, 6);
	f[12] = 0x08, f[13] = 0x00;
	struct iphdr ip = { .version = 4, .ihl = 5, .ttl = 64, .protocol = proto };
	ip.tot_len = htons((uint16_t)(20 + l4_len));
	ip.saddr = htonl(PEER_IP);
	ip.daddr = htonl(dst);
	ip.check = inet_csum(&ip, 20);
	memcpy(f + 14, &ip, 20);
	uint8_t *l4 = f + 34;
	for (unsigned i = 0; i < l4_len; i++)
		l4[i] = (uint8_t)(i * 13 + 1);
	if (proto == IPPROTO_ICMP) {
		struct icmphdr h = { .type = ICMP_ECHO };
		h.un.echo.id = htons(77);
		h.un.echo.sequence = htons(5);
		memcpy(l4, &h, 8);
		uint16_t c = inet_csum(l4, l4_len);
		memcpy(l4 + 2, &c, 2);
	} else if (proto == IPPROTO_UDP) {
		struct udphdr h = { .source = htons(40000), .dest = htons(7),
				    .len = htons((uint16_t)l4_len) };
		memcpy(l4, &h, 8);
		uint16_t c = inet_csum_l4(ip.saddr, ip.daddr, IPPROTO_UDP, l4, l4_len);
		memcpy(l4 + 6, &c, 2);
	}
	return 34 + l4_len;
}

static int ip_ok(const uint8_t *f)
{
	struct iphdr ip;
	memcpy(&ip, f + 14, 20);
	return inet_csum(f + 14, ip.ihl * 4u) == 0 && ip.saddr == htonl(OUR_IP) &&
	       ip.daddr == htonl(PEER_IP) && !memcmp(f, PEER, 6) && !memcmp(f + 6, OURS, 6);
}

static void test_replies(void)
{
	uint8_t f[1600], orig[1600];
	unsigned len;

	len = build_arp(f, OUR_IP, 1);
	ok(echo_reflect(&cfg, f, len, &cnt) && cnt.arp_replies == 1, "ARP request for us answered");
	ok(!memcmp(f, PEER, 6) && !memcmp(f + 6, OURS, 6) && f[21] == 2 &&
	   !memcmp(f + 22, OURS, 6) && !memcmp(f + 32, PEER, 6), "ARP reply: op, MACs");
	uint32_t spa, tpa;
	memcpy(&spa, f + 28, 4);
	memcpy(&tpa, f + 38, 4);
	ok(spa == htonl(OUR_IP) && tpa == htonl(PEER_IP), "ARP reply: addresses");
	len = build_arp(f, OUR_IP + 1, 1);
	ok(!echo_reflect(&cfg, f, len, &cnt) && cnt.not_for_us == 1, "ARP for another host ignored");
	len = build_arp(f, OUR_IP, 2);
	ok(!echo_reflect(&cfg, f, len, &cnt) && cnt.ignored == 1, "ARP reply not answered");

	len = build_ip(f, OUR_IP, IPPROTO_ICMP, 64);
	memcpy(orig, f, len);
	ok(echo_reflect(&cfg, f, len, &cnt) && cnt.icmp_replies == 1, "ping answered");
	ok(ip_ok(f) && f[34] == ICMP_ECHOREPLY && inet_csum(f + 34, 64) == 0,
	   "echo reply: addresses, type, checksums");
	ok(!memcmp(f + 36 + 2, orig + 36 + 2, 64 - 4), "echo reply: id, sequence, payload unchanged");

	len = build_ip(f, OUR_IP, IPPROTO_UDP, 8 + 300);
	memcpy(orig, f, len);
	ok(echo_reflect(&cfg, f, len, &cnt) && cnt.udp_replies == 1, "UDP reflected");
	struct iphdr ip;
	memcpy(&ip, f + 14, 20);
	ok(ip_ok(f) && f[34] == orig[36] && f[35] == orig[37] && f[36] == orig[34] &&
	   f[37] == orig[35], "UDP: ports swapped");
	ok(inet_csum_l4(ip.saddr, ip.daddr, IPPROTO_UDP, f + 34, 308) == 0 &&
	   !memcmp(f + 42, orig + 42, 300), "UDP: checksum still valid, payload unchanged");

	len = build_ip(f, OUR_IP, IPPROTO_UDP, 8 + 10);
	f[40] = f[41] = 0;	/* no checksum */
	ok(echo_reflect(&cfg, f, len, &cnt), "UDP without checksum reflected");
	cfg.udp_port = 9;
	len = build_ip(f, OUR_IP, IPPROTO_UDP, 18);
	ok(!echo_reflect(&cfg, f, len, &cnt), "port= filters other ports");
	cfg.udp_port = 7;
	len = build_ip(f, OUR_IP, IPPROTO_UDP, 18);
	ok(echo_reflect(&cfg, f, len, &cnt), "port= answers its port");
	cfg.udp_port = 0;

	len = build_ip(f, OUR_IP, 6, 20);
	ok(!echo_reflect(&cfg, f, len, &cnt), "TCP ignored");
	len = build_ip(f, OUR_IP + 1, IPPROTO_ICMP, 16);
	ok(!echo_reflect(&cfg, f, len, &cnt), "ping for another host ignored");

	cfg.l2 = true;
	memset(f, 0xab, 100);
	memcpy(f + 6, PEER, 6);
	ok(echo_reflect(&cfg, f, 100, &cnt) && !memcmp(f, PEER, 6) && !memcmp(f + 6, OURS, 6) &&
	   f[50] == 0xab, "mode l2: anything back, MACs swapped, body untouched");
	cfg.l2 = false;
}

#define MALFORMED(name, counter, mutate)                                      \
	do {                                                                  \
		uint64_t before = cnt.counter, all = total(&cnt);             \
		len = build_ip(f, OUR_IP, IPPROTO_UDP, 8 + 20);               \
		mutate;                                                       \
		ok(!echo_reflect(&cfg, f, len, &cnt) && cnt.counter == before + 1 && \
		   total(&cnt) == all + 1, "%s dropped as " #counter, name);  \
	} while (0)

static void fix_ip_csum(uint8_t *f)
{
	f[24] = f[25] = 0;
	uint16_t c = inet_csum(f + 14, (f[14] & 15) * 4u);
	memcpy(f + 24, &c, 2);
}

static void test_malformed(void)
{
	uint8_t f[1600];
	unsigned len;

	MALFORMED("runt (10 bytes)", truncated, len = 10);
	MALFORMED("IPv4 header cut", truncated, len = 30);
	MALFORMED("IHL 4", bad_ihl, (f[14] = 0x44, fix_ip_csum(f)));
	MALFORMED("version 6 in IPv4", bad_ihl, (f[14] = 0x65, fix_ip_csum(f)));
	MALFORMED("IHL past the frame", truncated, (f[14] = 0x4f, len = 50));
	MALFORMED("total length past the frame", bad_length,
		  (f[16] = 0x05, f[17] = 0xdc, fix_ip_csum(f)));
	MALFORMED("total length below the header", bad_length,
		  (f[16] = 0, f[17] = 10, fix_ip_csum(f)));
	MALFORMED("bad IPv4 checksum", bad_ip_csum, f[24] ^= 1);
	MALFORMED("first fragment (MF)", fragments, (f[20] = 0x20, fix_ip_csum(f)));
	MALFORMED("later fragment (offset)", fragments, (f[21] = 0x10, fix_ip_csum(f)));
	MALFORMED("UDP length past the datagram", bad_length, f[39] = 200);
	MALFORMED("UDP length below 8", bad_length, f[39] = 4);
	MALFORMED("bad UDP checksum", bad_udp_csum, f[50] ^= 0xff);
	MALFORMED("UDP header cut", truncated,
		  (f[17] = 24, fix_ip_csum(f), len = 38));

	uint64_t before = cnt.bad_icmp_csum;
	len = build_ip(f, OUR_IP, IPPROTO_ICMP, 32);
	f[40] ^= 1;
	ok(!echo_reflect(&cfg, f, len, &cnt) && cnt.bad_icmp_csum == before + 1,
	   "bad ICMP checksum dropped as bad_icmp_csum");
	before = cnt.truncated;
	len = build_ip(f, OUR_IP, IPPROTO_ICMP, 8);
	f[17] = 24;	/* 4 bytes of ICMP */
	fix_ip_csum(f);
	ok(!echo_reflect(&cfg, f, len, &cnt) && cnt.truncated == before + 1, "ICMP header cut");
	before = cnt.truncated;
	len = build_arp(f, OUR_IP, 1);
	ok(!echo_reflect(&cfg, f, 30, &cnt) && cnt.truncated == before + 1, "ARP cut");
}

static void test_fuzz(void)
{
	uint8_t f[1600];
	int escaped = 0, bad_reply = 0;

	srand(21);
	for (int round = 0; round < 100000; round++) {
		unsigned len, kind = (unsigned)rand() % 3;
		if (kind == 0)
			len = build_arp(f, OUR_IP, 1);
		else
			len = build_ip(f, OUR_IP, kind == 1 ? IPPROTO_ICMP : IPPROTO_UDP,
				       8 + (unsigned)rand() % 200);
		for (int k = rand() % 4; k >= 0; k--)
			f[(unsigned)rand() % len] ^= (uint8_t)(1 + rand() % 255);
		if (rand() % 4 == 0)
			len = (unsigned)rand() % (len + 1);
		uint8_t *copy = malloc(len ? len : 1);	/* exact size: ASan sees overruns */
		memcpy(copy, f, len);
		uint64_t all = total(&cnt);
		bool reply = echo_reflect(&cfg, copy, len, &cnt);
		escaped += total(&cnt) != all + 1;
		/* A reply goes from us back to whoever sent the request. */
		if (reply && copy[12] == 0x08 && copy[13] == 0x00) {
			struct iphdr req, rep;
			memcpy(&req, f + 14, 20);
			memcpy(&rep, copy + 14, 20);
			if (inet_csum(copy + 14, rep.ihl * 4u) != 0 ||
			    rep.saddr != htonl(OUR_IP) || rep.daddr != req.saddr ||
			    memcmp(copy, f + 6, 6) || memcmp(copy + 6, OURS, 6))
				bad_reply++;
		}
		free(copy);
	}
	ok(escaped == 0, "100000 mutated frames: each counted exactly once");
	ok(bad_reply == 0, "every IPv4 reply to a mutated frame goes back to its sender, checksummed");
}

int main(void)
{
	memcpy(cfg.mac, OURS, 6);
	cfg.ip = OUR_IP;
	test_replies();
	test_malformed();
	test_fuzz();
	return done_testing();
}
