/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pktgen's frames: Ethernet / IPv4 / UDP with the probe (nf/lib/probe.h) and
 * a byte pattern after it. Three ways to make one, the tutorial's levers:
 *
 *   frame_generate()  writes every header and byte, computes both checksums;
 *   frame_copy()      copies the primordial frame, then frame_stamp();
 *   frame_stamp()     rewrites only flow, sequence, TSC and the source port
 *                     of a frame in place, updating the UDP checksum
 *                     incrementally (RFC 1624): what zerocopy mode does to a
 *                     netbuf it gets back from the driver.
 *
 * All three give byte-identical frames for the same (flow, seq, tsc).
 * Pure code: unit-tested on the host.
 */
#ifndef SKIFF_PKTGEN_FRAME_H
#define SKIFF_PKTGEN_FRAME_H

#include <skiff/compiler.h>
#include "../lib/probe.h"

struct frame_spec {
	uint8_t src_mac[6], dst_mac[6];
	uint32_t src_ip, dst_ip;	/* host order */
	uint16_t src_port, dst_port;	/* flow f uses src_port + f */
	uint16_t size;			/* frame bytes without FCS, 60..1514 */
	bool udp_csum;			/* false: UDP checksum field 0 */
};

struct frame_template {
	struct frame_spec spec;
	uint8_t bytes[FRAME_MAX];	/* flow 0, sequence 0, TSC 0 */
	uint16_t udp_csum0;		/* as stored in bytes[] */
};

void frame_template_init(struct frame_template *t, const struct frame_spec *spec);

/* Writes the whole frame for (flow, seq, tsc) into @out (spec.size bytes). */
void frame_generate(const struct frame_spec *spec, uint8_t *out, uint16_t flow,
		    uint32_t seq, uint64_t tsc);

/* Frames up to this size are copied as FRAME_SMALL bytes. */
#define FRAME_SMALL	64

/* The template's bytes, then frame_stamp(). @out must have room for
 * MAX(spec.size, FRAME_SMALL) bytes. */
void frame_copy(const struct frame_template *t, uint8_t *out, uint16_t flow,
		uint32_t seq, uint64_t tsc);

/* Sets flow, seq and tsc of a frame made from @t (any earlier stamp). */
void frame_stamp(const struct frame_template *t, uint8_t *frame, uint16_t flow,
		 uint32_t seq, uint64_t tsc);

#endif
