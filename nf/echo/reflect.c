/* SPDX-License-Identifier: BSD-3-Clause */
#include <skiff/inet.h>
#include <skiff/string.h>
#include <linux/icmp.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include "../lib/arp.h"
#include "reflect.h"

#define IP_MF		0x2000
#define IP_OFFSET	0x1fff

uint64_t echo_malformed(const struct echo_counters *c)
{
	return c->truncated + c->bad_ihl + c->bad_length + c->bad_ip_csum + c->fragments +
	       c->bad_icmp_csum + c->bad_udp_csum;
}

static void swap_macs(uint8_t *frame, const uint8_t *ours)
{
	memcpy(frame, frame + ETH_ALEN, ETH_ALEN);
	memcpy(frame + ETH_ALEN, ours, ETH_ALEN);
}

static bool arp(const struct echo_cfg *cfg, uint8_t *frame, uint32_t len,
		struct echo_counters *cnt)
{
	struct arp_ipv4 a;
	uint32_t our_ip = htonl(cfg->ip);

	if (len < ETH_HLEN + sizeof(a)) {
		cnt->truncated++;
		return false;
	}
	memcpy(&a, frame + ETH_HLEN, sizeof(a));
	if (a.hdr.ar_hrd != htons(ARPHRD_ETHER) || a.hdr.ar_pro != htons(ETH_P_IP) ||
	    a.hdr.ar_hln != ETH_ALEN || a.hdr.ar_pln != 4 ||
	    a.hdr.ar_op != htons(ARPOP_REQUEST)) {
		cnt->ignored++;
		return false;
	}
	if (memcmp(a.tpa, &our_ip, 4) != 0) {
		cnt->not_for_us++;
		return false;
	}
	a.hdr.ar_op = htons(ARPOP_REPLY);
	memcpy(a.tha, a.sha, ETH_ALEN);
	memcpy(a.tpa, a.spa, 4);
	memcpy(a.sha, cfg->mac, ETH_ALEN);
	memcpy(a.spa, &our_ip, 4);
	memcpy(frame + ETH_HLEN, &a, sizeof(a));
	memcpy(frame, a.tha, ETH_ALEN);
	memcpy(frame + ETH_ALEN, cfg->mac, ETH_ALEN);
	cnt->arp_replies++;
	return true;
}

static bool icmp(uint8_t *l4, uint32_t l4_len, struct echo_counters *cnt)
{
	struct icmphdr h;

	if (l4_len < sizeof(h)) {
		cnt->truncated++;
		return false;
	}
	if (inet_csum(l4, l4_len) != 0) {
		cnt->bad_icmp_csum++;
		return false;
	}
	memcpy(&h, l4, sizeof(h));
	if (h.type != ICMP_ECHO || h.code != 0) {
		cnt->ignored++;
		return false;
	}
	/* Only the type changes (8 -> 0): one word of the checksum. */
	uint16_t old_word, new_word;
	memcpy(&old_word, &h, 2);
	h.type = ICMP_ECHOREPLY;
	memcpy(&new_word, &h, 2);
	h.checksum = inet_csum_update16(h.checksum, old_word, new_word);
	memcpy(l4, &h, sizeof(h));
	cnt->icmp_replies++;
	return true;
}

static bool udp(const struct echo_cfg *cfg, const struct iphdr *ip, uint8_t *l4,
		uint32_t l4_len, struct echo_counters *cnt)
{
	struct udphdr h;

	if (l4_len < sizeof(h)) {
		cnt->truncated++;
		return false;
	}
	memcpy(&h, l4, sizeof(h));
	if (ntohs(h.len) < sizeof(h) || ntohs(h.len) > l4_len) {
		cnt->bad_length++;
		return false;
	}
	if (h.check && inet_csum_l4(ip->saddr, ip->daddr, IPPROTO_UDP, l4, ntohs(h.len))) {
		cnt->bad_udp_csum++;
		return false;
	}
	if (cfg->udp_port && h.dest != htons(cfg->udp_port)) {
		cnt->ignored++;
		return false;
	}
	/* Swapped ports and (below) addresses leave both checksums valid:
	 * ones' complement sums do not care about order. */
	uint16_t p = h.source;
	h.source = h.dest;
	h.dest = p;
	memcpy(l4, &h, sizeof(h));
	cnt->udp_replies++;
	return true;
}

static bool ipv4(const struct echo_cfg *cfg, uint8_t *frame, uint32_t len,
		 struct echo_counters *cnt)
{
	struct iphdr ip;
	uint32_t hlen, tot;
	bool reply;

	if (len < ETH_HLEN + sizeof(ip)) {
		cnt->truncated++;
		return false;
	}
	memcpy(&ip, frame + ETH_HLEN, sizeof(ip));
	hlen = ip.ihl * 4u;
	tot = ntohs(ip.tot_len);
	if (ip.version != 4 || ip.ihl < 5) {
		cnt->bad_ihl++;
		return false;
	}
	if (ETH_HLEN + hlen > len) {
		cnt->truncated++;
		return false;
	}
	if (tot < hlen || ETH_HLEN + tot > len) {
		cnt->bad_length++;
		return false;
	}
	if (inet_csum(frame + ETH_HLEN, hlen) != 0) {
		cnt->bad_ip_csum++;
		return false;
	}
	if (ip.frag_off & htons(IP_MF | IP_OFFSET)) {
		cnt->fragments++;
		return false;
	}
	if (ip.daddr != htonl(cfg->ip)) {
		cnt->not_for_us++;
		return false;
	}

	uint8_t *l4 = frame + ETH_HLEN + hlen;
	if (ip.protocol == IPPROTO_ICMP)
		reply = icmp(l4, tot - hlen, cnt);
	else if (ip.protocol == IPPROTO_UDP)
		reply = udp(cfg, &ip, l4, tot - hlen, cnt);
	else {
		cnt->ignored++;
		return false;
	}
	if (!reply)
		return false;
	uint32_t a = ip.saddr;
	ip.saddr = ip.daddr;
	ip.daddr = a;
	memcpy(frame + ETH_HLEN, &ip, sizeof(ip));	/* checksum still valid */
	swap_macs(frame, cfg->mac);
	return true;
}

bool echo_reflect(const struct echo_cfg *cfg, uint8_t *frame, uint32_t len,
		  struct echo_counters *cnt)
{
	uint16_t type;

	if (len < ETH_HLEN) {
		cnt->truncated++;
		return false;
	}
	if (cfg->l2) {
		swap_macs(frame, cfg->mac);
		cnt->l2_replies++;
		return true;
	}
	memcpy(&type, frame + 12, 2);
	if (type == htons(ETH_P_ARP))
		return arp(cfg, frame, len, cnt);
	if (type == htons(ETH_P_IP))
		return ipv4(cfg, frame, len, cnt);
	cnt->ignored++;
	return false;
}
