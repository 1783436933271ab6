"""What-if: a city's components, overall score, level and rank if some indicators had other points.

:func:`what_if` rescored one cycle with the city's changed indicator points, the other
cities unchanged, so the new rank is the rank the city would have among them. Indicator
ids, their maxima, the components and the levels all come from the cycle's framework.
"""
from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from .._util.numeric import TOLERANCE, parse_number
from ..errors import ArgumentError, UsageError, bounded_message, shorten
from ..framework import Framework
from ._bounds import score_bounds
from ._dataset import Dataset, match_key
from ._scoring import score_cities

__all__ = ["WHATIF_SOURCE", "check_changes", "describe_changes", "parse_assignments", "what_if"]

#: ``source`` label of a changed value in the rescored table.
WHATIF_SOURCE = "what-if"

_RANGE_COLUMNS = ["n_unknown", "n_missing", "n_synthetic", "overall_low", "overall_high", "level_low", "level_high"]


def parse_assignments(items: Iterable[str]) -> dict[str, float]:
    """``["1.a=30", "2.c=10"]`` -> ``{"1.a": 30.0, "2.c": 10.0}`` (the ``--set ID=POINTS`` syntax).

    The id is everything before the last ``=``. Points are read by the number rule of
    score tables (:func:`~dmaf_analysis._util.numeric.parse_number`: ASCII digits, no
    ``1_0``). Every malformed item (no ``=``, points that are not a finite number such
    as ``abc``, ``nan``, ``inf`` or ``١٠``, an id given twice) is reported at once in
    one :class:`~dmaf_analysis.errors.UsageError`, grouped and shortened. Whether the
    id and points fit the framework is :func:`check_changes`' job (bad data, not usage).
    """
    out: dict[str, float] = {}
    problems = []
    for item in items:
        text = str(item)
        ind, sep, points = text.rpartition("=")
        ind, points = ind.strip(), points.strip()
        if not sep or not ind or not points:
            problems.append(f"{shorten(text)}: expected INDICATOR=POINTS, for example 1.a=30")
            continue
        value = parse_number(points)
        if not math.isfinite(value):
            problems.append(f"{shorten(text)}: the points {shorten(points)} are not a finite number "
                            "(digits 0-9, e.g. 30 or 12.5)")
            continue
        if ind in out:
            problems.append(f"{shorten(text)}: indicator {shorten(ind)} is set more than once")
            continue
        out[ind] = value
    if problems:
        raise UsageError(bounded_message("invalid --set value(s):", problems, source=""))
    if not out:
        raise UsageError("nothing to change: give at least one INDICATOR=POINTS")
    return out


def _label(ind: str) -> str:
    """An indicator id at the head of a message: as given, or shortened with its length when long."""
    return ind if len(ind) <= 60 and ind.isprintable() else shorten(ind)


def check_changes(changes: Mapping[str, float], framework: Framework) -> dict[str, float]:
    """The changes with ids and points checked against ``framework``; every problem reported at once.

    An id must be one of the framework's indicators (the error names the closest
    ones); points must be finite and between 0 and the indicator's maximum.
    """
    maxima = framework.max_scores
    ids = [str(i) for i in maxima.index]
    problems = []
    checked: dict[str, float] = {}
    for ind, points in changes.items():
        ind = match_key(ind, ids) or str(ind)  # "a1" finds "A1", "2.A" finds "2.a"
        if ind not in maxima.index:
            close = difflib.get_close_matches(ind[:200], ids, n=3, cutoff=0.5)
            hint = f"; closest: {', '.join(close)}" if close else ""
            listed = ", ".join(ids[:30]) + (f" and {len(ids) - 30:,} more" if len(ids) > 30 else "")
            problems.append(f"{shorten(ind)} is not an indicator of {framework.name} (cycle {framework.cycle}){hint}; "
                            f"indicators are {listed}")
            continue
        top = float(maxima[ind])
        try:
            value = float(points)
        except (TypeError, ValueError):
            problems.append(f"{_label(ind)}: the points {shorten(points)} are not a number")
            continue
        if not math.isfinite(value) or value < 0 or value > top + TOLERANCE:
            problems.append(f"{_label(ind)}: {value:g} points is outside 0 to {top:g}, the indicator's maximum")
            continue
        checked[ind] = value
    if problems:
        raise ArgumentError(bounded_message("cannot apply the change(s):", problems, source=""))
    return checked


def what_if(data: Dataset, *, city: str, changes: Mapping[str, float], cycle: int = 0,
            treat_missing_as_zero: bool = False) -> pd.DataFrame:
    """The city's scores now and with ``changes`` applied, the other cities unchanged.

    Parameters
    ----------
    data : Dataset
    city : str
        City name (aliases and near spellings resolved as in the report card).
    changes : mapping
        Indicator id -> new points, checked by :func:`check_changes`.
    cycle : int, default 0
        0 = the latest cycle.
    treat_missing_as_zero : bool, default False
        Missing-data policy used for both rows (see
        :func:`~dmaf_analysis.scoring.score_cities`).

    Returns
    -------
    DataFrame
        Two rows, ``scenario`` ``current`` then ``what-if``, columns
        ``scenario, cycle, city``, one column per component id of the cycle's
        framework (0-100), then ``overall``, ``level``, ``certified``, ``rank``
        (competition rank among the cycle's cities, missing when the overall is)
        and ``n_ranked`` (cities with a rank), then the range the values on
        record allow (:func:`~dmaf_analysis.scoring.score_bounds`, the changed
        values counting as known): ``n_unknown``, ``n_missing``,
        ``n_synthetic``, ``overall_low``, ``overall_high``, ``level_low``,
        ``level_high``.
    """
    name, c = data.resolve_city(city, cycle)
    fw = data.frameworks[c]
    checked = check_changes(changes, fw)
    rows = data.scores[data.scores["cycle"] == c]
    frameworks = {c: fw}
    before = score_cities(rows, frameworks=frameworks, cities=data.cities,
                          treat_missing_as_zero=treat_missing_as_zero)
    changed = _apply(rows, name, c, checked)
    after = score_cities(changed, frameworks=frameworks, cities=data.cities,
                         treat_missing_as_zero=treat_missing_as_zero)
    columns = ["cycle", "city", *fw.component_ids, "overall", "level", "certified", "rank"]
    parts = []
    for label, table, source_rows in (("current", before, rows), ("what-if", after, changed)):
        row = table.loc[table["city"] == name, columns].copy()
        row.insert(0, "scenario", label)
        row["n_ranked"] = int(table["rank"].notna().sum())
        known = score_bounds(source_rows, frameworks=frameworks)
        known = known.loc[known["city"] == name, _RANGE_COLUMNS]
        for col in _RANGE_COLUMNS:
            row[col] = known[col].iloc[0] if len(known) else np.nan
        parts.append(row)
    out = pd.concat(parts, ignore_index=True)
    out["rank"] = out["rank"].astype("Int64")
    return out


def _apply(rows: pd.DataFrame, city: str, cycle: int, changes: Mapping[str, float]) -> pd.DataFrame:
    """A copy of ``rows`` with the city's indicator points replaced (rows added when absent)."""
    out = rows.copy()
    mine = out["city"] == city
    for ind, points in changes.items():
        hit = mine & (out["indicator"].astype(str) == ind)
        if hit.any():
            out.loc[hit, "score"] = points
            if "source" in out.columns:
                out.loc[hit, "source"] = WHATIF_SOURCE
        else:
            extra = {col: np.nan for col in out.columns}
            extra.update({"cycle": cycle, "city": city, "indicator": ind, "score": points})
            if "source" in out.columns:
                extra["source"] = WHATIF_SOURCE
            if "state" in out.columns and mine.any():
                extra["state"] = out.loc[mine, "state"].iloc[0]
            out = pd.concat([out, pd.DataFrame([extra])], ignore_index=True)
            mine = out["city"] == city
    return out


def describe_changes(data: Dataset, *, city: str, changes: Mapping[str, float], cycle: int = 0) -> pd.DataFrame:
    """The changed indicators: ``indicator, component, name, max_score, current, new``.

    ``current`` is the city's value in the data (NaN when missing); ``new`` the
    checked value of ``changes``.
    """

    name, c = data.resolve_city(city, cycle)
    fw = data.frameworks[c]
    checked = check_changes(changes, fw)
    mine = data.scores[(data.scores["cycle"] == c) & (data.scores["city"] == name)]
    current = mine.groupby(mine["indicator"].astype(str))["score"].sum(min_count=1)
    ind = fw.indicators.set_index("indicator").loc[list(checked)]
    return pd.DataFrame({
        "indicator": list(checked),
        "component": ind["component"].to_numpy(),
        "name": ind["name"].to_numpy(),
        "max_score": ind["max_score"].astype(float).to_numpy(),
        "current": [float(current.get(i, np.nan)) for i in checked],
        "new": [float(v) for v in checked.values()],
    })
