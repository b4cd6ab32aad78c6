# SPDX-License-Identifier: BSD-3-Clause
"""vhost-user: Skiff guests on dpdk-testpmd's vhost-user ports
(docs/vhost-user.md): pktgen into testpmd's sink, testpmd's source into
rxcount, pktgen -> testpmd's wire -> rxcount; beside the same round's tap,
drop sink and output=free rows of the same variants."""

import time

from ..lab import Guest, Testpmd, cpu_budget, cpu_sample, nic_stats
from ..report import fmt_n, pct
from ..stats import Ratio, med, select, spread
from ..util import BLACKHOLE, summary
from .base import Section
from .tx import BASELINE, SKIFF, pktgen_run, role, variant, variant_name

# The variants sent into testpmd's sink, fixed before anything runs: Skiff's
# own, one setting of it changed at a time where vhost-user could change the
# answer (zerocopy: no copy per frame, so the ring and testpmd set the pace;
# burst 1: one ring publication and kick check per frame), and the
# tutorial-style baseline of the tx section. LTO and the allocator are
# measured by tx in the drop sink; crossing them here too would take 24
# testpmd runs a round for what the drop sink already answers.
ZEROCOPY = dict(SKIFF, mode="zerocopy")
BURST1 = dict(SKIFF, burst=1)
VARIANTS = (SKIFF, ZEROCOPY, BURST1, BASELINE)
QUICK = (SKIFF, ZEROCOPY)
ORDER = [variant(v) for v in VARIANTS]     # the report's order
RXBUILD = (1, "pool")               # rxcount's build, on the source and the wire
MAC1 = "52:54:00:c6:12:03"          # rxcount's MAC on the wire
PACED = 1000000                     # the wire's paced run, frames/s, once
PACED_SECONDS = 60
SINK_NAME = {"testpmd": "vhost-user: testpmd sink", "bridge": "tap: bridge", "dropsink": "QEMU drop sink",
             "free": "no device"}


def rate(r):
    """A TX row's figure: the host's count where the host sees the frames
    (testpmd's counter, the tap's), else pktgen's own (drop sink, no device)."""
    return r.get({"testpmd": "testpmd_pps", "bridge": "wire_pps"}.get(r.get("sink"), "pps"))


def budget(r, prefixes=("",)):
    """'vCPU 100%, QEMU I/O 3%, testpmd 100%, host idle 0%, other 0.2 cores'."""
    parts = []
    for p in prefixes:
        who = {"": "", "tx_": "pktgen ", "rx_": "rxcount "}[p]
        parts += [f"{who}vCPU {pct(r.get(p + 'vcpu_busy'))}", f"{who}QEMU I/O {pct(r.get(p + 'io_busy'))}"]
    if r.get("testpmd_busy") is not None:
        parts.append(f"testpmd {pct(r.get('testpmd_busy'))}")
    parts.append(f"host idle {pct(r.get('host_idle'))}")
    if r.get("other_cores") is not None:
        parts.append(f"other work {cores(r['other_cores'])} cores")
    return ", ".join(parts)


def reports(rc, out, nf):
    """The summary and stats lines of an NF's run on vhost-user, or an error
    with the end of its console when it failed or left either out."""
    sm, st = summary(out, nf), nic_stats(out, nf)
    if rc != 0 or not sm or not st:
        raise RuntimeError(f"{nf} on vhost-user failed ({rc}):\n{out[-1500:]}")
    return sm, st


def flowing(tp, port, g, timeout=30):
    """Polls testpmd's counter of frames from port (telemetry, every 10 ms)
    from a guest's launch until the first arrive; returns that host time.
    The window of a run is placed from there, not from the guest's console
    line, which a loaded machine can deliver late."""
    end = time.monotonic() + timeout
    while time.monotonic() < end and g.p.poll() is None:
        n, t = tp.counter(port)
        if n:
            return t
        time.sleep(0.01)
    raise RuntimeError(f"no frame reached testpmd's {port}:\n" + g.stop()[1][-1500:])


def cores(x):
    return "-" if x is None else f"{x:.1f}"


def medrow(rows, keys):
    """One row of the medians of keys over rows (for budget())."""
    return {k: med([r.get(k) for r in rows]) for k in keys}


BUDGET_KEYS = ("vcpu_busy", "io_busy", "tx_vcpu_busy", "tx_io_busy", "rx_vcpu_busy", "rx_io_busy",
               "testpmd_busy", "host_idle", "other_cores")


class VhostUser(Section):
    name = "vhost"
    title = "vhost-user: dpdk-testpmd as the sink, the source and the wire"
    nfs = ("pktgen", "rxcount")

    def variants(self):
        return QUICK if self.b.quick else VARIANTS

    def builds(self):
        return sorted({(v["lto"], v["alloc"]) for v in self.variants()} | {RXBUILD})

    def specs(self):
        tx = dict(section="vhost", path="tx", size=60)
        out = []
        for v in self.variants():
            out.append(dict(v, **tx, sink="testpmd", transport="vhost-user"))
            out.append(dict(v, **tx, sink="free", transport="none"))
        out.append(dict(SKIFF, **tx, sink="dropsink", transport="qemu"))
        if not self.b.quick:
            out.append(dict(SKIFF, **tx, sink="bridge", transport="tap"))
        out.append(dict(section="vhost", path="rx", transport="vhost-user", lto=RXBUILD[0], alloc=RXBUILD[1],
                        size=60, seconds=3 if self.b.quick else 6))
        out.append(dict(SKIFF, section="vhost", path="wire", transport="vhost-user", size=60, kind="flat",
                        rate=0, seconds=2 if self.b.quick else 4))
        return out

    def once(self):
        # 60 s of 3 busy threads on 2 cores: not in the quick bench.
        if self.b.quick:
            return []
        return [dict(SKIFF, section="vhost", path="wire", transport="vhost-user", size=60, kind="paced",
                     rate=PACED, seconds=PACED_SECONDS)]

    def measure(self, s, run):
        if s["path"] == "rx":
            return self.source(s)
        if s["path"] == "wire":
            return self.wire(s)
        if s["sink"] == "testpmd":
            return self.sink(s)
        return pktgen_run(self.b, s)       # tap, drop sink, no device: as the tx section does

    # ------------------------------------------------------------ measuring
    def pktgen_append(self, s, secs, dst_mac=BLACKHOLE):
        return (f"duration={secs} mode={s['mode']} burst={s['burst']} size={s['size']} dst_mac={dst_mac}"
                + (f" rate={s['rate']}" if s.get("rate") else ""))

    def sink(self, s):
        """pktgen into testpmd's rxonly sink. testpmd's counter of the port
        (telemetry) over the middle 60% of the run, counted from the first
        frame testpmd saw, timed by the host; the CPU of the guest's threads,
        testpmd's and the machine's over the same window; the guest's kicks
        from its stats line."""
        b = self.b
        secs = b.tx_seconds
        tp = Testpmd(b.lab, "sink")
        g = None
        try:
            g = Guest(b.lab, b.image(s["lto"], s["alloc"], "pktgen"), tp.net("vhost0"),
                      self.pktgen_append(s, secs), secs + 30)
            start = flowing(tp, "vhost0", g)

            def sample(at):
                time.sleep(max(0.0, start + at - time.monotonic()))
                return tp.stats("vhost0"), cpu_sample([("", g.qemu())], [("testpmd_", tp.pid)])
            (a, t0), c0 = sample(secs * 0.2)
            (z, t1), c1 = sample(secs * 0.8)
            w = dict(cpu_budget(c0, c1), testpmd_pps=(z["ipackets"] - a["ipackets"]) / (t1 - t0),
                     window_s=t1 - t0, guest_notifications=tp.xstats("vhost0").get("rx_q0_guest_notifications"))
            rc, out = g.wait()
            final = tp.stop().get("vhost0", {})
        finally:
            if g:
                g.stop()
            tp.stop()
        sm, st = reports(rc, out, "pktgen")
        return dict(s, **w, pps=float(sm["tx_pps"]), pkts=int(sm["tx_pkts"]), elapsed=float(sm["elapsed"]),
                    testpmd_pkts=final.get("rx_packets"), kicks=st["tx_kicks"],
                    kicks_per_frame=st["tx_kicks"] / max(1, st["tx_packets"]))

    def source(self, s):
        """testpmd's txonly source into rxcount. Host clock: what testpmd put
        into the guest's ring (telemetry) over the middle half; its forward
        statistics at both ends of the window say how many of its attempts
        the ring refused (only a window counts: it drops everything before
        the guest attaches). Then testpmd pauses, the guest staying attached,
        and every frame it delivered is looked for in rxcount's count."""
        b = self.b
        secs = s["seconds"]
        tp = Testpmd(b.lab, "source", "--size", str(s["size"]))
        g = None
        try:
            g = Guest(b.lab, b.image(*RXBUILD, "rxcount"), tp.net("vhost0"), f"duration={secs + 30} idle=2",
                      secs + 60)
            g.ready(r"^rxcount: counting")

            def sample():
                st, t = tp.stats("vhost0")
                c = cpu_sample([("", g.qemu())], [("testpmd_", tp.pid)])
                return st, t, c, tp.fwd_stats()["vhost0"]
            time.sleep(secs * 0.25)
            a, t0, c0, f0 = sample()
            time.sleep(max(0.0, secs * 0.5 - (time.monotonic() - t0)))
            z, t1, c1, f1 = sample()
            tp.pause()
            rc, out = g.wait()
            final = tp.stop().get("vhost0", {})
        finally:
            if g:
                g.stop()
            tp.stop()
        sm, st = reports(rc, out, "rxcount")
        sent, dropped = f1["tx_packets"] - f0["tx_packets"], f1["tx_dropped"] - f0["tx_dropped"]
        delivered = final.get("tx_packets")
        got = int(sm["rx_pkts"])
        return dict(s, **cpu_budget(c0, c1), window_s=t1 - t0,
                    delivered_pps=(z["opackets"] - a["opackets"]) / (t1 - t0),
                    accepted=sent / (sent + dropped) if sent + dropped else None,
                    window_sent=sent, window_dropped=dropped,
                    rx_pps=float(sm["rx_pps"]), rx_pkts=got, delivered=delivered,
                    lost=None if delivered is None else delivered - got,
                    dev_errors=int(sm["dev_errors"]), nobuf=st["rx_nobuf"], ring_dry=st["rx_ring_dry"])

    def wire(self, s):
        """pktgen on vhost0 -> testpmd io -> rxcount on vhost1. Host clock:
        testpmd's counters of both ports over the middle 60% of pktgen's run,
        counted from the first frame testpmd saw. Exact counts at the end:
        what pktgen sent, what testpmd took, gave and dropped (everything it
        dropped is real: nothing is forwarded before pktgen starts), what
        rxcount counted and its lost probes."""
        b = self.b
        secs = s["seconds"]
        tp = Testpmd(b.lab, "wire")
        rx = tx = None
        try:
            rx = Guest(b.lab, b.image(*RXBUILD, "rxcount"), tp.net("vhost1", f"mac={MAC1}"),
                       f"duration={secs + 40} idle=3", secs + 80)
            rx.ready(r"^rxcount: counting")
            tx = Guest(b.lab, b.image(s["lto"], s["alloc"], "pktgen"), tp.net("vhost0"),
                       self.pktgen_append(s, secs, dst_mac=MAC1), secs + 30)
            start = flowing(tp, "vhost0", tx)

            def sample(at):
                time.sleep(max(0.0, start + at - time.monotonic()))
                (i, t), (o, _) = tp.stats("vhost0"), tp.stats("vhost1")
                return i, o, t, cpu_sample([("tx_", tx.qemu()), ("rx_", rx.qemu())], [("testpmd_", tp.pid)])
            i0, o0, t0, c0 = sample(secs * 0.2)
            i1, o1, t1, c1 = sample(secs * 0.8)
            w = dict(cpu_budget(c0, c1), window_s=t1 - t0,
                     sent_pps=(i1["ipackets"] - i0["ipackets"]) / (t1 - t0),
                     through_pps=(o1["opackets"] - o0["opackets"]) / (t1 - t0))
            rct, outt = tx.wait()
            rcr, outr = rx.wait()
            final = tp.stop()
        finally:
            for g in (tx, rx):
                if g:
                    g.stop()
            tp.stop()
        smt, smr = summary(outt, "pktgen"), summary(outr, "rxcount")
        if rct != 0 or rcr != 0 or not smt or not smr:
            raise RuntimeError(f"the wire failed: pktgen {rct}, rxcount {rcr}:\n{outt[-800:]}\n{outr[-800:]}")
        v0, v1 = final.get("vhost0", {}), final.get("vhost1", {})
        pkts, got = int(smt["tx_pkts"]), int(smr["rx_pkts"])
        return dict(s, **w, pps=float(smt["tx_pps"]), pkts=pkts, late=int(smt["late"]),
                    rx_pps=float(smr["rx_pps"]), rx_pkts=got, probes_lost=int(smr["lost"]),
                    testpmd_in=v0.get("rx_packets"), testpmd_out=v1.get("tx_packets"),
                    testpmd_dropped=v1.get("tx_dropped"), loss=pkts - got)

    def describe(self, r):
        if r["path"] == "tx" and r["sink"] == "testpmd":
            return (f"vhost sink {variant_name(variant(r))}: testpmd {r.get('testpmd_pps') or 0:,.0f}/s (host clock),"
                    f" pktgen {r['pps']:,.0f}/s, {r['kicks_per_frame']:.1e} kicks/frame, {budget(r)}")
        if r["path"] == "tx":
            return f"vhost ({SINK_NAME[r['sink']]}) {variant_name(variant(r))}: {rate(r) or 0:,.0f}/s"
        if r["path"] == "rx":
            return (f"vhost source: delivered {r['delivered_pps']:,.0f}/s (host clock), rxcount {r['rx_pps']:,.0f}/s,"
                    f" {r['accepted'] or 0:.1%} of testpmd's attempts taken, {r['lost']} lost; {budget(r)}")
        return (f"vhost wire {r['kind']} {r['seconds']} s: {r.get('through_pps') or 0:,.0f}/s through testpmd"
                f" (host clock), rxcount {r['rx_pkts']:,} of {r['pkts']:,} sent, testpmd dropped"
                f" {r['testpmd_dropped']}; {budget(r, ('tx_', 'rx_'))}")

    # ------------------------------------------------------------ reporting
    def ratios(self):
        sk = dict(SKIFF, path="tx")
        zc = dict(ZEROCOPY, path="tx")
        host = "host clock: testpmd's counter"
        return [
            Ratio("vhost-user sink / tap bridge (Skiff's variant)", "vhost", rate, dict(sk, sink="testpmd"),
                  dict(sk, sink="bridge"), note="host clock: testpmd's counter / the tap's"),
            Ratio("vhost-user sink / QEMU drop sink (Skiff's variant)", "vhost", rate, dict(sk, sink="testpmd"),
                  dict(sk, sink="dropsink"), note="testpmd's counter (host clock) / pktgen's rate (guest clock)"),
            Ratio("Skiff / baseline, vhost-user sink", "vhost", rate, dict(sk, sink="testpmd"),
                  dict(BASELINE, path="tx", sink="testpmd"), note=host),
            Ratio("zerocopy / copy, vhost-user sink", "vhost", rate, dict(zc, sink="testpmd"),
                  dict(sk, sink="testpmd"), note=host),
            Ratio("burst 32 / 1, vhost-user sink", "vhost", rate, dict(sk, sink="testpmd"),
                  dict(BURST1, path="tx", sink="testpmd"), note=host),
            Ratio("vhost-user sink / no device (Skiff's variant)", "vhost", rate, dict(sk, sink="testpmd"),
                  dict(sk, sink="free"), note="testpmd's counter / the guest's own ceiling (guest clock)"),
            Ratio("vhost-user sink / no device (zerocopy)", "vhost", rate, dict(zc, sink="testpmd"),
                  dict(zc, sink="free"), note="testpmd's counter / the guest's own ceiling (guest clock)"),
        ]

    def report(self, rows):
        tx = select(rows, path="tx")
        L = ["dpdk-testpmd 22.11 in the lab's namespace (`scripts/lab dpdk`, no hugepages), its forwarding"
             " lcore busy-polling one CPU for as long as it runs: on this 2-core machine it shares the"
             " cores with the guests' vCPUs and QEMU. It is started for each measurement and stopped right"
             " after. testpmd's counters are read over DPDK telemetry (a socket kept open; a reading takes"
             " well under a millisecond) twice in the middle of each run and divided by the host's time"
             " between the readings: the host-side truth. The CPU columns are shares of one CPU over the"
             " same window (*other work*: CPUs' worth busy with anything not named, this machine's other"
             " load included).\n"]
        if tx:
            L += ["**TX: pktgen into testpmd's rxonly sink**, 60-byte frames, the variants chosen up front"
                  " (`make bench`: Skiff's, one setting changed at a time, the tutorial-style baseline;"
                  " `make bench-quick`: Skiff's and zerocopy. LTO and the allocator are compared in the"
                  " drop sink by the tx section). *no device* is the same"
                  " variant's `output=free` ceiling in the same round; *x no device* the median of the"
                  " per-round ratios. *kicks/frame*: the guest's tx_kicks / tx_packets (its stats line);"
                  " *testpmd agrees*: testpmd counted exactly the frames pktgen says it sent.\n",
                  "| compared as | variant | testpmd counted/s | pktgen's own/s | no device/s | x no device |"
                  " kicks/frame | vCPU | testpmd | host idle | other work | testpmd agrees |",
                  "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
            for v in ORDER:
                sel = dict(zip(("lto", "alloc", "mode", "burst"), v))
                sk = select(tx, sink="testpmd", **sel)
                if not sk:
                    continue
                x = Ratio("", "vhost", rate, dict(sel, path="tx", sink="testpmd"),
                          dict(sel, path="tx", sink="free")).summary(rows)
                m = medrow(sk, BUDGET_KEYS + ("kicks_per_frame",))
                agree = "yes" if all(r.get("testpmd_pkts") == r.get("pkts") for r in sk) else "**no**"
                share = "-" if not x else f"{x['median']:.0%}"
                kicks = "-" if m["kicks_per_frame"] is None else f"{m['kicks_per_frame']:.1e}"
                L.append(f"| {role(v) or ''} | {variant_name(v)} | {spread([r.get('testpmd_pps') for r in sk])} |"
                         f" {spread([r.get('pps') for r in sk])} |"
                         f" {spread([r.get('pps') for r in select(tx, sink='free', **sel)])} | {share} | {kicks} |"
                         f" {pct(m['vcpu_busy'])} | {pct(m['testpmd_busy'])} | {pct(m['host_idle'])} |"
                         f" {cores(m['other_cores'])} | {agree} |")
            L.append("")
            taps = [s for s in ("bridge", "dropsink") if select(tx, sink=s)]
            if taps:
                L += ["The same round's other datapaths for Skiff's variant (the tx section's method: the tap's"
                      " counter over a host-timed window; the drop sink by pktgen's clock):\n",
                      "| datapath | frames/s | QEMU I/O thread | vCPU |", "|---|---:|---:|---:|"]
                for s in ("testpmd",) + tuple(taps):
                    xs = select(tx, sink=s, **SKIFF)
                    L.append(f"| {SINK_NAME[s]} | {spread([rate(r) for r in xs])} |"
                             f" {pct(med([r.get('io_busy') for r in xs]))} | {pct(med([r.get('vcpu_busy') for r in xs]))} |")
                L += ["", "On vhost-user QEMU's I/O thread has nothing to do per frame: testpmd reads the ring"
                      " in the guest's memory itself.\n"]
        src = select(rows, path="rx")
        if src:
            m = medrow(src, BUDGET_KEYS)
            L += ["**RX: testpmd's txonly source into rxcount** (60-byte frames, LTO on, pool). *delivered*:"
                  " what testpmd put into the guest's RX ring (its counter, host clock); *counted*: rxcount's"
                  " own rate over its busy period (guest clock). testpmd 22.11's txonly cannot be paced: it"
                  " offers a frame to the ring on every pass and drops what the ring has no room for, so"
                  " *taken* (frames the ring took / frames testpmd tried, from its forward statistics at both"
                  " ends of the window) says how far the guest is from keeping up with testpmd's loop, not"
                  " with a real offered load. *lost*: frames testpmd delivered that rxcount did not count,"
                  " exact, after pausing testpmd with the guest attached.\n",
                  "| delivered/s | counted/s | taken | lost | ring dry | pool empty | vCPU | testpmd | host idle |"
                  " other work |", "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
                  f"| {spread([r.get('delivered_pps') for r in src])} | {spread([r.get('rx_pps') for r in src])} |"
                  f" {spread([r.get('accepted') for r in src], '{:.1%}')} |"
                  f" {sum(r.get('lost') or 0 for r in src)} of {fmt_n(sum(r.get('delivered') or 0 for r in src))} |"
                  f" {fmt_n(med([r.get('ring_dry') for r in src]))} | {fmt_n(med([r.get('nobuf') for r in src]))} |"
                  f" {pct(m['vcpu_busy'])} | {pct(m['testpmd_busy'])} | {pct(m['host_idle'])} |"
                  f" {cores(m['other_cores'])} |", ""]
        flat = select(rows, path="wire", kind="flat")
        if flat:
            m = medrow(flat, BUDGET_KEYS)
            L += ["**Wire: pktgen VM -> testpmd io -> rxcount VM**, flat out (pktgen LTO on, pool, copy, burst"
                  " 32; rxcount LTO on, pool). *into testpmd* and *through* are testpmd's counters of vhost0"
                  " (from pktgen) and vhost1 (into rxcount's ring), host clock; *dropped*: frames testpmd"
                  " forwarded that rxcount's ring had no room for; *lost*: sent by pktgen and not counted by"
                  " rxcount, exact. Three threads want a CPU each here (two vCPUs and testpmd's lcore) on"
                  " two cores.\n",
                  "| into testpmd/s | through/s | rxcount/s | dropped | lost | pktgen vCPU | rxcount vCPU |"
                  " testpmd | host idle | other work |", "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
                  f"| {spread([r.get('sent_pps') for r in flat])} | {spread([r.get('through_pps') for r in flat])} |"
                  f" {spread([r.get('rx_pps') for r in flat])} | {sum(r.get('testpmd_dropped') or 0 for r in flat):,} |"
                  f" {sum(r.get('loss') or 0 for r in flat):,} of {sum(r.get('pkts') or 0 for r in flat):,} |"
                  f" {pct(m['tx_vcpu_busy'])} | {pct(m['rx_vcpu_busy'])} | {pct(m['testpmd_busy'])} |"
                  f" {pct(m['host_idle'])} | {cores(m['other_cores'])} |",
                  ""]
        paced = select(rows, path="wire", kind="paced")
        if paced:
            x = paced[0]
            L.append(f"Once, paced: pktgen `rate={x['rate']}` for {x['seconds']} s through the wire: pktgen sent"
                     f" {x['pkts']:,} ({x['late']:,} skipped by its pacing as late), testpmd took"
                     f" {fmt_n(x.get('testpmd_in'))} and dropped {fmt_n(x.get('testpmd_dropped'))}, rxcount counted"
                     f" {x['rx_pkts']:,} ({x['probes_lost']:,} probes lost); {budget(x, ('tx_', 'rx_'))}.\n")
        elif flat and self.b.quick:
            L.append(f"The paced {PACED:,} frames/s run of {PACED_SECONDS} s is made by `make bench` only.\n")
        return L

    def plots(self, rows, plot):
        tx = select(rows, path="tx")
        if not tx:
            return
        vs = [v for v in ORDER if select(tx, **dict(zip(("lto", "alloc", "mode", "burst"), v)))]
        groups = [variant_name(v) for v in vs]
        series = [SINK_NAME[s] for s in ("testpmd", "bridge", "dropsink", "free") if select(tx, sink=s)]
        values = {}
        for r in tx:
            values.setdefault((variant_name(variant(r)), SINK_NAME[r["sink"]]), []).append(rate(r))
        plot.bars("vhost.png", "pktgen over vhost-user (testpmd's count) beside tap, drop sink and no device",
                  groups, series, values, marks={variant_name(v): role(v) for v in vs if role(v)})

    def targets(self, rows):
        out = []
        for label, v, goal in (("copy", SKIFF, 3.3e6), ("zerocopy", ZEROCOPY, 8e6)):
            xs = select(rows, path="tx", sink="testpmd", **v)
            if not xs:
                continue
            p = med([r.get("testpmd_pps") for r in xs])
            share = Ratio("", "vhost", rate, dict(v, path="tx", sink="testpmd"),
                          dict(v, path="tx", sink="free")).summary(rows)
            met = (p or 0) >= goal or bool(share and share["median"] >= 0.55)
            got = f"{fmt_n(p)} frames/s (testpmd's count)"
            if share:
                got += (f"; {share['median']:.0%} of the no-device ceiling ({share['lo']:.0%}-{share['hi']:.0%},"
                        f" {share['n']} rounds)")
            if not met:
                got += "; " + budget(medrow(xs, BUDGET_KEYS))
            out.append((f"vhost-user TX {label} to the testpmd sink >= {goal / 1e6:g} Mpps, or >= 55% of its"
                        f" output=free ceiling ({variant_name(variant(dict(v)))})", got, met))
        src = select(rows, path="rx")
        if src:
            acc = med([r.get("accepted") for r in src])
            delivered = sum(r.get("delivered") or 0 for r in src)
            loss = sum(r.get("lost") or 0 for r in src) / max(1, delivered)
            met = acc is not None and acc >= 0.95 and loss < 0.001
            got = (f"{'-' if acc is None else f'{acc:.1%}'} of testpmd's attempts taken (txonly is unpaced),"
                   f" {loss:.3%} of what it delivered lost; rxcount {fmt_n(med([r.get('rx_pps') for r in src]))}/s")
            if not met:
                got += "; " + budget(medrow(src, BUDGET_KEYS))
            out.append(("vhost-user RX from the testpmd source: >= 95% of what it offers, < 0.1% loss", got, met))
        flat = select(rows, path="wire", kind="flat")
        if flat:
            p = med([r.get("through_pps") for r in flat])
            met = (p or 0) >= 2e6
            got = f"{fmt_n(p)} frames/s through testpmd into rxcount's ring"
            if not met:
                got += "; " + budget(medrow(flat, BUDGET_KEYS), ("tx_", "rx_"))
            out.append(("pktgen VM -> testpmd wire -> rxcount VM >= 2 Mpps", got, met))
        for x in select(rows, path="wire", kind="paced"):
            met = x["loss"] == 0 and x.get("testpmd_dropped") == 0 and x["late"] == 0
            out.append((f"wire: zero loss at a paced {x['rate'] / 1e6:g} Mpps for {x['seconds']} s",
                        f"{x['loss']:,} of {x['pkts']:,} lost, {fmt_n(x.get('testpmd_dropped'))} dropped by testpmd,"
                        f" {x['late']:,} late at the sender", met))
        return out
