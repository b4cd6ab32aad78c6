# SPDX-License-Identifier: BSD-3-Clause
"""RX: rxcount fed by trafgen on the lab's host side."""

from ..lab import Guest, busy, host_cpu, sample_window, thread_cpu, trafgen, trafgen_config
from ..report import fmt_n, pct
from ..stats import Ratio, med, spread
from ..util import GUEST_IP, GUEST_MAC, summary
from .base import Section

BUILDS = ((0, "heap"), (1, "pool"))


class RX(Section):
    name = "rx"
    title = "RX: rxcount, 60-byte frames from trafgen on the lab's host side"
    nfs = ("rxcount",)

    def builds(self):
        return list(BUILDS)

    def specs(self):
        return [dict(section="rx", lto=lto, alloc=alloc) for lto, alloc in BUILDS]

    def measure(self, s, run):
        b = self.b
        seconds = 4 if b.quick else 6
        img = b.image(s["lto"], s["alloc"], "rxcount")
        cfg = trafgen_config(b.tmp, GUEST_MAC, GUEST_IP)
        g = Guest(b.lab, img, f"tap:tap0,mac={GUEST_MAC}", f"duration={seconds + 8} idle=2 promisc=0",
                  seconds + 40)
        g.ready(r"^rxcount: counting")
        c0 = b.lab.counters("tap0")
        gen = trafgen(b.lab, cfg, seconds)
        # The middle half of the flood, timed by the host: what reached the
        # tap (sent on, or dropped because QEMU did not read in time), and
        # where the machine's cores went.
        w = sample_window(b.lab, seconds * 0.25, seconds * 0.5,
                          counters=(("tap0", "tx_packets"), ("tap0", "tx_dropped")),
                          also=lambda: (host_cpu(), thread_cpu(g.qemu())))
        gen.wait()
        c1 = b.lab.counters("tap0")
        rc, out = g.wait()
        sm = summary(out, "rxcount")
        if rc != 0 or not sm:
            raise RuntimeError(f"rxcount failed ({rc}):\n{out[-1500:]}")
        (sent, win), (dropped, _) = w["rates"][("tap0", "tx_packets")], w["rates"][("tap0", "tx_dropped")]
        (h0, q0), (h1, q1) = w["also"]
        q = busy(g.qemu(), q0, q1, win or 0)
        d = {k: c1[k] - c0[k] for k in c0}
        got = int(sm["rx_pkts"])
        return dict(s, seconds=seconds, window_s=win,
                    offered_pps=sent + dropped if sent is not None else None,
                    delivered_pps=sent, rx_pps=float(sm["rx_pps"]), rx_pkts=got,
                    tap_drops=d["tx_dropped"], qemu_drops=max(0, d["tx_packets"] - got),
                    ring_dry=int(sm["dev_ring_dry"]), nobuf=int(sm["dev_nobuf"]),
                    host_idle=(h1[0] - h0[0]) / max(1, h1[1] - h0[1]),
                    io_busy=q.get("io"), vcpu_busy=q.get("vcpu"))

    def describe(self, r):
        return (f"rx lto={r['lto']} {r['alloc']}: offered {r['offered_pps'] or 0:,.0f}/s,"
                f" passed to QEMU {r['delivered_pps'] or 0:,.0f}/s (host clock),"
                f" rxcount {r['rx_pps']:,.0f}/s (guest clock)")

    def ratios(self):
        return [Ratio("RX passed to the guest: LTO on, pool / LTO off, heap", "rx", "delivered_pps",
                      dict(lto=1, alloc="pool"), dict(lto=0, alloc="heap"), note="host clock: tap counter")]

    def report(self, rows):
        host = self.b.format >= 2
        L = ["trafgen (netsniff-ng, one CPU: two starve QEMU's I/O thread on this machine) sends"
             " through the bridge to the guest's tap. "
             + ("*Offered* is what reached the tap (tx_packets + tx_dropped) and *passed* what"
                " QEMU took from it (tx_packets), both over a host-timed window in the middle of"
                " the flood; " if host else
                "*Offered* is what reached the tap (tx_packets + tx_dropped) over the nominal"
                " flood length (format 1 CSV); ")
             + "*counted* is rxcount's own rate over its busy period (guest clock); *tap drops*"
             " are frames QEMU did not read in time; *QEMU drops* frames QEMU read but the guest"
             " never saw; *ring dry* polls that found every posted buffer filled.\n",
             "The last three columns show where the machine's cores went in the middle of the"
             " flood: when the host is never idle, the offered rate is what the machine can push"
             " through trafgen, the bridge and QEMU's tap reads together.\n",
             "| build | offered/s | passed/s | counted/s | tap drops | QEMU drops | ring dry |"
             " pool empty | host idle | QEMU I/O thread | vCPU |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for lto, alloc in sorted({(r["lto"], r["alloc"]) for r in rows}):
            xs = [r for r in rows if r["lto"] == lto and r["alloc"] == alloc]
            col = lambda k: [r.get(k) for r in xs]
            L.append(f"| LTO {lto}, {alloc} | {spread(col('offered_pps'))} | {spread(col('delivered_pps'))} |"
                     f" {spread(col('rx_pps'))} | {fmt_n(med(col('tap_drops')))} |"
                     f" {fmt_n(med(col('qemu_drops')))} | {fmt_n(med(col('ring_dry')))} |"
                     f" {fmt_n(med(col('nobuf')))} | {pct(med(col('host_idle')))} |"
                     f" {pct(med(col('io_busy')))} | {pct(med(col('vcpu_busy')))} |")
        return L + [""]

    def targets(self, rows):
        rx = [r for r in rows if r["lto"] == 1 and r["alloc"] == "pool"]
        if not rx:
            return []
        key = "delivered_pps" if self.b.format >= 2 else "rx_pps"
        cnt = med([r.get(key) for r in rx])
        drops = med([r["tap_drops"] / max(1, r["rx_pkts"]) for r in rx])
        idle = med([r.get("host_idle") for r in rx])
        return [("RX into the guest >= 250 kpps (LTO on, pool)",
                 f"{cnt:,.0f} frames/s ({'host' if key == 'delivered_pps' else 'guest'} clock;"
                 f" host idle {pct(idle)})", cnt >= 250000),
                ("RX drops < 1% of frames delivered (tap drops, an upper bound on no-buffer drops)",
                 f"{drops:.3%}", drops < 0.01)]
