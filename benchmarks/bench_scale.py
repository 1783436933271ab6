"""Benchmark: does the time per report stay flat as the panel grows to 1,000 cities?

For each panel size (default 100, 400 and 1,000 cities) a seeded synthetic panel is
written (``synthesize_panel`` with ``panel_cities``: the 100 Smart Cities, then
invented "Synthetic City 0101" ...; every value synthetic) into a temporary data
folder laid out like ``data/`` (the bundled frameworks and recommendations, the
panel's own cities table), and the batch renders the city report cards of its
latest cycle in a fresh process (``render_batch``, warm kernels, ``--workers``).
The national reports are left out: their statistics (bootstrap, Monte Carlo,
Sobol) grow with the number of cities by design and are not per-report work.

Reported per size: the median seconds one report takes in its worker, and the
batch's wall time divided by the number of reports (start-up included). The
ratio of the largest panel's median to the smallest panel's is the flatness
check: near 1 means a report costs the same whatever the panel size (what
depends on the whole cycle, such as national medians and ranks, is computed
once per kernel and data set, not per report).

``--sample K`` renders only K cities of each panel (the same first K names, the
Smart Cities), which checks the per-report cost of a large panel in less time.

Usage::

    .venv/bin/python benchmarks/bench_scale.py [--sizes 100 400 1000] [--sample K] [--workers 2]

This is a script, not a test: timings depend on the machine and on its load.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_BATCH_SNIPPET = """
import json, sys, time
t0 = time.perf_counter()
from dmaf_analysis.batch import render_batch
cities = json.loads(sys.argv[3])
s = render_batch(scores_path=sys.argv[1], output_dir=sys.argv[2], only=cities or None,
                 overview_notebook=None, trends_notebook=None, workers=int(sys.argv[4]), force=True,
                 progress=False)
print(json.dumps({"wall": time.perf_counter() - t0, "seconds": [r.seconds for r in s.results],
                  "failed": [r.job.label for r in s.failed]}))
"""


def make_data_folder(n_cities: int, folder: Path, *, seed: int) -> tuple[Path, list[str]]:
    """A data folder for a synthetic ``n_cities`` panel; returns the score file and the city names."""
    from dmaf_analysis._util.paths import data_dir
    from dmaf_analysis.synth import panel_cities, synthesize_panel, write_panel

    bundled = data_dir()
    folder.mkdir(parents=True)
    shutil.copytree(bundled / "frameworks", folder / "frameworks")
    if (bundled / "recommendations.yaml").is_file():
        shutil.copy(bundled / "recommendations.yaml", folder / "recommendations.yaml")
    cities = panel_cities(n_cities)
    cities.to_csv(folder / "cities.csv", index=False)
    scores, attributes = synthesize_panel(seed=seed, n_cities=n_cities)
    written = write_panel(scores, attributes, folder / "scores.csv")
    return written["scores"], cities["city"].tolist()


def run_batch(scores: Path, data_folder: Path, out: Path, cities: list[str], workers: int) -> dict:
    env = {**os.environ, "DMAF_DATA_DIR": str(data_folder)}
    proc = subprocess.run([sys.executable, "-c", _BATCH_SNIPPET, str(scores), str(out), json.dumps(cities),
                           str(workers)], capture_output=True, text=True, cwd=ROOT, env=env)
    if proc.returncode != 0:
        sys.exit(f"batch failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 400, 1000], help="panel sizes (cities)")
    ap.add_argument("--sample", type=int, default=0,
                    help="render only this many cities of each panel (default 0: every city)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=2021)
    args = ap.parse_args(argv)
    sizes = sorted(set(args.sizes))
    print(f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}; "
          f"load average before: {os.getloadavg()[0]:.2f}")
    rows = []
    with tempfile.TemporaryDirectory(prefix="dmaf-scale-") as tmp:
        tmp = Path(tmp)
        for n in sizes:
            t0 = time.perf_counter()
            scores, names = make_data_folder(n, tmp / f"data-{n}", seed=args.seed)
            made = time.perf_counter() - t0
            chosen = names[: args.sample] if args.sample else []
            result = run_batch(scores, tmp / f"data-{n}", tmp / f"out-{n}", chosen, args.workers)
            if result["failed"]:
                sys.exit(f"{n} cities: reports failed: {result['failed'][:5]}")
            k = len(result["seconds"])
            median = statistics.median(result["seconds"])
            rows.append((n, k, median, result["wall"] / k, result["wall"]))
            print(f"  {n:>5} cities: panel written in {made:.1f} s; {k} reports in {result['wall']:.1f} s wall, "
                  f"per-report median {median:.3f} s", flush=True)
    base = rows[0][2]
    print(f"\n{'cities':>7} {'reports':>8} {'median s/report':>16} {'wall s/report':>14} {'vs smallest':>12}")
    for n, k, median, per, _ in rows:
        print(f"{n:>7} {k:>8} {median:>16.3f} {per:>14.3f} {median / base:>11.2f}x")
    print(f"\nflatness: the {rows[-1][0]:,}-city median is {rows[-1][2] / base:.2f}x the {rows[0][0]:,}-city one "
          f"(1.00x = flat); load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
