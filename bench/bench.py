#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Skiff's benchmark: what each build setting and pktgen mode buys, side by side.

    bench/bench.py [--quick] [--runs N] [--out DIR] [--sections tx,sizes,rx,echo,host,boot]

make bench runs the full set (about 14 minutes on 2 cores under TCG), make
bench-quick a subset (under 3 minutes). Every variant is built into its own
directory before any timing starts; measurements run inside a private lab
(scripts/lab) that is removed at the end, on failure and on Ctrl-C; runs are
interleaved across variants (round r measures every variant once, in a
shuffled order) so that drift hits all of them alike; each figure is the
median of the runs, with min-max. Results go to DIR (default docs/bench):
RESULTS.md, results.csv (every run), tx.png and sizes.png.
"""

import argparse
import csv
import datetime
import fcntl
import json
import os
import random
import re
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BLACKHOLE = "02:00:00:00:00:99"    # static bridge entry on a tap nobody opened
GUEST_MAC = "52:54:00:c6:12:02"    # the guest on tap0
GUEST_IP = "198.18.0.2"
PEER_IP = "198.18.0.250"
BASELINE = dict(lto=0, alloc="heap", mode="generate", burst=1)


def log(msg):
    print(msg, flush=True)


def sh(cmd, check=True, **kw):
    """Runs a command (list), returns stdout as text."""
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr.strip()[-400:]}")
    return r.stdout


def kv(line):
    """key=value pairs of a report line."""
    return {k: v for k, v in re.findall(r"(\w+)=([0-9.]+)", line)}


def summary(output, nf):
    """The NF's summary line as a dict, or None."""
    for line in reversed(output.splitlines()):
        if line.startswith(f"{nf} summary "):
            return kv(line)
    return None


def intervals(output, nf):
    return [kv(l) for l in output.splitlines() if l.startswith(f"{nf} t=")]


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


class Lab:
    """A private lab: namespace with br0, tap0..tap2, host0, and a peer namespace."""

    def __init__(self):
        self.name = sh([f"{ROOT}/scripts/lab", "up", "--taps", "3", "--owner", str(os.getpid())]).strip()
        # Frames to BLACKHOLE go to tap2, which no QEMU opens: the bridge drops them.
        self.exec(["bridge", "fdb", "add", BLACKHOLE, "dev", "tap2", "master", "static"])

    def prefix(self, peer=False):
        return ["ip", "netns", "exec", self.name + ("-peer" if peer else "")]

    def exec(self, cmd, peer=False, **kw):
        return sh(self.prefix(peer) + cmd, **kw)

    def counters(self, iface):
        out = sh([f"{ROOT}/scripts/lab", "counters", self.name, iface])
        return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", out)}

    def down(self):
        subprocess.run([f"{ROOT}/scripts/lab", "down", self.name],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class Guest:
    """A VM running in the lab in the background, its console collected."""

    def __init__(self, lab, image, net, append, timeout):
        cmd = lab.prefix() + [f"{ROOT}/scripts/run", "--timeout", str(timeout), "--net", net,
                              "--append", append, image]
        self.p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines = []
        self.cond = threading.Condition()
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self):
        for line in self.p.stdout:
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()

    def wait_line(self, regex, timeout):
        pat = re.compile(regex)
        end = time.time() + timeout
        with self.cond:
            while True:
                if any(pat.search(l) for l in self.lines):
                    return True
                left = end - time.time()
                if left <= 0 or self.p.poll() is not None:
                    return False
                self.cond.wait(min(left, 0.2))

    def wait(self):
        rc = self.p.wait()
        self.t.join(5)
        return rc, "\n".join(self.lines)

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
        return self.wait()


def thread_cpu(image):
    """CPU seconds so far of the QEMU running @image: "io" for its main thread (the
    main loop, which does the device work), "vcpu" for the busiest other thread."""
    pids = sh(["pgrep", "-f", f"qemu-system.*-kernel {image}"], check=False).split()
    if len(pids) != 1:
        return None
    hz = os.sysconf("SC_CLK_TCK")
    cpu = {"io": 0.0, "vcpu": 0.0}
    task = f"/proc/{pids[0]}/task"
    try:
        for tid in os.listdir(task):
            f = open(f"{task}/{tid}/stat").read().rsplit(")", 1)[1].split()
            t = (int(f[11]) + int(f[12])) / hz
            if tid == pids[0]:
                cpu["io"] = t
            else:
                cpu["vcpu"] = max(cpu["vcpu"], t)
    except OSError:
        return None
    return cpu


def host_cpu():
    """Jiffies of the whole machine from /proc/stat: (idle, total)."""
    f = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return f[3] + f[4], sum(f[:8])


def run_guest(lab, image, net, append, timeout):
    g = Guest(lab, image, net, append, timeout)
    return g.wait()


def trafgen_config(dir, dst_mac, dst_ip, size=60):
    path = os.path.join(dir, f"udp-{dst_ip}-{size}.trafgen")
    with open(path, "w") as f:
        f.write("{\n  eth(da=%s, sa=02:00:c6:12:00:01),\n  ipv4(sa=198.18.0.1, da=%s),\n"
                "  udp(sp=9000, dp=9000),\n  fill(0x41, %d)\n}\n" % (dst_mac, dst_ip, size - 42))
    return path


def trafgen(lab, cfg, seconds):
    """The fastest host-side generator we can run: trafgen (mmap'd packet socket) on host0,
    one CPU (two starve QEMU's I/O thread on a 2-core machine)."""
    subprocess.run(["timeout", str(seconds)] + lab.prefix() +
                   ["trafgen", "-o", "host0", "-i", cfg, "--cpus", "1", "-q"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# ------------------------------------------------------------------ the bench

class Bench:
    def __init__(self, args):
        self.args = args
        self.quick = args.quick
        self.runs = args.runs
        self.out = args.out
        self.rows = []          # every run: dict
        self.tmp = tempfile.mkdtemp(prefix="skiff-bench.")
        self.t0 = None
        self.done = 0
        self.total = 0
        self.lab = None
        self.rx_cpu = {}
        d = args.duration
        self.tx_seconds = d if d else (1 if self.quick else 2)

    # ------------------------------------------------------------- builds
    def builds(self):
        if self.quick:
            return [(0, "heap"), (1, "pool")]
        return [(lto, alloc) for lto in (0, 1) for alloc in ("heap", "pool")]

    @staticmethod
    def tag(lto, alloc):
        return f"lto{lto}-{alloc}"

    def image(self, lto, alloc, nf):
        return os.path.join(ROOT, "build", "bench", self.tag(lto, alloc), f"{nf}.elf")

    def build_all(self):
        for lto, alloc in self.builds():
            log(f"build: LTO={lto} ALLOC={alloc} -> build/bench/{self.tag(lto, alloc)}/")
            sh(["make", "-C", ROOT, "-s", "-j2", f"BUILD=build/bench/{self.tag(lto, alloc)}",
                f"LTO={lto}", f"ALLOC={alloc}", "NF=pktgen rxcount echo hello"])

    # ------------------------------------------------------------- progress
    def tick(self, what):
        self.done += 1
        el = time.time() - self.t0
        eta = el / self.done * (self.total - self.done)
        log(f"[{self.done}/{self.total}] {what}   elapsed {int(el)//60}:{int(el)%60:02d},"
            f" left ~{int(eta)//60}:{int(eta)%60:02d}")

    def record(self, **row):
        self.rows.append(row)

    # ------------------------------------------------------------- TX
    def tx_specs(self):
        specs = []
        if self.quick:
            combos = [(0, "heap", "generate", 1), (1, "pool", "copy", 32), (1, "pool", "zerocopy", 32)]
        else:
            combos = [(lto, alloc, mode, burst) for lto, alloc in self.builds()
                      for mode in ("generate", "copy", "zerocopy") for burst in (1, 32)]
        for lto, alloc, mode, burst in combos:
            for sink in ("bridge", "dropsink", "free"):
                specs.append(dict(section="tx", lto=lto, alloc=alloc, mode=mode, burst=burst,
                                  sink=sink, size=60))
        return specs

    def sizes(self):
        # Quick mode: the 60-byte row repeats a TX measurement, 512 adds little.
        return (128, 1514) if self.quick else (60, 128, 512, 1514)

    def size_specs(self, best):
        return [dict(section="sizes", size=size, sink=sink, **best)
                for size in self.sizes() for sink in ("bridge", "dropsink", "free")]

    def tx_run(self, s, r):
        img = self.image(s["lto"], s["alloc"], "pktgen")
        # The software ceiling is steady: a second is enough.
        secs = 1 if s["sink"] == "free" else self.tx_seconds
        append = (f"duration={secs} mode={s['mode']} burst={s['burst']} size={s['size']}"
                  f" dst_mac={BLACKHOLE}" + (" output=free" if s["sink"] == "free" else ""))
        net = "tap:tap0" if s["sink"] == "bridge" else "sink"
        c0 = self.lab.counters("tap0") if s["sink"] == "bridge" else None
        g = Guest(self.lab, img, net, append, secs + 30)
        # Per-thread CPU over the middle of the run: who is the bottleneck.
        busy = {}
        if g.wait_line(r"^pktgen: sending", 30):
            window = secs * 0.6
            time.sleep(secs * 0.2)
            a = thread_cpu(img)
            time.sleep(window)
            b = thread_cpu(img)
            if a and b:
                busy = {k: (b[k] - a.get(k, 0)) / window for k in b}
        rc, out = g.wait()
        sm = summary(out, "pktgen")
        if rc != 0 or not sm:
            raise RuntimeError(f"pktgen failed ({rc}):\n{out[-1500:]}")
        row = dict(s, run=r, pps=float(sm["tx_pps"]), pkts=int(sm["tx_pkts"]),
                   elapsed=float(sm["elapsed"]),
                   io_busy=busy.get("io"), vcpu_busy=busy.get("vcpu"))
        if c0 is not None:
            c1 = self.lab.counters("tap0")
            wire = c1["rx_packets"] - c0["rx_packets"]
            row["wire_pkts"] = wire
            row["wire_pps"] = wire / row["elapsed"]
        self.record(**row)
        self.tick(f"tx {s['sink']:8} lto={s['lto']} {s['alloc']:4} {s['mode']:8} burst={s['burst']:<2}"
                  f" size={s['size']:<4} -> {row['pps']:,.0f} frames/s")

    # ------------------------------------------------------------- RX
    def rx_run(self, lto, alloc, r):
        seconds = 4 if self.quick else 6
        cfg = trafgen_config(self.tmp, GUEST_MAC, GUEST_IP)
        g = Guest(self.lab, self.image(lto, alloc, "rxcount"), f"tap:tap0,mac={GUEST_MAC}",
                  f"duration={seconds + 8} idle=2 promisc=0", seconds + 40)
        if not g.wait_line(r"^rxcount: counting", 30):
            raise RuntimeError("rxcount did not start:\n" + g.stop()[1][-1500:])
        c0 = self.lab.counters("tap0")
        # Where the host's cores go while trafgen floods: sampled mid-run.
        sampler = threading.Thread(target=self._rx_sample, args=(lto, alloc, seconds))
        sampler.start()
        trafgen(self.lab, cfg, seconds)
        c1 = self.lab.counters("tap0")
        sampler.join()
        rc, out = g.wait()
        sm = summary(out, "rxcount")
        if rc != 0 or not sm:
            raise RuntimeError(f"rxcount failed ({rc}):\n{out[-1500:]}")
        d = {k: c1[k] - c0[k] for k in c0}
        offered = d["tx_packets"] + d["tx_dropped"]
        got = int(sm["rx_pkts"])
        row = dict(section="rx", lto=lto, alloc=alloc, run=r, seconds=seconds,
                   offered_pps=offered / seconds, rx_pps=float(sm["rx_pps"]), rx_pkts=got,
                   tap_drops=d["tx_dropped"], qemu_drops=max(0, d["tx_packets"] - got),
                   ring_dry=int(sm["dev_ring_dry"]), nobuf=int(sm["dev_nobuf"]),
                   **self.rx_cpu)
        self.record(**row)
        self.tick(f"rx lto={lto} {alloc}: offered {row['offered_pps']:,.0f}/s,"
                  f" counted {row['rx_pps']:,.0f}/s")

    def _rx_sample(self, lto, alloc, seconds):
        img = self.image(lto, alloc, "rxcount")
        time.sleep(seconds * 0.25)
        h0, q0 = host_cpu(), thread_cpu(img)
        time.sleep(seconds * 0.5)
        h1, q1 = host_cpu(), thread_cpu(img)
        span = seconds * 0.5
        self.rx_cpu = dict(
            host_idle=(h1[0] - h0[0]) / max(1, h1[1] - h0[1]),
            io_busy=(q1["io"] - q0["io"]) / span if q0 and q1 else None,
            vcpu_busy=(q1["vcpu"] - q0["vcpu"]) / span if q0 and q1 else None)

    # ------------------------------------------------------------- echo
    def ping_rtts(self, ip, count):
        out = self.lab.exec(["ping", "-c", str(count), "-i", "0.01", "-W", "1", ip], check=False)
        return [float(x) for x in re.findall(r"time=([0-9.]+) ms", out)]

    def echo_rtt(self, lto, alloc, r):
        n = 100 if self.quick else 200
        g = Guest(self.lab, self.image(lto, alloc, "echo"), f"tap:tap0,mac={GUEST_MAC}",
                  f"ip={GUEST_IP} duration=120", 150)
        if not g.wait_line(r"^echo: answering", 30):
            raise RuntimeError("echo did not start:\n" + g.stop()[1][-1500:])
        self.ping_rtts(GUEST_IP, 3)     # ARP resolved, caches warm
        rtts = self.ping_rtts(GUEST_IP, n)
        g.stop()
        host = self.ping_rtts(PEER_IP, n)
        for target, xs in (("echo", rtts), ("host stack", host)):
            xs = sorted(xs)
            self.record(section="rtt", lto=lto, alloc=alloc, run=r, target=target,
                        answered=len(xs), sent=n, median_ms=med(xs),
                        p99_ms=xs[min(len(xs) - 1, int(len(xs) * 0.99))] if xs else None)
        self.tick(f"ping: echo median {med(rtts) or 0:.3f} ms, host stack {med(host) or 0:.3f} ms")

    def echo_rate(self, lto, alloc, r, seconds):
        cfg = trafgen_config(self.tmp, GUEST_MAC, GUEST_IP)
        g = Guest(self.lab, self.image(lto, alloc, "echo"), f"tap:tap0,mac={GUEST_MAC}",
                  f"ip={GUEST_IP} duration={seconds + 6}", seconds + 40)
        if not g.wait_line(r"^echo: answering", 30):
            raise RuntimeError("echo did not start:\n" + g.stop()[1][-1500:])
        t_start = time.time()
        trafgen(self.lab, cfg, seconds)
        rc, out = g.wait()
        iv = intervals(out, "echo")
        # Whole seconds inside the traffic: skip the first and the last.
        busy = [float(x["tx_pps"]) for x in iv if float(x["rx_pps"]) > 0][1:-1]
        stalls = sum(1 for x in busy if x < 0.1 * (med(busy) or 1))
        row = dict(section="echo", lto=lto, alloc=alloc, run=r, seconds=seconds,
                   tx_pps=med(busy), min_pps=min(busy) if busy else None, intervals=len(busy),
                   stalls=stalls)
        sm = summary(out, "echo")
        row["tx_full"] = int(sm["tx_full"]) if sm else None
        self.record(**row)
        self.tick(f"echo {seconds}s lto={lto} {alloc}: {row['tx_pps'] or 0:,.0f} reflected/s,"
                  f" {stalls} stalled seconds")

    # ------------------------------------------------------------- host stack
    def iperf(self, r):
        self.lab.exec(["iperf3", "-s", "-1", "-D"], peer=True)
        time.sleep(0.3)
        out = self.lab.exec(["iperf3", "-c", PEER_IP, "-u", "-b", "0", "-l", "18", "-t",
                             "3" if self.quick else "5", "-J"], check=False)
        try:
            j = json.loads(out)["end"]["sum"]
            sent = j["packets"] / j["seconds"]
            recv = (j["packets"] - j["lost_packets"]) / j["seconds"]
        except (ValueError, KeyError):
            sent = recv = None
        self.record(section="iperf", run=r, sent_pps=sent, recv_pps=recv)
        self.tick(f"iperf3 UDP 18-byte datagrams host0 -> peer: {sent or 0:,.0f} sent/s,"
                  f" {recv or 0:,.0f} received/s")

    # ------------------------------------------------------------- boot
    def boot(self, lto, alloc, r):
        """QEMU start to the first console line and to the NF's ready line; pktgen
        also to its first frame on the tap (tshark timestamps)."""
        ready = {"pktgen": "^pktgen: sending", "rxcount": "^rxcount: counting",
                 "echo": "^echo: answering", "hello": "^hello: done"}
        for nf, pat in ready.items():
            img = self.image(lto, alloc, nf)
            append = {"pktgen": "count=100", "rxcount": "duration=1", "echo": "duration=1",
                      "hello": ""}[nf]
            cmd = shlex.split(sh([f"{ROOT}/scripts/run", "--dry-run", "--net", "tap:tap1",
                                  "--append", append, img]))
            cap = None
            if nf == "pktgen":
                cap = subprocess.Popen(self.lab.prefix() + ["tshark", "-i", "tap1", "-c", "1", "-a",
                                       "duration:20", "-T", "fields", "-e", "frame.time_epoch"],
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for line in cap.stderr:
                    if "Capturing on" in line:
                        break
            t0 = time.time()
            q = subprocess.Popen(self.lab.prefix() + cmd, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True)
            first = ready_t = None
            for line in q.stdout:
                now = time.time() - t0
                if first is None:
                    first = now
                if ready_t is None and re.search(pat, line):
                    ready_t = now
            q.wait()
            frame_t = None
            if cap:
                try:
                    frame_t = float(cap.communicate(timeout=25)[0].strip()) - t0
                except (ValueError, subprocess.TimeoutExpired):
                    cap.kill()
            self.record(section="boot", lto=lto, alloc=alloc, run=r, nf=nf, banner_s=first,
                        ready_s=ready_t, first_frame_s=frame_t, size=os.path.getsize(img))
        self.tick(f"boot lto={lto} {alloc}")

    # ------------------------------------------------------------- running
    def run(self):
        secs = set(self.args.sections.split(","))
        best_build = (1, "pool")
        rx_builds = [(0, "heap"), best_build] if "rx" in secs else []
        tx = self.tx_specs() if "tx" in secs else []
        n_sizes = 3 * len(self.sizes()) if "sizes" in secs else 0
        echo_long = 0 if self.quick else 60
        self.total = self.runs * (len(tx) + n_sizes + len(rx_builds) +
                                  (2 if "echo" in secs else 0) +
                                  (1 if "host" in secs else 0) + (1 if "boot" in secs else 0))
        if "echo" in secs and echo_long:
            self.total += 1

        self.build_all()
        self.lab = Lab()
        log(f"lab {self.lab.name}; {self.total} measurements, {self.runs} rounds")
        self.t0 = time.time()
        best = None
        for r in range(1, self.runs + 1):
            random.shuffle(tx)
            for s in tx:
                self.tx_run(s, r)
            if "sizes" in secs:
                if best is None:
                    best = self.pick_best()
                specs = self.size_specs(best)
                random.shuffle(specs)
                for s in specs:
                    self.tx_run(s, r)
            for lto, alloc in rx_builds:
                self.rx_run(lto, alloc, r)
            if "echo" in secs:
                self.echo_rtt(*best_build, r)
                self.echo_rate(*best_build, r, 4 if self.quick else 6)
            if "host" in secs:
                self.iperf(r)
            if "boot" in secs:
                self.boot(*best_build, r)
        if "echo" in secs and echo_long:
            self.echo_rate(*best_build, 0, echo_long)

    def pick_best(self):
        """The variant with the highest drop-sink median so far (60-byte frames)."""
        cand = {}
        for x in self.rows:
            if x["section"] == "tx" and x["sink"] == "dropsink":
                cand.setdefault((x["lto"], x["alloc"], x["mode"], x["burst"]), []).append(x["pps"])
        if not cand:
            return dict(lto=1, alloc="pool", mode="zerocopy", burst=32)
        lto, alloc, mode, burst = max(cand, key=lambda k: med(cand[k]))
        return dict(lto=lto, alloc=alloc, mode=mode, burst=burst)


# ------------------------------------------------------------------ report

def fmt_n(x):
    return "-" if x is None else f"{x:,.0f}"


def pct(x):
    return "-" if x is None else f"{x:.0%}"


def spread(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return "-"
    return f"{med(xs):,.0f} ({min(xs):,.0f}-{max(xs):,.0f})"


def accelerator():
    """What scripts/run picks: KVM only with vmx/svm and a /dev/kvm that opens."""
    want = os.environ.get("SKIFF_ACCEL", "auto")
    if want == "auto":
        want = "tcg"
        if re.search(r"\b(vmx|svm)\b", open("/proc/cpuinfo").read()):
            try:
                os.close(os.open("/dev/kvm", os.O_RDWR))
                want = "kvm"
            except OSError:
                pass
    return "KVM" if want == "kvm" else "TCG (-accel tcg,thread=multi)"


def machine_facts():
    cpu = re.search(r"Model name:\s*(.*)", sh(["lscpu"]))
    mem = re.search(r"MemTotal:\s*(\d+)", open("/proc/meminfo").read())
    return dict(
        date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        cpu=cpu.group(1).strip() if cpu else "?",
        cores=os.cpu_count(),
        mem_gib=round(int(mem.group(1)) / 1048576) if mem else "?",
        kernel=os.uname().release,
        qemu=sh(["qemu-system-x86_64", "--version"]).splitlines()[0],
        accel=accelerator(),
        rev=sh(["git", "-C", ROOT, "describe", "--always", "--dirty", "--abbrev=12"]).strip(),
        gcc=sh(["gcc", "-dumpfullversion"]).strip(),
    )


def write_results(b, facts, cmdline):
    os.makedirs(b.out, exist_ok=True)
    rows = b.rows
    with open(os.path.join(b.out, "facts.json"), "w") as f:
        json.dump(dict(facts, command=cmdline, tx_seconds=b.tx_seconds, runs=b.runs), f, indent=1)
    keys = sorted({k for r in rows for k in r})
    with open(os.path.join(b.out, "results.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        w.writerows(rows)

    def sel(**cond):
        return [r for r in rows if all(r.get(k) == v for k, v in cond.items())]

    def pps(**cond):
        return [r["pps"] for r in sel(**cond)]

    L = []
    L.append("# Skiff benchmark results\n")
    L.append(f"- **Command:** `{cmdline}` (from a checkout at revision `{facts['rev']}`)")
    L.append(f"- **When:** {facts['date']}; {b.runs} rounds, every figure the median of the rounds"
             " with min-max in brackets; rounds interleave the variants in a shuffled order")
    L.append(f"- **Machine:** {facts['cores']} cores ({facts['cpu']}), {facts['mem_gib']} GiB,"
             f" Linux {facts['kernel']}")
    L.append(f"- **QEMU:** {facts['qemu']}, accelerator {facts['accel']}")
    L.append(f"- **Compiler:** gcc {facts['gcc']}")
    L.append("- **Setup:** one VM at a time in a private lab (scripts/lab); NIC virtio-net-pci"
             " with rx_queue_size=1024, tx_queue_size=256, tap vnet_hdr=off (scripts/run's"
             " defaults, the same for every comparison); pktgen runs"
             f" {b.tx_seconds} s per measurement (1 s without a device); frames of 60 bytes"
             " without FCS unless said;"
             " Mbit/s would count 24 more bytes per frame.\n")

    base = dict(lto=0, alloc="heap", mode="generate", burst=1)
    tx = sel(section="tx")
    if tx:
        L.append("## TX: pktgen, 60-byte frames, frames per second\n")
        L.append("Sinks: **bridge** = a tap on the lab bridge (the rate is checked against the"
                 " tap's own counter: *wire*); **drop sink** = a QEMU hub whose other port is"
                 " unconnected (QEMU drops the frame, no syscall); **no device** = `output=free`,"
                 " pktgen frees each frame instead of sending it: the software ceiling. *x base*"
                 " is the ratio to the tutorial-style baseline: LTO off, heap allocator, generate"
                 " every frame, burst 1.\n")
        L.append("| LTO | alloc | mode | burst | bridge | wire (tap) | x base | drop sink | x base |"
                 " no device | x base | sink/ceiling |")
        L.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        bases = {s: med(pps(section="tx", sink=s, **base)) for s in ("bridge", "dropsink", "free")}
        combos = sorted({(r["lto"], r["alloc"], r["mode"], r["burst"]) for r in tx},
                        key=lambda c: (c[0], c[1], ["generate", "copy", "zerocopy"].index(c[2]), c[3]))
        for lto, alloc, mode, burst in combos:
            c = dict(section="tx", lto=lto, alloc=alloc, mode=mode, burst=burst)
            cells = []
            m = {}
            for s in ("bridge", "dropsink", "free"):
                xs = pps(sink=s, **c)
                m[s] = med(xs)
                ratio = f"{m[s] / bases[s]:.1f}x" if m[s] and bases.get(s) else "-"
                cells.append((spread(xs), ratio))
            wire = med([r.get("wire_pps") for r in sel(sink="bridge", **c)])
            ceil = f"{m['dropsink'] / m['free']:.0%}" if m["dropsink"] and m["free"] else "-"
            L.append(f"| {lto} | {alloc} | {mode} | {burst} | {cells[0][0]} | {fmt_n(wire)} |"
                     f" {cells[0][1]} | {cells[1][0]} | {cells[1][1]} | {cells[2][0]} |"
                     f" {cells[2][1]} | {ceil} |")
        L.append("")
        # Where the time goes for the best variant (highest drop-sink median).
        best = max(combos, key=lambda c: med(pps(section="tx", sink="dropsink", lto=c[0], alloc=c[1],
                                                  mode=c[2], burst=c[3])) or 0)
        bc = dict(section="tx", lto=best[0], alloc=best[1], mode=best[2], burst=best[3])
        ceil = med(pps(sink="free", **bc))
        L.append(f"**Where the time goes** (best variant: LTO {best[0]}, {best[1]}, {best[2]}, burst"
                 f" {best[3]}). QEMU runs the guest's vCPU on one thread and all device work on its"
                 " I/O thread (the main loop); per-thread CPU time was sampled over the middle of"
                 " each run. The guest's own cost per frame is the inverse of the no-device"
                 f" ceiling: {1e9 / ceil:.0f} ns.\n" if ceil else "")
        L.append("| sink | frames/s | QEMU I/O thread busy | I/O thread ns per frame | vCPU busy |")
        L.append("|---|---:|---:|---:|---:|")
        for s_ in ("bridge", "dropsink"):
            xs = sel(sink=s_, **bc)
            p_ = med([r["pps"] for r in xs])
            io = med([r.get("io_busy") for r in xs])
            vc = med([r.get("vcpu_busy") for r in xs])
            L.append(f"| {s_} | {fmt_n(p_)} | {'-' if io is None else f'{io:.0%}'} |"
                     f" {'-' if io is None or not p_ else f'{io * 1e9 / p_:.0f}'} |"
                     f" {'-' if vc is None else f'{vc:.0%}'} |")
        L.append("")
        L.append("The vCPU spins while the ring is full, so its busy time says nothing; the I/O"
                 " thread's does. When it is near 100%, QEMU's per-frame work (popping the"
                 " descriptor, and for the bridge a writev() into the tap with the host kernel's"
                 " bridge behind it) is the limit, and the gap between the drop sink and the"
                 " ceiling is QEMU's share, not the guest's.\n")
        b1 = med(pps(section="tx", sink="dropsink", lto=1, alloc="pool", mode="copy", burst=1))
        b32 = med(pps(section="tx", sink="dropsink", lto=1, alloc="pool", mode="copy", burst=32))
        if b1 and b32:
            L.append(f"Batching alone (LTO on, pool, copy, drop sink): burst 32 moves {b32 / b1:.1f}x"
                     " the frames of burst 1.\n")

    sizes = sel(section="sizes")
    if sizes:
        r0 = sizes[0]
        L.append(f"## TX by frame size (best variant: LTO {r0['lto']}, {r0['alloc']}, {r0['mode']},"
                 f" burst {r0['burst']})\n")
        L.append("| size | bridge frames/s | bridge Mbit/s | drop sink frames/s | no device frames/s |")
        L.append("|---:|---:|---:|---:|---:|")
        for size in sorted({r["size"] for r in sizes}):
            br = [r["pps"] for r in sizes if r["size"] == size and r["sink"] == "bridge"]
            mb = (med(br) or 0) * (size + 24) * 8 / 1e6
            L.append(f"| {size} | {spread(br)} | {mb:,.0f} |"
                     f" {spread([r['pps'] for r in sizes if r['size'] == size and r['sink'] == 'dropsink'])} |"
                     f" {spread([r['pps'] for r in sizes if r['size'] == size and r['sink'] == 'free'])} |")
        L.append("")

    rx = sel(section="rx")
    if rx:
        L.append("## RX: rxcount, 60-byte frames from trafgen on the lab's host side\n")
        L.append("trafgen (netsniff-ng, one CPU: two starve QEMU's I/O thread on this machine)"
                 " sends through the bridge to the guest's tap. *Offered* is what reached the"
                 " tap (its tx_packets + tx_dropped); *counted* is rxcount's rate over its busy"
                 " period; *tap drops* are frames QEMU did not read in time (the guest's ring was"
                 " empty, or QEMU busy); *QEMU drops* are frames QEMU read but the guest never saw;"
                 " *ring dry* counts polls that found every posted buffer filled.\n")
        L.append("The last three columns show where the machine's two cores went in the middle"
                 " of the flood: when the host is never idle the offered rate is what the"
                 " machine can push through trafgen, the kernel's bridge and QEMU's tap"
                 " reads together, and the guest, whose vCPU mostly halts, is not the limit.\n")
        L.append("| build | offered/s | counted/s | tap drops | QEMU drops | ring dry | pool empty |"
                 " host idle | QEMU I/O thread | vCPU |")
        L.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for lto, alloc in sorted({(r["lto"], r["alloc"]) for r in rx}):
            xs = [r for r in rx if r["lto"] == lto and r["alloc"] == alloc]
            L.append(f"| LTO {lto}, {alloc} | {spread([r['offered_pps'] for r in xs])} |"
                     f" {spread([r['rx_pps'] for r in xs])} | {fmt_n(med([r['tap_drops'] for r in xs]))} |"
                     f" {fmt_n(med([r['qemu_drops'] for r in xs]))} | {fmt_n(med([r['ring_dry'] for r in xs]))} |"
                     f" {fmt_n(med([r['nobuf'] for r in xs]))} | {pct(med([r.get('host_idle') for r in xs]))} |"
                     f" {pct(med([r.get('io_busy') for r in xs]))} | {pct(med([r.get('vcpu_busy') for r in xs]))} |")
        L.append("")

    rtt = sel(section="rtt")
    echo = [r for r in sel(section="echo") if r["run"] > 0]
    longrun = [r for r in sel(section="echo") if r["run"] == 0]
    if rtt or echo:
        L.append("## echo\n")
    if rtt:
        L.append("Ping round-trip times from the lab's host side (ping -i 0.01), to the echo"
                 " image and, as the reference, to a Linux network namespace on the same bridge.\n")
        L.append("| target | answered | median ms | 99th percentile ms |")
        L.append("|---|---:|---:|---:|")
        for t in ("echo", "host stack"):
            xs = [r for r in rtt if r["target"] == t]
            L.append(f"| {t} | {sum(r['answered'] for r in xs)}/{sum(r['sent'] for r in xs)} |"
                     f" {med([r['median_ms'] for r in xs]):.3f} | {med([r['p99_ms'] for r in xs]):.3f} |")
        L.append("")
    if echo:
        L.append(f"UDP reflected by echo under trafgen's flood: {spread([r['tx_pps'] for r in echo])}"
                 " frames/s (median of whole seconds inside the flood).")
    if longrun:
        x = longrun[0]
        L.append(f"A {x['seconds']}-second flood: {fmt_n(x['tx_pps'])} frames/s median, lowest second"
                 f" {fmt_n(x['min_pps'])}, {x['stalls']} seconds below 10% of the median (stalls),"
                 f" {x['tx_full']} replies dropped on a full TX ring.")
    if echo or longrun:
        L.append("")

    ip = sel(section="iperf")
    if ip:
        L.append("## Host-stack reference\n")
        L.append("iperf3 UDP with 18-byte datagrams (`iperf3 -u -b 0 -l 18`) from the lab's host"
                 " side to the peer namespace across the same bridge: what the Linux stack moves"
                 " here.\n")
        L.append(f"| sent/s | received/s |\n|---:|---:|\n| {spread([r['sent_pps'] for r in ip])} |"
                 f" {spread([r['recv_pps'] for r in ip])} |\n")

    bt = sel(section="boot")
    if bt:
        L.append("## Boot and size\n")
        L.append("From QEMU's start (-M pc, the command scripts/run prints with --dry-run) to the"
                 " first console line, to the NF's ready line, and for pktgen to its first frame"
                 " seen on the tap (tshark timestamp). Image: the PVH ELF (LTO on, pool).\n")
        L.append("| image | bytes | first line ms | ready ms | first frame ms |")
        L.append("|---|---:|---:|---:|---:|")
        for nf in ("pktgen", "rxcount", "echo", "hello"):
            xs = [r for r in bt if r["nf"] == nf]
            ms = lambda k: "-" if med([r[k] for r in xs]) is None else f"{med([r[k] for r in xs]) * 1000:.0f}"
            L.append(f"| {nf} | {xs[0]['size']:,} | {ms('banner_s')} | {ms('ready_s')} | {ms('first_frame_s')} |")
        L.append("")

    L.extend(targets(b, rows))
    with open(os.path.join(b.out, "RESULTS.md"), "w") as f:
        f.write("\n".join(L) + "\n")
    plots(b, rows)


def targets(b, rows):
    """Issue 6's targets, with the measured value and a verdict."""
    def m(**cond):
        return med([r.get("pps") for r in rows if all(r.get(k) == v for k, v in cond.items())])

    out = ["## Targets (issue 6)\n", "| target | measured | |", "|---|---|---|"]

    def line(what, value, ok):
        out.append(f"| {what} | {value} | {'met' if ok else '**missed**'} |")

    tx = [r for r in rows if r["section"] == "tx"]
    if tx:
        combos = {(r["lto"], r["alloc"], r["mode"], r["burst"]) for r in tx}
        best = max(combos, key=lambda c: m(section="tx", sink="dropsink", lto=c[0], alloc=c[1],
                                           mode=c[2], burst=c[3]) or 0)
        bc = dict(section="tx", lto=best[0], alloc=best[1], mode=best[2], burst=best[3])
        bridge_best = max(m(section="tx", sink="bridge", lto=c[0], alloc=c[1], mode=c[2], burst=c[3]) or 0
                          for c in combos)
        wire = [r["wire_pps"] for r in tx if r["sink"] == "bridge" and r.get("wire_pps")]
        line("TX through the lab bridge >= 450 kpps (best variant, tap counters)",
             f"{bridge_best:,.0f} frames/s (tap counter agrees: {all(r['wire_pkts'] == r['pkts'] for r in tx if r['sink'] == 'bridge')})",
             bridge_best >= 450000)
        sink = m(sink="dropsink", **bc)
        line("TX into the drop sink >= 1.0 Mpps", f"{sink:,.0f} frames/s ({best[2]}, burst {best[3]})",
             sink >= 1e6)
        base = m(section="tx", sink="dropsink", **BASELINE)
        if base:
            line("best >= 3x the tutorial-style baseline into the drop sink",
                 f"{sink / base:.1f}x ({base:,.0f} -> {sink:,.0f})", sink / base >= 3)
        ceil = m(sink="free", **bc)
        if ceil:
            io = med([r.get("io_busy") for r in rows if r["section"] == "tx" and r["sink"] == "dropsink"
                      and all(r[k] == bc[k] for k in ("lto", "alloc", "mode", "burst"))])
            ratio = sink / ceil
            if ratio >= 0.8:
                line("best >= 80% of its own no-device ceiling", f"{ratio:.0%}", True)
            else:
                why = "" if io is None else (f"; explained: QEMU's I/O thread is {io:.0%} busy at"
                                             f" {io * 1e9 / sink:.0f} ns per frame, the guest needs"
                                             f" {1e9 / ceil:.0f} ns (see Where the time goes)")
                out.append(f"| best >= 80% of its own no-device ceiling, or where the rest goes |"
                           f" {ratio:.0%} ({sink:,.0f} of {ceil:,.0f}){why} |"
                           f" {'explained' if io is not None and io >= 0.9 else '**missed**'} |")
    rx = [r for r in rows if r["section"] == "rx" and r["lto"] == 1 and r["alloc"] == "pool"]
    if rx:
        cnt = med([r["rx_pps"] for r in rx])
        drops = med([r["tap_drops"] / max(1, r["rx_pkts"]) for r in rx])
        idle = med([r.get("host_idle") for r in rx])
        got_all = sum(r["rx_pkts"] for r in rx) >= sum(r["offered_pps"] * r["seconds"] for r in rx) * 0.99
        line("RX counted in the guest >= 250 kpps",
             f"{cnt:,.0f} frames/s ({'every frame offered' if got_all else 'short of the offer'};"
             f" host idle {pct(idle)}: the offer is what the machine pushes)", cnt >= 250000)
        line("RX drops < 1% of frames delivered (tap drops, an upper bound on no-buffer drops)",
             f"{drops:.3%}", drops < 0.01)
    echo = [r for r in rows if r["section"] == "echo" and r["run"] > 0]
    if echo:
        e = med([r["tx_pps"] for r in echo])
        line("echo >= 100 kpps reflected", f"{e:,.0f} frames/s", e >= 100000)
    longrun = [r for r in rows if r["section"] == "echo" and r["run"] == 0]
    if longrun:
        x = longrun[0]
        line(f"echo TX never stalls in a {x['seconds']} s flood", f"{x['stalls']} stalled seconds",
             x["stalls"] == 0)
    bt = [r for r in rows if r["section"] == "boot"]
    if bt:
        ff = med([r["first_frame_s"] for r in bt if r["nf"] == "pktgen"])
        if ff is not None:
            line("QEMU start to the first frame on the wire < 0.25 s (-M pc)", f"{ff * 1000:.0f} ms",
                 ff < 0.25)
        biggest = max(r["size"] for r in bt)
        line("every image < 128 KiB", f"largest {biggest:,} bytes", biggest < 131072)
    return out + [""]


def plots(b, rows):
    tx = [r for r in rows if r["section"] == "tx"]
    if tx:
        combos = sorted({(r["lto"], r["alloc"], r["mode"], r["burst"]) for r in tx},
                        key=lambda c: (c[0], c[1], ["generate", "copy", "zerocopy"].index(c[2]), c[3]))
        dat = os.path.join(b.tmp, "tx.dat")
        with open(dat, "w") as f:
            for lto, alloc, mode, burst in combos:
                vals = [med([r["pps"] for r in tx if (r["lto"], r["alloc"], r["mode"], r["burst"], r["sink"]) ==
                             (lto, alloc, mode, burst, s)]) or 0 for s in ("bridge", "dropsink", "free")]
                f.write(f'"LTO{lto} {alloc} {mode} b{burst}" ' + " ".join(f"{v / 1e6:.4f}" for v in vals) + "\n")
        gnuplot(b, "tx.png", dat, "pktgen, 60-byte frames: Mframes/s by build and mode",
                ["bridge (tap)", "QEMU drop sink", "no device (software ceiling)"], width=1400)
    sz = [r for r in rows if r["section"] == "sizes"]
    if sz:
        dat = os.path.join(b.tmp, "sizes.dat")
        with open(dat, "w") as f:
            for size in sorted({r["size"] for r in sz}):
                vals = [med([r["pps"] for r in sz if r["size"] == size and r["sink"] == s]) or 0
                        for s in ("bridge", "dropsink", "free")]
                f.write(f'"{size} B" ' + " ".join(f"{v / 1e6:.4f}" for v in vals) + "\n")
        r0 = sz[0]
        gnuplot(b, "sizes.png", dat, f"pktgen by frame size (LTO {r0['lto']}, {r0['alloc']}, {r0['mode']},"
                f" burst {r0['burst']}): Mframes/s", ["bridge (tap)", "QEMU drop sink", "no device"],
                width=900)


def gnuplot(b, name, dat, title, series, width):
    script = f"""
set terminal pngcairo size {width},560 font 'sans,10'
set output '{os.path.join(b.out, name)}'
set title '{title}'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set ylabel 'million frames per second'
set xtics rotate by 40 right scale 0
set bmargin 9
set lmargin 16
set grid ytics
set key top left
set yrange [0:*]
plot '{dat}' using 2:xtic(1) title '{series[0]}', '' using 3 title '{series[1]}', '' using 4 title '{series[2]}'
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=True)


def load_results(b):
    """The runs and facts of an earlier run, to write its report again."""
    def value(v):
        if v == "":
            return None
        for conv in (int, float):
            try:
                return conv(v)
            except ValueError:
                pass
        return v
    with open(os.path.join(b.out, "results.csv")) as f:
        b.rows = [{k: value(v) for k, v in r.items()} for r in csv.DictReader(f)]
    with open(os.path.join(b.out, "facts.json")) as f:
        facts = json.load(f)
    b.tx_seconds, b.runs = facts["tx_seconds"], facts["runs"]
    return facts


# ------------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a subset, under 3 minutes")
    ap.add_argument("--runs", type=int, default=3, help="rounds (figures are medians; default 3)")
    ap.add_argument("--duration", type=int, default=0, help="seconds per pktgen measurement")
    ap.add_argument("--out", default=None, help="where results go (default docs/bench,"
                    " or build/bench/quick with --quick)")
    ap.add_argument("--sections", default="tx,sizes,rx,echo,host,boot",
                    help="comma-separated subset of tx,sizes,rx,echo,host,boot")
    ap.add_argument("--report-only", action="store_true",
                    help="write RESULTS.md and the plots again from DIR's results.csv and facts.json")
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    if args.out is None:
        args.out = os.path.join(ROOT, "build/bench/quick" if args.quick else "docs/bench")
    if args.report_only:
        b = Bench(args)
        facts = load_results(b)
        write_results(b, facts, facts["command"])
        subprocess.run(["rm", "-rf", b.tmp])
        log(f"bench: report written again in {os.path.relpath(b.out, ROOT)}/RESULTS.md")
        return
    if os.geteuid() != 0:
        sys.exit("bench: run as root (the lab needs network namespaces)")

    # No two benchmarks at once: they would measure each other.
    lock = open("/tmp/skiff-bench.lock", "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        sys.exit("bench: another benchmark is running (lock /tmp/skiff-bench.lock)")
    load = os.getloadavg()[0]
    if load > 0.8:
        log(f"bench: warning: load average {load:.1f}; numbers measured next to other work are low")

    b = Bench(args)
    cmdline = "make bench-quick" if args.quick else "make bench"
    if sys.argv[1:] not in (["--quick"], []):
        cmdline = "bench/bench.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])

    def on_signal(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_signal)
    try:
        facts = machine_facts()
        b.run()
        write_results(b, facts, cmdline)
        log(f"bench: done in {int(time.time() - b.t0)} s; results in {os.path.relpath(b.out, ROOT)}/RESULTS.md")
    except KeyboardInterrupt:
        log("bench: interrupted; removing the lab")
        sys.exit(130)
    finally:
        if b.lab:
            b.lab.down()
        subprocess.run(["rm", "-rf", b.tmp])


if __name__ == "__main__":
    main()
