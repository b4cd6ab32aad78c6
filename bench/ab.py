#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Two revisions of one NF, paired: what one change buys.

    bench/ab.py [--nf pktgen|rxcount|fwd] [--rounds N] [--seconds S]
                [--paths PATH,...] [--modes copy,...]
                [--a-settings "K=V ..."] [--b-settings "K=V ..."]
                [--a-nic "PROP=V,..."] [--b-nic "PROP=V,..."]
                [--a-env "VAR=V ..."] [--b-env "VAR=V ..."] REV_A REV_B

Builds the NF (LTO=1, pool) at each git revision (exported with git
archive into build/ab/<revision>/, so the checkout is untouched), then
measures both in shuffled, interleaved rounds inside one private lab.
Paths, by NF:

  pktgen   sink: into QEMU's drop sink (pktgen's own rate, guest clock);
           tap: through a tap on the lab bridge (the tap's counter, host
           clock); vhost: into dpdk-testpmd's sink over vhost-user
           (testpmd's counter, host clock). --modes picks pktgen's modes.
           boot-pc, boot-microvm: milliseconds from QEMU's start to
           pktgen's first frame on a tap, as the bench's boot section
           measures it (tshark's timestamp; lower is faster); own-pc,
           own-microvm: from the first console line to pktgen's ready
           line, the part of the boot that is Skiff's.
  rxcount  vhost: testpmd's txonly source into rxcount over vhost-user
           (what testpmd put into the guest's ring, host clock).
  fwd      wires: fwd mode=l2 between the two ports of testpmd's tester
           role (what testpmd took from fwd's two TX rings, host clock).

Host-clock figures are counter deltas over the middle half of the run.
--a-settings/--b-settings add NF settings to one side, so one revision can
be compared with itself under two settings; --a-nic/--b-nic add QEMU
properties to that side's NICs (scripts/run --net ...,PROP=V, e.g.
event_idx=off; refused with the boot paths); --a-env/--b-env set
environment variables for scripts/run on that side (e.g.
SKIFF_QEMU_TUNABLES= to start QEMU without scripts/run's glibc tunables,
or "SKIFF_QEMU_ARGS='-machine rtc=off'"; shell quoting applies). Prints every measurement, then
per path and mode the medians and the median of the per-round ratios B/A
with min-max: a ratio whose min-max stays on one side of 1 is larger than
the noise of these rounds. Needs root (the lab); run it on a quiet machine,
nothing else timed.
"""

import argparse
import contextlib
import os
import random
import shlex
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from skiffbench.lab import Guest, Lab, Testpmd  # noqa: E402
from skiffbench.sections.boot import Boot, OneImage  # noqa: E402
from skiffbench.util import BLACKHOLE, ROOT, log, sh, summary  # noqa: E402


PATHS = {"pktgen": ("sink", "tap", "vhost", "boot-pc", "boot-microvm", "own-pc", "own-microvm"),
         "rxcount": ("vhost",), "fwd": ("wires",)}
RX_MAC = "02:5f:00:00:00:10"                         # rxcount's NIC, testpmd's destination
FWD_MACS = ("02:5f:00:00:01:00", "02:5f:00:00:01:01")  # fwd's two ports


def build(rev, nf):
    """`nf` at `rev`, LTO=1 pool; returns the image."""
    sha = sh(["git", "-C", ROOT, "rev-parse", "--short=12", rev]).strip()
    tree = os.path.join(ROOT, "build", "ab", sha)
    if not os.path.isdir(tree):
        os.makedirs(tree)
        subprocess.run(f"git -C {ROOT} archive {sha} | tar -x -C {tree}", shell=True, check=True)
    sh(["make", "-C", tree, "-s", "-j2", "LTO=1", "ALLOC=pool", f"NF={nf}"])
    return sha, os.path.join(tree, "build", f"{nf}.elf")


def middle(read, seconds):
    """A counter read by `read()` as (value, host time), over the middle
    half of a run that started `seconds` ago at most: per second."""
    time.sleep(seconds * 0.25)
    a = read()
    time.sleep(seconds * 0.5)
    b = read()
    return (b[0] - a[0]) / (b[1] - a[1])


def measure_boot(lab, image, machine, own, extra):
    row = Boot(OneImage(lab, image)).measure(dict(nf="pktgen", machine=machine, settings=extra), 0)
    if row["first_frame_s"] is None or row["ready_s"] is None:
        raise RuntimeError(f"pktgen on {machine}: no ready line or no frame seen on the tap")
    return ((row["ready_s"] - row["banner_s"]) if own else row["first_frame_s"]) * 1000


@contextlib.contextmanager
def environment(assignments):
    """os.environ with "VAR=V ..." set, for the subprocesses started inside."""
    saved = {}
    for a in shlex.split(assignments):
        k, _, v = a.partition("=")
        saved[k] = os.environ.get(k)
        os.environ[k] = v
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def with_props(net, props):
    return net + (f",{props}" if props else "")


def measure_pktgen(lab, image, path, mode, seconds, extra, props):
    if path.startswith(("boot-", "own-")):
        kind, machine = path.split("-", 1)
        return measure_boot(lab, image, machine, kind == "own", extra)
    append = f"duration={seconds} mode={mode} dst_mac={BLACKHOLE} {extra}"
    tp = Testpmd(lab, "sink") if path == "vhost" else None
    try:
        net = with_props({"sink": "sink", "tap": "tap:tap0"}.get(path) or tp.net("vhost0"), props)
        g = Guest(lab, image, net, append, seconds + 40)
        g.ready(r"^pktgen: sending")
        read = {"tap": lambda: lab.counter("tap0", "rx_packets"),
                "vhost": lambda: tp.counter("vhost0")}.get(path)
        x = middle(read, seconds) if read else None
        rc, out = g.wait()
    finally:
        if tp:
            tp.stop()
    sm = summary(out, "pktgen")
    if rc != 0 or not sm:
        raise RuntimeError(f"pktgen failed ({rc}):\n{out[-1500:]}")
    return float(sm["tx_pps"]) if path == "sink" else x


def measure_rxcount(lab, image, path, mode, seconds, extra, props):
    tp = Testpmd(lab, "source", "--dst-mac", RX_MAC)
    try:
        g = Guest(lab, image, with_props(tp.net("vhost0", f"mac={RX_MAC}"), props),
                  f"duration={seconds + 2} promisc=0 {extra}", seconds + 40)
        g.ready(r"^rxcount: counting")
        x = middle(lambda: tp.counter("vhost0", "opackets"), seconds)
        g.finish()
    finally:
        tp.stop()
    return x


def measure_fwd(lab, image, path, mode, seconds, extra, props):
    tp = Testpmd(lab, "tester", "--size", "60")
    ports = ("vhost0", "vhost1")
    try:
        g = Guest(lab, image, with_props(tp.net(ports[0], f"mac={FWD_MACS[0]}"), props),
                  f"mode=l2 duration={seconds} {extra}", seconds + 60,
                  extra=("--net", with_props(tp.net(ports[1], f"mac={FWD_MACS[1]}"), props)))
        g.ready(r"^fwd: forwarding")

        def both():
            st = [tp.counter(p) for p in ports]
            return sum(v for v, _ in st), sum(t for _, t in st) / len(st)
        x = middle(both, seconds)
        g.finish()
    finally:
        tp.stop()
    return x


MEASURE = {"pktgen": measure_pktgen, "rxcount": measure_rxcount, "fwd": measure_fwd}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=int, default=4)
    ap.add_argument("--nf", choices=sorted(PATHS), default="pktgen")
    ap.add_argument("--paths", help="default: every path of the NF")
    ap.add_argument("--modes", default="copy")
    ap.add_argument("--a-settings", default="")
    ap.add_argument("--b-settings", default="")
    ap.add_argument("--a-nic", default="")
    ap.add_argument("--b-nic", default="")
    ap.add_argument("--a-env", default="")
    ap.add_argument("--b-env", default="")
    args = ap.parse_args()
    for side in (args.a_env, args.b_env):
        bad = [a for a in shlex.split(side) if "=" not in a or not a.split("=", 1)[0].isidentifier()]
        if bad:
            sys.exit(f"ab: --a-env/--b-env take VAR=VALUE words, not {' '.join(bad)}")
    paths = args.paths.split(",") if args.paths else list(PATHS[args.nf])
    bad = [p for p in paths if p not in PATHS[args.nf]]
    if bad:
        sys.exit(f"ab: {args.nf} has no path {', '.join(bad)} (it has: {', '.join(PATHS[args.nf])})")
    if (args.a_nic or args.b_nic) and any(p.startswith(("boot-", "own-")) for p in paths):
        sys.exit("ab: --a-nic/--b-nic do not apply to the boot paths (they boot as the bench's boot section does)")
    modes = args.modes.split(",") if args.nf == "pktgen" else ["-"]
    if os.geteuid() != 0:
        sys.exit("ab: needs root (the lab's namespaces)")
    imgs = dict(A=build(args.a, args.nf), B=build(args.b, args.nf))
    extra = dict(A=args.a_settings, B=args.b_settings)
    props = dict(A=args.a_nic, B=args.b_nic)
    envs = dict(A=args.a_env, B=args.b_env)
    log(f"A = {imgs['A'][0]} {extra['A']} {props['A']} {envs['A']}, B = {imgs['B'][0]} {extra['B']}"
        f" {props['B']} {envs['B']};"
        f" load {os.getloadavg()[0]:.1f}")
    lab = Lab()
    res = {}
    try:
        for rnd in range(1, args.rounds + 1):
            jobs = [(v, p, m) for v in imgs for p in paths for m in modes]
            random.shuffle(jobs)
            for v, p, m in jobs:
                with environment(envs[v]):
                    x = MEASURE[args.nf](lab, imgs[v][1], p, m, args.seconds, extra[v], props[v])
                res[(v, p, m, rnd)] = x
                unit = "ms" if p.startswith(("boot-", "own-")) else "frames/s"
                log(f"round {rnd} {v} {p:5} {m:8} {x:12,.{1 if unit == 'ms' else 0}f} {unit}")
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
