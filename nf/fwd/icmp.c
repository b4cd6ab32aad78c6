/* SPDX-License-Identifier: BSD-3-Clause */
#include <skiff/inet.h>
#include <skiff/string.h>
#include <linux/icmp.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include "icmp.h"

#define IP_MF		0x2000
#define IP_OFFSET	0x1fff
#define TOS_PREC_6	0xc0	/* internetwork control */

uint32_t icmp_error_build(uint8_t *f, unsigned ihl, unsigned tot, uint8_t type,
			  uint8_t code, uint32_t src_ip, const uint8_t src_mac[6],
			  uint16_t ip_id)
{
	unsigned quote = ihl + MIN(8u, tot - ihl);
	uint8_t *ip = f + ETH_HLEN, *icmp = ip + sizeof(struct iphdr);
	struct iphdr orig, h = { .version = 4, .ihl = 5, .tos = TOS_PREC_6, .ttl = 64,
				 .protocol = IPPROTO_ICMP };
	struct icmphdr e = { .type = type, .code = code };

	memcpy(&orig, ip, sizeof(orig));
	memmove(ip + ICMP_ERROR_ROOM, ip, quote);
	memcpy(icmp, &e, sizeof(e));
	e.checksum = inet_csum(icmp, sizeof(e) + quote);
	memcpy(icmp, &e, sizeof(e));

	h.tot_len = htons((uint16_t)(ICMP_ERROR_ROOM + quote));
	h.id = htons(ip_id);
	h.saddr = htonl(src_ip);
	h.daddr = orig.saddr;
	h.check = inet_csum(&h, sizeof(h));
	memcpy(ip, &h, sizeof(h));

	memcpy(f, f + ETH_ALEN, ETH_ALEN);	/* back to the sender */
	memcpy(f + ETH_ALEN, src_mac, ETH_ALEN);
	return ETH_HLEN + ICMP_ERROR_ROOM + quote;
}

bool icmp_error_allowed(const uint8_t *ip, unsigned ihl, unsigned tot)
{
	struct iphdr h;

	memcpy(&h, ip, sizeof(h));
	if (h.frag_off & htons(IP_OFFSET))
		return false;	/* not the first fragment */
	if (h.protocol != IPPROTO_ICMP)
		return true;
	if (tot <= ihl)
		return false;	/* cannot tell what it is */
	switch (ip[ihl]) {	/* the ICMP type */
	case ICMP_ECHOREPLY: case ICMP_ECHO: case ICMP_TIMESTAMP: case ICMP_TIMESTAMPREPLY:
	case ICMP_INFO_REQUEST: case ICMP_INFO_REPLY: case ICMP_ADDRESS: case ICMP_ADDRESSREPLY:
		return true;
	default:
		return false;	/* an error, or unknown: treat it as one */
	}
}

void icmp_echo_reply(uint8_t *f, unsigned ihl, const uint8_t mac[6])
{
	uint8_t *ip = f + ETH_HLEN, *icmp = ip + ihl;
	struct iphdr h;
	uint16_t old_word, new_word, csum;

	/* ICMP: only the type changes (8 -> 0), one word of the checksum. */
	memcpy(&old_word, icmp, 2);
	icmp[0] = ICMP_ECHOREPLY;
	memcpy(&new_word, icmp, 2);
	memcpy(&csum, icmp + 2, 2);
	csum = inet_csum_update16(csum, old_word, new_word);
	memcpy(icmp + 2, &csum, 2);

	memcpy(&h, ip, sizeof(h));
	uint32_t a = h.saddr;
	h.saddr = h.daddr;
	h.daddr = a;
	h.ttl = 64;
	h.check = 0;
	memcpy(ip, &h, sizeof(h));
	h.check = inet_csum(ip, ihl);	/* options included */
	memcpy(ip + offsetof(struct iphdr, check), &h.check, 2);

	memcpy(f, f + ETH_ALEN, ETH_ALEN);
	memcpy(f + ETH_ALEN, mac, ETH_ALEN);
}
