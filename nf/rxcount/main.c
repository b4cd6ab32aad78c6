/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rxcount: counts every frame and byte it receives and reports packet and
 * bit rates, one line per interval and a summary at the end. Frames that
 * carry pktgen's probe (UDP, nf/lib/probe.h) are also tracked per flow for
 * loss, reordering and duplicates (flows.h). expect=N turns the summary into
 * a verdict: exit status 1 unless at least N frames arrived with no loss.
 *
 * cores=N polls N RX queues, core k queue k, each core with its own counters
 * and flow table; CPU 0 merges them for the report lines (flows.h says how)
 * and decides for all when count=, idle= or duration= has been reached.
 */
#include <skiff/console.h>
#include <skiff/fmt.h>
#include <skiff/inet.h>
#include <skiff/mem.h>
#include <skiff/nf.h>
#include <skiff/string.h>
#include <skiff/time.h>
#include "../lib/cores.h"
#include "../lib/idle_params.h"
#include "../lib/nic.h"
#include "../lib/probe.h"
#include "../lib/report.h"
#include "busy.h"
#include "flows.h"

#define BURST 64

static uint64_t count, duration, idle, expect, dst_port, flows_max = 1024;
static uint64_t interval = 1, nic_index, rx_ring, halt_us = 50, idle_polls = 4;
static uint64_t ncores = 1;
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
	NF_CORES_PARAM(ncores),
};

static struct nf_nic nic;

struct counters {
	uint64_t pkts, bytes, probes, untracked;
};

/* One core: its RX queue, counters, flow table and busy period. */
struct core {
	struct counters c;	/* its own, published with WRITE_ONCE for CPU 0 */
	uint64_t first;		/* TSC of the first frame of its busy period (0: none yet) */
	uint64_t last_rx;	/* TSC of its last frame */
	uint64_t busy_pkts, busy_bytes;	/* c.pkts and c.bytes when the period began */
	struct flow_state *flows;
	uint16_t queue;
} __aligned(2 * CACHE_LINE);

static struct core core[SKIFF_MAX_CPUS];
static const struct flow_state *tables[SKIFF_MAX_CPUS];
static bool stop;		/* CPU 0 says every core stops */
static uint64_t gap;		/* a second of TSC: what ends a busy period */

/* The probe's flow and sequence if @f (len bytes) is one of pktgen's frames. */
static inline bool probe_of(const uint8_t *f, uint32_t len, uint16_t *flow, uint32_t *seq)
{
	uint32_t magic, type_ver;
	uint16_t port, flow_be;
	uint32_t seq_be;

	/* Bytes 12-14, the IPv4 EtherType and "version 4, 20-byte header",
	 * in one load: this runs on every frame. */
	memcpy(&type_ver, f + 12, 4);
	if (len < FRAME_MIN || (type_ver & htonl(0xffffff00)) != htonl(0x08004500) || f[23] != 17)
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

static void count_burst(struct core *pc, struct netbuf **bufs, uint16_t n)
{
	uint64_t bytes = 0, probes = 0, untracked = 0;

	for (uint16_t i = 0; i < n; i++) {
		const struct netbuf *nb = bufs[i];
		uint16_t flow;
		uint32_t seq;

		bytes += nb->pkt_len;
		if (probe_of(netbuf_data(bufs[i]), nb->data_len, &flow, &seq)) {
			probes++;
			if (likely(flow < flows_max))
				flow_track(&pc->flows[flow], seq);
			else
				untracked++;
		}
	}
	WRITE_ONCE(pc->c.bytes, pc->c.bytes + bytes);
	WRITE_ONCE(pc->c.probes, pc->c.probes + probes);
	WRITE_ONCE(pc->c.untracked, pc->c.untracked + untracked);
	WRITE_ONCE(pc->c.pkts, pc->c.pkts + n);
}

static void counters_of(const struct core *pc, struct counters *c)
{
	c->pkts = READ_ONCE(pc->c.pkts);
	c->bytes = READ_ONCE(pc->c.bytes);
	c->probes = READ_ONCE(pc->c.probes);
	c->untracked = READ_ONCE(pc->c.untracked);
}

/* "rxcount core=K WHAT=S.CC rx_pps=... flows=N": one core's queue. */
static void report_core(unsigned k, const char *what, uint64_t pkts, uint64_t bytes,
			uint64_t ticks, const struct counters *c)
{
	uint64_t pps = rate_per_sec(pkts, ticks), mb = mbps_x10(pps, bytes, pkts), s, cs;

	ticks_to_sec(ticks, &s, &cs);
	printf("rxcount core=%u %s=%llu.%02llu rx_pps=%llu rx_mbps=%llu.%llu rx_pkts=%llu"
	       " rx_bytes=%llu probes=%llu flows=%u\n", k, what, (unsigned long long)s,
	       (unsigned long long)cs, (unsigned long long)pps, (unsigned long long)(mb / 10),
	       (unsigned long long)(mb % 10), (unsigned long long)c->pkts,
	       (unsigned long long)c->bytes, (unsigned long long)c->probes,
	       flow_count(core[k].flows, (unsigned)flows_max));
}

/* "rxcount WHAT=S.CC rx_pps=... split_flows=N": every queue together. */
static void report(const char *what, uint64_t pkts, uint64_t bytes, uint64_t ticks,
		   const struct counters *c)
{
	struct flow_totals t;
	struct netdev_stats st;
	uint64_t pps = rate_per_sec(pkts, ticks), mb = mbps_x10(pps, bytes, pkts), s, cs;

	flow_totals(tables, (unsigned)ncores, (unsigned)flows_max, &t);
	netdev_stats(nic.dev, &st);
	ticks_to_sec(ticks, &s, &cs);
	printf("rxcount %s=%llu.%02llu rx_pps=%llu rx_mbps=%llu.%llu rx_pkts=%llu rx_bytes=%llu"
	       " probes=%llu flows=%llu lost=%llu reordered=%llu dups=%llu"
	       " dev_errors=%llu dev_nobuf=%llu dev_ring_dry=%llu split_flows=%llu\n", what,
	       (unsigned long long)s, (unsigned long long)cs, (unsigned long long)pps,
	       (unsigned long long)(mb / 10), (unsigned long long)(mb % 10),
	       (unsigned long long)c->pkts, (unsigned long long)c->bytes,
	       (unsigned long long)c->probes, (unsigned long long)t.flows,
	       (unsigned long long)t.lost, (unsigned long long)t.reordered,
	       (unsigned long long)t.dups, (unsigned long long)st.rx_errors,
	       (unsigned long long)st.rx_nobuf, (unsigned long long)st.rx_ring_dry,
	       (unsigned long long)t.split);
}

/* CPU 0's interval lines: one per core (with more than one), then the total. */
static struct {
	uint64_t every, next, last_tick;
	struct counters last[SKIFF_MAX_CPUS], last_total;
} rep;

static void report_interval(uint64_t now)
{
	struct counters c, total = { 0 };
	uint64_t ticks = now - rep.last_tick;

	for (unsigned k = 0; k < ncores; k++) {
		counters_of(&core[k], &c);
		if (ncores > 1)
			report_core(k, "t", c.pkts - rep.last[k].pkts, c.bytes - rep.last[k].bytes,
				    ticks, &c);
		rep.last[k] = c;
		total.pkts += c.pkts;
		total.bytes += c.bytes;
		total.probes += c.probes;
		total.untracked += c.untracked;
	}
	report("t", total.pkts - rep.last_total.pkts, total.bytes - rep.last_total.bytes, ticks,
	       &total);
	rep.last_total = total;
	rep.last_tick = now;
	rep.next += rep.every;
}

/* CPU 0: has every core together received count= frames, or been idle for
 * idle= seconds since the last frame on any queue? */
static bool global_stop(uint64_t now, uint64_t idle_ticks)
{
	uint64_t pkts = 0, last = 0;
	bool any = false;

	for (unsigned k = 0; k < ncores; k++) {
		pkts += READ_ONCE(core[k].c.pkts);
		if (READ_ONCE(core[k].first)) {
			any = true;
			last = MAX(last, READ_ONCE(core[k].last_rx));
		}
	}
	if (count && pkts >= count)
		return true;
	/* Another core's clock may read a little ahead of ours. */
	return idle && any && now > last && now - last > idle_ticks;
}

static void poll_loop(struct core *pc, uint64_t start)
{
	struct netbuf *bufs[BURST];
	struct idle idle_state;
	const bool main_cpu = pc->queue == 0;
	uint64_t now = start, next_check = start;
	uint64_t end = duration ? start + ns_to_tsc(duration * NSEC_PER_SEC) : UINT64_MAX;
	const uint64_t idle_ticks = ns_to_tsc(idle * NSEC_PER_SEC);
	const uint64_t check_every = ns_to_tsc(NSEC_PER_MSEC);

	nf_idle_init(&idle_state, halt_us, idle_polls);
	for (;;) {
		uint16_t n = netdev_rx_burst(nic.dev, pc->queue, bufs, BURST);
		now = rdtsc();	/* once per poll: an rx_burst costs far more */
		if (n) {
			if (!pc->first || now - pc->last_rx > gap) {
				pc->busy_pkts = pc->c.pkts;
				pc->busy_bytes = pc->c.bytes;
				WRITE_ONCE(pc->first, now);
			}
			count_burst(pc, bufs, n);
			netbuf_free_bulk(bufs, n);
			WRITE_ONCE(pc->last_rx, now);
		}
		idle_poll(&idle_state, n);
		if (now >= end || READ_ONCE(stop))
			break;
		if (!main_cpu)
			continue;
		/* One core: every poll, so count= stops on the burst that
		 * reaches it. More: once a millisecond, so that CPU 0 does
		 * not pull the other cores' counters on every poll (a few
		 * frames more may be counted). */
		if ((ncores == 1 || now >= next_check) && (count || idle)) {
			next_check = now + check_every;
			if (global_stop(now, idle_ticks)) {
				WRITE_ONCE(stop, true);
				break;
			}
		}
		if (now >= rep.next)
			report_interval(now);
	}
}

/* Core 0 between its loop's end and the others': the report lines. */
static void tick(uint64_t now)
{
	if (now >= rep.next)
		report_interval(now);
}

static int core_main(void *arg)
{
	struct core *pc = &core[cpu_id()];

	poll_loop(pc, *(const uint64_t *)arg);
	nf_core_done(pc->queue, (unsigned)ncores, tick);
	return EXIT_OK;
}

/* The summary lines: per core (with more than one), then every core's. */
static void summary(struct counters *total)
{
	struct busy b[SKIFF_MAX_CPUS], all;

	*total = (struct counters){ 0 };
	for (unsigned k = 0; k < ncores; k++) {
		const struct core *pc = &core[k];
		b[k] = (struct busy){
			.first = pc->first, .last = pc->last_rx,
			.pkts = pc->c.pkts - pc->busy_pkts, .bytes = pc->c.bytes - pc->busy_bytes,
		};
		if (ncores > 1)
			report_core(k, "summary busy", b[k].pkts, b[k].bytes,
				    b[k].pkts ? b[k].last - b[k].first : 0, &pc->c);
		total->pkts += pc->c.pkts;
		total->bytes += pc->c.bytes;
		total->probes += pc->c.probes;
		total->untracked += pc->c.untracked;
	}
	busy_merge(b, (unsigned)ncores, gap, &all);
	report("summary busy", all.pkts, all.bytes, all.pkts ? all.last - all.first : 0, total);
}

static int rxcount_main(void)
{
	struct counters total;
	struct flow_totals t;
	int status = EXIT_OK, rc;

	if (nf_cores_check("rxcount", (unsigned)ncores) < 0)
		return EXIT_CONFIG;
	for (unsigned k = 0; k < ncores; k++) {
		core[k].queue = (uint16_t)k;
		if (!(core[k].flows = mem_alloc(flows_max * sizeof(struct flow_state), 64,
						"flow table"))) {
			printf("rxcount: no memory for %llu flow tables of flows=%llu\n",
			       (unsigned long long)ncores, (unsigned long long)flows_max);
			return EXIT_FAIL;
		}
		memset(core[k].flows, 0, flows_max * sizeof(struct flow_state));
		tables[k] = core[k].flows;
	}
	rc = nic_open_queues(&nic, "rxcount", (unsigned)nic_index, (unsigned)ncores,
			     (unsigned)rx_ring, 0, 0, BURST, promisc);
	if (rc < 0)
		return rc == NIC_ERR_CONFIG ? EXIT_CONFIG : EXIT_FAIL;
	printf("rxcount: counting frames on %s%s", nic.dev->name,
	       duration ? "" : " until stopped");
	if (ncores > 1)
		printf(", %llu queues on %llu cores", (unsigned long long)ncores,
		       (unsigned long long)ncores);
	printf("\n");

	uint64_t start = rdtsc();
	gap = ns_to_tsc(NSEC_PER_SEC);
	rep.every = ns_to_tsc(interval * NSEC_PER_SEC);
	rep.last_tick = start;
	rep.next = start + rep.every;
	status = nf_cores_run("rxcount", (unsigned)ncores, core_main, &start);
	summary(&total);
	nic_close(&nic);
	nic_print_stats("rxcount", &nic);
	nic_print_queue_stats("rxcount", &nic);
	if (total.untracked)
		printf("rxcount: %llu probes had flow ids >= flows=%llu and were not tracked\n",
		       (unsigned long long)total.untracked, (unsigned long long)flows_max);

	flow_totals(tables, (unsigned)ncores, (unsigned)flows_max, &t);
	if (expect) {
		bool pass = total.pkts >= expect && t.lost == 0;
		printf("rxcount: expect=%llu: %s (%llu frames, %llu lost)\n",
		       (unsigned long long)expect, pass ? "PASS" : "FAIL",
		       (unsigned long long)total.pkts, (unsigned long long)t.lost);
		if (!pass && status == EXIT_OK)
			status = EXIT_FAIL;
	}
	return status;
}

NF_DEFINE("rxcount", "counts received frames, reports rates, loss and reordering",
	  params, rxcount_main);
