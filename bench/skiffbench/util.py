# SPDX-License-Identifier: BSD-3-Clause
"""Small helpers every part of the bench uses."""

import os
import re
import shlex
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The lab's addresses (scripts/lab): the guest on tap0, the host side, the peer.
BLACKHOLE = "02:00:00:00:00:99"    # static bridge entry on tap2, which no QEMU opens
GUEST_MAC = "52:54:00:c6:12:02"
GUEST_IP = "198.18.0.2"
PEER_IP = "198.18.0.250"


def qemu_line(*run_args):
    """The QEMU command scripts/run would start for RUN_ARGS (its --dry-run
    line) as (environment, argv): the `env VAR=V ...` that leads the line,
    QEMU's own environment (its glibc tunables), comes apart as a dict."""
    argv = shlex.split(sh([f"{ROOT}/scripts/run", "--dry-run", *run_args]))
    env = {}
    if argv[:1] == ["env"]:
        argv.pop(0)
        while argv and re.match(r"[A-Za-z_]\w*=", argv[0]):
            k, v = argv.pop(0).split("=", 1)
            env[k] = v
    return env, argv


def log(msg):
    print(msg, flush=True)


def sh(cmd, check=True, **kw):
    """Runs a command (list), returns its stdout as text."""
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr.strip()[-400:]}")
    return r.stdout


def kv(line):
    """The key=value pairs of an NF's report line."""
    return {k: v for k, v in re.findall(r"(\w+)=([0-9.]+)", line)}


def summary(output, nf):
    """The NF's summary line as a dict, or None."""
    for line in reversed(output.splitlines()):
        if line.startswith(f"{nf} summary "):
            return kv(line)
    return None


def intervals(output, nf):
    """The NF's per-interval report lines, as dicts."""
    return [kv(line) for line in output.splitlines() if line.startswith(f"{nf} t=")]
