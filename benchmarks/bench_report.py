"""Benchmark: the report functions of one city, with and without the per-cycle cache.

Everything in :mod:`dmaf_analysis.card` that depends only on the cycle (the
city x indicator table, national medians, ranks) is computed once per data set and
cycle and cached, so a warm kernel rendering 100 report cards does that work once.
This script times every report function for a few cities of a 100-city synthetic
data set, twice in the same run: *cached* (the cache warm, as in the batch) and
*naive* (the caches cleared before each city, as if every report started afresh).

Reported: the median seconds per city of each way over ``--repeats`` rounds, and
their ratio (naive / cached). This used to be a timed assertion in the tests; it
lives here because timings depend on the machine and on its load.

Usage::

    .venv/bin/python benchmarks/bench_report.py [--repeats 5]
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import numpy as np
import pandas as pd

from dmaf_analysis import card
from dmaf_analysis.card import _context as report_context
from dmaf_analysis.card import _indicators as report_indicators
from dmaf_analysis.cities import load_cities
from dmaf_analysis.framework import load_frameworks
from dmaf_analysis.io import validate_scores
from dmaf_analysis.scoring import Dataset, score_cities
from dmaf_analysis.scoring import _dataset as dataset_module

CITIES = ("Ludhiana", "Surat", "Kohima")


def make_dataset(seed: int = 7) -> Dataset:
    """100 cities, every Cycle 2 indicator filled with a multiple of 5 (all synthetic)."""
    frameworks = load_frameworks()
    fw = frameworks[2]
    rng = np.random.default_rng(seed)
    maxima = fw.max_scores
    cities = load_cities()
    rows = [{"cycle": 2, "city": c, "indicator": i,
             "score": float(5 * rng.integers(0, int(maxima[i]) // 5 + 1)), "source": "synthetic"}
            for c in cities["city"] for i in fw.indicator_ids]
    scores = validate_scores(pd.DataFrame(rows), frameworks=frameworks, cities=cities)
    attributes = pd.DataFrame({"cycle": pd.Series(dtype=int), "city": pd.Series(dtype=object),
                               "engagement_score": pd.Series(dtype=float)})
    return Dataset(scores=scores, scored=score_cities(scores, frameworks=frameworks, cities=cities),
                   attributes=attributes, frameworks=frameworks, cities=cities)


#: Every section function of the city report card, in the order of the card.
SECTIONS = tuple(getattr(card, name) for name in (
    "report_headline", "component_comparison", "indicator_scores", "strengths_and_weaknesses",
    "recommendations", "path_to_next_level", "peer_comparison", "change_since_previous",
    "engagement_comparison"))


def one_city(data: Dataset, city: str) -> None:
    for section in SECTIONS:
        section(data, city=city)


#: The modules behind :mod:`dmaf_analysis.card` whose functions keep caches.
CACHED_MODULES = (card, report_context, report_indicators, dataset_module)


def _clear_caches() -> None:
    for module in CACHED_MODULES:
        for name in dir(module):
            cached = getattr(getattr(module, name), "cache_clear", None)
            if cached is not None:
                cached()


def timed(data: Dataset, *, naive: bool) -> float:
    """Seconds per city for :data:`CITIES`."""
    start = time.perf_counter()
    for city in CITIES:
        if naive:
            _clear_caches()
        one_city(data, city)
    return (time.perf_counter() - start) / len(CITIES)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args(argv)
    print(f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}; "
          f"load average before: {os.getloadavg()[0]:.2f}")
    data = make_dataset()
    one_city(data, "Pune")  # imports and first use
    cached, naive = [], []
    for _ in range(args.repeats):
        naive.append(timed(data, naive=True))
        one_city(data, "Pune")  # warm the cache again
        cached.append(timed(data, naive=False))
    c, n = statistics.median(cached), statistics.median(naive)
    print(f"report functions per city (median of {args.repeats}): cached {c:.3f} s, naive {n:.3f} s, "
          f"ratio {n / c:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
