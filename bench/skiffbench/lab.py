# SPDX-License-Identifier: BSD-3-Clause
"""The private lab the bench measures in, the guests it boots there, and
the host-side clocks and counters that time them."""

import ctypes
import json
import os
import re
import socket
import subprocess
import threading
import time

from .util import BLACKHOLE, ROOT, sh

CLONE_NEWNET = 0x40000000


class Lab:
    """A private lab (scripts/lab): a namespace with br0, tap0..tap2 and host0,
    and a peer namespace. Frames to BLACKHOLE go to tap2, which no QEMU opens:
    the bridge drops them.

    Lab(segments=2) is the two-segment lab instead (scripts/lab up --segments
    2, docs/lab.md): br0 with host0 198.18.1.2/24 and tap0, tap2; br1 with
    peer0 198.18.2.2/24 and tap1, tap3; a guest on tap0 and tap1 routes
    between them (fwd). There frames to BLACKHOLE go to tap3 on br1."""

    def __init__(self, segments=1):
        cmd = [f"{ROOT}/scripts/lab", "up", "--owner", str(os.getpid())]
        cmd += ["--taps", "3"] if segments == 1 else ["--taps", "4", "--segments", "2"]
        self.name = sh(cmd).strip()
        self._second = None
        self.exec(["bridge", "fdb", "add", BLACKHOLE, "dev", "tap2" if segments == 1 else "tap3",
                   "master", "static"])
        # One shell inside the namespace reads interface counters on request,
        # so a reading costs a pipe round trip, not a process start, and its
        # host timestamp is exact to well under a millisecond.
        self._reader = subprocess.Popen(
            self.prefix() + ["bash", "-c", 'while read -r f; do read -r v <"$f"; echo "${v:--1}"; done'],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self._lock = threading.Lock()

    def prefix(self, peer=False):
        return ["ip", "netns", "exec", self.name + ("-peer" if peer else "")]

    def enter(self):
        """A preexec_fn for subprocess.Popen that moves the child into the
        lab's network namespace before it execs, for timing a process from
        its own start: `ip netns exec` is a process of its own before it
        (a mount namespace, /sys mounted again: about 5 ms here)."""
        path = f"/var/run/netns/{self.name}"
        libc = ctypes.CDLL(None, use_errno=True)

        def setns():
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            if libc.setns(fd, CLONE_NEWNET) != 0:
                os._exit(127)
        return setns

    def exec(self, cmd, peer=False, **kw):
        return sh(self.prefix(peer) + cmd, **kw)

    def counters(self, iface):
        """Every statistic scripts/lab reports for iface (a process start: not
        for timing)."""
        out = sh([f"{ROOT}/scripts/lab", "counters", self.name, iface])
        return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", out)}

    def counter(self, iface, key):
        """(value, host time) of one counter of iface, e.g. ("tap0", "rx_packets");
        the time is the middle of the reading, time.monotonic()."""
        with self._lock:
            t0 = time.monotonic()
            self._reader.stdin.write(f"/sys/class/net/{iface}/statistics/{key}\n")
            v = int(self._reader.stdout.readline())
            t1 = time.monotonic()
        if v < 0:
            raise RuntimeError(f"no counter {key} on {iface} in {self.name}")
        return v, (t0 + t1) / 2

    def second(self):
        """The two-segment lab (Lab(segments=2)) beside this one, made on first
        use and removed by down(): for a guest in the middle (fwd)."""
        if self._second is None:
            self._second = Lab(segments=2)
        return self._second

    def down(self):
        if self._second:
            self._second.down()
        if self._reader.poll() is None:
            self._reader.stdin.close()
            self._reader.wait(5)
        LinuxRouter.remove(self)
        subprocess.run([f"{ROOT}/scripts/lab", "down", self.name],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class LinuxRouter:
    """Linux as the router of a two-segment lab, in place of fwd: namespace
    NAME-rtr with a veth on br0 (198.18.1.1/24) and one on br1 (198.18.2.1/24)
    and ip_forward on, so host0 and peer0 reach each other through it by the
    routes they have for fwd. A context manager: the namespace goes on exit
    (and with the lab, should an exit be missed). Host0's and peer0's ARP
    caches are flushed both ways, since fwd's ports have other MACs."""

    def __init__(self, lab):
        self.lab = lab
        self.ns = lab.name + "-rtr"

    def __enter__(self):
        lab, ns = self.lab, self.ns
        sh(["ip", "netns", "add", ns])
        try:
            sh(["ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
                "net.ipv6.conf.default.disable_ipv6=1", "net.ipv4.ip_forward=1"])
            sh(["ip", "-n", ns, "link", "set", "lo", "up"])
            for k in (0, 1):
                sh(["ip", "-n", lab.name, "link", "add", f"rtr{k}", "type", "veth", "peer", "name", f"rv{k}",
                    "netns", ns])
                sh(["ip", "-n", lab.name, "link", "set", f"rtr{k}", "master", f"br{k}", "up"])
                sh(["ip", "-n", ns, "addr", "add", f"198.18.{k + 1}.1/24", "dev", f"rv{k}"])
                sh(["ip", "-n", ns, "link", "set", f"rv{k}", "up"])
            flush_neighbours(lab)
        except BaseException:
            self.remove(lab)
            raise
        return self

    def __exit__(self, *exc):
        self.remove(self.lab)
        flush_neighbours(self.lab)

    @staticmethod
    def remove(lab):
        """Removes NAME-rtr if it exists; its veths go with it."""
        if os.path.exists(f"/run/netns/{lab.name}-rtr"):
            subprocess.run(["ip", "netns", "del", lab.name + "-rtr"], stderr=subprocess.DEVNULL)


def flush_neighbours(lab):
    """Forget host0's and peer0's ARP entries: the router between them changed."""
    lab.exec(["ip", "neigh", "flush", "dev", "host0"], check=False)
    lab.exec(["ip", "neigh", "flush", "dev", "peer0"], peer=True, check=False)


# scripts/lib/dpdk.sh keeps everything of a lab's switch here (docs/vhost-user.md).
DPDK_RUN = "/run/skiff-lab"


class Testpmd:
    """dpdk-testpmd in one role inside a lab (scripts/lab dpdk start; roles and
    counters in docs/vhost-user.md). Its ports' ethdev counters come over DPDK
    telemetry through one socket kept open, so a reading costs well under a
    millisecond and its host time is exact (stats()); what its forwarding loop
    dropped because a guest's ring was full is in its forward statistics,
    read through its CLI (fwd_stats(), a process start: counts, not for
    timing). stop() quits it and returns every port's final counters; it
    busy-polls a CPU as long as it runs, so a section starts it for one
    measurement and stops it right after."""

    def __init__(self, lab, role, *opts):
        self.lab = lab
        self.final = None
        self.dir = os.path.join(DPDK_RUN, lab.name)
        sh([f"{ROOT}/scripts/lab", "dpdk", "start", lab.name, role, *opts])
        try:
            self.ports = {}
            with open(os.path.join(self.dir, "ports")) as f:
                for line in f:
                    name, pid, _dev, sock = (line.split() + ["-"])[:4]
                    self.ports[name] = (int(pid), None if sock == "-" else sock)
            with open(os.path.join(self.dir, "pid")) as f:
                self.pid = int(f.read())
            self._tel = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            self._tel.settimeout(10)
            self._tel.connect(os.path.join(self.dir, "dpdk", "lab", "dpdk_telemetry.v2"))
            self._max = json.loads(self._tel.recv(1024))["max_output_len"]
        except BaseException:
            self.stop()
            raise

    def net(self, port, props=""):
        """scripts/run's --net for a guest on vhost-user port `port`."""
        return f"vhost-user:{self.ports[port][1]}" + (f",{props}" if props else "")

    def _telemetry(self, cmd):
        self._tel.send(cmd.encode())
        return json.loads(self._tel.recv(self._max))

    def stats(self, port):
        """(ethdev counters of port, host time): ipackets (what testpmd took
        from the port: the guest's TX), opackets (what it put into the guest's
        RX ring), imissed, oerrors...; the time is the middle of the reading."""
        t0 = time.monotonic()
        st = self._telemetry(f"/ethdev/stats,{self.ports[port][0]}")["/ethdev/stats"]
        return st, (t0 + time.monotonic()) / 2

    def counter(self, port, key="ipackets"):
        """(one ethdev counter of port, host time), shaped like Lab.counter():
        ipackets is what testpmd took from the guest's TX."""
        st, t = self.stats(port)
        return st[key], t

    def xstats(self, port):
        """Extended statistics of port (the vhost library's per-queue counters,
        guest_notifications among them, while a guest is attached)."""
        return self._telemetry(f"/ethdev/xstats,{self.ports[port][0]}")["/ethdev/xstats"] or {}

    def cmd(self, *words):
        return sh([f"{ROOT}/scripts/lab", "dpdk", "cmd", self.lab.name, *words])

    def fwd_stats(self, text=None):
        """{port: dict(rx_packets, rx_dropped, tx_packets, tx_dropped)} from
        testpmd's forward statistics ('show fwd stats all', or the text that
        'stop' printed): TX-dropped counts the frames its loop freed because
        the port did not take them (a guest's ring full, or no guest)."""
        text = self.cmd("show", "fwd", "stats", "all") if text is None else text
        out = {}
        byid = {pid: name for name, (pid, _) in self.ports.items()}
        for pid, block in re.findall(r"Forward statistics for port (\d+)(.*?)(?=Forward statistics|Accumulated|$)",
                                     text, re.S):
            v = {k.lower().replace("-", "_"): int(n)
                 for k, n in re.findall(r"(RX-packets|RX-dropped|TX-packets|TX-dropped):\s*(\d+)", block)}
            out[byid.get(int(pid), pid)] = v
        return out

    def pause(self):
        """Stops forwarding, the guests staying attached; testpmd's forward
        statistics at that moment (fwd_stats())."""
        return self.fwd_stats(self.cmd("stop"))

    def stop(self):
        """Quits testpmd (scripts/lab dpdk stop); {port: counters} as it
        recorded them last (rx_packets ... tx_dropped). Safe to call twice."""
        if self.final is None:
            if getattr(self, "_tel", None):
                self._tel.close()
            out = sh([f"{ROOT}/scripts/lab", "dpdk", "stop", self.lab.name], check=False)
            self.final = {line.split()[0]: {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", line)}
                          for line in out.splitlines() if line.strip()}
        return self.final


def sample_window(lab, start, span, counters=(), also=None):
    """Waits `start` seconds, reads each (iface, key) of `counters` and calls
    also(), waits `span` seconds and does both again. Returns
    {"rates": {(iface, key): (frames per host second, window seconds)},
     "also": (first, second)}: rates are counter deltas over windows timed
    by the host's clock, whatever the guest's clock says."""
    time.sleep(start)
    a = {c: lab.counter(*c) for c in counters}
    x = also() if also else None
    time.sleep(span)
    b = {c: lab.counter(*c) for c in counters}
    y = also() if also else None
    rates = {}
    for c in counters:
        dt = b[c][1] - a[c][1]
        rates[c] = ((b[c][0] - a[c][0]) / dt, dt) if dt > 0 else (None, None)
    return {"rates": rates, "also": (x, y)}


class Console:
    """A process in the background whose output is collected line by line
    (ANSI escapes dropped), so a caller can wait for a line while it runs."""

    def __init__(self, cmd):
        self.p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                  errors="replace")
        self.lines = []
        self.cond = threading.Condition()
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self):
        for line in self.p.stdout:
            with self.cond:
                self.lines.append(line.replace("\x1b", "").rstrip("\n"))
                self.cond.notify_all()

    def wait_line(self, regex, timeout):
        pat = re.compile(regex)
        end = time.time() + timeout
        with self.cond:
            while True:
                if any(pat.search(line) for line in self.lines):
                    return True
                left = end - time.time()
                if left <= 0 or self.p.poll() is not None:
                    return False
                self.cond.wait(min(left, 0.2))


class Guest(Console):
    """A VM running in the lab in the background (scripts/run), its console
    collected."""

    def __init__(self, lab, image, net, append, timeout, extra=()):
        self.image = image
        super().__init__(lab.prefix() + [f"{ROOT}/scripts/run", "--timeout", str(timeout), "--net",
                                         net, *extra, "--append", append, image])

    def qemu(self):
        """The pid of this guest's QEMU (found once), or None."""
        if getattr(self, "_qemu", None) is None:
            self._qemu = qemu_pid(self.p.pid)
        return self._qemu

    def name(self):
        return os.path.basename(self.image).removesuffix(".elf")

    def ready(self, regex, timeout=30):
        """Waits for the console line @regex (the NF's ready line); if it
        does not come, stops the guest and raises with its console's tail."""
        if not self.wait_line(regex, timeout):
            raise RuntimeError(f"{self.name()} did not start:\n" + self.stop()[1][-1500:])

    def wait(self):
        rc = self.p.wait()
        self.t.join(5)
        return rc, "\n".join(self.lines)

    def finish(self):
        """wait(), raising with the console's tail unless the NF exited 0;
        returns the console."""
        rc, out = self.wait()
        if rc != 0:
            raise RuntimeError(f"{self.name()} failed ({rc}):\n{out[-1500:]}")
        return out

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
        return self.wait()


def _children():
    """{pid: [child pids]} of every process now."""
    children = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                comm_end = f.read().rsplit(")", 1)
            ppid = int(comm_end[1].split()[1])
            children.setdefault(ppid, []).append(int(pid))
        except (OSError, IndexError, ValueError):
            continue
    return children


def qemu_pid(root):
    """The pid of the QEMU started under process `root` (scripts/run), or None."""
    children = _children()
    todo = [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/comm") as f:
                if f.read().startswith("qemu-system"):
                    return pid
        except OSError:
            pass
        todo += children.get(pid, [])
    return None


def tree_cpu(root):
    """{(pid, thread id): CPU seconds so far} of process root and everything
    under it (trafgen forks its sender; timeout and ip netns exec sit above
    it), or None when root has gone."""
    children = _children()
    cpu, todo = {}, [root]
    while todo:
        pid = todo.pop()
        threads = thread_cpu(pid)
        if threads is None:
            continue
        cpu.update({(pid, t): v for t, v in threads.items()})
        todo += children.get(pid, [])
    return cpu or None


def thread_cpu(pid):
    """{thread id: CPU seconds so far} of process pid (QEMU), or None."""
    if pid is None:
        return None
    hz = os.sysconf("SC_CLK_TCK")
    cpu = {}
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            cpu[int(tid)] = (int(fields[11]) + int(fields[12])) / hz
    except OSError:
        return None
    return cpu


def busy(pid, a, b, seconds):
    """Busy fractions of QEMU's threads between two thread_cpu() samples:
    "io" for its main thread (the main loop, which does the device work),
    "vcpu" for the busiest other thread."""
    if not a or not b or seconds <= 0 or pid not in a or pid not in b:
        return {}
    others = [(b[t] - a[t]) / seconds for t in b if t != pid and t in a]
    return {"io": (b[pid] - a[pid]) / seconds, "vcpu": max(others) if others else None}


def host_cpu():
    """Jiffies of the whole machine from /proc/stat: (idle, total)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return v[3] + v[4], sum(v[:8])


def settle(root, quiet=0.1, limit=3.0):
    """Waits until process root and everything under it have used no CPU for
    `quiet` seconds (at most `limit`): a tool that says it is ready may still
    be busy finishing its start (tshark for ~0.1 s of CPU after "Capturing
    on"), which on a small host would be timed as part of what starts next."""
    def total():
        return sum((tree_cpu(root) or {}).values())
    end, last = time.monotonic() + limit, total()
    while time.monotonic() < end:
        time.sleep(quiet)
        now = total()
        if now == last:
            return
        last = now


def cpu_sample(qemus=(), procs=()):
    """A snapshot for cpu_budget(): the host's time and jiffies, the per-thread
    CPU time of each QEMU and of each process with everything under it.
    qemus and procs are (prefix, pid)."""
    return dict(t=time.monotonic(), host=host_cpu(),
                qemu=[(n, p, thread_cpu(p)) for n, p in qemus],
                proc=[(n, p, tree_cpu(p)) for n, p in procs])


def cpu_budget(a, b):
    """Where the host's cores went between two cpu_sample()s, as row fields:
    <prefix>vcpu_busy and <prefix>io_busy of each QEMU (see busy()),
    <prefix>busy of each process (all its threads and children's; 1.0 is
    one CPU),
    host_idle (idle share of all CPUs) and other_cores (CPUs' worth busy with
    anything not named: the kernel's softirqs for other work, other
    processes on the machine)."""
    dt = b["t"] - a["t"]
    if dt <= 0:
        return {}
    out, named = {}, 0.0

    def total(x, y):
        return sum(y[t] - x[t] for t in y if t in x) if x and y else 0.0
    for (n, pid, x), (_, _, y) in zip(a["qemu"], b["qemu"]):
        q = busy(pid, x, y, dt)
        out[f"{n}vcpu_busy"], out[f"{n}io_busy"] = q.get("vcpu"), q.get("io")
        named += total(x, y)
    for (n, _, x), (_, _, y) in zip(a["proc"], b["proc"]):
        out[f"{n}busy"] = total(x, y) / dt if x and y else None
        named += total(x, y)
    (i0, t0), (i1, t1) = a["host"], b["host"]
    if t1 > t0:
        idle = (i1 - i0) / (t1 - t0)
        out["host_idle"] = idle
        out["other_cores"] = max(0.0, (os.cpu_count() or 1) * (1 - idle) - named / dt)
    return out


def trafgen_config(tmp, dst_mac, dst_ip, size=60, src_ip="198.18.0.1", ttl=None):
    path = os.path.join(tmp, f"udp-{src_ip}-{dst_ip}-{size}.trafgen")
    ttl = "" if ttl is None else f", ttl={ttl}"
    with open(path, "w") as f:
        f.write("{\n  eth(da=%s, sa=02:00:c6:12:00:01),\n  ipv4(sa=%s, da=%s%s),\n"
                "  udp(sp=9000, dp=9000),\n  fill(0x41, %d)\n}\n" % (dst_mac, src_ip, dst_ip, ttl, size - 42))
    return path


def arp_request_config(tmp, mac, ip, target):
    """A trafgen config for one broadcast ARP request from (mac, ip) for target."""
    path = os.path.join(tmp, f"arp-{ip}-{target}.trafgen")
    with open(path, "w") as f:
        f.write("{ eth(da=ff:ff:ff:ff:ff:ff, sa=%s), arp(op=request, smac=%s, sip=%s,"
                " tmac=00:00:00:00:00:00, tip=%s) }\n" % (mac, mac, ip, target))
    return path


def trafgen(lab, cfg, seconds, dev="host0", extra=()):
    """Starts the fastest host-side generator we have for `seconds`: trafgen
    (mmap'd packet socket) on host0 (or dev), one CPU (two starve QEMU's I/O
    thread on a 2-core machine); extra: more trafgen options (-n COUNT,
    -b RATEpps). Returns the process; wait() for it."""
    return subprocess.Popen(["timeout", str(seconds)] + lab.prefix() +
                            ["trafgen", "-o", dev, "-i", cfg, "--cpus", "1", "-q", *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def nic_stats(output, nf, dev="net0"):
    """The counters of the NF's stats line for dev ("<nf>: net0 stats
    rx_packets=... tx_kicks=..."), as ints, or None."""
    for line in reversed(output.splitlines()):
        if line.startswith(f"{nf}: {dev} stats "):
            return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", line)}
    return None
