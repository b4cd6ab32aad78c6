/* fwd's bridge (mode=l2): frames cross unchanged in their own netbufs,
 * learning filters traffic that stays on one side, link-local groups stay
 * put, stations move and age out, a crowded table forgets the quietest, and
 * mutated frames are each counted once without a leak. */
#include "l2.h"
#include "test_fwd.h"

#define AGE 1000

static const uint8_t A[6] = { 0x02, 0, 0, 0, 0, 0x0a };	/* side 0 */
static const uint8_t B[6] = { 0x02, 0, 0, 0, 0, 0x0b };	/* side 1 */
static const uint8_t C[6] = { 0x02, 0, 0, 0, 0, 0x0c };	/* side 0 */
static const uint8_t U[6] = { 0x02, 0, 0, 0, 0, 0x77 };	/* never seen */
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static struct netbuf_pool *pool[2];
static struct fwd_io io;
static struct l2 b;
static uint64_t now = 5000;
static uint8_t f[2048];
static struct netbuf *out[FWD_TXQ_MAX];

static uint64_t fates(void)
{
	return b.cnt.forwarded + b.cnt.filtered + b.cnt.link_local + b.cnt.bad_src +
	       b.cnt.truncated;
}

/* Sends dst <- src into port @in; returns the port it came out of (-1: none). */
static int cross(unsigned in, const uint8_t dst[6], const uint8_t src[6], unsigned len)
{
	eth(f, dst, src, 0x0800);
	for (unsigned i = 14; i < len; i++)
		f[i] = (uint8_t)i;
	struct netbuf *nb = nb_of(pool[in], f, len);
	l2_input(&b, in, &nb, 1, now);
	for (unsigned p = 0; p < 2; p++) {
		unsigned n = take(&io, p, out, 8);
		if (n) {
			bool same = n == 1 && out[0] == nb && out[0]->data_len == len &&
				    !memcmp(netbuf_data(out[0]), f, len);
			free_all(out, n);
			return same ? (int)p : -2;
		}
	}
	return -1;
}

static void test_bridge(void)
{
	memset(&io, 0, sizeof(io));
	l2_init(&b, &io, AGE);
	is_u64(cross(0, BCAST, A, 60), 1, "broadcast from A: out of port 1, same netbuf, unchanged");
	is_u64(l2_lookup(&b, A, now), 0, "A learned on port 0");
	is_u64(cross(1, A, B, 1514), 0, "B -> A: to port 0, 1514 bytes unchanged");
	is_u64(cross(0, B, A, 60), 1, "A -> B: to port 1");
	is_u64(cross(0, A, C, 60), -1, "C -> A, both on side 0: filtered");
	is_u64(b.cnt.filtered, 1, "filtered: counted");
	is_u64(cross(0, U, A, 60), 1, "unknown unicast: flooded to the other port");
	static const uint8_t mc[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };
	is_u64(cross(0, mc, A, 60), 1, "multicast: to the other port");

	static const uint8_t stp[6] = { 0x01, 0x80, 0xc2, 0, 0, 0 };
	static const uint8_t lldp[6] = { 0x01, 0x80, 0xc2, 0, 0, 0x0e };
	static const uint8_t not_ll[6] = { 0x01, 0x80, 0xc2, 0, 0, 0x10 };
	ok(cross(0, stp, A, 60) == -1 && cross(1, lldp, B, 60) == -1 && b.cnt.link_local == 2,
	   "01:80:c2:00:00:00 and :0e (STP, LLDP): not bridged, counted");
	is_u64(cross(0, not_ll, A, 60), 1, "01:80:c2:00:00:10 is not link-local: bridged");
	ok(cross(0, B, mc, 60) == -1 && b.cnt.bad_src == 1, "a group source MAC: dropped, counted");
	ok(cross(0, B, A, 13) == -1 && b.cnt.truncated == 1, "13 bytes: dropped as truncated");

	/* A moves to side 1. */
	is_u64(cross(1, BCAST, A, 60), 0, "A now sends from side 1");
	ok(l2_lookup(&b, A, now) == 1 && b.cnt.moved == 1, "A moved to port 1, counted");
	is_u64(cross(1, A, B, 60), -1, "B -> A, both on side 1 now: filtered");
	is_u64(cross(0, A, C, 60), 1, "C -> A crosses to side 1");

	/* Ageing. */
	now += AGE;
	is_u64(l2_lookup(&b, A, now), 1, "an entry lives for the whole ageing time");
	now += 1;
	ok(l2_lookup(&b, A, now) == -1, "and is forgotten after it");
	is_u64(cross(1, A, B, 60), 0, "B -> A after ageing: flooded to the other side");
	uint64_t learned = b.cnt.learned;
	is_u64(cross(0, BCAST, A, 60), 1, "A speaks again, from side 0");
	ok(b.cnt.moved == 1 && b.cnt.learned == learned && l2_lookup(&b, A, now) == 0,
	   "an expired entry is taken over: not a move, not a new station");

	is_u64(fates(), 16, "16 frames, 16 fates");
	is_u64(io.drop[0] + io.drop[1], 6, "6 dropped");
	is_u64(pool_in_use(pool[0]) + pool_in_use(pool[1]), 0, "no netbuf left behind");
}

static void test_crowd(void)
{
	uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0 };
	unsigned found = 0;

	memset(&io, 0, sizeof(io));
	l2_init(&b, &io, AGE);
	/* 20000 stations in a table of 1024: each set keeps its 4 most recent. */
	for (unsigned i = 0; i < 20000; i++) {
		mac[3] = (uint8_t)(i >> 16), mac[4] = (uint8_t)(i >> 8), mac[5] = (uint8_t)i;
		now++;
		cross(i & 1, BCAST, mac, 60);
	}
	for (unsigned i = 20000 - 64; i < 20000; i++) {
		mac[3] = (uint8_t)(i >> 16), mac[4] = (uint8_t)(i >> 8), mac[5] = (uint8_t)i;
		found += l2_lookup(&b, mac, now) == (int)(i & 1);
	}
	is_u64(found, 64, "crowded: the 64 most recent stations are all known, on their ports");
	is_u64(b.cnt.learned, 20000, "crowded: each learned once");
}

static void test_output_free(void)
{
	memset(&io, 0, sizeof(io));
	l2_init(&b, &io, AGE);
	io.discard = true;
	ok(cross(0, BCAST, A, 60) == -1 && io.discarded == 1 && b.cnt.forwarded == 1,
	   "output=free: counted as forwarded, freed instead of queued");
	is_u64(pool_in_use(pool[0]), 0, "output=free: freed");
}

static void test_fuzz(void)
{
	struct netbuf *burst[FWD_BURST];
	uint64_t escaped = 0, sent = 0, changed = 0;
	static const uint8_t *macs[] = { A, B, C, U, BCAST };

	memset(&io, 0, sizeof(io));
	l2_init(&b, &io, AGE);
	srand(9);
	for (int round = 0; round < 5000; round++) {
		unsigned in = (unsigned)rand() & 1, n = 1 + (unsigned)rand() % FWD_BURST;
		for (unsigned i = 0; i < n; i++) {
			unsigned len = 14 + (unsigned)rand() % 100;
			eth(f, macs[rand() % 5], macs[rand() % 4], (uint16_t)rand());
			for (int k = rand() % 3; k > 0; k--)
				f[(unsigned)rand() % 12] ^= (uint8_t)(1 << (rand() % 8));
			if (rand() % 10 == 0)
				len = (unsigned)rand() % 14;
			burst[i] = nb_of(pool[in], f, len);
			burst[i]->udata = mac48(f) ^ len;	/* what it must still be */
		}
		uint64_t all = fates();
		l2_input(&b, in, burst, n, now);
		escaped += fates() != all + n;
		now += (uint64_t)rand() % 50;
		unsigned k = take(&io, in ^ 1, out, FWD_TXQ_MAX);
		for (unsigned j = 0; j < k; j++)
			changed += out[j]->udata != (mac48(netbuf_data(out[j])) ^ out[j]->data_len);
		sent += k;
		free_all(out, k);
		escaped += take(&io, in, out, FWD_TXQ_MAX);	/* never back where it came from */
	}
	ok(escaped == 0, "fuzz: every frame counted in exactly one fate, none sent back");
	ok(changed == 0, "fuzz: forwarded frames unchanged");
	ok(b.cnt.forwarded > 10000 && b.cnt.filtered > 1000 && b.cnt.bad_src > 100,
	   "fuzz: forwarded %llu, filtered %llu, bad_src %llu",
	   (unsigned long long)b.cnt.forwarded, (unsigned long long)b.cnt.filtered,
	   (unsigned long long)b.cnt.bad_src);
	is_u64(sent + io.drop[0] + io.drop[1], fates(), "fuzz: every frame sent or dropped");
	is_u64(pool_in_use(pool[0]) + pool_in_use(pool[1]), 0, "fuzz: no netbuf left behind");
}

/*
 * l2_input() remembers the last source and destination within a burst; a
 * burst must still have exactly the fates its frames would have one by one.
 * Two bridges see the same frames, one in bursts, one a frame per call, at
 * the same times: 1100 stations in a 1024-entry table, so that learning a
 * new source often evicts the destination a burst remembered, with moves,
 * repeats and expiries mixed in. The frames forwarded (in order), the counters and
 * the tables must agree.
 */
static void test_burst_is_frames(void)
{
	static struct l2 one;
	static struct fwd_io io1;
	struct netbuf *burst[FWD_BURST], *single[FWD_BURST];
	uint64_t differ = 0, sent = 0;
	uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0 };

	memset(&io, 0, sizeof(io));
	memset(&io1, 0, sizeof(io1));
	l2_init(&b, &io, AGE);
	l2_init(&one, &io1, AGE);
	srand(11);
	for (int round = 0; round < 3000; round++) {
		unsigned in = (unsigned)rand() & 1, n = 1 + (unsigned)rand() % FWD_BURST;
		unsigned src = (unsigned)rand() % 1100, dst = (unsigned)rand() % 1100;

		for (unsigned i = 0; i < n; i++) {
			if (rand() % 4 == 0)	/* mostly repeats, as real bursts */
				src = (unsigned)rand() % 1100;
			if (rand() % 4 == 0)
				dst = (unsigned)rand() % 1100;
			mac[4] = (uint8_t)(dst >> 8), mac[5] = (uint8_t)dst;
			memcpy(f, mac, 6);
			mac[4] = (uint8_t)(src >> 8), mac[5] = (uint8_t)src;
			memcpy(f + 6, mac, 6);
			f[12] = 0x08, f[13] = 0x00;
			burst[i] = nb_of(pool[in], f, 60);
			single[i] = nb_of(pool[in], f, 60);
			burst[i]->udata = single[i]->udata = (uint64_t)round << 8 | i;
		}
		l2_input(&b, in, burst, n, now);
		for (unsigned i = 0; i < n; i++)
			l2_input(&one, in, &single[i], 1, now);
		/* Now and then long enough for most of the table to expire. */
		now += rand() % 64 ? (uint64_t)rand() % 20 : AGE - 100 + (uint64_t)rand() % 200;
		unsigned k = take(&io, in ^ 1, out, FWD_TXQ_MAX);
		unsigned k1 = take(&io1, in ^ 1, single, FWD_BURST);
		differ += k != k1;
		for (unsigned j = 0; j < k && j < k1; j++)
			differ += out[j]->udata != single[j]->udata;
		sent += k;
		free_all(out, k);
		free_all(single, k1);
	}
	for (unsigned s = 0; s < 1100; s++) {
		mac[4] = (uint8_t)(s >> 8), mac[5] = (uint8_t)s;
		differ += l2_lookup(&b, mac, now) != l2_lookup(&one, mac, now);
	}
	ok(differ == 0, "bursts: the same frames forwarded, in the same order, and the same table"
	   " as one frame per call (%llu differences)", (unsigned long long)differ);
	ok(b.cnt.forwarded == one.cnt.forwarded && b.cnt.filtered == one.cnt.filtered &&
	   b.cnt.learned == one.cnt.learned && b.cnt.moved == one.cnt.moved,
	   "bursts: the same counters (forwarded %llu, filtered %llu, learned %llu, moved %llu)",
	   (unsigned long long)b.cnt.forwarded, (unsigned long long)b.cnt.filtered,
	   (unsigned long long)b.cnt.learned, (unsigned long long)b.cnt.moved);
	ok(b.cnt.filtered > 1000 && b.cnt.learned > 2000 && b.cnt.moved > 1000 && sent > 10000,
	   "bursts: the run filtered, learned, evicted and moved stations");
	is_u64(pool_in_use(pool[0]) + pool_in_use(pool[1]), 0, "bursts: no netbuf left behind");
}

int main(void)
{
	pool[0] = pool_new("port0", 1024);
	pool[1] = pool_new("port1", 1024);
	test_bridge();
	test_crowd();
	test_output_free();
	test_fuzz();
	test_burst_is_frames();
	return done_testing();
}
