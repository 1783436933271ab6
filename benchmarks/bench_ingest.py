"""Benchmark: reading long report-card texts, line numbers from an index against counting from the start.

A report card's text is read into events (headings, score tokens, totals), each with
its line number. The package finds the line breaks once and looks each offset up by
bisection (:class:`dmaf_analysis.ingest._scan.LineIndex`); the naive way counts the
line breaks from the start of the text for every event, which is quadratic in the
text size. Both read the same generated texts (one synthetic card followed by many
lines with score tokens, as when many cards are pasted into one file) in the same
process; the script prints the median time of each per text size, the time per MB
and the ratio. Every text ends in the same error (far more scores than indicators),
so both do the whole reading work.

Usage::

    .venv/bin/python benchmarks/bench_ingest.py [--sizes 0.25 0.5 1 2] [--repeats 3]

This is a script, not a test: timings depend on the machine and its load.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

from dmaf_analysis.errors import ReportCardError
from dmaf_analysis.ingest import _scan as scan
from dmaf_analysis.ingest import parse_report_card

CARD_HEAD = """Data Maturity Assessment Framework Cycle 2.0

City: Surat | State: Gujarat
City Engagement Score: 55%
"""


class NaiveLineIndex:
    """Line numbers counted from the start of the text for every offset (the naive way)."""

    def __init__(self, text: str):
        self._text = text

    def line_of(self, pos: int) -> int:
        return self._text.count("\n", 0, pos) + 1


def card_text(megabytes: float) -> str:
    """A card with every heading, then score tokens until the text has ``megabytes`` MB."""
    from dmaf_analysis.framework import load_framework

    fw = load_framework(2)
    lines = [CARD_HEAD]
    for row in fw.indicators.itertuples():
        lines += [f"Indicator {row.indicator}: {row.name}", f"Score: 0/{row.max_score:g}", ""]
    head = "\n".join(lines)
    filler = "Notes on the review of this item. Score: 5/20\n"
    return head + filler * int(megabytes * 1e6 / len(filler))


def time_parse(text: str, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        try:
            parse_report_card(text, "bench.txt")
        except ReportCardError:
            pass
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[0.25, 0.5, 1.0, 2.0], help="text sizes in MB")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"{'MB':>6} {'index s':>9} {'naive s':>9} {'index s/MB':>11} {'naive s/MB':>11} {'ratio':>7}")
    indexed = scan.LineIndex
    for size in args.sizes:
        text = card_text(size)
        mb = len(text) / 1e6
        t_index = time_parse(text, args.repeats)
        scan.LineIndex = NaiveLineIndex
        try:
            t_naive = time_parse(text, args.repeats)
        finally:
            scan.LineIndex = indexed
        print(f"{mb:6.2f} {t_index:9.3f} {t_naive:9.3f} {t_index / mb:11.3f} {t_naive / mb:11.3f} "
              f"{t_naive / t_index:6.1f}x", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
