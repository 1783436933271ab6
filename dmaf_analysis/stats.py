"""National statistics of one or more cycles: distributions, a statistical audit, groups.

Every function takes the output of :func:`~dmaf_analysis.scoring.score_cities`
(``scored``) or the validated long score table (``scores``) and returns a new tidy
DataFrame with the columns listed in its docstring. Inputs are never modified.

Conventions used throughout (see ``docs/national.md``):

* ``measure`` is a component id (``policy`` ... ``outcomes``) or ``overall``.
* Standard deviations and variances use ``ddof=1`` (sample statistics).
* Quartiles use linear interpolation (``numpy.percentile``'s default).
* Skewness is the adjusted Fisher-Pearson coefficient G1 and kurtosis the
  bias-corrected *excess* kurtosis G2, the same as ``scipy.stats.skew(bias=False)``
  and ``scipy.stats.kurtosis(fisher=True, bias=False)`` (and Excel's ``SKEW`` and
  ``KURT``, which the JRC/OECD audit thresholds were written for). A normal
  distribution has G2 = 0.
* Gini = mean absolute difference / (2 * mean), over all ordered pairs including
  each value with itself; NaN when the mean is 0 (all values 0: inequality is
  undefined) or there are no values.
* Bootstrap confidence intervals are percentile intervals from ``n_boot``
  resamples (default 2,000, level 95 %). Each cell (cycle, group, measure) is
  seeded from ``seed`` and a CRC32 of its own key, so its interval does not
  depend on which other groups are present and repeats exactly for a given seed.
"""
from __future__ import annotations

import zlib
from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import stats as _st

from .framework import Framework, frameworks_or_bundled
from .data_contract import expects_table
from .numeric import TOLERANCE as _TOL
from .numeric import summary_statistics
from .scoring import indicator_matrix

__all__ = [
    "CI_LEVEL", "GROUPINGS", "KURTOSIS_LIMIT", "N_BOOT", "SKEW_LIMIT", "bootstrap_ci", "cell_seed",
    "component_alphas", "component_correlations", "cronbach_alpha", "distribution_summary",
    "effective_weights", "engagement_association", "engagement_table", "excess_kurtosis", "gini",
    "group_medians", "indicator_distribution", "kruskal_by_group", "leaderboard", "level_counts",
    "measures_for", "outlier_flags", "pca_loadings", "pca_variance", "skewness",
]

#: Thresholds the JRC/OECD audit uses to flag a distribution that may distort
#: correlations: absolute skewness above 2 *and/or* (excess) kurtosis above 3.5.
#: ``skew_flag`` and ``kurtosis_flag`` test each on its own; ``outlier_flag`` is the
#: JRC's joint rule (both at once), under which the JRC treats outliers.
SKEW_LIMIT = 2.0
KURTOSIS_LIMIT = 3.5

#: Default bootstrap settings.
N_BOOT = 2000
CI_LEVEL = 0.95

GROUPINGS = ("state", "region", "selection_round")


# ----------------------------------------------------------------------------- helpers
def _frameworks(frameworks: dict[int, Framework] | None) -> dict[int, Framework]:
    return frameworks_or_bundled(frameworks)


def measures_for(framework: Framework) -> list[str]:
    """The measures of a cycle: its component ids followed by ``overall``."""
    return framework.component_ids + ["overall"]


def _cycles(data: pd.DataFrame, cycle: int | None) -> list[int]:
    """Every cycle of ``data`` (``cycle=None``), or the one asked for (0 = the latest).

    A cycle the data do not hold raises an error naming the cycles present.
    """
    present = sorted(int(c) for c in pd.unique(data["cycle"]))
    if cycle is None or not present:
        return present
    from .dataset import resolve_cycle

    return [resolve_cycle(present, cycle)]


def _values(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").dropna().to_numpy(dtype=float)


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


def cronbach_alpha(items) -> float:
    """Cronbach's alpha of a (observations x items) array.

    ``alpha = k / (k - 1) * (1 - sum(item variances) / variance(total))`` with
    sample variances (``ddof=1``). Rows with a missing value are dropped
    (listwise). NaN with fewer than 2 items, fewer than 2 complete rows, or a
    constant total.
    """
    x = np.asarray(items, dtype=float)
    if x.ndim != 2:
        raise ValueError("items must be a 2-D array (observations x items)")
    x = x[~np.isnan(x).any(axis=1)]
    n, k = x.shape
    if k < 2 or n < 2:
        return float("nan")
    total_var = x.sum(axis=1).var(ddof=1)
    if total_var <= _TOL:
        return float("nan")
    return float(k / (k - 1) * (1.0 - x.var(axis=0, ddof=1).sum() / total_var))


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


# ------------------------------------------------------------------------ distributions
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
    frameworks = _frameworks(frameworks)
    rows = []
    for cyc in _cycles(scored, cycle):
        part = scored[scored["cycle"] == cyc]
        for measure in measures_for(frameworks[cyc]):
            x = _values(part[measure]) if measure in part else np.array([])
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
    frameworks = _frameworks(frameworks)
    rows = []
    for cyc in _cycles(scores, cycle):
        fw = frameworks[cyc]
        part = scores[scores["cycle"] == cyc]
        by_ind = {k: v for k, v in part.groupby("indicator", sort=False)["score"]}
        for ind in fw.indicators.itertuples(index=False):
            s = by_ind.get(ind.indicator, pd.Series(dtype=float))
            x = _values(s)
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
        level, certified, <components>``, best first (cities without an overall
        score last). ``rank`` is the competition rank from ``score_cities``
        (1, 2, 3, 3, 5); ``rank_label`` adds ``=`` to shared ranks ("3=");
        ``tied`` says whether the rank is shared. ``top`` keeps the cities
        ranked ``top`` or better (so a tie at the cut-off keeps every tied city).
    """
    frameworks = _frameworks(frameworks)
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
    return part[cols].reset_index(drop=True)


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
    frameworks = _frameworks(frameworks)
    rows = []
    for cyc in _cycles(scored, cycle):
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


# ------------------------------------------------------------------------------- audit
@expects_table("scored")
def component_correlations(scored: pd.DataFrame, *, cycle: int | None = None,
                           frameworks: dict[int, Framework] | None = None) -> pd.DataFrame:
    """Spearman correlations between the components and with the overall score.

    Returns
    -------
    DataFrame
        The full matrix in long form (both orders of each pair and the
        diagonal), columns ``cycle, measure_a, measure_b, rho, p_value, n``.
        Each pair uses the cities with both scores (pairwise deletion); ``rho``
        and ``p_value`` are ``scipy.stats.spearmanr``'s (two-sided), NaN when
        fewer than 3 cities or a constant measure.
    """
    frameworks = _frameworks(frameworks)
    rows = []
    for cyc in _cycles(scored, cycle):
        part = scored[scored["cycle"] == cyc]
        measures = measures_for(frameworks[cyc])
        for a in measures:
            for b in measures:
                pair = pd.DataFrame({"a": pd.to_numeric(part[a], errors="coerce"),
                                     "b": pd.to_numeric(part[b], errors="coerce")}).dropna()
                rho, p = _spearman(pair["a"].to_numpy(float), pair["b"].to_numpy(float))
                if a == b and not np.isnan(rho):
                    rho, p = 1.0, 0.0
                rows.append({"cycle": cyc, "measure_a": a, "measure_b": b, "rho": rho, "p_value": p,
                             "n": int(len(pair))})
    return pd.DataFrame(rows, columns=["cycle", "measure_a", "measure_b", "rho", "p_value", "n"])


def _spearman(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    if x.size < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan"), float("nan")
    res = _st.spearmanr(x, y)
    return float(res.statistic), float(res.pvalue)


def _indicator_matrix(scores: pd.DataFrame, cyc: int, fw: Framework) -> pd.DataFrame:
    return indicator_matrix(scores[scores["cycle"] == cyc], fw)


@expects_table("scores")
def component_alphas(scores: pd.DataFrame, *, cycle: int | None = None,
                     frameworks: dict[int, Framework] | None = None) -> pd.DataFrame:
    """Cronbach's alpha of each component's indicators (raw points).

    Returns
    -------
    DataFrame
        One row per (cycle, component), columns ``cycle, component,
        n_indicators, n_cities, alpha``; ``n_cities`` counts the cities with
        every indicator of the component (listwise deletion). See
        :func:`cronbach_alpha`.
    """
    frameworks = _frameworks(frameworks)
    rows = []
    for cyc in _cycles(scores, cycle):
        fw = frameworks[cyc]
        wide = _indicator_matrix(scores, cyc, fw)
        for comp, inds in fw.indicators.groupby("component", sort=False)["indicator"]:
            block = wide[inds.tolist()].dropna()
            rows.append({"cycle": cyc, "component": comp, "n_indicators": len(inds),
                         "n_cities": int(len(block)), "alpha": cronbach_alpha(block.to_numpy(float))})
    return pd.DataFrame(rows, columns=["cycle", "component", "n_indicators", "n_cities", "alpha"])


def _pca(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """PCA of the correlation matrix: (eigenvalues, eigenvectors as rows, kept columns)."""
    x = np.asarray(matrix, dtype=float)
    sd = x.std(axis=0, ddof=1) if len(x) > 1 else np.zeros(x.shape[1])
    keep = sd > _TOL
    z = (x[:, keep] - x[:, keep].mean(axis=0)) / sd[keep]
    if z.shape[0] < 2 or z.shape[1] == 0:
        return np.array([]), np.zeros((0, int(keep.sum()))), keep
    _, s, vt = np.linalg.svd(z / np.sqrt(z.shape[0] - 1), full_matrices=False)
    eig = s**2
    for i, v in enumerate(vt):  # sign: coefficients sum to >= 0; else largest |coef| positive
        total = v.sum()
        if total < -_TOL or (abs(total) <= _TOL and v[np.argmax(np.abs(v))] < 0):
            vt[i] = -v
    return eig, vt, keep


def _component_matrix(scored: pd.DataFrame, cyc: int, fw: Framework) -> pd.DataFrame:
    part = scored[scored["cycle"] == cyc].set_index("city")
    return part[fw.component_ids].apply(pd.to_numeric, errors="coerce").dropna()


@expects_table("scored")
def pca_variance(scored: pd.DataFrame, *, cycle: int | None = None,
                 frameworks: dict[int, Framework] | None = None) -> pd.DataFrame:
    """Variance explained by the principal components of the component scores.

    PCA of the correlation matrix (component scores standardised with
    ``ddof=1``) over cities with every component score; a component with zero
    variance is left out.

    Returns
    -------
    DataFrame
        Columns ``cycle, pc, eigenvalue, variance_share, cumulative_share, n``
        (``pc`` counts from 1; ``n`` = cities used). Eigenvalues above 1 pass
        the Kaiser criterion.
    """
    frameworks = _frameworks(frameworks)
    rows = []
    for cyc in _cycles(scored, cycle):
        x = _component_matrix(scored, cyc, frameworks[cyc])
        eig, _, _ = _pca(x.to_numpy(float))
        total = eig.sum()
        cum = np.cumsum(eig)
        for i, e in enumerate(eig):
            rows.append({"cycle": cyc, "pc": i + 1, "eigenvalue": float(e),
                         "variance_share": float(e / total) if total else float("nan"),
                         "cumulative_share": float(cum[i] / total) if total else float("nan"),
                         "n": int(len(x))})
    return pd.DataFrame(rows, columns=["cycle", "pc", "eigenvalue", "variance_share", "cumulative_share", "n"])


@expects_table("scored")
def pca_loadings(scored: pd.DataFrame, *, cycle: int | None = None,
                 frameworks: dict[int, Framework] | None = None) -> pd.DataFrame:
    """Loadings of the components on each principal component (see :func:`pca_variance`).

    Returns
    -------
    DataFrame
        Columns ``cycle, pc, component, coefficient, loading``: ``coefficient``
        is the unit-length eigenvector entry, ``loading`` = coefficient *
        sqrt(eigenvalue), the correlation between the component and the
        principal component. Signs are fixed so that each eigenvector's
        coefficients sum to a non-negative number. Components left out for
        zero variance get NaN.
    """
    frameworks = _frameworks(frameworks)
    rows = []
    for cyc in _cycles(scored, cycle):
        fw = frameworks[cyc]
        x = _component_matrix(scored, cyc, fw)
        eig, vt, keep = _pca(x.to_numpy(float))
        kept = [c for c, k in zip(fw.component_ids, keep) if k]
        for i, e in enumerate(eig):
            coef = dict(zip(kept, vt[i]))
            for comp in fw.component_ids:
                c = coef.get(comp, float("nan"))
                rows.append({"cycle": cyc, "pc": i + 1, "component": comp, "coefficient": float(c),
                             "loading": float(c * np.sqrt(e))})
    return pd.DataFrame(rows, columns=["cycle", "pc", "component", "coefficient", "loading"])


@expects_table("scores")
def effective_weights(scores: pd.DataFrame, *, cycle: int | None = None,
                      frameworks: dict[int, Framework] | None = None,
                      weights: dict[str, float] | None = None) -> pd.DataFrame:
    """Each component's and indicator's actual share of the variance of the overall.

    The overall score is ``Y = sum_c w_c * X_c`` and each component score
    ``X_c`` is the sum of its indicator points, so ``Y = sum_i w_c(i) * p_i``.
    Since ``Var(Y) = sum_c w_c * Cov(X_c, Y)``, the *effective weight*
    ``w_c * Cov(X_c, Y) / Var(Y)`` of the components sums to 1; likewise for the
    indicators, whose effective weights add up to their component's. Computed
    over the cities with every indicator score of the cycle.

    Parameters
    ----------
    scores : DataFrame
        The validated long score table.
    weights : dict, optional
        Component weights (renormalised); default the framework's.

    Returns
    -------
    DataFrame
        Columns ``cycle, level, item, component, nominal_weight,
        effective_weight, corr_with_overall, n``: ``level`` is ``component``
        or ``indicator``; ``item`` the component or indicator id;
        ``nominal_weight`` the component weight or, for an indicator, its
        share of the overall's points (``w_c * max_i / 100``);
        ``corr_with_overall`` the Pearson correlation with ``Y``. NaN when
        ``Var(Y)`` is 0.
    """
    frameworks = _frameworks(frameworks)
    rows = []
    for cyc in _cycles(scores, cycle):
        fw = frameworks[cyc]
        w = fw.weights if weights is None else pd.Series(weights, dtype=float).reindex(fw.component_ids)
        if w.isna().any():
            raise ValueError(f"weights lack component(s) {', '.join(w.index[w.isna()])}")
        w = w / w.sum()
        wide = _indicator_matrix(scores, cyc, fw).dropna()
        comp_of = fw.indicators.set_index("indicator")["component"]
        p = wide.to_numpy(float)
        ind_w = comp_of.map(w).reindex(fw.indicator_ids).to_numpy(float)
        y = p @ ind_w
        n = len(y)
        var_y = y.var(ddof=1) if n > 1 else float("nan")
        comps = np.column_stack([wide[comp_of.index[comp_of == c]].sum(axis=1).to_numpy(float)
                                 for c in fw.component_ids]) if n else np.zeros((0, len(fw.component_ids)))

        for j, comp in enumerate(fw.component_ids):
            eff, r = _weight_share(comps[:, j], y, var_y, float(w[comp]))
            rows.append({"cycle": cyc, "level": "component", "item": comp, "component": comp,
                         "nominal_weight": float(w[comp]), "effective_weight": eff,
                         "corr_with_overall": r, "n": n})
        maxima = fw.max_scores
        for j, ind in enumerate(fw.indicator_ids):
            comp = comp_of[ind]
            eff, r = _weight_share(p[:, j], y, var_y, float(w[comp]))
            rows.append({"cycle": cyc, "level": "indicator", "item": ind, "component": comp,
                         "nominal_weight": float(w[comp] * maxima[ind] / 100.0), "effective_weight": eff,
                         "corr_with_overall": r, "n": n})
    return pd.DataFrame(rows, columns=["cycle", "level", "item", "component", "nominal_weight",
                                       "effective_weight", "corr_with_overall", "n"])


def _weight_share(col: np.ndarray, y: np.ndarray, var_y: float, weight: float) -> tuple[float, float]:
    """Effective weight ``weight * Cov(col, y) / Var(y)`` and Pearson r of ``col`` with ``y``."""
    if len(y) < 2 or not var_y > _TOL:
        return float("nan"), float("nan")
    cov = np.cov(col, y, ddof=1)[0, 1]
    sd = col.std(ddof=1)
    r = cov / (sd * np.sqrt(var_y)) if sd > _TOL else float("nan")
    return float(weight * cov / var_y), float(r)


# -------------------------------------------------------------------- group comparisons
def _check_grouping(by: str) -> None:
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}, got {by!r}")


def _group_values(part: pd.DataFrame, by: str) -> pd.Series:
    """The group of each city; None where the cities table gives none (missing or empty)."""
    values = part[by].astype(object)
    return values.where(values.notna() & (values.astype(str).str.strip() != ""), None)


@expects_table("scored")
def group_medians(scored: pd.DataFrame, *, by: str = "region", cycle: int | None = None,
                  frameworks: dict[int, Framework] | None = None, n_boot: int = N_BOOT,
                  level: float = CI_LEVEL, seed: int = 0) -> pd.DataFrame:
    """Median of every measure per group, with a bootstrap confidence interval.

    Parameters
    ----------
    by : {"state", "region", "selection_round"}
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
    _check_grouping(by)
    frameworks = _frameworks(frameworks)
    rows = []
    for cyc in _cycles(scored, cycle):
        part = scored[scored["cycle"] == cyc]
        groups = _group_values(part, by)
        if groups.isna().all():  # the cities table does not give this grouping: no rows
            continue
        groups = groups.fillna("(unknown)")
        for group, members in part.groupby(groups.to_numpy(), sort=True):
            with_overall = members[members["overall"].notna()]
            n_cert = int(with_overall["certified"].astype(bool).sum())
            share = n_cert / len(with_overall) if len(with_overall) else float("nan")
            for measure in measures_for(frameworks[cyc]):
                x = _values(members[measure])
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
                     frameworks: dict[int, Framework] | None = None) -> pd.DataFrame:
    """Kruskal-Wallis H test of every measure across groups (default: regions).

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
    _check_grouping(by)
    frameworks = _frameworks(frameworks)
    rows = []
    for cyc in _cycles(scored, cycle):
        part = scored[scored["cycle"] == cyc]
        part = part[_group_values(part, by).notna()]
        if part.empty:  # the cities table does not give this grouping: no rows
            continue
        for measure in measures_for(frameworks[cyc]):
            samples = [x for _, g in part.groupby(by, sort=True)[measure] if (x := _values(g)).size]
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
    rho, p = _spearman(table["engagement_score"].to_numpy(float), table["overall"].to_numpy(float))
    return pd.DataFrame([{"cycle": int(cycle), "n": int(len(table)), "rho": rho, "p_value": p}])
