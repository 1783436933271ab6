"""What one city's report card shows: every number of ``notebooks/city_report.ipynb``.

Each public function answers one question about one city in one cycle and returns a
tidy DataFrame with fixed snake_case columns (or, for a headline, a small frozen
dataclass). All take a :class:`~dmaf_analysis.scoring.Dataset` first and the city
and cycle as keywords; ``cycle=0`` means the latest cycle in the data. City names go
through :class:`~dmaf_analysis.cities.CityMatcher`, so a misspelt name raises
:class:`~dmaf_analysis.errors.UnknownCityError` with the closest matches.

The functions are cheap per call: whatever depends only on the cycle (the indicator
pivot, national medians, ranks) is computed once per data set and cycle and cached,
so a warm kernel rendering 100 report cards does that work once.

Certification thresholds and the whole Cycle 1 framework are *illustrative* (see
``data/frameworks``); the headline and the level path say so.

The component, recommendation, peer and engagement sections live here; the
others have their own modules (``_headline``, ``_indicators``, ``_level_path``,
``_cycle_change``), sharing the loading and the per-cycle cache of ``_context``.
Import them all from :mod:`dmaf_analysis.card`.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd

from .._util.numeric import TOLERANCE as _TOL
from .._util.numeric import summary_statistics
from ..io import is_synthetic
from ..scoring import Dataset
from ._context import CycleContext, as_float, city_context, component_reference, cycle_engagement
from ._indicators import indicator_scores
from ._recommendations import load_recommendations

# The national medians and the top-10 means (cities ranked at or above TOP_RANK; with competition
# ranks, ties at 10th place are all included) come from _context.component_reference, once per cycle.

__all__ = ["COMPONENT_COLUMNS", "ENGAGEMENT_COLUMNS", "PEER_COLUMNS", "RECOMMENDATION_COLUMNS", "component_comparison",
           "engagement_comparison", "engagement_distribution", "has_recommendations", "peer_comparison",
           "PEERS_AROUND", "recommendations"]


# ------------------------------------------------------------------------- components
COMPONENT_COLUMNS = ["component", "name", "weight", "score", "synthetic_points", "national_median", "top10_mean",
                     "n_top_cities", "gap_to_median", "gap_to_max"]


def component_comparison(data: Dataset, *, city: str, cycle: int = 0) -> pd.DataFrame:
    """The city's component scores beside the national median and the top-10 mean.

    Returns
    -------
    DataFrame
        One row per component, in framework order, columns

        - ``component``, ``name``, ``weight``: from the framework;
        - ``score``: the city's component score (0-100);
        - ``synthetic_points``: how many of those points come from synthetic
          values (0 when every value of the component is on record);
        - ``national_median``: median over the cycle's cities with that component;
        - ``top10_mean``: mean over the cities ranked 1 to 10 overall (ties at 10th
          included, so possibly more than 10 cities);
        - ``n_top_cities``: how many cities that mean covers;
        - ``gap_to_median``: ``score - national_median``;
        - ``gap_to_max``: ``100 - score``.
    """
    name, ctx = city_context(data, city, cycle)
    fw = ctx.framework
    comps = fw.component_ids
    score = ctx.scored.loc[name, comps].astype(float)
    ref = component_reference(ctx)  # the same for every city of the cycle: computed once
    out = pd.DataFrame({
        "component": comps,
        "name": fw.components["name"].tolist(),
        "weight": fw.components["weight"].astype(float).to_numpy(),
        "score": score.to_numpy(),
        "synthetic_points": _synthetic_points(ctx, name).reindex(comps).fillna(0.0).to_numpy(dtype=float),
        "national_median": ref["national_median"].to_numpy(dtype=float),
        "top10_mean": ref["top10_mean"].to_numpy(dtype=float),
        "n_top_cities": int(ref["n_top_cities"].iloc[0]) if len(ref) else 0,
    })
    out["gap_to_median"] = out["score"] - out["national_median"]
    out["gap_to_max"] = 100.0 - out["score"]
    return out[COMPONENT_COLUMNS]


def _synthetic_points(ctx: CycleContext, name: str) -> pd.Series:
    """Component -> points of the city's synthetic values."""
    values = ctx.wide.loc[name]
    synthetic = is_synthetic(ctx.sources.loc[name]) & values.notna()
    comp_of = ctx.framework.indicators.set_index("indicator")["component"]
    return values.where(synthetic, 0.0).groupby(comp_of.reindex(values.index)).sum()


# -------------------------------------------------------------------- recommendations
RECOMMENDATION_COLUMNS = ["priority", "indicator", "component", "name", "score", "max_score",
                          "points_available", "overall_gain", "recommendation", "source"]


def recommendations(data: Dataset, *, city: str, cycle: int = 0,
                    texts: pd.DataFrame | None = None) -> pd.DataFrame:
    """A recommendation for each indicator below its maximum that has one, most points first.

    Parameters
    ----------
    texts : DataFrame, optional
        ``cycle, indicator, recommendation``; default :func:`load_recommendations`.

    Returns
    -------
    DataFrame
        One row per indicator whose score is below its maximum or missing and
        that has a text in ``texts`` (indicators without one are left out, so
        the table is empty when there are no texts at all), columns
        ``priority`` (1 = first), ``indicator``, ``component``, ``name``,
        ``score``, ``max_score``, ``points_available`` (``max_score - score``,
        NaN when the score is missing), ``overall_gain`` (what reaching the
        maximum adds to the overall score: ``points_available * weight``),
        ``recommendation``, ``source`` (provenance of the city's value). Ordered by
        ``points_available`` (largest first), then
        ``overall_gain``, then framework order; missing scores last.
    """
    name, ctx = city_context(data, city, cycle)
    fw = ctx.framework
    texts = load_recommendations() if texts is None else texts
    lookup = {(int(c), str(i)): str(t) for c, i, t in
              zip(texts["cycle"], texts["indicator"], texts["recommendation"])}
    table = indicator_scores(data, city=name, cycle=ctx.cycle)
    weights = fw.weights / fw.weights.sum()
    table["order"] = np.arange(len(table))
    table["points_available"] = table["gap_to_max"]
    table["overall_gain"] = table["points_available"] * table["component"].map(weights).astype(float)
    keep = table[table["score"].isna() | (table["points_available"] > _TOL)].copy()
    keep = keep.sort_values(["points_available", "overall_gain", "order"], ascending=[False, False, True],
                            na_position="last")
    keep["recommendation"] = [lookup.get((ctx.cycle, i)) for i in keep["indicator"]]
    keep = keep[keep["recommendation"].notna()].copy()
    keep["priority"] = np.arange(1, len(keep) + 1)
    return keep[RECOMMENDATION_COLUMNS].reset_index(drop=True)


def has_recommendations(data: Dataset, *, cycle: int = 0, texts: pd.DataFrame | None = None) -> bool:
    """Whether any indicator of the cycle's framework has a recommendation text.

    False when the recommendations file is absent or has no entry for the cycle:
    the report card then leaves its recommendations section out.
    """
    c = data.resolve_cycle(cycle)
    texts = load_recommendations() if texts is None else texts
    known = set(data.frameworks[c].indicator_ids)
    return bool(texts.loc[texts["cycle"].astype(int) == c, "indicator"].astype(str).isin(known).any())


# ------------------------------------------------------------------------------ peers
PEER_COLUMNS = ["peer_group", "group_name", "city", "state", "overall", "rank", "rank_in_group", "level",
                "is_report_city", "gap_to_report_city", "n_synthetic", "n_indicators", "n_in_group",
                "is_group_median"]

#: The peers table shows at most this many cities above and below the report city in each group.
PEERS_AROUND = 5


def peer_comparison(data: Dataset, *, city: str, cycle: int = 0, around: int = PEERS_AROUND) -> pd.DataFrame:
    """The city beside its neighbours in its state and in its selection round, and each group's median.

    The table has a bounded size whatever the number of cities: per group, the
    ``around`` cities ranked just above and the ``around`` just below the report
    city (in the group's order), then one row with the group's median. The whole
    group is in the national overview's leaderboard.

    Returns
    -------
    DataFrame
        Columns ``peer_group`` (``state`` or ``selection_round``), ``group_name``
        (e.g. ``Punjab``, ``Round 3``), ``city``, ``state``, ``overall``,
        ``rank`` (national), ``rank_in_group`` (competition rank within the
        group), ``level``, ``is_report_city``, ``gap_to_report_city``
        (``overall`` minus the report city's overall), ``n_synthetic`` (the
        city's synthetic indicator values), ``n_indicators`` (indicators of
        the framework), ``n_in_group`` (cities of the whole group) and
        ``is_group_median`` (True on the group's median row, whose ``city``,
        ``state``, ranks and ``level`` are empty and whose ``overall`` is the
        median overall score of the group's cities). State rows first; each
        group ordered by ``rank_in_group`` then city, unranked cities last, its
        median row last.
    """
    name, ctx = city_context(data, city, cycle)
    me = ctx.scored.loc[name]
    mine = as_float(me["overall"])
    parts = []
    for group in ("state", "selection_round"):
        value = me[group]
        if not isinstance(value, str) or not value:
            continue
        rows, median = _peer_group(ctx, group, value)  # the same for every city of the group: computed once
        at = next(i for i, r in enumerate(rows) if r["city"] == name)
        for r in rows[max(0, at - int(around)):at + int(around) + 1] + [median]:
            parts.append({**r, "is_report_city": r["city"] == name, "gap_to_report_city": r["overall"] - mine})
    out = pd.DataFrame(parts, columns=PEER_COLUMNS)
    for col in ("rank", "rank_in_group"):
        out[col] = out[col].astype("Int64")
    return out.astype({"overall": float, "gap_to_report_city": float, "is_report_city": bool,
                       "is_group_median": bool, "n_synthetic": int, "n_indicators": int, "n_in_group": int})


@lru_cache(maxsize=256)
def _peer_group(ctx: CycleContext, group: str, value: str) -> tuple[list[dict], dict]:
    """The rows of one peer group's cities in the group's order, and its median row (cached per cycle and group)."""
    part = ctx.scored[ctx.scored[group] == value]
    overall = part["overall"].to_numpy(dtype=float)
    n_ind = len(ctx.framework.indicator_ids)
    table = pd.DataFrame({
        "city": part["city"].to_numpy(dtype=object), "state": part["state"].to_numpy(dtype=object),
        "overall": overall, "rank": part["rank"].astype("Int64").to_numpy(),
        "rank_in_group": part["overall"].rank(method="min", ascending=False).astype("Int64").to_numpy(),
        "level": part["level"].to_numpy(dtype=object),
        "n_synthetic": part["n_synthetic"].to_numpy(dtype=int) if "n_synthetic" in part.columns else 0,
    }).sort_values(["rank_in_group", "city"], na_position="last", kind="mergesort")
    common = {"peer_group": group, "group_name": value, "n_indicators": n_ind, "n_in_group": len(part)}
    rows = [{**common, **r, "overall": float(r["overall"]), "n_synthetic": int(r["n_synthetic"]),
             "is_group_median": False} for r in table.to_dict("records")]
    med = float(np.nanmedian(overall)) if np.isfinite(overall).any() else math.nan
    median = {**common, "city": "", "state": "", "overall": med, "rank": pd.NA, "rank_in_group": pd.NA, "level": "",
              "n_synthetic": 0, "is_group_median": True}
    return rows, median


# ------------------------------------------------------------------------- engagement
ENGAGEMENT_COLUMNS = ["city", "cycle", "engagement_score", "national_median", "national_mean", "q1", "q3",
                      "min", "max", "n_cities", "percentile"]


def engagement_distribution(data: Dataset, *, city: str, cycle: int = 0) -> pd.DataFrame:
    """Every city's engagement score in the cycle, the report city marked.

    Returns
    -------
    DataFrame
        Columns ``city``, ``engagement_score`` (0-100), ``is_report_city``; one
        row per city of the cycle with an engagement score, highest first.
    """
    name, ctx = city_context(data, city, cycle)
    base = cycle_engagement(data, ctx.cycle)  # the same for every city of the cycle: computed once
    return base.assign(is_report_city=base["city"] == name)


def engagement_comparison(data: Dataset, *, city: str, cycle: int = 0) -> pd.DataFrame:
    """The City Engagement Score beside the national distribution.

    Returns
    -------
    DataFrame
        One row, columns ``city``, ``cycle``, ``engagement_score`` (NaN when the
        city has none), ``national_median``, ``national_mean``, ``q1``, ``q3``
        (quartiles, linear interpolation), ``min``, ``max``, ``n_cities``
        (cities with a score) and ``percentile`` (as in :func:`indicator_scores`).
    """
    name, ctx = city_context(data, city, cycle)
    dist = engagement_distribution(data, city=name, cycle=ctx.cycle)
    values = dist["engagement_score"].to_numpy(dtype=float)
    mine = dist.loc[dist["is_report_city"], "engagement_score"]
    score = float(mine.iloc[0]) if len(mine) else math.nan
    s = summary_statistics(values)
    stats = dict(national_median=s["median"], national_mean=s["mean"], q1=s["q1"], q3=s["q3"],
                 min=s["min"], max=s["max"])
    pct = (100.0 * ((values < score).sum() + 0.5 * (values == score).sum()) / len(values)
           if len(values) and not math.isnan(score) else math.nan)
    row = {"city": name, "cycle": ctx.cycle, "engagement_score": score, **stats,
           "n_cities": len(values), "percentile": pct}
    return pd.DataFrame([row], columns=ENGAGEMENT_COLUMNS)
