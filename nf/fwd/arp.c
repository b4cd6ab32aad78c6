/* SPDX-License-Identifier: BSD-3-Clause */
#include <skiff/inet.h>
#include <skiff/string.h>
#include "arp.h"

bool arp_read(const uint8_t *f, struct arp_info *a)
{
	struct arp_ipv4 p;
	uint32_t spa, tpa;

	memcpy(&p, f + ETH_HLEN, sizeof(p));
	if (p.hdr.ar_hrd != htons(ARPHRD_ETHER) || p.hdr.ar_pro != htons(ETH_P_IP) ||
	    p.hdr.ar_hln != ETH_ALEN || p.hdr.ar_pln != 4)
		return false;
	memcpy(&spa, p.spa, 4);
	memcpy(&tpa, p.tpa, 4);
	a->op = ntohs(p.hdr.ar_op);
	a->spa = ntohl(spa);
	a->tpa = ntohl(tpa);
	memcpy(a->sha, p.sha, ETH_ALEN);
	return true;
}

void arp_request_build(uint8_t *f, const uint8_t mac[6], uint32_t spa, uint32_t tpa)
{
	struct arp_ipv4 p = {
		.hdr = { .ar_hrd = htons(ARPHRD_ETHER), .ar_pro = htons(ETH_P_IP),
			 .ar_hln = ETH_ALEN, .ar_pln = 4, .ar_op = htons(ARPOP_REQUEST) },
	};
	uint32_t s = htonl(spa), t = htonl(tpa);
	uint16_t type = htons(ETH_P_ARP);

	memcpy(p.sha, mac, ETH_ALEN);
	memcpy(p.spa, &s, 4);
	memcpy(p.tpa, &t, 4);
	memset(f, 0xff, ETH_ALEN);
	memcpy(f + ETH_ALEN, mac, ETH_ALEN);
	memcpy(f + 12, &type, 2);
	memcpy(f + ETH_HLEN, &p, sizeof(p));
	memset(f + ARP_FRAME_LEN, 0, ARP_FRAME_PAD - ARP_FRAME_LEN);
}

void arp_reply_build(uint8_t *f, const uint8_t mac[6], uint32_t spa)
{
	struct arp_ipv4 p;
	uint32_t s = htonl(spa);

	memcpy(&p, f + ETH_HLEN, sizeof(p));
	p.hdr.ar_op = htons(ARPOP_REPLY);
	memcpy(p.tha, p.sha, ETH_ALEN);
	memcpy(p.tpa, p.spa, 4);
	memcpy(p.sha, mac, ETH_ALEN);
	memcpy(p.spa, &s, 4);
	memcpy(f + ETH_HLEN, &p, sizeof(p));
	memcpy(f, p.tha, ETH_ALEN);
	memcpy(f + ETH_ALEN, mac, ETH_ALEN);
}
