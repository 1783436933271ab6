"""The range the known values allow: every city scored with its unknown values at 0 and at their maximum.

A value is *unknown* when the score table has no value for it (no row, or an
empty score) or when its ``source`` is ``synthetic`` (generated, not measured).
Every other value is *known* and held as it is.

Because an overall score is a weighted sum of indicator points with weights of 0
or more, it can only grow when an unknown value grows. So:

- ``overall_low`` is the overall score with every unknown value of the city at 0,
  and ``overall_high`` with every unknown value at its indicator's maximum; no
  choice of the unknown values gives a score outside ``[overall_low, overall_high]``,
  and both ends are reached.
- ``level_low`` and ``level_high`` are the certification levels of those two
  scores (levels rise with the score, so every level between them is possible too).
- ``rank_best`` is the city's rank when it sits at its high bound and every other
  city of the cycle at its low bound; ``rank_worst`` when it sits at its low bound
  and every other city at its high bound. Each city's unknown values are its own,
  so both situations can happen, and they are the best and the worst rank any
  choice of all cities' unknown values gives. Ranks are competition ranks, as
  everywhere in the package: 1 + the number of cities scoring strictly more.

A city with no unknown value has ``overall_low == overall_high`` equal to its
overall score; its rank can still move between ``rank_best`` and ``rank_worst``
when other cities have unknown values.

The published record (:mod:`dmaf_analysis.record`, passed as ``record``) narrows
the ranges further: a published component total fixes that component whatever its
unknown indicators are (Kohima's published Policy 97 and Process 45 put its overall
between 28.4 and 88.4 with equal weights); a published rank fixes the city's rank,
and a city absent from the published ranks ranks below all of them; a published
level fixes the level.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .._util.numeric import format_score
from ..framework import Framework, frameworks_or_bundled
from ..io import is_synthetic
from ..record import component_totals, ranked_cities
from ._scoring import OVERALL_DECIMALS, checked_weights, indicator_matrix

__all__ = ["BOUND_COLUMNS", "BOUNDS_TABLE_COLUMNS", "unknown_mask", "score_bounds", "add_bounds", "range_sentence"]

BOUND_COLUMNS = ["overall_low", "overall_high", "level_low", "level_high", "rank_best", "rank_worst"]
BOUNDS_TABLE_COLUMNS = ["cycle", "city", "n_unknown", "n_missing", "n_synthetic", *BOUND_COLUMNS]


def unknown_mask(scores: pd.DataFrame) -> pd.Series:
    """True for every row whose value is unknown: an empty score, or ``source`` ``synthetic``."""
    unknown = scores["score"].isna()
    if "source" in scores.columns:
        unknown = unknown | is_synthetic(scores["source"])
    return unknown


def _weights(fw: Framework, weights: dict[str, float] | None) -> pd.Series:
    w = fw.weights if weights is None else checked_weights(weights, fw)
    return w / w.sum()


def _competition_ranks(own: np.ndarray, others: np.ndarray) -> np.ndarray:
    """For each i: 1 + #{j != i : others[j] > own[i]} (vectorised with a sort)."""
    order = np.sort(others)
    greater = len(others) - np.searchsorted(order, own, side="right")
    # city i's own entry in ``others`` is counted when others[i] > own[i]; take it out
    greater = greater - (others > own)
    return 1 + greater


def score_bounds(scores: pd.DataFrame, *, frameworks: dict[int, Framework] | None = None,
                 weights: dict[str, float] | None = None, record: pd.DataFrame | None = None) -> pd.DataFrame:
    """The lowest and highest overall score, level and rank the known values allow.

    Parameters
    ----------
    scores : DataFrame
        A validated score table (``cycle, city, indicator, score``; ``source``
        optional: without it only empty scores are unknown).
    frameworks : dict, optional
        Cycle -> Framework; default the bundled frameworks.
    weights : dict, optional
        Component weights overriding the frameworks' (as in
        :func:`dmaf_analysis.scoring.score_cities`).
    record : DataFrame, optional
        The published record (:func:`dmaf_analysis.record.load_record`): its
        component totals, ranks and levels narrow the ranges (module docstring).
        Default: none.

    Returns
    -------
    DataFrame
        One row per (cycle, city) of ``scores``, in cycle then city-appearance
        order, columns

        - ``cycle``, ``city``;
        - ``n_unknown``: indicators of the framework whose value is unknown
          (``n_missing`` without a value + ``n_synthetic`` with a synthetic one);
        - ``overall_low``, ``overall_high``: overall score with every unknown value
          at 0 / at its maximum, the known values as they are;
        - ``level_low``, ``level_high``: the levels of those scores;
        - ``rank_best``: rank at the high bound against every other city of the
          cycle at its low bound; ``rank_worst``: rank at the low bound against
          every other city at its high bound (competition ranks, 1 = best).

    See the module docstring for why these are the exact extremes.
    """
    frameworks = frameworks_or_bundled(frameworks)
    parts = []
    unknown_rows = unknown_mask(scores)
    for cycle, rows in scores.groupby("cycle", sort=True):
        fw = frameworks[int(cycle)]
        ids = fw.indicator_ids
        cities = pd.Index(pd.unique(rows["city"]), name="city")
        unknown = unknown_rows.loc[rows.index]
        known = rows[~unknown]
        synthetic = rows[unknown & rows["score"].notna()]
        if len(known):
            values = indicator_matrix(known, fw, cities=cities).to_numpy(dtype=float)
        else:
            values = np.full((len(cities), len(ids)), np.nan)
        n_syn = (synthetic.groupby("city")["indicator"].nunique().reindex(cities).fillna(0)
                 .to_numpy(dtype=int))
        maxima = fw.max_scores.reindex(ids).to_numpy(dtype=float)
        missing_value = np.isnan(values)
        low = np.where(missing_value, 0.0, values)
        high = np.where(missing_value, maxima[None, :], values)
        w = _weights(fw, weights)
        comp_of = fw.indicators["component"].to_numpy()
        comps = fw.component_ids
        comp_low = np.column_stack([low[:, comp_of == c].sum(axis=1) for c in comps])
        comp_high = np.column_stack([high[:, comp_of == c].sum(axis=1) for c in comps])
        levels_fixed = {}
        rank_fixed: dict[str, int] = {}
        n_listed = 0
        if record is not None and len(record):
            _fix_components(record, int(cycle), cities, comps, comp_low, comp_high)
            levels_fixed, rank_fixed, n_listed = _record_ranks_levels(record, int(cycle), cities,
                                                                      set(fw.levels["level"]))
        comp_w = w.reindex(comps).to_numpy(dtype=float)
        overall_low = np.round(comp_low @ comp_w, OVERALL_DECIMALS)
        overall_high = np.round(comp_high @ comp_w, OVERALL_DECIMALS)
        n_unknown = missing_value.sum(axis=1)
        level_low = pd.Series(fw.levels_for(overall_low), dtype=object)
        level_high = pd.Series(fw.levels_for(overall_high), dtype=object)
        rank_best = _competition_ranks(overall_high, overall_low)
        rank_worst = _competition_ranks(overall_low, overall_high)
        for i, city in enumerate(cities):
            if city in levels_fixed:
                level_low[i] = level_high[i] = levels_fixed[city]
            if city in rank_fixed:
                rank_best[i] = rank_worst[i] = rank_fixed[city]
            elif n_listed:
                rank_best[i] = max(rank_best[i], n_listed + 1)
                rank_worst[i] = max(rank_worst[i], rank_best[i])
        parts.append(pd.DataFrame({
            "cycle": int(cycle), "city": cities.to_numpy(dtype=object),
            "n_unknown": n_unknown, "n_missing": n_unknown - n_syn, "n_synthetic": n_syn,
            "overall_low": overall_low, "overall_high": overall_high,
            "level_low": level_low.to_numpy(), "level_high": level_high.to_numpy(),
            "rank_best": rank_best, "rank_worst": rank_worst,
        }))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in BOUNDS_TABLE_COLUMNS})
    out = pd.concat(parts, ignore_index=True)[BOUNDS_TABLE_COLUMNS]
    for col in ("n_unknown", "n_missing", "n_synthetic", "rank_best", "rank_worst"):
        out[col] = out[col].astype("int64")
    return out


def _fix_components(record: pd.DataFrame, cycle: int, cities: pd.Index, comps: list[str], comp_low: np.ndarray,
                    comp_high: np.ndarray) -> None:
    """Set every published component total of the cycle as both bounds of its component (in place)."""
    totals = component_totals(record)
    totals = totals[totals["cycle"] == cycle]
    pos = {c: i for i, c in enumerate(cities)}
    col = {c: j for j, c in enumerate(comps)}
    for city, comp, value in zip(totals["city"], totals["component"], totals["score"]):
        if city in pos and comp in col:
            comp_low[pos[city], col[comp]] = comp_high[pos[city], col[comp]] = float(value)


def _record_ranks_levels(record: pd.DataFrame, cycle: int, cities: pd.Index,
                         level_names: set) -> tuple[dict, dict, int]:
    """Published levels (of the framework's levels) and ranks of the cycle's cities, and how many ranks there are."""
    part = record[(record["cycle"] == cycle) & (record["scope"] == "city") & (record["quantity"] == "level")]
    levels = {c: v for c, v in zip(part["subject"], part["value"]) if c in set(cities) and v in level_names}
    ranked = ranked_cities(record, cycle=cycle)
    ranked = ranked[ranked["city"].isin(set(cities))]
    return levels, dict(zip(ranked["city"], ranked["rank"].astype(int))), len(ranked)


def add_bounds(scored: pd.DataFrame, scores: pd.DataFrame, *,
               frameworks: dict[int, Framework] | None = None,
               weights: dict[str, float] | None = None, record: pd.DataFrame | None = None) -> pd.DataFrame:
    """``scored`` (from :func:`~dmaf_analysis.scoring.score_cities`) with the bound columns appended.

    Returns
    -------
    DataFrame
        A new table: ``scored``'s columns, in its row order, then ``n_unknown``,
        ``overall_low``, ``overall_high``, ``level_low``, ``level_high``,
        ``rank_best``, ``rank_worst`` (see :func:`score_bounds`).
    """
    bounds = score_bounds(scores, frameworks=frameworks, weights=weights, record=record)
    keep = ["cycle", "city", "n_unknown", *BOUND_COLUMNS]
    merged = scored.drop(columns=[c for c in keep[2:] if c in scored.columns]).merge(
        bounds[keep], on=["cycle", "city"], how="left", validate="one_to_one")
    for col in ("n_unknown", "rank_best", "rank_worst"):
        merged[col] = merged[col].astype("Int64")
    return merged


def range_sentence(city: str, *, overall: float, overall_low: float, overall_high: float,
                   level_low: str | None, level_high: str | None, n_unknown: int, n_indicators: int,
                   synthetic_panel_value: bool = True) -> str:
    """A plain sentence giving the range the values on record allow, beside the panel's value.

    For example "On the values on record, Ludhiana scores between 10 and 35 (Not
    certified or Enabled); the panel's synthetic values give 24." Returns "" when
    nothing is unknown.
    """
    if n_unknown <= 0:
        return ""
    if level_low == level_high:
        levels = f"{level_low} either way"
    else:
        levels = f"{level_low} or {level_high}" if level_low and level_high else "level unknown"
    if n_unknown >= n_indicators:
        start = f"No value of {city} is on record: its score could be anything from"
        return (f"{start} {format_score(overall_low)} to {format_score(overall_high)} ({levels}); "
                f"the {format_score(overall)} shown comes from synthetic values only.")
    given = "the panel's synthetic values give" if synthetic_panel_value else "the data give"
    tail = (f"; {given} {format_score(overall)}." if overall == overall
            else "; with the missing values the data have no overall score.")
    plural = "value is" if n_unknown == 1 else "values are"
    return (f"On the values on record, {city} scores between {format_score(overall_low)} and "
            f"{format_score(overall_high)} "
            f"({levels}){tail} {n_unknown} of its {n_indicators} indicator {plural} not on record "
            f"(missing or synthetic) and could lie anywhere from 0 to its maximum.")
