/* SPDX-License-Identifier: BSD-3-Clause */
/* ARP for Ethernet and IPv4 (RFC 826): the frames the router reads and writes. */
#ifndef SKIFF_FWD_ARP_H
#define SKIFF_FWD_ARP_H

#include "../lib/arp.h"

#define ARP_FRAME_LEN	(ETH_HLEN + sizeof(struct arp_ipv4))	/* 42 */
#define ARP_FRAME_PAD	60	/* what we send: the Ethernet minimum */

/* An ARP packet as the router sees it (addresses in host order). */
struct arp_info {
	uint16_t op;		/* ARPOP_REQUEST, ARPOP_REPLY */
	uint32_t spa, tpa;
	uint8_t sha[ETH_ALEN];
};

/* Reads the ARP packet in frame @f (at least ARP_FRAME_LEN bytes): false if
 * it is not Ethernet/IPv4 ARP. */
bool arp_read(const uint8_t *f, struct arp_info *a);

/* Writes a request for @tpa from @mac/@spa into @f (ARP_FRAME_PAD bytes). */
void arp_request_build(uint8_t *f, const uint8_t mac[6], uint32_t spa, uint32_t tpa);

/* Turns the request in @f into the reply from @mac/@spa, in place. */
void arp_reply_build(uint8_t *f, const uint8_t mac[6], uint32_t spa);

#endif
