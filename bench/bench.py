#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Skiff's benchmark: what each build setting and pktgen mode buys, side by side.

    bench/bench.py [--quick] [--runs N] [--duration S] [--out DIR] [--sections a,b,...]
    bench/bench.py --report-only [--out DIR]

make bench runs the default sections, make bench-quick a quick subset of
them, make bench-pool the allocator micro-benchmark; every measurement prints
a progress line with an estimate of the time left. Every image is built before any timing starts; measurements
run inside one private lab (scripts/lab), removed at the end, on failure and
on Ctrl-C. A run is a number of rounds; each round measures every variant of
every chosen section once, in a shuffled order, so drift hits them alike.
The comparisons are declared in the sections before anything runs and are
reported as paired ratios: the median of the per-round ratios, with min-max.
Results go to DIR (default docs/bench; build/bench/quick with --quick):
RESULTS.md, results.csv (every measurement), facts.json and the plots.
"""

import argparse
import fcntl
import os
import random
import shlex
import shutil
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from skiffbench.lab import Lab  # noqa: E402
from skiffbench.report import FORMAT, load_data, machine_facts, write_data, write_report  # noqa: E402
from skiffbench.sections import SECTIONS  # noqa: E402
from skiffbench.util import ROOT, log, sh  # noqa: E402


class Bench:
    """A run: the options, the lab, the images, and every row measured."""

    def __init__(self, args):
        self.quick = args.quick
        self.runs = args.runs
        self.out = args.out
        self.tx_seconds = args.duration or (1 if self.quick else 2)
        self.format = FORMAT
        self.rows = []
        self.tmp = tempfile.mkdtemp(prefix="skiff-bench.")
        self.lab = None
        self.sections = []      # the chosen ones, instances
        self.done = self.total = 0
        self.t0 = None

    @staticmethod
    def tag(lto, alloc):
        return f"lto{lto}-{alloc}"

    def image(self, lto, alloc, nf):
        return os.path.join(ROOT, "build", "bench", self.tag(lto, alloc), f"{nf}.elf")

    def build(self):
        need = {}
        for sec in self.sections:
            for v in sec.builds():
                need.setdefault(v, set()).update(sec.nfs)
        for (lto, alloc), nfs in sorted(need.items()):
            log(f"build: LTO={lto} ALLOC={alloc} {' '.join(sorted(nfs))} -> build/bench/{self.tag(lto, alloc)}/")
            sh(["make", "-C", ROOT, "-s", "-j2", f"BUILD=build/bench/{self.tag(lto, alloc)}",
                f"LTO={lto}", f"ALLOC={alloc}", f"NF={' '.join(sorted(nfs))}"])
        for sec in self.sections:
            sec.prepare()

    def measure(self, sec, spec, run):
        got = sec.measure(spec, run)
        for row in got if isinstance(got, list) else [got]:
            row["run"] = run
            self.rows.append(row)
        self.done += 1
        el = time.time() - self.t0
        eta = el / self.done * (self.total - self.done)
        first = got[0] if isinstance(got, list) else got
        log(f"[{self.done}/{self.total}] {sec.describe(first)}   elapsed {int(el) // 60}:{int(el) % 60:02d},"
            f" left ~{int(eta) // 60}:{int(eta) % 60:02d}")

    def run(self):
        self.build()
        if any(sec.needs_lab for sec in self.sections):
            self.lab = Lab()
            log(f"lab {self.lab.name}")
        rounds = [[(sec, spec) for sec in self.sections for spec in sec.specs()] for _ in range(self.runs)]
        once = [(sec, spec) for sec in self.sections for spec in sec.once()]
        self.total = sum(len(r) for r in rounds) + len(once)
        log(f"{self.total} measurements in {self.runs} rounds")
        self.t0 = time.time()
        for run, jobs in enumerate(rounds, 1):
            random.shuffle(jobs)
            for sec, spec in jobs:
                self.measure(sec, spec, run)
        for sec, spec in once:
            self.measure(sec, spec, 0)


class Usage(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(64, f"bench: {message}\n")


def shown(path):
    """A path as the user will find it: relative to the checkout when inside it."""
    rel = os.path.relpath(path, ROOT)
    return path if rel.startswith("..") else rel


def main():
    names = [s.name for s in SECTIONS]
    default = [s.name for s in SECTIONS if s.in_default]
    ap = Usage(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="the quick subset of each section (make bench-quick)")
    ap.add_argument("--runs", type=int, default=3, help="rounds (default 3)")
    ap.add_argument("--duration", type=int, default=0,
                    help="seconds per pktgen measurement (default 2, 1 with --quick)")
    ap.add_argument("--out", default=None, help="where results go (default docs/bench,"
                    " or build/bench/quick with --quick)")
    ap.add_argument("--sections", default=None,
                    help=f"comma-separated, from {','.join(names)} (default {','.join(default)};"
                    " with --quick those of them that have a quick form)")
    ap.add_argument("--report-only", action="store_true",
                    help="write RESULTS.md and the plots again from DIR's results.csv and facts.json")
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    if args.duration < 0:
        ap.error("--duration must be positive")
    if args.out is None:
        args.out = os.path.join(ROOT, "build/bench/quick" if args.quick else "docs/bench")
    chosen = args.sections.split(",") if args.sections else None
    if chosen:
        unknown = [n for n in chosen if n not in names]
        if unknown:
            ap.error(f"unknown section {', '.join(unknown)}; known: {', '.join(names)}")

    b = Bench(args)
    if args.report_only:
        facts, rows = load_data(args.out)
        b.quick, b.runs, b.format = facts.get("quick", False), facts["runs"], facts["format"]
        b.tx_seconds = facts.get("tx_seconds")
        b.sections = [s(b) for s in SECTIONS]
        try:
            write_report(b, facts, rows, b.sections)
        finally:
            shutil.rmtree(b.tmp, ignore_errors=True)
        log(f"bench: report written again in {shown(args.out)}/RESULTS.md")
        return

    if chosen is None:
        chosen = [s.name for s in SECTIONS if s.in_default and (s.in_quick or not args.quick)]
    b.sections = [s(b) for s in SECTIONS if s.name in chosen]
    if any(s.needs_lab for s in b.sections) and os.geteuid() != 0:
        sys.exit("bench: run as root (the lab needs network namespaces)")
    # No two benchmarks at once: they would measure each other.
    lock = open("/tmp/skiff-bench.lock", "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        sys.exit("bench: another benchmark is running (lock /tmp/skiff-bench.lock)")
    load = os.getloadavg()[0]
    if load > 0.8:
        log(f"bench: warning: load average {load:.1f}; numbers measured next to other work are low and noisy")

    cmdline = {(): "make bench", ("--quick",): "make bench-quick"}.get(tuple(sys.argv[1:]))
    cmdline = cmdline or "bench/bench.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])

    def on_signal(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_signal)
    try:
        facts = dict(machine_facts(), command=cmdline, runs=b.runs, tx_seconds=b.tx_seconds,
                     quick=b.quick, format=FORMAT, sections=[s.name for s in b.sections])
        b.run()
        write_data(args.out, facts, b.rows)
        write_report(b, facts, b.rows, [s(b) for s in SECTIONS])
        log(f"bench: done in {int(time.time() - b.t0)} s; results in {shown(args.out)}/RESULTS.md")
    except KeyboardInterrupt:
        log("bench: interrupted; removing the lab")
        sys.exit(130)
    finally:
        if b.lab:
            b.lab.down()
        shutil.rmtree(b.tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
