# SPDX-License-Identifier: BSD-3-Clause
"""RESULTS.md, results.csv, facts.json and the plots.

The report is written from the CSV's rows alone, so `--report-only` gives
the same RESULTS.md as the run did. Each section writes its own part; this
module writes the header, the table of declared comparisons (paired
ratios), the ratio plot, the targets and the files."""

import csv
import datetime
import json
import os
import re
import shutil
import subprocess

from .stats import med
from .util import ROOT, sh

# facts.json "format": 1 (no key) wire and offered rates over the guest's
# elapsed time or the nominal flood length; 2 over host-timed windows.
FORMAT = 2


def fmt_ratio(x):
    return "-" if x is None else f"{x:.2f}"


def pct(x):
    return "-" if x is None else f"{x:.0%}"


def fmt_n(x):
    return "-" if x is None else f"{x:,.0f}"


def accelerator():
    """What scripts/run picks: KVM only with vmx/svm and a /dev/kvm that opens."""
    want = os.environ.get("SKIFF_ACCEL", "auto")
    if want == "auto":
        want = "tcg"
        with open("/proc/cpuinfo") as f:
            if re.search(r"\b(vmx|svm)\b", f.read()):
                try:
                    os.close(os.open("/dev/kvm", os.O_RDWR))
                    want = "kvm"
                except OSError:
                    pass
    return "KVM" if want == "kvm" else "TCG (-accel tcg,thread=multi)"


def machine_facts():
    cpu = re.search(r"Model name:\s*(.*)", sh(["lscpu"]))
    with open("/proc/meminfo") as f:
        mem = re.search(r"MemTotal:\s*(\d+)", f.read())
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
        load=round(os.getloadavg()[0], 2),
    )


def write_data(out, facts, rows):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "facts.json"), "w") as f:
        json.dump(facts, f, indent=1)
    keys = sorted({k for r in rows for k in r})
    with open(os.path.join(out, "results.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        w.writerows(rows)


def load_data(out):
    """(facts, rows) of an earlier run, numbers parsed."""
    def value(v):
        if v == "":
            return None
        for conv in (int, float):
            try:
                return conv(v)
            except ValueError:
                pass
        return v
    for name in ("results.csv", "facts.json"):
        if not os.path.exists(os.path.join(out, name)):
            raise SystemExit(f"bench: --report-only: no {name} in {out} (give the directory of a run with --out)")
    with open(os.path.join(out, "results.csv")) as f:
        rows = [{k: value(v) for k, v in r.items()} for r in csv.DictReader(f)]
    with open(os.path.join(out, "facts.json")) as f:
        facts = json.load(f)
    missing = {"command", "runs", "rev", "date"} - set(facts)
    if missing or not rows or any("section" not in r or "run" not in r for r in rows[:1]):
        raise SystemExit(f"bench: --report-only: {out} does not hold a bench run this script can read"
                         f" (facts.json lacks {', '.join(sorted(missing)) or 'nothing'};"
                         " results.csv needs 'section' and 'run' columns)")
    facts.setdefault("format", 1)
    if facts["format"] > FORMAT:
        raise SystemExit(f"bench: --report-only: {out} was written by a newer bench (format"
                         f" {facts['format']}, this one reads up to {FORMAT})")
    return facts, rows


class Plot:
    """gnuplot figures into the output directory; every bar carries its
    min-max whisker, and compared variants are shaded and named."""

    def __init__(self, out, tmp):
        self.out, self.tmp = out, tmp
        self.written = []

    def _gnuplot(self, name, script):
        if not shutil.which("gnuplot"):
            raise SystemExit("bench: gnuplot is missing for the plots; install it with scripts/deps bench"
                             " (apt-get install gnuplot-nox)")
        r = subprocess.run(["gnuplot"], input=script, text=True, stderr=subprocess.PIPE)
        if r.returncode != 0:
            raise RuntimeError(f"gnuplot failed for {name}: {r.stderr.strip()[-400:]}")
        self.written.append(name)

    def bars(self, name, title, groups, series, values, marks=None, ylabel="million frames per second",
             scale=1e-6, width=None):
        """groups: x labels; series: bar names; values[(group, series)]: the
        per-round values; marks: {group: "Skiff"} shades and names a group."""
        marks = marks or {}
        dat = os.path.join(self.tmp, name + ".dat")
        with open(dat, "w") as f:
            for g in groups:
                label = g + (f" [{marks[g]}]" if g in marks else "")
                cells = []
                for s in series:
                    xs = [x for x in values.get((g, s), []) if x is not None]
                    cells += [f"{med(xs) * scale:.4f}", f"{min(xs) * scale:.4f}",
                              f"{max(xs) * scale:.4f}"] if xs else ["0", "0", "0"]
                f.write(f'"{label}" ' + " ".join(cells) + "\n")
        shade = "".join(f"set object rect from {i - 0.46},graph 0 to {i + 0.46},graph 1 behind"
                        " fc rgb '#e8e8e8' fs solid noborder\n"
                        for i, g in enumerate(groups) if g in marks)
        plots = ", ".join(f"'{dat}' using {2 + 3 * k}:{3 + 3 * k}:{4 + 3 * k}"
                          + (":xtic(1)" if k == 0 else "") + f" title '{s}'"
                          for k, s in enumerate(series))
        width = width or max(700, 62 * len(groups) + 200)
        self._gnuplot(name, f"""
set terminal pngcairo size {width},600 font 'sans,10'
set output '{os.path.join(self.out, name)}'
set title "{title}\\n(bars: median of the rounds; whiskers: min-max; shaded: the compared variants)"
set style data histograms
set style histogram errorbars gap 1 lw 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set ylabel '{ylabel}'
set xtics rotate by 35 right scale 0
set bmargin 10
set lmargin 12
set grid ytics
set key top left
set yrange [0:*]
{shade}plot {plots}
""")

    def ratios(self, name, title, items):
        """items: [(label, summary)] with stats.Ratio.summary() dicts."""
        if not items:
            return
        dat = os.path.join(self.tmp, name + ".dat")
        with open(dat, "w") as f:
            for label, s in reversed(items):
                f.write(f'"{label}" {s["median"]:.4f} {s["lo"]:.4f} {s["hi"]:.4f}\n')
        self._gnuplot(name, f"""
set terminal pngcairo size 1200,{170 + 26 * len(items)} font 'sans,10'
set output '{os.path.join(self.out, name)}'
set title "{title}\\n(point: median of the per-round ratios; whiskers: min-max; a whisker crossing 1 is within the noise)"
set logscale x 2
set offsets graph 0.04, graph 0.04, 0, 0
set xlabel 'ratio (log scale)'
set grid xtics
set ytics scale 0
set yrange [-0.7:{len(items) - 0.3}]
set lmargin 50
set arrow from 1,graph 0 to 1,graph 1 nohead dt 2 lc rgb '#888888'
unset key
plot '{dat}' using 2:0:3:4:ytic(1) with xerrorbars pt 7 ps 1.2 lc rgb '#1f5fa8'
""")


def header(b, facts):
    L = ["# Skiff benchmark results\n",
         f"- **Command:** `{facts['command']}` (from a checkout at revision `{facts['rev']}`)",
         f"- **When:** {facts['date']}; {facts['runs']} rounds. Every round measures every variant"
         " once, in a shuffled order; a figure is the median of the rounds with min-max in"
         " brackets, and a comparison is the median of the per-round ratios (see below)",
         f"- **Machine:** {facts.get('cores', '?')} cores ({facts.get('cpu', '?')}),"
         f" {facts.get('mem_gib', '?')} GiB, Linux {facts.get('kernel', '?')}"
         + (f"; load average {facts['load']} at the start" if "load" in facts else ""),
         f"- **QEMU:** {facts.get('qemu', '?')}, accelerator {facts.get('accel', '?')}",
         f"- **Compiler:** gcc {facts.get('gcc', '?')}",
         "- **Setup:** one VM at a time in a private lab (scripts/lab); NIC virtio-net-pci"
         " with rx_queue_size=1024, tx_queue_size=256, tap vnet_hdr=off (scripts/run's"
         " defaults) unless said; pktgen runs"
         f" {facts.get('tx_seconds', '?')} s per measurement (1 s without a device); frames of 60"
         " bytes without FCS unless said.",
         "- **Clocks:** *host clock* figures are counter deltas over a window timed by the"
         " host (a tap's counter read twice in the middle of a run); *guest clock* figures are"
         " the NF's own report, timed by its calibrated TSC (tests/qemu/10-boot.t checks that"
         " clock against the host's to 10%)."]
    if facts["format"] < 2:
        L.append("- **Note:** this CSV was written by an older bench (format 1): its *wire*,"
                 " *offered* and echo rates divide by the guest's elapsed time or by the"
                 " nominal flood length, not by a host-timed window.")
    return L + [""]


def comparisons(sections, rows, plot):
    items = []
    for sec in sections:
        for r in sec.ratios():
            s = r.summary(rows)
            if s:
                items.append((r, s))
    if not items:
        return []
    items.sort(key=lambda x: not x[0].headline)
    L = ["## Compared variants\n",
         "Each comparison was chosen before the run. Every round measured both variants;"
         " the figure is the median of the per-round ratios (numerator / denominator),"
         " with the lowest and highest round. Where min-max stays on one side of 1 the"
         " difference is larger than the round-to-round noise; where it straddles 1 it is"
         " not. **Bold**: the headline comparisons.\n",
         "| comparison | ratio, median (min-max) | rounds higher | numerator | denominator | timed by |",
         "|---|---:|---:|---:|---:|---|"]
    for r, s in items:
        label = f"**{r.label}**" if r.headline else r.label
        L.append(f"| {label} | {fmt_ratio(s['median'])} ({fmt_ratio(s['lo'])}-{fmt_ratio(s['hi'])}) |"
                 f" {s['above']} of {s['n']} | {fmt_num(s['num'])} | {fmt_num(s['den'])} | {r.note} |")
    L.append("")
    plot.ratios("ratios.png", "Compared variants: per-round ratios",
                [(("* " if r.headline else "") + r.label, s) for r, s in items])
    L.append("![per-round ratios](ratios.png)\n")
    return L


def fmt_num(x):
    if x is None:
        return "-"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def write_report(b, facts, rows, sections):
    """RESULTS.md and the plots in b.out, from rows alone."""
    plot = Plot(b.out, b.tmp)
    L = header(b, facts)
    L += comparisons(sections, rows, plot)
    known = set()
    targets = []
    for sec in sections:
        known.update(sec.csv_sections)
        srows = [r for r in rows if r.get("section") in sec.csv_sections]
        if not srows:
            continue
        L.append(f"## {sec.title}\n")
        L += sec.report(srows)
        before = len(plot.written)
        sec.plots(srows, plot)
        L += [f"![{n}]({n})\n" for n in plot.written[before:]]
        targets += sec.targets(srows)
    if targets:
        L += ["## Targets\n", "| target | measured | |", "|---|---|---|"]
        L += [f"| {what} | {value} | {verdict if isinstance(verdict, str) else ('met' if verdict else '**missed**')} |"
              for what, value, verdict in targets]
        L.append("")
    orphans = sorted({str(r.get("section")) for r in rows} - known)
    if orphans:
        L.append(f"results.csv also holds rows of sections this bench does not report: {', '.join(orphans)}.\n")
    with open(os.path.join(b.out, "RESULTS.md"), "w") as f:
        f.write("\n".join(L) + "\n")
