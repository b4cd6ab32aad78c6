# SPDX-License-Identifier: BSD-3-Clause
"""What a section of the bench is. bench/README.md says how to add one."""


class Section:
    """One kind of measurement and its part of RESULTS.md.

    Measuring (bench/bench.py calls these during a run; self.b is the
    running bench: self.b.lab, self.b.image(lto, alloc, nf), self.b.tmp,
    self.b.quick, self.b.tx_seconds):
      builds()        the (lto, alloc) variants whose images it boots
      prepare()       anything else to build before timing starts
      specs()         the measurements of one round, as dicts; every round
                      measures each once, shuffled with every other
                      section's, so drift hits all variants alike
      measure(spec, run)  does one, returns its row (a dict) or rows; the
                      runner adds 'run' (the round, from 1)
      once()          measurements made once after the rounds (run 0)
      describe(row)   a short progress line for a measured row

    Reporting (from the rows alone: --report-only has nothing else; self.b
    then carries quick, runs, tx_seconds and format from facts.json):
      ratios()        the comparisons, declared before anything runs
                      (stats.Ratio); RESULTS.md shows each as the median of
                      per-round ratios with min-max, and plots them
      report(rows)    markdown lines under the section's heading
      plots(rows, plot)   calls plot.bars(...) for its figures
      targets(rows)   [(what, measured, met)] for the targets table

    A row carries 'section' (one of csv_sections) and every field that
    identifies its variant, so the CSV alone says what was measured.
    """

    name = None             # --sections key
    title = None            # heading in RESULTS.md
    csv_sections = None     # 'section' values of its rows (default: (name,))
    in_default = True       # part of make bench
    in_quick = True         # part of make bench-quick
    needs_lab = True        # needs root and the private lab
    nfs = ()                # the NF images it boots

    def __init__(self, bench):
        self.b = bench
        if self.csv_sections is None:
            self.csv_sections = (self.name,)

    # ---------------------------------------------------------- measuring
    def builds(self):
        return []

    def prepare(self):
        pass

    def specs(self):
        return []

    def measure(self, spec, run):
        raise NotImplementedError

    def once(self):
        return []

    def describe(self, row):
        return self.name

    # ---------------------------------------------------------- reporting
    def ratios(self):
        return []

    def report(self, rows):
        return []

    def plots(self, rows, plot):
        pass

    def targets(self, rows):
        return []
