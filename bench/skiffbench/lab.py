# SPDX-License-Identifier: BSD-3-Clause
"""The private lab the bench measures in, the guests it boots there, and
the host-side clocks and counters that time them."""

import os
import re
import subprocess
import threading
import time

from .util import BLACKHOLE, ROOT, sh


class Lab:
    """A private lab (scripts/lab): a namespace with br0, tap0..tap2 and host0,
    and a peer namespace. Frames to BLACKHOLE go to tap2, which no QEMU opens:
    the bridge drops them."""

    def __init__(self):
        self.name = sh([f"{ROOT}/scripts/lab", "up", "--taps", "3", "--owner", str(os.getpid())]).strip()
        self.exec(["bridge", "fdb", "add", BLACKHOLE, "dev", "tap2", "master", "static"])
        # One shell inside the namespace reads interface counters on request,
        # so a reading costs a pipe round trip, not a process start, and its
        # host timestamp is exact to well under a millisecond.
        self._reader = subprocess.Popen(
            self.prefix() + ["bash", "-c", 'while read -r f; do read -r v <"$f"; echo "${v:--1}"; done'],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self._lock = threading.Lock()

    def prefix(self, peer=False):
        return ["ip", "netns", "exec", self.name + ("-peer" if peer else "")]

    def exec(self, cmd, peer=False, **kw):
        return sh(self.prefix(peer) + cmd, **kw)

    def script(self, args, check=True):
        """scripts/lab with these arguments (e.g. ["dpdk", "start", name, "sink"])."""
        return sh([f"{ROOT}/scripts/lab", *args], check=check)

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

    def down(self):
        if self._reader.poll() is None:
            self._reader.stdin.close()
            self._reader.wait(5)
        subprocess.run([f"{ROOT}/scripts/lab", "down", self.name],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


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


class Guest:
    """A VM running in the lab in the background, its console collected."""

    def __init__(self, lab, image, net, append, timeout, extra=()):
        cmd = lab.prefix() + [f"{ROOT}/scripts/run", "--timeout", str(timeout), "--net", net,
                              *extra, "--append", append, image]
        self.image = image
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
                if any(pat.search(line) for line in self.lines):
                    return True
                left = end - time.time()
                if left <= 0 or self.p.poll() is not None:
                    return False
                self.cond.wait(min(left, 0.2))

    def qemu(self):
        """The pid of this guest's QEMU (found once), or None."""
        if getattr(self, "_qemu", None) is None:
            self._qemu = qemu_pid(self.p.pid)
        return self._qemu

    def wait(self):
        rc = self.p.wait()
        self.t.join(5)
        return rc, "\n".join(self.lines)

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
        return self.wait()


def qemu_pid(root):
    """The pid of the QEMU started under process `root` (scripts/run), or None."""
    children = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                comm_end = f.read().rsplit(")", 1)
            ppid = int(comm_end[1].split()[1])
            children.setdefault(ppid, []).append(int(pid))
        except (OSError, IndexError, ValueError):
            continue
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


def trafgen_config(tmp, dst_mac, dst_ip, size=60):
    path = os.path.join(tmp, f"udp-{dst_ip}-{size}.trafgen")
    with open(path, "w") as f:
        f.write("{\n  eth(da=%s, sa=02:00:c6:12:00:01),\n  ipv4(sa=198.18.0.1, da=%s),\n"
                "  udp(sp=9000, dp=9000),\n  fill(0x41, %d)\n}\n" % (dst_mac, dst_ip, size - 42))
    return path


def trafgen(lab, cfg, seconds):
    """Starts the fastest host-side generator we have for `seconds`: trafgen
    (mmap'd packet socket) on host0, one CPU (two starve QEMU's I/O thread on
    a 2-core machine). Returns the process; wait() for it."""
    return subprocess.Popen(["timeout", str(seconds)] + lab.prefix() +
                            ["trafgen", "-o", "host0", "-i", cfg, "--cpus", "1", "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
