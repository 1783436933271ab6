"""Scoring: indicator points -> component scores -> overall -> level -> rank.

Every function takes a tidy table and returns a new DataFrame; inputs are never
modified. Missing data are handled by an explicit policy: by default a component
with a missing indicator (no row, or an empty score) is itself missing, and so is
the overall score; ``treat_missing_as_zero=True`` counts missing indicators as 0.
"""
from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .._util.numeric import summary_statistics
from ..cities import load_cities
from ..errors import ArgumentError
from ..framework import Framework, frameworks_or_bundled
from ..io import expects_table, is_synthetic

__all__ = ["OVERALL_DECIMALS", "ID_COLUMNS", "RESULT_COLUMNS", "all_component_ids", "score_columns",
           "indicator_matrix", "component_scores", "overall_scores", "rank_within_cycle", "score_cities",
           "group_summary", "group_values", "grouping_columns", "checked_weights", "level_order"]

#: Overall scores are rounded to this many decimals before levels and ranks, so
#: that equal point totals tie exactly despite floating-point weights.
OVERALL_DECIMALS = 9

#: Columns of :func:`score_cities`'s output before and after the component columns,
#: whose ids and order come from the frameworks (see :func:`score_columns`).
ID_COLUMNS = ["cycle", "city", "state", "region"]
RESULT_COLUMNS = ["overall", "level", "rank", "complete"]


def all_component_ids(frameworks: dict[int, Framework]) -> list[str]:
    """Every component id of the frameworks, in cycle order then framework order, each once."""
    return list(dict.fromkeys(c for _, fw in sorted(frameworks.items()) for c in fw.component_ids))


def score_columns(frameworks: dict[int, Framework] | None = None) -> list[str]:
    """The main columns of a scored table: ids, one column per component, results.

    ``cycle, city, state, region``, then every component id of ``frameworks``
    (default: the bundled ones; see :func:`all_component_ids`), then ``overall,
    level, rank, complete``. ``dmaf score`` writes these columns.
    """
    return ID_COLUMNS + all_component_ids(_frameworks(frameworks)) + RESULT_COLUMNS


def _frameworks(frameworks):
    return frameworks_or_bundled(frameworks)


def indicator_matrix(scores: pd.DataFrame, framework: Framework, *,
                     cities: Sequence[str] | None = None) -> pd.DataFrame:
    """The city x indicator table of points of one cycle's rows of a long score table.

    Parameters
    ----------
    scores : DataFrame
        Rows of one cycle, columns ``city, indicator, score``.
    framework : Framework
        That cycle's framework: its indicators are the columns, in framework order.
    cities : sequence of str, optional
        The rows, in this order (default: every city of ``scores``, in order of
        first appearance).

    Returns
    -------
    DataFrame
        Index ``city``, one float column per indicator id; NaN where a city has
        no value (or is not in ``scores``).
    """
    points = pd.to_numeric(scores["score"], errors="coerce")
    wide = (scores.assign(score=points)
            .pivot_table(index="city", columns="indicator", values="score", aggfunc="sum", min_count=1,
                         dropna=False))
    rows = pd.Index(pd.unique(scores["city"]) if cities is None else list(cities), name="city")
    return wide.reindex(index=rows, columns=framework.indicator_ids).astype(float)


@expects_table("scores")
def component_scores(scores: pd.DataFrame, *, frameworks: dict[int, Framework] | None = None,
                     treat_missing_as_zero: bool = False) -> pd.DataFrame:
    """Component scores (out of 100) of every city and cycle.

    Parameters
    ----------
    scores : DataFrame
        A validated score table (see :func:`dmaf_analysis.io.validate_scores`), with
        at least ``cycle, city, indicator, score``.
    frameworks : dict, optional
        Cycle -> Framework; default the bundled frameworks.
    treat_missing_as_zero : bool, default False
        Count a missing indicator as 0 points instead of making the component missing.

    Returns
    -------
    DataFrame
        One row per (cycle, city, component), columns
        ``cycle, city, component, score, n_indicators, n_present, complete``:
        ``score`` is the sum of the indicator points, NaN when the component is
        incomplete and missing values are not treated as zero; ``complete`` says
        whether every indicator of the component has a score.
    """
    frameworks = _frameworks(frameworks)
    parts = []
    for cycle, cycle_scores in scores.groupby("cycle", sort=True):
        fw = frameworks[int(cycle)]
        wide = indicator_matrix(cycle_scores, fw)
        present = wide.notna()
        for comp, inds in fw.indicators.groupby("component", sort=False)["indicator"]:
            ids = inds.tolist()
            n_present = present[ids].sum(axis=1)
            complete = n_present == len(ids)
            total = wide[ids].sum(axis=1, min_count=0)
            score = total if treat_missing_as_zero else total.where(complete)
            parts.append(pd.DataFrame({
                "cycle": int(cycle), "city": wide.index, "component": comp,
                "score": score.to_numpy(dtype=float), "n_indicators": len(ids),
                "n_present": n_present.to_numpy(dtype=int), "complete": complete.to_numpy(dtype=bool),
            }))
    cols = ["cycle", "city", "component", "score", "n_indicators", "n_present", "complete"]
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)[cols]


def checked_weights(weights: dict[str, float], fw: Framework) -> pd.Series:
    """Weights overriding a framework's, checked: every component, none unknown or negative, not all 0.

    Raises :class:`~dmaf_analysis.errors.ArgumentError` (a ``ValueError``) naming the fix: weights
    given as a list or a table instead of a mapping of component id to weight, unknown or missing
    components, negative or non-finite weights.
    """
    if isinstance(weights, pd.DataFrame) or not isinstance(weights, (Mapping, pd.Series)):
        example = ", ".join(f"{c!r}: {w:g}" for c, w in fw.weights.items())
        raise ArgumentError(f"weights must map each component id to its weight, got a "
                            f"{type(weights).__name__}; for cycle {fw.cycle} give, for example, {{{example}}}")
    try:
        given = pd.Series(dict(weights), dtype=float)
    except (TypeError, ValueError):
        raise ArgumentError(f"weights must be numbers, got {dict(weights)!r}") from None
    unknown = sorted(set(given.index) - set(fw.component_ids))
    if unknown:
        raise ArgumentError(f"weights name unknown component(s) {', '.join(unknown)}; "
                         f"cycle {fw.cycle} has {', '.join(fw.component_ids)}")
    w = given.reindex(fw.component_ids)
    if w.isna().any():
        raise ArgumentError(f"weights lack component(s) {', '.join(w.index[w.isna()])}")
    if (w < 0).any() or not np.isfinite(w).all():
        raise ArgumentError(f"weights must be finite and 0 or more, got {w.to_dict()}")
    if w.sum() <= 0:
        raise ArgumentError("at least one weight must be above 0")
    return w


def overall_scores(components: pd.DataFrame, *, frameworks: dict[int, Framework] | None = None,
                   weights: dict[str, float] | None = None) -> pd.DataFrame:
    """Weighted mean of the component scores.

    Parameters
    ----------
    components : DataFrame
        Output of :func:`component_scores`.
    weights : dict, optional
        Component id -> weight, overriding the framework's weights (renormalised to
        sum to 1).

    Returns
    -------
    DataFrame
        One row per (cycle, city), columns ``cycle, city, overall, complete``;
        ``overall`` is NaN when any component score is missing.
    """
    frameworks = _frameworks(frameworks)
    parts = []
    for cycle, comp in components.groupby("cycle", sort=True):
        fw = frameworks[int(cycle)]
        w = fw.weights if weights is None else checked_weights(weights, fw)
        w = w / w.sum()
        wide = comp.pivot(index="city", columns="component", values="score").reindex(columns=fw.component_ids)
        complete = comp.groupby("city", sort=False)["complete"].all().reindex(wide.index)
        overall = (wide * w).sum(axis=1, min_count=len(w)).where(wide.notna().all(axis=1))
        parts.append(pd.DataFrame({"cycle": int(cycle), "city": wide.index,
                                   "overall": overall.round(OVERALL_DECIMALS).to_numpy(dtype=float),
                                   "complete": complete.to_numpy(dtype=bool)}))
    if not parts:
        return pd.DataFrame(columns=["cycle", "city", "overall", "complete"])
    return pd.concat(parts, ignore_index=True)


def rank_within_cycle(values: pd.Series, cycles: pd.Series) -> pd.Series:
    """Competition ranks ("1, 2, 3, 3, 5"), descending, within each cycle.

    Equal values share the best rank; missing values get no rank (NaN, nullable int).
    """
    ranks = values.groupby(cycles).rank(method="min", ascending=False)
    return ranks.astype("Int64")


def level_order(frameworks: dict[int, Framework]) -> list[str]:
    """Level names from lowest to highest, over the cycles in order (names new in a later cycle
    follow those already seen, in that cycle's order): the categories of ``level``."""
    names: list[str] = []
    for cycle in sorted(frameworks):
        for name in frameworks[cycle].levels["level"].tolist():
            if name not in names:
                names.append(name)
    return names


@expects_table("scores")
def score_cities(scores: pd.DataFrame, *, frameworks: dict[int, Framework] | None = None,
                 cities: pd.DataFrame | None = None, treat_missing_as_zero: bool = False,
                 weights: dict[str, float] | None = None) -> pd.DataFrame:
    """Score every city of every cycle: components, overall, level and rank.

    Parameters
    ----------
    scores : DataFrame
        A validated score table (``cycle, city, indicator, score``; ``source``
        optional).
    frameworks, cities : optional
        Default to the bundled frameworks and cities table.
    treat_missing_as_zero : bool, default False
        See :func:`component_scores`.
    weights : dict, optional
        Component weights overriding the frameworks' (see :func:`overall_scores`).

    Returns
    -------
    DataFrame
        One row per (cycle, city), sorted by cycle then rank, with columns
        ``cycle, city, state, region``, one column per component id of the
        frameworks (:func:`all_component_ids`, e.g. ``policy ... outcomes`` for
        DMAF), ``overall, level, rank, complete`` followed by
        ``selection_round`` (from the cities table), ``certified`` (bool),
        ``n_missing`` (indicators without a score) and ``n_synthetic``
        (indicators whose ``source`` is ``synthetic``). Component and overall
        scores are out of 100; ``level`` (an ordered categorical, lowest level
        first, see :func:`level_order`) and ``rank`` are missing when the
        overall is.
    """
    frameworks = _frameworks(frameworks)
    cities = load_cities() if cities is None else cities
    comps = component_scores(scores, frameworks=frameworks, treat_missing_as_zero=treat_missing_as_zero)
    overall = overall_scores(comps, frameworks=frameworks, weights=weights)
    wide = comps.pivot_table(index=["cycle", "city"], columns="component", values="score",
                             aggfunc="first", dropna=False).reset_index()
    wide.columns.name = None
    table = overall.merge(wide, on=["cycle", "city"], how="left")
    all_components = all_component_ids(frameworks)
    for comp in all_components:
        if comp not in table.columns:
            table[comp] = np.nan
    levels = np.empty(len(table), dtype=object)
    certified = np.zeros(len(table), dtype=bool)
    for cycle, idx in table.groupby("cycle").groups.items():
        fw = frameworks[int(cycle)]
        lv = fw.levels_for(table.loc[idx, "overall"])
        levels[table.index.get_indexer(idx)] = lv
        cert = dict(zip(fw.levels["level"], fw.levels["certified"]))
        certified[table.index.get_indexer(idx)] = [bool(cert.get(x, False)) for x in lv]
    table["level"] = pd.Categorical(levels, categories=level_order(frameworks), ordered=True)
    table["certified"] = certified
    table["rank"] = rank_within_cycle(table["overall"], table["cycle"])

    expected = {c: len(fw.indicator_ids) for c, fw in frameworks.items()}
    counts = scores.groupby(["cycle", "city"])["score"].count().rename("n_scored").reset_index()
    table = table.merge(counts, on=["cycle", "city"], how="left")
    table["n_missing"] = table["cycle"].map(expected).astype(int) - table["n_scored"].fillna(0).astype(int)
    if "source" in scores.columns:
        synth = is_synthetic(scores["source"]) & scores["score"].notna()
        n_syn = synth.groupby([scores["cycle"], scores["city"]]).sum().rename("n_synthetic").reset_index()
        table = table.merge(n_syn, on=["cycle", "city"], how="left")
        table["n_synthetic"] = table["n_synthetic"].fillna(0).astype(int)
    else:
        table["n_synthetic"] = 0
    table["complete"] = table["n_missing"] == 0

    info = cities[["city", "state", "region", "selection_round"]]
    table = table.merge(info, on="city", how="left")
    cols = ID_COLUMNS + all_components + RESULT_COLUMNS + ["selection_round", "certified",
                                                           "n_missing", "n_synthetic"]
    table = table[cols].sort_values(["cycle", "rank", "city"], na_position="last").reset_index(drop=True)
    return table


_GROUPINGS = {"national": None, "state": "state", "region": "region", "selection_round": "selection_round"}
#: Columns of the cities and attribute tables that identify a row rather than group cities.
_NOT_GROUPS = ("city", "cycle", "aliases")


def grouping_columns(*, cities: pd.DataFrame | None = None, attributes: pd.DataFrame | None = None) -> list[str]:
    """The columns cities can be grouped by: every column of the cities table, then of the attribute table.

    ``city``, ``cycle`` and ``aliases`` are left out (they name a row, not a group).
    """
    cities = load_cities() if cities is None else cities
    names = [c for c in cities.columns if c not in _NOT_GROUPS]
    if attributes is not None:
        names += [c for c in attributes.columns if c not in _NOT_GROUPS and c not in names]
    return names


def group_values(scored: pd.DataFrame, by: str, *, cities: pd.DataFrame | None = None,
                 attributes: pd.DataFrame | None = None) -> pd.Series:
    """The group of every row of a scored table, from any column of the cities or the attribute table.

    Parameters
    ----------
    scored : DataFrame
        Rows with ``cycle, city`` (e.g. :func:`score_cities`).
    by : str
        A column of ``cities`` (default: the bundled cities table) or of
        ``attributes`` (one row per cycle and city, such as the city attribute
        table); a column the scored table itself has (``state``, ``region``,
        ``selection_round``) is read from it.

    Returns
    -------
    Series
        Aligned with ``scored``; None where the table gives no value (missing or empty text).

    Raises
    ------
    ArgumentError
        ``by`` is in neither table; the message lists the columns there are.
    """
    if by in scored.columns and by in _GROUPINGS.values():
        values = scored[by].astype(object)
    else:
        cities = load_cities() if cities is None else cities
        if by in cities.columns and by not in _NOT_GROUPS:
            lookup = cities.drop_duplicates("city").set_index("city")[by]
            values = scored["city"].map(lookup).astype(object)
        elif attributes is not None and by in attributes.columns and by not in _NOT_GROUPS:
            keyed = attributes.drop_duplicates(["cycle", "city"]).set_index(["cycle", "city"])[by]
            index = pd.MultiIndex.from_arrays([scored["cycle"].astype(int), scored["city"]])
            values = pd.Series(keyed.reindex(index).to_numpy(dtype=object), index=scored.index)
        else:
            available = grouping_columns(cities=cities, attributes=attributes)
            close = difflib.get_close_matches(str(by), available, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            where = "the cities table" + (" or the attribute table" if attributes is not None else "")
            raise ArgumentError(f"cannot group by {by!r}: it is not a column of {where}{hint}; "
                                f"the columns are: {', '.join(available)}")
    values = pd.Series(values, index=scored.index, dtype=object)
    return values.where(values.notna() & (values.astype(str).str.strip() != ""), None)


@expects_table("scored")
def group_summary(scored: pd.DataFrame, *, by: str = "national",
                  frameworks: dict[int, Framework] | None = None, cities: pd.DataFrame | None = None,
                  attributes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Summary statistics of scored cities, nationally or by group.

    Parameters
    ----------
    scored : DataFrame
        Output of :func:`score_cities`.
    by : str, default "national"
        ``"national"`` (every city together), or any column of the cities table
        (``cities``, default the bundled one: ``state``, ``region``,
        ``selection_round``...) or of the attribute table ``attributes``; see
        :func:`group_values`.

    Returns
    -------
    DataFrame
        One row per (cycle, group, measure), columns ``cycle, grouping, group,
        measure, count, mean, median, q1, q3, min, max, n_certified``, where
        ``measure`` is a component id or ``overall``; ``count`` counts cities
        with a score for that measure, ``n_certified`` counts certified cities of
        the group (the same on every measure row); cities without a value of
        ``by`` are in ``(unknown)``. Quartiles use linear interpolation
        (``numpy.percentile``'s default).
    """
    frameworks = _frameworks(frameworks)
    data = scored.copy()
    if by == "national":
        data["_group"] = "All cities"
    else:
        groups = group_values(scored, by, cities=cities, attributes=attributes)
        if groups.isna().all():
            available = [c for c in grouping_columns(cities=cities, attributes=attributes)]
            raise ArgumentError(f"no city has a {by} value, so there is nothing to group by; choose "
                                f"national or another column: {', '.join(available)}")
        data["_group"] = groups.fillna("(unknown)").astype(str)
    rows = []
    for (cycle, group), part in data.groupby(["cycle", "_group"], sort=True):
        measures = frameworks[int(cycle)].component_ids + ["overall"]
        n_cert = int(part["certified"].sum())
        for measure in measures:
            stats = summary_statistics(part[measure].to_numpy(dtype=float))
            stats["count"] = stats.pop("n")
            rows.append({"cycle": int(cycle), "grouping": by, "group": group, "measure": measure,
                         **stats, "n_certified": n_cert})
    return pd.DataFrame(rows, columns=["cycle", "grouping", "group", "measure", "count", "mean", "median",
                                       "q1", "q3", "min", "max", "n_certified"])
