#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Two revisions of Skiff's pktgen, paired: what one change buys.

    bench/ab.py [--rounds N] [--seconds S] [--paths sink,tap,vhost] [--modes copy,...]
                [--a-settings "K=V ..."] [--b-settings "K=V ..."] REV_A REV_B

Builds pktgen (LTO=1, pool) at each git revision (exported with git
archive into build/ab/<revision>/, so the checkout is untouched), then measures both in shuffled,
interleaved rounds inside one private lab: into QEMU's drop sink (pktgen's
own rate, guest clock), through a tap on the lab bridge (the tap's counter,
host clock) and into dpdk-testpmd's sink over vhost-user (testpmd's counter,
host clock); --a-settings/--b-settings add pktgen settings to one side,
so one revision can be compared with itself under two settings. Prints
every measurement, then per path and mode the medians
and the median of the per-round ratios B/A with min-max: a ratio whose
min-max stays on one side of 1 is larger than the noise of these rounds.
Needs root (the lab); run it on a quiet machine, nothing else timed.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from skiffbench.lab import Guest, Lab, Testpmd  # noqa: E402
from skiffbench.util import BLACKHOLE, ROOT, log, sh, summary  # noqa: E402


def build(rev):
    """pktgen at `rev`, LTO=1 pool; returns the image."""
    sha = sh(["git", "-C", ROOT, "rev-parse", "--short=12", rev]).strip()
    tree = os.path.join(ROOT, "build", "ab", sha)
    if not os.path.isdir(tree):
        os.makedirs(tree)
        subprocess.run(f"git -C {ROOT} archive {sha} | tar -x -C {tree}", shell=True, check=True)
    sh(["make", "-C", tree, "-s", "-j2", "LTO=1", "ALLOC=pool", "NF=pktgen"])
    return sha, os.path.join(tree, "build", "pktgen.elf")


def measure(lab, image, path, mode, seconds, extra):
    append = f"duration={seconds} mode={mode} dst_mac={BLACKHOLE} {extra}"
    tp = Testpmd(lab, "sink") if path == "vhost" else None
    try:
        net = {"sink": "sink", "tap": "tap:tap0"}.get(path) or tp.net("vhost0")
        g = Guest(lab, image, net, append, seconds + 40)
        if not g.wait_line(r"^pktgen: sending", 30):
            raise RuntimeError("pktgen did not start:\n" + g.stop()[1][-1500:])
        read = {"tap": lambda: lab.counter("tap0", "rx_packets"),
                "vhost": lambda: tp.counter("vhost0")}.get(path)
        time.sleep(seconds * 0.25)
        a = read() if read else None
        time.sleep(seconds * 0.5)
        b = read() if read else None
        rc, out = g.wait()
    finally:
        if tp:
            tp.stop()
    sm = summary(out, "pktgen")
    if rc != 0 or not sm:
        raise RuntimeError(f"pktgen failed ({rc}):\n{out[-1500:]}")
    return float(sm["tx_pps"]) if path == "sink" else (b[0] - a[0]) / (b[1] - a[1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=int, default=4)
    ap.add_argument("--paths", default="sink,tap,vhost")
    ap.add_argument("--modes", default="copy")
    ap.add_argument("--a-settings", default="")
    ap.add_argument("--b-settings", default="")
    args = ap.parse_args()
    paths, modes = args.paths.split(","), args.modes.split(",")
    if os.geteuid() != 0:
        sys.exit("ab: needs root (the lab's namespaces)")
    imgs = dict(A=build(args.a), B=build(args.b))
    extra = dict(A=args.a_settings, B=args.b_settings)
    log(f"A = {imgs['A'][0]} {extra['A']}, B = {imgs['B'][0]} {extra['B']};"
        f" load {os.getloadavg()[0]:.1f}")
    lab = Lab()
    res = {}
    try:
        for rnd in range(1, args.rounds + 1):
            jobs = [(v, p, m) for v in imgs for p in paths for m in modes]
            random.shuffle(jobs)
            for v, p, m in jobs:
                x = measure(lab, imgs[v][1], p, m, args.seconds, extra[v])
                res[(v, p, m, rnd)] = x
                log(f"round {rnd} {v} {p:5} {m:8} {x:12,.0f} frames/s")
    finally:
        lab.down()
    log("path  mode      A median      B median      B/A median (min-max, rounds above 1)")
    for p in paths:
        for m in modes:
            a = [res[("A", p, m, r)] for r in range(1, args.rounds + 1)]
            b = [res[("B", p, m, r)] for r in range(1, args.rounds + 1)]
            q = [y / x for x, y in zip(a, b)]
            log(f"{p:5} {m:8} {statistics.median(a):12,.0f} {statistics.median(b):12,.0f}"
                f"  {statistics.median(q):.3f} ({min(q):.3f}-{max(q):.3f}, {sum(x > 1 for x in q)}/{len(q)})")


if __name__ == "__main__":
    try:
        main()
    except subprocess.CalledProcessError as e:
        sys.exit(f"ab: {e}")
