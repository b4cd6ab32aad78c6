/* SPDX-License-Identifier: BSD-3-Clause */
/* What echo and fwd share of ARP (RFC 826). */
#ifndef SKIFF_NF_ARP_H
#define SKIFF_NF_ARP_H

#include <skiff/compiler.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>

/* The Ethernet/IPv4 body of an ARP packet; the UAPI headers stop at
 * struct arphdr. */
struct arp_ipv4 {
	struct arphdr hdr;
	uint8_t sha[ETH_ALEN];
	uint8_t spa[4];
	uint8_t tha[ETH_ALEN];
	uint8_t tpa[4];
} __packed;

#endif
