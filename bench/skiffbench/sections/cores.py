# SPDX-License-Identifier: BSD-3-Clause
"""1 against 2 cores: pktgen cores=N, each core with its own TX queue, on
the guest's own ceiling (output=free), through a two-queue tap on the lab
bridge and into dpdk-testpmd's sink on a vhost-user port with two queue
pairs; the host's CPU budget beside each figure."""

import os
import time

from ..lab import Guest, Testpmd, host_cpu, thread_cpu, tree_cpu
from ..report import fmt_n
from ..stats import Ratio, med, select, spread
from ..util import BLACKHOLE, summary
from .base import Section

# Skiff's own settings (tx.py's SKIFF): LTO, the pool, copy, bursts of 32.
BUILD = (1, "pool")
CORES = (1, 2)
SINKS = ("free", "mqtap", "vhost")
SINK_NAME = {"free": "no device (output=free)", "mqtap": "bridge, 2-queue tap",
             "vhost": "vhost-user sink, 2 queue pairs"}
VALUE = {"free": "pps", "mqtap": "wire_pps", "vhost": "wire_pps"}
CLOCK = {"free": "guest clock", "mqtap": "host clock: tap counter",
         "vhost": "host clock: testpmd's counter"}
# A multi-queue tap of the section's own on the lab bridge (the lab's taps
# are single-queue): every variant boots on it with queues=2, so 1 and 2
# cores differ in nothing but the cores. Frames to BLACKHOLE end at tap2.
MQTAP = "mq0"


def budget(pid, a, b, seconds):
    """Host cores' worth each part of QEMU used between two thread_cpu()
    samples: io (the main thread, which does the device work), vcpus (every
    other thread: the vCPUs, and QEMU's RCU and worker threads, which use
    next to nothing; without -name debug-threads=on QEMU's threads carry no
    names to tell them apart), qemu (all of them)."""
    if not a or not b or seconds <= 0 or pid not in a or pid not in b:
        return {}
    used = {t: (b[t] - a[t]) / seconds for t in b if t in a}
    return dict(io=used[pid], vcpus=sum(x for t, x in used.items() if t != pid),
                qemu=sum(used.values()))


class Cores(Section):
    name = "cores"
    title = "Cores: pktgen on 1 and 2 vCPUs, one TX queue per core"
    nfs = ("pktgen",)

    def __init__(self, bench):
        super().__init__(bench)
        self._tap = False

    def builds(self):
        return [BUILD]

    def specs(self):
        return [dict(section="cores", lto=BUILD[0], alloc=BUILD[1], mode="copy", burst=32, size=60,
                     flows=2, sink=sink, cores=n) for sink in SINKS for n in CORES]

    def tap(self):
        if not self._tap:
            lab = self.b.lab
            lab.exec(["ip", "tuntap", "add", "dev", MQTAP, "mode", "tap", "multi_queue"])
            lab.exec(["ip", "link", "set", MQTAP, "master", "br0", "up"])
            self._tap = True
        return MQTAP

    def measure(self, s, run):
        b = self.b
        secs = b.tx_seconds
        wire = s["sink"] != "free"
        append = (f"duration={secs} mode={s['mode']} burst={s['burst']} size={s['size']}"
                  f" flows={s['flows']} cores={s['cores']} dst_mac={BLACKHOLE}"
                  + ("" if wire else " output=free"))
        tp = Testpmd(b.lab, "sink", "--queues", "2") if s["sink"] == "vhost" else None
        try:
            if tp:
                net = tp.net("vhost0", "queues=2")
                count = lambda: tp.counter("vhost0")
            else:
                tap = self.tap()
                net = f"tap:{tap},queues=2"
                count = lambda: b.lab.counter(tap, "rx_packets")
            c0 = count()[0]
            g = Guest(b.lab, b.image(*BUILD, "pktgen"), net, append, secs + 30,
                      extra=("--cpus", str(s["cores"])))
            window = {}
            if g.wait_line(r"^pktgen: sending", 30):
                # The middle 60% of the run, timed by the host: the tap's or
                # testpmd's counter, QEMU's threads, testpmd and the whole
                # machine's idle time.
                def sample():
                    return (count(), thread_cpu(g.qemu()),
                            sum((tree_cpu(tp.pid) or {}).values()) if tp else 0, host_cpu())
                time.sleep(secs * 0.2)
                (n0, t0), q0, p0, h0 = sample()
                time.sleep(secs * 0.6)
                (n1, t1), q1, p1, h1 = sample()
                window = dict(budget(g.qemu(), q0, q1, t1 - t0), seconds=t1 - t0,
                              wire=(n1 - n0) / (t1 - t0),
                              testpmd=(p1 - p0) / (t1 - t0) if tp else None,
                              host=(1 - (h1[0] - h0[0]) / max(1, h1[1] - h0[1])) * os.cpu_count())
            rc, out = g.wait()
            wire_pkts = count()[0] - c0 if wire else None
        finally:
            if tp:
                tp.stop()
        sm = summary(out, "pktgen")
        if rc != 0 or not sm:
            raise RuntimeError(f"pktgen cores={s['cores']} failed ({rc}):\n{out[-1500:]}")
        row = dict(s, host_cores=os.cpu_count(), pps=float(sm["tx_pps"]), pkts=int(sm["tx_pkts"]),
                   io_cores=window.get("io"), vcpu_cores=window.get("vcpus"),
                   qemu_cores=window.get("qemu"), host_busy_cores=window.get("host"),
                   testpmd_busy=window.get("testpmd"), window_s=window.get("seconds"))
        if wire:
            row.update(wire_pps=window.get("wire"), wire_pkts=wire_pkts)
        return row

    def describe(self, r):
        who = "testpmd" if r["sink"] == "vhost" else "tap"
        wire = f", {who} {r['wire_pps']:,.0f}/s (host clock)" if r.get("wire_pps") else ""
        return (f"cores {SINK_NAME[r['sink']]:24} cores={r['cores']} -> {r['pps']:,.0f} frames/s{wire};"
                f" QEMU {r.get('qemu_cores') or 0:.2f} of {r['host_cores']} host cores")

    def ratios(self):
        return [Ratio(f"2 cores / 1, {SINK_NAME[s]}", "cores", VALUE[s], dict(sink=s, cores=2),
                      dict(sink=s, cores=1), headline=s == "free", note=CLOCK[s]) for s in SINKS]

    def report(self, rows):
        cores = med([r.get("host_cores") for r in rows])
        L = [f"pktgen (LTO, pool, copy, burst 32, 60-byte frames, 2 flows) with `cores=N` on N vCPUs"
             f" (`scripts/run --cpus N`), core k on TX queue k of one NIC with two queue pairs: a"
             f" multi-queue tap on the lab bridge (`--net tap:{MQTAP},queues=2`) whose frames the bridge"
             " drops. *No device* frees every frame (`output=free`: the guest's own ceiling; pktgen's"
             " clock); *bridge* is the tap's counter over a host-timed window. QEMU's drop sink is"
             " not here: its hub has one queue pair, so two cores cannot each have one."
             f" The host has {fmt_n(cores)} cores; the columns after the rate say how many of them"
             " were busy over the same window (host cores' worth: 1.00 is one core all the time):"
             " QEMU's main thread (its I/O thread), its other threads (the vCPUs, and helpers that use"
             " next to nothing), all of QEMU, dpdk-testpmd, and the whole machine. *vhost-user*:"
             " dpdk-testpmd's rxonly sink (`scripts/lab dpdk start NAME sink --queues 2`) on a port"
             " with two queue pairs, one forwarding lcore polling both; testpmd's counter over a"
             " host-timed window. With two vCPUs and testpmd's lcore, three threads want a"
             " core each on this host's two.\n",
             "| sink | cores | frames/s | QEMU I/O thread | QEMU vCPUs | QEMU in all | testpmd | machine busy |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
        f2 = lambda x: "-" if x is None else f"{x:.2f}"
        for s in SINKS:
            for n in CORES:
                xs = select(rows, sink=s, cores=n)
                if not xs:
                    continue
                col = lambda k: med([r.get(k) for r in xs])
                L.append(f"| {SINK_NAME[s]} | {n} | {spread([r.get(VALUE[s]) for r in xs])} |"
                         f" {f2(col('io_cores'))} | {f2(col('vcpu_cores'))} | {f2(col('qemu_cores'))} |"
                         f" {f2(col('testpmd_busy'))} | {f2(col('host_busy_cores'))} |")
        tap = select(rows, sink="mqtap")
        agree = all(r.get("wire_pkts") == r.get("pkts") for r in tap)
        vh = select(rows, sink="vhost")
        vagree = all(r.get("wire_pkts") == r.get("pkts") for r in vh)
        L += ["", "The single-core rows are the figures to hold against earlier runs (the tx section's"
              " Skiff variant, same build and settings): two cores must not slow one down."
              + ("" if not tap else " The tap counted exactly the frames pktgen sent in every bridge"
                 " run." if agree else " **The tap's count differs from pktgen's in some bridge run.**")
              + ("" if not vh else " testpmd counted exactly the frames pktgen sent in every vhost-user"
                 " run." if vagree else " **testpmd's count differs from pktgen's in some vhost-user run.**"),
              ""]
        return L

    def plots(self, rows, plot):
        values = {}
        for r in rows:
            values.setdefault((SINK_NAME[r["sink"]], f"{r['cores']} core{'s' if r['cores'] > 1 else ''}"),
                              []).append(r.get(VALUE[r["sink"]]))
        plot.bars("cores.png", "pktgen on 1 and 2 cores", [SINK_NAME[s] for s in SINKS],
                  [f"{n} core{'s' if n > 1 else ''}" for n in CORES], values)

    def targets(self, rows):
        x = Ratio("", "cores", "pps", dict(sink="free", cores=2), dict(sink="free", cores=1)).summary(rows)
        if not x:
            return []
        return [("2 vCPUs >= 1.6x one vCPU on the output=free ceiling (paired)",
                 f"{x['median']:.2f}x ({x['lo']:.2f}-{x['hi']:.2f}, {x['n']} rounds)", x["median"] >= 1.6)]
