/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rxcount: counts every frame and byte it receives and reports packet and
 * bit rates, one line per interval and a summary at the end. Frames that
 * carry pktgen's probe (UDP, nf/lib/probe.h) are also tracked per flow for
 * loss, reordering and duplicates (flows.h). expect=N turns the summary into
 * a verdict: exit status 1 unless at least N frames arrived with no loss.
 */
#include <skiff/console.h>
#include <skiff/inet.h>
#include <skiff/mem.h>
#include <skiff/nf.h>
#include <skiff/string.h>
#include <skiff/time.h>
#include "../lib/idle_params.h"
#include "../lib/nic.h"
#include "../lib/probe.h"
#include "../lib/report.h"
#include "flows.h"

#define BURST 64

static uint64_t count, duration, idle, expect, dst_port, flows_max = 1024;
static uint64_t interval = 1, nic_index, rx_ring, halt_us = 50, idle_polls = 4;
static bool promisc = true;

static const struct param params[] = {
	PARAM_INT("count", count, 0, UINT64_MAX, "stop after this many frames (0: no limit)"),
	PARAM_INT("duration", duration, 0, 86400, "stop after this many seconds (0: no limit)"),
	PARAM_INT("idle", idle, 0, 3600,
		  "stop when no frame came for this many seconds, once one did (0: never)"),
	PARAM_INT("expect", expect, 0, UINT64_MAX,
		  "fail (exit 1) unless this many frames arrived and none was lost"),
	PARAM_INT("dst_port", dst_port, 0, 65535, "track probes to this UDP port only (0: any)"),
	PARAM_INT("flows", flows_max, 1, 65536, "flows tracked (higher flow ids are counted apart)"),
	PARAM_INT("interval", interval, 1, 3600, "seconds between report lines"),
	PARAM_INT("nic", nic_index, 0, 7, "NIC to receive on"),
	PARAM_INT("rx_ring", rx_ring, 0, 32768, "RX ring size (0: the device's)"),
	PARAM_FLAG("promisc", promisc, "receive frames for any MAC"),
	NF_IDLE_PARAMS(halt_us, idle_polls),
};

static struct nf_nic nic;
static struct flow_state *flows;

struct counters {
	uint64_t pkts, bytes, probes, untracked;
};
static struct counters c;

/* The probe's flow and sequence if @f (len bytes) is one of pktgen's frames. */
static inline bool probe_of(const uint8_t *f, uint32_t len, uint16_t *flow, uint32_t *seq)
{
	uint32_t magic;
	uint16_t port, flow_be;
	uint32_t seq_be;

	if (len < FRAME_MIN || f[12] != 0x08 || f[13] != 0x00 || f[14] != 0x45 ||
	    f[23] != 17)
		return false;
	memcpy(&magic, f + PROBE_OFFSET + offsetof(struct probe, magic), 4);
	if (magic != htonl(PROBE_MAGIC))
		return false;
	memcpy(&port, f + ETH_HLEN + 20 + offsetof(struct udphdr, dest), 2);
	if (dst_port && port != htons((uint16_t)dst_port))
		return false;
	memcpy(&flow_be, f + PROBE_OFFSET + offsetof(struct probe, flow), 2);
	memcpy(&seq_be, f + PROBE_OFFSET + offsetof(struct probe, seq), 4);
	*flow = ntohs(flow_be);
	*seq = ntohl(seq_be);
	return true;
}

static void count_burst(struct netbuf **bufs, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		const struct netbuf *nb = bufs[i];
		uint16_t flow;
		uint32_t seq;

		c.bytes += nb->pkt_len;
		if (probe_of(netbuf_data(bufs[i]), nb->data_len, &flow, &seq)) {
			c.probes++;
			if (likely(flow < flows_max))
				flow_track(&flows[flow], seq);
			else
				c.untracked++;
		}
	}
	c.pkts += n;
}

static void report(const char *what, uint64_t pkts, uint64_t bytes, uint64_t ticks)
{
	struct flow_totals t;
	struct netdev_stats st;
	uint64_t pps = rate_per_sec(pkts, ticks), mb = mbps_x10(pps, bytes, pkts), s, cs;

	flow_totals(flows, (unsigned)flows_max, &t);
	netdev_stats(nic.dev, &st);
	ticks_to_sec(ticks, &s, &cs);
	printf("rxcount %s=%llu.%02llu rx_pps=%llu rx_mbps=%llu.%llu rx_pkts=%llu rx_bytes=%llu"
	       " probes=%llu flows=%llu lost=%llu reordered=%llu dups=%llu"
	       " dev_errors=%llu dev_nobuf=%llu dev_ring_dry=%llu\n", what,
	       (unsigned long long)s, (unsigned long long)cs, (unsigned long long)pps,
	       (unsigned long long)(mb / 10), (unsigned long long)(mb % 10),
	       (unsigned long long)c.pkts, (unsigned long long)c.bytes,
	       (unsigned long long)c.probes, (unsigned long long)t.flows,
	       (unsigned long long)t.lost, (unsigned long long)t.reordered,
	       (unsigned long long)t.dups, (unsigned long long)st.rx_errors,
	       (unsigned long long)st.rx_nobuf, (unsigned long long)st.rx_ring_dry);
}

static int rxcount_main(void)
{
	struct netbuf *bufs[BURST];
	struct flow_totals t;
	struct idle idle_state;
	int status = EXIT_OK;

	if (!(flows = mem_alloc(flows_max * sizeof(*flows), 64, "flow table")))
		return EXIT_FAIL;
	if (nic_open(&nic, "rxcount", (unsigned)nic_index, (unsigned)rx_ring, 0, 0, BURST,
		     promisc) < 0)
		return EXIT_FAIL;
	printf("rxcount: counting frames on %s%s\n", nic.dev->name,
	       duration ? "" : " until stopped");

	/* A busy period starts with the first frame after a second of silence;
	 * the summary's rate covers the last one (stray frames before a stream
	 * must not dilute it). */
	uint64_t start = rdtsc(), now = start, first = 0, last_rx = 0;
	uint64_t gap = ns_to_tsc(NSEC_PER_SEC), busy_pkts = 0, busy_bytes = 0;
	uint64_t end = duration ? start + ns_to_tsc(duration * NSEC_PER_SEC) : UINT64_MAX;
	uint64_t every = ns_to_tsc(interval * NSEC_PER_SEC), next_report = start + every;
	uint64_t idle_ticks = ns_to_tsc(idle * NSEC_PER_SEC);
	uint64_t last_pkts = 0, last_bytes = 0, last_tick = start;

	nf_idle_init(&idle_state, halt_us, idle_polls);

	for (;;) {
		uint16_t n = netdev_rx_burst(nic.dev, 0, bufs, BURST);
		now = rdtsc();	/* once per poll: an rx_burst costs far more */
		if (n) {
			if (!first || now - last_rx > gap) {
				first = now;
				busy_pkts = c.pkts;
				busy_bytes = c.bytes;
			}
			count_burst(bufs, n);
			netbuf_free_bulk(bufs, n);
			last_rx = now;
			if (count && c.pkts >= count)
				break;
		} else if (idle && first && now - last_rx > idle_ticks) {
			break;
		}
		idle_poll(&idle_state, n);
		if (now >= end)
			break;
		if (now >= next_report) {
			report("t", c.pkts - last_pkts, c.bytes - last_bytes, now - last_tick);
			last_pkts = c.pkts;
			last_bytes = c.bytes;
			last_tick = now;
			next_report += every;
		}
	}
	report("summary busy", c.pkts - busy_pkts, c.bytes - busy_bytes,
	       first ? last_rx - first : 0);
	nic_close(&nic);
	nic_print_stats("rxcount", &nic);
	if (c.untracked)
		printf("rxcount: %llu probes had flow ids >= flows=%llu and were not tracked\n",
		       (unsigned long long)c.untracked, (unsigned long long)flows_max);

	flow_totals(flows, (unsigned)flows_max, &t);
	if (expect) {
		bool pass = c.pkts >= expect && t.lost == 0;
		printf("rxcount: expect=%llu: %s (%llu frames, %llu lost)\n",
		       (unsigned long long)expect, pass ? "PASS" : "FAIL",
		       (unsigned long long)c.pkts, (unsigned long long)t.lost);
		if (!pass)
			status = EXIT_FAIL;
	}
	return status;
}

NF_DEFINE("rxcount", "counts received frames, reports rates, loss and reordering",
	  params, rxcount_main);
