"""The fewest indicator improvements that lift an overall score to a target.

Two uses: reaching the next certification level (:func:`dmaf_analysis.card.plan_next_level`)
and, for a city already at the highest level, moving up the ranking
(:func:`plan_rank_move`: into the top 10, or up a number of places).

The overall score is ``sum_c w_c * component_c`` with ``component_c`` the sum of its
indicators' points (each component out of 100), so raising indicator ``i`` of
component ``c`` by ``p`` points adds ``w_c * p`` overall points, at most
``w_c * (max_i - score_i)``. Any ``k`` indicators gain at most the ``k`` largest
such full gains, so raising the indicators with the largest full gains first, each
to its maximum, uses the fewest indicators; the last one is raised only by the
points still needed, rounded up to a multiple of ``granularity``.

The search works on plain arrays (:class:`IndicatorArrays`): a report card plans one
city at a time from arrays computed once per cycle, and the public functions taking
a table convert it first.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import pandas as pd

from .._util.numeric import TOLERANCE as _TOL
from .._util.numeric import format_score
from ..framework import Framework
from ..scoring import OVERALL_DECIMALS

__all__ = ["SCORE_GRANULARITY", "TOP_RANK", "STEP_COLUMNS", "empty_steps", "weighted_indicators", "overall_of",
           "fewest_raises", "rank_given", "score_for_rank", "default_target_rank", "RankPath", "plan_rank_move",
           "IndicatorArrays", "indicator_arrays", "overall_of_arrays", "fewest_raises_arrays", "plan_rank_move_arrays"]

#: Indicator scores move in steps of this many points (DMAF report cards show 5-point steps).
SCORE_GRANULARITY = 5.0
#: "Top 10" as the press reported it.
TOP_RANK = 10

STEP_COLUMNS = ["step", "indicator", "component", "name", "score", "max_score", "points_gained",
                "new_score", "partial", "overall_gain", "overall_after"]
_FLOAT_STEP_COLUMNS = ("score", "max_score", "points_gained", "new_score", "overall_gain", "overall_after")


def empty_steps() -> pd.DataFrame:
    """A steps table with no rows (the columns of :data:`STEP_COLUMNS`); a new table on every call."""
    return _empty_steps_template().copy()


@lru_cache(maxsize=1)
def _empty_steps_template() -> pd.DataFrame:
    """The empty steps table, built once (never handed out: :func:`empty_steps` returns copies)."""
    return pd.DataFrame({c: pd.Series(dtype=float if c in _FLOAT_STEP_COLUMNS else object)
                         for c in STEP_COLUMNS})


def weighted_indicators(indicators: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    """``indicators`` with ``name`` (default the id), ``order`` and ``weight`` (normalised component weight)."""
    weights = framework.weights / framework.weights.sum()
    table = indicators.reset_index(drop=True).copy()
    if "name" not in table.columns:
        table["name"] = table["indicator"]
    table["order"] = np.arange(len(table))
    table["weight"] = table["component"].map(weights).astype(float)
    return table


class IndicatorArrays(NamedTuple):
    """The columns of a :func:`weighted_indicators` table that the search reads, as arrays (one row per indicator).

    ``indicator``, ``component`` and ``name`` are object arrays; ``score``,
    ``max_score``, ``weight`` (normalised component weight) and ``order`` (the
    tie-break between equal gains, lowest first) are numbers.
    """

    indicator: np.ndarray
    component: np.ndarray
    name: np.ndarray
    score: np.ndarray
    max_score: np.ndarray
    weight: np.ndarray
    order: np.ndarray


def indicator_arrays(table: pd.DataFrame) -> IndicatorArrays:
    """The :class:`IndicatorArrays` of a :func:`weighted_indicators` table."""
    return IndicatorArrays(indicator=table["indicator"].to_numpy(dtype=object),
                           component=table["component"].to_numpy(dtype=object),
                           name=table["name"].to_numpy(dtype=object),
                           score=table["score"].to_numpy(dtype=float),
                           max_score=table["max_score"].to_numpy(dtype=float),
                           weight=table["weight"].to_numpy(dtype=float),
                           order=table["order"].to_numpy())


def overall_of(table: pd.DataFrame) -> float:
    """Overall score of a :func:`weighted_indicators` table (NaN when a score is missing)."""
    return overall_of_arrays(table["score"].to_numpy(dtype=float), table["weight"].to_numpy(dtype=float))


def overall_of_arrays(score: np.ndarray, weight: np.ndarray) -> float:
    """Overall score from indicator points and their normalised weights (NaN when a score is missing).

    A missing weight (a component the framework lacks) adds nothing, as in a pandas sum.
    """
    if len(score) == 0 or np.isnan(score).any():
        return math.nan
    return round(float(np.nansum(score * weight)), OVERALL_DECIMALS)


def fewest_raises(table: pd.DataFrame, *, overall: float, target: float,
                  granularity: float = SCORE_GRANULARITY) -> tuple[pd.DataFrame, float]:
    """The fewest indicator raises lifting ``overall`` to at least ``target``.

    Parameters
    ----------
    table : DataFrame
        From :func:`weighted_indicators`, every score present.
    overall, target : float
        The current overall score and the one to reach.
    granularity : float
        Step of a partial raise; 0 or less means exactly the points needed.

    Returns
    -------
    steps : DataFrame
        Columns of :data:`STEP_COLUMNS`, one row per raised indicator (empty when
        ``overall`` already reaches ``target``).
    total : float
        The overall score after every step (below ``target`` only when even
        every indicator at its maximum falls short).
    """
    return fewest_raises_arrays(indicator_arrays(table), overall=overall, target=target, granularity=granularity)


def fewest_raises_arrays(ind: IndicatorArrays, *, overall: float, target: float,
                         granularity: float = SCORE_GRANULARITY) -> tuple[pd.DataFrame, float]:
    """:func:`fewest_raises` on :class:`IndicatorArrays` (every score present); same results."""
    room = np.maximum(ind.max_score - ind.score, 0.0)  # NaN stays NaN, as in a pandas clip
    full_gain = room * ind.weight
    candidates = np.flatnonzero(full_gain > _TOL)
    # largest full gain first, then lowest order (a stable sort keeps the table's order among equal pairs)
    ranked = candidates[np.lexsort((ind.order[candidates], -full_gain[candidates]))].tolist()
    steps, total = [], overall
    for i in ranked:
        remaining = target - total
        if remaining <= _TOL:
            break
        # plain floats, as the rounding below is Python's
        weight, score, max_score, room_i = (float(ind.weight[i]), float(ind.score[i]), float(ind.max_score[i]),
                                            float(room[i]))
        if float(full_gain[i]) >= remaining - _TOL:
            exact = remaining / weight
            points = (math.ceil(exact / granularity - _TOL) * granularity
                      if granularity and granularity > 0 else exact)
            points = min(points, room_i)
        else:
            points = room_i
        gain = points * weight
        total = round(total + gain, OVERALL_DECIMALS)
        steps.append({"step": len(steps) + 1, "indicator": ind.indicator[i], "component": ind.component[i],
                      "name": ind.name[i], "score": score, "max_score": max_score,
                      "points_gained": float(points), "new_score": float(score + points),
                      "partial": bool(points < room_i - _TOL), "overall_gain": float(gain),
                      "overall_after": float(total)})
    return (pd.DataFrame(steps, columns=STEP_COLUMNS) if steps else empty_steps()), float(total)


def rank_given(overall: float, others: np.ndarray) -> int:
    """Competition rank of ``overall`` among ``others``: 1 + the number scoring strictly more."""
    return 1 + int((np.asarray(others, dtype=float) > overall + _TOL).sum())


def score_for_rank(others: np.ndarray, rank: int) -> float:
    """The lowest overall score that ranks ``rank`` or better among ``others`` (-inf when any does)."""
    values = np.sort(np.asarray(others, dtype=float)[~np.isnan(np.asarray(others, dtype=float))])[::-1]
    if rank < 1:
        raise ValueError(f"a rank is 1 or more, got {rank}")
    if len(values) < rank:
        return -math.inf
    return float(values[rank - 1])  # equal to the rank-th best other city: a shared rank


def default_target_rank(rank: int | None, *, top: int = TOP_RANK) -> int | None:
    """Into the top ``top`` from outside it; one place up from inside it; None at rank 1."""
    if rank is None or rank <= 1:
        return None
    return top if rank > top else rank - 1


@dataclass(frozen=True, eq=False)
class RankPath:
    """The fewest indicator improvements that move a city up the ranking.

    Attributes
    ----------
    city : str
    current_overall : float
    current_rank : int or None
    n_ranked : int
        Cities ranked in the cycle, the city included.
    target_rank : int or None
        The rank to reach (None when the city is already first or has no score).
    target_overall : float or None
        The lowest overall score that reaches ``target_rank`` (equal to the city
        that holds it: a shared rank counts).
    goal : str
        In words, e.g. ``"into the top 10"`` or ``"up 3 places, to rank 7"``.
    steps : DataFrame
        As in :func:`fewest_raises`.
    resulting_overall : float or None
    resulting_rank : int or None
        The city's rank after the steps, the other cities unchanged.
    granularity : float
    """

    city: str
    current_overall: float
    current_rank: int | None
    n_ranked: int
    target_rank: int | None
    target_overall: float | None
    goal: str
    steps: pd.DataFrame = field(repr=False)
    resulting_overall: float | None
    resulting_rank: int | None
    granularity: float

    @property
    def n_improvements(self) -> int:
        return len(self.steps)

    @property
    def reached(self) -> bool:
        return (self.target_rank is not None and self.resulting_rank is not None
                and self.resulting_rank <= self.target_rank)

    @property
    def statement(self) -> str:
        """One paragraph: what moving up the ranking takes."""
        who = self.city or "The city"
        if self.current_rank is None:
            return f"{who} has no overall score in this cycle, so no move up the ranking can be computed."
        if self.target_rank is None:
            return f"{who} is ranked first: no city scores higher."
        n = self.n_improvements
        if n == 0 and self.reached:
            return f"{who} is ranked {self.current_rank}: moving {self.goal} needs no improvement."
        if not self.reached:
            return (f"Even with every indicator at its maximum, {who} would not move {self.goal}: "
                    f"the other cities score too high.")
        plural = "indicator" if n == 1 else "indicators"
        partial = (f" A partial raise is rounded up to a multiple of {format_score(self.granularity)} points."
                   if self.granularity and bool(self.steps["partial"].any()) else "")
        return (f"To move {self.goal}, {who} needs an overall score of at least "
                f"{format_score(self.target_overall)} (now {format_score(self.current_overall)}, "
                f"rank {self.current_rank} "
                f"of {self.n_ranked}), the other cities' scores unchanged. The fewest improvements that get "
                f"there raise {n} {plural}, as listed below; the overall score would then be "
                f"{format_score(self.resulting_overall)}, rank {self.resulting_rank}.{partial}")


def plan_rank_move(indicators: pd.DataFrame, *, framework: Framework, others: np.ndarray | pd.Series,
                   city: str = "", target_rank: int | None = None, places: int | None = None,
                   top: int = TOP_RANK, granularity: float = SCORE_GRANULARITY) -> RankPath:
    """Fewest indicator improvements that move a city up the ranking, the other cities unchanged.

    Parameters
    ----------
    indicators : DataFrame
        ``indicator, component, score, max_score`` (``name`` optional), one row per
        indicator of ``framework``.
    framework : Framework
        Gives the component weights.
    others : array-like
        The overall scores of the other ranked cities of the cycle (NaN ignored).
    target_rank : int, optional
        Rank to reach (1 = first). Exclusive with ``places``.
    places : int, optional
        Move up this many places from the current rank (to at best rank 1).
    top : int, default 10
        Without ``target_rank`` or ``places``: into the top ``top`` from outside
        it, one place up from inside it (see :func:`default_target_rank`).
    granularity : float, default 5
        Step of a partial raise (see :func:`fewest_raises`).

    Returns
    -------
    RankPath
    """
    if target_rank is not None and places is not None:
        raise ValueError("give target_rank or places, not both")
    ind = indicator_arrays(weighted_indicators(indicators, framework))
    return plan_rank_move_arrays(ind, others=others, city=city, target_rank=target_rank, places=places, top=top,
                                 granularity=granularity)


def plan_rank_move_arrays(ind: IndicatorArrays, *, others: np.ndarray | pd.Series, city: str = "",
                          target_rank: int | None = None, places: int | None = None, top: int = TOP_RANK,
                          granularity: float = SCORE_GRANULARITY) -> RankPath:
    """:func:`plan_rank_move` on :class:`IndicatorArrays` (the city's indicators with their weights)."""
    if target_rank is not None and places is not None:
        raise ValueError("give target_rank or places, not both")
    others = np.asarray(others, dtype=float)
    others = others[~np.isnan(others)]
    n_ranked = len(others) + 1
    overall = overall_of_arrays(ind.score, ind.weight)
    if math.isnan(overall):
        return RankPath(city, overall, None, n_ranked, None, None, "", empty_steps(), None, None, granularity)
    rank = rank_given(overall, others)
    if places is not None:
        if places < 1:
            raise ValueError(f"places must be 1 or more, got {places}")
        target = max(1, rank - int(places))
        goal = f"up {places} place{'s' if places != 1 else ''}, to rank {target}"
    elif target_rank is not None:
        if target_rank < 1:
            raise ValueError(f"target_rank must be 1 or more, got {target_rank}")
        target = int(target_rank)
        goal = f"into the top {target}" if target > 1 else "to rank 1"
    else:
        target = default_target_rank(rank, top=top)
        goal = ("" if target is None else f"into the top {target}" if rank > top
                else f"up one place, to rank {target}")
    if target is None or rank <= target:
        if target is not None and rank <= target:
            goal = goal or f"to rank {target}"
        return RankPath(city, overall, rank, n_ranked, None if target is None else target,
                        None if target is None else overall, goal, empty_steps(), overall, rank, granularity)
    needed = score_for_rank(others, target)
    steps, total = fewest_raises_arrays(ind, overall=overall, target=needed, granularity=granularity)
    return RankPath(city, overall, rank, n_ranked, target, float(needed), goal, steps, float(total),
                    rank_given(total, others), granularity)
