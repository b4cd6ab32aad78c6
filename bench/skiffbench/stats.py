# SPDX-License-Identifier: BSD-3-Clause
"""Medians, spreads and paired ratios.

Machines like this one drift by tens of percent over minutes, so two
variants are compared round by round: every round measures both, and the
figure is the median of the per-round ratios, with their min and max. A
ratio whose min-max range stays on one side of 1 is larger than the noise
of these rounds; one that straddles 1 is not."""

import statistics


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def spread(xs, fmt="{:,.0f}"):
    """'median (min-max)' of the values, '-' when there are none."""
    xs = [x for x in xs if x is not None]
    if not xs:
        return "-"
    return f"{fmt.format(med(xs))} ({fmt.format(min(xs))}-{fmt.format(max(xs))})"


def matches(row, sel):
    return all(row.get(k) == v for k, v in sel.items())


def select(rows, **sel):
    return [r for r in rows if matches(r, sel)]


class Ratio:
    """A comparison declared before the bench runs: rows matching num against
    rows matching den, both in `section`, paired by round ('run').

    label     what is compared, for the report ("Skiff / baseline, drop sink")
    value     the column compared ("pps"), or a function of a row
    num, den  column=value selectors of the two variants
    headline  shown first in RESULTS.md and in README-level summaries
    note      how the value was timed or what it means, for the report
    """

    def __init__(self, label, section, value, num, den, headline=False, note=""):
        self.label, self.section, self.value = label, section, value
        self.num, self.den, self.headline, self.note = num, den, headline, note

    def _value(self, row):
        v = self.value(row) if callable(self.value) else row.get(self.value)
        return v if isinstance(v, (int, float)) else None

    def rounds(self, rows):
        """[(run, num, den)] for every round that measured both variants; a
        variant measured twice in a round counts with its median."""
        rows = [r for r in rows if r.get("section") == self.section]
        out = []
        for run in sorted({r.get("run") for r in rows if isinstance(r.get("run"), int)}):
            if run <= 0:
                continue    # runs 0 are one-off measurements, not rounds
            n = med([self._value(r) for r in rows if r.get("run") == run and matches(r, self.num)])
            d = med([self._value(r) for r in rows if r.get("run") == run and matches(r, self.den)])
            if n is not None and d:
                out.append((run, n, d))
        return out

    def ratios(self, rows):
        return [n / d for _, n, d in self.rounds(rows)]

    def summary(self, rows):
        """dict(median, lo, hi, n, above) or None when no round has both."""
        rs = self.rounds(rows)
        if not rs:
            return None
        xs = [n / d for _, n, d in rs]
        return dict(median=med(xs), lo=min(xs), hi=max(xs), n=len(xs),
                    above=sum(1 for x in xs if x > 1), num=med([n for _, n, _ in rs]),
                    den=med([d for _, _, d in rs]))
