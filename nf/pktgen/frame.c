/* SPDX-License-Identifier: BSD-3-Clause */
#include <skiff/inet.h>
#include <skiff/string.h>
#include "frame.h"

#define IP_OFF	ETH_HLEN
#define UDP_OFF	(ETH_HLEN + sizeof(struct iphdr))

/* The probe's bytes as stored (network order but the opaque TSC). */
static void probe_write(uint8_t *p, uint16_t flow, uint32_t seq, uint64_t tsc)
{
	uint32_t magic = htonl(PROBE_MAGIC), seq_be = htonl(seq);
	uint16_t flow_be = htons(flow);

	memcpy(p + offsetof(struct probe, magic), &magic, 4);
	memcpy(p + offsetof(struct probe, flow), &flow_be, 2);
	memcpy(p + offsetof(struct probe, seq), &seq_be, 4);
	memcpy(p + offsetof(struct probe, tsc), &tsc, 8);
}

void frame_generate(const struct frame_spec *s, uint8_t *out, uint16_t flow,
		    uint32_t seq, uint64_t tsc)
{
	/* Headers are built in aligned locals: in the frame the IPv4 header
	 * sits at offset 14, which its struct's alignment does not allow. */
	struct ethhdr eth;
	struct iphdr ip = { 0 };
	struct udphdr udp;
	uint16_t l4_len = (uint16_t)(s->size - UDP_OFF);

	memcpy(eth.h_dest, s->dst_mac, ETH_ALEN);
	memcpy(eth.h_source, s->src_mac, ETH_ALEN);
	eth.h_proto = htons(ETH_P_IP);

	ip.version = 4;
	ip.ihl = 5;
	ip.tot_len = htons((uint16_t)(s->size - ETH_HLEN));
	ip.frag_off = htons(0x4000);	/* DF: ID 0 is fine (RFC 6864) */
	ip.ttl = 64;
	ip.protocol = 17;
	ip.saddr = htonl(s->src_ip);
	ip.daddr = htonl(s->dst_ip);
	ip.check = inet_csum(&ip, sizeof(ip));

	udp.source = htons((uint16_t)(s->src_port + flow));
	udp.dest = htons(s->dst_port);
	udp.len = htons(l4_len);
	udp.check = 0;

	memcpy(out, &eth, sizeof(eth));
	memcpy(out + IP_OFF, &ip, sizeof(ip));
	memcpy(out + UDP_OFF, &udp, sizeof(udp));
	probe_write(out + PROBE_OFFSET, flow, seq, tsc);
	for (unsigned i = FRAME_MIN; i < s->size; i++)
		out[i] = (uint8_t)i;
	if (s->udp_csum) {
		uint16_t c = inet_csum_l4(ip.saddr, ip.daddr, 17, out + UDP_OFF, l4_len);
		c = c ? c : 0xffff;	/* 0 would mean "no checksum" */
		memcpy(out + UDP_OFF + offsetof(struct udphdr, check), &c, 2);
	}
}

void frame_template_init(struct frame_template *t, const struct frame_spec *spec)
{
	t->spec = *spec;
	frame_generate(spec, t->bytes, 0, 0, 0);
	memcpy(&t->udp_csum0, t->bytes + UDP_OFF + offsetof(struct udphdr, check), 2);
}

/* Sum of the 16-bit words of a value as it is stored. */
static inline uint32_t words32(uint32_t v)
{
	return (v & 0xffff) + (v >> 16);
}

void frame_stamp(const struct frame_template *t, uint8_t *frame, uint16_t flow,
		 uint32_t seq, uint64_t tsc)
{
	uint8_t *p = frame + PROBE_OFFSET;
	uint16_t port_be = htons((uint16_t)(t->spec.src_port + flow)), flow_be = htons(flow);
	uint32_t seq_be = htonl(seq);

	memcpy(p + offsetof(struct probe, flow), &flow_be, 2);
	memcpy(p + offsetof(struct probe, seq), &seq_be, 4);
	memcpy(p + offsetof(struct probe, tsc), &tsc, 8);
	memcpy(frame + UDP_OFF + offsetof(struct udphdr, source), &port_be, 2);
	if (!t->spec.udp_csum)
		return;

	/* The template has flow, seq and TSC 0 and the base port: add the new
	 * words, and the port's difference from the base (RFC 1624). */
	uint16_t base_be = htons(t->spec.src_port);
	uint32_t sum = (uint16_t)~t->udp_csum0;
	sum += flow_be + words32(seq_be) + words32((uint32_t)tsc) +
	       words32((uint32_t)(tsc >> 32)) + port_be + (uint16_t)~base_be;
	uint16_t c = inet_fold(sum);
	c = c ? c : 0xffff;
	memcpy(frame + UDP_OFF + offsetof(struct udphdr, check), &c, 2);
}

void frame_copy(const struct frame_template *t, uint8_t *out, uint16_t flow,
		uint32_t seq, uint64_t tsc)
{
	/* A copy of a constant size is a few stores; the bytes past the frame
	 * land in the buffer's tailroom (see frame.h). */
	if (t->spec.size <= FRAME_SMALL)
		memcpy(out, t->bytes, FRAME_SMALL);
	else
		memcpy(out, t->bytes, t->spec.size);
	frame_stamp(t, out, flow, seq, tsc);
}
