"""A city's indicators on its report card: every score beside the medians, and the ones that stand out.

:func:`indicator_scores` (one row per indicator, cached per city and cycle) and
:func:`strengths_and_weaknesses`. Re-exported by :mod:`dmaf_analysis.card`; the
recommendations start from the same table, and the strengths, the headline's counts
and the path to the next level from the per-cycle arrays behind it (:func:`cycle_arrays`).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from .._util.numeric import nan_last
from ..io import is_synthetic
from ..scoring import Dataset
from ._context import city_context, CycleContext

__all__ = ["INDICATOR_COLUMNS", "STRENGTH_COLUMNS", "cycle_arrays", "indicator_scores", "strengths_and_weaknesses"]


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


@lru_cache(maxsize=16)
def cycle_arrays(ctx: CycleContext) -> dict:
    """What the card needs of every city of a cycle, as arrays (computed once per context; read-only).

    ``percentile[i, j]`` is city ``i``'s percentile on indicator ``j`` (ties counted
    half, NaN without a value), ``state_median[i]`` / ``n_state[i]`` the medians
    over its state's cities and their number (NaN / 0 without a state),
    ``synthetic[i, j]`` whether the value is there and synthetic, ``members`` the
    indicator positions of each component (framework order).
    """
    wide = ctx.wide
    values = wide.to_numpy(dtype=float)
    n_cities, n_ind = values.shape
    percentile = np.full((n_cities, n_ind), np.nan)
    for j in range(n_ind):
        col = values[:, j]
        present = ~np.isnan(col)
        ordered = np.sort(col[present])
        if not len(ordered):
            continue
        below = np.searchsorted(ordered, col[present], side="left")
        equal = np.searchsorted(ordered, col[present], side="right") - below
        percentile[present, j] = 100.0 * (below + 0.5 * equal) / len(ordered)
    states = ctx.scored["state"].reindex(wide.index)
    has_state = np.array([isinstance(v, str) and bool(v.strip()) for v in states.tolist()], dtype=bool)
    state_median = np.full((n_cities, n_ind), np.nan)
    n_state = np.zeros(n_cities, dtype=int)
    if has_state.any():
        keys = states[has_state].astype(object)
        medians = wide[has_state].groupby(keys.to_numpy(), sort=False).median()
        counts = keys.value_counts(sort=False)
        rows = np.flatnonzero(has_state)
        state_median[rows] = medians.reindex(keys.to_numpy()).to_numpy(dtype=float)
        n_state[rows] = counts.reindex(keys.to_numpy()).to_numpy(dtype=int)
    fw = ctx.framework
    ind = fw.indicators
    return _read_only({"indicator": ind["indicator"].to_numpy(), "component": ind["component"].to_numpy(),
            "component_name": ind["component"].map(fw.components.set_index("component")["name"]).to_numpy(),
            "name": ind["name"].to_numpy(), "max_score": ind["max_score"].astype(float).to_numpy(),
            "max_provenance": ind["max_provenance"].to_numpy(),
            "national_median": ctx.national_median.to_numpy(dtype=float),
            "component_ids": list(fw.component_ids),
            "members": [np.flatnonzero(ind["component"].to_numpy() == comp) for comp in fw.component_ids],
            "synthetic": _synthetic_matrix(ctx.sources, values),
            "position": {name: k for k, name in enumerate(wide.index)}, "values": values,
            "percentile": percentile, "state_median": state_median, "n_state": n_state,
            "sources": ctx.sources.to_numpy(dtype=object), "placed_by": ctx.placed_by.to_numpy(dtype=object)})


def _read_only(arrays: dict) -> dict:
    """``arrays`` with every numpy array (also inside lists) copied and marked read-only.

    Every card of a batch reads these arrays and the card functions hand rows of them
    to their computations: a function that wrote into one would change every later
    card, so writing raises instead.
    """
    def frozen(value):
        if isinstance(value, np.ndarray):
            value = value.copy()
            value.setflags(write=False)
        elif isinstance(value, list):
            value = [frozen(v) for v in value]
        return value

    return {key: frozen(value) for key, value in arrays.items()}


def _synthetic_matrix(sources: pd.DataFrame, values: np.ndarray) -> np.ndarray:
    """city x indicator: the value is there and its source label is synthetic (``is_synthetic``)."""
    labels = pd.Series(sources.to_numpy(dtype=object).ravel(), dtype=object)
    return is_synthetic(labels).to_numpy(dtype=bool).reshape(values.shape) & ~np.isnan(values)


@lru_cache(maxsize=32)
def _indicator_table(ctx: CycleContext, name: str) -> pd.DataFrame:
    """The table of :func:`indicator_scores` (cached per context and city: every card section asks for it)."""
    arrays = cycle_arrays(ctx)
    k = arrays["position"][name]
    score = arrays["values"][k]
    present = ~np.isnan(score)
    maxima = arrays["max_score"]
    source = _source_labels(arrays, k, present)
    placed = np.array([str(v) if p and v == v and v is not None else "" for v, p in
                       zip(arrays["placed_by"][k], present)], dtype=object)
    synthetic = arrays["synthetic"][k]
    return pd.DataFrame({
        "indicator": arrays["indicator"], "component": arrays["component"],
        "component_name": arrays["component_name"], "name": arrays["name"],
        "score": score, "max_score": maxima, "share_of_max": score / maxima, "gap_to_max": maxima - score,
        "national_median": arrays["national_median"], "state_median": arrays["state_median"][k],
        "n_state_cities": np.full(len(score), int(arrays["n_state"][k]), dtype="int64"),
        "percentile": arrays["percentile"][k], "source": source, "placed_by": placed,
        "max_provenance": arrays["max_provenance"],
        "status": np.where(~present, "not on record", np.where(synthetic, "synthetic", "on record")),
    }, columns=INDICATOR_COLUMNS)


def _source_labels(arrays: dict, k: int, present: np.ndarray) -> np.ndarray:
    """City ``k``'s source label of each indicator ("" without a value), as an object array."""
    return np.array([str(v) if p and isinstance(v, str) else "" for v, p in zip(arrays["sources"][k], present)],
                    dtype=object)


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
    name, ctx = city_context(data, city, cycle)
    arrays = cycle_arrays(ctx)
    k = arrays["position"][name]
    score, maxima, median = arrays["values"][k], arrays["max_score"], arrays["national_median"]
    present = ~np.isnan(score)
    real = present & ~arrays["synthetic"][k]  # on record: there and not synthetic
    considered = real if real.any() else np.ones(len(score), dtype=bool)  # judged on the values on record alone
    with np.errstate(divide="ignore", invalid="ignore"):  # the indicator table's share_of_max and gap_to_max
        share, gap = (score / maxima).tolist(), (maxima - score).tolist()
    percentile = arrays["percentile"][k].tolist()
    # framework order (the position) breaks the remaining ties
    strong = sorted(np.flatnonzero(considered & (score > median)).tolist(),
                    key=lambda j: (nan_last(percentile[j], descending=True), nan_last(share[j], descending=True),
                                   j))[:n]
    weak = sorted(np.flatnonzero(considered & (score < median)).tolist(),
                  key=lambda j: (nan_last(percentile[j]), nan_last(gap[j], descending=True), j))[:n]
    rows = strong + weak
    columns = {"kind": ["strength"] * len(strong) + ["weakness"] * len(weak),
               "indicator": arrays["indicator"][rows], "component": arrays["component"][rows],
               "name": arrays["name"][rows], "score": score[rows], "max_score": maxima[rows],
               "national_median": median[rows], "percentile": arrays["percentile"][k][rows],
               "source": _source_labels(arrays, k, present)[rows]}
    dtypes = _strength_dtypes(ctx)
    return pd.DataFrame({c: pd.array(columns[c], dtype=dtypes[c]) for c in STRENGTH_COLUMNS})


@lru_cache(maxsize=16)
def _strength_dtypes(ctx: CycleContext) -> dict:
    """The dtype of each :data:`STRENGTH_COLUMNS` column: the indicator table's, and for ``kind`` the one
    pandas gives a column of strings (the same for every city of the cycle, so read off one city's table)."""
    first = next(iter(cycle_arrays(ctx)["position"]))
    table = _indicator_table(ctx, first)
    return {"kind": pd.Series(["strength"]).dtype, **{c: table[c].dtype for c in STRENGTH_COLUMNS[1:]}}
