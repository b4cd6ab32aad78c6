/* SPDX-License-Identifier: BSD-3-Clause */
#include <linux/if_ether.h>
#include "l2.h"

void l2_init(struct l2 *b, struct fwd_io *io, uint64_t age)
{
	memset(b, 0, sizeof(*b));
	b->io = io;
	b->age = age;
}

static struct l2_entry *set_of(struct l2 *b, uint64_t mac)
{
	/* Fibonacci hashing: the top bits of the product mix every MAC byte. */
	return b->table[(mac * 0x9e3779b97f4a7c15ull) >> 56];
}

STATIC_ASSERT(L2_SETS == 256, "set_of() takes 8 bits of hash");

static bool fresh(const struct l2 *b, const struct l2_entry *e, uint64_t now)
{
	return e->mac && now - e->seen <= b->age;
}

static int lookup(const struct l2 *b, uint64_t m, uint64_t now)
{
	const struct l2_entry *set = set_of((struct l2 *)b, m);

	for (unsigned w = 0; w < L2_WAYS; w++)
		if (set[w].mac == m && fresh(b, &set[w], now))
			return set[w].port;
	return -1;
}

int l2_lookup(const struct l2 *b, const uint8_t mac[6], uint64_t now)
{
	return lookup(b, mac48(mac), now);
}

/* Learns that @mac is on @port at @now; false if no lookup can tell the
 * difference (it was known there already, and fresh). */
static bool learn(struct l2 *b, uint64_t mac, unsigned port, uint64_t now)
{
	struct l2_entry *set = set_of(b, mac), *victim = &set[0];

	for (unsigned w = 0; w < L2_WAYS; w++) {
		struct l2_entry *e = &set[w];
		if (e->mac == mac) {
			bool live = fresh(b, e, now), moved = e->port != port;

			b->cnt.moved += live && moved;
			e->port = (uint8_t)port;
			e->seen = now;
			return moved || !live;
		}
		/* Replace a free or expired way first, else the quietest. */
		if (!fresh(b, victim, now))
			continue;
		if (!fresh(b, e, now) || e->seen < victim->seen)
			victim = e;
	}
	victim->mac = mac;
	victim->port = (uint8_t)port;
	victim->seen = now;
	b->cnt.learned++;
	return true;
}

/* 01:80:c2:00:00:0X as mac48() reads it, and the mask that drops the X. */
#define LINK_LOCAL	0x00000000c28001ull
#define LINK_LOCAL_MASK	0xf0ffffffffffull

/*
 * A burst comes from one port at one @now, and its frames mostly repeat a
 * few stations: the last source learned and the last destination looked up
 * are remembered for the burst, and a frame that repeats them skips the
 * table. Learning that changes what a lookup would return (a new entry,
 * which may evict another, a move, or a refresh of an expired one) forgets
 * the remembered destination.
 */
void l2_input(struct l2 *b, unsigned in, struct netbuf **bufs, unsigned n, uint64_t now)
{
	struct fwd_io *io = b->io;
	uint64_t last_src = 0, last_dst = 0;
	bool have_src = false, have_dst = false;
	int dst_port = -1;

	for (unsigned i = 0; i < n; i++) {
		struct netbuf *nb = bufs[i];
		const uint8_t *f = netbuf_data(nb);
		uint64_t dst, src;

		if (unlikely(nb->data_len < ETH_HLEN)) {
			b->cnt.truncated++;
			fwd_drop(io, in, nb);
			continue;
		}
		dst = mac48(f);
		src = mac48(f + ETH_ALEN);
		if (unlikely(mac48_is_group(src))) {
			b->cnt.bad_src++;
			fwd_drop(io, in, nb);
			continue;
		}
		if (unlikely((dst & LINK_LOCAL_MASK) == LINK_LOCAL)) {
			b->cnt.link_local++;
			fwd_drop(io, in, nb);
			continue;
		}
		if (!have_src || src != last_src) {
			if (learn(b, src, in, now))
				have_dst = false;
			last_src = src;
			have_src = true;
		}
		if (!have_dst || dst != last_dst) {
			dst_port = mac48_is_group(dst) ? -1 : lookup(b, dst, now);
			last_dst = dst;
			have_dst = true;
		}
		if (dst_port == (int)in) {
			b->cnt.filtered++;
			fwd_drop(io, in, nb);
			continue;
		}
		b->cnt.forwarded++;
		fwd_forward(io, in ^ 1, nb);
	}
	fwd_free_flush(io);
}
