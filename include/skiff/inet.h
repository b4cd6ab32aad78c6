/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Byte order and Internet checksums (RFC 1071, incremental updates per
 * RFC 1624) for the NFs. Header layouts come from the Linux UAPI headers
 * (<linux/if_ether.h>, <linux/ip.h>, <linux/udp.h>, <linux/icmp.h>,
 * <linux/if_arp.h>). Pure code: unit-tested on the host.
 */
#ifndef SKIFF_INET_H
#define SKIFF_INET_H

#include <skiff/compiler.h>

static inline uint16_t htons(uint16_t v) { return __builtin_bswap16(v); }
static inline uint16_t ntohs(uint16_t v) { return __builtin_bswap16(v); }
static inline uint32_t htonl(uint32_t v) { return __builtin_bswap32(v); }
static inline uint32_t ntohl(uint32_t v) { return __builtin_bswap32(v); }

/* Ones' complement sum of @len bytes (an odd tail byte padded with zero),
 * added to @sum; not folded. Any alignment. */
uint32_t inet_sum(const void *data, size_t len, uint32_t sum);

/* Folds a 32-bit sum to 16 bits and complements it: the checksum field. */
static inline uint16_t inet_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Checksum of @len bytes (IPv4 header, ICMP message). 0 over valid data
 * that includes its checksum field. */
static inline uint16_t inet_csum(const void *data, size_t len)
{
	return inet_fold(inet_sum(data, len, 0));
}

/* UDP/TCP checksum of @len bytes of transport header + payload with the
 * IPv4 pseudo header (addresses in network order, as in struct iphdr). */
uint16_t inet_csum_l4(uint32_t saddr_be, uint32_t daddr_be, uint8_t proto,
		      const void *l4, size_t len);

/*
 * RFC 1624 incremental update: the checksum after a 16-bit word of the
 * covered data changed from @old to @new (all values as stored, i.e. the
 * same byte order as the checksum field).
 */
static inline uint16_t inet_csum_update16(uint16_t csum, uint16_t old, uint16_t new)
{
	uint32_t sum = (uint16_t)~csum + (uint32_t)(uint16_t)~old + new;
	return inet_fold(sum);
}

#endif
