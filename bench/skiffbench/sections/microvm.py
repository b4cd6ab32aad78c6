# SPDX-License-Identifier: BSD-3-Clause
"""microvm beside pc: QEMU's start to the first frame on the wire, and
pktgen's TX through the tap and into QEMU's drop sink; and pc now beside pc
at the revision before virtio-mmio came, for regressions on the PCI path."""

import os
import re
import subprocess

from ..lab import Guest, cpu_budget, cpu_sample, sample_window
from ..report import pct
from ..stats import Ratio, med, select, spread
from ..util import BLACKHOLE, ROOT, log, sh, summary
from .base import Section
from .boot import Boot, OneImage
from .tx import SKIFF

BUILD = (SKIFF["lto"], SKIFF["alloc"])
# The main line just before the virtio-mmio merge (5cf9773): pc's rows at
# this revision are the reference a regression would show against.
BEFORE = "5cf9773^1"
SINKS = ("bridge", "dropsink")
SINK_NAME = {"bridge": "bridge", "dropsink": "drop sink"}
VALUE = {"bridge": "wire_pps", "dropsink": "pps"}
NOW = dict(rev="now", tx_ring=0)


def who(r):
    """A row's machine and build, for tables and plots."""
    name = r["machine"] + (f", TX ring {r['tx_ring']}" if r.get("tx_ring") else "")
    return name + (f" at {r.get('revision', 'before')} (before virtio-mmio)" if r.get("rev") == "before" else "")


class Microvm(Section):
    name = "microvm"
    title = "microvm beside pc"
    nfs = ("pktgen",)
    old = None              # (revision, pktgen image) of BEFORE, built by prepare()

    def builds(self):
        return [BUILD]

    def prepare(self):
        """Builds pktgen at BEFORE (make bench only): the tree from git
        archive into the run's temporary directory, the same options."""
        if self.b.quick:
            return
        rev = sh(["git", "-C", ROOT, "rev-parse", "--verify", "-q", BEFORE + "^{commit}"], check=False).strip()
        if not rev:
            log(f"microvm: revision {BEFORE} is not in this checkout; pc is not compared with it")
            return
        tree = os.path.join(self.b.tmp, f"rev-{rev[:12]}")
        os.makedirs(tree)
        log(f"build: pktgen at {rev[:12]} (before virtio-mmio), LTO={BUILD[0]} ALLOC={BUILD[1]}")
        archive = subprocess.Popen(["git", "-C", ROOT, "archive", rev], stdout=subprocess.PIPE)
        sh(["tar", "-x", "-C", tree], stdin=archive.stdout)
        if archive.wait() != 0:
            raise RuntimeError(f"git archive {rev} failed")
        sh(["make", "-C", tree, "-s", "-j2", "BUILD=build", f"LTO={BUILD[0]}", f"ALLOC={BUILD[1]}", "NF=pktgen",
            f"GIT_REV={rev[:12]}"])
        self.old = (rev[:12], os.path.join(tree, "build", "pktgen.elf"))

    def builds_compared(self):
        """(machine, selector) of every build and machine a round measures."""
        out = [("pc", NOW), ("microvm", NOW)]
        if not self.b.quick:
            out.append(("microvm", dict(NOW, tx_ring=1024)))
        if self.old:
            out.append(("pc", dict(rev="before", tx_ring=0, revision=self.old[0])))
        return out

    def specs(self):
        base = dict(section="microvm", lto=BUILD[0], alloc=BUILD[1])
        reps = 3 if self.b.quick else 5
        out = [dict(base, kind="boot", nf="pktgen", machine=m, rep=k, **sel)
               for m, sel in self.builds_compared() if not sel["tx_ring"] for k in range(reps)]
        sinks = ("dropsink",) if self.b.quick else SINKS
        out += [dict(base, kind="tx", machine=m, sink=sink, mode=SKIFF["mode"], burst=SKIFF["burst"], size=60, **sel)
                for m, sel in self.builds_compared() for sink in sinks]
        return out

    def image(self, s):
        return self.old[1] if s["rev"] == "before" else self.b.image(*BUILD, "pktgen")

    def measure(self, s, run):
        if s["kind"] == "boot":
            # The boot section's measurement, so that its pc rows and these agree.
            return Boot(OneImage(self.b.lab, self.image(s))).measure(s, run)
        return self.tx(s)

    def tx(self, s):
        """pktgen on the machine, as the tx section measures it: the tap's
        counter over the middle 60% of the run (host clock) through the
        bridge, pktgen's own rate into the drop sink; QEMU's threads over
        the same window."""
        b = self.b
        secs = b.tx_seconds
        bridge = s["sink"] == "bridge"
        append = (f"duration={secs} mode={s['mode']} burst={s['burst']} size={s['size']} dst_mac={BLACKHOLE}"
                  + (f" tx_ring={s['tx_ring']}" if s["tx_ring"] else ""))
        g = Guest(b.lab, self.image(s), "tap:tap0" if bridge else "sink", append, secs + 30,
                  extra=("-M", s["machine"]))
        w = None
        try:
            if g.wait_line(r"^pktgen: sending", 30):
                w = sample_window(b.lab, secs * 0.2, secs * 0.6, counters=(("tap0", "rx_packets"),) if bridge else (),
                                  also=lambda: cpu_sample([("", g.qemu())]))
            rc, out = g.wait()
        finally:
            g.stop()
        sm = summary(out, "pktgen")
        if rc != 0 or not sm or not w:
            raise RuntimeError(f"pktgen on {s['machine']} failed ({rc}):\n{out[-1500:]}")
        rings = re.search(r"^pktgen: net0 .* rings (\d+)/(\d+)", out, re.M)     # what pktgen set up
        row = dict(s, pps=float(sm["tx_pps"]), pkts=int(sm["tx_pkts"]), **cpu_budget(*w["also"]),
                   rings=f"{rings.group(1)}/{rings.group(2)}" if rings else None)
        if bridge:
            row["wire_pps"], row["wire_window_s"] = w["rates"][("tap0", "rx_packets")]
        return row

    def describe(self, r):
        if r["kind"] == "boot":
            ff = r.get("first_frame_s")
            return f"boot {who(r)}: first frame after {'-' if ff is None else f'{ff * 1000:.0f} ms'}"
        return f"pktgen {who(r)} into the {SINK_NAME[r['sink']]}: {r.get(VALUE[r['sink']]) or 0:,.0f} frames/s"

    # ------------------------------------------------------------ reporting
    def ratios(self):
        out = [Ratio("microvm / pc, QEMU start to the first frame", "microvm", "first_frame_s",
                     dict(kind="boot", machine="microvm", **NOW), dict(kind="boot", machine="pc", **NOW),
                     note="host clock (tshark); below 1: microvm is faster")]
        for s in SINKS:
            clock = "host clock: tap counter" if s == "bridge" else "guest clock"
            tx = dict(kind="tx", sink=s)
            out.append(Ratio(f"microvm / pc, TX {SINK_NAME[s]}", "microvm", VALUE[s],
                             dict(tx, machine="microvm", **NOW), dict(tx, machine="pc", **NOW), note=clock))
        out.append(Ratio("microvm TX ring 1024 / 256 (the default), drop sink", "microvm", "pps",
                         dict(kind="tx", sink="dropsink", machine="microvm", rev="now", tx_ring=1024),
                         dict(kind="tx", sink="dropsink", machine="microvm", **NOW),
                         note="guest clock; 1024 is virtio-mmio's cap, the default before 2026-12-07"))
        before = dict(machine="pc", rev="before")
        out.append(Ratio("pc now / before virtio-mmio, first frame", "microvm", "first_frame_s",
                         dict(kind="boot", machine="pc", **NOW), dict(before, kind="boot"),
                         note="host clock; below 1: faster now"))
        for s in SINKS:
            tx = dict(kind="tx", sink=s)
            out.append(Ratio(f"pc now / before virtio-mmio, TX {SINK_NAME[s]}", "microvm", VALUE[s],
                             dict(tx, machine="pc", **NOW), dict(before, **tx),
                             note="host clock: tap counter" if s == "bridge" else "guest clock"))
        return out

    def variants(self, rows):
        """The (machine, rev, tx_ring) measured, in a fixed order."""
        order = {("pc", "now", 0): 0, ("microvm", "now", 0): 1, ("microvm", "now", 1024): 2, ("pc", "before", 0): 3}
        keys = {(r["machine"], r["rev"], r.get("tx_ring") or 0) for r in rows}
        return sorted(keys, key=lambda k: order.get(k, 9))

    def report(self, rows):
        L = ["pktgen (LTO on, pool, copy, burst 32, 60-byte frames) on QEMU's `microvm` (virtio-mmio, no"
             " PCI, ACPI off: `scripts/run -M microvm`, docs/microvm.md) and on `pc`, in the same rounds."
             " pktgen's TX ring has 256 slots on both: on pc from scripts/run's NIC, on microvm from the"
             " driver, since virtio-mmio only caps the sizes (at 1024); the *TX ring 1024* rows ask"
             " microvm for the cap (`tx_ring=1024`)."
             + (f" *before virtio-mmio*: pc running pktgen built at {BEFORE} (the main line before the"
                " virtio-mmio merge), the same options, built from `git archive` for this run: a"
                " regression on the PCI path since then would show in its ratios."
                if select(rows, rev="before") else "") + "\n"]
        boots = select(rows, kind="boot")
        if boots:
            L += ["QEMU's start to the first console line, to pktgen's ready line (host clock, as the lines"
                  " arrive) and to its first frame on the tap (tshark's timestamp), as the boot section"
                  " measures them; every round boots each machine several times, interleaved.\n",
                  "| machine | boots | first line ms | ready ms | first frame ms |", "|---|---:|---:|---:|---:|"]
            ms = "{:.0f}"
            for m, rv, ring in self.variants(boots):
                xs = select(boots, machine=m, rev=rv)
                sec = lambda k: [None if r.get(k) is None else r[k] * 1000 for r in xs]
                L.append(f"| {who(xs[0])} | {len(xs)} | {spread(sec('banner_s'), ms)} | {spread(sec('ready_s'), ms)} |"
                         f" {spread(sec('first_frame_s'), ms)} |")
            L.append("")
        tx = select(rows, kind="tx")
        if tx:
            L += ["TX: through the lab bridge (the tap's counter over the middle of the run, host clock) and"
                  " into QEMU's drop sink (pktgen's own rate, guest clock); QEMU's threads over the same"
                  " window.\n",
                  "| machine | rings RX/TX | bridge frames/s | drop sink frames/s | QEMU I/O thread (drop sink) |"
                  " vCPU (drop sink) |", "|---|---|---:|---:|---:|---:|"]
            for m, rv, ring in self.variants(tx):
                xs = [r for r in select(tx, machine=m, rev=rv) if (r.get("tx_ring") or 0) == ring]
                ds = select(xs, sink="dropsink")
                L.append(f"| {who(xs[0])} | {xs[0].get('rings') or '-'} |"
                         f" {spread([r.get('wire_pps') for r in select(xs, sink='bridge')])} |"
                         f" {spread([r.get('pps') for r in ds])} | {pct(med([r.get('io_busy') for r in ds]))} |"
                         f" {pct(med([r.get('vcpu_busy') for r in ds]))} |")
            L.append("")
        return L

    def plots(self, rows, plot):
        tx = select(rows, kind="tx")
        if not tx:
            return
        sinks = [s for s in SINKS if select(tx, sink=s)]
        names = []
        values = {}
        for m, rv, ring in self.variants(tx):
            xs = [r for r in select(tx, machine=m, rev=rv) if (r.get("tx_ring") or 0) == ring]
            names.append(who(xs[0]))
            for r in xs:
                values.setdefault((SINK_NAME[r["sink"]], who(r)), []).append(r.get(VALUE[r["sink"]]))
        plot.bars("microvm.png", "pktgen on microvm and pc", [SINK_NAME[s] for s in sinks], names, values)

    def targets(self, rows):
        out = []
        ff = med([r.get("first_frame_s") for r in select(rows, kind="boot", machine="microvm", rev="now")])
        if ff is not None:
            out.append(("microvm: QEMU start to the first frame on the wire < 100 ms", f"{ff * 1000:.0f} ms",
                        ff < 0.1))
        regress = []
        for r in self.ratios():
            if not r.label.startswith("pc now / before"):
                continue
            x = r.summary(rows)
            if not x:
                continue
            worse = x["lo"] > 1 if "first frame" in r.label else x["hi"] < 1
            regress.append((r.label.split(", ", 1)[1], x, worse))
        if regress:
            out.append(("no regression on the PCI rows (pc now / before virtio-mmio, paired; a regression is"
                        " a min-max range wholly on the worse side of 1)",
                        "; ".join(f"{what} {x['median']:.2f} ({x['lo']:.2f}-{x['hi']:.2f})" for what, x, _ in regress),
                        not any(w for _, _, w in regress)))
        elif select(rows, kind="tx"):
            out.append(("no regression on the PCI rows", "not compared: make bench builds the revision before"
                        " virtio-mmio and measures it beside pc", "not measured"))
        return out
