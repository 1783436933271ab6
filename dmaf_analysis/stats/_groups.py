"""Maturity against what a city is: its group (any column of the cities or attribute table) and its engagement.

Each group's median of every measure with a percentile bootstrap interval
(:func:`group_medians`, built on :func:`bootstrap_ci` and :func:`cell_seed`, which
``_trends`` uses too), a Kruskal-Wallis test across the groups
(:func:`kruskal_by_group`), and the City Engagement Score beside the overall score
with their Spearman correlation (:func:`engagement_table`,
:func:`engagement_association`). Bootstrap cells are seeded from ``seed`` and a CRC32
of their own key (see :mod:`dmaf_analysis.stats`).
"""
from __future__ import annotations

import zlib
from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import stats as _st

from ..framework import Framework, frameworks_or_bundled
from ..io import expects_table
from ..scoring import group_values
from ._common import measures_for, numeric_values, select_cycles, spearman

__all__ = [
    "CI_LEVEL", "GROUPINGS", "N_BOOT", "bootstrap_ci", "cell_seed", "engagement_association",
    "engagement_table", "group_medians", "kruskal_by_group",
]

#: Default bootstrap settings.
N_BOOT = 2000
CI_LEVEL = 0.95

GROUPINGS = ("state", "region", "selection_round")


def _statistic(statistic: str | Callable) -> Callable:
    if callable(statistic):
        return statistic
    if statistic == "median":
        return np.median
    if statistic == "mean":
        return np.mean
    raise ValueError(f"statistic must be 'median', 'mean' or a callable, got {statistic!r}")


def cell_seed(seed: int, *key) -> np.random.Generator:
    """A generator seeded by ``seed`` and a stable CRC32 of ``key``."""
    text = "\x1f".join(str(k) for k in key).encode("utf-8")
    return np.random.default_rng([int(seed), zlib.crc32(text)])


def bootstrap_ci(values, *, statistic: str | Callable = "median", n_boot: int = N_BOOT,
                 level: float = CI_LEVEL, seed: int | np.random.Generator = 0) -> tuple[float, float]:
    """Percentile bootstrap confidence interval of a statistic.

    Parameters
    ----------
    values : array-like
        The sample (NaN values are dropped).
    statistic : {"median", "mean"} or callable
        A callable must accept ``(array, axis=1)``.
    n_boot : int, default 2000
    level : float, default 0.95
    seed : int or numpy Generator
        Same seed, same interval.

    Returns
    -------
    (low, high) : tuple of float
        NaN for an empty sample; ``(x, x)`` for a single value.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return float("nan"), float("nan")
    if not 0 < level < 1:
        raise ValueError(f"level must lie between 0 and 1, got {level}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    idx = rng.integers(0, x.size, size=(int(n_boot), x.size))
    boot = _statistic(statistic)(x[idx], axis=1)
    alpha = (1.0 - level) / 2.0
    low, high = np.quantile(boot, [alpha, 1.0 - alpha])
    return float(low), float(high)


def _group_values(part: pd.DataFrame, by: str, cities, attributes) -> pd.Series:
    """The group of each city (any column of the cities or attribute table, see
    :func:`~dmaf_analysis.scoring.group_values`); None where the table gives none (missing or empty)."""
    return group_values(part, by, cities=cities, attributes=attributes)


@expects_table("scored")
def group_medians(scored: pd.DataFrame, *, by: str = "region", cycle: int | None = None,
                  frameworks: dict[int, Framework] | None = None, n_boot: int = N_BOOT,
                  level: float = CI_LEVEL, seed: int = 0, cities: pd.DataFrame | None = None,
                  attributes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Median of every measure per group, with a bootstrap confidence interval.

    Parameters
    ----------
    by : str, default "region"
        Any column of the cities table (``cities``, default the bundled one:
        ``state``, ``region``, ``selection_round``...) or of the attribute
        table ``attributes``; an unknown column is an error listing those there are.
    n_boot, level, seed
        Percentile bootstrap settings (see the module notes).

    Returns
    -------
    DataFrame
        One row per (cycle, group, measure), columns ``cycle, grouping, group,
        measure, n, median, ci_low, ci_high, mean, n_certified,
        share_certified``. Cities without a group are in ``(unknown)``; no rows
        when no city has one (a cities table without that column);
        ``n_certified`` / ``share_certified`` count the group's certified
        cities among those with an overall score.
    """
    frameworks = frameworks_or_bundled(frameworks)
    rows = []
    for cyc in select_cycles(scored, cycle):
        part = scored[scored["cycle"] == cyc]
        groups = _group_values(part, by, cities, attributes)
        if groups.isna().all():  # the cities table does not give this grouping: no rows
            continue
        groups = groups.fillna("(unknown)")
        for group, members in part.groupby(groups.to_numpy(), sort=True):
            with_overall = members[members["overall"].notna()]
            n_cert = int(with_overall["certified"].astype(bool).sum())
            share = n_cert / len(with_overall) if len(with_overall) else float("nan")
            for measure in measures_for(frameworks[cyc]):
                x = numeric_values(members[measure])
                low, high = bootstrap_ci(x, statistic="median", n_boot=n_boot, level=level,
                                         seed=cell_seed(seed, cyc, by, group, measure))
                rows.append({"cycle": cyc, "grouping": by, "group": group, "measure": measure,
                             "n": int(x.size), "median": float(np.median(x)) if x.size else float("nan"),
                             "ci_low": low, "ci_high": high,
                             "mean": float(x.mean()) if x.size else float("nan"),
                             "n_certified": n_cert, "share_certified": share})
    return pd.DataFrame(rows, columns=["cycle", "grouping", "group", "measure", "n", "median", "ci_low",
                                       "ci_high", "mean", "n_certified", "share_certified"])


@expects_table("scored")
def kruskal_by_group(scored: pd.DataFrame, *, by: str = "region", cycle: int | None = None,
                     frameworks: dict[int, Framework] | None = None, cities: pd.DataFrame | None = None,
                     attributes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Kruskal-Wallis H test of every measure across groups (default: regions; ``by``, ``cities`` and
    ``attributes`` as in :func:`group_medians`).

    Returns
    -------
    DataFrame
        One row per (cycle, measure), columns ``cycle, grouping, measure,
        n_groups, n, statistic, p_value, epsilon_squared``: ``statistic`` and
        ``p_value`` are ``scipy.stats.kruskal``'s (tie-corrected H);
        ``epsilon_squared = H / (n - 1)`` is the effect size. Cities without a
        group are left out. NaN with fewer than 2 groups or when every value
        is the same.
    """
    frameworks = frameworks_or_bundled(frameworks)
    rows = []
    for cyc in select_cycles(scored, cycle):
        part = scored[scored["cycle"] == cyc]
        groups = _group_values(part, by, cities, attributes)
        part, groups = part[groups.notna()], groups[groups.notna()].astype(str)
        if part.empty:  # the cities table does not give this grouping: no rows
            continue
        for measure in measures_for(frameworks[cyc]):
            samples = [x for _, g in part.groupby(groups.to_numpy(), sort=True)[measure]
                       if (x := numeric_values(g)).size]
            n = int(sum(s.size for s in samples))
            h = p = float("nan")
            if len(samples) >= 2 and np.ptp(np.concatenate(samples)) > 0:
                res = _st.kruskal(*samples)
                h, p = float(res.statistic), float(res.pvalue)
            rows.append({"cycle": cyc, "grouping": by, "measure": measure, "n_groups": len(samples), "n": n,
                         "statistic": h, "p_value": p,
                         "epsilon_squared": h / (n - 1) if n > 1 and not np.isnan(h) else float("nan")})
    return pd.DataFrame(rows, columns=["cycle", "grouping", "measure", "n_groups", "n", "statistic",
                                       "p_value", "epsilon_squared"])


# --------------------------------------------------------------------------- engagement
@expects_table("scored")
def engagement_table(scored: pd.DataFrame, attributes: pd.DataFrame, *, cycle: int) -> pd.DataFrame:
    """Engagement score beside the maturity (overall) score of each city of a cycle.

    Returns
    -------
    DataFrame
        Columns ``cycle, city, state, region, overall, level, engagement_score``,
        cities with both values only (empty when ``attributes`` has none).
    """
    cols = ["cycle", "city", "state", "region", "overall", "level", "engagement_score"]
    if attributes is None or attributes.empty or "engagement_score" not in attributes:
        return pd.DataFrame(columns=cols)
    part = scored[scored["cycle"] == int(cycle)][["cycle", "city", "state", "region", "overall", "level"]]
    att = attributes[attributes["cycle"] == int(cycle)][["city", "engagement_score"]]
    merged = part.merge(att, on="city", how="inner")
    merged = merged[merged["overall"].notna() & merged["engagement_score"].notna()]
    return merged[cols].sort_values("city").reset_index(drop=True)


@expects_table("scored")
def engagement_association(scored: pd.DataFrame, attributes: pd.DataFrame, *, cycle: int) -> pd.DataFrame:
    """Spearman correlation between engagement and maturity in one cycle.

    Returns
    -------
    DataFrame
        One row, columns ``cycle, n, rho, p_value`` (``scipy.stats.spearmanr``;
        NaN with fewer than 3 cities).
    """
    table = engagement_table(scored, attributes, cycle=cycle)
    rho, p = spearman(table["engagement_score"].to_numpy(float), table["overall"].to_numpy(float))
    return pd.DataFrame([{"cycle": int(cycle), "n": int(len(table)), "rho": rho, "p_value": p}])
