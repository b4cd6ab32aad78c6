/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * echo's frame logic: decide what to do with a received frame and, for a
 * reply, rewrite it in place (no copy, no allocation). Pure code, unit-tested
 * and fuzzed on the host.
 *
 *   ARP request for our address      -> ARP reply with our MAC
 *   ICMP echo request to us          -> echo reply, payload unchanged
 *   UDP to us (any port or port=)    -> the datagram back to its sender
 *                                       (addresses and ports swapped: the
 *                                       checksums stay valid as they are)
 *   mode l2: any frame               -> back with the MACs swapped
 *
 * Everything else is dropped into a named counter: malformed frames
 * (truncated headers, bad IHL or lengths, bad checksums, fragments), frames
 * for other hosts, protocols echo does not answer.
 */
#ifndef SKIFF_ECHO_REFLECT_H
#define SKIFF_ECHO_REFLECT_H

#include <skiff/compiler.h>

struct echo_cfg {
	uint8_t mac[6];
	uint32_t ip;		/* host order */
	uint16_t udp_port;	/* 0: every port */
	bool l2;		/* reflect every frame, MACs swapped */
};

/* X-macro: every counter, in report order. */
#define ECHO_COUNTERS(X)                                                    \
	X(arp_replies) X(icmp_replies) X(udp_replies) X(l2_replies)         \
	X(not_for_us) X(ignored)                                            \
	X(truncated) X(bad_ihl) X(bad_length) X(bad_ip_csum) X(fragments)   \
	X(bad_icmp_csum) X(bad_udp_csum)

struct echo_counters {
#define ECHO_FIELD(name) uint64_t name;
	ECHO_COUNTERS(ECHO_FIELD)
#undef ECHO_FIELD
};

/* Malformed-frame counters summed (truncated .. bad_udp_csum). */
uint64_t echo_malformed(const struct echo_counters *c);

/*
 * Handles @frame of @len bytes: returns true if it now holds the reply (same
 * length) to send back, false if it is to be dropped. Counts either way.
 */
bool echo_reflect(const struct echo_cfg *cfg, uint8_t *frame, uint32_t len,
		  struct echo_counters *cnt);

#endif
