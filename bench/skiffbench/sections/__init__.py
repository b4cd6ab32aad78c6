# SPDX-License-Identifier: BSD-3-Clause
"""Every section of the bench, in the order RESULTS.md shows them. A new
section is a module here and one entry in this list (bench/README.md)."""

from .boot import Boot
from .cores import Cores
from .dpdk import DpdkPeer
from .echo import Echo
from .fwd import Forward
from .host import HostStack
from .microvm import Microvm
from .pool import Pool
from .rx import RX
from .tx import TX, Sizes, TapHeader
from .vhost import VhostUser

SECTIONS = [TX, Sizes, TapHeader, Cores, RX, Echo, VhostUser, Forward, HostStack, Boot, Microvm,
            Pool, DpdkPeer]
