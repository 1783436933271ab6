"""Benchmark: what a report costs (CPU-seconds over every process), and whether it stays flat as panels grow.

Measured in one run, each step in fresh processes so that start-up costs count,
CPU time taken from ``resource.getrusage(RUSAGE_CHILDREN)`` (user + system time of
every process the step started and waited for: the batch driver, its kernels,
the browser when printing):

1. **bundled data**: ``dmaf batch --force`` (100 city cards, the two national
   reports and the index): CPU-seconds and wall seconds per city report, mean
   card size (HTML bytes);
2. **synthetic panels** of 100, 400 and 1,000 cities (``synthesize_panel`` with
   ``panel_cities``, every value synthetic; the cards of the latest cycle, no
   national reports): CPU-s and wall s per report, mean card size, each against
   the 100-city panel;
3. **the naive loop** on a few cities of the bundled data: the ``papermill``
   command line in a fresh kernel, then ``jupyter nbconvert --to html``, per city;
4. **validation** of a million rows of distinct unknown city names
   (``dmaf validate FILE``): exit status, wall and CPU seconds, peak memory (the
   largest resident set of the processes), lines printed.

``--repeats N`` repeats steps 1 and 2 and prints medians. The goals (issue 21):
a batch on the bundled data at most 0.30 CPU-s per report; at 400 cities the cost
per report and the mean card size no higher than at 100 (within 10 % and 20 %);
validation of 1e6 bad rows within 30 s and 600 MB, exit 1, at most 60 lines.

Usage::

    .venv/bin/python benchmarks/bench_cost.py [--sizes 100 400 1000] [--repeats 1] [--naive 3]
        [--rows 1000000] [--workers 2] [--skip-sizes] [--skip-naive] [--skip-validate]

This is a script, not a test: timings depend on the machine and on its load (say
which machine, and how busy, when quoting them).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "city_report.ipynb"
NAIVE_CITIES = ["Ludhiana", "Surat", "Kohima", "Agartala", "Varanasi"]
GOAL_CPU_PER_REPORT = 0.30

_CARDS_SNIPPET = """
import json, sys
from dmaf_analysis.batch import render_batch
s = render_batch(scores_path=sys.argv[1], output_dir=sys.argv[2], overview_notebook=None, trends_notebook=None,
                 workers=int(sys.argv[3]), force=True, progress=False)
print(json.dumps({"reports": len(s.results), "failed": [r.job.label for r in s.failed]}))
"""


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def measured(cmd: list[str], **kw) -> tuple[subprocess.CompletedProcess, float, float]:
    """Run ``cmd``; its result, wall seconds and CPU-seconds (it and every process it waited for)."""
    cpu0, t0 = _children_cpu(), time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    return proc, time.perf_counter() - t0, _children_cpu() - cpu0


def _check(proc: subprocess.CompletedProcess, what: str) -> None:
    if proc.returncode != 0:
        sys.exit(f"{what} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")


def card_sizes(out: Path) -> list[int]:
    return [p.stat().st_size for p in (out / "cities").glob("*/cycle-*.html")]


def bundled_batch(tmp: Path, workers: int) -> dict:
    out = tmp / "bundled"
    proc, wall, cpu = measured([sys.executable, "-m", "dmaf_analysis.cli", "batch", "--output-dir", str(out),
                                "--force", "--workers", str(workers)], cwd=ROOT)
    _check(proc, "dmaf batch")
    sizes = card_sizes(out)
    shutil.rmtree(out, ignore_errors=True)
    return {"reports": len(sizes), "wall": wall, "cpu": cpu, "mean_card": statistics.mean(sizes)}


def make_data_folder(n_cities: int, folder: Path, *, seed: int) -> Path:
    """A data folder for a synthetic ``n_cities`` panel (frameworks, recommendations, cities table, scores)."""
    from dmaf_analysis._util.paths import data_dir
    from dmaf_analysis.synth import panel_cities, synthesize_panel, write_panel

    bundled = data_dir()
    folder.mkdir(parents=True)
    shutil.copytree(bundled / "frameworks", folder / "frameworks")
    if (bundled / "recommendations.yaml").is_file():
        shutil.copy(bundled / "recommendations.yaml", folder / "recommendations.yaml")
    panel_cities(n_cities).to_csv(folder / "cities.csv", index=False)
    scores, attributes = synthesize_panel(seed=seed, n_cities=n_cities)
    return write_panel(scores, attributes, folder / "scores.csv")["scores"]


def panel_batch(scores: Path, data_folder: Path, out: Path, workers: int) -> dict:
    env = {**os.environ, "DMAF_DATA_DIR": str(data_folder)}
    proc, wall, cpu = measured([sys.executable, "-c", _CARDS_SNIPPET, str(scores), str(out), str(workers)],
                               cwd=ROOT, env=env)
    _check(proc, "batch")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if result["failed"]:
        sys.exit(f"reports failed: {result['failed'][:5]}")
    sizes = card_sizes(out)
    shutil.rmtree(out, ignore_errors=True)
    return {"reports": result["reports"], "wall": wall, "cpu": cpu, "mean_card": statistics.mean(sizes)}


def naive(cities: list[str], tmp: Path) -> list[dict]:
    """papermill CLI + jupyter nbconvert per city: CPU-s and wall s per report."""
    rows = []
    for city in cities:
        folder = tmp / "naive" / city.lower()
        folder.mkdir(parents=True, exist_ok=True)
        nb = folder / "cycle-2.ipynb"
        p1, w1, c1 = measured([sys.executable, "-m", "papermill", str(NOTEBOOK), str(nb), "-p", "city", city,
                               "--cwd", str(ROOT), "--no-progress-bar"], cwd=ROOT)
        _check(p1, f"papermill {city}")
        p2, w2, c2 = measured([sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--no-input",
                               str(nb)], cwd=ROOT)
        _check(p2, f"nbconvert {city}")
        rows.append({"city": city, "wall": w1 + w2, "cpu": c1 + c2,
                     "size": nb.with_suffix(".html").stat().st_size})
    return rows


def validate_million(tmp: Path, n_rows: int) -> dict:
    path = tmp / "bad.csv"
    with path.open("w") as f:
        f.write("cycle,city,indicator,score\n")
        f.writelines(f"2,Nowhere City {i:07d},1.a,5\n" for i in range(n_rows))
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc, wall, cpu = measured([sys.executable, "-m", "dmaf_analysis.cli", "validate", str(path)], cwd=ROOT)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    lines = (proc.stdout + proc.stderr).rstrip("\n").splitlines()
    return {"rows": n_rows, "exit": proc.returncode, "wall": wall, "cpu": cpu, "lines": len(lines),
            "peak_mb": peak / 1024 if peak > before else float("nan")}


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 400, 1000], help="synthetic panel sizes")
    ap.add_argument("--repeats", type=int, default=1, help="runs of each batch (medians are printed)")
    ap.add_argument("--naive", type=int, default=3, help="cities rendered the naive way")
    ap.add_argument("--rows", type=int, default=1_000_000, help="bad rows to validate")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=2021)
    ap.add_argument("--skip-bundled", action="store_true")
    ap.add_argument("--skip-sizes", action="store_true")
    ap.add_argument("--skip-naive", action="store_true")
    ap.add_argument("--skip-validate", action="store_true")
    args = ap.parse_args(argv)
    print(f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}; "
          f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
    status = 0
    with tempfile.TemporaryDirectory(prefix="dmaf-cost-") as tmp:
        tmp = Path(tmp)
        base_cpu = None
        if not args.skip_bundled:
            runs = [bundled_batch(tmp, args.workers) for _ in range(args.repeats)]
            n = runs[0]["reports"]
            cpu, wall, size = _median(runs, "cpu") / n, _median(runs, "wall") / n, _median(runs, "mean_card")
            base_cpu = cpu
            ok = cpu <= GOAL_CPU_PER_REPORT
            status |= 0 if ok else 1
            print(f"\nbundled data, dmaf batch (cards, 2 national reports, index), {len(runs)} run(s): {n} cards\n"
                  f"  {cpu:.3f} CPU-s per report (goal <= {GOAL_CPU_PER_REPORT:.2f}: {'met' if ok else 'NOT met'}),"
                  f" {wall:.3f} s wall per report, {_median(runs, 'wall'):.1f} s in all, mean card "
                  f"{size / 1024:.0f} KB", flush=True)
        if not args.skip_sizes:
            rows = []
            for size in sorted(set(args.sizes)):
                folder = tmp / f"data-{size}"
                scores = make_data_folder(size, folder, seed=args.seed)
                runs = [panel_batch(scores, folder, tmp / f"out-{size}", args.workers) for _ in range(args.repeats)]
                n = runs[0]["reports"]
                rows.append((size, n, _median(runs, "cpu") / n, _median(runs, "wall") / n, _median(runs, "mean_card")))
                print(f"  {size:>5} cities: {n} cards, {rows[-1][2]:.3f} CPU-s and {rows[-1][3]:.3f} s wall per "
                      f"report, mean card {rows[-1][4] / 1024:.0f} KB", flush=True)
                shutil.rmtree(folder, ignore_errors=True)
            first = rows[0]
            print(f"\n{'cities':>7} {'cards':>6} {'CPU-s/report':>13} {'wall s/report':>14} {'mean card KB':>13} "
                  f"{'CPU vs first':>13} {'size vs first':>14}")
            for size, n, cpu, wall, card in rows:
                print(f"{size:>7} {n:>6} {cpu:>13.3f} {wall:>14.3f} {card / 1024:>13.1f} {cpu / first[2]:>12.2f}x "
                      f"{card / first[4]:>13.2f}x")
            for size, _, cpu, _, card in rows:
                if size == 400 and first[0] == 100:
                    ok = cpu <= 1.10 * first[2] and card <= 1.20 * first[4]
                    status |= 0 if ok else 1
                    print(f"at 400 cities against 100: cost {cpu / first[2]:.2f}x (goal <= 1.10), card size "
                          f"{card / first[4]:.2f}x (goal <= 1.20): {'met' if ok else 'NOT met'}")
        if not args.skip_naive and args.naive > 0:
            rows = naive(NAIVE_CITIES[: args.naive], tmp)
            cpu, wall = statistics.median(r["cpu"] for r in rows), statistics.median(r["wall"] for r in rows)
            print(f"\nnaive loop (papermill CLI + jupyter nbconvert), {len(rows)} cities: median {cpu:.2f} CPU-s and "
                  f"{wall:.2f} s wall per report, mean page {statistics.mean(r['size'] for r in rows) / 1024:.0f} KB"
                  + (f"; the batch costs {cpu / base_cpu:.1f}x less CPU per report" if base_cpu else ""), flush=True)
        if not args.skip_validate:
            v = validate_million(tmp, args.rows)
            ok = v["exit"] == 1 and v["lines"] <= 60 and v["peak_mb"] <= 600 and v["wall"] <= 30
            print(f"\ndmaf validate, {v['rows']:,} rows of distinct unknown cities: exit {v['exit']}, "
                  f"{v['wall']:.1f} s wall, {v['cpu']:.1f} CPU-s, peak {v['peak_mb']:.0f} MB, {v['lines']} lines "
                  f"(goal: exit 1, <= 30 s, <= 600 MB, <= 60 lines: {'met' if ok else 'NOT met'})")
            status |= 0 if ok else 1
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")
    return status


if __name__ == "__main__":
    sys.exit(main())
