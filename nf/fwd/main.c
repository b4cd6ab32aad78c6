/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fwd: forwards between two NICs, as a learning bridge (mode=l2) or an IPv4
 * router (mode=l3). One loop polls both ports: it sends what waits in each
 * port's TX queue, receives a burst from each port while both queues have
 * room for what a burst can make, hands it to the frame logic (l2.c, l3.c),
 * and sends again. Frames go out as the netbufs they came in: no copy.
 *
 * Frames a TX ring does not take stay queued and are retried on the next
 * pass; while a queue is short of room, reception stops, the RX rings fill
 * and QEMU stops reading the taps: back-pressure instead of loss. A queue
 * that makes no progress for a second is given up (txdrop), so a stuck
 * device cannot stop the other port for good.
 *
 * The guest's own cost: the TSC is read at the start of each pass and, when
 * the pass moved frames, at its end; those passes add their cycles to a
 * sum, reported per forwarded frame
 * (cycles_per_frame). output=free frees forwarded frames instead of sending
 * them, so the figure then leaves out the TX path.
 */
#include <skiff/console.h>
#include <skiff/nf.h>
#include <skiff/time.h>
#include "../lib/idle_params.h"
#include "../lib/nic.h"
#include "../lib/report.h"
#include "l2.h"
#include "l3.h"

enum { MODE_L3, MODE_L2 };
enum { OUT_DEVICE, OUT_FREE };
static const char *const modes[] = { "l3", "l2", NULL };
static const char *const outputs[] = { "device", "free", NULL };

static unsigned mode = MODE_L3, output = OUT_DEVICE;
static struct ipv4_prefix ip[FWD_PORTS] = { { 0xc6120101, 24 }, { 0xc6120201, 24 } };
static struct route_list routes;
static uint64_t nic_index[FWD_PORTS] = { 0, 1 };
static uint64_t duration, idle, interval = 1, halt_us = 20, idle_polls = 4;
static uint64_t arp_queue = 4, arp_tries = 3, arp_retry_ms = 1000, arp_timeout = 60;
static uint64_t icmp_rate = 100, icmp_burst = 10, mac_age = 300;

static const struct param params[] = {
	PARAM_CHOICE("mode", mode, modes, "l3: IPv4 router; l2: learning bridge"),
	PARAM_OF("ip0", ip[0], ipv4_prefix_kind, "l3: port 0's address and subnet"),
	PARAM_OF("ip1", ip[1], ipv4_prefix_kind, "l3: port 1's address and subnet"),
	PARAM_OF("route", routes, route_kind, "l3: a static route; repeat the key for more"),
	PARAM_INT("nic0", nic_index[0], 0, 7, "NIC of port 0"),
	PARAM_INT("nic1", nic_index[1], 0, 7, "NIC of port 1"),
	PARAM_CHOICE("output", output, outputs,
		     "send forwarded frames, or free them (the guest's own cost)"),
	PARAM_INT("arp_queue", arp_queue, 0, NEIGH_QMAX,
		  "l3: frames held per next hop while ARP resolves it"),
	PARAM_INT("arp_tries", arp_tries, 1, 10, "l3: ARP requests before giving up"),
	PARAM_INT("arp_retry_ms", arp_retry_ms, 10, 10000, "l3: between ARP requests"),
	PARAM_INT("arp_timeout", arp_timeout, 1, 86400,
		  "l3: seconds an ARP answer is trusted before it is probed"),
	PARAM_INT("icmp_rate", icmp_rate, 0, 100000, "l3: ICMP errors per second (0: none)"),
	PARAM_INT("icmp_burst", icmp_burst, 1, 1000, "l3: ICMP errors sent back to back"),
	PARAM_INT("mac_age", mac_age, 1, 86400, "l2: seconds a learned MAC lives"),
	PARAM_INT("duration", duration, 0, 86400, "seconds to run (0: until stopped)"),
	PARAM_INT("idle", idle, 0, 3600,
		  "stop when no frame came for this many seconds, once one did (0: never)"),
	PARAM_INT("interval", interval, 1, 3600, "seconds between report lines"),
	NF_IDLE_PARAMS(halt_us, idle_polls),
};

static struct nf_nic nic[FWD_PORTS];
static struct fwd_io io;
static struct route_table table;
static struct l3 router;
static struct l2 bridge;

static uint64_t rx[FWD_PORTS], tx[FWD_PORTS], stuck[FWD_PORTS];
static uint64_t last_progress[FWD_PORTS];
static uint64_t busy;		/* TSC cycles of passes that moved frames */

static uint64_t forwarded(void)
{
	return mode == MODE_L3 ? router.cnt.forwarded + router.cnt.released
			       : bridge.cnt.forwarded;
}

/* Sends what waits for port @p; true if the ring took any. */
static bool flush(unsigned p, uint64_t now)
{
	struct fwd_txq *q = &io.txq[p];

	if (q->off == q->n) {
		last_progress[p] = now;
		return false;
	}
	uint16_t k = netdev_tx_burst(nic[p].dev, 0, q->bufs + q->off, q->n - q->off);
	tx[p] += k;
	q->off += k;
	if (q->off == q->n)
		q->off = q->n = 0;
	if (k) {
		last_progress[p] = now;
		return true;
	}
	if (now - last_progress[p] > tsc_hz) {	/* a second without progress */
		stuck[p] += q->n - q->off;
		netbuf_free_bulk(q->bufs + q->off, q->n - q->off);
		q->off = q->n = 0;
	}
	return false;
}

static void report(const char *what, uint64_t drx, uint64_t dfwd, uint64_t ticks)
{
	uint64_t s, cs, f = forwarded();

	ticks_to_sec(ticks, &s, &cs);
	printf("fwd %s=%llu.%02llu rx_pps=%llu fwd_pps=%llu", what, (unsigned long long)s,
	       (unsigned long long)cs, (unsigned long long)rate_per_sec(drx, ticks),
	       (unsigned long long)rate_per_sec(dfwd, ticks));
	for (unsigned p = 0; p < FWD_PORTS; p++)
		printf(" rx%u=%llu tx%u=%llu drop%u=%llu txdrop%u=%llu", p,
		       (unsigned long long)rx[p], p, (unsigned long long)tx[p], p,
		       (unsigned long long)io.drop[p], p,
		       (unsigned long long)(io.txq_full[p] + stuck[p]));
	printf(" fwd=%llu discarded=%llu cycles_per_frame=%llu", (unsigned long long)f,
	       (unsigned long long)io.discarded, (unsigned long long)(f ? busy / f : 0));
#define PRINT(name) printf(" " #name "=%llu", (unsigned long long)c->name);
	if (mode == MODE_L3) {
		const struct l3_counters *c = &router.cnt;
		printf(" held_now=%u malformed=%llu", l3_held(&router),
		       (unsigned long long)l3_malformed(c));
		L3_COUNTERS(PRINT)
	} else {
		const struct l2_counters *c = &bridge.cnt;
		L2_COUNTERS(PRINT)
	}
#undef PRINT
	printf("\n");
}

static void run(void)
{
	struct netbuf *bufs[FWD_BURST];
	struct idle idle_state;
	uint64_t start = rdtsc(), now;
	uint64_t end = duration ? start + ns_to_tsc(duration * NSEC_PER_SEC) : UINT64_MAX;
	uint64_t every = ns_to_tsc(interval * NSEC_PER_SEC), next_report = start + every;
	uint64_t tick = ns_to_tsc(10 * NSEC_PER_MSEC), next_tick = start;
	uint64_t last_rx = 0, last_fwd = 0, last_tick = start;
	uint64_t idle_ticks = ns_to_tsc(idle * NSEC_PER_SEC), last_frame = 0;
	unsigned first = 0;

	nf_idle_init(&idle_state, halt_us, idle_polls);
	for (;;) {
		bool work = false;

		now = rdtsc();
		for (unsigned p = 0; p < FWD_PORTS; p++)
			work |= flush(p, now);
		/* Each port in turn goes first, so that neither can take all
		 * the room the TX queues have. */
		bool got = false;
		first ^= 1;
		for (unsigned i = 0; i < FWD_PORTS; i++) {
			unsigned p = first ^ i;
			if (fwd_txq_room(&io.txq[0]) < FWD_TXQ_RESERVE ||
			    fwd_txq_room(&io.txq[1]) < FWD_TXQ_RESERVE)
				break;
			uint16_t n = netdev_rx_burst(nic[p].dev, 0, bufs, FWD_BURST);
			if (!n)
				continue;
			rx[p] += n;
			got = true;
			if (mode == MODE_L3)
				l3_input(&router, p, bufs, n, now);
			else
				l2_input(&bridge, p, bufs, n, now);
		}
		if (got) {
			for (unsigned p = 0; p < FWD_PORTS; p++)
				flush(p, now);
			work = true;
			last_frame = now;
		}
		if (mode == MODE_L3 && now >= next_tick) {
			l3_tick(&router, now);
			next_tick = now + tick;
		}
		if (work)
			busy += rdtsc() - now;
		/* Waiting on a full TX ring is idle time too: halting lets
		 * QEMU's thread, which empties the ring, have the CPU. */
		idle_poll(&idle_state, work);

		if (now >= end || (idle && last_frame && now - last_frame > idle_ticks))
			break;
		if (now >= next_report) {
			uint64_t all = rx[0] + rx[1], f = forwarded();
			report("t", all - last_rx, f - last_fwd, now - last_tick);
			last_rx = all;
			last_fwd = f;
			last_tick = now;
			next_report += every;
		}
	}
	/* What is still held or queued will not be sent now: count it. */
	if (mode == MODE_L3)
		l3_flush(&router);
	for (unsigned p = 0; p < FWD_PORTS; p++)
		stuck[p] += io.txq[p].n - io.txq[p].off;
	fwd_io_drain(&io);
	report("summary elapsed", rx[0] + rx[1], forwarded(), rdtsc() - start);
}

static void print_ip(const char *pre, uint32_t a)
{
	printf("%s%u.%u.%u.%u", pre, a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

/* Settings only the whole can check; 0, or EXIT_CONFIG after saying why. */
static int check_config(void)
{
	char err[192];
	unsigned have = netdev_count();

	if (nic_index[0] == nic_index[1]) {
		printf("fwd: nic0=%llu and nic1=%llu: the two ports need two different NICs\n",
		       (unsigned long long)nic_index[0], (unsigned long long)nic_index[1]);
		return EXIT_CONFIG;
	}
	for (unsigned p = 0; p < FWD_PORTS; p++)
		if (nic_index[p] >= have) {
			printf("fwd: nic%u=%llu: no network device net%llu (found %u); fwd"
			       " forwards between two NICs (scripts/run --net tap:tap0 --net"
			       " tap:tap1)\n", p, (unsigned long long)nic_index[p],
			       (unsigned long long)nic_index[p], have);
			return EXIT_CONFIG;
		}
	if (mode == MODE_L3 && route_table_build(&table, ip, &routes, err, sizeof(err)) < 0) {
		printf("fwd: %s\n", err);
		return EXIT_CONFIG;
	}
	return 0;
}

static int open_ports(void)
{
	struct netdev_info other;

	for (unsigned p = 0; p < FWD_PORTS; p++) {
		/* Netbufs of this pool wait in the other port's TX ring too,
		 * and in both TX queues, held for ARP, in a burst. */
		netdev_info(netdev_get((unsigned)nic_index[p ^ 1]), &other);
		unsigned extra = other.tx_desc_default + 2 * FWD_TXQ_MAX + NEIGH_HELD_MAX +
				 FWD_BURST + FWD_FREE_BATCH;
		if (nic_open(&nic[p], "fwd", (unsigned)nic_index[p], 0, 0, 0, extra,
			     mode == MODE_L2) < 0)
			return -1;
	}
	return 0;
}

static void print_setup(void)
{
	char txt[64];

	for (unsigned p = 0; p < FWD_PORTS; p++) {
		const uint8_t *m = nic[p].info.mac;
		printf("fwd: port %u = %s MAC %02x:%02x:%02x:%02x:%02x:%02x", p, nic[p].dev->name,
		       m[0], m[1], m[2], m[3], m[4], m[5]);
		if (mode == MODE_L3) {
			print_ip(" address ", ip[p].ip);
			printf("/%u", ip[p].len);
		}
		printf("\n");
	}
	if (mode == MODE_L3)
		for (unsigned i = 0; i < table.n; i++) {
			route_format(&table.r[i], txt, sizeof(txt));
			printf("fwd: route %s\n", txt);
		}
	else if (routes.n)
		printf("fwd: mode=l2 bridges every frame: ip0=, ip1= and route= are not used\n");
	printf("fwd: forwarding as %s, %s\n",
	       mode == MODE_L3 ? "an IPv4 router (l3)" : "a learning bridge (l2)",
	       output == OUT_FREE ? "forwarded frames freed instead of sent (output=free)"
				  : "zero copy");
}

static int fwd_main(void)
{
	int rc = check_config();

	if (rc)
		return rc;
	if (open_ports() < 0)
		return EXIT_FAIL;
	io.discard = output == OUT_FREE;
	if (mode == MODE_L3) {
		struct l3_cfg cfg = {
			.routes = &table,
			.arp_queue = (unsigned)arp_queue,
			.arp_tries = (unsigned)arp_tries,
			.arp_retry = ns_to_tsc(arp_retry_ms * NSEC_PER_MSEC),
			.arp_timeout = ns_to_tsc(arp_timeout * NSEC_PER_SEC),
			.icmp_interval = icmp_rate ? tsc_hz / icmp_rate : 0,
			.icmp_burst = (unsigned)icmp_burst,
		};
		for (unsigned p = 0; p < FWD_PORTS; p++) {
			memcpy(cfg.port[p].mac, nic[p].info.mac, 6);
			cfg.port[p].ip = ip[p].ip;
			cfg.port[p].mask = prefix_mask(ip[p].len);
			cfg.port[p].pool = nic[p].pool;
		}
		l3_init(&router, &cfg, &io);
	} else {
		l2_init(&bridge, &io, ns_to_tsc(mac_age * NSEC_PER_SEC));
	}
	print_setup();
	run();
	for (unsigned p = 0; p < FWD_PORTS; p++)
		if (nic_close(&nic[p]) < 0)
			rc = EXIT_FAIL;
	/* After both stops: a port's netbufs may have waited in the other's ring. */
	for (unsigned p = 0; p < FWD_PORTS; p++)
		nic_print_stats("fwd", &nic[p]);
	return rc;
}

NF_DEFINE("fwd", "forwards between two NICs: an IPv4 router (mode=l3) or a bridge (mode=l2)",
	  params, fwd_main);
