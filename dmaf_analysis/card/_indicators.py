"""A city's indicators on its report card: every score beside the medians, and the ones that stand out.

:func:`indicator_scores` (one row per indicator, cached per city and cycle) and
:func:`strengths_and_weaknesses`. Re-exported by :mod:`dmaf_analysis.card`; the
recommendations and the path to the next level start from the same table.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from ..io import is_synthetic
from ..scoring import Dataset
from ._context import city_context, CycleContext

__all__ = ["INDICATOR_COLUMNS", "STRENGTH_COLUMNS", "indicator_scores", "strengths_and_weaknesses"]


INDICATOR_COLUMNS = ["indicator", "component", "component_name", "name", "score", "max_score", "share_of_max",
                     "gap_to_max", "national_median", "state_median", "n_state_cities", "percentile",
                     "source", "placed_by", "max_provenance", "status"]


def indicator_scores(data: Dataset, *, city: str, cycle: int = 0) -> pd.DataFrame:
    """Every indicator of the city: score / max, national and state medians, gap to max.

    Returns
    -------
    DataFrame
        One row per indicator, in framework order, columns

        - ``indicator``, ``component``, ``component_name``, ``name``,
          ``max_score``, ``max_provenance``: from the framework (``max_provenance`` says how sure the maximum is);
        - ``score``: the city's points (NaN when missing);
        - ``share_of_max``: ``score / max_score`` (0-1);
        - ``gap_to_max``: ``max_score - score``;
        - ``national_median``: median over every city of the cycle with a value;
        - ``state_median``, ``n_state_cities``: the same over the cities of the
          city's state (the city included) and how many there are;
        - ``percentile``: the city's percentile among all cities with a value, ties
          counted half (``scipy.stats.percentileofscore(kind="mean")``): 100 = all
          others lower, 50 = middle;
        - ``source``: provenance of the value (``report_card``, ``synthetic``, ...);
        - ``placed_by``: how a report-card value was attached to its indicator
          (``heading``, ``order``, ...) when the score table says so, else ``""``;
        - ``status``: ``on record`` (a value not synthetic), ``synthetic`` or
          ``not on record`` (no value). A city with any value on record shows
          only those: its synthetic values are ``not on record``, with an empty
          score, source and percentile.
    """
    name, ctx = city_context(data, city, cycle)
    return _indicator_table(ctx, name).copy()


@lru_cache(maxsize=32)
def _indicator_table(ctx: CycleContext, name: str) -> pd.DataFrame:
    """The table of :func:`indicator_scores` (cached per context and city: every card section asks for it)."""
    fw = ctx.framework
    wide = ctx.wide
    values = wide.loc[name]
    state = ctx.scored.loc[name, "state"]
    # a cities table without states (or without this city's state) gives no state comparison
    same_state = (ctx.scored.index[ctx.scored["state"] == state] if isinstance(state, str) and state.strip()
                  else pd.Index([]))
    state_wide = wide.loc[same_state]
    n_valid = wide.notna().sum(axis=0)
    below = wide.lt(values, axis=1).sum(axis=0)
    equal = wide.eq(values, axis=1).sum(axis=0)
    percentile = (100.0 * (below + 0.5 * equal) / n_valid.replace(0, np.nan)).where(values.notna())
    ind = fw.indicators
    out = pd.DataFrame({
        "indicator": ind["indicator"].to_numpy(),
        "component": ind["component"].to_numpy(),
        "component_name": ind["component"].map(fw.components.set_index("component")["name"]).to_numpy(),
        "name": ind["name"].to_numpy(),
        "score": values.to_numpy(dtype=float),
        "max_score": ind["max_score"].astype(float).to_numpy(),
    })
    out["share_of_max"] = out["score"] / out["max_score"]
    out["gap_to_max"] = out["max_score"] - out["score"]
    out["national_median"] = ctx.national_median.to_numpy(dtype=float)
    out["state_median"] = state_wide.median(axis=0, skipna=True).to_numpy(dtype=float)
    out["n_state_cities"] = len(same_state)
    out["percentile"] = percentile.to_numpy(dtype=float)
    src = ctx.sources.loc[name].where(values.notna(), "")
    out["source"] = src.fillna("").astype(str).to_numpy(dtype=object)
    out["placed_by"] = ctx.placed_by.loc[name].where(values.notna(), "").astype(str).to_numpy(dtype=object)
    out["max_provenance"] = ind["max_provenance"].to_numpy()
    synthetic = is_synthetic(out["source"]) & out["score"].notna()
    out["status"] = np.where(out["score"].isna(), "not on record", np.where(synthetic, "synthetic", "on record"))
    return out[INDICATOR_COLUMNS]


STRENGTH_COLUMNS = ["kind", "indicator", "component", "name", "score", "max_score", "national_median",
                    "percentile", "source"]


def strengths_and_weaknesses(data: Dataset, *, city: str, cycle: int = 0, n: int = 3) -> pd.DataFrame:
    """The city's indicators that stand out above or below all cities.

    A *strength* is an indicator where the city scores above the national median; a
    *weakness* one where it scores below. When the city has any value on record
    (not synthetic, not missing), only those values are considered, so a synthetic
    value never becomes a strength or weakness of a city with real data. Up to ``n``
    of each are kept: strengths
    with the highest percentile first (ties: larger share of the maximum, then
    framework order), weaknesses with the lowest percentile first (ties: more points
    available, then framework order).

    Returns
    -------
    DataFrame
        Columns ``kind`` (``strength`` or ``weakness``), ``indicator``,
        ``component``, ``name``, ``score``, ``max_score``, ``national_median``,
        ``percentile``, ``source`` (provenance of the city's value; see
        :func:`indicator_scores`); strengths first. Empty kinds simply have no
        rows.
    """
    table = indicator_scores(data, city=city, cycle=cycle).reset_index(drop=True)
    table["order"] = np.arange(len(table))
    real = table["score"].notna() & ~is_synthetic(table["source"])
    if real.any():  # a city with values on record is judged on those alone
        table = table[real]
    strong = table[table["score"] > table["national_median"]].sort_values(
        ["percentile", "share_of_max", "order"], ascending=[False, False, True]).head(n)
    weak = table[table["score"] < table["national_median"]].sort_values(
        ["percentile", "gap_to_max", "order"], ascending=[True, False, True]).head(n)
    out = pd.concat([strong.assign(kind="strength"), weak.assign(kind="weakness")], ignore_index=True)
    return out[STRENGTH_COLUMNS]
