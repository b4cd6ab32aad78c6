/* SPDX-License-Identifier: BSD-3-Clause */
#include <skiff/inet.h>
#include <linux/icmp.h>
#include <linux/in.h>
#include <linux/ip.h>
#include "arp.h"
#include "l3.h"

#define IP_MF		0x2000
#define IP_OFFSET	0x1fff
#define BROADCAST_MAC	0xffffffffffffull

STATIC_ASSERT(FWD_BURST * (NEIGH_QMAX + 1) <= FWD_TXQ_RESERVE,
	      "a burst of ARP packets releasing held frames fits the TX queue reserve");

uint64_t l3_malformed(const struct l3_counters *c)
{
	return c->truncated + c->bad_version + c->bad_ihl + c->bad_length + c->bad_ip_csum +
	       c->bad_icmp_csum;
}

void l3_init(struct l3 *r, const struct l3_cfg *cfg, struct fwd_io *io)
{
	memset(r, 0, sizeof(*r));
	r->cfg = *cfg;
	r->io = io;
	ratelimit_init(&r->icmp_rl, cfg->icmp_interval, cfg->icmp_burst);
}

#define DROP(r, in, nb, counter)			\
	do {						\
		(r)->cnt.counter++;			\
		fwd_drop((r)->io, (in), (nb));		\
	} while (0)

static bool in_subnet(const struct l3_port *p, uint32_t ip)
{
	return ((ip ^ p->ip) & p->mask) == 0;
}

/* The directed broadcast of a port's subnet (/31 and /32 have none). */
static bool subnet_broadcast(const struct l3_port *p, uint32_t ip)
{
	return in_subnet(p, ip) && (ip | p->mask) == ~0u && p->mask < 0xfffffffeu;
}

static bool ours(const struct l3 *r, uint32_t ip)
{
	return ip == r->cfg.port[0].ip || ip == r->cfg.port[1].ip;
}

/* RFC 1812 5.3.7: never a source, and 0/8 and 127/8 never a destination. */
static bool martian(const struct l3 *r, uint32_t src, uint32_t dst)
{
	uint8_t s = (uint8_t)(src >> 24), d = (uint8_t)(dst >> 24);

	return s == 0 || s == 127 || s >= 224 || d == 0 || d == 127 || ours(r, src) ||
	       subnet_broadcast(&r->cfg.port[0], src) || subnet_broadcast(&r->cfg.port[1], src);
}

static bool unicast(const struct l3 *r, uint32_t dst)
{
	return dst < 0xe0000000u && !subnet_broadcast(&r->cfg.port[0], dst) &&
	       !subnet_broadcast(&r->cfg.port[1], dst);
}

static void set_macs(uint8_t *f, const uint8_t dst[6], const uint8_t src[6])
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
}

/*
 * The ICMP error @type/@code about @nb (valid IPv4, received on @in) back
 * to its sender, in the same netbuf; or @nb dropped when no error may go.
 * The caller has counted why the frame was not forwarded.
 */
static void icmp_error(struct l3 *r, unsigned in, struct netbuf *nb, uint8_t type,
		       uint8_t code, uint64_t now)
{
	uint8_t *f = netbuf_data(nb);
	unsigned ihl = (f[ETH_HLEN] & 0xf) * 4u;
	uint16_t tot_be;

	memcpy(&tot_be, f + ETH_HLEN + 2, 2);
	unsigned tot = ntohs(tot_be);
	if (!icmp_error_allowed(f + ETH_HLEN, ihl, tot)) {
		fwd_drop(r->io, in, nb);
		return;
	}
	if (!ratelimit_take(&r->icmp_rl, now)) {
		r->cnt.icmp_limited++;
		fwd_drop(r->io, in, nb);
		return;
	}
	/* The error is at most 14 + 28 + 60 + 8 bytes: any RX buffer holds it. */
	if (ETH_HLEN + ICMP_ERROR_ROOM + ihl + 8 > nb->data_len + netbuf_tailroom(nb)) {
		r->cnt.nobuf++;
		fwd_drop(r->io, in, nb);
		return;
	}
	if (nb->next) {		/* the quote is all in the first segment */
		netbuf_free(nb->next);
		nb->next = NULL;
		nb->nb_segs = 1;
	}
	uint32_t len = icmp_error_build(f, ihl, tot, type, code, r->cfg.port[in].ip,
					r->cfg.port[in].mac, r->ip_id++);
	nb->data_len = (uint16_t)len;
	nb->pkt_len = len;
	r->cnt.icmp_errors++;
	fwd_send(r->io, in, nb);
}

/* Sends an ARP request for @n's address (counting a try), if a netbuf can be had. */
static void solicit(struct l3 *r, struct neigh *n, uint64_t now)
{
	const struct l3_port *p = &r->cfg.port[n->port];
	struct netbuf *nb = netbuf_alloc(p->pool);
	uint8_t *f = nb ? netbuf_append(nb, ARP_FRAME_PAD) : NULL;

	if (unlikely(!f)) {
		netbuf_free(nb);
		r->cnt.nobuf++;		/* the next tick tries again */
		return;
	}
	arp_request_build(f, p->mac, p->ip, n->ip);
	r->cnt.arp_requests++;
	fwd_send(r->io, n->port, nb);
	n->tries++;
	n->next_try = now + r->cfg.arp_retry;
}

/* An ARP packet from @n: its MAC is (still) @mac; what it held goes out. */
static void confirm(struct l3 *r, struct neigh *n, const uint8_t mac[6], uint64_t now)
{
	const struct l3_port *p = &r->cfg.port[n->port];

	memcpy(n->mac, mac, 6);
	n->state = NEIGH_REACHABLE;
	n->confirmed = now;
	n->probing = false;
	n->tries = 0;
	for (unsigned k = 0; k < n->nq; k++) {
		set_macs(netbuf_data(n->q[k]), n->mac, p->mac);
		r->cnt.released++;
		fwd_forward(r->io, n->port, n->q[k]);
	}
	r->neigh.held -= n->nq;
	n->nq = 0;
}

/* @nb (IPv4, TTL already lowered) to next hop @nh on port @out. */
static void send_to(struct l3 *r, unsigned in, unsigned out, uint32_t nh, struct netbuf *nb,
		    uint64_t now)
{
	struct neigh *n = neigh_find(&r->neigh, out, nh);

	if (likely(n && n->state == NEIGH_REACHABLE)) {
		if (unlikely(now - n->confirmed > r->cfg.arp_timeout) && !n->probing) {
			/* Keep using the MAC while asking whether it still holds. */
			n->probing = true;
			n->tries = 0;
			n->next_try = now;
		}
		set_macs(netbuf_data(nb), n->mac, r->cfg.port[out].mac);
		r->cnt.forwarded++;
		fwd_forward(r->io, out, nb);
		return;
	}
	if (!n) {
		if (!(n = neigh_slot(&r->neigh, out, nh))) {
			DROP(r, in, nb, neigh_full);
			return;
		}
		n->state = NEIGH_INCOMPLETE;
		solicit(r, n, now);
	}
	if (n->nq >= r->cfg.arp_queue || r->neigh.held >= NEIGH_HELD_MAX) {
		DROP(r, in, nb, queue_full);
		return;
	}
	n->q[n->nq++] = nb;
	r->neigh.held++;
	r->cnt.held++;
}

static void local(struct l3 *r, unsigned in, struct netbuf *nb, const struct iphdr *ip,
		  unsigned ihl, unsigned tot)
{
	uint8_t *f = netbuf_data(nb), *icmp = f + ETH_HLEN + ihl;

	if (ip->frag_off & htons(IP_MF | IP_OFFSET))
		DROP(r, in, nb, fragments);	/* no reassembly */
	else if (ip->protocol != IPPROTO_ICMP)
		DROP(r, in, nb, ignored);
	else if (tot - ihl < sizeof(struct icmphdr))
		DROP(r, in, nb, truncated);
	else if (inet_csum(icmp, tot - ihl) != 0)
		DROP(r, in, nb, bad_icmp_csum);
	else if (icmp[0] != ICMP_ECHO || icmp[1] != 0)
		DROP(r, in, nb, ignored);
	else {
		icmp_echo_reply(f, ihl, r->cfg.port[in].mac);
		r->cnt.echo_replies++;
		fwd_send(r->io, in, nb);
	}
}

static void ipv4(struct l3 *r, unsigned in, struct netbuf *nb, bool l2_bcast, uint64_t now)
{
	uint8_t *f = netbuf_data(nb);
	uint32_t len = nb->data_len;
	struct iphdr ip;
	unsigned ihl, tot;

	if (len < ETH_HLEN + sizeof(ip)) {
		DROP(r, in, nb, truncated);
		return;
	}
	memcpy(&ip, f + ETH_HLEN, sizeof(ip));
	ihl = ip.ihl * 4u;
	tot = ntohs(ip.tot_len);
	if (ip.version != 4) {
		DROP(r, in, nb, bad_version);
		return;
	}
	if (ip.ihl < 5) {
		DROP(r, in, nb, bad_ihl);
		return;
	}
	if (ETH_HLEN + ihl > len) {
		DROP(r, in, nb, truncated);
		return;
	}
	if (tot < ihl || ETH_HLEN + tot > len) {
		DROP(r, in, nb, bad_length);
		return;
	}
	if (inet_csum(f + ETH_HLEN, ihl) != 0) {
		DROP(r, in, nb, bad_ip_csum);
		return;
	}

	uint32_t src = ntohl(ip.saddr), dst = ntohl(ip.daddr);
	if (martian(r, src, dst)) {
		DROP(r, in, nb, martian);
		return;
	}
	if (ours(r, dst)) {
		local(r, in, nb, &ip, ihl, tot);
		return;
	}
	if (l2_bcast || !unicast(r, dst)) {
		DROP(r, in, nb, not_unicast);
		return;
	}
	const struct route *rt = route_lookup(r->cfg.routes, dst);
	if (!rt) {
		r->cnt.no_route++;
		icmp_error(r, in, nb, ICMP_DEST_UNREACH, ICMP_NET_UNREACH, now);
		return;
	}
	if (ip.ttl <= 1) {
		r->cnt.ttl_exceeded++;
		icmp_error(r, in, nb, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, now);
		return;
	}
	/* TTL and protocol share a 16-bit word of the header: RFC 1624. */
	uint8_t *ttl = f + ETH_HLEN + offsetof(struct iphdr, ttl);
	uint16_t old_word, new_word;
	memcpy(&old_word, ttl, 2);
	ttl[0]--;
	memcpy(&new_word, ttl, 2);
	ip.check = inet_csum_update16(ip.check, old_word, new_word);
	memcpy(f + ETH_HLEN + offsetof(struct iphdr, check), &ip.check, 2);

	send_to(r, in, rt->port, rt->gw ? rt->gw : dst, nb, now);
}

static void arp(struct l3 *r, unsigned in, struct netbuf *nb, uint64_t now)
{
	const struct l3_port *p = &r->cfg.port[in];
	uint8_t *f = netbuf_data(nb);
	struct arp_info a;

	if (nb->data_len < ARP_FRAME_LEN) {
		DROP(r, in, nb, truncated);
		return;
	}
	if (!arp_read(f, &a) || (a.op != ARPOP_REQUEST && a.op != ARPOP_REPLY)) {
		DROP(r, in, nb, ignored);
		return;
	}
	if (mac48_is_group(mac48(a.sha))) {
		DROP(r, in, nb, martian);
		return;
	}
	bool for_us = a.tpa == p->ip;
	/* Learn only neighbours of this port's subnet (RFC 826's merge: an
	 * entry is updated by any packet from it, created when it asks us). */
	if (a.spa != p->ip && in_subnet(p, a.spa) && !subnet_broadcast(p, a.spa) &&
	    (a.spa & ~p->mask)) {
		struct neigh *n = neigh_find(&r->neigh, in, a.spa);
		if (!n && for_us && (n = neigh_slot(&r->neigh, in, a.spa)))
			n->state = NEIGH_REACHABLE;
		if (n)
			confirm(r, n, a.sha, now);
	}
	if (a.op == ARPOP_REQUEST && for_us) {
		arp_reply_build(f, p->mac, p->ip);
		r->cnt.arp_replies++;
		fwd_send(r->io, in, nb);
		return;
	}
	DROP(r, in, nb, arp_seen);
}

static void frame(struct l3 *r, unsigned in, struct netbuf *nb, uint64_t now)
{
	const uint8_t *f = netbuf_data(nb);
	uint16_t type;

	if (unlikely(nb->data_len < ETH_HLEN)) {
		DROP(r, in, nb, truncated);
		return;
	}
	uint64_t dst = mac48(f);
	bool bcast = dst == BROADCAST_MAC;
	if (dst != mac48(r->cfg.port[in].mac) && !bcast) {
		DROP(r, in, nb, not_for_us);
		return;
	}
	memcpy(&type, f + 12, 2);
	if (likely(type == htons(ETH_P_IP)))
		ipv4(r, in, nb, bcast, now);
	else if (type == htons(ETH_P_ARP))
		arp(r, in, nb, now);
	else
		DROP(r, in, nb, ignored);
}

void l3_input(struct l3 *r, unsigned in, struct netbuf **bufs, unsigned n, uint64_t now)
{
	for (unsigned i = 0; i < n; i++) {
		bufs[i]->port = (uint16_t)in;	/* held frames remember where from */
		frame(r, in, bufs[i], now);
	}
	fwd_free_flush(r->io);
}

/* Resolution of @n failed: host unreachable for what it held. */
static void give_up(struct l3 *r, struct neigh *n, uint64_t now)
{
	for (unsigned k = 0; k < n->nq; k++) {
		r->cnt.arp_failed++;
		icmp_error(r, n->q[k]->port, n->q[k], ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, now);
	}
	r->neigh.held -= n->nq;
	n->nq = 0;
	n->state = NEIGH_FREE;
}

void l3_tick(struct l3 *r, uint64_t now)
{
	for (unsigned i = 0; i < NEIGH_SETS * NEIGH_WAYS; i++) {
		struct neigh *n = neigh_at(&r->neigh, i);

		if (n->state == NEIGH_FREE ||
		    (n->state == NEIGH_REACHABLE && !n->probing) || now < n->next_try)
			continue;
		if (n->tries < r->cfg.arp_tries)
			solicit(r, n, now);
		else
			give_up(r, n, now);
	}
	fwd_free_flush(r->io);
}

void l3_flush(struct l3 *r)
{
	for (unsigned i = 0; i < NEIGH_SETS * NEIGH_WAYS; i++) {
		struct neigh *n = neigh_at(&r->neigh, i);

		for (unsigned k = 0; k < n->nq; k++)
			fwd_drop(r->io, n->q[k]->port, n->q[k]);
		r->neigh.held -= n->nq;
		n->nq = 0;
	}
	fwd_free_flush(r->io);
}
