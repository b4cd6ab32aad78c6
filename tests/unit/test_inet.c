/* Internet checksums against a word-by-word reference, RFC 1071's example,
 * and RFC 1624 incremental updates. */
#include <stdlib.h>
#include <skiff/inet.h>
#include "tap.h"

/* Reference: 16-bit big-endian words, end-around carry, complement. */
static uint16_t ref_csum(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;	/* host order */
}

int main(void)
{
	uint8_t buf[2048];

	/* RFC 1071 section 3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2. */
	const uint8_t rfc[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	is_u64(ntohs(inet_csum(rfc, sizeof(rfc))), (uint16_t)~0xddf2, "RFC 1071 example");

	srand(3);
	int bad = 0;
	for (int round = 0; round < 20000; round++) {
		size_t len = (size_t)rand() % 1600, off = (size_t)rand() % 8;
		for (size_t i = 0; i < len + off; i++)
			buf[i] = (uint8_t)rand();
		if (ntohs(inet_csum(buf + off, len)) != ref_csum(buf + off, len, 0))
			bad++;
	}
	ok(bad == 0, "20000 random buffers (lengths 0..1599, any alignment) match the reference");

	/* An IPv4 header with its checksum verifies to 0. */
	uint8_t ip[20] = { 0x45, 0, 0, 46, 0, 0, 0x40, 0, 64, 17, 0, 0,
			   198, 18, 0, 2, 198, 18, 0, 3 };
	uint16_t c = inet_csum(ip, 20);
	memcpy(ip + 10, &c, 2);
	is_u64(inet_csum(ip, 20), 0, "a header including its checksum sums to 0");
	uint8_t zeroed[20];
	memcpy(zeroed, ip, 20);
	zeroed[10] = zeroed[11] = 0;
	is_u64(ntohs(c), ref_csum(zeroed, 20, 0), "IPv4 header checksum value");

	/* UDP with the pseudo header, against the reference over an explicit one. */
	uint8_t udp[26] = { 0x13, 0x89, 0x13, 0x89, 0, 26, 0, 0 };
	for (int i = 8; i < 26; i++)
		udp[i] = (uint8_t)(i * 7);
	uint8_t pseudo[12 + 26] = { 198, 18, 0, 2, 198, 18, 0, 3, 0, 17, 0, 26 };
	memcpy(pseudo + 12, udp, 26);
	uint32_t sa, da;
	memcpy(&sa, ip + 12, 4);
	memcpy(&da, ip + 16, 4);
	is_u64(ntohs(inet_csum_l4(sa, da, 17, udp, 26)), ref_csum(pseudo, sizeof(pseudo), 0),
	       "UDP checksum with the pseudo header");
	is_u64(ntohs(inet_csum_l4(sa, da, 17, udp, 25)),
	       ref_csum((uint8_t[]){ 198, 18, 0, 2, 198, 18, 0, 3, 0, 17, 0, 25 }, 12,
			~ref_csum(udp, 25, 0) & 0xffff),
	       "odd length");

	/* Incremental updates equal a full recomputation. */
	bad = 0;
	for (int round = 0; round < 20000; round++) {
		size_t len = 2 + 2 * ((size_t)rand() % 700);
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rand();
		uint16_t csum = inet_csum(buf, len), old, new = (uint16_t)rand();
		size_t at = 2 * ((size_t)rand() % (len / 2));
		if (round % 10 == 0)
			new = 0xffff;
		memcpy(&old, buf + at, 2);
		memcpy(buf + at, &new, 2);
		uint16_t inc = inet_csum_update16(csum, old, new), full = inet_csum(buf, len);
		/* 0x0000 and 0xffff are the same value in ones' complement. */
		if (inc != full && !((inc == 0 || inc == 0xffff) && (full == 0 || full == 0xffff)))
			bad++;
	}
	ok(bad == 0, "20000 incremental updates equal recomputation");

	is_u64(htons(0x1234), 0x3412, "htons");
	is_u64(ntohl(htonl(0xc6120001)), 0xc6120001, "htonl/ntohl");
	return done_testing();
}
