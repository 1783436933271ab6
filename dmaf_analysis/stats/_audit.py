"""The statistical audit of the index: do its parts hang together, and what weighs what.

Following the JRC/OECD audit of composite indicators: Spearman correlations between
the components and with the overall score (:func:`component_correlations`), the
internal consistency of each component's indicators (:func:`cronbach_alpha`,
:func:`component_alphas`), a principal component analysis of the component scores
(:func:`pca_variance`, :func:`pca_loadings`) and each component's and indicator's
actual share of the variance of the overall score (:func:`effective_weights`).
Sample statistics use ``ddof=1`` (see :mod:`dmaf_analysis.stats`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .._util.numeric import TOLERANCE as _TOL
from ..framework import Framework, frameworks_or_bundled
from ..io import expects_table
from ..scoring import indicator_matrix
from ._common import measures_for, select_cycles, spearman

__all__ = [
    "component_alphas", "component_correlations", "cronbach_alpha", "effective_weights", "pca_loadings",
    "pca_variance",
]


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
    frameworks = frameworks_or_bundled(frameworks)
    rows = []
    for cyc in select_cycles(scored, cycle):
        part = scored[scored["cycle"] == cyc]
        measures = measures_for(frameworks[cyc])
        for a in measures:
            for b in measures:
                pair = pd.DataFrame({"a": pd.to_numeric(part[a], errors="coerce"),
                                     "b": pd.to_numeric(part[b], errors="coerce")}).dropna()
                rho, p = spearman(pair["a"].to_numpy(float), pair["b"].to_numpy(float))
                if a == b and not np.isnan(rho):
                    rho, p = 1.0, 0.0
                rows.append({"cycle": cyc, "measure_a": a, "measure_b": b, "rho": rho, "p_value": p,
                             "n": int(len(pair))})
    return pd.DataFrame(rows, columns=["cycle", "measure_a", "measure_b", "rho", "p_value", "n"])


def _indicator_matrix(scores: pd.DataFrame, cyc: int, fw: Framework) -> pd.DataFrame:
    return indicator_matrix(scores[scores["cycle"] == cyc], fw)


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
    frameworks = frameworks_or_bundled(frameworks)
    rows = []
    for cyc in select_cycles(scores, cycle):
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
    if x.shape[0] < 2 or not keep.any():  # nothing to decompose (no warning about means of nothing)
        return np.array([]), np.zeros((0, int(keep.sum()))), keep
    z = (x[:, keep] - x[:, keep].mean(axis=0)) / sd[keep]
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
    frameworks = frameworks_or_bundled(frameworks)
    rows = []
    for cyc in select_cycles(scored, cycle):
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
    frameworks = frameworks_or_bundled(frameworks)
    rows = []
    for cyc in select_cycles(scored, cycle):
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
    frameworks = frameworks_or_bundled(frameworks)
    rows = []
    for cyc in select_cycles(scores, cycle):
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
