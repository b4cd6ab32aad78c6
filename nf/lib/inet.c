/* SPDX-License-Identifier: BSD-3-Clause */
#include <skiff/inet.h>
#include <skiff/string.h>

uint32_t inet_sum(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;
	uint64_t acc = sum;

	/* 32 bits at a time into a 64-bit accumulator: no carry handling in
	 * the loop. Byte order does not matter for a ones' complement sum as
	 * long as the result is stored the same way (RFC 1071, 2.B). */
	while (len >= 4) {
		uint32_t w;
		memcpy(&w, p, 4);
		acc += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t w;
		memcpy(&w, p, 2);
		acc += w;
		p += 2;
		len -= 2;
	}
	if (len)
		acc += *p;	/* little-endian: the odd byte is the low half */
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffffffff) + (acc >> 32);
	return (uint32_t)acc;
}

uint16_t inet_csum_l4(uint32_t saddr_be, uint32_t daddr_be, uint8_t proto,
		      const void *l4, size_t len)
{
	uint32_t sum = 0;

	sum += saddr_be & 0xffff;
	sum += saddr_be >> 16;
	sum += daddr_be & 0xffff;
	sum += daddr_be >> 16;
	sum += htons(proto);
	sum += htons((uint16_t)len);
	return inet_fold(inet_sum(l4, len, sum));
}
