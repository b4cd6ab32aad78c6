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
 */
#include <skiff/console.h>
#include <skiff/idle.h>
#include <skiff/mem.h>
#include <skiff/nf.h>
#include <skiff/time.h>
#include "../lib/nic.h"
#include "../lib/report.h"
#include "frame.h"

#define MAX_BURST	256

enum { MODE_GENERATE, MODE_COPY, MODE_ZEROCOPY };
enum { FULL_RETRY, FULL_DROP };
enum { OUT_DEVICE, OUT_FREE };
static const char *const modes[] = { "generate", "copy", "zerocopy", NULL };
static const char *const fulls[] = { "retry", "drop", NULL };
static const char *const outputs[] = { "device", "free", NULL };

static uint8_t dst_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static uint32_t src_ip = 0xc6120002, dst_ip = 0xc6120003;	/* 198.18.0.2 -> .3 */
static uint64_t src_port = 5001, dst_port = 5001, size = 60, count, duration = 10;
static uint64_t rate, burst = 32, flows = 1, interval = 1, nic_index, tx_ring, halt_us;
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
	PARAM_INT("halt_us", halt_us, 0, 10000,
		  "halt this long when the ring stays full 4 tries (0: spin)"),
};

static struct nf_nic nic;
static struct frame_template tmpl;

/* Where the next frame goes: flows take turns, each with its own sequence. */
static uint16_t next_flow;
static uint32_t next_round;

/* zerocopy: frames sent again and again (a power of two of them). */
static struct netbuf **zc;
static struct netbuf_pool *zc_pool;
static unsigned zc_mask, zc_next;

struct counters {
	uint64_t sent;
	uint64_t ring_full;	/* bursts the ring could not take whole */
	uint64_t drops;		/* frames dropped on a full ring (full=drop) */
	uint64_t late;		/* frames the pacing skipped: the path was slower */
	uint64_t nobuf;		/* bursts delayed by an empty pool */
};
static struct counters c;

static inline void next_stamp(uint16_t *flow, uint32_t *seq)
{
	*flow = next_flow;
	*seq = next_round;
	if (++next_flow == flows) {
		next_flow = 0;
		next_round++;
	}
}

/* Fills bufs[0..n) with fresh frames; returns how many it could make. */
static unsigned build(struct netbuf **bufs, unsigned n, uint64_t tsc)
{
	uint16_t flow;
	uint32_t seq;

	if (mode == MODE_ZEROCOPY) {
		unsigned got = 0;
		for (unsigned tries = 0; got < n && tries <= zc_mask; tries++) {
			struct netbuf *nb = zc[zc_next];
			zc_next = (zc_next + 1) & zc_mask;
			if (netbuf_refcnt(nb) != 1)
				continue;	/* the driver still has it */
			next_stamp(&flow, &seq);
			frame_stamp(&tmpl, netbuf_data(nb), flow, seq, tsc);
			netbuf_ref(nb);
			bufs[got++] = nb;
		}
		return got;
	}
	if (unlikely(netbuf_alloc_bulk(nic.pool, bufs, n) < 0)) {
		c.nobuf++;
		return 0;
	}
	for (unsigned i = 0; i < n; i++) {
		struct netbuf *nb = bufs[i];
		nb->data_len = (uint16_t)size;
		nb->pkt_len = (uint32_t)size;
		next_stamp(&flow, &seq);
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

	/* More frames than the ring holds, so some are always free. */
	while (n < nic.info.tx_desc_max + 2 * burst)
		n <<= 1;
	zc = mem_alloc(n * sizeof(*zc), 64, "zerocopy frames");
	zc_pool = netbuf_pool_alloc("zerocopy", n, NIC_DATA_ROOM, 0);
	if (!zc || !zc_pool || netbuf_alloc_bulk(zc_pool, zc, n) < 0) {
		printf("pktgen: cannot get %u frames for zerocopy mode\n", n);
		return -1;
	}
	for (unsigned i = 0; i < n; i++) {
		zc[i]->data_len = (uint16_t)size;
		zc[i]->pkt_len = (uint32_t)size;
		frame_copy(&tmpl, netbuf_data(zc[i]), 0, 0, 0);
	}
	zc_mask = n - 1;
	return 0;
}

static void report(const char *what, uint64_t pkts, uint64_t ticks)
{
	uint64_t pps = rate_per_sec(pkts, ticks), mb = mbps_x10(pps, pkts * size, pkts);
	uint64_t s, cs;

	ticks_to_sec(ticks, &s, &cs);
	printf("pktgen %s=%llu.%02llu tx_pps=%llu tx_mbps=%llu.%llu tx_pkts=%llu"
	       " ring_full=%llu drops=%llu late=%llu\n", what, (unsigned long long)s,
	       (unsigned long long)cs, (unsigned long long)pps,
	       (unsigned long long)(mb / 10), (unsigned long long)(mb % 10),
	       (unsigned long long)c.sent, (unsigned long long)c.ring_full,
	       (unsigned long long)c.drops, (unsigned long long)c.late);
}

static void run(void)
{
	struct netbuf *bufs[MAX_BURST];
	unsigned pending = 0, off = 0;
	bool stalled = false;
	const unsigned check_every = burst >= 16 ? 1 : 16 / (unsigned)burst;
	uint64_t start = rdtsc(), now = start, iter = 0;
	uint64_t end = duration ? start + ns_to_tsc(duration * NSEC_PER_SEC) : UINT64_MAX;
	uint64_t every = ns_to_tsc(interval * NSEC_PER_SEC), next_report = start + every;
	uint64_t last_sent = 0, last_tick = start, built = 0, skipped = 0;
	struct idle idle_state;
	const uint64_t backlog = MAX(2 * burst, rate / 200);
	const uint64_t halt_min = ns_to_tsc(20 * NSEC_PER_USEC);
	const uint64_t halt_max = ns_to_tsc(NSEC_PER_MSEC);

	idle_init(&idle_state, halt_us ? 4 : 0, (uint32_t)(halt_us * 1000));

	for (;;) {
		if (++iter >= check_every || rate) {
			iter = 0;
			now = rdtsc();
			if (now >= end)
				break;
			if (now >= next_report) {
				report("t", c.sent - last_sent, now - last_tick);
				last_sent = c.sent;
				last_tick = now;
				next_report += every;
			}
		}
		if (!pending) {
			uint64_t n = burst;
			if (count && count - built < n)
				n = count - built;
			if (rate) {
				/* Frames due by now. Falling further behind than
				 * backlog (5 ms, at least two bursts) skips the
				 * excess rather than catching up in one long burst
				 * a receiver could not take. */
				uint64_t allowed = (uint64_t)((unsigned __int128)(now - start) *
							      rate / tsc_hz);
				if (allowed > built + skipped + backlog) {
					c.late += allowed - (built + skipped + backlog);
					skipped = allowed - built - backlog;
				}
				allowed -= skipped;
				uint64_t due = allowed > built ? allowed - built : 0;
				if (due < n) {
					/* Send whole bursts: sleep until one is due
					 * when that is worth a halt. */
					uint64_t at = start + (uint64_t)((unsigned __int128)
						(built + skipped + n) * tsc_hz / rate);
					if (at > now + halt_min)
						cpu_idle(tsc_to_ns(MIN(at - now, halt_max)));
					continue;
				}
			}
			if (!n) {
				if (count && built == count)
					break;
				continue;
			}
			pending = build(bufs, (unsigned)n, now);
			built += pending;
			off = 0;
			if (!pending) {
				/* Every frame is still with the driver (zerocopy)
				 * or the pool is dry: let the driver give back
				 * what the device has sent. */
				netdev_tx_reclaim(nic.dev, 0);
				continue;
			}
		}
		if (output == OUT_FREE) {
			netbuf_free_bulk(bufs, pending);
			c.sent += pending;
			pending = 0;
			continue;
		}
		unsigned k = netdev_tx_burst(nic.dev, 0, bufs + off, (uint16_t)(pending - off));
		c.sent += k;
		off += k;
		idle_poll(&idle_state, k);
		if (off == pending) {
			pending = 0;
			stalled = false;
		} else {
			if (!stalled)
				c.ring_full++;
			stalled = true;
			if (full == FULL_DROP) {
				netbuf_free_bulk(bufs + off, pending - off);
				c.drops += pending - off;
				pending = 0;
				stalled = false;
			}
		}
	}
	if (pending)	/* stopped by the clock with frames in hand */
		netbuf_free_bulk(bufs + off, pending - off);
	report("summary elapsed", c.sent, rdtsc() - start);
}

static int pktgen_main(void)
{
	struct frame_spec spec = {
		.src_ip = src_ip, .dst_ip = dst_ip, .src_port = (uint16_t)src_port,
		.dst_port = (uint16_t)dst_port, .size = (uint16_t)size, .udp_csum = udp_csum,
	};
	int status = EXIT_OK;

	if (src_port + flows - 1 > 65535) {
		printf("pktgen: src_port=%llu with flows=%llu runs past port 65535\n",
		       (unsigned long long)src_port, (unsigned long long)flows);
		return EXIT_CONFIG;
	}
	if (nic_open(&nic, "pktgen", (unsigned)nic_index, 0, (unsigned)tx_ring,
		     0, 2 * (unsigned)burst, false) < 0)
		return EXIT_FAIL;
	memcpy(spec.src_mac, nic.info.mac, 6);
	memcpy(spec.dst_mac, dst_mac, 6);
	frame_template_init(&tmpl, &spec);
	if (mode == MODE_ZEROCOPY && zerocopy_setup() < 0)
		return EXIT_FAIL;

	printf("pktgen: sending %llu-byte frames, %s, burst %llu, %s%s\n",
	       (unsigned long long)size, modes[mode], (unsigned long long)burst,
	       output == OUT_FREE ? "freed instead of sent" : "to the NIC",
	       rate ? "" : ", as fast as possible");
	run();
	if (nic_close(&nic) < 0)
		status = EXIT_FAIL;
	if (zc)
		for (unsigned i = 0; i <= zc_mask; i++)
			netbuf_free(zc[i]);
	nic_print_stats("pktgen", &nic);
	if (c.nobuf)
		printf("pktgen: the pool ran dry %llu times\n", (unsigned long long)c.nobuf);
	return status;
}

NF_DEFINE("pktgen", "sends UDP frames as fast as asked and reports the rate",
	  params, pktgen_main);
