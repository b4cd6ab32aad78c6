# SPDX-License-Identifier: BSD-3-Clause
"""The allocator micro-benchmark on the host (bench/pool/bench_pool.c)."""

import csv
import io
import os

from ..stats import Ratio, select, spread
from ..util import ROOT, sh
from .base import Section

ALLOCATORS = {"pool-cache": "pool, cache 256", "pool-nocache": "pool, no cache",
              "heap": "heap (ALLOC=heap)", "glibc": "glibc malloc/free"}
OPS = {"pair": "get+put", "bulk32": "bulk of 32"}
BINARY = os.path.join(ROOT, "build", "bench", "bench_pool")


class Pool(Section):
    name = "pool"
    title = "Pool allocator (on the host)"
    in_default = False      # make bench-pool: its own results in docs/bench/pool/
    in_quick = False
    needs_lab = False

    def prepare(self):
        sh(["make", "-C", ROOT, "-s", "BUILD=build", "build/bench/bench_pool"])

    def specs(self):
        return [dict(section="pool")]

    def measure(self, s, run):
        out = sh([BINARY])
        return [dict(s, allocator=r["allocator"], op=r["op"], threads=int(r["threads"]), ns=float(r["ns"]))
                for r in csv.DictReader(io.StringIO(out))]

    def describe(self, r):
        return "pool: one round of every allocator"

    def ratios(self):
        out = []
        for op in OPS:
            out.append(Ratio(f"glibc / pool with cache, {OPS[op]}, 1 thread (times faster)", "pool", "ns",
                             dict(allocator="glibc", op=op, threads=1),
                             dict(allocator="pool-cache", op=op, threads=1), note="host clock"))
        for a in ALLOCATORS:
            out.append(Ratio(f"{ALLOCATORS[a]}: 2 threads / 1, aggregate rate, get+put", "pool", "ns",
                             dict(allocator=a, op="pair", threads=1), dict(allocator=a, op="pair", threads=2),
                             note="host clock"))
        return out

    def report(self, rows):
        L = ["`bench/pool/bench_pool.c` times 2 KiB objects (the netbuf size) through four allocators:"
             " the pool with a 256-object per-core cache, the pool without a cache (every operation"
             " on the shared lock-free ring), the heap that `ALLOC=heap` builds use for netbufs"
             " (first fit, one spinlock), and glibc malloc/free. A get+put pair, and a bulk of 32"
             " gets then 32 puts (`pool_get_bulk`/`pool_put_bulk`; one call per object for the"
             " others), 4 M objects per thread after a warm-up, on 1 thread and on 2 threads"
             " pinned to CPUs 0 and 1 (aggregate: wall time over both threads' objects). Built"
             " -O2 without sanitizers. Nanoseconds per object, median (min-max) of the rounds.\n",
             "| allocator | get+put, 1 thread | 2 threads | bulk 32, 1 thread | 2 threads |",
             "|---|---:|---:|---:|---:|"]
        for a in ALLOCATORS:
            cells = [spread([r["ns"] for r in select(rows, allocator=a, op=op, threads=t)], "{:.2f}")
                     for op in OPS for t in (1, 2)]
            L.append(f"| {ALLOCATORS[a]} | " + " | ".join(cells) + " |")
        return L + [""]
