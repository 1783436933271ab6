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
from .._util.numeric import nan_last, summary_statistics
from ..io import is_synthetic
from ..record import component_totals, empty_record
from ..scoring import Dataset
from ._context import (CycleContext, as_float, city_context, component_reference, cycle_engagement, is_on_record,
                       scored_rows)
from ._indicators import cycle_arrays, indicator_scores
from ._recommendations import load_recommendations, recommendation_lookup

# The national medians and the top-10 means (cities ranked at or above TOP_RANK; with competition
# ranks, ties at 10th place are all included) come from _context.component_reference, once per cycle.

__all__ = ["BASIS_ON_RECORD", "BASIS_PUBLISHED", "BASIS_RANGE", "BASIS_SYNTHETIC",
           "COMPONENT_COLUMNS", "ENGAGEMENT_COLUMNS", "PEER_COLUMNS", "RECOMMENDATION_COLUMNS", "component_comparison",
           "engagement_comparison", "engagement_distribution", "has_recommendations", "peer_comparison",
           "PEERS_AROUND", "recommendations"]


# ------------------------------------------------------------------------- components
COMPONENT_COLUMNS = ["component", "name", "weight", "score", "score_low", "score_high", "basis", "synthetic_points",
                     "national_median", "top10_mean", "n_top_cities", "gap_to_median", "gap_to_max",
                     "others_synthetic"]

#: What a component score rests on (``basis`` of :func:`component_comparison`).
BASIS_ON_RECORD, BASIS_RANGE, BASIS_PUBLISHED, BASIS_SYNTHETIC = "on record", "range", "published", "synthetic"


def component_comparison(data: Dataset, *, city: str, cycle: int = 0) -> pd.DataFrame:
    """The city's component scores beside the national median and the top-10 mean.

    A city with values on record shows only what is on record: a component with an
    indicator not on record is its range (``score_low`` to ``score_high``), never a
    synthetic value; a component total in the published record is that total.

    Returns
    -------
    DataFrame
        One row per component, in framework order, columns

        - ``component``, ``name``, ``weight``: from the framework;
        - ``score``: the city's component score (0-100); for a range, the known
          part (the points on record);
        - ``score_low``, ``score_high``: the range the values on record allow
          (both equal to ``score`` when it is exact);
        - ``basis``: ``on record`` (every value on record), ``range`` (some value
          not on record), ``published`` (a total in the published record) or
          ``synthetic`` (the panel's value, some of it synthetic, on the card of a
          city with no value on record);
        - ``synthetic_points``: how many points of ``score`` come from synthetic
          values (always 0 on the card of a city with values on record, and for
          a published total);
        - ``national_median``: median over the cycle's cities with that component;
        - ``top10_mean``: mean over the cities ranked 1 to 10 overall (ties at 10th
          included, so possibly more than 10 cities);
        - ``n_top_cities``: how many cities that mean covers;
        - ``gap_to_median``: ``score - national_median`` (NaN for a range);
        - ``gap_to_max``: ``100 - score`` (NaN for a range);
        - ``others_synthetic``: True when the medians and means rest on synthetic
          values of other cities.
    """
    name, ctx = city_context(data, city, cycle)
    ref = _component_arrays(ctx)  # the same for every city of the cycle: computed once
    mine = is_on_record(ctx, name)
    score, low, high, basis = _component_values(ctx, name)
    synthetic = np.zeros(len(ref["component"])) if mine else _synthetic_points(ctx, name)
    synthetic = np.where(np.array(basis) == BASIS_PUBLISHED, 0.0, synthetic)  # a published total is not synthetic
    if mine:  # the median of the other cities: the city's own synthetic values take no part
        others = np.delete(ref["panel"], scored_rows(ctx)[0][name], axis=0)
        med = pd.DataFrame(others).median(axis=0, skipna=True).to_numpy(dtype=float)
    else:
        med = ref["national_median"]
    exact = low == high
    # a frame built from a dict copies its arrays: the cached ones are never handed out
    return pd.DataFrame({
        "component": list(ref["component"]), "name": list(ref["name"]), "weight": ref["weight"],
        "score": score, "score_low": low, "score_high": high, "basis": basis,
        "synthetic_points": synthetic,
        "national_median": med,
        "top10_mean": ref["top10_mean"],
        "n_top_cities": ref["n_top_cities"],
        "gap_to_median": np.where(exact, score - med, np.nan),
        "gap_to_max": np.where(exact, 100.0 - score, np.nan),
        "others_synthetic": bool(ctx.synthetic_share > 0),
    }, columns=COMPONENT_COLUMNS)


@lru_cache(maxsize=16)
def _component_arrays(ctx: CycleContext) -> dict:
    """What :func:`component_comparison` reads for every city of a cycle, once per context (read-only arrays).

    ``component``, ``name``, ``weight``: the framework's components; ``panel``:
    city x component scores of the panel (rows in ``ctx.scored`` order: :func:`scored_rows`
    gives a city's row); ``national_median``, ``top10_mean``, ``n_top_cities``:
    :func:`component_reference`.
    """
    fw = ctx.framework
    comps = fw.component_ids
    ref = component_reference(ctx)
    return {"component": tuple(comps), "name": tuple(fw.components["name"].tolist()),
            "weight": fw.components["weight"].astype(float).to_numpy(),
            "panel": ctx.scored[comps].astype(float).to_numpy(),
            "national_median": ref["national_median"].to_numpy(dtype=float),
            "top10_mean": ref["top10_mean"].to_numpy(dtype=float),
            "n_top_cities": int(ref["n_top_cities"].iloc[0]) if len(ref) else 0}


def _component_values(ctx: CycleContext, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Per component: score, low, high and basis, for the city (see :func:`component_comparison`)."""
    arrays = cycle_arrays(ctx)
    comps = arrays["component_ids"]
    published = _published_totals(ctx).get(name, {})
    k = arrays["position"][name]
    values, synthetic, maxima = arrays["values"][k], arrays["synthetic"][k], arrays["max_score"]
    ref = _component_arrays(ctx)
    panel = ref["panel"][scored_rows(ctx)[0][name]]
    mine = is_on_record(ctx, name)
    score, low, high, basis = [], [], [], []
    for j, (comp, members) in enumerate(zip(comps, arrays["members"])):
        v = values[members]
        unknown = np.isnan(v)
        if comp in published and (unknown.any() or not mine):  # a total the data do not hold on record
            p = float(published[comp])
            score.append(p), low.append(p), high.append(p), basis.append(BASIS_PUBLISHED)
        elif mine and unknown.any():
            known = float(np.where(unknown, 0.0, v).sum())
            score.append(known), low.append(known)
            high.append(known + float(maxima[members][unknown].sum()))
            basis.append(BASIS_RANGE)
        elif mine:
            known = float(v.sum())
            agree = comp in published and abs(float(published[comp]) - known) < 1e-9
            score.append(known), low.append(known), high.append(known)
            basis.append(BASIS_PUBLISHED if agree else BASIS_ON_RECORD)
        else:
            p = float(panel[j])
            score.append(p), low.append(p), high.append(p)
            basis.append(BASIS_SYNTHETIC if synthetic[members].any() else BASIS_ON_RECORD)
    return (np.array(score, dtype=float), np.array(low, dtype=float), np.array(high, dtype=float), basis)


@lru_cache(maxsize=16)
def _published_totals(ctx: CycleContext) -> dict[str, dict[str, float]]:
    """City -> component -> total in the published record of the context's cycle, as
    ``facts_of(ctx, city).component_totals`` gives it; cities without one are left out (once per context)."""
    record = ctx.record if ctx.record is not None else empty_record()
    totals = component_totals(record)
    out: dict[str, dict[str, float]] = {}
    for cycle, city, comp, score in zip(totals["cycle"].tolist(), totals["city"].tolist(),
                                        totals["component"].tolist(), totals["score"].tolist()):
        if cycle == ctx.cycle:
            out.setdefault(city, {})[comp] = score
    return out


def _synthetic_points(ctx: CycleContext, name: str) -> np.ndarray:
    """Per component (framework order): points of the city's synthetic values."""
    arrays = cycle_arrays(ctx)
    k = arrays["position"][name]
    points = np.where(arrays["synthetic"][k], arrays["values"][k], 0.0)
    return np.array([points[members].sum() for members in arrays["members"]], dtype=float)


# -------------------------------------------------------------------- recommendations
RECOMMENDATION_COLUMNS = ["priority", "indicator", "component", "component_name", "name", "score", "max_score",
                          "points_available", "overall_gain", "recommendation", "source", "status"]


def recommendations(data: Dataset, *, city: str, cycle: int = 0,
                    texts: pd.DataFrame | None = None) -> pd.DataFrame:
    """A recommendation for every indicator that has one, in framework order (as DMAF's report card gives them).

    An indicator at its maximum keeps its recommendation (how to hold the score),
    and so does one whose value is not on record.

    Parameters
    ----------
    texts : DataFrame, optional
        ``cycle, indicator, recommendation``; default :func:`load_recommendations`.

    Returns
    -------
    DataFrame
        One row per indicator that has a text in ``texts`` (indicators without one
        are left out, so the table is empty when there are no texts at all), in
        framework order (component by component), columns

        - ``priority``: 1 = the indicator whose full raise adds most to the overall
          score, then the next; indicators at their maximum or without a value come
          last (framework order among them);
        - ``indicator``, ``component``, ``component_name``, ``name``, ``score``
          (NaN when not on record or missing), ``max_score``;
        - ``points_available``: ``max_score - score`` (NaN when the score is unknown);
        - ``overall_gain``: what reaching the maximum adds to the overall score
          (``points_available * weight``);
        - ``recommendation``; ``source`` (provenance of the city's value);
        - ``status``: ``on record``, ``not on record`` (a synthetic value hidden on
          the card of a city with values on record, or no value at all) or
          ``synthetic``.
    """
    name, ctx = city_context(data, city, cycle)
    lookup = recommendation_lookup() if texts is None else {
        (int(c), str(i)): str(t) for c, i, t in zip(texts["cycle"], texts["indicator"], texts["recommendation"])}
    table = indicator_scores(data, city=name, cycle=ctx.cycle)
    ids = table["indicator"].tolist()
    texts_of = [lookup.get((ctx.cycle, i)) for i in ids]
    keep = [k for k, t in enumerate(texts_of) if t is not None]
    rows = keep or list(range(len(ids)))  # no text at all: every row, left out below (the columns keep their types)
    points = table["gap_to_max"].to_numpy(dtype=float)
    gain = points * _indicator_weights(ctx)
    order = _priority_order(points[rows], gain[rows])
    priority = np.empty(len(order), dtype="int64")
    priority[order] = np.arange(1, len(order) + 1)
    columns = {"priority": priority}
    for col in ("indicator", "component", "component_name", "name", "score", "max_score"):
        columns[col] = table[col].to_numpy()[rows]
    columns |= {"points_available": points[rows], "overall_gain": gain[rows],
                "recommendation": np.array(texts_of, dtype=object)[rows],
                "source": table["source"].to_numpy()[rows], "status": table["status"].to_numpy()[rows]}
    out = pd.DataFrame(columns, columns=RECOMMENDATION_COLUMNS)
    return out if keep else out.iloc[:0]


@lru_cache(maxsize=16)
def _indicator_weights(ctx: CycleContext) -> np.ndarray:
    """Per indicator (framework order): its component's weight as a share of all weights (once per context)."""
    fw = ctx.framework
    weights = fw.weights / fw.weights.sum()
    out = fw.indicators["component"].map(weights).astype(float).to_numpy()
    out.flags.writeable = False
    return out


def _priority_order(points: np.ndarray, gain: np.ndarray) -> list[int]:
    """Rows in priority order: first the useful ones (``points > TOLERANCE``), by gain then points, both
    highest first with missing values last, then framework order (the rows' order)."""
    useful = points > _TOL
    return sorted(range(len(points)), key=lambda r: (not useful[r], nan_last(gain[r], descending=True),
                                                     nan_last(points[r], descending=True), r))


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
                "n_in_median", "is_group_median", "overall_range", "rank_range"]

#: The peers table shows at most this many cities above and below the report city in each group.
PEERS_AROUND = 4


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
        the framework), ``n_in_group`` (cities of the whole group),
        ``n_in_median`` (how many cities' overall scores the group's median is
        taken over: those with a score, the report city left out when it is
        shown by its range; the same on every row of the group) and
        ``is_group_median`` (True on the group's median row, whose ``city``,
        ``state``, ranks and ``level`` are empty and whose ``overall`` is the
        median overall score of the group's cities), ``overall_range`` and
        ``rank_range`` (text, "" except on the row of a report city with values
        on record, which is shown by the ranges its values on record allow,
        e.g. ``10.0-35.0`` and ``13-100``: its synthetic values are never shown,
        its ``overall``, ranks and gaps are empty, its ``level`` names the levels
        the range allows, and it is placed in its group by the lowest score its
        values allow; the group's median leaves it out). State rows first; each
        group ordered by ``rank_in_group`` then city, unranked cities last, its
        median row last.
    """
    name, ctx = city_context(data, city, cycle)
    position, columns = scored_rows(ctx)
    me = {column: columns[column][position[name]] for column in ("state", "selection_round", "overall")}
    ranged = _on_record_range(ctx, name)  # a city with values on record: shown by its range, never its panel values
    mine = math.nan if ranged else as_float(me["overall"])
    parts = []
    for group in ("state", "selection_round"):
        value = me[group]
        if not isinstance(value, str) or not value:
            continue
        rows, median = _peer_groups(ctx, group)[value]  # the same for every city of the group: computed once
        if ranged:
            rows, median = _place_by_range(rows, median, name, ranged)
        at = next(i for i, r in enumerate(rows) if r["city"] == name)
        for r in rows[max(0, at - int(around)):at + int(around) + 1] + [median]:
            parts.append({"overall_range": "", "rank_range": "", **r, "is_report_city": r["city"] == name,
                          "gap_to_report_city": r["overall"] - mine})
    return _peer_frame(parts)


#: The types of :func:`peer_comparison`'s columns (the others are text).
_PEER_TYPES = {"overall": float, "rank": "Int64", "rank_in_group": "Int64", "gap_to_report_city": float,
               "is_report_city": bool, "is_group_median": bool, "n_synthetic": int, "n_indicators": int,
               "n_in_group": int, "n_in_median": int, "overall_range": str, "rank_range": str}


def _peer_frame(parts: list[dict]) -> pd.DataFrame:
    """The rows of :func:`peer_comparison` as its table: one column at a time, each built with its type."""
    if not parts:  # no group: an empty table of the same columns and types
        return pd.DataFrame(parts, columns=PEER_COLUMNS).astype(_PEER_TYPES)
    columns = {}
    for col in PEER_COLUMNS:
        values = [p[col] for p in parts]
        kind = _PEER_TYPES.get(col)
        columns[col] = (values if kind in (None, str) else pd.array(values, dtype="Int64") if kind == "Int64"
                        else np.array(values, dtype=kind))
    return pd.DataFrame(columns, columns=PEER_COLUMNS)


def _on_record_range(ctx: CycleContext, name: str) -> dict | None:
    """The range fields of the report city's peer row when it has values on record and some unknown, else None."""
    if not is_on_record(ctx, name) or name not in ctx.bounds.index:
        return None
    b = ctx.bounds.loc[name]
    low, high = float(b["overall_low"]), float(b["overall_high"])
    if not (math.isfinite(low) and math.isfinite(high)) or high - low <= 1e-9:
        return None
    best, worst = int(b["rank_best"]), int(b["rank_worst"])
    names = [str(n) for n in ctx.framework.levels["level"]]  # lowest first
    lo, hi = str(b["level_low"]), str(b["level_high"])
    between = names.index(hi) - names.index(lo) if lo in names and hi in names else 1
    level = lo if lo == hi else f"{lo} or {hi}" if between == 1 else f"{lo} to {hi}"
    return {"low": low, "overall_range": f"{low:.1f}\u2013{high:.1f}",
            "rank_range": str(best) if best == worst else f"{best}\u2013{worst}", "level": level}


def _place_by_range(rows: list[dict], median: dict, name: str, ranged: dict) -> tuple[list[dict], dict]:
    """The group's rows with the report city placed by the lowest score its values on record allow.

    Its row carries its ranges and no panel value; the group's median is taken over the other cities.
    """
    others = [r for r in rows if r["city"] != name]
    mine = next(r for r in rows if r["city"] == name)
    at = sum(1 for r in others if r["overall"] == r["overall"] and r["overall"] > ranged["low"])
    row = {**mine, "overall": math.nan, "rank": pd.NA, "rank_in_group": pd.NA, "level": ranged["level"],
           "overall_range": ranged["overall_range"], "rank_range": ranged["rank_range"]}
    values = np.array([r["overall"] for r in others], dtype=float)
    med = float(np.nanmedian(values)) if np.isfinite(values).any() else math.nan
    counted = int(np.isfinite(values).sum())
    placed = [{**r, "n_in_median": counted} for r in others[:at] + [row] + others[at:]]
    return placed, {**median, "overall": med, "n_in_median": counted}


@lru_cache(maxsize=16)
def _peer_groups(ctx: CycleContext, group: str) -> dict[str, tuple[list[dict], dict]]:
    """Every peer group of one kind (``group``: ``state`` or ``selection_round``) of a cycle, once per context.

    Group name -> the rows of its cities in the group's order (``rank_in_group``, the
    competition rank of the overall score within the group, then city; unranked
    last) and its median row. Read-only: the cards build new rows from them.
    """
    scored = ctx.scored
    table = pd.DataFrame({
        "group": scored[group].to_numpy(dtype=object),
        "city": scored["city"].to_numpy(dtype=object), "state": scored["state"].to_numpy(dtype=object),
        "overall": scored["overall"].to_numpy(dtype=float), "rank": scored["rank"].astype("Int64").to_numpy(),
        "level": scored["level"].to_numpy(dtype=object),
        "n_synthetic": scored["n_synthetic"].to_numpy(dtype=int) if "n_synthetic" in scored.columns else 0,
    })
    # ranks within each group, as Series.rank of the group's part would give them
    table["rank_in_group"] = (table.groupby("group", sort=False)["overall"]
                              .rank(method="min", ascending=False).astype("Int64"))
    table = table[table["group"].notna()].sort_values(["rank_in_group", "city"], na_position="last",
                                                      kind="mergesort")
    members: dict[str, list[dict]] = {}
    for r in table.to_dict("records"):
        members.setdefault(r.pop("group"), []).append(r)
    n_ind = len(ctx.framework.indicator_ids)
    out = {}
    for value, part in members.items():
        overall = np.array([r["overall"] for r in part], dtype=float)
        common = {"peer_group": group, "group_name": value, "n_indicators": n_ind, "n_in_group": len(part),
                  "n_in_median": int(np.isfinite(overall).sum())}
        rows = [{**common, **r, "overall": float(r["overall"]), "n_synthetic": int(r["n_synthetic"]),
                 "is_group_median": False} for r in part]
        med = float(np.nanmedian(overall)) if np.isfinite(overall).any() else math.nan
        median = {**common, "city": "", "state": "", "overall": med, "rank": pd.NA, "rank_in_group": pd.NA,
                  "level": "", "n_synthetic": 0, "is_group_median": True}
        out[value] = (rows, median)
    return out


# ------------------------------------------------------------------------- engagement
ENGAGEMENT_COLUMNS = ["city", "cycle", "engagement_score", "national_median", "national_mean", "q1", "q3",
                      "min", "max", "n_cities", "percentile", "n_synthetic"]


def engagement_distribution(data: Dataset, *, city: str, cycle: int = 0) -> pd.DataFrame:
    """Every city's engagement score in the cycle, the report city marked.

    Returns
    -------
    DataFrame
        Columns ``city``, ``engagement_score`` (0-100), ``is_report_city``; one
        row per city of the cycle with an engagement score, highest first.
    """
    name, ctx = city_context(data, city, cycle)
    base = _engagement(ctx)["table"]  # the same for every city of the cycle: computed once
    return base.assign(is_report_city=base["city"] == name)  # a new frame: the shared one is never handed out


@lru_cache(maxsize=16)
def _engagement(ctx: CycleContext) -> dict:
    """The cycle's engagement scores and what the cards say of them, computed once per cycle context.

    ``table``: :func:`cycle_engagement` (highest first); ``values``: its scores;
    ``score``: city -> its score (the first row of the city); ``stats``:
    :func:`summary_statistics` of the scores; ``n_synthetic``: how many are synthetic. Read-only.
    """
    table = cycle_engagement(ctx)
    values = table["engagement_score"].to_numpy(dtype=float)
    values.flags.writeable = False
    score: dict[str, float] = {}
    for city, value in zip(table["city"].tolist(), values.tolist()):
        score.setdefault(city, float(value))
    scored = ctx.engagement[ctx.engagement["engagement_score"].notna()]
    return {"table": table, "values": values, "score": score, "stats": summary_statistics(values),
            "n_synthetic": int(is_synthetic(scored["source"].fillna("")).sum())}


def engagement_comparison(data: Dataset, *, city: str, cycle: int = 0) -> pd.DataFrame:
    """The City Engagement Score beside the national distribution.

    Returns
    -------
    DataFrame
        One row, columns ``city``, ``cycle``, ``engagement_score`` (NaN when the
        city has none), ``national_median``, ``national_mean``, ``q1``, ``q3``
        (quartiles, linear interpolation), ``min``, ``max``, ``n_cities``
        (cities with a score), ``percentile`` (as in :func:`indicator_scores`) and
        ``n_synthetic`` (how many of those scores are synthetic).
    """
    name, ctx = city_context(data, city, cycle)
    shared = _engagement(ctx)  # the same for every city of the cycle: computed once
    values = shared["values"]
    score = shared["score"].get(name, math.nan)
    s = shared["stats"]
    stats = dict(national_median=s["median"], national_mean=s["mean"], q1=s["q1"], q3=s["q3"],
                 min=s["min"], max=s["max"])
    pct = (100.0 * ((values < score).sum() + 0.5 * (values == score).sum()) / len(values)
           if len(values) and not math.isnan(score) else math.nan)
    row = {"city": name, "cycle": ctx.cycle, "engagement_score": score, **stats,
           "n_cities": len(values), "percentile": pct, "n_synthetic": shared["n_synthetic"]}
    return pd.DataFrame([row], columns=ENGAGEMENT_COLUMNS)
