# SPDX-License-Identifier: BSD-3-Clause
"""The pieces of bench/bench.py: the lab and guests (lab), statistics and
paired ratios (stats), the report (report), and one module per section of
the benchmark (sections/)."""
