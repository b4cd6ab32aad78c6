/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pktgen: sends Ethernet/IPv4/UDP frames as fast as asked, and says how fast
 * it went: one report line per interval, a summary at the end.
 *
 * The loop builds a burst, hands it to netdev_tx_burst() and keeps what the
 * ring did not take for the next round (full=retry) or frees it (full=drop).
 * Frames come from one of three modes (see frame.h): generate, copy, or
 * zerocopy, which keeps a ring of frames it sends again and again with an
 * extra reference, restamping each when the driver has given it back.
 * output=free frees every frame instead of sending it: the software ceiling.
 * The clock is read once per burst (per 16 frames at burst < 16); pacing
 * compares the frames sent with elapsed * rate, so it does not drift, sends
 * whole bursts, and halts the CPU while it waits for the next one.
 * The NIC is notified once kick_at% of the TX ring waits, not per burst
 * (netdev_txq_defer()), and flushed whenever the loop pauses.
 *
 * cores=N runs that loop on N cores, core k on TX queue k with the flows
 * share.h gives it (flow f on core f mod N) and its share of count= and
 * rate=; CPU 0 also prints the report lines (nf/lib/cores.h).
 */
#include <skiff/console.h>
#include <skiff/fmt.h>
#include <skiff/idle.h>
#include <skiff/mem.h>
#include <skiff/nf.h>
#include <skiff/time.h>
#include "../lib/cores.h"
#include "../lib/nic.h"
#include "../lib/report.h"
#include "frame.h"
#include "share.h"

#define MAX_BURST	256

enum { MODE_GENERATE, MODE_COPY, MODE_ZEROCOPY };
enum { FULL_RETRY, FULL_DROP };
enum { OUT_DEVICE, OUT_FREE };
static const char *const modes[] = { "generate", "copy", "zerocopy", NULL };
static const char *const fulls[] = { "retry", "drop", NULL };
static const char *const outputs[] = { "device", "free", NULL };

/*
 * A locally administered unicast address nobody has (DPDK testpmd's
 * default peer too). A bridge floods it to every port, as it would a
 * broadcast, but does not also hand every frame up its own host's stack
 * (docs/bench/dpdk/RESULTS.md measures both through the lab bridge).
 */
static uint8_t dst_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x00 };
static uint32_t src_ip = 0xc6120002, dst_ip = 0xc6120003;	/* 198.18.0.2 -> .3 */
static uint64_t src_port = 5001, dst_port = 5001, size = 60, count, duration = 10;
static uint64_t rate, burst = 32, flows = 1, interval = 1, nic_index, tx_ring, halt_us;
static uint64_t ncores = 1, kick_at = 25;
static unsigned mode = MODE_COPY, full = FULL_RETRY, output = OUT_DEVICE;
static bool udp_csum = true;

static const struct param params[] = {
	PARAM_MACADDR("dst_mac", dst_mac, "destination MAC"),
	PARAM_IP("src_ip", src_ip, "source IPv4 address"),
	PARAM_IP("dst_ip", dst_ip, "destination IPv4 address"),
	PARAM_INT("src_port", src_port, 1, 65535, "UDP source port of flow 0"),
	PARAM_INT("dst_port", dst_port, 1, 65535, "UDP destination port"),
	PARAM_INT("size", size, FRAME_MIN, FRAME_MAX, "frame bytes without FCS"),
	PARAM_INT("count", count, 0, UINT64_MAX, "frames to send (0: no limit)"),
	PARAM_INT("duration", duration, 0, 86400, "seconds to send (0: no limit)"),
	PARAM_INT("rate", rate, 0, 1000000000, "frames per second (0: as fast as possible)"),
	PARAM_INT("burst", burst, 1, MAX_BURST, "frames per netdev_tx_burst call"),
	PARAM_INT("flows", flows, 1, 65535, "flows: source ports src_port..src_port+flows-1"),
	PARAM_CHOICE("mode", mode, modes, "how frames are made"),
	PARAM_CHOICE("full", full, fulls, "when the TX ring is full: retry or drop"),
	PARAM_CHOICE("output", output, outputs, "send to the NIC, or free (software ceiling)"),
	PARAM_FLAG("udp_csum", udp_csum, "compute UDP checksums (0: send 0)"),
	PARAM_INT("interval", interval, 1, 3600, "seconds between report lines"),
	PARAM_INT("nic", nic_index, 0, 7, "NIC to send on"),
	PARAM_INT("tx_ring", tx_ring, 0, 32768, "TX ring size (0: the device's)"),
	PARAM_INT("kick_at", kick_at, 0, 100,
		  "notify the NIC once this % of the TX ring waits (0: every burst)"),
	PARAM_INT("halt_us", halt_us, 0, 10000,
		  "halt this long when the ring stays full 4 tries (0: spin)"),
	NF_CORES_PARAM(ncores),
};

static struct nf_nic nic;
static struct frame_template tmpl;
static struct netbuf_pool *zc_pool;

struct counters {
	uint64_t sent;
	uint64_t ring_full;	/* bursts the ring could not take whole */
	uint64_t drops;		/* frames dropped on a full ring (full=drop) */
	uint64_t late;		/* frames the pacing skipped: the path was slower */
	uint64_t nobuf;		/* bursts delayed by an empty pool */
};

/* One core's loop: its TX queue, its flows, its counters. */
struct core {
	struct counters c;	/* its own, published with WRITE_ONCE for CPU 0 */
	uint64_t start, stop;	/* TSC when it started and stopped sending */
	uint16_t queue;
	uint16_t flow;		/* the next frame's flow and sequence number */
	uint32_t round;
	struct share share;
	uint64_t rate_num;	/* rate * share.nflows frames per rate_den ticks */
	struct netbuf **zc;	/* zerocopy: frames sent again and again */
	unsigned zc_mask, zc_next;	/* (a power of two of them) */
} __aligned(2 * CACHE_LINE);

static struct core core[SKIFF_MAX_CPUS];
static uint64_t rate_den;	/* tsc_hz * flows: the cores' rates add up to rate */

#define COUNT(pc, field, v) WRITE_ONCE((pc)->c.field, (pc)->c.field + (v))

/* Where the next frame goes: the core's flows take turns, each with its own
 * sequence. */
static inline void next_stamp(struct core *pc, uint16_t *flow, uint32_t *seq)
{
	unsigned next = pc->flow + (unsigned)ncores;

	*flow = pc->flow;
	*seq = pc->round;
	if (next >= flows) {
		next = pc->share.first_flow;
		pc->round++;
	}
	pc->flow = (uint16_t)next;
}

/* Fills bufs[0..n) with fresh frames; returns how many it could make. */
static unsigned build(struct core *pc, struct netbuf **bufs, unsigned n, uint64_t tsc)
{
	uint16_t flow;
	uint32_t seq;

	if (mode == MODE_ZEROCOPY) {
		unsigned got = 0;
		for (unsigned tries = 0; got < n && tries <= pc->zc_mask; tries++) {
			struct netbuf *nb = pc->zc[pc->zc_next];
			pc->zc_next = (pc->zc_next + 1) & pc->zc_mask;
			if (netbuf_refcnt(nb) != 1)
				continue;	/* the driver still has it */
			next_stamp(pc, &flow, &seq);
			frame_stamp(&tmpl, netbuf_data(nb), flow, seq, tsc);
			netbuf_ref(nb);
			bufs[got++] = nb;
		}
		return got;
	}
	if (unlikely(netbuf_alloc_bulk(nic.pool, bufs, n) < 0)) {
		COUNT(pc, nobuf, 1);
		return 0;
	}
	for (unsigned i = 0; i < n; i++) {
		struct netbuf *nb = bufs[i];
		nb->data_len = (uint16_t)size;
		nb->pkt_len = (uint32_t)size;
		next_stamp(pc, &flow, &seq);
		if (mode == MODE_GENERATE)
			frame_generate(&tmpl.spec, netbuf_data(nb), flow, seq, tsc);
		else
			frame_copy(&tmpl, netbuf_data(nb), flow, seq, tsc);
	}
	return n;
}

static int zerocopy_setup(void)
{
	unsigned n = 1;

	/* More frames per core than its ring holds, so some are always free. */
	while (n < nic.tx_size + 2 * burst)
		n <<= 1;
	zc_pool = netbuf_pool_alloc("zerocopy", n * (unsigned)ncores, NIC_DATA_ROOM, 0);
	if (!zc_pool)
		goto fail;
	for (unsigned k = 0; k < ncores; k++) {
		struct core *pc = &core[k];
		pc->zc = mem_alloc(n * sizeof(*pc->zc), 64, "zerocopy frames");
		if (!pc->zc || netbuf_alloc_bulk(zc_pool, pc->zc, n) < 0)
			goto fail;
		for (unsigned i = 0; i < n; i++) {
			pc->zc[i]->data_len = (uint16_t)size;
			pc->zc[i]->pkt_len = (uint32_t)size;
			frame_copy(&tmpl, netbuf_data(pc->zc[i]), 0, 0, 0);
		}
		pc->zc_mask = n - 1;
	}
	return 0;
fail:
	printf("pktgen: cannot get %u frames per core for zerocopy mode\n", n);
	return -1;
}

/* "pktgen [core=K ]WHAT=S.CC tx_pps=..." */
static void report_line(int k, const char *what, uint64_t pkts, uint64_t ticks,
			const struct counters *c)
{
	uint64_t pps = rate_per_sec(pkts, ticks), mb = mbps_x10(pps, pkts * size, pkts);
	uint64_t s, cs;
	char who[16] = "";

	if (k >= 0)
		fmt_snprintf(who, sizeof(who), "core=%d ", k);
	ticks_to_sec(ticks, &s, &cs);
	printf("pktgen %s%s=%llu.%02llu tx_pps=%llu tx_mbps=%llu.%llu tx_pkts=%llu"
	       " ring_full=%llu drops=%llu late=%llu\n", who, what, (unsigned long long)s,
	       (unsigned long long)cs, (unsigned long long)pps,
	       (unsigned long long)(mb / 10), (unsigned long long)(mb % 10),
	       (unsigned long long)c->sent, (unsigned long long)c->ring_full,
	       (unsigned long long)c->drops, (unsigned long long)c->late);
}

/* A core's counters as it last published them. */
static void counters_of(const struct core *pc, struct counters *c)
{
	c->sent = READ_ONCE(pc->c.sent);
	c->ring_full = READ_ONCE(pc->c.ring_full);
	c->drops = READ_ONCE(pc->c.drops);
	c->late = READ_ONCE(pc->c.late);
	c->nobuf = READ_ONCE(pc->c.nobuf);
}

static void counters_add(struct counters *sum, const struct counters *c)
{
	sum->sent += c->sent;
	sum->ring_full += c->ring_full;
	sum->drops += c->drops;
	sum->late += c->late;
	sum->nobuf += c->nobuf;
}

/* CPU 0's interval lines: one per core (with more than one), then the total. */
static struct {
	uint64_t every, next, last_tick, last_sent[SKIFF_MAX_CPUS], last_total;
} rep;

static void report_interval(uint64_t now)
{
	struct counters c, total = { 0 };

	for (unsigned k = 0; k < ncores; k++) {
		counters_of(&core[k], &c);
		if (ncores > 1)
			report_line((int)k, "t", c.sent - rep.last_sent[k], now - rep.last_tick, &c);
		rep.last_sent[k] = c.sent;
		counters_add(&total, &c);
	}
	report_line(-1, "t", total.sent - rep.last_total, now - rep.last_tick, &total);
	rep.last_total = total.sent;
	rep.last_tick = now;
	rep.next += rep.every;
}

static void run(struct core *pc)
{
	struct netbuf *bufs[MAX_BURST];
	unsigned pending = 0, off = 0;
	bool stalled = false, reporter = pc->queue == 0;
	const unsigned check_every = burst >= 16 ? 1 : 16 / (unsigned)burst;
	const uint64_t start = pc->start, count_c = pc->share.count;
	uint64_t now = start, iter = 0;
	uint64_t end = duration ? start + ns_to_tsc(duration * NSEC_PER_SEC) : UINT64_MAX;
	uint64_t built = 0, skipped = 0;
	struct idle idle_state;
	const uint64_t backlog = MAX(2 * burst, pc->rate_num / flows / 200);
	const uint64_t halt_min = ns_to_tsc(20 * NSEC_PER_USEC);
	const uint64_t halt_max = ns_to_tsc(NSEC_PER_MSEC);

	idle_init(&idle_state, halt_us ? 4 : 0, (uint32_t)(halt_us * 1000));

	for (;;) {
		if (++iter >= check_every || rate) {
			iter = 0;
			now = rdtsc();
			if (now >= end)
				break;
			if (reporter && now >= rep.next)
				report_interval(now);
		}
		if (!pending) {
			uint64_t n = burst;
			if (count_c && count_c - built < n)
				n = count_c - built;
			if (rate) {
				/* Frames due by now. Falling further behind than
				 * backlog (5 ms, at least two bursts) skips the
				 * excess rather than catching up in one long burst
				 * a receiver could not take. */
				uint64_t allowed = (uint64_t)((unsigned __int128)(now - start) *
							      pc->rate_num / rate_den);
				if (allowed > built + skipped + backlog) {
					COUNT(pc, late, allowed - (built + skipped + backlog));
					skipped = allowed - built - backlog;
				}
				allowed -= skipped;
				uint64_t due = allowed > built ? allowed - built : 0;
				if (due < n) {
					/* Send whole bursts: sleep until one is due
					 * when that is worth a halt. What was sent
					 * goes now, not when the ring is half full. */
					netdev_tx_flush(nic.dev, pc->queue);
					uint64_t at = start + (uint64_t)((unsigned __int128)
						(built + skipped + n) * rate_den / pc->rate_num);
					if (at > now + halt_min)
						cpu_idle(tsc_to_ns(MIN(at - now, halt_max)));
					continue;
				}
			}
			if (!n) {
				if (count_c && built == count_c)
					break;
				continue;
			}
			pending = build(pc, bufs, (unsigned)n, now);
			built += pending;
			off = 0;
			if (!pending) {
				/* Every frame is still with the driver (zerocopy)
				 * or the pool is dry: let the driver give back
				 * what the device has sent. */
				netdev_tx_flush(nic.dev, pc->queue);
				netdev_tx_reclaim(nic.dev, pc->queue);
				continue;
			}
		}
		if (output == OUT_FREE) {
			netbuf_free_bulk(bufs, pending);
			COUNT(pc, sent, pending);
			pending = 0;
			continue;
		}
		unsigned k = netdev_tx_burst(nic.dev, pc->queue, bufs + off,
					     (uint16_t)(pending - off));
		COUNT(pc, sent, k);
		off += k;
		idle_poll(&idle_state, k);
		if (off == pending) {
			pending = 0;
			stalled = false;
		} else {
			if (!stalled)
				COUNT(pc, ring_full, 1);
			stalled = true;
			if (full == FULL_DROP) {
				netbuf_free_bulk(bufs + off, pending - off);
				COUNT(pc, drops, pending - off);
				pending = 0;
				stalled = false;
			}
		}
	}
	if (pending)	/* stopped by the clock with frames in hand */
		netbuf_free_bulk(bufs + off, pending - off);
	netdev_tx_flush(nic.dev, pc->queue);	/* not left waiting for the other cores */
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

	(void)arg;
	pc->start = rdtsc();
	run(pc);
	pc->stop = rdtsc();
	nf_core_done(pc->queue, (unsigned)ncores, tick);
	return EXIT_OK;
}

static void summary(void)
{
	struct counters total = { 0 };
	uint64_t first = UINT64_MAX, last = 0;

	for (unsigned k = 0; k < ncores; k++) {
		const struct core *pc = &core[k];
		if (ncores > 1)
			report_line((int)k, "summary elapsed", pc->c.sent, pc->stop - pc->start,
				    &pc->c);
		counters_add(&total, &pc->c);
		first = MIN(first, pc->start);
		last = MAX(last, pc->stop);
	}
	report_line(-1, "summary elapsed", total.sent, last - first, &total);
	if (total.nobuf)
		printf("pktgen: the pool ran dry %llu times\n", (unsigned long long)total.nobuf);
}

static int pktgen_main(void)
{
	struct frame_spec spec = {
		.src_ip = src_ip, .dst_ip = dst_ip, .src_port = (uint16_t)src_port,
		.dst_port = (uint16_t)dst_port, .size = (uint16_t)size, .udp_csum = udp_csum,
	};
	int status = EXIT_OK, rc;

	if (src_port + flows - 1 > 65535) {
		printf("pktgen: src_port=%llu with flows=%llu runs past port 65535\n",
		       (unsigned long long)src_port, (unsigned long long)flows);
		return EXIT_CONFIG;
	}
	if (nf_cores_check("pktgen", (unsigned)ncores) < 0)
		return EXIT_CONFIG;
	if (flows < ncores) {
		printf("pktgen: cores=%llu with flows=%llu: flow f is sent by core f mod cores,"
		       " so every core needs a flow (flows=%llu or more)\n",
		       (unsigned long long)ncores, (unsigned long long)flows,
		       (unsigned long long)ncores);
		return EXIT_CONFIG;
	}
	nic.tx_defer_pct = (unsigned)kick_at;
	nic.rx_unread = true;
	rc = nic_open_queues(&nic, "pktgen", (unsigned)nic_index, (unsigned)ncores, 0,
			     (unsigned)tx_ring, 0, 2 * (unsigned)burst, false);
	if (rc < 0)
		return rc == NIC_ERR_CONFIG ? EXIT_CONFIG : EXIT_FAIL;
	memcpy(spec.src_mac, nic.info.mac, 6);
	memcpy(spec.dst_mac, dst_mac, 6);
	frame_template_init(&tmpl, &spec);

	rate_den = tsc_hz * flows;
	for (unsigned k = 0; k < ncores; k++) {
		struct core *pc = &core[k];
		pc->queue = (uint16_t)k;
		share_of(k, (unsigned)ncores, (unsigned)flows, count, &pc->share);
		pc->flow = pc->share.first_flow;
		pc->rate_num = rate * pc->share.nflows;
	}
	if (mode == MODE_ZEROCOPY && zerocopy_setup() < 0)
		return EXIT_FAIL;

	printf("pktgen: sending %llu-byte frames, %s, burst %llu, %s%s",
	       (unsigned long long)size, modes[mode], (unsigned long long)burst,
	       output == OUT_FREE ? "freed instead of sent" : "to the NIC",
	       rate ? "" : ", as fast as possible");
	if (output == OUT_DEVICE && kick_at)
		printf(", kick at %llu%% of the ring", (unsigned long long)kick_at);
	if (ncores > 1)
		printf(", on %llu cores (flow f on core f mod %llu)", (unsigned long long)ncores,
		       (unsigned long long)ncores);
	printf("\n");

	rep.every = ns_to_tsc(interval * NSEC_PER_SEC);
	rep.last_tick = rdtsc();
	rep.next = rep.last_tick + rep.every;
	status = nf_cores_run("pktgen", (unsigned)ncores, core_main, NULL);
	summary();
	if (nic_close(&nic) < 0 && status == EXIT_OK)
		status = EXIT_FAIL;
	for (unsigned k = 0; k < ncores; k++)
		if (core[k].zc)
			for (unsigned i = 0; i <= core[k].zc_mask; i++)
				netbuf_free(core[k].zc[i]);
	nic_print_stats("pktgen", &nic);
	nic_print_queue_stats("pktgen", &nic);
	return status;
}

NF_DEFINE("pktgen", "sends UDP frames as fast as asked and reports the rate",
	  params, pktgen_main);
