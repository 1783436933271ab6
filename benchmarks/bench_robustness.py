"""Benchmark: the vectorised rank-robustness simulation against a per-draw pandas loop.

Both run in the same process on the same random draws (weights and aggregation
choices) for a random panel of cities. The loop is timed on fewer draws and its
time per draw compared with the vectorised time per draw; the script prints the
median of several repeats of each, the ratio, and checks that the two agree on
the draws they share.

Usage::

    .venv/bin/python benchmarks/bench_robustness.py [--cities 100] [--draws 10000]
        [--loop-draws 300] [--repeats 5] [--seed 0]

This is a script, not a test: timings depend on the machine and its load.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np
import pandas as pd

from dmaf_analysis import sensitivity as rb
from dmaf_analysis.framework import load_framework
from dmaf_analysis.scoring import rank_within_cycle


def random_scored(n_cities: int, seed: int, cycle: int = 2) -> pd.DataFrame:
    """A score_cities-like table of random component scores (benchmark data, not DMAF results)."""
    fw = load_framework(cycle)
    rng = np.random.default_rng(seed)
    base = rng.uniform(0, 1, n_cities)
    x = np.clip(np.round(100 * (0.6 * base[:, None] + 0.4 * rng.uniform(0, 1, (n_cities, len(fw.component_ids))))),
                0, 100)
    frame = pd.DataFrame(x, columns=fw.component_ids)
    frame.insert(0, "city", [f"City {i:03d}" for i in range(n_cities)])
    frame.insert(0, "cycle", cycle)
    frame["state"], frame["region"] = "-", "-"
    frame["overall"] = (frame[fw.component_ids] * fw.weights.to_numpy()).sum(axis=1).round(9)
    frame["level"] = fw.levels_for(frame["overall"])
    frame["rank"] = rank_within_cycle(frame["overall"], frame["cycle"])
    return frame


def loop_robustness(scored: pd.DataFrame, *, n_draws: int, seed: int, perturbation: float = rb.PERTURBATION,
                    aggregations=rb.AGGREGATIONS, offset: float = rb.GEOMETRIC_OFFSET) -> pd.DataFrame:
    """The same analysis, one pandas computation per draw (the straightforward way).

    Returns per-city ``median_rank, rank_p05, rank_p95`` and one ``p_<level>`` column per level.
    """
    cycle = int(scored["cycle"].iloc[0])
    fw = load_framework(cycle)
    rng = np.random.default_rng(seed)
    weights = rb.draw_weights(fw.weights.to_numpy(float), n_draws=n_draws, perturbation=perturbation, rng=rng)
    choice = rb.draw_aggregations(n_draws=n_draws, n_choices=len(aggregations), rng=rng)
    comp = scored.set_index("city")[fw.component_ids]
    bins = list(fw.levels["min_score"]) + [np.inf]
    names = list(fw.levels["level"])
    ranks, levels = [], []
    for d in range(n_draws):
        w = pd.Series(weights[d], index=fw.component_ids)
        if aggregations[choice[d]] == "arithmetic":
            score = (comp * w).sum(axis=1)
        else:
            score = np.exp((np.log(comp + offset) * w).sum(axis=1)) - offset
        score = score.round(9)
        ranks.append(score.rank(method="min", ascending=False))
        levels.append(pd.cut(score + 1e-9, bins=bins, labels=names, right=False))
    ranks = pd.concat(ranks, axis=1)
    levels = pd.concat(levels, axis=1)
    out = pd.DataFrame({
        "median_rank": ranks.apply(lambda r: np.quantile(r, 0.5, method="inverted_cdf"), axis=1),
        "rank_p05": ranks.apply(lambda r: np.quantile(r, 0.05, method="inverted_cdf"), axis=1),
        "rank_p95": ranks.apply(lambda r: np.quantile(r, 0.95, method="inverted_cdf"), axis=1),
    })
    for name in names:
        out[f"p_{rb.level_slug(name)}"] = (levels == name).mean(axis=1)
    return out


def _median_time(func, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(*, cities: int = 100, draws: int = 10_000, loop_draws: int = 300, repeats: int = 5,
        seed: int = 0) -> dict:
    """Time both implementations; return the measurements as a dict."""
    scored = random_scored(cities, seed)
    rb.rank_robustness(scored, n_draws=100, seed=seed)  # warm-up (imports, caches)

    vec = _median_time(lambda: rb.rank_robustness(scored, n_draws=draws, seed=seed), repeats)
    loop = _median_time(lambda: loop_robustness(scored, n_draws=loop_draws, seed=seed), max(1, repeats // 2))

    # agreement on the shared draws
    fast = rb.rank_robustness(scored, n_draws=loop_draws, seed=seed).cities.set_index("city")
    slow = loop_robustness(scored, n_draws=loop_draws, seed=seed)
    cols = [c for c in slow.columns if c.startswith("p_")]
    agree = (np.allclose(fast.loc[slow.index, cols].to_numpy(float), slow[cols].to_numpy(float))
             and np.array_equal(fast.loc[slow.index, ["median_rank", "rank_p05", "rank_p95"]].to_numpy(float),
                                slow[["median_rank", "rank_p05", "rank_p95"]].to_numpy(float)))
    per_draw_vec = vec / draws
    per_draw_loop = loop / loop_draws
    return {"cities": cities, "draws": draws, "loop_draws": loop_draws, "repeats": repeats,
            "vectorised_s": vec, "loop_s": loop, "loop_extrapolated_s": per_draw_loop * draws,
            "speedup": per_draw_loop / per_draw_vec, "agree": bool(agree)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, default=100)
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--loop-draws", type=int, default=300,
                        help="draws for the pandas loop (its time per draw is extrapolated)")
    parser.add_argument("--repeats", type=int, default=5, help="repeats; medians are reported")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    r = run(cities=args.cities, draws=args.draws, loop_draws=args.loop_draws, repeats=args.repeats, seed=args.seed)
    print(f"rank robustness, {r['cities']} cities, median of {r['repeats']} repeats "
          f"(loop: {max(1, r['repeats'] // 2)})")
    print(f"  vectorised  {r['draws']:>6} draws: {r['vectorised_s']:8.3f} s")
    print(f"  pandas loop {r['loop_draws']:>6} draws: {r['loop_s']:8.3f} s "
          f"(~{r['loop_extrapolated_s']:.1f} s for {r['draws']} draws)")
    print(f"  speed-up per draw: {r['speedup']:.0f}x")
    print(f"  same results on the shared draws: {'yes' if r['agree'] else 'NO'}")
    if r["draws"] == 10_000 and r["cities"] == 100:
        print(f"  target (10,000 draws x 100 cities under 2 s): {'met' if r['vectorised_s'] < 2.0 else 'NOT met'}")
    return 0 if r["agree"] else 1


if __name__ == "__main__":
    sys.exit(main())
