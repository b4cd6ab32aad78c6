/* What fwd's unit tests share: netbuf pools on malloc'd memory (their
 * in-use count finds leaks) and frame builders with valid checksums. */
#ifndef TEST_FWD_H
#define TEST_FWD_H

#include <stdlib.h>
#include <skiff/inet.h>
#include <linux/icmp.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include "fwd.h"
#include "tap.h"

#define ROOM	(2048 - 64)

static inline struct netbuf_pool *pool_new(const char *name, unsigned n)
{
	size_t len = netbuf_pool_memsize(n, ROOM, 0);

	return netbuf_pool_create(name, n, ROOM, 0, malloc(len), len);
}

static inline uint64_t pool_in_use(const struct netbuf_pool *np)
{
	struct netbuf_pool_stats st;

	netbuf_pool_stats(np, &st);
	return st.in_use;
}

/* A netbuf from @np holding @len bytes of @frame, as a driver delivers it. */
static inline struct netbuf *nb_of(struct netbuf_pool *np, const uint8_t *frame, unsigned len)
{
	struct netbuf *nb = netbuf_alloc(np);

	memcpy(netbuf_append(nb, len), frame, len);
	return nb;
}

static inline void eth(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = (uint8_t)(type >> 8);
	f[13] = (uint8_t)type;
}

/*
 * Ethernet/IPv4 from @src to @dst (host order) with @ttl and @l4_len bytes
 * of @proto: ICMP is an echo request, anything else a patterned payload.
 * Checksums valid. Returns the frame length (at least 60: padded).
 */
static inline unsigned ip_frame(uint8_t *f, const uint8_t dmac[6], const uint8_t smac[6],
				uint32_t src, uint32_t dst, uint8_t proto, uint8_t ttl,
				unsigned l4_len)
{
	struct iphdr ip = { .version = 4, .ihl = 5, .ttl = ttl, .protocol = proto };
	unsigned len = ETH_HLEN + 20 + l4_len;

	eth(f, dmac, smac, ETH_P_IP);
	ip.tot_len = htons((uint16_t)(20 + l4_len));
	ip.id = htons(0x4242);
	ip.saddr = htonl(src);
	ip.daddr = htonl(dst);
	ip.check = inet_csum(&ip, 20);
	memcpy(f + ETH_HLEN, &ip, 20);
	uint8_t *l4 = f + ETH_HLEN + 20;
	for (unsigned i = 0; i < l4_len; i++)
		l4[i] = (uint8_t)(i * 7 + 3);
	if (proto == IPPROTO_ICMP && l4_len >= 8) {
		struct icmphdr h = { .type = ICMP_ECHO, .un.echo = { htons(7), htons(1) } };
		memcpy(l4, &h, sizeof(h));
		h.checksum = inet_csum(l4, l4_len);
		memcpy(l4, &h, sizeof(h));
	}
	for (; len < 60; len++)
		f[len] = 0;
	return len;
}

/* Ethernet/ARP @op from @sha/@spa asking for (or answering) @tpa. */
static inline unsigned arp_frame(uint8_t *f, const uint8_t dmac[6], uint16_t op,
				 const uint8_t sha[6], uint32_t spa, const uint8_t tha[6],
				 uint32_t tpa)
{
	uint8_t body[28] = { 0, 1, 8, 0, 6, 4, 0, (uint8_t)op };
	uint32_t s = htonl(spa), t = htonl(tpa);

	eth(f, dmac, sha, ETH_P_ARP);
	memcpy(body + 8, sha, 6);
	memcpy(body + 14, &s, 4);
	memcpy(body + 18, tha, 6);
	memcpy(body + 24, &t, 4);
	memcpy(f + ETH_HLEN, body, 28);
	memset(f + 42, 0, 18);
	return 60;
}

static inline struct iphdr ip_of(const uint8_t *f)
{
	struct iphdr ip;

	memcpy(&ip, f + ETH_HLEN, sizeof(ip));
	return ip;
}

/* Takes the frames waiting on @io's TX queue @p into @out (at most @max). */
static inline unsigned take(struct fwd_io *io, unsigned p, struct netbuf **out, unsigned max)
{
	struct fwd_txq *q = &io->txq[p];
	unsigned n = 0;

	while (q->off < q->n && n < max)
		out[n++] = q->bufs[q->off++];
	if (q->off == q->n)
		q->off = q->n = 0;
	return n;
}

static inline void free_all(struct netbuf **bufs, unsigned n)
{
	netbuf_free_bulk(bufs, n);
}

#endif
