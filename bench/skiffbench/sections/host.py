# SPDX-License-Identifier: BSD-3-Clause
"""What the Linux stack moves across the same bridge: the reference."""

import json
import time

from ..stats import spread
from ..util import PEER_IP
from .base import Section


class HostStack(Section):
    name = "host"
    title = "Host-stack reference"
    csv_sections = ("iperf",)

    def specs(self):
        return [dict(section="iperf")]

    def measure(self, s, run):
        lab = self.b.lab
        lab.exec(["iperf3", "-s", "-1", "-D"], peer=True)
        time.sleep(0.3)
        out = lab.exec(["iperf3", "-c", PEER_IP, "-u", "-b", "0", "-l", "18", "-t",
                        "3" if self.b.quick else "5", "-J"], check=False)
        try:
            j = json.loads(out)["end"]["sum"]
            sent = j["packets"] / j["seconds"]
            recv = (j["packets"] - j["lost_packets"]) / j["seconds"]
        except (ValueError, KeyError):
            sent = recv = None
        return dict(s, sent_pps=sent, recv_pps=recv)

    def describe(self, r):
        return f"iperf3 UDP 18-byte datagrams host0 -> peer: {r['sent_pps'] or 0:,.0f} sent/s"

    def report(self, rows):
        return ["iperf3 UDP with 18-byte datagrams (`iperf3 -u -b 0 -l 18`) from the lab's host side"
                " to the peer namespace across the same bridge: what the Linux stack moves here"
                " (iperf3's own clock, on the host).\n",
                "| sent/s | received/s |", "|---:|---:|",
                f"| {spread([r['sent_pps'] for r in rows])} | {spread([r['recv_pps'] for r in rows])} |", ""]
