/* pktgen frames: valid headers and checksums, and the three ways of making
 * a frame agree byte for byte. */
#include <stdlib.h>
#include <skiff/inet.h>
#include "frame.h"
#include "tap.h"

static int frame_valid(const uint8_t *f, const struct frame_spec *s, uint16_t flow,
		       uint32_t seq, uint64_t tsc)
{
	struct iphdr ipc, *ip = &ipc;
	struct udphdr udpc, *udp = &udpc;
	struct probe pr;

	memcpy(ip, f + ETH_HLEN, sizeof(*ip));
	memcpy(udp, f + ETH_HLEN + 20, sizeof(*udp));
	memcpy(&pr, f + PROBE_OFFSET, sizeof(pr));
	if (memcmp(f, s->dst_mac, 6) || memcmp(f + 6, s->src_mac, 6) ||
	    f[12] != 0x08 || f[13] != 0x00)
		return 0;
	if (ip->version != 4 || ip->ihl != 5 || ntohs(ip->tot_len) != s->size - 14 ||
	    ip->protocol != 17 || inet_csum(ip, 20) != 0 ||
	    ntohl(ip->saddr) != s->src_ip || ntohl(ip->daddr) != s->dst_ip)
		return 0;
	if (ntohs(udp->source) != (uint16_t)(s->src_port + flow) || ntohs(udp->dest) != s->dst_port ||
	    ntohs(udp->len) != s->size - 34)
		return 0;
	if (s->udp_csum) {
		if (udp->check == 0 ||
		    inet_csum_l4(ip->saddr, ip->daddr, 17, f + ETH_HLEN + 20, s->size - 34u) != 0)
			return 0;
	} else if (udp->check != 0) {
		return 0;
	}
	if (ntohl(pr.magic) != PROBE_MAGIC || ntohs(pr.flow) != flow ||
	    ntohl(pr.seq) != seq || pr.tsc != tsc)
		return 0;
	for (unsigned i = FRAME_MIN; i < s->size; i++)
		if (f[i] != (uint8_t)i)
			return 0;
	return 1;
}

int main(void)
{
	static struct frame_template t;
	struct frame_spec s = {
		.src_mac = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 },
		.dst_mac = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
		.src_ip = 0xc6120002, .dst_ip = 0xc6120003,
		.src_port = 5001, .dst_port = 5001, .size = 60, .udp_csum = true,
	};
	uint8_t gen[FRAME_MAX], cpy[FRAME_MAX], zc[FRAME_MAX];
	const uint16_t sizes[] = { 60, 61, 128, 512, 1514 };

	srand(5);
	for (unsigned si = 0; si < ARRAY_SIZE(sizes); si++) {
		for (int csum = 0; csum < 2; csum++) {
			s.size = sizes[si];
			s.udp_csum = csum;
			s.src_port = csum ? 5001 : 65500;	/* flows wrap the port */
			frame_template_init(&t, &s);
			memcpy(zc, t.bytes, s.size);	/* a netbuf made once... */
			int valid = 1, same = 1;
			for (int round = 0; round < 2000; round++) {
				uint16_t flow = (uint16_t)(rand() % 64);
				uint32_t seq = (uint32_t)rand() * 2654435761u;
				uint64_t tsc = (uint64_t)rand() << 40 ^ (uint64_t)rand();
				if (round == 0)
					seq = 0xffffffff, tsc = ~0ULL;
				frame_generate(&s, gen, flow, seq, tsc);
				frame_copy(&t, cpy, flow, seq, tsc);
				frame_stamp(&t, zc, flow, seq, tsc);	/* ...restamped */
				valid &= frame_valid(gen, &s, flow, seq, tsc);
				same &= !memcmp(gen, cpy, s.size) && !memcmp(gen, zc, s.size);
			}
			ok(valid, "size %u, udp_csum %d: generated frames are valid", s.size, csum);
			ok(same, "size %u, udp_csum %d: generate, copy and restamp agree", s.size, csum);
		}
	}
	return done_testing();
}
