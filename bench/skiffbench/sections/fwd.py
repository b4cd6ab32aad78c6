# SPDX-License-Identifier: BSD-3-Clause
"""fwd: frames forwarded by the fwd NF between the two segments of a lab,
iperf3 through fwd and through a Linux namespace router, and fwd fed by
dpdk-testpmd over vhost-user."""

import contextlib
import json
import subprocess
import time

from ..lab import (Guest, LinuxRouter, Testpmd, arp_request_config, cpu_budget, cpu_sample,
                   flush_neighbours, sample_window, trafgen, trafgen_config)
from ..report import fmt_n, pct
from ..stats import Ratio, med, select, spread
from ..util import BLACKHOLE, intervals, summary
from .base import Section

BUILD = (1, "pool")
P0, P1 = "52:54:00:c6:12:02", "52:54:00:c6:12:03"     # fwd's ports, on tap0 (br0) and tap1 (br1)
# The far side's destination: an address whose MAC is BLACKHOLE, which br1
# sends to tap3, a tap nobody opens (dropped there, the cheapest sink the
# host has). fwd learns it from one ARP request "198.18.2.99 at BLACKHOLE
# asks for 198.18.2.1", sent into br1 by trafgen; arp_timeout keeps it.
SINK_IP = "198.18.2.99"
PEER = "198.18.2.2"
PACED = 250000
PACED_SECONDS = 60
FLOOD = dict(section="fwd", kind="flood", lto=BUILD[0], alloc=BUILD[1], size=60)
IPERF = dict(section="fwd", kind="iperf", lto=BUILD[0], alloc=BUILD[1])


def ns_per_frame(r):
    c, mhz = r.get("cycles_per_frame"), r.get("tsc_mhz")
    return c * 1000 / mhz if c and mhz else None


WHERE = {"tap": ("taps", "taps"), "vhost-user": ("vhost-user in", "vhost-user in, drop sink out"),
         "vhost-wires": ("vhost-user both", "vhost-user wires, testpmd tester")}


def label(r, short=False):
    where = WHERE[r["transport"]][0 if short else 1]
    return f"{r['mode']}, {where}" + (", output=free" if r["output"] == "free" else "")


class Forward(Section):
    name = "fwd"
    title = "fwd: forwarding between two segments"
    nfs = ("fwd",)

    def builds(self):
        return [BUILD]

    def specs(self):
        secs = 3 if self.b.quick else 6
        tap = dict(FLOOD, transport="tap", seconds=secs)
        out = [dict(tap, mode="l3", output="device")]
        if not self.b.quick:
            out += [dict(tap, mode="l3", output="free"), dict(tap, mode="l2", output="device")]
            # fwd fed over vhost-user, port 1 on the drop sink; and between
            # the two ports of testpmd's tester role.
            vh = dict(FLOOD, transport="vhost-user", mode="l2", seconds=4)
            out += [dict(vh, output="device"), dict(vh, output="free"),
                    dict(vh, transport="vhost-wires", output="device")]
        protos = ("tcp",) if self.b.quick else ("tcp", "udp")
        out += [dict(IPERF, router=r, proto=p, seconds=3 if self.b.quick else 5)
                for r in ("fwd", "linux") for p in protos]
        return out

    def once(self):
        if self.b.quick:
            return []
        return [dict(FLOOD, kind="paced", transport="tap", mode="l3", output="device", rate=PACED,
                     seconds=PACED_SECONDS)]

    def measure(self, s, run):
        if s["kind"] == "iperf":
            return self.iperf(s)
        if s["transport"] == "vhost-user":
            return self.vhost(s)
        if s["transport"] == "vhost-wires":
            return self.wires(s)
        return self.flood(s)

    # ------------------------------------------------------------ measuring
    def start(self, lab, append, timeout, net, more):
        g = Guest(lab, self.b.image(*BUILD, "fwd"), net, append, timeout, extra=more)
        g.ready(r"^fwd: forwarding")
        return g

    def start_taps(self, lab, append, timeout):
        return self.start(lab, append, timeout, f"tap:tap0,mac={P0}", ("--net", f"tap:tap1,mac={P1}"))

    def flood(self, s):
        """trafgen on host0 (one CPU) into fwd's port 0, flat out or paced;
        over the middle of the flood, by the host's clock: what reached tap0
        (offered), what QEMU took from it (passed to fwd) and what fwd put
        out on tap1 (forwarded); the CPU of fwd's QEMU threads, trafgen and
        the machine over the same window; fwd's own cost per frame. fwd is
        stopped once a report line after the flood has counted everything
        (its lines carry cumulative counters), so nothing waits on a timer
        racing trafgen's start on a busy machine."""
        b = self.b
        lab = b.lab.second()
        secs, l3, paced = s["seconds"], s["mode"] == "l3", s.get("rate")
        # br0 sends fwd's frames to tap0 without flooding them to tap2 too.
        for mac in (P0, BLACKHOLE):
            lab.exec(["bridge", "fdb", "replace", mac, "dev", "tap0", "master", "static"])
        g = self.start_taps(lab, f"mode={s['mode']} output={s['output']} duration={secs + 300} arp_timeout=3600",
                            secs + 400)
        gen = None
        try:
            if l3:
                t = trafgen(lab, arp_request_config(b.tmp, BLACKHOLE, SINK_IP, "198.18.2.1"), 10, dev="br1",
                            extra=("-n", "1"))
                t.wait()
            cfg = trafgen_config(b.tmp, P0 if l3 else BLACKHOLE, SINK_IP, src_ip="198.18.1.2", ttl=64)
            c0 = {i: lab.counters(i) for i in ("tap0", "tap1")}
            n = int(paced * secs) if paced else 0
            gen = trafgen(lab, cfg, secs + 60, extra=("-n", str(n), "-b", f"{paced}pps") if paced else ())
            t0 = flowing(lab, c0["tap0"])
            w = sample_window(lab, secs * 0.25, secs * 0.5,
                              also=lambda: cpu_sample([("", g.qemu())], [("trafgen_", gen.pid)]),
                              counters=(("tap0", "tx_packets"), ("tap0", "tx_dropped"), ("tap1", "rx_packets")))
            if not paced:
                gen.terminate()
            gen.wait()
            sent_s = time.monotonic() - t0
            time.sleep(1.5)     # a report line after the last frame
            c1 = {i: lab.counters(i) for i in ("tap0", "tap1")}
        finally:
            if gen and gen.poll() is None:
                gen.kill()
            rc, out = g.stop()
        lines = intervals(out, "fwd")
        last = lines[-1] if lines else None
        if not last:
            raise RuntimeError(f"fwd printed no report line ({rc}):\n{out[-1500:]}")
        if not int(last["fwd"]) and s["output"] == "device":
            raise RuntimeError("fwd forwarded nothing (did it learn the far neighbour?):\n" + out[-1500:])
        r = w["rates"]
        (passed, win), dropped = r[("tap0", "tx_packets")], r[("tap0", "tx_dropped")][0]
        fwded = r[("tap1", "rx_packets")][0]
        d = {f"{i}_{k}": c1[i][k] - c0[i][k] for i in c0 for k in ("tx_packets", "tx_dropped", "rx_packets")}
        busy_secs = [x for x in lines if float(x["rx_pps"]) > 0][1:-1]
        row = dict(s, window_s=win, **cpu_budget(*w["also"]),
                   offered_pps=None if passed is None else passed + dropped, in_pps=passed,
                   out_pps=fwded if s["output"] == "device" else None,
                   guest_fwd_pps=med([float(x["fwd_pps"]) for x in busy_secs]),
                   **fwd_counts(last, out),
                   tap_offered=d["tap0_tx_packets"] + d["tap0_tx_dropped"], tap_drops=d["tap0_tx_dropped"],
                   tap_out=d["tap1_rx_packets"])
        if paced:
            # What reached tap0 against what came out of tap1 (the
            # neighbour was taught before c0: no frame of fwd's own there);
            # and whether trafgen got all n out within its time.
            row.update(sent=n, sent_s=sent_s, loss=row["tap_offered"] - row["tap_out"])
        return row

    def vhost(self, s):
        """testpmd's txonly source into fwd's port 0 over vhost-user; port 1
        on QEMU's drop sink. Host clock: what testpmd put into fwd's ring
        (telemetry) over the middle half; fwd's own rate and cost per frame."""
        b = self.b
        secs = s["seconds"]
        tp = Testpmd(b.lab, "source", "--size", str(s["size"]), "--dst-mac", BLACKHOLE)
        g = None
        try:
            g = self.start(b.lab, f"mode={s['mode']} output={s['output']} duration={secs + 60} idle=2",
                           secs + 90, tp.net("vhost0"), ("--net", "sink"))

            def sample():
                st, t = tp.stats("vhost0")
                return st, t, cpu_sample([("", g.qemu())], [("testpmd_", tp.pid)])
            time.sleep(secs * 0.25)
            a, t0, c0 = sample()
            time.sleep(secs * 0.5)
            z, t1, c1 = sample()
            tp.pause()
            rc, out = g.wait()
        finally:
            if g:
                g.stop()
            tp.stop()
        sm = summary(out, "fwd")
        if rc != 0 or not sm:
            raise RuntimeError(f"fwd on vhost-user failed ({rc}):\n{out[-1500:]}")
        secs_in = [x for x in intervals(out, "fwd") if float(x["rx_pps"]) > 0][1:-1]
        return dict(s, **cpu_budget(c0, c1), window_s=t1 - t0,
                    in_pps=(z["opackets"] - a["opackets"]) / (t1 - t0),
                    guest_fwd_pps=med([float(x["fwd_pps"]) for x in secs_in]),
                    **fwd_counts(sm, out))

    def wires(self, s):
        """fwd l2 between the two ports of testpmd's tester role (flowgen into
        both, counting what comes out of both). Host clock, over the middle
        half: what testpmd put into fwd's two RX rings (taken in) and what it
        took from fwd's two TX rings (forwarded); fwd's cost per frame."""
        b = self.b
        secs = s["seconds"]
        tp = Testpmd(b.lab, "tester", "--size", str(s["size"]))
        g = None
        ports = ("vhost0", "vhost1")
        try:
            # fwd stops by itself while testpmd still drains its TX rings.
            g = self.start(b.lab, f"mode={s['mode']} output={s['output']} duration={secs}",
                           secs + 60, tp.net("vhost0", f"mac={P0}"), ("--net", tp.net("vhost1", f"mac={P1}")))

            def sample():
                st = [tp.stats(p) for p in ports]
                t = sum(x[1] for x in st) / len(st)
                return ({k: sum(x[0][k] for x in st) for k in ("ipackets", "opackets")}, t,
                        cpu_sample([("", g.qemu())], [("testpmd_", tp.pid)]))
            time.sleep(secs * 0.25)
            a, t0, c0 = sample()
            time.sleep(secs * 0.5)
            z, t1, c1 = sample()
            rc, out = g.wait()
        finally:
            if g:
                g.stop()
            final = tp.stop()
        sm = summary(out, "fwd")
        if rc != 0 or not sm:
            raise RuntimeError(f"fwd between vhost-user wires failed ({rc}):\n{out[-1500:]}")
        # What fwd sent on port p and testpmd did not take from its port.
        lost = sum(int(sm[f"tx{k}"]) - int(final[p]["rx_packets"]) for k, p in enumerate(ports))
        return dict(s, **cpu_budget(c0, c1), window_s=t1 - t0, wire_lost=lost,
                    in_pps=(z["opackets"] - a["opackets"]) / (t1 - t0),
                    out_pps=(z["ipackets"] - a["ipackets"]) / (t1 - t0),
                    **fwd_counts(sm, out))

    def iperf(self, s):
        """iperf3 from host0 to peer0 through fwd (l3) or through a Linux
        namespace router in the same place; TCP, or UDP flat out with
        18-byte datagrams (60-byte frames)."""
        lab = self.b.lab.second()
        secs = s["seconds"]
        g = None
        with contextlib.ExitStack() as stack:
            if s["router"] == "fwd":
                g = self.start_taps(lab, f"duration={secs + 60} arp_timeout=3600", secs + 90)
                stack.callback(g.stop)
                flush_neighbours(lab)
            else:
                stack.enter_context(LinuxRouter(lab))
            if "1 received" not in lab.exec(["ping", "-c", "1", "-W", "5", PEER], check=False):
                raise RuntimeError(f"no route to {PEER} through the {s['router']} router")
            server = subprocess.Popen(lab.prefix(peer=True) + ["iperf3", "-s", "-1", "-B", PEER],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            stack.callback(lambda: server.poll() is None and server.kill())
            for _ in range(50):
                if ":5201 " in lab.exec(["ss", "-ltn"], peer=True, check=False):
                    break
                time.sleep(0.1)
            opts = ["-u", "-b", "0", "-l", "18"] if s["proto"] == "udp" else []
            client = subprocess.Popen(lab.prefix() + ["timeout", str(secs + 30), "iperf3", "-c", PEER,
                                                      "-t", str(secs), "-J", *opts],
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            qemus = [("", g.qemu())] if g else []
            time.sleep(secs * 0.25)
            c0 = cpu_sample(qemus)
            time.sleep(secs * 0.5)
            c1 = cpu_sample(qemus)
            out = client.communicate()[0]
            server.wait(10)
        try:
            j = json.loads(out)["end"]
        except (ValueError, KeyError):
            raise RuntimeError(f"iperf3 through {s['router']} failed:\n{out[-1500:]}")
        row = dict(s, **cpu_budget(c0, c1))
        if s["proto"] == "tcp":
            row.update(recv_mbps=j["sum_received"]["bits_per_second"] / 1e6,
                       retransmits=j["sum_sent"].get("retransmits"))
        else:
            x = j["sum"]
            row.update(sent_pps=x["packets"] / x["seconds"],
                       recv_pps=(x["packets"] - x["lost_packets"]) / x["seconds"], lost=x["lost_packets"])
        return row

    def describe(self, r):
        if r["kind"] == "iperf":
            what = (f"{r['recv_mbps']:,.0f} Mbit/s" if r["proto"] == "tcp"
                    else f"{r['recv_pps']:,.0f} datagrams/s received of {r['sent_pps']:,.0f} sent")
            return f"fwd iperf3 {r['proto']} through {r['router']}: {what}"
        if r["kind"] == "paced":
            return (f"fwd paced {r['rate']:,}/s for {r['seconds']} s: {r['loss']:,} of {r['tap_offered']:,} lost,"
                    f" {r['tap_drops']:,} dropped at tap0")
        out = f", forwarded {r['out_pps']:,.0f}/s" if r.get("out_pps") else ""
        return (f"fwd {label(r)}: taken in {r.get('in_pps') or 0:,.0f}/s{out} (host clock),"
                f" {ns_per_frame(r) or 0:.0f} ns/frame in the guest")

    # ------------------------------------------------------------ reporting
    def ratios(self):
        tap = dict(kind="flood", transport="tap")
        return [
            Ratio("fwd l3 / l2, forwarded through the taps", "fwd", "out_pps", dict(tap, mode="l3", output="device"),
                  dict(tap, mode="l2", output="device"), note="host clock: tap1's counter"),
            Ratio("fwd l3 frames taken in: output=device / free", "fwd", "in_pps",
                  dict(tap, mode="l3", output="device"), dict(tap, mode="l3", output="free"),
                  note="host clock: tap0's counter; the share the sending side costs"),
            Ratio("fwd l3 guest cycles per frame: output=device / free", "fwd", "cycles_per_frame",
                  dict(tap, mode="l3", output="device"), dict(tap, mode="l3", output="free"),
                  note="guest TSC: fwd's cycles_per_frame; above 1 is the TX path's cost"),
            Ratio("iperf3 TCP: fwd / Linux namespace router", "fwd", "recv_mbps",
                  dict(kind="iperf", router="fwd", proto="tcp"), dict(kind="iperf", router="linux", proto="tcp"),
                  note="iperf3's receiver"),
            Ratio("iperf3 UDP 18 bytes received: fwd / Linux namespace router", "fwd", "recv_pps",
                  dict(kind="iperf", router="fwd", proto="udp"), dict(kind="iperf", router="linux", proto="udp"),
                  note="iperf3's count"),
        ]

    def report(self, rows):
        L = []
        floods = select(rows, kind="flood")
        if floods:
            L += ["60-byte UDP frames from trafgen (netsniff-ng) on host0, one CPU, flat out, to fwd on tap0"
                  " (the two-segment lab, `scripts/lab up --segments 2`); fwd (LTO on, pool) forwards them out"
                  " of tap1 to an address on br1 whose MAC br1 sends to a tap nobody opens. trafgen rather"
                  " than a pktgen VM: it costs one host CPU and no emulation, where a pktgen VM would add a"
                  " TCG vCPU and a QEMU I/O thread to the two fwd already has, on two cores. *offered*: what"
                  " reached tap0 (tx_packets + tx_dropped); *taken in*: what QEMU passed to fwd; *forwarded*:"
                  " what fwd put out on tap1; all three over the middle half of the flood, host clock."
                  " *guest ns/frame*: fwd's cycles_per_frame (the passes that moved frames, per frame) at"
                  " its TSC rate; with output=free fwd frees the frames instead of sending them, so the"
                  " difference is its TX path. The *vhost-user in* rows feed fwd's port 0 from dpdk-testpmd's"
                  " txonly source (what testpmd put into fwd's ring, host clock) with port 1 on QEMU's drop"
                  " sink. The *vhost-user wires* row puts both of fwd's ports on testpmd's tester role"
                  " (`scripts/lab dpdk start LAB tester`: flowgen into both ports, counting and freeing what"
                  " comes out of both, one busy lcore): taken in is what testpmd put into fwd's two RX rings,"
                  " forwarded what it took from fwd's two TX rings, both directions added up. Mode l2 on"
                  " vhost-user: testpmd answers no ARP, so a router there would have no next hop.\n",
                  "| fwd | offered/s | taken in/s | forwarded/s | guest ns/frame | QEMU I/O | vCPU | trafgen |"
                  " testpmd | host idle | other work |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
            for key in sorted({(r["transport"], r["mode"], r["output"]) for r in floods}):
                xs = select(floods, transport=key[0], mode=key[1], output=key[2])
                col = lambda k: [r.get(k) for r in xs]
                m = lambda k: med(col(k))
                L.append(f"| {label(xs[0])} | {spread(col('offered_pps'))} | {spread(col('in_pps'))} |"
                         f" {spread(col('out_pps'))} | {spread([ns_per_frame(r) for r in xs])} |"
                         f" {pct(m('io_busy'))} | {pct(m('vcpu_busy'))} | {pct(m('trafgen_busy'))} |"
                         f" {pct(m('testpmd_busy'))} | {pct(m('host_idle'))} |"
                         f" {'-' if m('other_cores') is None else format(m('other_cores'), '.1f')} |")
            L.append("")
        paced = select(rows, kind="paced")
        for x in paced:
            L.append(f"Once, paced: trafgen `-b {x['rate']}pps -n {x['sent']}` ({x['seconds']} s) through fwd l3:"
                     f" {x['tap_offered']:,} of them reached tap0 in {x['sent_s']:.0f} s, {x['tap_drops']:,} were dropped"
                     f" there (QEMU did not read in time), {x['tap_out']:,} came out of tap1:"
                     f" {x['loss']:,} lost; fwd's own drops {x['drops']:,}, given up on a full TX queue"
                     f" {x['txdrops']:,}.\n")
        if floods and self.b.quick and not paced:
            L.append(f"The paced {PACED:,} frames/s run of {PACED_SECONDS} s is made by `make bench` only.\n")
        ip = select(rows, kind="iperf")
        if ip:
            L += ["iperf3 from host0 (198.18.1.2) to peer0 (198.18.2.2) through fwd l3, and through Linux"
                  " routing in a namespace of its own with a veth on each bridge and the same two addresses"
                  " (ip_forward on): the host-native reference, same lab, same rounds. TCP: the receiver's"
                  " Mbit/s; UDP: 18-byte datagrams (60-byte frames) with `-b 0`, datagrams per second sent"
                  " and received (iperf3's own clock, on the host).\n",
                  "| router | TCP Mbit/s | TCP retransmits | UDP sent/s | UDP received/s | QEMU I/O | vCPU |"
                  " host idle |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
            for rt in ("fwd", "linux"):
                t, u = select(ip, router=rt, proto="tcp"), select(ip, router=rt, proto="udp")
                if not t and not u:
                    continue
                L.append(f"| {'fwd l3' if rt == 'fwd' else 'Linux namespace'} |"
                         f" {spread([r.get('recv_mbps') for r in t])} |"
                         f" {fmt_n(med([r.get('retransmits') for r in t]))} | {spread([r.get('sent_pps') for r in u])} |"
                         f" {spread([r.get('recv_pps') for r in u])} | {pct(med([r.get('io_busy') for r in t + u]))} |"
                         f" {pct(med([r.get('vcpu_busy') for r in t + u]))} |"
                         f" {pct(med([r.get('host_idle') for r in t + u]))} |")
            L.append("")
        wires = select(floods, transport="vhost-wires")
        if wires:
            L.append(f"Between vhost-user wires, every frame fwd sent was taken by testpmd in"
                     f" {sum(1 for r in wires if r.get('wire_lost') == 0)} of {len(wires)} runs (fwd's tx0/tx1"
                     f" against testpmd's rx_packets of vhost0/vhost1 at the end; the most missing in one run:"
                     f" {max(r.get('wire_lost') or 0 for r in wires):,}).\n")
        return L

    def plots(self, rows, plot):
        floods = select(rows, kind="flood")
        if not floods:
            return
        keys = sorted({(r["transport"], r["mode"], r["output"]) for r in floods})
        groups = [label(select(floods, transport=k[0], mode=k[1], output=k[2])[0], short=True) for k in keys]
        series = ["offered", "taken in", "forwarded"]
        values = {}
        for r in floods:
            for sname, k in zip(series, ("offered_pps", "in_pps", "out_pps")):
                values.setdefault((label(r, short=True), sname), []).append(r.get(k))
        plot.bars("fwd.png", "fwd, 60-byte frames (host clock)", groups, series, values)

    def targets(self, rows):
        out = []
        l3 = select(rows, kind="flood", transport="tap", mode="l3", output="device")
        if l3:
            p = med([r.get("out_pps") for r in l3])
            m = {k: med([r.get(k) for r in l3]) for k in ("io_busy", "vcpu_busy", "trafgen_busy", "host_idle")}
            got = f"{fmt_n(p)} frames/s out of tap1 (host clock)"
            if (p or 0) < 400000:
                got += (f"; offered {fmt_n(med([r.get('offered_pps') for r in l3]))}/s; QEMU I/O {pct(m['io_busy'])},"
                        f" vCPU {pct(m['vcpu_busy'])}, trafgen {pct(m['trafgen_busy'])}, host idle {pct(m['host_idle'])}")
            out.append(("fwd l3 through taps >= 400k frames/s of 60 bytes, flat out", got, (p or 0) >= 400000))
        for x in select(rows, kind="paced"):
            out.append((f"fwd l3 loses nothing at a paced {x['rate'] // 1000}k frames/s for {x['seconds']} s",
                        f"{x['loss']:,} of {x['tap_offered']:,} lost ({x['tap_drops']:,} at tap0); trafgen sent"
                        f" {x['tap_offered']:,} of {x['sent']:,} in {x['sent_s']:.0f} s",
                        x["loss"] == 0 and x["tap_offered"] == x["sent"]))
        wires = select(rows, kind="flood", transport="vhost-wires", output="device")
        if wires:
            p = med([r.get("out_pps") for r in wires])
            m = {k: med([r.get(k) for r in wires]) for k in ("vcpu_busy", "testpmd_busy", "host_idle")}
            out.append(("fwd on vhost-user wires >= 2M frames/s",
                        f"{fmt_n(p)} frames/s, l2, both directions (testpmd's counters, host clock);"
                        f" fwd {fmt_n(med([ns_per_frame(r) for r in wires]))} ns/frame, vCPU {pct(m['vcpu_busy'])},"
                        f" testpmd {pct(m['testpmd_busy'])}, host idle {pct(m['host_idle'])}",
                        (p or 0) >= 2000000))
        return out


def flowing(lab, before, timeout=15):
    """Waits until frames reach tap0 (its tx_packets + tx_dropped move past
    `before`, its counters); returns the host time they did."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        (a, t), (b, _) = lab.counter("tap0", "tx_packets"), lab.counter("tap0", "tx_dropped")
        if a + b > before["tx_packets"] + before["tx_dropped"]:
            return t
        time.sleep(0.05)
    raise RuntimeError(f"no frame from trafgen reached tap0 in {timeout} s")


def fwd_counts(sm, out):
    """Row fields from fwd's summary line `sm` (util.summary) and its console:
    its cost per frame and TSC rate, what it forwarded, discarded and dropped."""
    return dict(cycles_per_frame=int(sm["cycles_per_frame"]), tsc_mhz=tsc_mhz(out),
                forwarded=int(sm["fwd"]), discarded=int(sm["discarded"]),
                drops=int(sm["drop0"]) + int(sm["drop1"]),
                txdrops=int(sm["txdrop0"]) + int(sm["txdrop1"]))


def tsc_mhz(out):
    for line in out.splitlines():
        if line.startswith("time: TSC "):
            return float(line.split()[2])
    return None
