/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP messages the router originates, written over the frame that caused
 * them (no allocation), and the rate limit on errors.
 */
#ifndef SKIFF_FWD_ICMP_H
#define SKIFF_FWD_ICMP_H

#include <skiff/compiler.h>

/* Bytes an ICMP error adds in front of the quoted header: IPv4 + ICMP. */
#define ICMP_ERROR_ROOM	28

/*
 * Turns the Ethernet/IPv4 frame @f (IPv4 header valid, @ihl bytes, total
 * length @tot) into an ICMP error of @type/@code about it, from @src_ip
 * (host order) and @src_mac back to the frame's sender: its IPv4 header and
 * the first 8 bytes of its payload are quoted (RFC 792), after a new IPv4
 * header (TTL 64, precedence 6 as RFC 1812 4.3.2.5 asks) and the ICMP
 * header, both checksummed. @f must have room for the result: 14 + 28 +
 * ihl + 8 bytes at most. Returns the new frame length.
 */
uint32_t icmp_error_build(uint8_t *f, unsigned ihl, unsigned tot, uint8_t type,
			  uint8_t code, uint32_t src_ip, const uint8_t src_mac[6],
			  uint16_t ip_id);

/*
 * Whether RFC 1812 4.3.2.7 lets a router send an error about the IPv4
 * packet at @ip (header valid, @ihl, total length @tot): not about an ICMP
 * error (only about queries), nor about a fragment other than the first.
 * Addresses are the caller's to check (unicast source, unicast frame).
 */
bool icmp_error_allowed(const uint8_t *ip, unsigned ihl, unsigned tot);

/*
 * Makes the ICMP echo request in Ethernet/IPv4 frame @f (checked: valid
 * header of @ihl bytes, ICMP checksum good) the reply: type 0 (checksum
 * updated incrementally), addresses swapped, TTL 64 (header checksum
 * recomputed), MACs from @mac back to the sender.
 */
void icmp_echo_reply(uint8_t *f, unsigned ihl, const uint8_t mac[6]);

/*
 * The rate limit on errors: a token bucket of @burst tokens refilled at one
 * per @interval TSC ticks, kept as the time the bucket is next empty (the
 * generic cell rate algorithm), so a check costs a compare and an add, not
 * a division. Only frames that would get an error are checked.
 */
struct ratelimit {
	uint64_t tat;		/* the bucket is full again at this TSC */
	uint64_t interval;	/* ticks per token; 0: never allow */
	uint64_t tolerance;	/* (burst - 1) * interval */
};

static inline void ratelimit_init(struct ratelimit *rl, uint64_t interval, unsigned burst)
{
	rl->tat = 0;
	rl->interval = interval;
	rl->tolerance = burst ? (burst - 1) * interval : 0;
}

/* true (and a token taken) if an error may go out at @now. */
static inline bool ratelimit_take(struct ratelimit *rl, uint64_t now)
{
	uint64_t t = MAX(rl->tat, now);

	if (!rl->interval || t - now > rl->tolerance)
		return false;
	rl->tat = t + rl->interval;
	return true;
}

#endif
