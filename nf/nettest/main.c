/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nettest: exercises the netdev API for the driver tests. Sends count=
 * frames of size= bytes on every NIC, then receives on net0 until rx= frames
 * arrived or duration= seconds passed, and prints each device's info and
 * counters. Frames: Ethernet to dst_mac from the NIC's MAC, EtherType
 * 0x88b5 (local experimental), payload = 32-bit sequence number, 16-bit NIC
 * index, then bytes counting up from 0 (mod 256).
 *
 * hold=MS starves the driver on purpose: received netbufs are kept, not
 * freed, until the pool has been empty for MS milliseconds, then all are
 * let go at once; RX must carry on afterwards.
 */
#include <skiff/console.h>
#include <skiff/netdev.h>
#include <skiff/nf.h>
#include <skiff/string.h>
#include <skiff/time.h>
#include "../lib/nic.h"

#define ETHERTYPE_TEST	0x88b5
#define MAX_NICS	4
#define HDR_LEN		14
#define MAX_BURST	256
#define MAX_HELD	16384

static uint64_t count, size = 60, burst = 32, rx_expect, duration = 10;
static uint64_t pool_size, rx_ring, tx_ring, nics = MAX_NICS, hold_ms;
static bool promisc = true;
static uint8_t dst_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static const struct param params[] = {
	PARAM_INT("count", count, 0, 100000000, "frames to send on each NIC"),
	PARAM_INT("size", size, 60, 1514, "frame length without FCS"),
	PARAM_INT("burst", burst, 1, MAX_BURST, "frames per tx_burst call"),
	PARAM_MACADDR("dst_mac", dst_mac, "destination MAC of sent frames"),
	PARAM_INT("rx", rx_expect, 0, UINT64_MAX, "frames to receive on net0 before stopping"),
	PARAM_INT("duration", duration, 1, 3600, "seconds to wait for rx= frames"),
	PARAM_INT("pool", pool_size, 0, 1000000,
		  "netbufs in each NIC's pool (0: both rings and two bursts)"),
	PARAM_INT("rx_ring", rx_ring, 0, 32768, "RX ring size (0: the device's)"),
	PARAM_INT("tx_ring", tx_ring, 0, 32768, "TX ring size (0: the device's)"),
	PARAM_INT("nics", nics, 1, MAX_NICS, "NICs to use"),
	PARAM_FLAG("promisc", promisc, "receive frames for any MAC"),
	PARAM_INT("hold", hold_ms, 0, 60000,
		  "keep received netbufs until the pool was empty for this many ms"),
};

static struct nf_nic nic[MAX_NICS];
static unsigned nnics;

static void fill_frame(struct nf_nic *n, unsigned idx, struct netbuf *nb, uint32_t seq)
{
	uint8_t *p = netbuf_append(nb, (unsigned)size);

	memcpy(p, dst_mac, 6);
	memcpy(p + 6, n->info.mac, 6);
	p[12] = ETHERTYPE_TEST >> 8;
	p[13] = ETHERTYPE_TEST & 0xff;
	p[14] = (uint8_t)(seq >> 24);
	p[15] = (uint8_t)(seq >> 16);
	p[16] = (uint8_t)(seq >> 8);
	p[17] = (uint8_t)seq;
	p[18] = (uint8_t)(idx >> 8);
	p[19] = (uint8_t)idx;
	for (unsigned k = 6; k < size - HDR_LEN; k++)
		p[HDR_LEN + k] = (uint8_t)k;
}

/* Sends count= frames; gives up if the ring stays full for a second. */
static uint64_t send_all(unsigned idx)
{
	struct nf_nic *n = &nic[idx];
	struct netbuf *bufs[MAX_BURST];
	uint64_t sent = 0, stall_until = 0;

	while (sent < count) {
		uint16_t want = (uint16_t)MIN(burst, count - sent), done = 0;
		if (netbuf_alloc_bulk(n->pool, bufs, want) < 0) {
			printf("nettest: %s: pool empty after %llu frames\n", n->dev->name,
			       (unsigned long long)sent);
			break;
		}
		for (uint16_t i = 0; i < want; i++)
			fill_frame(n, idx, bufs[i], (uint32_t)(sent + i));
		while (done < want) {
			uint16_t k = netdev_tx_burst(n->dev, 0, bufs + done, want - done);
			done += k;
			if (k) {
				stall_until = 0;
			} else if (!stall_until) {
				stall_until = rdtsc() + ns_to_tsc(NSEC_PER_SEC);
			} else if (rdtsc() > stall_until) {
				printf("nettest: %s: TX ring stuck full for 1 s\n", n->dev->name);
				for (uint16_t i = done; i < want; i++)
					netbuf_free(bufs[i]);
				return sent + done;
			}
		}
		sent += want;
	}
	return sent;
}

static struct netbuf *held[MAX_HELD];
static uint64_t held_n;
static bool released;

static uint64_t pool_fails(struct netbuf_pool *pool)
{
	struct netbuf_pool_stats st;

	netbuf_pool_stats(pool, &st);
	return st.fails;
}

/* hold=: keeps @bufs; once the pool was dry for hold_ms, frees them all. */
static void hold(struct netbuf **bufs, uint16_t k, uint64_t got)
{
	static uint64_t fails, dry_since;

	if (released) {
		netbuf_free_bulk(bufs, k);
		return;
	}
	for (uint16_t i = 0; i < k; i++) {
		if (held_n < MAX_HELD)
			held[held_n++] = bufs[i];
		else
			netbuf_free(bufs[i]);
	}
	if (!dry_since) {
		if (!fails)
			fails = pool_fails(nic[0].pool) + 1;
		else if (pool_fails(nic[0].pool) >= fails)
			dry_since = rdtsc();	/* a refill found the pool empty */
		return;
	}
	if (rdtsc() - dry_since < ns_to_tsc(hold_ms * NSEC_PER_MSEC))
		return;
	netbuf_free_bulk(held, (unsigned)held_n);
	released = true;
	printf("nettest: pool empty for %llu ms, released %llu netbufs after %llu frames\n",
	       (unsigned long long)hold_ms, (unsigned long long)held_n,
	       (unsigned long long)got);
}

static uint64_t receive(uint64_t *bytes)
{
	struct netbuf *bufs[64];
	uint64_t got = 0, end = rdtsc() + ns_to_tsc(duration * NSEC_PER_SEC);

	*bytes = 0;
	while (got < rx_expect && rdtsc() < end) {
		uint16_t k = netdev_rx_burst(nic[0].dev, 0, bufs, ARRAY_SIZE(bufs));
		for (uint16_t i = 0; i < k; i++)
			*bytes += bufs[i]->pkt_len;
		got += k;
		if (hold_ms)
			hold(bufs, k, got);
		else
			netbuf_free_bulk(bufs, k);
	}
	if (hold_ms && !released) {
		printf("nettest: the pool never stayed empty for %llu ms; %llu netbufs held\n",
		       (unsigned long long)hold_ms, (unsigned long long)held_n);
		netbuf_free_bulk(held, (unsigned)held_n);
	}
	return got;
}

static int nettest_main(void)
{
	int status = EXIT_OK;

	nnics = (unsigned)MIN(nics, MAX(netdev_count(), 1));
	for (unsigned i = 0; i < nnics; i++)
		if (nic_open(&nic[i], "nettest", i, (unsigned)rx_ring, (unsigned)tx_ring,
			     (unsigned)pool_size, 2 * (unsigned)burst, promisc) < 0)
			return EXIT_FAIL;
	for (unsigned i = 0; i < nnics; i++) {
		uint64_t sent = send_all(i);
		printf("nettest: %s sent %llu frames of %llu bytes\n", nic[i].dev->name,
		       (unsigned long long)sent, (unsigned long long)size);
		if (sent != count)
			status = EXIT_FAIL;
	}
	if (rx_expect) {
		printf("nettest: waiting for %llu frames on %s\n", (unsigned long long)rx_expect,
		       nic[0].dev->name);
		uint64_t bytes, got = receive(&bytes);
		printf("nettest: %s received %llu frames, %llu bytes\n", nic[0].dev->name,
		       (unsigned long long)got, (unsigned long long)bytes);
		if (got < rx_expect && !hold_ms)	/* hold= drops by design */
			status = EXIT_FAIL;
	}
	for (unsigned i = 0; i < nnics; i++) {
		if (nic_close(&nic[i]) < 0)
			status = EXIT_FAIL;
		nic_print_stats("nettest", &nic[i]);
	}
	return status;
}

NF_DEFINE("nettest", "sends and receives test frames through the netdev API",
	  params, nettest_main);
