"""Change since the previous cycle on a city's report card: :class:`CycleChange`, :func:`change_since_previous`.

Components are matched across cycles through the framework crosswalk
(:func:`dmaf_analysis.framework.component_map`); the statement says when the earlier
values are synthetic or either framework is illustrative. Re-exported by
:mod:`dmaf_analysis.card`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from .._util.numeric import TOLERANCE as _TOL
from .._util.numeric import format_score
from ..errors import FrameworkError
from ..framework import Framework, component_map
from ..scoring import Dataset
from ._context import (CycleContext, as_float, bound_fields, city_context, cycle_context, is_on_record, optional_int,
                       scored_rows)
from ._indicators import cycle_arrays
from ._wording import change_caveat

__all__ = ["CHANGE_COLUMNS", "CycleChange", "change_since_previous"]


CHANGE_COLUMNS = ["measure", "name", "previous_measures", "previous_names", "previous_score", "current_score",
                  "change"]


@dataclass(frozen=True, eq=False)
class CycleChange:
    """Change since the previous cycle.

    Attributes
    ----------
    city : str
    cycle : int
    previous_cycle : int or None
        The latest cycle before ``cycle`` in the data (None if there is none).
    assessed_before : bool
        Whether the city has a score in ``previous_cycle``.
    previous_overall, current_overall : float
    previous_level, current_level : str or None
    previous_rank, current_rank : int or None
    previous_n_ranked, current_n_ranked : int
    illustrative : bool
        True when either cycle's framework or thresholds are illustrative.
    table : DataFrame
        Columns ``measure`` (current component id, or ``overall``), ``name``,
        ``previous_measures`` (the previous cycle's component(s) mapped onto it by
        the framework crosswalk, ``;``-separated), ``previous_names`` (their names
        in the previous framework, ``, ``-separated), ``previous_score`` (their mean;
        for ``overall`` the previous overall), ``current_score``, ``change``
        (current minus previous). Empty when the city was not assessed before.
    previous_n_synthetic, previous_n_values : int
        The city's synthetic values and values present in the previous cycle;
        the statement says when the earlier values are synthetic.
    caveat : str
        What to keep in mind about the two frameworks (:func:`change_caveat`): only
        what is true of them ("" when nothing).
    """

    city: str
    cycle: int
    previous_cycle: int | None
    assessed_before: bool
    previous_overall: float
    current_overall: float
    previous_level: str | None
    current_level: str | None
    previous_rank: int | None
    current_rank: int | None
    previous_n_ranked: int
    current_n_ranked: int
    illustrative: bool
    table: pd.DataFrame = field(repr=False)
    previous_n_synthetic: int = 0
    previous_n_values: int = 0
    caveat: str = ""
    note: str = ""

    @property
    def previous_synthetic_note(self) -> str:
        """A sentence saying the earlier cycle's values are synthetic ("" when they are on record)."""
        k, n = self.previous_n_synthetic, self.previous_n_values
        if not self.assessed_before or k <= 0 or n <= 0:
            return ""
        if k >= n:
            return (f"Every Cycle {self.previous_cycle} value of {self.city} is synthetic (generated, not "
                    f"measured): this change compares with invented values and says nothing about how the "
                    f"city really moved.")
        return (f"{k} of {n} Cycle {self.previous_cycle} values of {self.city} are synthetic, so the change is "
                f"partly computed from invented values.")

    @property
    def statement(self) -> str:
        if self.note:
            return self.note
        note = self.previous_synthetic_note
        return f"{note} {self._statement}" if note else self._statement

    @property
    def _statement(self) -> str:
        if self.previous_cycle is None:
            return f"The data hold no cycle before Cycle {self.cycle}, so there is no earlier result to compare."
        if not self.assessed_before:
            return (f"{self.city} was not assessed in Cycle {self.previous_cycle}, so there is no earlier "
                    f"result to compare.")
        change = self.current_overall - self.previous_overall
        direction = "rose" if change > _TOL else "fell" if change < -_TOL else "did not change"
        amount = f" by {format_score(abs(change))} points" if abs(change) > _TOL else ""
        rank = ""
        if self.previous_rank is not None and self.current_rank is not None:
            rank = (f" Rank: {self.previous_rank} of {self.previous_n_ranked} then, "
                    f"{self.current_rank} of {self.current_n_ranked} now.")
        same = self.previous_level == self.current_level
        level = (f"The level stayed {self.current_level}." if same else
                 f"The level went from {self.previous_level} to {self.current_level}.")
        caveat = f" {self.caveat}" if self.caveat else ""
        return (f"Between Cycle {self.previous_cycle} and Cycle {self.cycle} the overall score {direction}"
                f"{amount}, from {format_score(self.previous_overall)} to {format_score(self.current_overall)}. "
                f"{level}{rank}{caveat}")


def _crosswalk(prev: Framework, current: Framework) -> dict[str, list[str]]:
    """Current component -> previous components mapped onto it (framework.component_map)."""
    out: dict[str, list[str]] = {c: [] for c in current.component_ids}
    try:
        mapping = component_map(prev.cycle, current.cycle, frameworks={prev.cycle: prev, current.cycle: current})
    except FrameworkError:  # nothing comparable: every component shows no earlier score
        return out
    for old, new in mapping.items():
        out[new].append(old)
    return out


def _city_row(ctx: CycleContext, name: str) -> dict | None:
    """The city's overall, level, rank and component scores in the context's cycle, as plain values.

    ``{"overall": float, "level": str or None, "rank": int or None, component id: float, ...}``, and
    ``"values"`` / ``"synthetic"``: how many indicator values the city has, and how many of them are
    synthetic, ``"open"``: whether any value is missing. None when the city is not in the cycle.
    """
    position, columns = scored_rows(ctx)
    i = position.get(name)
    if i is None:
        return None
    arrays = cycle_arrays(ctx)
    k = arrays["position"][name]
    present = ~np.isnan(arrays["values"][k])
    level = columns["level"][i]
    return {"overall": as_float(columns["overall"][i]), "level": level if isinstance(level, str) else None,
            "rank": optional_int(columns["rank"][i]), "values": int(present.sum()),
            "synthetic": int(arrays["synthetic"][k].sum()), "open": bool((~present).any()),
            **{c: as_float(columns[c][i]) for c in ctx.framework.component_ids}}


@lru_cache(maxsize=16)
def _pair(ctx: CycleContext, pctx: CycleContext) -> dict:
    """What every card compares between two cycles, once per pair of contexts (read-only).

    ``crosswalk``: per current component (framework order), its name, the previous
    components mapped onto it and their names as the table prints them;
    ``illustrative`` and ``caveat`` as in :class:`CycleChange`.
    """
    fw, pfw = ctx.framework, pctx.framework
    names = dict(zip(fw.components["component"], fw.components["name"]))
    prev_names = dict(zip(pfw.components["component"], pfw.components["name"]))
    crosswalk = tuple((comp, names[comp], tuple(olds), ", ".join(str(prev_names.get(o, o)) for o in olds) or "none")
                      for comp, olds in _crosswalk(pfw, fw).items())
    illustrative = (pfw.provenance != "seen" or fw.provenance != "seen"
                    or pfw.thresholds_illustrative or fw.thresholds_illustrative)
    return {"crosswalk": crosswalk, "illustrative": illustrative, "caveat": change_caveat(pfw, fw)}


def _empty_table() -> pd.DataFrame:
    """The change table of a city with nothing to compare: no rows, the columns of :data:`CHANGE_COLUMNS`."""
    return pd.DataFrame({c: pd.Series(dtype=float if c.endswith("score") or c == "change" else object)
                         for c in CHANGE_COLUMNS})


def change_since_previous(data: Dataset, *, city: str, cycle: int = 0) -> CycleChange:
    """Components, overall and level now and in the previous cycle (crosswalked).

    What depends only on the two cycles (the crosswalk, the caveat) is computed once
    per pair of cycle contexts; the city's rows are read from the per-cycle values
    (:func:`~dmaf_analysis.card._context.scored_rows`, the card's arrays).
    """
    name, ctx = city_context(data, city, cycle)
    me = _city_row(ctx, name)
    earlier = [c for c in data.cycles if c < ctx.cycle]
    prev_cycle = earlier[-1] if earlier else None
    current_overall = me["overall"]
    base = dict(city=name, cycle=ctx.cycle, current_overall=current_overall, current_level=me["level"],
                current_rank=me["rank"], current_n_ranked=ctx.n_ranked)
    if prev_cycle is None:
        return CycleChange(previous_cycle=None, assessed_before=False, previous_overall=math.nan,
                           previous_level=None, previous_rank=None, previous_n_ranked=0,
                           illustrative=False, table=_empty_table(), **base)
    pctx = cycle_context(data, prev_cycle)
    pair = _pair(ctx, pctx)
    illustrative = pair["illustrative"]
    base["caveat"] = pair["caveat"]
    old = _city_row(pctx, name)
    if old is None:
        return CycleChange(previous_cycle=prev_cycle, assessed_before=False, previous_overall=math.nan,
                           previous_level=None, previous_rank=None, previous_n_ranked=pctx.n_ranked,
                           illustrative=illustrative, table=_empty_table(), **base)
    if is_on_record(ctx, name) and me["open"]:
        return _change_of_range(ctx, pctx, name, illustrative, _empty_table(), base)
    crosswalk = pair["crosswalk"]
    previous = [float(np.mean([old[o] for o in olds])) if olds else math.nan for _, _, olds, _ in crosswalk]
    previous.append(old["overall"])
    current = [me[comp] for comp, _, _, _ in crosswalk] + [current_overall]
    table = pd.DataFrame({
        "measure": [comp for comp, _, _, _ in crosswalk] + ["overall"],
        "name": [label for _, label, _, _ in crosswalk] + ["Overall"],
        "previous_measures": [";".join(olds) for _, _, olds, _ in crosswalk] + ["overall"],
        "previous_names": [words for _, _, _, words in crosswalk] + ["Overall"],
        "previous_score": previous, "current_score": current,
        "change": np.array(current, dtype=float) - np.array(previous, dtype=float)}, columns=CHANGE_COLUMNS)
    return CycleChange(previous_cycle=prev_cycle, assessed_before=True, previous_overall=old["overall"],
                       previous_n_synthetic=old["synthetic"], previous_n_values=old["values"],
                       previous_level=old["level"], previous_rank=old["rank"], previous_n_ranked=pctx.n_ranked,
                       illustrative=illustrative, table=table, **base)


def _change_of_range(ctx, pctx, name: str, illustrative: bool, empty: pd.DataFrame, base: dict) -> CycleChange:
    """A city with values on record whose current overall is only a range: no change is stated.

    Its current overall, level and rank are unknown (only their range is on record),
    so the change is left unstated rather than computed from synthetic values.
    """
    b = bound_fields(ctx, name)
    old = _city_row(pctx, name)
    prev_synthetic, n_prev = old["synthetic"], old["values"]
    if n_prev and prev_synthetic >= n_prev:
        earlier = f"every Cycle {pctx.cycle} value of {name} in the data is synthetic"
    elif prev_synthetic:
        earlier = f"{prev_synthetic} of its {n_prev} Cycle {pctx.cycle} values are synthetic"
    else:
        earlier = f"its Cycle {pctx.cycle} values are on record"
    span = (f" between {format_score(b['overall_low'])} and {format_score(b['overall_high'])}" if b else "")
    note = (f"No change is stated: {name}'s Cycle {ctx.cycle} overall score is known only as a range{span}, "
            f"and {earlier}.")
    base = base | dict(current_overall=math.nan, current_level=None, current_rank=None)
    return CycleChange(previous_cycle=pctx.cycle, assessed_before=True, previous_overall=math.nan,
                       previous_level=None, previous_rank=None, previous_n_ranked=pctx.n_ranked,
                       illustrative=illustrative, table=empty, previous_n_synthetic=prev_synthetic,
                       previous_n_values=n_prev, note=note, **base)
