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
           "competition_ranks", "draw_aggregations", "draw_weights", "DrawSummary", "level_slug", "rank_robustness",
           "summarise_draws", "summary_tables"]

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


#: Quantiles of each city's rank over the draws (inverted empirical CDF: ranks that occurred).
_RANK_QUANTILES = (0.05, 0.5, 0.95)
#: Quantiles of each city's score over the draws (numpy's default, linear interpolation).
_SCORE_QUANTILES = (0.05, 0.95)


def _draw_statistics(sims: np.ndarray, ranks: np.ndarray, levels: np.ndarray, n_levels: int) -> dict:
    """Per-city statistics of (draws x cities) scores, ranks and levels, for :func:`summary_tables`.

    Returns
    -------
    dict
        ``probs`` (cities x levels), ``rank_q`` (rank quantiles x cities),
        ``score_q`` (score quantiles x cities), ``mean_score`` and ``unscored``
        (share of draws without a score) per city.
    """
    n = sims.shape[1] if np.ndim(sims) == 2 else 0
    if not n:
        empty = np.array([])
        return {"probs": np.zeros((0, n_levels)), "rank_q": np.zeros((len(_RANK_QUANTILES), 0)),
                "score_q": np.zeros((len(_SCORE_QUANTILES), 0)), "mean_score": empty, "unscored": empty}
    probs = np.stack([(levels == i).mean(axis=0) for i in range(n_levels)], axis=1)
    scored_draws = ~np.isnan(sims)
    if scored_draws.all():
        rank_q = np.quantile(ranks, _RANK_QUANTILES, axis=0, method="inverted_cdf")
        score_q = np.quantile(sims, _SCORE_QUANTILES, axis=0)
        mean_score = sims.mean(axis=0)
    else:
        with warnings.catch_warnings():  # a city never scored: all-NaN column
            warnings.simplefilter("ignore", RuntimeWarning)
            rank_q = np.nanquantile(ranks, _RANK_QUANTILES, axis=0, method="inverted_cdf")
            score_q = np.nanquantile(sims, _SCORE_QUANTILES, axis=0)
            mean_score = np.nanmean(sims, axis=0)
    return {"probs": probs, "rank_q": rank_q, "score_q": score_q, "mean_score": mean_score,
            "unscored": 1.0 - scored_draws.mean(axis=0)}


class DrawSummary:
    """The statistics of :func:`summarise_draws`, accumulated a chunk of draws at a time.

    The same numbers as on all the draws at once, in memory that does not grow
    with the draws except for the score tails: per city, the count of each
    level and of each rank (ranks are whole numbers from 1 to the number of
    cities, so their quantiles come exactly from the counts), the number of
    scored draws and their sum, and the lowest and highest scores, as many as
    the score quantiles can reach (5 % of the draws and a few more, each side).

    Parameters
    ----------
    n_cities, n_levels : int
    n_draws : int
        The draws that will be added in all.

    Notes
    -----
    :meth:`add` takes (draws x cities) ``sims`` (NaN when unscored),
    ``ranks`` (competition ranks, NaN when unscored) and ``levels`` (-1 when
    unscored); :meth:`statistics` gives what ``_draw_statistics`` gives on all
    of them at once.
    """

    def __init__(self, n_cities: int, n_levels: int, n_draws: int):
        self.n_cities, self.n_levels, self.n_draws = int(n_cities), int(n_levels), int(n_draws)
        tail = max(min(q, 1 - q) for q in _SCORE_QUANTILES)
        # the linear quantile at q reads the order statistics floor((n - 1) q) and the next one
        self.keep = min(self.n_draws, int(np.ceil(tail * self.n_draws)) + 3)
        c = self.n_cities
        self.level_counts = np.zeros((c, self.n_levels), dtype=np.int64)
        self.rank_counts = np.zeros((c, c + 1), dtype=np.int64)  # column 0: no rank
        self.scored = np.zeros(c, dtype=np.int64)
        self.score_sum = np.zeros(c)
        self.low = np.empty((0, c))
        self.high = np.empty((0, c))
        self._pending: list[np.ndarray] = []
        self._pending_rows = 0
        self.added = 0

    def add(self, sims: np.ndarray, ranks: np.ndarray, levels: np.ndarray) -> None:
        """Add a chunk of (draws x cities) scores, ranks and levels."""
        c = self.n_cities
        n_rows = np.shape(sims)[0]
        if self.added + n_rows > self.n_draws:
            raise ValueError(f"more than the {self.n_draws} draws announced")
        self.added += n_rows
        if not c:
            return
        sims = np.asarray(sims, dtype=float).reshape(n_rows, c)
        ranks = np.asarray(ranks, dtype=float).reshape(n_rows, c)
        levels = np.asarray(levels).reshape(n_rows, c)
        for i in range(self.n_levels):
            self.level_counts[:, i] += (levels == i).sum(axis=0)
        valid = ~np.isnan(sims)
        self.scored += valid.sum(axis=0)
        self.score_sum += np.where(valid, sims, 0.0).sum(axis=0)
        r = np.where(np.isnan(ranks), 0.0, ranks)
        if r.size and (r.min() < 0 or r.max() > c or not np.array_equal(r, np.floor(r))):
            raise ValueError(f"ranks must be whole numbers from 1 to {c}")
        flat = (r.astype(np.int64) + (c + 1) * np.arange(c)).ravel()
        self.rank_counts += np.bincount(flat, minlength=c * (c + 1)).reshape(c, c + 1)
        self._pending.append(sims.copy())
        self._pending_rows += n_rows
        if self._pending_rows >= max(1, self.keep // 2):  # tails and pending draws stay near 3 tails
            self._merge()

    def _merge(self) -> None:
        """Fold the pending draws into the lowest and highest scores kept (NaN counts as neither)."""
        if not self._pending:
            return
        low = np.concatenate([self.low, *self._pending], axis=0)
        self.low = None
        low[np.isnan(low)] = np.inf
        if len(low) > self.keep:
            low.partition(self.keep - 1, axis=0)
            low = low[:self.keep].copy()
        self.low = low
        high = np.concatenate([self.high, *self._pending], axis=0)
        self._pending, self._pending_rows, self.high = [], 0, None
        high[np.isnan(high)] = -np.inf
        if len(high) > self.keep:
            high.partition(len(high) - self.keep, axis=0)
            high = high[len(high) - self.keep:].copy()
        self.high = high

    def statistics(self) -> dict:
        """The statistics of the draws added (as ``_draw_statistics`` on all of them at once)."""
        self._merge()
        c, n = self.n_cities, self.added
        if not c:
            return _draw_statistics(np.zeros((n, 0)), np.zeros((n, 0)), np.zeros((n, 0)), self.n_levels)
        probs = self.level_counts / n
        rank_q = np.full((len(_RANK_QUANTILES), c), np.nan)
        score_q = np.full((len(_SCORE_QUANTILES), c), np.nan)
        self.low.sort(axis=0)
        self.high.sort(axis=0)
        low, high = self.low, self.high
        values = np.arange(1, c + 1, dtype=float)
        for j in range(c):
            if self.rank_counts[j, 1:].any():
                rank_q[:, j] = np.quantile(np.repeat(values, self.rank_counts[j, 1:]), _RANK_QUANTILES,
                                           method="inverted_cdf")
            if self.scored[j]:
                score_q[:, j] = np.quantile(self._sorted_scores(low[:, j], high[:, j], int(self.scored[j])),
                                            _SCORE_QUANTILES)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean_score = self.score_sum / self.scored
        return {"probs": probs, "rank_q": rank_q, "score_q": score_q, "mean_score": mean_score,
                "unscored": 1.0 - self.scored / n}

    def _sorted_scores(self, low: np.ndarray, high: np.ndarray, n_scored: int) -> np.ndarray:
        """A sorted stand-in for a city's ``n_scored`` scores: exact in the tails the quantiles read.

        ``low`` / ``high`` are the sorted lowest / highest scores kept. When
        not every score is kept, the middle ones are replaced by the highest
        low score, which keeps the array sorted and every order statistic of
        the tails in place.
        """
        keep = len(low)
        if n_scored <= keep:
            return low[:n_scored]
        middle = np.full(max(0, n_scored - 2 * keep), low[keep - 1])
        return np.concatenate([low, middle, high[len(high) - min(n_scored - keep, len(high)):]])


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
    statistics = _draw_statistics(sims, ranks, levels, len(list(level_names))) if len(info) else None
    return summary_tables(info, cycle=cycle, statistics=statistics, nominal=nominal, nominal_rank=nominal_rank,
                          nominal_level=nominal_level, level_names=level_names, certified=certified,
                          unscored_column=unscored_column)


def summary_tables(info: pd.DataFrame, *, cycle: int, statistics: dict | None, nominal: np.ndarray,
                   nominal_rank: np.ndarray, nominal_level: np.ndarray, level_names, certified,
                   unscored_column: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``cities`` and ``level_probabilities`` tables of :func:`summarise_draws` from per-city statistics.

    ``statistics`` is what ``_draw_statistics`` or :meth:`DrawSummary.statistics`
    gives (None when there is no city).
    """
    names = list(level_names)
    certified = np.asarray(certified, dtype=bool)
    n = len(info)
    if n:
        probs = statistics["probs"]
        p05, med, p95 = statistics["rank_q"]
        s05, s95 = statistics["score_q"]
        mean_score, unscored = statistics["mean_score"], statistics["unscored"]
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
