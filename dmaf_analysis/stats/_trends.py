"""Cycle-to-cycle comparison of scored cities.

Two cycles may use different indicators, so they are compared at the level of the
components (matched through the framework crosswalk) and of the overall score
(each cycle's own weighted mean, out of 100). Only cities present in both cycles
are paired; :func:`unpaired_cities` lists the others so that none is dropped
silently.

All functions take the output of :func:`~dmaf_analysis.scoring.score_cities`
(both cycles in one table) and return a new tidy DataFrame. ``change`` is always
``score_to - score_from`` (positive = improvement).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as _st

from .._util.numeric import TOLERANCE as _TOL
from ..errors import CycleNotInDataError
from ..framework import Framework, component_map, frameworks_or_bundled
from ..io import expects_table
from ._groups import CI_LEVEL, N_BOOT, bootstrap_ci, cell_seed

__all__ = ["change_summary", "city_changes", "most_changed", "paired_scores",
           "rank_biserial", "rank_mobility", "transition_matrix", "unpaired_cities"]


def _frameworks(frameworks):
    return frameworks_or_bundled(frameworks)


def _cycle_part(scored: pd.DataFrame, cycle: int) -> pd.DataFrame:
    part = scored[scored["cycle"] == int(cycle)]
    if part.empty:
        present = ", ".join(str(int(c)) for c in sorted(pd.unique(scored["cycle"])))
        raise CycleNotInDataError(f"no scores for cycle {cycle}; the data hold cycle(s) {present or 'none'}")
    return part.set_index("city")


@expects_table("scored")
def paired_scores(scored: pd.DataFrame, *, cycle_from: int, cycle_to: int,
                  frameworks: dict[int, Framework] | None = None) -> pd.DataFrame:
    """Scores of the cities present in both cycles, per shared measure.

    Returns
    -------
    DataFrame
        One row per (city, measure), columns ``cycle_from, cycle_to, city,
        state, region, measure, score_from, score_to, change``. ``measure`` is
        a component id of ``cycle_to`` (matched through
        :func:`dmaf_analysis.framework.component_map`; the mean of several earlier
        components when more than one maps onto it)
        or ``overall``. A score missing in either cycle gives a NaN change.
    """
    mapping = component_map(cycle_from, cycle_to, frameworks=frameworks)
    a, b = _cycle_part(scored, cycle_from), _cycle_part(scored, cycle_to)
    cities = sorted(set(a.index) & set(b.index))
    sources: dict[str, list[str]] = {}
    for src, dst in mapping.items():
        sources.setdefault(dst, []).append(src)
    pairs = [*sources.items(), ("overall", ["overall"])]
    parts = []
    for srcs, dst in ((srcs, dst) for dst, srcs in pairs):
        # several earlier components mapped onto one: their mean
        s_from = a.loc[cities, srcs].apply(pd.to_numeric, errors="coerce").mean(axis=1, skipna=False).to_numpy(float)
        s_to = pd.to_numeric(b.loc[cities, dst], errors="coerce").to_numpy(float)
        parts.append(pd.DataFrame({
            "cycle_from": int(cycle_from), "cycle_to": int(cycle_to), "city": cities,
            "state": b.loc[cities, "state"].to_numpy(object), "region": b.loc[cities, "region"].to_numpy(object),
            "measure": dst, "score_from": s_from, "score_to": s_to, "change": s_to - s_from}))
    cols = ["cycle_from", "cycle_to", "city", "state", "region", "measure", "score_from", "score_to", "change"]
    if not cities:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)[cols]


@expects_table("scored")
def city_changes(scored: pd.DataFrame, *, cycle_from: int, cycle_to: int,
                 frameworks: dict[int, Framework] | None = None) -> pd.DataFrame:
    """Overall score, rank and level of each paired city in both cycles.

    Returns
    -------
    DataFrame
        One row per city present in both cycles, sorted by ``change``
        (largest gain first), columns ``cycle_from, cycle_to, city, state,
        region, overall_from, overall_to, change, rank_from, rank_to,
        rank_change, level_from, level_to, level_change, earlier_values``.
        ``earlier_values`` says whether the city's ``cycle_from`` values are
        ``synthetic`` (all), ``partly synthetic`` or ``on record`` (from the
        ``n_synthetic`` column of ``scored``; "on record" without it). Ranks are each
        cycle's published competition ranks (among all its cities);
        ``rank_change = rank_from - rank_to`` (positive = moved up);
        ``level_change`` = levels gained (position in the ``cycle_to`` level
        list minus position in the ``cycle_from`` list). ``level_from`` and
        ``level_to`` are ordered categoricals of their cycle's levels, lowest
        first, so they sort and compare by level, not by name.
    """
    frameworks = _frameworks(frameworks)
    component_map(cycle_from, cycle_to, frameworks=frameworks)
    a, b = _cycle_part(scored, cycle_from), _cycle_part(scored, cycle_to)
    cities = sorted(set(a.index) & set(b.index))
    order_from = {lv: i for i, lv in enumerate(frameworks[int(cycle_from)].levels["level"])}
    order_to = {lv: i for i, lv in enumerate(frameworks[int(cycle_to)].levels["level"])}
    o_from = pd.to_numeric(a.loc[cities, "overall"], errors="coerce").to_numpy(float)
    o_to = pd.to_numeric(b.loc[cities, "overall"], errors="coerce").to_numpy(float)
    r_from = pd.array(a.loc[cities, "rank"].to_numpy(), dtype="Int64")
    r_to = pd.array(b.loc[cities, "rank"].to_numpy(), dtype="Int64")
    l_from = a.loc[cities, "level"].to_numpy(object)
    l_to = b.loc[cities, "level"].to_numpy(object)
    lc = pd.array([order_to[y] - order_from[x] if x in order_from and y in order_to else pd.NA
                   for x, y in zip(l_from, l_to)], dtype="Int64")
    table = pd.DataFrame({
        "cycle_from": int(cycle_from), "cycle_to": int(cycle_to), "city": cities,
        "state": b.loc[cities, "state"].to_numpy(object), "region": b.loc[cities, "region"].to_numpy(object),
        "overall_from": o_from, "overall_to": o_to, "change": o_to - o_from,
        "rank_from": r_from, "rank_to": r_to, "rank_change": r_from - r_to,
        "level_from": pd.Categorical(l_from, categories=list(order_from), ordered=True),
        "level_to": pd.Categorical(l_to, categories=list(order_to), ordered=True), "level_change": lc,
        "earlier_values": _values_label(a.loc[cities], len(frameworks[int(cycle_from)].indicator_ids))})
    return table.sort_values(["change", "city"], ascending=[False, True], na_position="last").reset_index(drop=True)


def rank_biserial(differences) -> float:
    """Matched-pairs rank-biserial correlation of paired differences.

    ``r = (W+ - W-) / (W+ + W-)``, where ``W+`` and ``W-`` are the sums of the
    ranks of ``|d|`` (average ranks for ties) over the positive and negative
    differences; zero differences are dropped (as in the Wilcoxon test's
    default ``zero_method="wilcox"``). Ranges from -1 (every city declined)
    to 1 (every city improved); NaN when no difference is non-zero.
    """
    d = np.asarray(differences, dtype=float)
    d = d[~np.isnan(d)]
    d = d[np.abs(d) > _TOL]
    if d.size == 0:
        return float("nan")
    ranks = _st.rankdata(np.abs(d))
    w_plus, w_minus = ranks[d > 0].sum(), ranks[d < 0].sum()
    return float((w_plus - w_minus) / (w_plus + w_minus))


@expects_table("scored")
def change_summary(scored: pd.DataFrame, *, cycle_from: int, cycle_to: int,
                   frameworks: dict[int, Framework] | None = None, n_boot: int = N_BOOT,
                   level: float = CI_LEVEL, seed: int = 0) -> pd.DataFrame:
    """Change of every shared measure between two cycles, with intervals and tests.

    Returns
    -------
    DataFrame
        One row per measure (shared components, then ``overall``), columns
        ``cycle_from, cycle_to, measure, n, mean_from, mean_to, mean_change,
        mean_change_ci_low, mean_change_ci_high, median_change,
        median_change_ci_low, median_change_ci_high, n_improved, n_declined,
        n_unchanged, wilcoxon_statistic, p_value, rank_biserial``. ``n``
        counts cities with the measure in both cycles. The intervals are
        percentile bootstraps of the paired changes (``n_boot`` resamples,
        seeded). ``wilcoxon_statistic`` and ``p_value`` are
        ``scipy.stats.wilcoxon``'s (two-sided, zero differences dropped,
        ``method="auto"``), NaN when every difference is 0;
        ``rank_biserial`` see :func:`rank_biserial`.
    """
    paired = paired_scores(scored, cycle_from=cycle_from, cycle_to=cycle_to, frameworks=frameworks)
    rows = []
    for measure, part in paired.groupby("measure", sort=False):
        part = part.dropna(subset=["change"])
        d = part["change"].to_numpy(float)
        n = int(d.size)
        key = (int(cycle_from), int(cycle_to), measure)
        m_lo, m_hi = bootstrap_ci(d, statistic="mean", n_boot=n_boot, level=level, seed=cell_seed(seed, *key, "mean"))
        md_lo, md_hi = bootstrap_ci(d, statistic="median", n_boot=n_boot, level=level,
                                    seed=cell_seed(seed, *key, "median"))
        stat = p = float("nan")
        if np.sum(np.abs(d) > _TOL) >= 1:
            res = _st.wilcoxon(d, zero_method="wilcox", alternative="two-sided")
            stat, p = float(res.statistic), float(res.pvalue)
        nan = float("nan")
        rows.append({
            "cycle_from": int(cycle_from), "cycle_to": int(cycle_to), "measure": measure, "n": n,
            "mean_from": float(part["score_from"].mean()) if n else nan,
            "mean_to": float(part["score_to"].mean()) if n else nan,
            "mean_change": float(d.mean()) if n else nan, "mean_change_ci_low": m_lo, "mean_change_ci_high": m_hi,
            "median_change": float(np.median(d)) if n else nan,
            "median_change_ci_low": md_lo, "median_change_ci_high": md_hi,
            "n_improved": int(np.sum(d > _TOL)), "n_declined": int(np.sum(d < -_TOL)),
            "n_unchanged": int(np.sum(np.abs(d) <= _TOL)),
            "wilcoxon_statistic": stat, "p_value": p, "rank_biserial": rank_biserial(d)})
    cols = ["cycle_from", "cycle_to", "measure", "n", "mean_from", "mean_to", "mean_change",
            "mean_change_ci_low", "mean_change_ci_high", "median_change", "median_change_ci_low",
            "median_change_ci_high", "n_improved", "n_declined", "n_unchanged", "wilcoxon_statistic",
            "p_value", "rank_biserial"]
    return pd.DataFrame(rows, columns=cols)


@expects_table("scored")
def transition_matrix(scored: pd.DataFrame, *, cycle_from: int, cycle_to: int,
                      frameworks: dict[int, Framework] | None = None) -> pd.DataFrame:
    """Counts of paired cities moving from each certification level to each level.

    Returns
    -------
    DataFrame
        The full grid in long form (every ``cycle_from`` level x every
        ``cycle_to`` level, zeros included), columns ``cycle_from, cycle_to,
        level_from, level_to, from_order, to_order, n, share_of_from``.
        ``share_of_from`` is ``n`` over the cities that started at
        ``level_from`` (NaN when none did). Cities without a level in either
        cycle are left out.
    """
    frameworks = _frameworks(frameworks)
    changes = city_changes(scored, cycle_from=cycle_from, cycle_to=cycle_to, frameworks=frameworks)
    counts = changes.groupby(["level_from", "level_to"]).size()
    from_levels = frameworks[int(cycle_from)].levels["level"].tolist()
    to_levels = frameworks[int(cycle_to)].levels["level"].tolist()
    rows = []
    for i, lf in enumerate(from_levels):
        total = int(sum(counts.get((lf, lt), 0) for lt in to_levels))
        for j, lt in enumerate(to_levels):
            n = int(counts.get((lf, lt), 0))
            rows.append({"cycle_from": int(cycle_from), "cycle_to": int(cycle_to), "level_from": lf,
                         "level_to": lt, "from_order": i, "to_order": j, "n": n,
                         "share_of_from": n / total if total else float("nan")})
    return pd.DataFrame(rows, columns=["cycle_from", "cycle_to", "level_from", "level_to", "from_order",
                                       "to_order", "n", "share_of_from"])


@expects_table("scored")
def rank_mobility(scored: pd.DataFrame, *, cycle_from: int, cycle_to: int,
                  frameworks: dict[int, Framework] | None = None) -> pd.DataFrame:
    """How stable the ranking is between two cycles.

    Returns
    -------
    DataFrame
        One row, columns ``cycle_from, cycle_to, n, spearman_rho,
        spearman_p, kendall_tau, kendall_p, mean_abs_rank_change, n_moved_up,
        n_moved_down, n_same_rank``. Correlations are ``scipy.stats.spearmanr``
        and ``scipy.stats.kendalltau`` (tau-b) of the overall scores of the
        cities with an overall score in both cycles (rank correlations, so the
        same as correlating their ranks); rank changes use the published ranks.
    """
    ch = city_changes(scored, cycle_from=cycle_from, cycle_to=cycle_to, frameworks=frameworks)
    ch = ch.dropna(subset=["overall_from", "overall_to"])
    x, y = ch["overall_from"].to_numpy(float), ch["overall_to"].to_numpy(float)
    n = int(len(ch))
    rho = rho_p = tau = tau_p = float("nan")
    if n >= 3 and np.ptp(x) > 0 and np.ptp(y) > 0:
        s = _st.spearmanr(x, y)
        k = _st.kendalltau(x, y)
        rho, rho_p, tau, tau_p = float(s.statistic), float(s.pvalue), float(k.statistic), float(k.pvalue)
    rc = ch["rank_change"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    rc = rc[~np.isnan(rc)]
    return pd.DataFrame([{
        "cycle_from": int(cycle_from), "cycle_to": int(cycle_to), "n": n, "spearman_rho": rho,
        "spearman_p": rho_p, "kendall_tau": tau, "kendall_p": tau_p,
        "mean_abs_rank_change": float(np.abs(rc).mean()) if rc.size else float("nan"),
        "n_moved_up": int(np.sum(rc > 0)), "n_moved_down": int(np.sum(rc < 0)), "n_same_rank": int(np.sum(rc == 0))}])


def _values_label(part: pd.DataFrame, n_indicators: int) -> np.ndarray:
    """Per city: "synthetic" (every value), "partly synthetic" or "on record" (from ``n_synthetic``)."""
    if "n_synthetic" not in part.columns:
        return np.full(len(part), "on record", dtype=object)
    k = pd.to_numeric(part["n_synthetic"], errors="coerce").fillna(0).to_numpy(dtype=int)
    return np.where(k >= n_indicators, "synthetic", np.where(k > 0, "partly synthetic", "on record")).astype(object)


def most_changed(changes: pd.DataFrame, *, n: int = 10) -> pd.DataFrame:
    """The cities that improved and declined most (overall score).

    Parameters
    ----------
    changes : DataFrame
        Output of :func:`city_changes`.
    n : int, default 10
        How many of each.

    Returns
    -------
    DataFrame
        Columns ``direction, position, city, state, region, overall_from,
        overall_to, change, rank_from, rank_to, rank_change`` and, when
        ``changes`` has it, ``earlier_values``: up to ``n``
        rows with ``direction == "improved"`` (change > 0, largest first) then
        up to ``n`` with ``"declined"`` (change < 0, largest fall first); equal
        changes are ordered by city name. ``position`` counts from 1.
    """
    cols = ["city", "state", "region", "overall_from", "overall_to", "change", "rank_from", "rank_to", "rank_change"]
    if "earlier_values" in changes.columns:
        cols.append("earlier_values")
    valid = changes.dropna(subset=["change"])
    up = valid[valid["change"] > _TOL].sort_values(["change", "city"], ascending=[False, True]).head(n)
    down = valid[valid["change"] < -_TOL].sort_values(["change", "city"], ascending=[True, True]).head(n)
    parts = []
    for direction, part in (("improved", up), ("declined", down)):
        part = part[cols].copy()
        part.insert(0, "position", np.arange(1, len(part) + 1))
        part.insert(0, "direction", direction)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


@expects_table("scored")
def unpaired_cities(scored: pd.DataFrame, *, cycle_from: int, cycle_to: int) -> pd.DataFrame:
    """Cities present in only one of the two cycles (left out of every paired statistic).

    Returns
    -------
    DataFrame
        Columns ``city, state, region, present_in, absent_from, overall,
        level, rank`` (score, level and rank in the cycle the city is in),
        sorted by ``present_in`` then city.
    """
    a, b = _cycle_part(scored, cycle_from), _cycle_part(scored, cycle_to)
    rows = []
    for here, there, present, absent in ((a, b, cycle_from, cycle_to), (b, a, cycle_to, cycle_from)):
        for city in sorted(set(here.index) - set(there.index)):
            r = here.loc[city]
            rows.append({"city": city, "state": r["state"], "region": r["region"], "present_in": int(present),
                         "absent_from": int(absent), "overall": float(r["overall"]), "level": r["level"],
                         "rank": r["rank"]})
    out = pd.DataFrame(rows, columns=["city", "state", "region", "present_in", "absent_from", "overall",
                                      "level", "rank"])
    out["rank"] = out["rank"].astype("Int64")
    return out.sort_values(["present_in", "city"]).reset_index(drop=True)
