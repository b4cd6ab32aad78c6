# SPDX-License-Identifier: BSD-3-Clause
"""Boot time and image size."""

import os
import re
import subprocess
import time

from ..lab import settle
from ..stats import med
from ..util import qemu_line
from .base import Section

BUILD = (1, "pool")
READY = {"pktgen": "^pktgen: sending", "rxcount": "^rxcount: counting",
         "echo": "^echo: answering", "hello": "^hello: done"}
APPEND = {"pktgen": "count=100", "rxcount": "duration=1", "echo": "duration=1", "hello": ""}


class OneImage:
    """The running bench as Boot.measure() sees it (its lab and its images),
    with every image @image: for booting an image built elsewhere (an older
    revision, bench/ab.py)."""

    def __init__(self, lab, image):
        self.lab, self._image = lab, image

    def image(self, lto, alloc, nf):
        return self._image


class Boot(Section):
    name = "boot"
    title = "Boot and size"
    nfs = tuple(READY)

    def builds(self):
        return [BUILD]

    def specs(self):
        return [dict(section="boot", lto=BUILD[0], alloc=BUILD[1], nf=nf, machine="pc") for nf in READY]

    def measure(self, s, run):
        """From QEMU's start (the fork that execs it, already in the lab's
        namespace: Lab.enter) to the first console line and to the NF's
        ready line (host clock, as the lines arrive); for pktgen also to its
        first frame on the tap (tshark's timestamp)."""
        b, nf = self.b, s["nf"]
        img = b.image(*BUILD, nf)
        # QEMU's own environment is set here, as scripts/run does, rather
        # than through the line's `env`, whose exec would be timed.
        qenv, cmd = qemu_line("-M", s["machine"], "--net", "tap:tap1", "--append",
                              f"{APPEND[nf]} {s.get('settings', '')}".strip(), img)
        env = dict(os.environ, **qenv)
        cap = None
        if nf == "pktgen":
            cap = subprocess.Popen(b.lab.prefix() + ["tshark", "-i", "tap1", "-c", "1", "-a", "duration:20",
                                                     "-T", "fields", "-e", "frame.time_epoch"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for line in cap.stderr:
                if "Capturing on" in line:
                    break
            settle(cap.pid)
        enter = b.lab.enter()
        t0 = time.time()
        q = subprocess.Popen(cmd, env=env, preexec_fn=enter, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True)
        first = ready = None
        for line in q.stdout:
            now = time.time() - t0
            if first is None:
                first = now
            if ready is None and re.search(READY[nf], line):
                ready = now
        q.wait()
        frame = None
        if cap:
            try:
                frame = float(cap.communicate(timeout=25)[0].strip()) - t0
            except (ValueError, subprocess.TimeoutExpired):
                cap.kill()
                cap.communicate()
        return dict(s, banner_s=first, ready_s=ready, first_frame_s=frame, size=os.path.getsize(img))

    def describe(self, r):
        return f"boot {r['nf']} on {r['machine']}: ready after {(r['ready_s'] or 0) * 1000:.0f} ms"

    def report(self, rows):
        L = ["From QEMU's start (the command scripts/run prints with --dry-run, forked into the"
             " lab's namespace directly: `ip netns exec` would add ~5 ms of its own) to the first"
             " console line, to the NF's ready line (host clock, as the lines arrive), and for"
             " pktgen to its first frame seen on the tap (tshark's timestamp). Image: the PVH ELF"
             " (LTO on, pool). Medians of the rounds.\n",
             "| image | machine | bytes | first line ms | ready ms | first frame ms |",
             "|---|---|---:|---:|---:|---:|"]
        for nf, machine in sorted({(r["nf"], r.get("machine") or "pc") for r in rows},
                                  key=lambda k: (list(READY).index(k[0]) if k[0] in READY else 99, k[1])):
            xs = [r for r in rows if r["nf"] == nf and (r.get("machine") or "pc") == machine]
            ms = lambda k: "-" if med([r[k] for r in xs]) is None else f"{med([r[k] for r in xs]) * 1000:.0f}"
            L.append(f"| {nf} | {machine} | {xs[0]['size']:,} | {ms('banner_s')} | {ms('ready_s')} |"
                     f" {ms('first_frame_s')} |")
        return L + [""]

    def targets(self, rows):
        out = []
        ff = med([r["first_frame_s"] for r in rows if r["nf"] == "pktgen" and (r.get("machine") or "pc") == "pc"])
        if ff is not None:
            out.append(("QEMU start to the first frame on the wire < 0.25 s (-M pc)", f"{ff * 1000:.0f} ms",
                        ff < 0.25))
        biggest = max(r["size"] for r in rows)
        out.append(("every image < 128 KiB", f"largest {biggest:,} bytes", biggest < 131072))
        return out
