"""How robust is the ranking? Monte Carlo uncertainty analysis of weights and aggregation.

Each draw perturbs every component weight independently by a factor drawn
uniformly from ``[1 - perturbation, 1 + perturbation]`` (default +/-25 %),
renormalises the weights to sum to 1, and picks an aggregation uniformly from
``aggregations`` (default: weighted arithmetic mean, the published method, or
weighted geometric mean). Every city is then scored, ranked and given a level in
that draw. The whole simulation is numpy array work over a (draws x cities)
score matrix: one matrix product per aggregation, ranks with a row-wise sort,
levels with ``numpy.searchsorted`` on the framework's thresholds.

Zero rule for the geometric mean. A component score of 0 would make a plain
geometric mean 0 whatever the other components, so the geometric mean is taken
of ``score + offset`` and the offset subtracted afterwards:
``exp(sum_c w_c * log(x_c + offset)) - offset``, with ``offset = 1`` point by
default (:data:`GEOMETRIC_OFFSET`). The result stays on the 0-100 scale, equals
the score when all components are equal, and is never above the arithmetic
mean, so it penalises unbalanced profiles.

Ties. Scores are rounded to 9 decimals (as in :mod:`~dmaf_analysis.scoring`)
before ranking, and ties share the best rank ("1, 2, 3, 3, 5").

The simulation is seeded: the same ``seed`` and settings give the same tables.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._util.slug import identifier_slug
from ..errors import CycleNotInDataError, NoDataError
from ..framework import Framework, frameworks_or_bundled, level_index
from ..io import expects_table
from ..scoring import OVERALL_DECIMALS, resolve_cycle

__all__ = ["AGGREGATIONS", "GEOMETRIC_OFFSET", "N_DRAWS", "PERTURBATION", "RankRobustness", "aggregate",
           "competition_ranks", "draw_aggregations", "draw_weights", "level_slug", "rank_robustness", "summarise_draws"]

AGGREGATIONS = ("arithmetic", "geometric")
GEOMETRIC_OFFSET = 1.0
N_DRAWS = 10_000
PERTURBATION = 0.25


@dataclass(frozen=True, eq=False)
class RankRobustness:
    """Result of :func:`rank_robustness`.

    Attributes
    ----------
    cities : DataFrame
        One row per ranked city, best nominal rank first, columns ``cycle,
        city, state, region, nominal_score, nominal_rank, nominal_level,
        median_rank, rank_p05, rank_p95, rank_interval_width, mean_score,
        score_p05, score_p95, modal_level, p_certified`` followed by one
        ``p_<level_slug>`` column per level (e.g. ``p_not_certified,
        p_enabled``). ``nominal_*`` use the framework's weights and the
        arithmetic mean. Rank quantiles use the inverted empirical CDF
        (``numpy.quantile(method="inverted_cdf")``), so they are ranks that
        actually occurred; ``rank_interval_width = rank_p95 - rank_p05``.
        ``p_certified`` is the share of draws in which the city reached a
        certified level; ``modal_level`` its most frequent level.
    level_probabilities : DataFrame
        Long form of the level probabilities: ``cycle, city, level,
        level_order, certified, probability`` (every level of every city;
        probabilities of a city sum to 1).
    settings : DataFrame
        One row: ``cycle, n_draws, perturbation, aggregations,
        geometric_offset, seed, n_cities, n_excluded`` (``n_excluded`` =
        cities left out for a missing component score).
    """

    cities: pd.DataFrame
    level_probabilities: pd.DataFrame
    settings: pd.DataFrame


def level_slug(level: str) -> str:
    """Column-safe slug of a level name: ``"Not certified"`` -> ``"not_certified"``."""
    return identifier_slug(level, fallback="level")


# ------------------------------------------------------------------------- simulation
def draw_weights(base_weights, *, n_draws: int, perturbation: float, rng: np.random.Generator) -> np.ndarray:
    """(n_draws x components) weights: each base weight times U(1-p, 1+p), rows renormalised."""
    w0 = np.asarray(base_weights, dtype=float)
    if not 0 <= perturbation < 1:
        raise ValueError(f"perturbation must be in [0, 1), got {perturbation}")
    factors = rng.uniform(1.0 - perturbation, 1.0 + perturbation, size=(int(n_draws), w0.size))
    w = w0 * factors
    return w / w.sum(axis=1, keepdims=True)


def draw_aggregations(*, n_draws: int, n_choices: int, rng: np.random.Generator) -> np.ndarray:
    """(n_draws,) index of the aggregation used in each draw, uniform over the choices."""
    return rng.integers(0, n_choices, size=int(n_draws))


def aggregate(components: np.ndarray, weights: np.ndarray, choice: np.ndarray, aggregations,
              *, offset: float = GEOMETRIC_OFFSET) -> np.ndarray:
    """Scores of every city in every draw, shape (draws x cities).

    Parameters
    ----------
    components : array
        (cities x components) scores (0-100) shared by every draw, or
        (draws x cities x components) scores of each draw (when the draws also
        change how component scores are computed: maxima, missing values).
    weights : (draws x components) array, rows summing to 1
    choice : (draws,) index into ``aggregations`` for each draw
    aggregations : sequence of ``"arithmetic"`` / ``"geometric"``
    offset : float
        The geometric mean's zero rule (see the module notes).

    A missing (NaN) component score makes the city's score NaN in that draw.
    """
    x = np.asarray(components, dtype=float)
    w = np.asarray(weights, dtype=float)
    per_draw = x.ndim == 3
    out = np.empty((w.shape[0], x.shape[-2]))
    for code, name in enumerate(aggregations):
        rows = choice == code
        if not rows.any():
            continue
        if name not in AGGREGATIONS:
            raise ValueError(f"unknown aggregation {name!r}; use {' or '.join(AGGREGATIONS)}")
        if per_draw:
            values = x[rows] if name == "arithmetic" else np.log(x[rows] + offset)
            mean = np.einsum("dck,dk->dc", values, w[rows])
        else:
            mean = w[rows] @ (x if name == "arithmetic" else np.log(x + offset)).T
        out[rows] = mean if name == "arithmetic" else np.exp(mean) - offset
    return np.round(out, OVERALL_DECIMALS)


def competition_ranks(scores: np.ndarray) -> np.ndarray:
    """Row-wise competition ranks, highest score = 1, ties share the best rank.

    Works on a 1-D array (one ranking) or a 2-D (draws x cities) array.
    """
    s = np.atleast_2d(np.asarray(scores, dtype=float))
    order = np.argsort(-s, axis=1, kind="stable")
    sorted_s = np.take_along_axis(s, order, axis=1)
    n = s.shape[1]
    pos = np.broadcast_to(np.arange(1, n + 1), s.shape)
    new_value = np.ones(s.shape, dtype=bool)
    new_value[:, 1:] = sorted_s[:, 1:] != sorted_s[:, :-1]
    # first position of each run of equal scores, carried forward along the run
    run_start = np.maximum.accumulate(np.where(new_value, pos, 0), axis=1)
    ranks = np.empty(s.shape, dtype=np.int64)
    np.put_along_axis(ranks, order, run_start, axis=1)
    return ranks if np.ndim(scores) == 2 else ranks[0]


def summarise_draws(info: pd.DataFrame, *, cycle: int, sims: np.ndarray, ranks: np.ndarray, levels: np.ndarray,
                    nominal: np.ndarray, nominal_rank: np.ndarray, nominal_level: np.ndarray,
                    level_names, certified, unscored_column: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-city summary of simulated scores, ranks and levels (the tables of :class:`RankRobustness`).

    ``sims``, ``ranks`` and ``levels`` are (draws x cities); a draw in which a
    city has no score has NaN score and rank and level -1, and is left out of
    its rank and score quantiles (``p_unscored``, with ``unscored_column``,
    gives their share). Returns the wide ``cities`` and the long
    ``level_probabilities`` tables.
    """
    names = list(level_names)
    certified = np.asarray(certified, dtype=bool)
    n = len(info)
    if n:
        probs = np.stack([(levels == i).mean(axis=0) for i in range(len(names))], axis=1)
        scored_draws = ~np.isnan(sims)
        if scored_draws.all():
            p05, med, p95 = np.quantile(ranks, [0.05, 0.5, 0.95], axis=0, method="inverted_cdf")
            s05, s95 = np.quantile(sims, [0.05, 0.95], axis=0)
            mean_score = sims.mean(axis=0)
        else:
            with warnings.catch_warnings():  # a city never scored: all-NaN column
                warnings.simplefilter("ignore", RuntimeWarning)
                p05, med, p95 = np.nanquantile(ranks, [0.05, 0.5, 0.95], axis=0, method="inverted_cdf")
                s05, s95 = np.nanquantile(sims, [0.05, 0.95], axis=0)
                mean_score = np.nanmean(sims, axis=0)
        unscored = 1.0 - scored_draws.mean(axis=0)
    else:
        probs = np.zeros((0, len(names)))
        p05 = med = p95 = s05 = s95 = mean_score = unscored = np.array([])

    def _int(values):
        v = np.asarray(values, dtype=float)
        if not np.isnan(v).any():
            return v.astype(np.int64)
        return pd.array(np.where(np.isnan(v), None, v), dtype="Int64")

    cities = info.reset_index(drop=True).assign(cycle=cycle)
    nominal = np.asarray(nominal, dtype=float)
    nominal_level = np.asarray(nominal_level)
    cities["nominal_score"] = nominal
    cities["nominal_rank"] = _int(nominal_rank)
    named = np.asarray(names, dtype=object)[np.maximum(nominal_level, 0)] if n else []
    cities["nominal_level"] = np.where(nominal_level >= 0, named, None) if n else []
    cities["median_rank"] = _int(med)
    cities["rank_p05"] = _int(p05)
    cities["rank_p95"] = _int(p95)
    cities["rank_interval_width"] = cities["rank_p95"] - cities["rank_p05"]
    cities["mean_score"] = mean_score
    cities["score_p05"] = s05
    cities["score_p95"] = s95
    cities["modal_level"] = np.asarray(names, dtype=object)[probs.argmax(axis=1)] if n else []
    cities["p_certified"] = probs[:, certified].sum(axis=1)
    slugs = [f"p_{level_slug(x)}" for x in names]
    for j, col in enumerate(slugs):
        cities[col] = probs[:, j]
    lead = ["cycle", "city", "state", "region", "nominal_score", "nominal_rank", "nominal_level", "median_rank",
            "rank_p05", "rank_p95", "rank_interval_width", "mean_score", "score_p05", "score_p95",
            "modal_level", "p_certified"]
    tail = []
    if unscored_column:
        cities["p_unscored"] = unscored
        tail = ["p_unscored"]
    cities = cities[lead + slugs + tail].sort_values(["nominal_rank", "city"], na_position="last")
    cities = cities.reset_index(drop=True)
    info_cities = info["city"].to_numpy(object)
    long = pd.DataFrame({
        "cycle": cycle,
        "city": np.repeat(info_cities, len(names)),
        "level": np.tile(np.asarray(names, dtype=object), n),
        "level_order": np.tile(np.arange(len(names)), n),
        "certified": np.tile(certified, n),
        "probability": probs.reshape(-1),
    })
    order = dict(zip(cities["city"], range(len(cities))))
    long = long.sort_values(["city", "level_order"], key=lambda s: s.map(order) if s.name == "city" else s)
    return cities, long.reset_index(drop=True)


# ------------------------------------------------------------------------------- main
@expects_table("scored")
def rank_robustness(scored: pd.DataFrame, *, cycle: int = 0,
                    frameworks: dict[int, Framework] | None = None, n_draws: int = N_DRAWS,
                    perturbation: float = PERTURBATION, aggregations=AGGREGATIONS,
                    geometric_offset: float = GEOMETRIC_OFFSET, seed: int = 0) -> RankRobustness:
    """Monte Carlo uncertainty of the ranks and certification levels of one cycle.

    Parameters
    ----------
    scored : DataFrame
        Output of :func:`~dmaf_analysis.scoring.score_cities`.
    cycle : int, default 0
        The cycle; 0 means the latest in ``scored``.
    n_draws : int, default 10,000
    perturbation : float, default 0.25
        Each weight is multiplied by U(1 - p, 1 + p) before renormalising;
        0 keeps the framework weights.
    aggregations : sequence, default ("arithmetic", "geometric")
        Aggregations to draw from, uniformly; ``("arithmetic",)`` varies the
        weights only.
    geometric_offset : float, default 1
        Zero rule of the geometric mean (see the module notes).
    seed : int, default 0

    Returns
    -------
    RankRobustness
        ``cities`` (wide, per city), ``level_probabilities`` (long) and
        ``settings``; see :class:`RankRobustness` for the columns. Cities
        with a missing component score are left out (counted in
        ``settings.n_excluded``).
    """
    frameworks = frameworks_or_bundled(frameworks)
    if scored.empty:
        raise NoDataError("no scored cities to analyse")

    cycle = resolve_cycle(pd.unique(scored["cycle"]), cycle)
    part = scored[scored["cycle"] == cycle]
    if part.empty:
        raise CycleNotInDataError(f"no scores for cycle {cycle}")
    if int(n_draws) < 1:
        raise ValueError("n_draws must be at least 1")
    aggregations = tuple(aggregations)
    if not aggregations or any(a not in AGGREGATIONS for a in aggregations):
        raise ValueError(f"aggregations must be drawn from {AGGREGATIONS}, got {aggregations}")
    if geometric_offset <= 0 and "geometric" in aggregations:
        raise ValueError("geometric_offset must be positive (it keeps zero scores finite)")
    fw = frameworks[cycle]
    comp = part[fw.component_ids].apply(pd.to_numeric, errors="coerce")
    ok = comp.notna().all(axis=1)
    info = part.loc[ok, ["city", "state", "region"]].reset_index(drop=True)
    x = comp[ok].to_numpy(float)
    w0 = fw.weights.reindex(fw.component_ids).to_numpy(float)
    w0 = w0 / w0.sum()

    rng = np.random.default_rng(seed)
    weights = draw_weights(w0, n_draws=n_draws, perturbation=perturbation, rng=rng)
    choice = draw_aggregations(n_draws=n_draws, n_choices=len(aggregations), rng=rng)
    sims = aggregate(x, weights, choice, aggregations, offset=geometric_offset)
    ranks = competition_ranks(sims)
    mins = fw.levels["min_score"].to_numpy(float)
    lev = level_index(sims, mins)

    nominal = np.round(x @ w0, OVERALL_DECIMALS)
    nominal_rank = competition_ranks(nominal) if len(nominal) else np.array([], dtype=int)
    cities, long = summarise_draws(
        info, cycle=cycle, sims=sims, ranks=ranks, levels=lev, nominal=nominal, nominal_rank=nominal_rank,
        nominal_level=level_index(nominal, mins) if len(x) else np.array([], dtype=int),
        level_names=fw.levels["level"].tolist(), certified=fw.levels["certified"].to_numpy(bool))
    settings = pd.DataFrame([{
        "cycle": cycle, "n_draws": int(n_draws), "perturbation": float(perturbation),
        "aggregations": "+".join(aggregations), "geometric_offset": float(geometric_offset), "seed": int(seed),
        "n_cities": int(len(info)), "n_excluded": int((~ok).sum())}])
    return RankRobustness(cities=cities, level_probabilities=long, settings=settings)
