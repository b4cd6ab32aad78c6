# SPDX-License-Identifier: BSD-3-Clause
"""echo: ping round trips, and UDP reflected under a flood."""

import re

from ..lab import Guest, sample_window, trafgen, trafgen_config
from ..report import fmt_n
from ..stats import med, spread
from ..util import GUEST_IP, GUEST_MAC, PEER_IP, intervals, summary
from .base import Section

BUILD = (1, "pool")


class Echo(Section):
    name = "echo"
    title = "echo"
    csv_sections = ("rtt", "echo")
    nfs = ("echo",)

    def builds(self):
        return [BUILD]

    def specs(self):
        return [dict(kind="rtt"), dict(kind="rate", seconds=4 if self.b.quick else 6)]

    def once(self):
        return [] if self.b.quick else [dict(kind="rate", seconds=60)]

    def measure(self, s, run):
        return self.rtt(run) if s["kind"] == "rtt" else self.rate(s["seconds"])

    def _start(self, seconds):
        g = Guest(self.b.lab, self.b.image(*BUILD, "echo"), f"tap:tap0,mac={GUEST_MAC}",
                  f"ip={GUEST_IP} duration={seconds}", seconds + 30)
        g.ready(r"^echo: answering")
        return g

    def ping(self, ip, count):
        out = self.b.lab.exec(["ping", "-c", str(count), "-i", "0.01", "-W", "1", ip], check=False)
        return sorted(float(x) for x in re.findall(r"time=([0-9.]+) ms", out))

    def rtt(self, run):
        n = 100 if self.b.quick else 200
        g = self._start(120)
        self.ping(GUEST_IP, 3)      # ARP resolved, caches warm
        echo = self.ping(GUEST_IP, n)
        g.stop()
        host = self.ping(PEER_IP, n)
        return [dict(section="rtt", lto=BUILD[0], alloc=BUILD[1], target=t, answered=len(xs), sent=n,
                     median_ms=med(xs), p99_ms=xs[min(len(xs) - 1, int(len(xs) * 0.99))] if xs else None)
                for t, xs in (("echo", echo), ("host stack", host))]

    def rate(self, seconds):
        g = self._start(seconds + 6)
        gen = trafgen(self.b.lab, trafgen_config(self.b.tmp, GUEST_MAC, GUEST_IP), seconds)
        # Reflected frames are what the guest wrote into its tap: the tap's
        # rx_packets over the middle half of the flood, timed by the host.
        w = sample_window(self.b.lab, seconds * 0.25, seconds * 0.5, counters=(("tap0", "rx_packets"),))
        gen.wait()
        rc, out = g.wait()
        reflected, win = w["rates"][("tap0", "rx_packets")]
        # The guest's own seconds inside the flood (not the first or the
        # last) show stalls: a second below 10% of the median.
        secs = [float(x["tx_pps"]) for x in intervals(out, "echo") if float(x["rx_pps"]) > 0][1:-1]
        sm = summary(out, "echo")
        return dict(section="echo", lto=BUILD[0], alloc=BUILD[1], seconds=seconds, reflected_pps=reflected,
                    window_s=win, tx_pps=med(secs), min_pps=min(secs) if secs else None,
                    intervals=len(secs), stalls=sum(1 for x in secs if x < 0.1 * (med(secs) or 1)),
                    tx_full=int(sm["tx_full"]) if sm else None)

    def describe(self, r):
        if r["section"] == "rtt":
            return f"ping {r['target']}: median {r['median_ms'] or 0:.3f} ms"
        return (f"echo {r['seconds']} s flood: {r.get('reflected_pps') or 0:,.0f} reflected/s (host clock),"
                f" {r['stalls']} stalled seconds")

    def _floods(self, rows):
        return ([r for r in rows if r["section"] == "echo" and r["run"] > 0],
                [r for r in rows if r["section"] == "echo" and r["run"] == 0])

    def report(self, rows):
        L = []
        rtt = [r for r in rows if r["section"] == "rtt"]
        if rtt:
            L += ["Ping round trips from the lab's host side (ping -i 0.01), to the echo image and,"
                  " as the reference, to a Linux network namespace on the same bridge.\n",
                  "| target | answered | median ms | 99th percentile ms |", "|---|---:|---:|---:|"]
            for t in ("echo", "host stack"):
                xs = [r for r in rtt if r["target"] == t]
                L.append(f"| {t} | {sum(r['answered'] for r in xs)}/{sum(r['sent'] for r in xs)} |"
                         f" {spread([r['median_ms'] for r in xs], '{:.3f}')} |"
                         f" {spread([r['p99_ms'] for r in xs], '{:.3f}')} |")
            L.append("")
        floods, longrun = self._floods(rows)
        host = self.b.format >= 2
        key = "reflected_pps" if host else "tx_pps"
        clock = ("the tap's counter over the middle half of the flood, host clock" if host else
                 "median of echo's own seconds inside the flood, guest clock (format 1 CSV)")
        if floods:
            L.append(f"UDP reflected by echo under trafgen's flood: {spread([r.get(key) for r in floods])}"
                     f" frames/s ({clock}).")
        if longrun:
            x = longrun[0]
            L.append(f"A {x['seconds']}-second flood: {fmt_n(x.get(key))} frames/s; by echo's own"
                     f" seconds the lowest was {fmt_n(x['min_pps'])}, {x['stalls']} seconds fell below"
                     f" 10% of the median (stalls), {x['tx_full']} replies were dropped on a full TX ring.")
        return L + [""]

    def targets(self, rows):
        floods, longrun = self._floods(rows)
        out = []
        key = "reflected_pps" if self.b.format >= 2 else "tx_pps"
        if floods:
            e = med([r.get(key) for r in floods])
            out.append(("echo >= 100 kpps reflected", f"{e:,.0f} frames/s", e >= 100000))
        if longrun:
            x = longrun[0]
            out.append((f"echo TX never stalls in a {x['seconds']} s flood", f"{x['stalls']} stalled seconds",
                        x["stalls"] == 0))
        return out
