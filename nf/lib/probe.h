/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The probe pktgen puts at the start of every UDP payload, for receivers to
 * detect loss, reordering and duplicates. It fits the 18 payload bytes of a
 * minimum (60-byte) Ethernet/IPv4/UDP frame. Fields are in network byte
 * order, except the sender's TSC (opaque to others).
 *
 *   offset 42: magic "SKIF" | flow (16) | sequence (32, per flow) | TSC (64)
 */
#ifndef SKIFF_NF_PROBE_H
#define SKIFF_NF_PROBE_H

#include <skiff/compiler.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>

#define PROBE_MAGIC	0x534b4946u	/* "SKIF" */
#define PROBE_OFFSET	(ETH_HLEN + sizeof(struct iphdr) + sizeof(struct udphdr))
#define FRAME_MIN	60		/* Ethernet minimum without FCS */
#define FRAME_MAX	1514		/* Ethernet maximum without FCS */
#define WIRE_OVERHEAD	24		/* preamble, SFD, FCS, inter-frame gap */

struct probe {
	uint32_t magic;
	uint16_t flow;
	uint32_t seq;
	uint64_t tsc;
} __packed;

STATIC_ASSERT(PROBE_OFFSET + sizeof(struct probe) == FRAME_MIN,
	      "the probe fills a minimum frame exactly");

#endif
