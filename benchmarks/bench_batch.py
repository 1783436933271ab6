"""Benchmark: the batch engine against the naive per-city loop.

The naive loop renders each report the way one would by hand: the ``papermill``
command line executes the notebook in a fresh kernel, then ``jupyter nbconvert
--to html`` converts it; two new processes per city. The fast path is ``dmaf
batch``: one driver process, warm kernels reused across cities, one HTML
exporter per worker.

Measured, each in a fresh process so that start-up costs count:

1. naive: ``--naive`` cities one after another (per-report median);
2. fast, same cities: ``render_batch(only=...)`` (wall time per report, start-up included);
3. fast, full: ``dmaf batch --force`` on every city of the cycle plus the national
   reports and the index (wall time; per-report median from the manifest).

The headline ratio compares the naive median with the full run's wall time per
report (start-up, national reports and index included); the goal is >= 15x and
the full run in <= 60 s on a 2-core machine.

Usage::

    .venv/bin/python benchmarks/bench_batch.py [--naive 4] [--workers 2] [--data FILE] [--skip-full]

This is a script, not a test: timings depend on the machine and on its load.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "city_report.ipynb"
SAMPLE = ["Ludhiana", "Surat", "Kohima", "Agartala", "Varanasi", "Pune", "Bhopal", "Shillong"]
GOAL_SECONDS, GOAL_RATIO = 60.0, 15.0


def _run(cmd: list[str], **kw) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-3000:]}")
    return time.perf_counter() - start


def naive(cities: list[str], cycle: int, data: str, out: Path) -> list[float]:
    """papermill CLI + jupyter nbconvert per city; seconds per report."""
    times = []
    for city in cities:
        folder = out / city.lower().replace(" ", "-")
        folder.mkdir(parents=True, exist_ok=True)
        nb = folder / f"cycle-{cycle}.ipynb"
        t = _run([sys.executable, "-m", "papermill", str(NOTEBOOK), str(nb), "-p", "city", city,
                  "-p", "cycle", str(cycle), "-p", "scores_path", data, "-p", "attributes_path", "",
                  "-p", "output_dir", str(folder), "--no-progress-bar"])
        t += _run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--no-input", str(nb)])
        times.append(t)
        print(f"  naive {city:<12} {t:5.2f} s", flush=True)
    return times


_FAST_SNIPPET = """
import json, sys, time
t0 = time.perf_counter()
from dmaf_analysis.batch import render_batch
s = render_batch(scores_path=sys.argv[1] or None, output_dir=sys.argv[2], only=json.loads(sys.argv[3]),
                 overview_notebook=None, trends_notebook=None, workers=int(sys.argv[4]), force=True,
                 progress=False)
print(json.dumps({"wall": time.perf_counter() - t0, "seconds": [r.seconds for r in s.results],
                  "failed": [r.job.label for r in s.failed]}))
"""


def fast_same(cities: list[str], data: str, out: Path, workers: int) -> dict:
    proc = subprocess.run([sys.executable, "-c", _FAST_SNIPPET, data, str(out), json.dumps(cities), str(workers)],
                          capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        sys.exit(f"fast run failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def fast_full(data: str, out: Path, workers: int) -> tuple[float, dict]:
    cmd = [str(Path(sys.executable).with_name("dmaf")), "batch", "--force", "--no-progress",
           "--output-dir", str(out), "--workers", str(workers)]
    if data:
        cmd += ["--data", data]
    wall = _run(cmd, cwd=ROOT)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["entries"]
    return wall, manifest


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--naive", type=int, default=4, help="cities rendered with the naive loop (default 4)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--data", default="", help="score table (default: the bundled data)")
    ap.add_argument("--cycle", type=int, default=2)
    ap.add_argument("--skip-full", action="store_true", help="do not time the full batch")
    args = ap.parse_args(argv)
    if not NOTEBOOK.exists():
        sys.exit(f"{NOTEBOOK} is missing")
    cities = SAMPLE[: max(1, args.naive)]
    print(f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}; "
          f"load average before: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="dmaf-bench-") as tmp:
        tmp = Path(tmp)
        print(f"naive loop (papermill CLI + jupyter nbconvert) on {len(cities)} cities:")
        naive_times = naive(cities, args.cycle, args.data, tmp / "naive")
        naive_median = statistics.median(naive_times)
        same = fast_same(cities, args.data, tmp / "same", args.workers)
        if same["failed"]:
            sys.exit(f"fast path failed for {same['failed']}")
        print(f"fast path on the same {len(cities)} cities ({args.workers} workers): {same['wall']:.2f} s wall "
              f"including start-up; per-report median {statistics.median(same['seconds']):.2f} s")
        rows = [("naive per-report median", naive_median, 1.0),
                ("fast, same cities: wall / report", same["wall"] / len(cities),
                 naive_median * len(cities) / same["wall"])]
        if not args.skip_full:
            wall, manifest = fast_full(args.data, tmp / "full", args.workers)
            failed = [k for k, e in manifest.items() if e["status"] != "ok"]
            city_secs = [e["seconds"] for e in manifest.values() if e["kind"] == "city"]
            n = len(manifest)
            print(f"full batch: {n} reports ({len(city_secs)} cities + {n - len(city_secs)} national) "
                  f"+ index in {wall:.1f} s wall; failed: {failed or 'none'}")
            rows += [("fast, full run: per-city median (in its worker)", statistics.median(city_secs),
                      naive_median / statistics.median(city_secs)),
                     ("fast, full run: wall / report", wall / n, naive_median / (wall / n))]
        print(f"\n{'measure':<50} {'seconds':>8} {'speed-up':>9}")
        for label, secs, ratio in rows:
            print(f"{label:<50} {secs:8.2f} {ratio:8.1f}x")
        if not args.skip_full:
            ratio = naive_median / (wall / n)
            ok = wall <= GOAL_SECONDS and ratio >= GOAL_RATIO
            print(f"\ngoal: full run <= {GOAL_SECONDS:.0f} s and >= {GOAL_RATIO:.0f}x: "
                  f"{wall:.1f} s, {ratio:.1f}x -> {'met' if ok else 'NOT met'}")
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
