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
 */
#include <skiff/console.h>
#include <skiff/nf.h>
#include <skiff/time.h>
#include "../lib/idle_params.h"
#include "../lib/nic.h"
#include "../lib/report.h"
#include "reflect.h"

#define BURST 32

static const char *const modes[] = { "l3", "l2", NULL };
static uint32_t ip = 0xc612000a;	/* 198.18.0.10 */
static uint64_t port, duration, interval = 1, nic_index, halt_us = 20, idle_polls = 4;
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
};

static struct nf_nic nic;
static struct echo_counters cnt;
static uint64_t rx_pkts, tx_pkts, tx_full;

/* Replies the TX ring has not taken yet, oldest first. */
static struct netbuf *waiting[BURST];
static uint16_t nwaiting, waiting_off;
static uint64_t waiting_since;

/* Sends what is waiting; true when nothing is left. *progress: any taken. */
static bool send_waiting(uint64_t now, bool *progress)
{
	uint16_t k = netdev_tx_burst(nic.dev, 0, waiting + waiting_off,
				     nwaiting - waiting_off);

	*progress = k;
	tx_pkts += k;
	waiting_off += k;
	if (waiting_off == nwaiting) {
		nwaiting = waiting_off = 0;
		return true;
	}
	if (now - waiting_since > tsc_hz) {	/* a second: give up on them */
		tx_full += nwaiting - waiting_off;
		netbuf_free_bulk(waiting + waiting_off, nwaiting - waiting_off);
		nwaiting = waiting_off = 0;
		return true;
	}
	return false;
}

static void report(const char *what, uint64_t drx, uint64_t dtx, uint64_t ticks)
{
	uint64_t s, cs;

	ticks_to_sec(ticks, &s, &cs);
	printf("echo %s=%llu.%02llu rx_pps=%llu tx_pps=%llu rx_pkts=%llu tx_pkts=%llu"
	       " tx_full=%llu malformed=%llu", what, (unsigned long long)s,
	       (unsigned long long)cs, (unsigned long long)rate_per_sec(drx, ticks),
	       (unsigned long long)rate_per_sec(dtx, ticks), (unsigned long long)rx_pkts,
	       (unsigned long long)tx_pkts, (unsigned long long)tx_full,
	       (unsigned long long)echo_malformed(&cnt));
#define PRINT(name) printf(" " #name "=%llu", (unsigned long long)cnt.name);
	ECHO_COUNTERS(PRINT)
#undef PRINT
	printf("\n");
}

static int echo_main(void)
{
	struct echo_cfg cfg = { .ip = ip, .udp_port = (uint16_t)port, .l2 = mode == 1 };
	struct netbuf *bufs[BURST], *drop[BURST];
	struct idle idle_state;

	if (nic_open(&nic, "echo", (unsigned)nic_index, 0, 0, 0, 2 * BURST,
		     promisc || cfg.l2) < 0)
		return EXIT_FAIL;
	memcpy(cfg.mac, nic.info.mac, 6);
	printf("echo: answering %s on %s as %u.%u.%u.%u\n",
	       cfg.l2 ? "every frame (l2)" : "ARP, ping and UDP", nic.dev->name, ip >> 24,
	       (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);

	uint64_t start = rdtsc(), now;
	uint64_t end = duration ? start + ns_to_tsc(duration * NSEC_PER_SEC) : UINT64_MAX;
	uint64_t every = ns_to_tsc(interval * NSEC_PER_SEC), next_report = start + every;
	uint64_t last_rx = 0, last_tx = 0, last_tick = start;

	nf_idle_init(&idle_state, halt_us, idle_polls);
	for (;;) {
		uint16_t n = 0, d = 0;
		bool sent = false;

		now = rdtsc();
		if (!nwaiting || send_waiting(now, &sent)) {
			n = netdev_rx_burst(nic.dev, 0, bufs, BURST);
			for (uint16_t i = 0; i < n; i++) {
				if (echo_reflect(&cfg, netbuf_data(bufs[i]), bufs[i]->data_len,
						 &cnt))
					waiting[nwaiting++] = bufs[i];
				else
					drop[d++] = bufs[i];
			}
			rx_pkts += n;
			if (d)
				netbuf_free_bulk(drop, d);
			if (nwaiting) {
				waiting_since = now;
				send_waiting(now, &sent);
			}
		}
		/* Waiting on a full TX ring is idle time too: halting lets QEMU's
		 * thread, which frees the ring, have the CPU. */
		idle_poll(&idle_state, n || sent);

		if (now >= end)
			break;
		if (now >= next_report) {
			report("t", rx_pkts - last_rx, tx_pkts - last_tx, now - last_tick);
			last_rx = rx_pkts;
			last_tx = tx_pkts;
			last_tick = now;
			next_report += every;
		}
	}
	if (nwaiting)
		netbuf_free_bulk(waiting + waiting_off, nwaiting - waiting_off);
	report("summary elapsed", rx_pkts, tx_pkts, rdtsc() - start);
	nic_close(&nic);
	nic_print_stats("echo", &nic);
	return EXIT_OK;
}

NF_DEFINE("echo", "answers ARP and ping, reflects UDP (or every frame with mode=l2)",
	  params, echo_main);
