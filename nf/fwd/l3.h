/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fwd mode=l3: an IPv4 router between two ports (RFC 1812, the parts a
 * two-port static router needs). Per received frame, pure code on netbufs:
 *
 *   ARP request for the port's address   -> reply, in place
 *   ARP from a neighbour in the subnet   -> its entry confirmed (created if
 *                                           it asked for us); frames held
 *                                           for it are sent
 *   ICMP echo request to either address  -> echo reply, in place, back out
 *                                           the port it came from
 *   IPv4 to elsewhere                    -> longest-prefix route; TTL - 1
 *                                           (checksum updated per RFC 1624);
 *                                           MACs rewritten; out of the
 *                                           route's port, as the same netbuf
 *   ... next hop not resolved yet        -> held (NEIGH_QMAX per neighbour)
 *                                           while ARP asks, every arp_retry
 *                                           ticks, arp_tries times; then
 *                                           host unreachable for each
 *   ... no route                         -> ICMP net unreachable
 *   ... TTL 0 or 1                       -> ICMP time exceeded
 *
 * ICMP errors go back out the port the frame came from, to the neighbour
 * that sent it, from that port's address; they quote the IPv4 header and 8
 * bytes (RFC 792), are never sent about ICMP errors or later fragments
 * (RFC 1812 4.3.2.7), and are rate-limited (a token bucket on the TSC).
 * Everything else is dropped into a named counter: malformed frames, frames
 * for other MACs, martian addresses (RFC 1812 5.3.7), broadcast and
 * multicast (not forwarded), protocols and EtherTypes the router does not
 * handle.
 */
#ifndef SKIFF_FWD_L3_H
#define SKIFF_FWD_L3_H

#include "fwd.h"
#include "icmp.h"
#include "neigh.h"
#include "route.h"

/* What becomes of each received frame: exactly one of these. */
#define L3_FATES(X)                                                         \
	X(forwarded) X(held) X(arp_replies) X(arp_seen) X(echo_replies)     \
	X(ttl_exceeded) X(no_route) X(not_for_us) X(not_unicast) X(martian) \
	X(ignored) X(fragments) X(queue_full) X(neigh_full)                 \
	X(truncated) X(bad_version) X(bad_ihl) X(bad_length)                \
	X(bad_ip_csum) X(bad_icmp_csum)
/* Events: held frames sent or given up, ARP requests and ICMP errors sent
 * or held back by the rate limit, netbufs the pool could not give. */
#define L3_EVENTS(X)                                                        \
	X(released) X(arp_failed) X(arp_requests) X(icmp_errors)            \
	X(icmp_limited) X(nobuf)
#define L3_COUNTERS(X) L3_FATES(X) L3_EVENTS(X)

struct l3_counters {
#define L3_FIELD(name) uint64_t name;
	L3_COUNTERS(L3_FIELD)
#undef L3_FIELD
};

/* Malformed-frame counters summed (truncated .. bad_icmp_csum). */
uint64_t l3_malformed(const struct l3_counters *c);

struct l3_port {
	uint8_t mac[6];
	uint32_t ip, mask;		/* host order */
	struct netbuf_pool *pool;	/* where its ARP requests come from */
};

struct l3_cfg {
	struct l3_port port[FWD_PORTS];
	const struct route_table *routes;
	unsigned arp_queue;		/* frames held per neighbour, 0..NEIGH_QMAX */
	unsigned arp_tries;		/* requests before giving up, >= 1 */
	uint64_t arp_retry;		/* TSC ticks between requests */
	uint64_t arp_timeout;		/* ticks an answer is trusted before a probe */
	uint64_t icmp_interval;		/* ticks per ICMP error token; 0: none */
	unsigned icmp_burst;		/* tokens the bucket holds */
};

struct l3 {
	struct l3_cfg cfg;
	struct fwd_io *io;
	struct l3_counters cnt;
	struct ratelimit icmp_rl;
	uint16_t ip_id;
	struct neigh_table neigh;
};

void l3_init(struct l3 *r, const struct l3_cfg *cfg, struct fwd_io *io);

/* Routes bufs[0..n), received on port @in at TSC @now. */
void l3_input(struct l3 *r, unsigned in, struct netbuf **bufs, unsigned n, uint64_t now);

/* Asks again for unresolved next hops and probes stale ones, gives up on
 * those that did not answer: call it every few milliseconds. */
void l3_tick(struct l3 *r, uint64_t now);

/* Frames held for ARP. */
static inline unsigned l3_held(const struct l3 *r)
{
	return r->neigh.held;
}

/* Drops every held frame (counted in io->drop): before stopping. */
void l3_flush(struct l3 *r);

#endif
