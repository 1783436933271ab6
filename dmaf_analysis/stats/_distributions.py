"""How scores are spread in one cycle: shape, floor and ceiling effects, ranks and levels.

Moments and inequality of a sample (:func:`skewness`, :func:`excess_kurtosis`,
:func:`gini`) with the JRC/OECD audit flags (:func:`outlier_flags`), and the tables
built from them: every measure's distribution (:func:`distribution_summary`), every
indicator's floor and ceiling effects (:func:`indicator_distribution`), the
ranking with its ties (:func:`leaderboard`) and the cities per level
(:func:`level_counts`). The conventions (G1, G2, Gini over all ordered pairs) are
those of :mod:`dmaf_analysis.stats`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as _st

from .._util.numeric import TOLERANCE as _TOL
from .._util.numeric import summary_statistics
from ..framework import Framework, frameworks_or_bundled
from ..io import expects_table
from ._common import measures_for, numeric_values, select_cycles

__all__ = [
    "KURTOSIS_LIMIT", "SKEW_LIMIT", "distribution_summary", "excess_kurtosis", "gini",
    "indicator_distribution", "leaderboard", "level_counts", "outlier_flags", "skewness",
]

#: Thresholds the JRC/OECD audit uses to flag a distribution that may distort
#: correlations: absolute skewness above 2 *and/or* (excess) kurtosis above 3.5.
#: ``skew_flag`` and ``kurtosis_flag`` test each on its own; ``outlier_flag`` is the
#: JRC's joint rule (both at once), under which the JRC treats outliers.
SKEW_LIMIT = 2.0
KURTOSIS_LIMIT = 3.5


def _moment_sample(values, min_n: int) -> np.ndarray | None:
    """Non-missing values, or None when there are fewer than ``min_n`` or all are equal."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size < min_n or np.ptp(x) <= _TOL * max(1.0, float(np.abs(x).max())):
        return None
    return x


def outlier_flags(skew: float, kurtosis: float) -> dict[str, bool]:
    """The audit flags of one distribution: ``skew_flag`` (|skew| > 2), ``kurtosis_flag``
    (excess kurtosis > 3.5) and the JRC's joint ``outlier_flag`` (both); False when undefined (NaN)."""
    sk = bool(abs(skew) > SKEW_LIMIT) if not np.isnan(skew) else False
    ku = bool(kurtosis > KURTOSIS_LIMIT) if not np.isnan(kurtosis) else False
    return {"skew_flag": sk, "kurtosis_flag": ku, "outlier_flag": sk and ku}


def skewness(values) -> float:
    """Adjusted Fisher-Pearson skewness G1 (``scipy.stats.skew(bias=False)``).

    NaN with fewer than 3 values or when every value is the same.
    """
    x = _moment_sample(values, 3)
    return float("nan") if x is None else float(_st.skew(x, bias=False))


def excess_kurtosis(values) -> float:
    """Bias-corrected excess kurtosis G2 (``scipy.stats.kurtosis(fisher=True, bias=False)``).

    NaN with fewer than 4 values or when every value is the same.
    """
    x = _moment_sample(values, 4)
    return float("nan") if x is None else float(_st.kurtosis(x, fisher=True, bias=False))


def gini(values) -> float:
    """Gini coefficient: mean absolute difference / (2 * mean).

    The mean absolute difference averages ``|x_i - x_j|`` over all ``n**2``
    ordered pairs (each value paired with itself too), so that n equal values
    give 0 and one non-zero value among n gives ``(n - 1) / n``. Missing values
    are ignored. Returns NaN for no values or an all-zero (mean 0) sample, where
    inequality is undefined. Values are expected to be non-negative.
    """
    x = np.sort(np.asarray(values, dtype=float))
    x = x[~np.isnan(x)]
    n = x.size
    if n == 0 or abs(x.sum()) <= _TOL:
        return float("nan")
    i = np.arange(1, n + 1)
    # sum_{i,j} |x_i - x_j| = 2 * sum_i (2i - n - 1) x_(i) for sorted x
    return float(np.sum((2 * i - n - 1) * x) / (n * x.sum()))


@expects_table("scored")
def distribution_summary(scored: pd.DataFrame, *, cycle: int | None = None,
                         frameworks: dict[int, Framework] | None = None) -> pd.DataFrame:
    """Distribution of every component and of the overall score, per cycle.

    Parameters
    ----------
    scored : DataFrame
        Output of :func:`~dmaf_analysis.scoring.score_cities`.
    cycle : int, optional
        Only this cycle (default: every cycle in ``scored``).

    Returns
    -------
    DataFrame
        One row per (cycle, measure), columns ``cycle, measure, n, mean, median,
        sd, min, q1, q3, max, skew, kurtosis, share_zero, share_full, gini,
        skew_flag, kurtosis_flag``. ``share_zero`` / ``share_full`` are the
        shares of cities scoring exactly 0 / the maximum (100) - floor and
        ceiling effects. ``skew`` is G1, ``kurtosis`` excess kurtosis G2 (see
        the module notes); ``skew_flag`` is ``|skew| > 2``,
        ``kurtosis_flag`` is ``kurtosis > 3.5`` and ``outlier_flag`` is both at
        once (the JRC's joint rule for outliers).
    """
    frameworks = frameworks_or_bundled(frameworks)
    rows = []
    for cyc in select_cycles(scored, cycle):
        part = scored[scored["cycle"] == cyc]
        for measure in measures_for(frameworks[cyc]):
            x = numeric_values(part[measure]) if measure in part else np.array([])
            rows.append({"cycle": cyc, "measure": measure, **_describe(x, 100.0)})
    cols = ["cycle", "measure", "n", "mean", "median", "sd", "min", "q1", "q3", "max", "skew",
            "kurtosis", "share_zero", "share_full", "gini", "skew_flag", "kurtosis_flag", "outlier_flag"]
    return pd.DataFrame(rows, columns=cols)


def _describe(x: np.ndarray, maximum: float) -> dict:
    s = summary_statistics(x)
    n = s["n"]
    if n == 0:
        nan = float("nan")
        return dict(s, sd=nan, skew=nan, kurtosis=nan, share_zero=nan, share_full=nan, gini=nan,
                    skew_flag=False, kurtosis_flag=False, outlier_flag=False)
    sk, ku = skewness(x), excess_kurtosis(x)
    return dict(s, sd=float(x.std(ddof=1)) if n > 1 else float("nan"), skew=sk, kurtosis=ku,
                share_zero=float(np.mean(np.abs(x) <= _TOL)),
                share_full=float(np.mean(x >= maximum - _TOL)), gini=gini(x),
                **outlier_flags(sk, ku))


@expects_table("scores")
def indicator_distribution(scores: pd.DataFrame, *, cycle: int | None = None,
                           frameworks: dict[int, Framework] | None = None) -> pd.DataFrame:
    """Floor and ceiling effects of every indicator.

    Parameters
    ----------
    scores : DataFrame
        The validated long score table (``cycle, city, indicator, score``).

    Returns
    -------
    DataFrame
        One row per (cycle, indicator) in framework order, columns ``cycle,
        component, indicator, name, max_score, n, n_missing, share_zero,
        share_partial, share_full, mean, mean_share, skew, kurtosis, skew_flag,
        kurtosis_flag``. ``n`` counts cities with a score; the shares
        (of those cities) of scoring 0, something between 0 and the maximum,
        and the maximum sum to 1. ``mean_share`` is the mean as a share of the
        maximum; ``n_missing`` counts rows with an empty score. The flags are
        as in :func:`distribution_summary` (``outlier_flag``: the JRC joint rule).
    """
    frameworks = frameworks_or_bundled(frameworks)
    rows = []
    for cyc in select_cycles(scores, cycle):
        fw = frameworks[cyc]
        part = scores[scores["cycle"] == cyc]
        by_ind = {k: v for k, v in part.groupby("indicator", sort=False)["score"]}
        for ind in fw.indicators.itertuples(index=False):
            s = by_ind.get(ind.indicator, pd.Series(dtype=float))
            x = numeric_values(s)
            n = int(x.size)
            zero = float(np.mean(np.abs(x) <= _TOL)) if n else float("nan")
            full = float(np.mean(x >= ind.max_score - _TOL)) if n else float("nan")
            sk, ku = skewness(x), excess_kurtosis(x)
            rows.append({
                "cycle": cyc, "component": ind.component, "indicator": ind.indicator, "name": ind.name,
                "max_score": float(ind.max_score), "n": n, "n_missing": int(s.isna().sum()),
                "share_zero": zero, "share_partial": (1.0 - zero - full) if n else float("nan"),
                "share_full": full, "mean": float(x.mean()) if n else float("nan"),
                "mean_share": float(x.mean() / ind.max_score) if n else float("nan"),
                "skew": sk, "kurtosis": ku,
                **outlier_flags(sk, ku),
            })
    cols = ["cycle", "component", "indicator", "name", "max_score", "n", "n_missing", "share_zero",
            "share_partial", "share_full", "mean", "mean_share", "skew", "kurtosis", "skew_flag",
            "kurtosis_flag", "outlier_flag"]
    return pd.DataFrame(rows, columns=cols)


@expects_table("scored")
def leaderboard(scored: pd.DataFrame, *, cycle: int, top: int | None = None,
                frameworks: dict[int, Framework] | None = None) -> pd.DataFrame:
    """The ranking of one cycle, ties made visible.

    Returns
    -------
    DataFrame
        Columns ``cycle, rank, rank_label, tied, city, state, region, overall,
        level, certified, <components>``, then ``n_synthetic_values`` and
        ``n_missing_values`` (how many of the city's indicator values are
        synthetic, and missing: what the row's scores rest on; ``n_synthetic`` and
        ``n_missing`` of ``scored``) when ``scored`` has them, best first (cities
        without an overall score last). ``rank`` is the competition rank from ``score_cities``
        (1, 2, 3, 3, 5); ``rank_label`` adds ``=`` to shared ranks ("3=");
        ``tied`` says whether the rank is shared. ``top`` keeps the cities
        ranked ``top`` or better (so a tie at the cut-off keeps every tied city).
    """
    frameworks = frameworks_or_bundled(frameworks)
    fw = frameworks[int(cycle)]
    part = scored[scored["cycle"] == int(cycle)].copy()
    rank = part["rank"].astype("Int64")
    counts = rank.map(rank.value_counts())
    tied = (counts > 1).fillna(False).astype(bool)
    label = rank.astype(str).where(rank.notna(), "")
    label = label.where(~tied, label + "=")
    part = part.assign(rank=rank, rank_label=label, tied=tied)
    part = part.sort_values(["rank", "city"], na_position="last")
    if top is not None:
        part = part[part["rank"].notna() & (part["rank"] <= int(top))]
    cols = ["cycle", "rank", "rank_label", "tied", "city", "state", "region", "overall", "level",
            "certified", *fw.component_ids]
    counts = {c: f"{c}_values" for c in ("n_synthetic", "n_missing") if c in part.columns}
    return part[cols + list(counts)].rename(columns=counts).reset_index(drop=True)


@expects_table("scored")
def level_counts(scored: pd.DataFrame, *, cycle: int | None = None,
                 frameworks: dict[int, Framework] | None = None) -> pd.DataFrame:
    """How many cities reached each certification level.

    Returns
    -------
    DataFrame
        One row per (cycle, level), every level of the framework listed even
        when no city reached it, columns ``cycle, level, level_order,
        min_score, certified, n, share``. ``share`` is of the cities with an
        overall score; ``level_order`` counts from 0 (lowest level).
    """
    frameworks = frameworks_or_bundled(frameworks)
    rows = []
    for cyc in select_cycles(scored, cycle):
        fw = frameworks[cyc]
        part = scored[(scored["cycle"] == cyc) & scored["overall"].notna()]
        counts = part["level"].value_counts()
        total = len(part)
        for order, lev in enumerate(fw.levels.itertuples(index=False)):
            n = int(counts.get(lev.level, 0))
            rows.append({"cycle": cyc, "level": lev.level, "level_order": order,
                         "min_score": float(lev.min_score), "certified": bool(lev.certified), "n": n,
                         "share": n / total if total else float("nan")})
    return pd.DataFrame(rows, columns=["cycle", "level", "level_order", "min_score", "certified", "n", "share"])
