/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * echo: a reflector real hosts can ping. Answers ARP for ip=, ICMP echo
 * requests, and sends UDP datagrams back to their senders (reflect.h); with
 * mode=l2 it sends every frame back with the MACs swapped. Replies reuse the
 * received netbuf: no copy, no allocation. A full TX ring drops the replies
 * cannot take yet are kept and sent before anything new is received: the RX
 * ring then fills and QEMU stops reading the tap, so its one I/O thread
 * spends its time sending replies instead of receiving frames whose replies
 * would be thrown away. Replies still waiting after a second are dropped
 * (tx_full), so a stuck device cannot stall reception for good.
 *
 * cores=N answers on N queue pairs: core k answers what arrives on RX queue
 * k on TX queue k, with its own counters; CPU 0 prints the report lines.
 */
#include <skiff/console.h>
#include <skiff/fmt.h>
#include <skiff/nf.h>
#include <skiff/time.h>
#include "../lib/cores.h"
#include "../lib/idle_params.h"
#include "../lib/nic.h"
#include "../lib/report.h"
#include "reflect.h"

#define BURST 32

static const char *const modes[] = { "l3", "l2", NULL };
static uint32_t ip = 0xc612000a;	/* 198.18.0.10 */
static uint64_t port, duration, interval = 1, nic_index, halt_us = 20, idle_polls = 4;
static uint64_t ncores = 1;
static unsigned mode;
static bool promisc;

static const struct param params[] = {
	PARAM_IP("ip", ip, "our IPv4 address"),
	PARAM_INT("port", port, 0, 65535, "UDP port to reflect (0: every port)"),
	PARAM_CHOICE("mode", mode, modes,
		     "l3: ARP, ping and UDP for ip=; l2: every frame back, MACs swapped"),
	PARAM_INT("duration", duration, 0, 86400, "seconds to run (0: until stopped)"),
	PARAM_INT("interval", interval, 1, 3600, "seconds between report lines"),
	PARAM_INT("nic", nic_index, 0, 7, "NIC to serve"),
	PARAM_FLAG("promisc", promisc, "receive frames for any MAC (always on in mode l2)"),
	NF_IDLE_PARAMS(halt_us, idle_polls),
	NF_CORES_PARAM(ncores),
};

static struct nf_nic nic;
static struct echo_cfg cfg;

/* What a report line shows. */
struct counters {
	uint64_t rx_pkts, tx_pkts, tx_full;
	struct echo_counters e;
};

/* One core: its queue pair, its counters, the replies its ring has not
 * taken yet (oldest first). */
struct core {
	struct counters c;	/* its own, published with WRITE_ONCE for CPU 0 */
	struct netbuf *waiting[BURST];
	uint16_t nwaiting, waiting_off;
	uint64_t waiting_since;
	uint16_t queue;
} __aligned(2 * CACHE_LINE);

static struct core core[SKIFF_MAX_CPUS];

/* Sends what is waiting; true when nothing is left. *progress: any taken. */
static bool send_waiting(struct core *pc, uint64_t now, bool *progress)
{
	uint16_t k = netdev_tx_burst(nic.dev, pc->queue, pc->waiting + pc->waiting_off,
				     pc->nwaiting - pc->waiting_off);

	*progress = k;
	WRITE_ONCE(pc->c.tx_pkts, pc->c.tx_pkts + k);
	pc->waiting_off += k;
	if (pc->waiting_off == pc->nwaiting) {
		pc->nwaiting = pc->waiting_off = 0;
		return true;
	}
	if (now - pc->waiting_since > tsc_hz) {	/* a second: give up on them */
		WRITE_ONCE(pc->c.tx_full, pc->c.tx_full + pc->nwaiting - pc->waiting_off);
		netbuf_free_bulk(pc->waiting + pc->waiting_off, pc->nwaiting - pc->waiting_off);
		pc->nwaiting = pc->waiting_off = 0;
		return true;
	}
	return false;
}

/* A core's counters as it last published them, added to @sum. */
static void counters_add(struct counters *sum, const struct core *pc)
{
	sum->rx_pkts += READ_ONCE(pc->c.rx_pkts);
	sum->tx_pkts += READ_ONCE(pc->c.tx_pkts);
	sum->tx_full += READ_ONCE(pc->c.tx_full);
#define ADD(name) sum->e.name += READ_ONCE(pc->c.e.name);
	ECHO_COUNTERS(ADD)
#undef ADD
}

/* "echo [core=K ]WHAT=S.CC rx_pps=... tx_full=... malformed=... arp_replies=..." */
static void report(int k, const char *what, uint64_t drx, uint64_t dtx, uint64_t ticks,
		   const struct counters *c)
{
	uint64_t s, cs;
	char who[16] = "";

	if (k >= 0)
		fmt_snprintf(who, sizeof(who), "core=%d ", k);
	ticks_to_sec(ticks, &s, &cs);
	printf("echo %s%s=%llu.%02llu rx_pps=%llu tx_pps=%llu rx_pkts=%llu tx_pkts=%llu"
	       " tx_full=%llu malformed=%llu", who, what, (unsigned long long)s,
	       (unsigned long long)cs, (unsigned long long)rate_per_sec(drx, ticks),
	       (unsigned long long)rate_per_sec(dtx, ticks), (unsigned long long)c->rx_pkts,
	       (unsigned long long)c->tx_pkts, (unsigned long long)c->tx_full,
	       (unsigned long long)echo_malformed(&c->e));
#define PRINT(name) printf(" " #name "=%llu", (unsigned long long)c->e.name);
	ECHO_COUNTERS(PRINT)
#undef PRINT
	printf("\n");
}

/* CPU 0's interval lines: one per core (with more than one), then the total. */
static struct {
	uint64_t every, next, last_tick;
	struct counters last[SKIFF_MAX_CPUS], last_total;
} rep;

static void report_interval(uint64_t now)
{
	struct counters total = { 0 };
	uint64_t ticks = now - rep.last_tick;

	for (unsigned k = 0; k < ncores; k++) {
		struct counters c = { 0 };
		counters_add(&c, &core[k]);
		if (ncores > 1)
			report((int)k, "t", c.rx_pkts - rep.last[k].rx_pkts,
			       c.tx_pkts - rep.last[k].tx_pkts, ticks, &c);
		rep.last[k] = c;
		counters_add(&total, &core[k]);
	}
	report(-1, "t", total.rx_pkts - rep.last_total.rx_pkts,
	       total.tx_pkts - rep.last_total.tx_pkts, ticks, &total);
	rep.last_total = total;
	rep.last_tick = now;
	rep.next += rep.every;
}

static void serve(struct core *pc, uint64_t start)
{
	struct netbuf *bufs[BURST], *drop[BURST];
	struct echo_counters e = { 0 };
	struct idle idle_state;
	uint64_t end = duration ? start + ns_to_tsc(duration * NSEC_PER_SEC) : UINT64_MAX;
	uint64_t now;

	nf_idle_init(&idle_state, halt_us, idle_polls);
	for (;;) {
		uint16_t n = 0, d = 0;
		bool sent = false;

		now = rdtsc();
		if (!pc->nwaiting || send_waiting(pc, now, &sent)) {
			n = netdev_rx_burst(nic.dev, pc->queue, bufs, BURST);
			if (n) {
				/* Counted locally, published once per burst. */
				e = pc->c.e;
				for (uint16_t i = 0; i < n; i++) {
					if (echo_reflect(&cfg, netbuf_data(bufs[i]),
							 bufs[i]->data_len, &e))
						pc->waiting[pc->nwaiting++] = bufs[i];
					else
						drop[d++] = bufs[i];
				}
#define PUT(name) WRITE_ONCE(pc->c.e.name, e.name);
				ECHO_COUNTERS(PUT)
#undef PUT
				WRITE_ONCE(pc->c.rx_pkts, pc->c.rx_pkts + n);
			}
			if (d)
				netbuf_free_bulk(drop, d);
			if (pc->nwaiting) {
				pc->waiting_since = now;
				send_waiting(pc, now, &sent);
			}
		}
		/* Waiting on a full TX ring is idle time too: halting lets QEMU's
		 * thread, which frees the ring, have the CPU. */
		idle_poll(&idle_state, n || sent);

		if (now >= end)
			break;
		if (pc->queue == 0 && now >= rep.next)
			report_interval(now);
	}
	if (pc->nwaiting)
		netbuf_free_bulk(pc->waiting + pc->waiting_off, pc->nwaiting - pc->waiting_off);
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

	serve(pc, *(const uint64_t *)arg);
	nf_core_done(pc->queue, (unsigned)ncores, tick);
	return EXIT_OK;
}

static int echo_main(void)
{
	struct counters total = { 0 };
	int rc;

	cfg = (struct echo_cfg){ .ip = ip, .udp_port = (uint16_t)port, .l2 = mode == 1 };
	if (nf_cores_check("echo", (unsigned)ncores) < 0)
		return EXIT_CONFIG;
	rc = nic_open_queues(&nic, "echo", (unsigned)nic_index, (unsigned)ncores, 0, 0, 0,
			     2 * BURST, promisc || cfg.l2);
	if (rc < 0)
		return rc == NIC_ERR_CONFIG ? EXIT_CONFIG : EXIT_FAIL;
	memcpy(cfg.mac, nic.info.mac, 6);
	printf("echo: answering %s on %s as %u.%u.%u.%u",
	       cfg.l2 ? "every frame (l2)" : "ARP, ping and UDP", nic.dev->name, ip >> 24,
	       (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
	if (ncores > 1)
		printf(", %llu queue pairs on %llu cores", (unsigned long long)ncores,
		       (unsigned long long)ncores);
	printf("\n");
	for (unsigned k = 0; k < ncores; k++)
		core[k].queue = (uint16_t)k;

	uint64_t start = rdtsc();
	rep.every = ns_to_tsc(interval * NSEC_PER_SEC);
	rep.last_tick = start;
	rep.next = start + rep.every;
	rc = nf_cores_run("echo", (unsigned)ncores, core_main, &start);
	uint64_t elapsed = rdtsc() - start;
	for (unsigned k = 0; k < ncores; k++) {
		struct counters c = { 0 };
		counters_add(&c, &core[k]);
		if (ncores > 1)
			report((int)k, "summary elapsed", c.rx_pkts, c.tx_pkts, elapsed, &c);
		counters_add(&total, &core[k]);
	}
	report(-1, "summary elapsed", total.rx_pkts, total.tx_pkts, elapsed, &total);
	nic_close(&nic);
	nic_print_stats("echo", &nic);
	nic_print_queue_stats("echo", &nic);
	return rc;
}

NF_DEFINE("echo", "answers ARP and ping, reflects UDP (or every frame with mode=l2)",
	  params, echo_main);
