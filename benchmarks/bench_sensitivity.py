"""Benchmark: the full sensitivity analysis against scoring one run at a time with ``score_cities``.

The vectorised analysis (:func:`dmaf_analysis.sensitivity.sensitivity_analysis`:
SALib's Sobol' design, every model run, the uncertainty tables and the first-order
and total indices with bootstrap intervals of every output) is timed on a panel of
random indicator scores with a few missing values. The naive way is the same
model run written with the package's ordinary scoring: per run, rescale the points
to the drawn maxima, fill missing values as drawn, call ``score_cities`` with the
drawn weights, re-aggregate geometrically when drawn, and cut the drawn
thresholds. It is timed on fewer runs; its time per run is compared with the
vectorised time per run, and the two are checked to give the same scores and ranks
on the runs they share. COINr (the JRC's R package) records about 13 ms per model
run for its sensitivity analysis; that figure is quoted, not measured here.

Memory (issue 23): ``dmaf sensitivity --samples N -o FILE`` on the bundled data
is run in a fresh process for each ``N`` of ``--memory-samples`` (default 2^13
and 2^16; ``DMAF_MAX_SAMPLES`` is raised for larger ones), and its peak
resident memory (``ru_maxrss`` of that process, from ``os.wait4``), wall and
CPU seconds are printed with the load average. Goal: under 1 GB at 2^16.

Usage::

    .venv/bin/python benchmarks/bench_sensitivity.py [--cities 100] [--samples 4096]
        [--loop-runs 40] [--repeats 5] [--seed 0] [--memory-samples 8192 65536]

``--memory-samples`` with no value skips the memory runs.

This is a script, not a test: timings depend on the machine and its load.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from dmaf_analysis import sensitivity as asm
from dmaf_analysis import sensitivity
from dmaf_analysis.cities import load_cities
from dmaf_analysis.framework import load_frameworks
from dmaf_analysis.scoring import score_cities

COINR_MS_PER_RUN = 13.0
#: Peak memory allowed to ``dmaf sensitivity`` up to its default bound of samples (issue 23).
MEMORY_GOAL_GB = 1.0
ROOT = Path(__file__).resolve().parent.parent


def random_panel(n_cities: int, seed: int, missing: float = 0.02, cycle: int = 2) -> pd.DataFrame:
    """Random indicator points of ``n_cities`` cities (benchmark data, not DMAF results)."""
    fw = load_frameworks()[cycle]
    rng = np.random.default_rng(seed)
    known = load_cities()["city"].tolist()
    names = (known + [f"City {i:04d}" for i in range(max(0, n_cities - len(known)))])[:n_cities]
    maxima = fw.max_scores.reindex(fw.indicator_ids).to_numpy(float)
    ability = rng.uniform(0.05, 0.95, (n_cities, 1))
    share = np.clip(ability + rng.normal(0, 0.25, (n_cities, len(maxima))), 0, 1)
    points = np.round(share * maxima / 5) * 5
    points[rng.uniform(size=points.shape) < missing] = np.nan
    frame = pd.DataFrame(points, index=pd.Index(names, name="city"), columns=fw.indicator_ids)
    long = frame.reset_index().melt(id_vars="city", var_name="indicator", value_name="score")
    long.insert(0, "cycle", cycle)
    long["source"] = "synthetic"
    return long


def loop_run(scores: pd.DataFrame, settings: asm.Settings, r: int, *, frameworks, cities) -> pd.DataFrame:
    """One model run the straightforward way (pandas and ``score_cities``); returns ``city, overall, rank``."""
    fw = frameworks[int(scores["cycle"].iloc[0])]
    maxima = fw.max_scores
    factor = pd.Series(settings.factors[r], index=fw.indicator_ids)
    data = scores.copy()
    data["score"] = data["score"] * data["indicator"].map(factor)
    treatment = asm.MISSING_CHOICES[settings.missing[r]]
    if treatment == "component_mean":
        comp = data["indicator"].map(fw.indicators.set_index("indicator")["component"])
        share = data["score"] / (data["indicator"].map(maxima) * data["indicator"].map(factor))
        mean_share = share.groupby([data["city"], comp]).transform("mean")
        fill = mean_share * data["indicator"].map(maxima) * data["indicator"].map(factor)
        data["score"] = data["score"].fillna(fill)
    weights = dict(zip(fw.component_ids, settings.weights[r]))
    scored = score_cities(data, frameworks=frameworks, cities=cities,
                          treat_missing_as_zero=treatment == "zero", weights=weights)
    if settings.aggregations[settings.aggregation[r]] == "geometric":
        logs = np.log(scored[fw.component_ids] + 1.0)
        scored["overall"] = (np.exp((logs * pd.Series(weights)).sum(axis=1, min_count=len(weights))) - 1.0).round(9)
        scored.loc[scored[fw.component_ids].isna().any(axis=1), "overall"] = np.nan
        scored["rank"] = scored["overall"].rank(method="min", ascending=False)
    bins = list(settings.thresholds[r]) + [np.inf]
    scored["level"] = pd.cut(scored["overall"] + 1e-9, bins=bins, labels=list(fw.levels["level"]), right=False)
    return scored[["city", "overall", "rank", "level"]]


def _median_time(func, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(*, cities: int = 100, samples: int = 4096, loop_runs: int = 40, repeats: int = 5, seed: int = 0) -> dict:
    """Time both ways; return the measurements as a dict."""
    frameworks = load_frameworks()
    city_table = load_cities()
    extra = sorted(set(random_panel(cities, seed)["city"]) - set(city_table["city"]))
    if extra:
        city_table = pd.concat([city_table, pd.DataFrame({"city": extra})], ignore_index=True)
    scores = random_panel(cities, seed)

    def full():
        return sensitivity.sensitivity_analysis(scores, frameworks=frameworks, cities=city_table, n_samples=samples,
                                                seed=seed)

    # warm-up
    sensitivity.sensitivity_analysis(scores, frameworks=frameworks, cities=city_table, n_samples=16, seed=seed)
    vec = _median_time(full, repeats)
    result = full()
    n_runs = int(result.settings.iloc[0]["n_runs"])

    # the same runs, one at a time: the first loop_runs runs of the same Sobol' design
    from SALib.sample import sobol as sobol_sample

    data = sensitivity.model_data(scores, frameworks=frameworks, cities=city_table)
    spec = asm.load_spec(data.framework)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        design = sobol_sample.sample(asm.problem(spec), samples, calc_second_order=False, scramble=True, seed=seed)
    settings = asm.decode(spec, data.framework, design[:loop_runs])

    def loop():
        return [loop_run(scores, settings, r, frameworks=frameworks, cities=city_table) for r in range(loop_runs)]

    loop_time = _median_time(loop, max(1, repeats // 2))
    fast = sensitivity.run_model(data, settings, geometric_offset=spec.geometric_offset)
    agree = True
    for r, slow in enumerate(loop()):
        slow = slow.set_index("city").loc[data.info["city"]]
        agree &= np.allclose(fast.scores[r], slow["overall"].to_numpy(float), equal_nan=True, atol=1e-6)
        agree &= np.array_equal(np.nan_to_num(fast.ranks[r], nan=-1), slow["rank"].astype(float).fillna(-1).to_numpy())
    per_run_vec = vec / n_runs
    per_run_loop = loop_time / loop_runs
    return {"cities": cities, "samples": samples, "runs": n_runs, "groups": int(result.settings.iloc[0]["n_groups"]),
            "outputs": int(result.indices["output"].nunique()), "repeats": repeats, "loop_runs": loop_runs,
            "vectorised_s": vec, "loop_s": loop_time, "per_run_vectorised_ms": per_run_vec * 1e3,
            "per_run_loop_ms": per_run_loop * 1e3, "speedup": per_run_loop / per_run_vec,
            "coinr_ratio": COINR_MS_PER_RUN / (per_run_vec * 1e3), "agree": bool(agree)}


def cli_memory(samples: int) -> dict:
    """Peak memory, wall and CPU seconds of ``dmaf sensitivity --samples samples`` on the bundled data.

    The command runs in a fresh process; its own resource usage comes from
    ``os.wait4`` (so earlier runs do not count). Returns ``samples, exit,
    peak_gb, wall_s, cpu_s, load`` (the 1-minute load average at the end).
    """
    env = dict(os.environ, DMAF_MAX_SAMPLES=str(max(samples, int(os.environ.get("DMAF_MAX_SAMPLES") or 0))))
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "dmaf_analysis.cli", "sensitivity", "--samples", str(samples),
               "-o", str(Path(tmp) / "indices.csv")]
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        err = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        print(err[-2000:], file=sys.stderr)
    return {"samples": samples, "exit": proc.returncode, "peak_gb": usage.ru_maxrss / 2 ** 20, "wall_s": wall,
            "cpu_s": usage.ru_utime + usage.ru_stime, "load": os.getloadavg()[0]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, default=100)
    parser.add_argument("--samples", type=int, default=4096, help="base samples (a power of 2)")
    parser.add_argument("--loop-runs", type=int, default=40, help="runs scored one at a time with score_cities")
    parser.add_argument("--repeats", type=int, default=5, help="repeats; medians are reported")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--memory-samples", type=int, nargs="*", default=[2 ** 13, 2 ** 16], metavar="N",
                        help="base samples of the memory runs of dmaf sensitivity (none: skip them)")
    args = parser.parse_args(argv)
    r = run(cities=args.cities, samples=args.samples, loop_runs=args.loop_runs, repeats=args.repeats,
            seed=args.seed)
    print(f"sensitivity analysis, {r['cities']} cities, {r['groups']} assumption groups, {r['outputs']} outputs, "
          f"median of {r['repeats']} repeats (loop: {max(1, r['repeats'] // 2)})")
    print(f"  vectorised   {r['runs']:>6} runs: {r['vectorised_s']:8.3f} s "
          f"({r['per_run_vectorised_ms'] * 1e3:.0f} us per run, indices and uncertainty tables included)")
    print(f"  score_cities {r['loop_runs']:>6} runs: {r['loop_s']:8.3f} s ({r['per_run_loop_ms']:.1f} ms per run)")
    print(f"  speed-up per run: {r['speedup']:.0f}x; COINr's recorded ~{COINR_MS_PER_RUN:g} ms per run would be "
          f"{r['coinr_ratio']:.0f}x slower (quoted, not measured)")
    print(f"  same scores and ranks on the shared runs: {'yes' if r['agree'] else 'NO'}")
    if r["samples"] == 4096 and r["cities"] == 100:
        met = r["vectorised_s"] <= 5.0 and r["speedup"] >= 300
        print(f"  target (4,096 samples x 100 cities in at most 5 s, at least 300x per run): "
              f"{'met' if met else 'NOT met'}")
    memory_ok = True
    for n in args.memory_samples:
        m = cli_memory(n)
        print(f"  dmaf sensitivity --samples {n:,} (bundled data, fresh process): peak memory {m['peak_gb']:.2f} GB, "
              f"wall {m['wall_s']:.1f} s, CPU {m['cpu_s']:.1f} s, load average {m['load']:.1f}"
              + ("" if m["exit"] == 0 else f", exit status {m['exit']}"))
        memory_ok &= m["exit"] == 0 and m["peak_gb"] < MEMORY_GOAL_GB
    if args.memory_samples:
        print(f"  target (under {MEMORY_GOAL_GB:g} GB up to the largest samples measured): "
              f"{'met' if memory_ok else 'NOT met'}")
    return 0 if r["agree"] else 1


if __name__ == "__main__":
    sys.exit(main())
