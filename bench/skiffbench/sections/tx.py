# SPDX-License-Identifier: BSD-3-Clause
"""pktgen's TX rate by build and mode (tx), by frame size (sizes), and with
the tap's virtio-net header on or off (vnet_hdr)."""

import time

from ..lab import Guest, busy, thread_cpu
from ..report import fmt_n, pct
from ..stats import Ratio, med, select, spread
from ..util import BLACKHOLE, summary
from .base import Section

# The two variants the headline compares, fixed before anything runs: the
# sender of Unikraft's tutorial (LTO off, a general-purpose heap, every frame
# built, one frame per call) and Skiff's own settings (pktgen's defaults,
# copy and burst 32, on an LTO build with the pool).
BASELINE = dict(lto=0, alloc="heap", mode="generate", burst=1)
SKIFF = dict(lto=1, alloc="pool", mode="copy", burst=32)
MODES = ("generate", "copy", "zerocopy")
SINKS = ("bridge", "dropsink", "free")
SINK_NAME = {"bridge": "bridge", "dropsink": "drop sink", "free": "no device"}
SINK_CLOCK = {"bridge": "host clock: tap counter", "dropsink": "guest clock", "free": "guest clock"}
# The figure of a run: through the bridge, the tap's counter over a host-timed
# window; into the drop sink or no device, pktgen's own rate (nothing on the
# host sees those frames).
VALUE = {"bridge": "wire_pps", "dropsink": "pps", "free": "pps"}


def variant(r):
    return (r["lto"], r["alloc"], r["mode"], r["burst"])


def variant_name(v):
    return f"LTO{v[0]} {v[1]} {v[2]} b{v[3]}"


def role(v):
    d = dict(zip(("lto", "alloc", "mode", "burst"), v))
    return "Skiff" if d == SKIFF else "baseline" if d == BASELINE else None


def pktgen_run(b, s, net_opts=""):
    """One pktgen run as spec s says (lto, alloc, mode, burst, sink, size);
    returns its row. Through the bridge the tap's counter is read twice over
    the middle 60% of the run, timed by the host; QEMU's per-thread CPU time
    is sampled over the same window."""
    img = b.image(s["lto"], s["alloc"], "pktgen")
    secs = 1 if s["sink"] == "free" else b.tx_seconds
    append = (f"duration={secs} mode={s['mode']} burst={s['burst']} size={s['size']}"
              f" dst_mac={BLACKHOLE}" + (" output=free" if s["sink"] == "free" else ""))
    bridge = s["sink"] == "bridge"
    net = "tap:tap0" + net_opts if bridge else "sink"
    c0 = b.lab.counter("tap0", "rx_packets")[0] if bridge else None
    g = Guest(b.lab, img, net, append, secs + 30)
    window = {}
    if g.wait_line(r"^pktgen: sending", 30):
        def sample():
            c = b.lab.counter("tap0", "rx_packets") if bridge else (None, time.monotonic())
            return c, thread_cpu(g.qemu())
        time.sleep(secs * 0.2)
        (n0, t0), q0 = sample()
        time.sleep(secs * 0.6)
        (n1, t1), q1 = sample()
        window = dict(busy(g.qemu(), q0, q1, t1 - t0), seconds=t1 - t0)
        if bridge:
            window["wire"] = (n1 - n0) / (t1 - t0)
    rc, out = g.wait()
    sm = summary(out, "pktgen")
    if rc != 0 or not sm:
        raise RuntimeError(f"pktgen failed ({rc}):\n{out[-1500:]}")
    row = dict(s, pps=float(sm["tx_pps"]), pkts=int(sm["tx_pkts"]), elapsed=float(sm["elapsed"]),
               io_busy=window.get("io"), vcpu_busy=window.get("vcpu"))
    if bridge:
        row.update(wire_pkts=b.lab.counter("tap0", "rx_packets")[0] - c0,
                   wire_pps=window.get("wire"), wire_window_s=window.get("seconds"))
    return row


def describe_pktgen(r):
    wire = f", tap {r['wire_pps']:,.0f}/s (host clock)" if r.get("wire_pps") else ""
    return (f"{r['section']} {r['sink']:8} lto={r['lto']} {r['alloc']:4} {r['mode']:8} burst={r['burst']:<2}"
            f" size={r['size']:<4} -> {r['pps']:,.0f} frames/s{wire}")


def wire_note(b):
    return ("over a host-timed window" if b.format >= 2
            else "over the guest's elapsed time, as this older (format 1) CSV recorded it")


class TX(Section):
    name = "tx"
    title = "TX: pktgen, 60-byte frames, frames per second"
    nfs = ("pktgen",)

    def combos(self):
        if self.b.quick:
            return [BASELINE, SKIFF, dict(SKIFF, mode="zerocopy")]
        return [dict(lto=lto, alloc=alloc, mode=mode, burst=burst) for lto in (0, 1)
                for alloc in ("heap", "pool") for mode in MODES for burst in (1, 32)]

    def builds(self):
        return sorted({(c["lto"], c["alloc"]) for c in self.combos()})

    def specs(self):
        return [dict(c, section="tx", sink=sink, size=60) for c in self.combos() for sink in SINKS]

    def measure(self, spec, run):
        return pktgen_run(self.b, spec)

    def describe(self, row):
        return describe_pktgen(row)

    def ratios(self):
        tx = dict(section="tx", size=60)
        out = [Ratio(f"Skiff / baseline, {SINK_NAME[s]}", "tx", VALUE[s], dict(SKIFF, sink=s),
                     dict(BASELINE, sink=s), headline=True, note=SINK_CLOCK[s]) for s in SINKS]
        # One setting of Skiff's variant changed at a time, into the drop sink.
        d = dict(SKIFF, sink="dropsink", **tx)
        for label, num, den in (
                ("burst 32 / 1", d, dict(d, burst=1)),
                ("pool / heap", d, dict(d, alloc="heap")),
                ("LTO on / off", d, dict(d, lto=0)),
                ("copy / generate", d, dict(d, mode="generate")),
                ("zerocopy / copy", dict(d, mode="zerocopy"), d)):
            out.append(Ratio(f"{label}, drop sink (Skiff's other settings)", "tx", "pps", num, den,
                             note="guest clock"))
        out.append(Ratio("Skiff: drop sink / no device", "tx", "pps", d, dict(d, sink="free"),
                         note="guest clock: the share of the guest's own ceiling QEMU passes on"))
        return out

    def report(self, rows):
        L = ["Sinks: **bridge** = a tap on the lab bridge; its frames/s are the tap's own"
             f" counter {wire_note(self.b)}; **drop sink** = a QEMU hub whose other port is"
             " unconnected (QEMU drops each frame, no syscall), frames/s by pktgen's own clock;"
             " **no device** = `output=free`, pktgen frees each frame instead of sending it:"
             " the software ceiling. *x base* is the median of the per-round ratios to the"
             " tutorial-style baseline (LTO off, heap, generate every frame, burst 1) in the"
             " same sink. The rows marked *Skiff* and *baseline* are the compared variants.\n",
             "| compared as | LTO | alloc | mode | burst | bridge | x base | drop sink | x base |"
             " no device | x base | tap agrees |",
             "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
        combos = sorted({variant(r) for r in rows},
                        key=lambda c: (c[0], c[1], MODES.index(c[2]), c[3]))
        for v in combos:
            sel = dict(zip(("lto", "alloc", "mode", "burst"), v))
            cells = []
            for s in SINKS:
                xs = [r.get(VALUE[s]) for r in select(rows, sink=s, **sel)]
                x = Ratio("", "tx", VALUE[s], dict(sel, sink=s), dict(BASELINE, sink=s)).summary(rows)
                cells += [spread(xs), f"{x['median']:.2f}x" if x else "-"]
            br = select(rows, sink="bridge", **sel)
            agree = ("-" if not br else "yes" if all(r.get("wire_pkts") == r.get("pkts") for r in br)
                     else "**no**")
            L.append(f"| {role(v) or ''} | {v[0]} | {v[1]} | {v[2]} | {v[3]} | " + " | ".join(cells)
                     + f" | {agree} |")
        L.append("")
        L.append("*tap agrees*: the tap counted exactly the frames pktgen says it sent.\n")
        sk = select(rows, **SKIFF)
        ceil = med([r["pps"] for r in select(sk, sink="free")])
        if sk:
            L.append("**Where the time goes** (Skiff's variant). QEMU runs the guest's vCPU on one"
                     " thread and all device work on its I/O thread (the main loop); per-thread CPU"
                     " time was sampled over the middle of each run."
                     + (f" The guest's own cost per frame is the inverse of its no-device ceiling:"
                        f" {1e9 / ceil:.0f} ns." if ceil else "") + "\n")
            L += ["| sink | frames/s | QEMU I/O thread busy | I/O thread ns per frame | vCPU busy |",
                  "|---|---:|---:|---:|---:|"]
            for s in ("bridge", "dropsink"):
                xs = select(sk, sink=s)
                p = med([r.get(VALUE[s]) for r in xs])
                io = med([r.get("io_busy") for r in xs])
                vc = med([r.get("vcpu_busy") for r in xs])
                L.append(f"| {SINK_NAME[s]} | {fmt_n(p)} | {pct(io)} |"
                         f" {'-' if io is None or not p else f'{io * 1e9 / p:.0f}'} | {pct(vc)} |")
            L += ["", "The vCPU spins while the ring is full, so its busy time says little; the I/O"
                  " thread's does. Near 100%, QEMU's per-frame work (popping the descriptor, and for"
                  " the bridge a writev() into the tap with the host's bridge behind it) is the"
                  " limit, not the guest.\n"]
        return L

    def plots(self, rows, plot):
        combos = sorted({variant(r) for r in rows}, key=lambda c: (c[0], c[1], MODES.index(c[2]), c[3]))
        groups = [variant_name(v) for v in combos]
        values = {(variant_name(variant(r)), SINK_NAME[r["sink"]]): [] for r in rows}
        for r in rows:
            values[(variant_name(variant(r)), SINK_NAME[r["sink"]])].append(r.get(VALUE[r["sink"]]))
        plot.bars("tx.png", "pktgen, 60-byte frames, by build and mode", groups,
                  [SINK_NAME[s] for s in SINKS], values,
                  marks={variant_name(v): role(v) for v in combos if role(v)})

    def targets(self, rows):
        out = []
        sel = lambda s: [r.get(VALUE[s]) for r in select(rows, sink=s, **SKIFF)]
        bridge, sink = med(sel("bridge")), med(sel("dropsink"))
        if bridge:
            out.append(("TX through the lab bridge >= 450 kpps (Skiff's variant, tap counter)",
                        f"{bridge:,.0f} frames/s", bridge >= 450000))
        if sink:
            out.append(("TX into the drop sink >= 1.0 Mpps (Skiff's variant)", f"{sink:,.0f} frames/s",
                        sink >= 1e6))
        x = Ratio("", "tx", "pps", dict(SKIFF, sink="dropsink"), dict(BASELINE, sink="dropsink")).summary(rows)
        if x:
            out.append(("Skiff >= 3x the tutorial-style baseline into the drop sink (paired)",
                        f"{x['median']:.2f}x ({x['lo']:.2f}-{x['hi']:.2f}, {x['n']} rounds)", x["median"] >= 3))
        y = Ratio("", "tx", "pps", dict(SKIFF, sink="dropsink"), dict(SKIFF, sink="free")).summary(rows)
        if y:
            io = med([r.get("io_busy") for r in select(rows, sink="dropsink", **SKIFF)])
            if y["median"] >= 0.8:
                out.append(("drop sink >= 80% of the no-device ceiling", f"{y['median']:.0%}", True))
            else:
                why = "" if io is None else f"; QEMU's I/O thread {io:.0%} busy (see Where the time goes)"
                out.append(("drop sink >= 80% of the no-device ceiling, or where the rest goes",
                            f"{y['median']:.0%}{why}", "explained" if io is not None and io >= 0.9 else False))
        return out


class Sizes(Section):
    name = "sizes"
    title = "TX by frame size"
    nfs = ("pktgen",)

    def sizes(self):
        # Quick: 60 bytes is in tx already, 512 adds little.
        return (128, 1514) if self.b.quick else (60, 128, 512, 1514)

    def builds(self):
        return [(SKIFF["lto"], SKIFF["alloc"])]

    def specs(self):
        return [dict(SKIFF, section="sizes", size=size, sink=sink) for size in self.sizes() for sink in SINKS]

    def measure(self, spec, run):
        return pktgen_run(self.b, spec)

    def describe(self, row):
        return describe_pktgen(row)

    def report(self, rows):
        v = variant(rows[0])
        L = [f"pktgen {variant_name(v)} ({role(v) or 'not a compared variant'}); bridge figures are the tap's counter {wire_note(self.b)},"
             " the others by pktgen's own clock. Mbit/s count 24 bytes of preamble, FCS and gap per"
             " frame.\n",
             "| size | bridge frames/s | bridge Mbit/s | drop sink frames/s | no device frames/s |",
             "|---:|---:|---:|---:|---:|"]
        for size in sorted({r["size"] for r in rows}):
            cell = {s: [r.get(VALUE[s]) for r in select(rows, size=size, sink=s)] for s in SINKS}
            mb = (med(cell["bridge"]) or 0) * (size + 24) * 8 / 1e6
            L.append(f"| {size} | {spread(cell['bridge'])} | {mb:,.0f} | {spread(cell['dropsink'])} |"
                     f" {spread(cell['free'])} |")
        return L + [""]

    def plots(self, rows, plot):
        sizes = sorted({r["size"] for r in rows})
        values = {}
        for r in rows:
            values.setdefault((f"{r['size']} B", SINK_NAME[r["sink"]]), []).append(r.get(VALUE[r["sink"]]))
        plot.bars("sizes.png", f"pktgen by frame size ({variant_name(variant(rows[0]))})",
                  [f"{s} B" for s in sizes], [SINK_NAME[s] for s in SINKS], values)


class TapHeader(Section):
    """The comparison behind scripts/run's vnet_hdr=off default."""
    name = "vnet_hdr"
    title = "Tap with or without the virtio-net header"
    in_quick = False
    nfs = ("pktgen",)

    def builds(self):
        return [(SKIFF["lto"], SKIFF["alloc"])]

    def specs(self):
        return [dict(SKIFF, section="vnet_hdr", sink="bridge", size=60, vnet_hdr=v) for v in ("on", "off")]

    def measure(self, spec, run):
        return pktgen_run(self.b, spec, net_opts=f",vnet_hdr={spec['vnet_hdr']}")

    def describe(self, row):
        return f"vnet_hdr={row['vnet_hdr']}: " + describe_pktgen(row)

    def ratios(self):
        return [Ratio("tap header off / on, bridge (Skiff's variant)", "vnet_hdr", "wire_pps",
                      dict(vnet_hdr="off"), dict(vnet_hdr="on"), note="host clock: tap counter")]

    def report(self, rows):
        L = ["pktgen (Skiff's variant) through the lab bridge, QEMU's tap opened with"
             " `vnet_hdr=on` or `off` (`scripts/run --net tap:IF,vnet_hdr=on|off`). Skiff"
             " negotiates no offloads, so the header carries nothing. Frames/s: the tap's"
             " counter over a host-timed window.\n",
             "| vnet_hdr | frames/s |", "|---|---:|"]
        for v in ("off", "on"):
            L.append(f"| {v} | {spread([r.get('wire_pps') for r in select(rows, vnet_hdr=v)])} |")
        return L + [""]
