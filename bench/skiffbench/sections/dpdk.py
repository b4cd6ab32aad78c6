# SPDX-License-Identifier: BSD-3-Clause
"""Skiff against DPDK's testpmd with the virtio PMD in a Linux VM, side by
side: the strongest alternative to a unikernel NF, measured on the same
lab, the same QEMU and the same paths in shuffled, interleaved rounds.

The DPDK VM is not part of Skiff: it is built by a separate harness (a
Debian kernel, a busybox initramfs with Debian's dpdk-testpmd, bound to
uio_pci_generic), whose folder SKIFF_DPDK_GUEST names. The section uses
that harness's qemu-args.sh (the guest's kernel, initramfs, command line
and memory) and its blast sender; it never copies them."""

import os
import re
import subprocess
import time

from ..lab import Console, Guest, Testpmd, sample_window
from ..stats import Ratio, med, select, spread
from ..util import GUEST_MAC, intervals, qemu_line, summary
from .base import Section

UNICAST = "02:00:00:00:00:00"      # testpmd txonly's destination; the bridge sends it to tap2
BROADCAST = "ff:ff:ff:ff:ff:ff"     # pktgen's destination unless told
PEER_MAC = "52:54:00:12:34:10"      # the DPDK VM's NIC
SECONDS = 8                         # of traffic per measurement; the window is the middle half

PATHS = {
    "tx_tap": "TX through a tap on the bridge, unicast destination (tap counter, host clock)",
    "tx_tap_bcast": "TX through a tap on the bridge, broadcast destination (tap counter, host clock)",
    "tx_sink": "TX into QEMU's drop sink (the guest's own per-second lines)",
    "tx_vhost": "TX to dpdk-testpmd rxonly over vhost-user (testpmd's counter, host clock)",
    "rx_tap": "RX from a host AF_PACKET sender through the tap (frames QEMU took from the tap, host clock)",
    "rx_vhost": "RX from dpdk-testpmd txonly over vhost-user (frames testpmd put in the guest's ring, host clock)",
}
# Skiff's settings: pktgen's defaults (copy, burst 32) on an LTO build with the pool.
SKIFF_BUILD = (1, "pool")


def harness():
    return os.environ.get("SKIFF_DPDK_GUEST", "")


def skiff_qemu(net, image):
    """What scripts/run gives a Skiff VM with a NIC on `net`, read from the
    QEMU command line it prints with --dry-run: the (RX, TX) ring sizes, and
    the `env VAR=V ...` that leads the line (QEMU's glibc tunables) as a
    command prefix, empty if there is none."""
    env, argv = qemu_line("--net", net, image)
    line = " ".join(argv)
    rings = tuple(int(re.search(rf"{d}_queue_size=(\d+)", line).group(1)) for d in ("rx", "tx"))
    return rings, (["env"] + [f"{k}={v}" for k, v in env.items()] if env else [])


class PeerVM(Console):
    """The DPDK VM, booted in the lab by the harness's qemu-args.sh; its
    console collected. Its NIC gets the ring sizes @rings, those of Skiff's
    on the same backend, so both systems drive the same device, and its QEMU
    the environment prefix @qemu_env that scripts/run gives Skiff's."""

    def __init__(self, lab, mode, seconds, netdev, rings, vhost=False, extra_kargs=(), qemu_env=()):
        h = harness()
        env = dict(os.environ, VHOST="1" if vhost else "0", SMP="1")
        args = subprocess.run([os.path.join(h, "qemu-args.sh"), mode, f"dur={seconds}", *extra_kargs],
                              env=env, check=True, stdout=subprocess.PIPE, text=True).stdout.splitlines()
        super().__init__(lab.prefix() + list(qemu_env) + ["qemu-system-x86_64", "-accel", "tcg,thread=multi",
                                                          "-cpu", "max",
                                         "-nodefaults", "-no-user-config", "-display", "none", "-serial",
                                         "stdio", "-no-reboot", *args, *netdev,
                                         "-device", f"virtio-net-pci,netdev=n0,mac={PEER_MAC},"
                                         f"rx_queue_size={rings[0]},tx_queue_size={rings[1]}"])

    def count(self, what):
        """Per-second testpmd lines so far ("Tx-pps" or "Rx-pps")."""
        with self.cond:
            return sum(1 for x in self.lines if f"{what}:" in x)

    def pps(self, what, first, last):
        """Median of the per-second lines first+1..last."""
        with self.cond:
            xs = [int(m.group(1)) for x in self.lines for m in [re.search(rf"{what}:\s+(\d+)", x)] if m]
        return med(xs[first:last])

    def finish(self, timeout):
        """Waits for the VM to power off (killing it after @timeout s);
        returns its console."""
        try:
            self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        self.t.join(5)
        return "\n".join(self.lines)


class DpdkPeer(Section):
    name = "dpdk"
    title = "Skiff and DPDK testpmd in a Linux VM, side by side"
    in_default = False      # needs the DPDK VM's harness (SKIFF_DPDK_GUEST)
    in_quick = False
    nfs = ("pktgen", "rxcount")

    def builds(self):
        return [SKIFF_BUILD]

    def prepare(self):
        h = harness()
        need = ["qemu-args.sh", "work/vmlinuz", "work/initramfs.cpio.gz", "work/blast"]
        missing = [f for f in need if not os.path.exists(os.path.join(h, f))]
        if not h or missing:
            raise SystemExit("bench: the dpdk section needs SKIFF_DPDK_GUEST=DIR, a built DPDK-in-a-VM"
                             f" harness (missing: {', '.join(missing) if h else 'SKIFF_DPDK_GUEST'});"
                             " see bench/README.md")

    def specs(self):
        out = []
        for path in PATHS:
            for system in ("skiff", "dpdk"):
                if path == "tx_tap_bcast" and system == "dpdk":
                    continue    # testpmd's txonly sends to one unicast MAC
                out.append(dict(section="dpdk", path=path, system=system))
        return out

    # ------------------------------------------------------------- measuring
    def measure(self, s, run):
        lab = self.b.lab
        # Frames to testpmd's destination go to tap2, which no QEMU opens.
        lab.exec(["bridge", "fdb", "replace", UNICAST, "dev", "tap2", "master", "static"])
        fn = getattr(self, "_" + s["path"].replace("_bcast", ""))
        return dict(s, **fn(s))

    def _skiff(self, nf, net, append):
        return Guest(self.b.lab, self.b.image(*SKIFF_BUILD, nf), net, append, SECONDS + 60)

    def _peer(self, mode, netdev, vhost=False, seconds=SECONDS + 6):
        net = "vhost-user:/dev/null" if vhost else "tap:tap0"
        # The DPDK VM's QEMU: Skiff's ring sizes and scripts/run's environment.
        rings, qemu_env = skiff_qemu(net, self.b.image(*SKIFF_BUILD, "pktgen"))
        vm = PeerVM(self.b.lab, mode, seconds, netdev, rings, vhost, qemu_env=qemu_env)
        if not vm.wait_line(r"DPDKGUEST: ready", 120):
            out = vm.finish(5)
            raise RuntimeError(f"the DPDK VM did not start:\n{out[-1500:]}")
        return vm

    def _window(self, counters):
        return sample_window(self.b.lab, SECONDS * 0.25, SECONDS * 0.5, counters=counters)["rates"]

    def _tx_tap(self, s):
        dst = BROADCAST if s["path"] == "tx_tap_bcast" else UNICAST
        tap = [("tap0", "rx_packets")]
        if s["system"] == "skiff":
            g = self._skiff("pktgen", "tap:tap0", f"duration={SECONDS} dst_mac={dst}")
            g.ready(r"^pktgen: sending")
            pps, win = self._window(tap)[tap[0]]
            g.finish()
            return dict(pps=pps, window_s=win, dst=dst)
        vm = self._peer("txonly", ["-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no,vnet_hdr=off"])
        pps, win = self._window(tap)[tap[0]]
        vm.finish(SECONDS + 30)
        return dict(pps=pps, window_s=win, dst=dst)

    def _tx_sink(self, s):
        sink = ["-netdev", "hubport,id=n0,hubid=0", "-netdev", "hubport,id=s0,hubid=0"]
        if s["system"] == "skiff":
            g = self._skiff("pktgen", "sink", f"duration={SECONDS}")
            rc, out = g.wait()
            lines = intervals(out, "pktgen")
            if rc != 0 or not lines:
                raise RuntimeError(f"pktgen failed ({rc}):\n{out[-1500:]}")
            # The per-second lines after the first, as for testpmd.
            return dict(pps=med([float(x["tx_pps"]) for x in lines[1:]] or
                                [float(summary(out, "pktgen")["tx_pps"])]))
        vm = self._peer("txonly", sink)
        first = vm.count("Tx-pps")
        time.sleep(SECONDS * 0.75)
        last = vm.count("Tx-pps")
        vm.finish(SECONDS + 30)
        return dict(pps=vm.pps("Tx-pps", first + 1, last))

    @staticmethod
    def _testpmd_rate(tp, key):
        """testpmd's counter `key` of vhost0 (ipackets: the guest's TX,
        opackets: what it put in the guest's ring) over the middle half of
        the run, timed by the host."""
        time.sleep(SECONDS * 0.25)
        a, t0 = tp.stats("vhost0")
        time.sleep(SECONDS * 0.5)
        b, t1 = tp.stats("vhost0")
        return (b[key] - a[key]) / (t1 - t0), t1 - t0

    def _over_vhost(self, s, tp, key, nf, props, append, ready, mode):
        """One system on testpmd's vhost0 (testpmd already started as @tp):
        testpmd's counter @key over the middle of the run."""
        sock = tp.ports["vhost0"][1]
        try:
            if s["system"] == "skiff":
                g = self._skiff(nf, f"vhost-user:{sock}{props}", append)
                g.ready(ready)
                pps, win = self._testpmd_rate(tp, key)
                g.finish()
            else:
                vm = self._peer(mode, ["-chardev", f"socket,id=c0,path={sock}",
                                       "-netdev", "vhost-user,id=n0,chardev=c0"], vhost=True)
                pps, win = self._testpmd_rate(tp, key)
                vm.finish(SECONDS + 30)
        finally:
            tp.stop()
        return dict(pps=pps, window_s=win)

    def _tx_vhost(self, s):
        return self._over_vhost(s, Testpmd(self.b.lab, "sink"), "ipackets", "pktgen", "",
                                f"duration={SECONDS}", r"^pktgen: sending", "txonly")

    def _rx_tap(self, s):
        lab, h = self.b.lab, harness()
        blast_secs = SECONDS
        tap = [("tap0", "tx_packets")]
        if s["system"] == "skiff":
            dst = GUEST_MAC
            g = self._skiff("rxcount", f"tap:tap0,mac={GUEST_MAC}", f"duration={SECONDS + 6} idle=2 promisc=0")
            g.ready(r"^rxcount: counting")
        else:
            dst = PEER_MAC
            vm = self._peer("rxonly", ["-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no,vnet_hdr=off"],
                            seconds=SECONDS + 6)
        blast = subprocess.Popen(lab.prefix() + [os.path.join(h, "work/blast"), "tap0", str(blast_secs), dst,
                                                 "02:00:00:00:00:01", "0"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        pps, win = self._window(tap)[tap[0]]
        blast.wait()
        if s["system"] == "skiff":
            g.finish()
        else:
            vm.finish(SECONDS + 30)
        return dict(pps=pps, window_s=win)

    def _rx_vhost(self, s):
        dst = GUEST_MAC if s["system"] == "skiff" else PEER_MAC
        return self._over_vhost(s, Testpmd(self.b.lab, "source", "--dst-mac", dst), "opackets",
                                "rxcount", f",mac={GUEST_MAC}", f"duration={SECONDS + 2} promisc=0",
                                r"^rxcount: counting", "rxonly")

    def describe(self, r):
        return f"dpdk {r['path']:12} {r['system']:5} -> {r['pps']:,.0f} frames/s"

    # ------------------------------------------------------------- reporting
    def ratios(self):
        return [Ratio(f"Skiff / DPDK: {PATHS[p]}", "dpdk", "pps", dict(path=p, system="skiff"),
                      dict(path=p, system="dpdk"), headline=True)
                for p in PATHS if p != "tx_tap_bcast"] + [
                Ratio("Skiff: unicast / broadcast destination, through the tap", "dpdk", "pps",
                      dict(path="tx_tap", system="skiff"), dict(path="tx_tap_bcast", system="skiff"))]

    def report(self, rows):
        L = ["Skiff's pktgen and rxcount (LTO=1, pool, copy, burst 32) against DPDK 22.11's testpmd"
             " (txonly/rxonly) with the virtio PMD in a Debian 6.1 VM (uio_pci_generic, 256 hugepages,"
             " `-smp 1`, `-cpu max`), both on the same QEMU (started with the same environment, scripts/run's"
             " glibc tunables), lab bridge and taps (vnet_hdr=off) and the"
             " same NIC (virtio-net-pci, RX ring 1024, TX ring 256, 1024 over vhost-user),"
             " 60-byte frames, measured in the same shuffled rounds. Frames/s: median (min-max) of the"
             f" rounds; each measurement is the middle half of {SECONDS} s of traffic. *Skiff / DPDK* is"
             " the median of the per-round ratios, with min-max.\n",
             "| path | Skiff | DPDK VM | Skiff / DPDK |", "|---|---:|---:|---:|"]
        for p, what in PATHS.items():
            sk = [r["pps"] for r in select(rows, path=p, system="skiff")]
            dp = [r["pps"] for r in select(rows, path=p, system="dpdk")]
            x = Ratio("", "dpdk", "pps", dict(path=p, system="skiff"), dict(path=p, system="dpdk")).summary(rows)
            L.append(f"| {what} | {spread(sk)} | {spread(dp)} |"
                     + (f" {x['median']:.2f} ({x['lo']:.2f}-{x['hi']:.2f}) |" if x else " - |"))
        return L + [""]

    def targets(self, rows):
        out = []
        for p, what in PATHS.items():
            x = Ratio("", "dpdk", "pps", dict(path=p, system="skiff"), dict(path=p, system="dpdk")).summary(rows)
            if x:
                out.append((f"Skiff >= DPDK: {what}", f"{x['median']:.2f}x ({x['lo']:.2f}-{x['hi']:.2f},"
                            f" {x['n']} rounds)", x["median"] >= 1))
        return out
