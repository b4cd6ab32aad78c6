/* SPDX-License-Identifier: BSD-3-Clause */
#include "fwd.h"

void fwd_free_flush(struct fwd_io *io)
{
	netbuf_free_bulk(io->gone, io->ngone);
	io->ngone = 0;
}

void fwd_send_full(struct fwd_io *io, unsigned out, struct netbuf *nb)
{
	struct fwd_txq *q = &io->txq[out];

	if (!q->off) {
		io->txq_full[out]++;
		fwd_free(io, nb);
		return;
	}
	/* Sent frames left a gap at the front: close it. */
	memmove(q->bufs, q->bufs + q->off, (q->n - q->off) * sizeof(q->bufs[0]));
	q->n -= q->off;
	q->off = 0;
	q->bufs[q->n++] = nb;
}

void fwd_io_drain(struct fwd_io *io)
{
	for (unsigned p = 0; p < FWD_PORTS; p++) {
		struct fwd_txq *q = &io->txq[p];

		netbuf_free_bulk(q->bufs + q->off, q->n - q->off);
		q->off = q->n = 0;
	}
	fwd_free_flush(io);
}
