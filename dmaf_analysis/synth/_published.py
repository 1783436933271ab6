"""The published Cycle 2 facts, and Cycle 2 overall scores drawn so that they hold exactly.

The ``PUBLISHED_*``, ``KOHIMA*`` and ``LUDHIANA*`` constants are what the 25 June
2021 release and Ludhiana's report card put on record (see FACTS.md).
:func:`published_layout` finds the cities those facts name in a cities table, and
:func:`published_totals` draws every city's overall score (in 5-point steps) in
fixed steps: the framework check, the tie at rank 10 with Kohima's component
totals, ranks 8-9, the western cities (ranks 1-7, certified and uncertified, summing
to the regional mean), the other regions (summing to the national mean and
certified count), and the component bounds that keep Kohima's places among the
cities ranked 1-10. The order of these steps is the order of the random draws, so
it must not change. :mod:`dmaf_analysis.synth` offers the public constants.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import SynthesisError
from ..framework import Framework
from ._random import RandomStream, below_cap, distinct_descending, fix_totals, top_k

__all__ = ["POINT_STEP", "PUBLISHED_CYCLE", "PUBLISHED_NATIONAL_MEAN", "PUBLISHED_CERTIFIED", "PUBLISHED_REGION",
           "PUBLISHED_REGION_MEAN", "PUBLISHED_REGION_CITIES", "PUBLISHED_REGION_CERTIFIED", "PUBLISHED_TOP_NINE",
           "PUBLISHED_TIED_TENTH", "PUBLISHED_TIE_LEVEL", "PUBLISHED_ENABLED", "PUBLISHED_COMPONENTS", "KOHIMA",
           "KOHIMA_POLICY", "KOHIMA_PROCESS", "KOHIMA_PLACES", "PUBLISHED_NONZERO_COUNTS", "LUDHIANA",
           "LUDHIANA_REPORT_CARD", "LUDHIANA_ENGAGEMENT", "ABSENT_FROM_CYCLE_1", "PublishedLayout", "TopPlan",
           "published_layout", "published_totals"]

POINT_STEP = 5
"""Every synthetic score is a whole multiple of this many points."""

#: The cycle whose published results the panel reproduces.
PUBLISHED_CYCLE = 2
#: Press coverage of the 25 June 2021 release (see FACTS.md).
PUBLISHED_NATIONAL_MEAN = 32
PUBLISHED_CERTIFIED = 42
PUBLISHED_REGION = "West"
PUBLISHED_REGION_MEAN = 45
PUBLISHED_REGION_CITIES = 26
PUBLISHED_REGION_CERTIFIED = 10
#: Ranks 1-9 in order (ranks 7-9 rest on one regional outlet; New Town's 8th on three).
PUBLISHED_TOP_NINE = ("Surat", "Pimpri-Chinchwad", "Bhopal", "Pune", "Nagpur", "Ahmedabad",
                      "Jabalpur", "New Town Kolkata", "Chennai")
PUBLISHED_TIED_TENTH = ("Kohima", "Raipur", "Thane")
#: The only level name on record; New Town Kolkata (8th) and Kohima (10th) held it.
PUBLISHED_TIE_LEVEL = "Enabled"
PUBLISHED_ENABLED = ("New Town Kolkata", "Kohima")
#: The component ids the published facts speak of.
PUBLISHED_COMPONENTS = ("policy", "people", "process", "technology", "outcomes")
#: Kohima's published component totals, and its place among the cities ranked 1-10
#: (2nd on Policy, 3rd on Technology, 8th on People).
KOHIMA = "Kohima"
KOHIMA_POLICY = 97
KOHIMA_PROCESS = 45
KOHIMA_PLACES = {"policy": 2, "technology": 3, "people": 8}
#: Number of cities with a non-zero score on an indicator (data coordinators,
#: city-run capacity building, sensors).
PUBLISHED_NONZERO_COUNTS = {"2.b": 61, "2.e": 20, "4.a": 69}

#: Ludhiana's Cycle 2 report card: indicator -> (points, how the value was placed).
LUDHIANA = "Ludhiana"
LUDHIANA_REPORT_CARD = {
    "1.a": (0, "heading"), "1.b": (0, "heading"), "1.c&d": (0, "heading"),
    "2.a": (0, "order"), "2.c": (10, "heading"), "2.d": (5, "heading"),
    "3.a": (0, "heading"), "3.c": (10, "heading"),
    "4.b": (0, "order"), "4.c": (10, "heading"), "4.d": (0, "heading"),
    "5.a": (0, "heading"), "5.b": (0, "order"), "5.c": (15, "order"), "5.d": (0, "order"),
}
LUDHIANA_ENGAGEMENT = 60

#: Cycle 1 had 99 participants; which city was missing is not known. The panel
#: leaves out Shillong, the last city in the cities table (selected in June 2018,
#: a year before Cycle 1): an arbitrary choice, not a claim.
ABSENT_FROM_CYCLE_1 = "Shillong"

#: Kohima's Policy and Process totals in steps (19 steps + 2 points = 97; 9 steps = 45).
_KOHIMA_POLICY_STEPS = KOHIMA_POLICY // POINT_STEP
_KOHIMA_PROCESS_STEPS = KOHIMA_PROCESS // POINT_STEP


@dataclass(frozen=True)
class PublishedLayout:
    """Positions (in the panel's city order) of the cities the published facts name."""

    top_nine: np.ndarray
    tied: np.ndarray        # Kohima first
    ludhiana: int
    region: np.ndarray      # bool: in the published region


@dataclass(frozen=True)
class TopPlan:
    """Component bounds (in steps) for the cities ranked 1-10, so Kohima's published positions hold.

    ``rows`` are panel positions (ranks 1-9, then the three tied cities, Kohima
    first); ``lo``/``hi`` bound each row's component totals (framework component
    order); ``forced`` marks the cities that must score above zero on the
    published non-zero indicators; ``adjust`` lists ``(row, component, points)``
    moves off the 5-point grid that give Kohima its published totals.
    """

    rows: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    forced: np.ndarray
    adjust: tuple


@dataclass(frozen=True)
class _TieRange:
    """Overall scores (= steps) around the tie at rank 10 that the framework's levels allow."""

    cert_min: int   # lowest certified overall score
    lo: int         # the tie is drawn from lo to hi
    hi: int
    level_max: int  # highest overall score still in the tie's level


@dataclass(frozen=True)
class _Kohima:
    """The drawn tie at rank 10 and Kohima's component totals, in steps."""

    tie: int
    technology: int
    people: int
    outcomes: int


class _Totals:
    """Overall scores being drawn group by group (-1: not drawn yet), with the city maturity that orders them."""

    def __init__(self, maturity: np.ndarray, rnd: RandomStream, source: str):
        self.values = np.full(len(maturity), -1, dtype=np.int64)
        self.maturity = maturity
        self.rnd = rnd
        self.source = source

    def spread(self, values: np.ndarray, lo: np.ndarray, hi: np.ndarray, target: int, what: str) -> np.ndarray:
        """Nudge ``values`` within ``[lo, hi]`` until they sum to ``target`` (error naming ``what`` if impossible)."""
        if not lo.sum() <= target <= hi.sum():
            raise SynthesisError(f"{self.source}: cannot reproduce the published facts "
                                 f"({what} cannot sum to {target})")
        return fix_totals(values[None, :], lo[None, :], hi[None, :], np.array([target]), self.rnd)[0]

    def assign(self, positions: np.ndarray, values: np.ndarray) -> None:
        """Hand ``values`` out to the cities at ``positions``: the highest to the most mature."""
        by_maturity = positions[np.argsort(-self.maturity[positions], kind="stable")]
        self.values[by_maturity] = np.sort(values)[::-1]


def published_layout(table: pd.DataFrame) -> tuple[PublishedLayout | None, str]:
    """Where the named cities are, or None and the reason the facts cannot apply."""
    if len(table) != 100:
        return None, f"the panel has {len(table)} cities, not the 100 Smart Cities"
    pos = {c: i for i, c in enumerate(table["city"])}
    named = [*PUBLISHED_TOP_NINE, *PUBLISHED_TIED_TENTH, LUDHIANA]
    missing = [c for c in named if c not in pos]
    if missing:
        return None, f"the cities table lacks {', '.join(missing)}"
    region = (table["region"].astype(str) == PUBLISHED_REGION).to_numpy()
    if region.sum() != PUBLISHED_REGION_CITIES:
        return None, (f"the cities table has {int(region.sum())} cities in region {PUBLISHED_REGION}, "
                      f"not {PUBLISHED_REGION_CITIES}")
    expected = ({c: True for c in PUBLISHED_TOP_NINE[:7]} | {c: False for c in PUBLISHED_TOP_NINE[7:]}
                | {"Thane": True, "Kohima": False, "Raipur": False, LUDHIANA: False})
    wrong = [c for c, west in expected.items() if bool(region[pos[c]]) != west]
    if wrong:
        return None, f"the region of {', '.join(wrong)} differs from the layout the published facts need"
    return PublishedLayout(top_nine=np.array([pos[c] for c in PUBLISHED_TOP_NINE]),
                           tied=np.array([pos[c] for c in PUBLISHED_TIED_TENTH]),
                           ludhiana=pos[LUDHIANA], region=region), ""


def published_totals(layout: PublishedLayout, fw: Framework, caps: np.ndarray,
                     rnd: RandomStream) -> tuple[np.ndarray, TopPlan]:
    """Cycle 2 overall scores (= 5-point steps) that reproduce the published results.

    Kohima's component totals are fixed first (Policy 97, Process 45, and a
    Technology and People score drawn so that its places among the top 10 can
    hold), then the tie at rank 10, ranks 8-9 just above it, the western cities
    (ranks 1-7, Thane, two more certified ones below the tie and 16 uncertified
    ones, summing to the western mean), and the other regions (28 more certified
    cities below the tie, Ludhiana and the uncertified rest, summing to the
    national mean). Each group's values are drawn, nudged to the exact sums, then
    handed out by a latent maturity. The returned plan bounds the component
    totals of the 12 cities ranked 1-10.
    """
    components = _check_framework(fw, caps)
    tie_range = _tie_range(fw, int(caps.sum()))
    kohima = _draw_kohima(tie_range, rnd)
    r8, r9 = _draw_ranks_eight_nine(kohima, tie_range.level_max, rnd)
    n = len(layout.region)
    totals = _Totals(rnd.normal(n) + 0.7 * rnd.gumbel(n), rnd, fw.source)
    _place_named(totals, layout, r8, r9, kohima.tie)
    _west_totals(totals, layout, kohima, tie_range.cert_min, r8, int(caps.sum()))
    _other_totals(totals, layout, kohima.tie, tie_range.cert_min)
    if (totals.values < 0).any():  # pragma: no cover - every city belongs to one group above
        raise SynthesisError("internal error: a city received no synthetic total")
    return totals.values, _top_ten_plan(layout, totals.values, fw, caps, components, kohima, rnd)


def _check_framework(fw: Framework, caps: np.ndarray) -> tuple[int, ...]:
    """Positions of the published components in ``fw``, after checking ``fw`` can carry the facts.

    The facts need equal component weights, components out of 100, indicator
    maxima on the 5-point grid and exactly the five published components.
    """
    weights = fw.weights.to_numpy(dtype=float)
    if not np.allclose(weights, weights[0]) or not np.allclose(fw.components["max_score"], 100):
        raise SynthesisError(f"{fw.source}: the published facts need equal component weights")
    if not np.allclose(caps * POINT_STEP, fw.max_scores.to_numpy(dtype=float)):
        raise SynthesisError(f"{fw.source}: the published facts need indicator maxima that are "
                             f"multiples of {POINT_STEP}")
    comp_ids = fw.component_ids
    if sorted(comp_ids) != sorted(PUBLISHED_COMPONENTS) or int(caps.sum()) != 100:
        raise SynthesisError(f"{fw.source}: the published facts need the five components "
                             f"{', '.join(PUBLISHED_COMPONENTS)}")
    return tuple(comp_ids.index(c) for c in PUBLISHED_COMPONENTS)


def _tie_range(fw: Framework, cap_total: int) -> _TieRange:
    """The overall scores the tie at rank 10 may take under ``fw``'s levels.

    The tie leaves room below it for the other certified cities, above it (in
    the same level) for ranks 8-9, and holds Kohima's 97 + 45 with a high
    Technology.
    """
    levels = fw.levels.reset_index(drop=True)
    certified = levels[levels["certified"].astype(bool)]
    if certified.empty or PUBLISHED_TIE_LEVEL not in set(levels["level"]):
        raise SynthesisError(f"{fw.source}: the published facts need a certified level named {PUBLISHED_TIE_LEVEL!r}")
    cert_min = math.ceil(float(certified["min_score"].min()))
    tie_row = levels.index[levels["level"] == PUBLISHED_TIE_LEVEL][0]
    tie_min = math.ceil(float(levels.loc[tie_row, "min_score"]))
    tie_max = (math.ceil(float(levels.loc[tie_row + 1, "min_score"])) - 1
               if tie_row + 1 < len(levels) else cap_total)
    tie_lo = max(tie_min, cert_min + 17, 47)
    tie_hi = min(tie_max - 2, cert_min + 25, 60)
    if tie_lo > tie_hi or tie_min < cert_min:
        raise SynthesisError(f"{fw.source}: the level thresholds leave no room for the published tie at rank 10")
    return _TieRange(cert_min=cert_min, lo=tie_lo, hi=tie_hi, level_max=tie_max)


def _draw_kohima(tie_range: _TieRange, rnd: RandomStream) -> _Kohima:
    """Draw the tie at rank 10, then Kohima's Technology and People; Outcomes makes up the rest.

    In steps: Policy 19 (+2 points -> 97), Process 9 (45), Technology, People,
    and Outcomes (-2 points, so that the total stays 5 x tie).
    """
    tie = rnd.integer(tie_range.lo, tie_range.hi)
    tk = rnd.integer(13, min(15, tie - 33))
    pk = rnd.integer(4, min(7, tie - 29 - tk))
    ok = tie - _KOHIMA_POLICY_STEPS - _KOHIMA_PROCESS_STEPS - tk - pk
    if not 1 <= ok <= 20:  # pragma: no cover - follows from the ranges above
        raise SynthesisError("internal error: Kohima's Outcomes total is out of range")
    return _Kohima(tie=tie, technology=tk, people=pk, outcomes=ok)


def _draw_ranks_eight_nine(kohima: _Kohima, level_max: int, rnd: RandomStream) -> tuple[int, int]:
    """Ranks 8-9 (New Town Kolkata, Chennai): distinct scores just above the tie, in its level."""
    # the most a city can score with People and Technology below Kohima's
    below_kohima = 57 + kohima.people + kohima.technology
    room = min(level_max, below_kohima) - (kohima.tie + 2)
    a = rnd.integer(0, min(8, room))
    b = rnd.integer(0, min(8, room - a))
    r9 = kohima.tie + 1 + a
    return r9 + 1 + b, r9


def _top_west(layout: PublishedLayout) -> np.ndarray:
    """Positions of the top-nine cities in the published region (ranks 1-7)."""
    return layout.top_nine[layout.region[layout.top_nine]]


def _named(layout: PublishedLayout) -> np.ndarray:
    """Boolean mask of the cities the facts name (ranks 1-10 and Ludhiana)."""
    named = np.zeros(len(layout.region), dtype=bool)
    named[layout.top_nine] = True
    named[layout.tied] = True
    named[layout.ludhiana] = True
    return named


def _place_named(totals: _Totals, layout: PublishedLayout, r8: int, r9: int, tie: int) -> None:
    """Ranks 8-9 and the three cities tied at rank 10 get their drawn scores."""
    n_top_west = len(_top_west(layout))
    totals.values[layout.top_nine[n_top_west:]] = [r8, r9][: 9 - n_top_west]
    totals.values[layout.tied] = tie


def _west_totals(totals: _Totals, layout: PublishedLayout, kohima: _Kohima, cert_min: int, r8: int,
                 cap_total: int) -> None:
    """The western cities' scores, summing to the regional mean with the regional certified count.

    Ranks 1-7 and Thane (at the tie) are certified, as are ``n_mid`` more cities
    (the most mature) below the tie; the rest stay uncertified. The uncertified
    sum is drawn first, then the certified-below-tie sum, and ranks 1-7 take what
    is left as distinct scores above rank 8.
    """
    top_west = _top_west(layout)
    n_top = len(top_west)
    n_tied_west = int(layout.region[layout.tied].sum())
    n_mid = PUBLISHED_REGION_CERTIFIED - n_top - n_tied_west
    free = layout.region & ~_named(layout)
    mid = np.flatnonzero(top_k(totals.maturity, free, n_mid))
    rest = np.setdiff1d(np.flatnonzero(free), mid)
    top_cap = cap_total - 4  # nobody gets a perfect score
    u_cap = 73 + kohima.technology  # ranks 3-7 stay within what a city below Kohima on Technology can score
    w7_lo = n_top * r8 + n_top * (n_top + 1) // 2
    w7_hi = min(n_top * u_cap + n_top * (n_top + 1) // 2, sum(range(top_cap - n_top + 1, top_cap + 1)))
    west_left = PUBLISHED_REGION_MEAN * int(layout.region.sum()) - n_tied_west * kohima.tie
    mid_lo, mid_hi = n_mid * cert_min, n_mid * (kohima.tie - 1)
    rest_target = _west_uncertified(totals, rest, cert_min, west_left - mid_hi - w7_hi, west_left - mid_lo - w7_lo)
    mid_target = _west_certified_below_tie(totals, mid, cert_min, kohima.tie,
                                           max(mid_lo, west_left - rest_target - w7_hi),
                                           min(mid_hi, west_left - rest_target - w7_lo))
    w7 = west_left - rest_target - mid_target
    totals.values[top_west] = distinct_descending(r8, min(u_cap, top_cap - n_top), w7, n_top, totals.rnd,
                                                  "ranks 1-7", totals.source)


def _west_uncertified(totals: _Totals, rest: np.ndarray, cert_min: int, low: int, high: int) -> int:
    """Scores below the certified threshold for the uncertified western cities; returns their sum.

    The sum is drawn at 84-94 % of the most they could score, kept within
    ``[low, high]`` (what the other western groups leave), and the values form a
    hump just below the threshold.
    """
    k = len(rest)
    target = int(round(k * (cert_min - 1) * (0.84 + 0.10 * totals.rnd.uniform(1)[0])))
    target = int(np.clip(target, max(0, low), min(k * (cert_min - 1), high)))
    values = below_cap(cert_min - 1, target, k, totals.rnd)
    values = totals.spread(values, np.zeros(k, np.int64), np.full(k, cert_min - 1), target, "the western cities")
    totals.assign(rest, values)
    return target


def _west_certified_below_tie(totals: _Totals, mid: np.ndarray, cert_min: int, tie: int, low: int,
                              high: int) -> int:
    """Certified scores below the tie for the other certified western cities; returns their sum.

    The values are drawn uniformly from the certified threshold to just below
    the tie, and their sum is kept within ``[low, high]``.
    """
    k = len(mid)
    start = (cert_min + np.floor((tie - cert_min) * totals.rnd.uniform(k))).astype(np.int64)
    target = int(np.clip(start.sum(), low, high))
    values = totals.spread(start, np.full(k, cert_min), np.full(k, tie - 1), target,
                           "the certified western cities below the tie")
    totals.assign(mid, values)
    return target


def _other_totals(totals: _Totals, layout: PublishedLayout, tie: int, cert_min: int) -> None:
    """Scores outside the published region, summing to the national mean with the national certified count.

    Ludhiana is drawn first (uncertified), then the most mature of the other
    cities are certified below the tie and the rest stay below the threshold.
    """
    n = len(layout.region)
    ludhiana = totals.rnd.integer(12, min(26, cert_min - 1))
    totals.values[layout.ludhiana] = ludhiana
    free = ~layout.region & ~_named(layout)
    n_named_cert = int((~layout.region[layout.top_nine]).sum() + (~layout.region[layout.tied]).sum())
    n_mid = PUBLISHED_CERTIFIED - PUBLISHED_REGION_CERTIFIED - n_named_cert
    mid = np.flatnonzero(top_k(totals.maturity, free, n_mid))
    low = np.setdiff1d(np.flatnonzero(free), mid)
    lo = np.concatenate([np.full(len(mid), cert_min), np.zeros(len(low), np.int64)])
    hi = np.concatenate([np.full(len(mid), tie - 1), np.full(len(low), cert_min - 1)])
    other_sum = PUBLISHED_NATIONAL_MEAN * n - PUBLISHED_REGION_MEAN * int(layout.region.sum())
    named_other = layout.top_nine[~layout.region[layout.top_nine]]
    target = (other_sum - int(totals.values[named_other].sum())
              - int(totals.values[layout.tied][~layout.region[layout.tied]].sum()) - ludhiana)
    mid_start = (cert_min + np.floor((tie - cert_min) * totals.rnd.uniform(len(mid)) ** 1.6)).astype(np.int64)
    low_start = below_cap(cert_min - 1, target - int(mid_start.sum()), len(low), totals.rnd)
    values = totals.spread(np.concatenate([mid_start, low_start]), lo, hi, target,
                           "the cities outside the western region")
    totals.assign(mid, values[:len(mid)])
    totals.assign(low, values[len(mid):])


def _top_ten_plan(layout: PublishedLayout, totals: np.ndarray, fw: Framework, caps: np.ndarray,
                  components: tuple[int, ...], kohima: _Kohima, rnd: RandomStream) -> TopPlan:
    """Component bounds of the 12 cities ranked 1-10 (Kohima is row 9) that give Kohima its places.

    One of ranks 1-7 (at random) takes the full Policy total and every other city
    stays below Kohima's 97; ranks 1-7 score above Kohima on People and the others
    below; two of ranks 1-7 (those whose total needs it first, then at random)
    score above Kohima on Technology and the others below.
    """
    P, Pe, Pr, T, Out = components
    comp_ids = fw.component_ids
    n_top_west = len(_top_west(layout))
    rows = np.concatenate([layout.top_nine, layout.tied])
    comp_cap = np.array([int(caps[(fw.indicators["component"] == c).to_numpy()].sum()) for c in comp_ids])
    c_lo = np.zeros((12, len(comp_ids)), dtype=np.int64)
    c_hi = np.broadcast_to(comp_cap, (12, len(comp_ids))).copy()
    row = 9
    c_hi[:, P] = comp_cap[P] - 1           # nobody but the leader reaches 97 on Policy
    leader = int(np.argmax(rnd.gumbel(n_top_west)))
    c_lo[leader, P] = c_hi[leader, P] = comp_cap[P]
    c_lo[:n_top_west, Pe] = kohima.people + 1         # seven above Kohima on People ...
    c_hi[n_top_west:, Pe] = kohima.people - 1         # ... and four below
    plain_cap = c_hi[:n_top_west].sum(axis=1) - (comp_cap[T] - (kohima.technology - 1))
    need = totals[rows[:n_top_west]] > plain_cap
    keys = np.where(need, np.inf, rnd.gumbel(n_top_west))
    above = np.argsort(-keys, kind="stable")[:2]
    c_hi[:, T] = kohima.technology - 1
    c_lo[above, T] = kohima.technology + 1
    c_hi[above, T] = comp_cap[T]
    for comp, value in ((P, _KOHIMA_POLICY_STEPS), (Pe, kohima.people), (Pr, _KOHIMA_PROCESS_STEPS),
                        (T, kohima.technology), (Out, kohima.outcomes)):
        c_lo[row, comp] = c_hi[row, comp] = value
    if (c_lo.sum(axis=1) > totals[rows]).any() or (c_hi.sum(axis=1) < totals[rows]).any():
        raise SynthesisError(f"{fw.source}: cannot reproduce Kohima's published places among the top 10")
    forced = np.zeros(len(totals), dtype=bool)
    forced[_top_west(layout)] = True
    kohima_row = int(layout.tied[0])
    off_grid = KOHIMA_POLICY - _KOHIMA_POLICY_STEPS * POINT_STEP
    adjust = ((kohima_row, comp_ids[P], off_grid), (kohima_row, comp_ids[Out], -off_grid))
    return TopPlan(rows=rows, lo=c_lo, hi=c_hi, forced=forced, adjust=adjust)
