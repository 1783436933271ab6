"""The path to the next certification level: :class:`LevelPath`, :func:`plan_next_level`, :func:`path_to_next_level`.

:func:`plan_next_level` works on any indicator table and framework (the fewest
indicator raises that cross the next threshold; the search itself is in
``_rank_path``); :func:`path_to_next_level` applies it to one city of a
data set, adds the ranking move of a city already at the top level, and a note when
the values not on record leave the level open. Re-exported by
:mod:`dmaf_analysis.card`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import pandas as pd

from .._util.numeric import format_score
from ..framework import Framework
from ..scoring import Dataset
from ._context import bound_fields, city_context, CycleContext, is_on_record
from ._indicators import cycle_arrays
from ._rank_path import (
    IndicatorArrays,
    SCORE_GRANULARITY,
    RankPath,
    empty_steps,
    fewest_raises_arrays,
    indicator_arrays,
    overall_of_arrays,
    plan_rank_move_arrays,
    weighted_indicators,
)

# SCORE_GRANULARITY: default step, in indicator points, by which a partially raised
# indicator moves in :func:`path_to_next_level` (DMAF report cards show steps of 5).

__all__ = ["LevelPath", "path_to_next_level", "plan_next_level"]


@dataclass(frozen=True, eq=False)
class LevelPath:
    """The fewest indicator improvements that lift the overall score to the next level.

    Attributes
    ----------
    city : str
    current_overall : float
    current_level : str or None
    target_level : str or None
        The next level; None at the top level or when the overall is missing.
    target_min_score : float or None
    points_needed : float or None
        Overall points between the current score and the threshold.
    steps : DataFrame
        One row per improvement, columns ``step`` (1, 2, ...), ``indicator``,
        ``component``, ``name``, ``score``, ``max_score``, ``points_gained``
        (indicator points), ``new_score``, ``partial`` (True when the indicator
        is not raised to its maximum), ``overall_gain`` and ``overall_after``
        (overall score after this and the earlier steps).
    resulting_overall : float or None
    resulting_level : str or None
    granularity : float
        Steps of a partial raise (indicator points).
    levels_illustrative : bool
    range_note : str
        "" unless some of the city's values are not on record and the range they
        allow spans more than one level; then a sentence saying so, appended to
        :attr:`statement`.
    """

    city: str
    current_overall: float
    current_level: str | None
    target_level: str | None
    target_min_score: float | None
    points_needed: float | None
    steps: pd.DataFrame = field(repr=False)
    resulting_overall: float | None
    resulting_level: str | None
    granularity: float
    levels_illustrative: bool
    rank_move: RankPath | None = None
    range_note: str = ""

    @property
    def at_top_level(self) -> bool:
        return self.current_level is not None and self.target_level is None

    @property
    def n_improvements(self) -> int:
        return len(self.steps)

    @property
    def statement(self) -> str:
        """One paragraph saying what it takes (or that the city is at the top), then :attr:`range_note`."""
        return " ".join(t for t in (self._plan_statement, self.range_note) if t)

    @property
    def _plan_statement(self) -> str:
        who = self.city or "The city"
        caveat = " (the thresholds are illustrative)" if self.levels_illustrative else ""
        if self.current_level is None:
            return (f"{who} has no overall score in this cycle (an indicator is missing), "
                    f"so no path to a level can be computed.")
        if self.at_top_level:
            text = (f"{who} is at the highest certification level defined, {self.current_level}{caveat}: "
                    f"there is no higher level to reach.")
            if self.rank_move is not None:
                text += " " + self.rank_move.statement
            return text
        n = self.n_improvements
        plural = "indicator" if n == 1 else "indicators"
        partial = (f" A partial raise is rounded up to a multiple of {format_score(self.granularity)} points."
                   if self.granularity and bool(self.steps["partial"].any()) else "")
        caveat = "; the thresholds are illustrative" if self.levels_illustrative else ""
        return (f"{who} needs {format_score(self.points_needed)} more overall points to reach "
                f"{self.target_level} (threshold {format_score(self.target_min_score)}{caveat}). "
                f"The fewest improvements that get there raise {n} {plural}, as listed below; "
                f"the overall score would then be {format_score(self.resulting_overall)} "
                f"({self.resulting_level}).{partial}")


def plan_next_level(indicators: pd.DataFrame, *, framework: Framework, city: str = "",
                    granularity: float = SCORE_GRANULARITY) -> LevelPath:
    """Fewest indicator improvements lifting the overall score over the next threshold.

    The overall score is ``sum_c w_c * component_c`` with ``component_c`` the sum of
    its indicators' points (each component is out of 100), so raising indicator
    ``i`` of component ``c`` by ``p`` points adds ``w_c * p`` overall points, at
    most ``w_c * (max_i - score_i)``. The fewest indicators reaching a target are
    the ones with the largest such full gains (any ``k`` indicators gain at most
    the ``k`` largest), so the plan raises them greedily, each to its maximum,
    except the last, which is raised only by the points still needed, rounded up
    to a multiple of ``granularity`` (and capped at its maximum).

    Parameters
    ----------
    indicators : DataFrame
        ``indicator, component, score, max_score`` (``name`` optional), one row
        per indicator of ``framework``.
    framework : Framework
        Gives the weights and the levels.
    granularity : float, default 5
        Step of a partial raise; 0 or less means "exactly the points needed".

    Returns
    -------
    LevelPath
    """
    ind = indicator_arrays(weighted_indicators(indicators, framework))
    return _plan_next_level(ind, framework, city=city, granularity=granularity)


def _plan_next_level(ind: IndicatorArrays, fw: Framework, *, city: str, granularity: float) -> LevelPath:
    """:func:`plan_next_level` on the city's :class:`IndicatorArrays` and the framework's levels."""
    empty = empty_steps()
    illustrative = fw.thresholds_illustrative
    overall = overall_of_arrays(ind.score, ind.weight)
    if math.isnan(overall):
        return LevelPath(city, math.nan, None, None, None, None, empty, None, None, granularity, illustrative)
    level = fw.level_for(overall)
    nxt = fw.next_level(level)
    if nxt is None:
        return LevelPath(city, overall, level, None, None, None, empty, overall, level, granularity, illustrative)
    target_level, target = nxt
    needed = target - overall
    steps_df, total = fewest_raises_arrays(ind, overall=overall, target=target, granularity=granularity)
    return LevelPath(city, overall, level, target_level, float(target), float(needed), steps_df,
                     float(total), fw.level_for(total), granularity, illustrative)


class _CyclePlan(NamedTuple):
    """What every city's path of one cycle shares (:func:`_cycle_plan`)."""

    indicators: IndicatorArrays  # the framework's indicators, weights and order; ``score`` is filled per city
    cities: np.ndarray           # the cycle's scored cities (object array) ...
    overall: np.ndarray          # ... and their overall scores
    n_indicators: int


@lru_cache(maxsize=16)
def _cycle_plan(ctx: CycleContext) -> _CyclePlan:
    """The indicator arrays and overall scores every path of the cycle starts from (once per context).

    The weights come from :func:`weighted_indicators` on the framework's indicators,
    as for a single table; the arrays are read-only (each city gets its own score array).
    """
    arrays = cycle_arrays(ctx)
    weighted = weighted_indicators(pd.DataFrame({"indicator": arrays["indicator"],
                                                 "component": arrays["component"]}), ctx.framework)
    template = IndicatorArrays(indicator=arrays["indicator"], component=arrays["component"], name=arrays["name"],
                               score=np.full(len(weighted), np.nan), max_score=arrays["max_score"],
                               weight=weighted["weight"].to_numpy(dtype=float),
                               order=weighted["order"].to_numpy())
    return _CyclePlan(indicators=template,
                      cities=np.asarray(ctx.scored.index, dtype=object),
                      overall=ctx.scored["overall"].to_numpy(dtype=float),
                      n_indicators=len(ctx.framework.indicator_ids))


def path_to_next_level(data: Dataset, *, city: str, cycle: int = 0,
                       granularity: float = SCORE_GRANULARITY) -> LevelPath:
    """The city's path to the next certification level (see :func:`plan_next_level`)."""
    name, ctx = city_context(data, city, cycle)
    plan = _cycle_plan(ctx)
    arrays = cycle_arrays(ctx)
    ind = plan.indicators._replace(score=arrays["values"][arrays["position"][name]])  # the indicator table's scores
    unknown = np.isnan(ind.score)
    if is_on_record(ctx, name) and unknown.any():
        return _path_from_record(ind, unknown, ctx, name, granularity)
    path = _plan_next_level(ind, ctx.framework, city=name, granularity=granularity)
    if path.at_top_level:
        others = plan.overall[plan.cities != name]
        move = plan_rank_move_arrays(ind, others=others, city=name, granularity=granularity)
        path = replace(path, rank_move=move)
    note = _path_range_note(name, path.current_level, n_indicators=plan.n_indicators, **bound_fields(ctx, name))
    return replace(path, range_note=note) if note else path


def _path_from_record(ind: IndicatorArrays, unknown: np.ndarray, ctx: CycleContext, name: str,
                      granularity: float) -> LevelPath:
    """The path of a city with values on record and some unknown: from its lowest possible score.

    Every indicator not on record counts as 0 (the least it can be) and is not
    raised, so the listed raises of values on record reach the level whatever the
    unknown values are; no synthetic value enters the plan.
    """
    worst = ind._replace(score=np.where(unknown, 0.0, ind.score), max_score=np.where(unknown, 0.0, ind.max_score))
    path = _plan_next_level(worst, ctx.framework, city=name, granularity=granularity)
    n = int(unknown.sum())
    bounds = bound_fields(ctx, name)
    plural = "indicator is" if n == 1 else "indicators are"
    each = "it" if n == 1 else "each of them"
    open_level = bool(bounds) and bounds.get("level_low") != bounds.get("level_high")
    if path.at_top_level and not open_level:
        return path
    note = (f"{n} of {name}'s {len(ind.score)} {plural} not on record; the plan counts {each} at 0, the least "
            f"it can be, and raises only values on record, so it reaches the level whatever the missing values "
            f"are.")
    if open_level:
        note += (f" On the values on record the overall score lies between {format_score(bounds['overall_low'])} "
                 f"and {format_score(bounds['overall_high'])}, so {name} may already be {bounds['level_high']}.")
    return replace(path, range_note=note)


def _path_range_note(city: str, level: str | None, *, n_indicators: int, n_unknown: int = 0,
                     overall_low: float = math.nan, overall_high: float = math.nan, level_low=None,
                     level_high=None, **_) -> str:
    """Plain words for a path worked out partly from values not on record, when the level itself is open."""
    if n_unknown <= 0 or not isinstance(level_low, str) or not isinstance(level_high, str) or level_low == level_high:
        return ""
    what = ("none of its values is on record" if n_unknown >= n_indicators
            else f"{n_unknown} of its {n_indicators} indicator values are not on record (synthetic or missing)")
    maybe = []
    if level is not None and level != level_high:
        maybe.append(f"{city} may already be {level_high}")
    if level is not None and level != level_low:
        maybe.append(f"it may also be only {level_low}")
    tail = ", and ".join(maybe)
    tail = f" {tail[0].upper()}{tail[1:]}." if tail else ""
    return (f"Read this with care: {what}, and the plan above starts from the panel's values for them. "
            f"On the values on record the overall score could be anywhere from {format_score(overall_low)} to "
            f"{format_score(overall_high)}, so the level could be anything from {level_low} to {level_high}.{tail}")
