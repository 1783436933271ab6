"""A seeded synthetic DMAF panel: the bundled data set and data for scale tests.

Only one real DMAF report card is available (Ludhiana, Cycle 2), so the bundled
panel is synthetic apart from Ludhiana's printed values. For the 100 Smart Cities
the generator is *constructive*: it first fixes every city's Cycle 2 overall score
so that the published results hold exactly (national mean, certified count,
western mean and certified count, the named ranks and the tie at rank 10), then
splits each city's points over the indicators. Nothing is found by trying seeds:
every seed gives a panel that reproduces the same published facts, and the same
seed always gives the same panel.

Scores are whole multiples of 5 points, except two of Kohima's: its published
Policy total of 97 needs one Policy value 2 points off the grid, and one of its
Outcomes values gives the 2 points back so that its total stays a multiple of 5.
With the frameworks' equal component weights and components out of 100, a city's
overall score is its total points divided by 5, which is its number of 5-point
"steps": overall scores are whole numbers and ties are exact.

Provenance: every value is ``source = synthetic`` except Ludhiana's Cycle 2
report-card values (:data:`LUDHIANA_REPORT_CARD`) and its City Engagement Score,
which are ``report_card``. ``placed_by`` records how each report-card value was
attached to its indicator (``heading`` or ``order``; empty for synthetic rows).

All randomness comes from uniform draws of a PCG64 generator transformed here
(Box-Muller normals, Gumbel keys), so a seed means the same panel on every
platform and NumPy version that keeps PCG64's stream.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .cities import CITY_COLUMNS, load_cities
from .errors import ArgumentError, SynthesisError
from .framework import Framework, frameworks_or_bundled
from .numeric import TOLERANCE

__all__ = ["DEFAULT_SEED", "POINT_STEP", "SCORE_TABLE_COLUMNS", "ATTRIBUTE_TABLE_COLUMNS", "PUBLISHED_CYCLE",
           "PUBLISHED_NATIONAL_MEAN", "PUBLISHED_CERTIFIED", "PUBLISHED_REGION", "PUBLISHED_REGION_MEAN",
           "PUBLISHED_REGION_CITIES", "PUBLISHED_REGION_CERTIFIED", "PUBLISHED_TOP_NINE", "PUBLISHED_TIED_TENTH",
           "PUBLISHED_TIE_LEVEL", "PUBLISHED_ENABLED", "PUBLISHED_COMPONENTS", "KOHIMA", "KOHIMA_POLICY",
           "KOHIMA_PROCESS", "KOHIMA_PLACES", "PUBLISHED_NONZERO_COUNTS", "LUDHIANA", "LUDHIANA_REPORT_CARD",
           "LUDHIANA_ENGAGEMENT", "ABSENT_FROM_CYCLE_1", "INDICATOR_EASE", "synthetic_cities", "panel_cities",
           "synthesize_panel", "sibling_paths", "write_panel"]

DEFAULT_SEED = 20210625
"""Seed of the bundled panel (the date the Cycle 2 results were announced)."""

POINT_STEP = 5
"""Every synthetic score is a whole multiple of this many points."""

#: Uniform draws are kept this far inside (0, 1) so that log(-log(u)) stays finite.
_OPEN_UNIT = 1e-12

SCORE_TABLE_COLUMNS = ["cycle", "city", "state", "indicator", "score", "source", "placed_by"]
ATTRIBUTE_TABLE_COLUMNS = ["cycle", "city", "engagement_score", "source"]

# ----------------------------------------------------------------- published facts
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

# ------------------------------------------------------------- illustrative shape
#: How hard each indicator is (logit shift; higher = cities score more of its
#: maximum). Illustrative guesses, not data; unknown ids get 0.
INDICATOR_EASE = {
    2: {"1.a": 0.2, "1.b": -0.3, "1.c&d": -0.9, "2.a": 1.2, "2.b": 0.2, "2.c": 0.0,
        "2.d": 0.8, "2.e": -1.0, "3.a": -0.8, "3.b": -0.3, "3.c": 0.1, "3.d": -0.7,
        "4.a": 0.5, "4.b": 0.9, "4.c": 0.3, "4.d": -0.8, "4.e": -0.2, "5.a": -0.6,
        "5.b": 0.0, "5.c": 0.1, "5.d": -0.3},
    1: {"1.a": 0.3, "1.b": -0.3, "2.a": 0.8, "2.b": -0.2, "2.c": 0.2, "3.a": -0.6,
        "3.b": 0.0, "4.a": 0.3, "4.b": 0.4, "5.a": -0.4, "5.b": -0.5},
}
_COMPONENT_SD = 0.7       # spread of a city's component strengths (correlates a component's indicators)
_INDICATOR_SD = 0.6       # indicator-level noise
_SELECTION_STRENGTH = {"2.b": 1.0, "2.e": 1.5, "4.a": 1.0}  # how strongly maturity drives the non-zero sets
_CHANGE_MEAN, _CHANGE_SD = 8.0, 8.0  # overall points gained from one cycle to the next
_MAX_CITIES = 100_000


# ---------------------------------------------------------------------- randomness
class _Random:
    """Uniform draws from PCG64, transformed here so that the stream is stable."""

    def __init__(self, seed: int):
        self._gen = np.random.Generator(np.random.PCG64(seed))

    def uniform(self, size) -> np.ndarray:
        return self._gen.random(size)

    def normal(self, size) -> np.ndarray:
        u1 = 1.0 - self._gen.random(size)  # (0, 1]
        u2 = self._gen.random(size)
        return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)

    def gumbel(self, size) -> np.ndarray:
        u = np.clip(self._gen.random(size), _OPEN_UNIT, 1.0 - _OPEN_UNIT)
        return -np.log(-np.log(u))

    def gamma2(self, size, mean: float) -> np.ndarray:
        """Gamma draws of shape 2 with the given mean (the sum of two exponentials)."""
        u = 1.0 - self._gen.random((2, size))  # (0, 1]
        return -(mean / 2.0) * np.log(u).sum(axis=0)

    def integer(self, low: int, high: int) -> int:
        """A whole number from ``low`` to ``high`` inclusive."""
        return int(low + math.floor(self._gen.random() * (high - low + 1)))


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _top_k(keys: np.ndarray, candidates: np.ndarray, k: int) -> np.ndarray:
    """Boolean mask of the ``k`` candidates with the largest keys."""
    mask = np.zeros(len(keys), dtype=bool)
    idx = np.flatnonzero(candidates)
    if k > 0:
        best = idx[np.argsort(-keys[idx], kind="stable")[:k]]
        mask[best] = True
    return mask


def _fix_totals(x: np.ndarray, lo: np.ndarray, hi: np.ndarray, totals: np.ndarray,
                rnd: _Random) -> np.ndarray:
    """Move the integers of each row of ``x``, within ``[lo, hi]``, until the row sums to its total.

    Each round moves every unbalanced row by one step on as many elements as it
    needs (or can), picking elements at random with weight proportional to their
    room in the needed direction.
    """
    x = np.clip(x, lo, hi).astype(np.int64)
    totals = np.asarray(totals, dtype=np.int64)
    if np.any(lo.sum(axis=1) > totals) or np.any(hi.sum(axis=1) < totals):
        raise SynthesisError("internal error: a synthetic total lies outside its feasible range")
    n, m = x.shape
    positions = np.broadcast_to(np.arange(m), (n, m))
    while True:
        diff = totals - x.sum(axis=1)
        if not diff.any():
            return x
        up = diff > 0
        room = np.where(up[:, None], hi - x, x - lo)
        can = (room > 0) & (diff != 0)[:, None]
        quota = np.minimum(np.abs(diff), can.sum(axis=1))
        keys = np.where(can, np.log(np.maximum(room, 1)) + rnd.gumbel((n, m)), -np.inf)
        order = np.argsort(-keys, axis=1, kind="stable")
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, positions, axis=1)
        step = can & (rank < quota[:, None])
        x = x + np.where(step, np.sign(diff)[:, None], 0)


def _allocate(totals: np.ndarray, lo: np.ndarray, hi: np.ndarray, logits: np.ndarray,
              rnd: _Random) -> np.ndarray:
    """Split each city's total steps over its indicators.

    Indicator ``j`` of city ``i`` expects ``lo + (hi - lo) * expit(logits + theta_i)``
    steps, where ``theta_i`` (found by bisection, all cities at once) makes the
    expectations add up to the city's total; the expectations are rounded at
    random and the remainder is settled by :func:`_fix_totals`.
    """
    span = (hi - lo).astype(float)
    base = lo.sum(axis=1).astype(float)
    left = np.full(len(totals), -40.0)
    right = np.full(len(totals), 40.0)
    for _ in range(50):
        mid = (left + right) / 2
        expected = base + (span * _expit(logits + mid[:, None])).sum(axis=1)
        low = expected < totals
        left = np.where(low, mid, left)
        right = np.where(low, right, mid)
    theta = (left + right) / 2
    values = lo + span * _expit(logits + theta[:, None])
    x = np.floor(values + rnd.uniform(values.shape)).astype(np.int64)
    return _fix_totals(x, lo, hi, totals, rnd)


# -------------------------------------------------------------------------- cities
def synthetic_cities(n: int, *, start: int = 101, regions: list[str] | None = None) -> pd.DataFrame:
    """Invented cities for scale tests, in the format of the cities table.

    Parameters
    ----------
    n : int
        How many cities.
    start : int, default 101
        Number of the first city: names run ``Synthetic City 0101``,
        ``Synthetic City 0102``, ...
    regions : list of str, optional
        Region names to spread the cities over (default: those of the bundled
        cities table). Cities are grouped into 30 invented states
        (``Synthetic State 01`` ...), each in one region.

    Returns
    -------
    DataFrame
        Columns ``city, state, region, region_provenance, selection_round,
        round_announced, aliases``; ``selection_round`` is ``Synthetic`` and
        ``region_provenance`` ``synthetic``.
    """
    if regions is None:
        regions = list(dict.fromkeys(load_cities()["region"]))
    regions = [r for r in regions if r] or [""]
    numbers = np.arange(start, start + n)
    state_no = (numbers - start) % 30
    return pd.DataFrame({
        "city": [f"Synthetic City {k:04d}" for k in numbers],
        "state": [f"Synthetic State {s + 1:02d}" for s in state_no],
        "region": [regions[s % len(regions)] for s in state_no],
        "region_provenance": "synthetic",
        "selection_round": "Synthetic",
        "round_announced": "",
        "aliases": "",
    }, columns=CITY_COLUMNS)


def panel_cities(n_cities: int = 100, *, cities: pd.DataFrame | None = None) -> pd.DataFrame:
    """The cities a panel of ``n_cities`` covers, as a cities table.

    The first ``n_cities`` rows of ``cities`` (default: the 100 Smart Cities), then,
    beyond those, :func:`synthetic_cities`. Pass the result as ``cities=`` to
    :func:`~dmaf_analysis.data_contract.read_scores` to validate a panel larger than 100 cities.
    """
    n_cities = _check_count(n_cities)
    base = load_cities() if cities is None else cities.copy()
    for col in CITY_COLUMNS:
        if col not in base.columns:
            base[col] = ""
    base = base[CITY_COLUMNS].reset_index(drop=True)
    if n_cities <= len(base):
        return base.iloc[:n_cities].reset_index(drop=True)
    extra = synthetic_cities(n_cities - len(base), start=len(base) + 1,
                             regions=list(dict.fromkeys(base["region"].astype(str))))
    return pd.concat([base, extra], ignore_index=True)


def _check_count(n_cities) -> int:
    if isinstance(n_cities, bool) or not isinstance(n_cities, (int, np.integer)):
        raise ArgumentError(f"the number of cities must be a whole number, got {n_cities!r}")
    if not 1 <= n_cities <= _MAX_CITIES:
        raise ArgumentError(f"the number of cities must be from 1 to {_MAX_CITIES:,}, got {n_cities}")
    return int(n_cities)


# ------------------------------------------------------------------ overall targets
@dataclass(frozen=True)
class _Layout:
    """Positions (in the panel's city order) of the cities the published facts name."""

    top_nine: np.ndarray
    tied: np.ndarray        # Kohima first
    ludhiana: int
    region: np.ndarray      # bool: in the published region


@dataclass(frozen=True)
class _TopPlan:
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


def _published_layout(table: pd.DataFrame) -> tuple[_Layout | None, str]:
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
    return _Layout(top_nine=np.array([pos[c] for c in PUBLISHED_TOP_NINE]),
                   tied=np.array([pos[c] for c in PUBLISHED_TIED_TENTH]),
                   ludhiana=pos[LUDHIANA], region=region), ""


def _distinct_descending(lo: int, hi: int, total: int, k: int, rnd: _Random, what: str, source: str) -> np.ndarray:
    """``k`` distinct whole numbers in ``[lo + 1, hi + k]``, descending, summing to ``total``.

    Drawn as ``u`` in ``[lo, hi]`` (sum ``total - k(k+1)/2``), sorted, plus ``k, k-1, ..., 1``.
    """
    offset = k * (k + 1) // 2
    target = total - offset
    if not k * lo <= target <= k * hi:
        raise SynthesisError(f"{source}: cannot reproduce the published facts ({what} cannot sum to {total})")
    u = lo + np.floor((hi - lo + 1) * rnd.uniform(k)).astype(np.int64)
    u = _fix_totals(u[None, :], np.full((1, k), lo), np.full((1, k), hi), np.array([target]), rnd)[0]
    return np.sort(u)[::-1] + np.arange(k, 0, -1)


def _published_totals(layout: _Layout, fw: Framework, caps: np.ndarray,
                      rnd: _Random) -> tuple[np.ndarray, _TopPlan]:
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
    n = len(layout.region)
    cap_total = int(caps.sum())
    top_cap = cap_total - 4  # nobody gets a perfect score
    weights = fw.weights.to_numpy(dtype=float)
    if not np.allclose(weights, weights[0]) or not np.allclose(fw.components["max_score"], 100):
        raise SynthesisError(f"{fw.source}: the published facts need equal component weights")
    if not np.allclose(caps * POINT_STEP, fw.max_scores.to_numpy(dtype=float)):
        raise SynthesisError(f"{fw.source}: the published facts need indicator maxima that are "
                        f"multiples of {POINT_STEP}")
    comp_ids = fw.component_ids
    if sorted(comp_ids) != sorted(PUBLISHED_COMPONENTS) or cap_total != 100:
        raise SynthesisError(f"{fw.source}: the published facts need the five components "
                        f"{', '.join(PUBLISHED_COMPONENTS)}")
    P, Pe, Pr, T, Out = (comp_ids.index(c) for c in PUBLISHED_COMPONENTS)
    levels = fw.levels.reset_index(drop=True)
    certified = levels[levels["certified"].astype(bool)]
    if certified.empty or PUBLISHED_TIE_LEVEL not in set(levels["level"]):
        raise SynthesisError(f"{fw.source}: the published facts need a certified level named {PUBLISHED_TIE_LEVEL!r}")
    cert_min = math.ceil(float(certified["min_score"].min()))
    tie_row = levels.index[levels["level"] == PUBLISHED_TIE_LEVEL][0]
    tie_min = math.ceil(float(levels.loc[tie_row, "min_score"]))
    tie_max = (math.ceil(float(levels.loc[tie_row + 1, "min_score"])) - 1
               if tie_row + 1 < len(levels) else cap_total)
    # the tie leaves room below it for the other certified cities, above it (in the
    # same level) for ranks 8-9, and holds Kohima's 97 + 45 with a high Technology
    tie_lo = max(tie_min, cert_min + 17, 47)
    tie_hi = min(tie_max - 2, cert_min + 25, 60)
    if tie_lo > tie_hi or tie_min < cert_min:
        raise SynthesisError(f"{fw.source}: the level thresholds leave no room for the published tie at rank 10")
    tie = rnd.integer(tie_lo, tie_hi)

    # Kohima, in steps: Policy 19 (+2 points -> 97), Process 9 (45), Technology tk,
    # People pk, Outcomes ok (-2 points, so that the total stays 5 x tie)
    tk = rnd.integer(13, min(15, tie - 33))
    pk = rnd.integer(4, min(7, tie - 29 - tk))
    ok = tie - 28 - tk - pk
    if not 1 <= ok <= 20:  # pragma: no cover - follows from the ranges above
        raise SynthesisError("internal error: Kohima's Outcomes total is out of range")

    # ranks 8-9 (New Town Kolkata, Chennai): just above the tie, in its level
    below_cap = 57 + pk + tk  # most a city can score with People < pk and Technology < tk
    room = min(tie_max, below_cap) - (tie + 2)
    a = rnd.integer(0, min(8, room))
    b = rnd.integer(0, min(8, room - a))
    r9 = tie + 1 + a
    r8 = r9 + 1 + b

    n_region = int(layout.region.sum())
    region_sum = PUBLISHED_REGION_MEAN * n_region
    other_sum = PUBLISHED_NATIONAL_MEAN * n - region_sum
    maturity = rnd.normal(n) + 0.7 * rnd.gumbel(n)
    totals = np.full(n, -1, dtype=np.int64)

    def spread(values: np.ndarray, lo: np.ndarray, hi: np.ndarray, target: int, what: str) -> np.ndarray:
        if not lo.sum() <= target <= hi.sum():
            raise SynthesisError(f"{fw.source}: cannot reproduce the published facts ({what} cannot sum to {target})")
        return _fix_totals(values[None, :], lo[None, :], hi[None, :], np.array([target]), rnd)[0]

    def assign(positions: np.ndarray, values: np.ndarray) -> None:
        by_maturity = positions[np.argsort(-maturity[positions], kind="stable")]
        totals[by_maturity] = np.sort(values)[::-1]

    named = np.zeros(n, dtype=bool)
    named[layout.top_nine] = True
    named[layout.tied] = True
    named[layout.ludhiana] = True
    top_west = layout.top_nine[layout.region[layout.top_nine]]
    n_top_west = len(top_west)
    n_tied_west = int(layout.region[layout.tied].sum())

    # the west: ranks 1-7, Thane at the tie, `n_wmid` more certified below the tie, the rest not certified
    n_wmid = PUBLISHED_REGION_CERTIFIED - n_top_west - n_tied_west
    west_free = layout.region & ~named
    wmid = np.flatnonzero(_top_k(maturity, west_free, n_wmid))
    wrest = np.setdiff1d(np.flatnonzero(west_free), wmid)
    u_cap = 73 + tk  # ranks 3-7 stay within what a city below Kohima on Technology can score
    w7_lo, w7_hi = n_top_west * r8 + n_top_west * (n_top_west + 1) // 2, \
        n_top_west * u_cap + n_top_west * (n_top_west + 1) // 2
    w7_hi = min(w7_hi, sum(range(top_cap - n_top_west + 1, top_cap + 1)))
    west_left = region_sum - n_tied_west * tie
    k = len(wrest)
    mid_lo, mid_hi = n_wmid * cert_min, n_wmid * (tie - 1)
    rest_target = int(round(k * (cert_min - 1) * (0.84 + 0.10 * rnd.uniform(1)[0])))
    rest_target = int(np.clip(rest_target, max(0, west_left - mid_hi - w7_hi),
                              min(k * (cert_min - 1), west_left - mid_lo - w7_lo)))
    rest = _below_cap(cert_min - 1, rest_target, k, rnd)
    rest = spread(rest, np.zeros(k, np.int64), np.full(k, cert_min - 1), rest_target, "the western cities")
    assign(wrest, rest)
    mid_start = (cert_min + np.floor((tie - cert_min) * rnd.uniform(n_wmid))).astype(np.int64)
    mid_target = int(np.clip(mid_start.sum(), max(mid_lo, west_left - rest_target - w7_hi),
                             min(mid_hi, west_left - rest_target - w7_lo)))
    wmid_values = spread(mid_start, np.full(n_wmid, cert_min), np.full(n_wmid, tie - 1), mid_target,
                         "the certified western cities below the tie")
    assign(wmid, wmid_values)
    w7 = west_left - rest_target - mid_target
    totals[top_west] = _distinct_descending(r8, min(u_cap, top_cap - n_top_west), w7, n_top_west, rnd,
                                            "ranks 1-7", fw.source)
    totals[layout.top_nine[n_top_west:]] = [r8, r9][: 9 - n_top_west]
    totals[layout.tied] = tie

    # the other regions: certified below the tie, the rest not certified; Ludhiana among the latter
    ludhiana = rnd.integer(12, min(26, cert_min - 1))
    totals[layout.ludhiana] = ludhiana
    others = np.flatnonzero(~layout.region & ~named)
    n_named_cert = int((~layout.region[layout.top_nine]).sum() + (~layout.region[layout.tied]).sum())
    n_mid = PUBLISHED_CERTIFIED - PUBLISHED_REGION_CERTIFIED - n_named_cert
    mid = np.flatnonzero(_top_k(maturity, ~layout.region & ~named, n_mid))
    low = np.setdiff1d(others, mid)
    lo = np.concatenate([np.full(len(mid), cert_min), np.zeros(len(low), np.int64)])
    hi = np.concatenate([np.full(len(mid), tie - 1), np.full(len(low), cert_min - 1)])
    named_other = layout.top_nine[~layout.region[layout.top_nine]]
    other_target = (other_sum - int(totals[named_other].sum())
                    - int(totals[layout.tied][~layout.region[layout.tied]].sum()) - ludhiana)
    mid_start = (cert_min + np.floor((tie - cert_min) * rnd.uniform(len(mid)) ** 1.6)).astype(np.int64)
    low_start = _below_cap(cert_min - 1, other_target - int(mid_start.sum()), len(low), rnd)
    start = np.concatenate([mid_start, low_start])
    values = spread(start, lo, hi, other_target, "the cities outside the western region")
    assign(mid, values[:len(mid)])
    assign(low, values[len(mid):])
    if (totals < 0).any():  # pragma: no cover - every city belongs to one group above
        raise SynthesisError("internal error: a city received no synthetic total")

    # component bounds of the 12 cities ranked 1-10 (Kohima is row 9)
    rows = np.concatenate([layout.top_nine, layout.tied])
    m = len(comp_ids)
    comp_cap = np.array([int(caps[(fw.indicators["component"] == c).to_numpy()].sum()) for c in comp_ids])
    c_lo = np.zeros((12, m), dtype=np.int64)
    c_hi = np.broadcast_to(comp_cap, (12, m)).copy()
    kohima = 9
    c_hi[:, P] = comp_cap[P] - 1           # nobody but the leader reaches 97 on Policy
    leader = int(np.argmax(rnd.gumbel(n_top_west)))
    c_lo[leader, P] = c_hi[leader, P] = comp_cap[P]
    c_lo[:n_top_west, Pe] = pk + 1         # seven above Kohima on People ...
    c_hi[n_top_west:, Pe] = pk - 1         # ... and four below
    # two above Kohima on Technology: those ranks 1-7 that need it, then others at random
    plain_cap = c_hi[:n_top_west].sum(axis=1) - (comp_cap[T] - (tk - 1))
    need = totals[rows[:n_top_west]] > plain_cap
    keys = np.where(need, np.inf, rnd.gumbel(n_top_west))
    above = np.argsort(-keys, kind="stable")[:2]
    c_hi[:, T] = tk - 1
    c_lo[above, T] = tk + 1
    c_hi[above, T] = comp_cap[T]
    c_lo[kohima] = c_hi[kohima] = 0
    for comp, value in ((P, 19), (Pe, pk), (Pr, 9), (T, tk), (Out, ok)):
        c_lo[kohima, comp] = c_hi[kohima, comp] = value
    if (c_lo.sum(axis=1) > totals[rows]).any() or (c_hi.sum(axis=1) < totals[rows]).any():
        raise SynthesisError(f"{fw.source}: cannot reproduce Kohima's published places among the top 10")
    forced = np.zeros(n, dtype=bool)
    forced[top_west] = True
    kohima_row = int(layout.tied[0])
    adjust = ((kohima_row, comp_ids[P], KOHIMA_POLICY - 19 * POINT_STEP),
              (kohima_row, comp_ids[Out], -(KOHIMA_POLICY - 19 * POINT_STEP)))
    return totals, _TopPlan(rows=rows, lo=c_lo, hi=c_hi, forced=forced, adjust=adjust)


def _below_cap(cap: int, target: int, k: int, rnd: _Random) -> np.ndarray:
    """``k`` starting values in ``[0, cap]`` whose sum is near ``target``.

    Each value is ``cap`` minus a gamma(2) deficit, so when the target sits close to
    the cap the values form a hump just below it rather than a pile-up at the cap
    (which drawing from a wide range and then pushing values up would create).
    """
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    mean_deficit = max(cap - target / k, 0.5)
    return np.clip(np.rint(cap - rnd.gamma2(k, mean_deficit)), 0, cap).astype(np.int64)


def _plausible_totals(table: pd.DataFrame, cap_total: int, rnd: _Random) -> np.ndarray:
    """Overall scores for a panel the published facts do not cover: right-skewed, median near 32."""
    west = (table["region"].astype(str) == PUBLISHED_REGION).to_numpy()
    latent = -0.75 + 0.9 * rnd.normal(len(table)) + 0.3 * west
    return np.rint(cap_total * _expit(latent)).astype(np.int64)


# ------------------------------------------------------------------- indicator split
def _caps(fw: Framework) -> np.ndarray:
    return np.floor(fw.max_scores.to_numpy(dtype=float) / POINT_STEP + TOLERANCE).astype(np.int64)


def _ludhiana_fixed(fw: Framework) -> dict[str, int] | None:
    """Ludhiana's report-card values in steps, if ``fw`` is a Cycle 2 framework that can hold them."""
    if fw.cycle != PUBLISHED_CYCLE:
        return None
    maxima = fw.max_scores
    if not all(ind in maxima.index and points <= maxima[ind] for ind, (points, _) in LUDHIANA_REPORT_CARD.items()):
        return None
    return {ind: points // POINT_STEP for ind, (points, _) in LUDHIANA_REPORT_CARD.items()}


def _choose_nonzero(totals: np.ndarray, fw: Framework, caps: np.ndarray, fixed_lo: np.ndarray,
                    fixed_mask: np.ndarray, counts: dict[str, int], strict: bool,
                    rnd: _Random, forced: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Which cities score above zero on each indicator of ``counts`` (the others score 0).

    Mature cities are likelier to be chosen. A city joins only as many sets as it
    has steps to spare, and a city whose total cannot fit once these indicators
    are zero (or that ``forced`` marks) joins them all.
    """
    ids = fw.indicator_ids
    cols = [ids.index(i) for i in counts]
    spread = totals.std() or 1.0
    z = (totals - totals.mean()) / spread
    free_cap = np.where(fixed_mask, 0, caps).sum(axis=1) + fixed_lo.sum(axis=1)
    forcible_cap = np.where(fixed_mask[:, cols], 0, caps[:, cols]).sum(axis=1)
    must = totals > free_cap - forcible_cap
    if forced is not None:
        must = must | forced
    spare = totals - fixed_lo.sum(axis=1)
    chosen = {}
    for ind, col in zip(counts, cols):
        fixed_here = fixed_mask[:, col]
        fixed_in = fixed_here & (fixed_lo[:, col] > 0)
        eligible = ~fixed_here & (spare >= 1)
        must_here = must & eligible
        k = counts[ind] - int(fixed_in.sum()) - int(must_here.sum())
        n_open = int((eligible & ~must_here).sum())
        if not 0 <= k <= n_open:
            if strict:
                raise SynthesisError(f"internal error: cannot choose {counts[ind]} cities with {ind} > 0")
            k = int(np.clip(k, 0, n_open))
        keys = _SELECTION_STRENGTH.get(ind, 1.0) * z + rnd.gumbel(len(totals))
        picked = must_here | _top_k(keys, eligible & ~must_here, k)
        spare = spare - picked
        chosen[ind] = picked | fixed_in
    return chosen


def _split(totals: np.ndarray, fw: Framework, table: pd.DataFrame, strengths: np.ndarray,
           nonzero_counts: dict[str, int] | None, strict: bool, rnd: _Random,
           plan: _TopPlan | None = None):
    """Indicator steps (cities x indicators) for one cycle, and the fixed-value mask.

    With a ``plan``, its cities first get component totals within the plan's
    bounds, then each component is split over its indicators.
    """
    n, ids = len(totals), fw.indicator_ids
    caps = np.broadcast_to(_caps(fw), (n, len(ids)))
    fixed_mask = np.zeros((n, len(ids)), dtype=bool)
    fixed_lo = np.zeros((n, len(ids)), dtype=np.int64)
    ludhiana = _ludhiana_fixed(fw)
    where = np.flatnonzero(table["city"].to_numpy() == LUDHIANA)
    if ludhiana is not None and len(where):
        row = where[0]
        for ind, steps in ludhiana.items():
            fixed_mask[row, ids.index(ind)] = True
            fixed_lo[row, ids.index(ind)] = steps
    lo = fixed_lo.copy()
    hi = np.where(fixed_mask, fixed_lo, caps)
    totals = np.clip(totals, lo.sum(axis=1), hi.sum(axis=1))
    if nonzero_counts:
        sets = _choose_nonzero(totals, fw, caps, fixed_lo, fixed_mask, nonzero_counts, strict, rnd,
                               forced=None if plan is None else plan.forced)
        for ind, picked in sets.items():
            col = ids.index(ind)
            free = ~fixed_mask[:, col]
            lo[:, col] = np.where(free & picked, 1, lo[:, col])
            hi[:, col] = np.where(free & ~picked, 0, hi[:, col])
    ease = np.array([INDICATOR_EASE.get(fw.cycle, {}).get(i, 0.0) for i in ids])
    comp_of = fw.indicators["component"].map({c: k for k, c in enumerate(fw.component_ids)}).to_numpy()
    logits = ease[None, :] + strengths[:, comp_of] + _INDICATOR_SD * rnd.normal((n, len(ids)))
    steps = _allocate(totals, lo, hi, logits, rnd)
    if plan is not None:
        steps[plan.rows] = _split_by_component(totals[plan.rows], fw, lo[plan.rows], hi[plan.rows],
                                               logits[plan.rows], strengths[plan.rows], plan, rnd)
    return steps, fixed_mask, totals


def _split_by_component(totals: np.ndarray, fw: Framework, lo: np.ndarray, hi: np.ndarray,
                        logits: np.ndarray, strengths: np.ndarray, plan: _TopPlan,
                        rnd: _Random) -> np.ndarray:
    """Steps of the plan's cities: component totals within the plan's bounds, then indicators."""
    comp_of = fw.indicators["component"].to_numpy()
    cols = [np.flatnonzero(comp_of == c) for c in fw.component_ids]
    c_lo = np.maximum(plan.lo, np.stack([lo[:, c].sum(axis=1) for c in cols], axis=1))
    c_hi = np.minimum(plan.hi, np.stack([hi[:, c].sum(axis=1) for c in cols], axis=1))
    if (c_lo > c_hi).any() or (c_lo.sum(axis=1) > totals).any() or (c_hi.sum(axis=1) < totals).any():
        raise SynthesisError("internal error: the component bounds of the top-10 cities cannot be met")
    comp = _allocate(totals, c_lo, c_hi, strengths + 0.3 * rnd.normal(strengths.shape), rnd)
    steps = np.zeros_like(lo)
    for k, c in enumerate(cols):
        steps[:, c] = _allocate(comp[:, k], lo[:, c], hi[:, c], logits[:, c], rnd)
    return steps


def _apply_adjustments(points: np.ndarray, fw: Framework, adjust: tuple) -> np.ndarray:
    """Move single indicator scores off the 5-point grid so published component totals hold.

    Each ``(row, component, delta)`` adds ``delta`` points to the first indicator of
    the component (framework order) that has room for it, keeping it above zero.
    """
    points = points.copy()
    maxima = fw.max_scores.to_numpy(dtype=float)
    comp_of = fw.indicators["component"].to_numpy()
    for row, component, delta in adjust:
        for col in np.flatnonzero(comp_of == component):
            new = points[row, col] + delta
            if 0 < new <= maxima[col]:
                points[row, col] = new
                break
        else:  # pragma: no cover - the plan leaves room by construction
            raise SynthesisError(f"internal error: no room to move a score of {component} by {delta}")
    return points


# --------------------------------------------------------------------------- panel
def synthesize_panel(*, seed: int = DEFAULT_SEED, n_cities: int = 100,
                     frameworks: dict[int, Framework] | None = None,
                     cities: pd.DataFrame | None = None,
                     match_published: bool | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Generate a synthetic DMAF panel: indicator scores and engagement scores.

    Parameters
    ----------
    seed : int, default 20210625
        Seed of the random generator (a whole number >= 0). The same seed,
        city count and inputs always give identical tables.
    n_cities : int, default 100
        Number of cities (1 to 100,000): the first ``n_cities`` of ``cities``,
        then invented ``Synthetic City 0101``... (see :func:`panel_cities`,
        whose result validates such a panel).
    frameworks : dict, optional
        Cycle -> Framework (default: the bundled frameworks). Every cycle gets
        scores; Cycle 2 (or the latest cycle when there is none) is generated
        first, and the other cycles are derived from it.
    cities : DataFrame, optional
        Base cities table (default: the 100 Smart Cities).
    match_published : bool, optional
        Reproduce the published Cycle 2 results. ``None`` (default) does so when
        the panel is the 100 Smart Cities and there is a Cycle 2 framework;
        ``True`` requires it (raising :class:`~dmaf_analysis.errors.DmafError`
        when impossible); ``False`` never does.

    Returns
    -------
    scores : DataFrame
        Long table, one row per (cycle, city, indicator), in cycle, city-table and
        framework order: ``cycle`` (int), ``city``, ``state``, ``indicator``,
        ``score`` (int points, a multiple of 5 but for two of Kohima's), ``source`` (``synthetic`` or
        ``report_card``), ``placed_by`` (``heading`` or ``order`` for report-card
        values, empty otherwise).
    attributes : DataFrame
        One row per (cycle, city): ``cycle``, ``city``, ``engagement_score``
        (int, 0-100), ``source``.

    Notes
    -----
    When the published results are matched, Cycle 2 has a national mean of
    exactly 32, 42 certified cities, a western mean of exactly 45 with 10
    certified, the published ranks 1-9 and the three-way tie at rank 10 (New
    Town Kolkata and Kohima Enabled), Kohima's Policy 97 and Process 45 with its
    places among the top 10 (2nd on Policy, 3rd on Technology, 8th on People),
    61/20/69 cities above zero on indicators 2.b/2.e/4.a, and
    Ludhiana's report-card values; Cycle 1 then leaves out
    :data:`ABSENT_FROM_CYCLE_1`. Ludhiana's report-card values are used whenever
    Ludhiana is in the panel.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ArgumentError(f"the seed must be a whole number >= 0, got {seed!r}")
    frameworks = frameworks_or_bundled(frameworks)
    if not frameworks:
        raise ArgumentError("no frameworks given: nothing to generate")
    table = panel_cities(n_cities, cities=cities)
    rnd = _Random(int(seed))
    cycles = sorted(frameworks)
    anchor = PUBLISHED_CYCLE if PUBLISHED_CYCLE in frameworks else cycles[-1]
    layout, reason = (None, "match_published=False") if match_published is False else _published_layout(table)
    if PUBLISHED_CYCLE not in frameworks:
        layout, reason = None, f"there is no Cycle {PUBLISHED_CYCLE} framework"
    if match_published and layout is None:
        raise SynthesisError(f"cannot reproduce the published Cycle {PUBLISHED_CYCLE} results: {reason}")
    published = layout is not None

    n = len(table)
    fw = frameworks[anchor]
    cap_total = int(_caps(fw).sum())
    plan = None
    if published:
        totals, plan = _published_totals(layout, fw, _caps(fw), rnd)
    else:
        totals = _plausible_totals(table, cap_total, rnd)

    # city strengths per component, shared (partly) across cycles
    all_components = list(dict.fromkeys(c for f in frameworks.values() for c in f.component_ids))
    base_strength = _COMPONENT_SD * rnd.normal((n, len(all_components)))

    def strengths_for(f: Framework, drift: float) -> np.ndarray:
        cols = [all_components.index(c) for c in f.component_ids]
        fresh = _COMPONENT_SD * rnd.normal((n, len(cols)))
        return np.sqrt(1 - drift ** 2) * base_strength[:, cols] + drift * fresh

    nonzero = None
    if anchor == PUBLISHED_CYCLE and all(i in fw.indicator_ids for i in PUBLISHED_NONZERO_COUNTS):
        nonzero = {i: (c if published else int(round(c * n / 100)))
                   for i, c in PUBLISHED_NONZERO_COUNTS.items()}
    results = {}
    steps, fixed, totals = _split(totals, fw, table, strengths_for(fw, 0.0), nonzero, published, rnd, plan)
    points = steps * POINT_STEP
    if plan is not None:
        points = _apply_adjustments(points, fw, plan.adjust)
    results[anchor] = (points, fixed, totals)

    # other cycles: step away from the anchor, most cities improving over time
    for direction, sequence in ((-1, [c for c in reversed(cycles) if c < anchor]),
                                (1, [c for c in cycles if c > anchor])):
        share = totals / cap_total
        for cyc in sequence:
            f = frameworks[cyc]
            change = (_CHANGE_MEAN + _CHANGE_SD * rnd.normal(n)) / 100
            share = np.clip(share + direction * change, 0, 1)
            cyc_totals = np.rint(share * _caps(f).sum()).astype(np.int64)
            cyc_strengths = strengths_for(f, 0.6)
            cyc_steps, cyc_fixed, cyc_totals = _split(cyc_totals, f, table, cyc_strengths, None, False, rnd)
            cyc_steps, cyc_totals = _lift_empty(cyc_steps, cyc_totals, results[anchor][2] / cap_total, f, table,
                                                cyc_strengths, int(seed) + cyc)
            share = np.where(share > 0, share, cyc_totals / _caps(f).sum())
            results[cyc] = (cyc_steps * POINT_STEP, cyc_fixed, cyc_totals)

    # engagement: loosely follows the overall score
    engagement = {}
    for cyc in cycles:
        share = results[cyc][2] / _caps(frameworks[cyc]).sum()
        engagement[cyc] = np.clip(np.rint(20 + 55 * share + 14 * rnd.normal(n)), 0, 100).astype(np.int64)

    return _assemble(table, frameworks, cycles, results, engagement, published)


def _lift_empty(steps: np.ndarray, totals: np.ndarray, anchor_share: np.ndarray, fw: Framework,
                table: pd.DataFrame, strengths: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Give a city that a derived cycle left at 0 on every indicator a small, plausible total.

    Stepping a low-scoring city back from the anchor cycle can clip its share at 0,
    which would make it score nothing at all: an artefact of the clipping, not a
    profile any assessed city showed. Such a city gets instead 25-75 % of its
    anchor-cycle share (2-8 % when that is 0 too), at least one step. The draws
    come from a stream of their own, so the anchor cycle, the other cities and the
    engagement scores are exactly what they were.
    """
    empty = np.flatnonzero(totals <= 0)
    if not len(empty):
        return steps, totals
    side = _Random(seed)
    cap = int(_caps(fw).sum())
    u = side.uniform(len(empty))
    share = np.where(anchor_share[empty] > 0, anchor_share[empty] * (0.25 + 0.5 * u), 0.02 + 0.06 * u)
    lifted = np.maximum(np.rint(share * cap), 1).astype(np.int64)
    sub_steps, _, sub_totals = _split(lifted, fw, table.iloc[empty], strengths[empty], None, False, side)
    steps, totals = steps.copy(), totals.copy()
    steps[empty], totals[empty] = sub_steps, sub_totals
    return steps, totals


def _assemble(table, frameworks, cycles, results, engagement, published):
    names = table["city"].to_numpy(dtype=object)
    states = table["state"].to_numpy(dtype=object)
    is_ludhiana = names == LUDHIANA
    score_parts, attr_parts = [], []
    for cyc in cycles:
        fw = frameworks[cyc]
        points, fixed, _ = results[cyc]
        keep = np.ones(len(names), dtype=bool)
        if published and cyc == 1:
            keep &= names != ABSENT_FROM_CYCLE_1
        ids = np.asarray(fw.indicator_ids, dtype=object)
        m = len(ids)
        rows = np.repeat(np.flatnonzero(keep), m)
        cols = np.tile(np.arange(m), int(keep.sum()))
        is_fixed = fixed[rows, cols]
        placed = np.full(len(rows), "", dtype=object)
        if is_fixed.any():
            placed[is_fixed] = [LUDHIANA_REPORT_CARD[i][1] for i in ids[cols[is_fixed]]]
        score_parts.append(pd.DataFrame({
            "cycle": np.full(len(rows), cyc, dtype=np.int64),
            "city": names[rows], "state": states[rows], "indicator": ids[cols],
            "score": points[rows, cols].astype(np.int64),
            "source": np.where(is_fixed, "report_card", "synthetic").astype(object),
            "placed_by": placed,
        }))
        eng = engagement[cyc].copy()
        source = np.full(len(names), "synthetic", dtype=object)
        if cyc == PUBLISHED_CYCLE and is_ludhiana.any():
            eng[is_ludhiana] = LUDHIANA_ENGAGEMENT
            source[is_ludhiana] = "report_card"
        attr_parts.append(pd.DataFrame({
            "cycle": np.full(int(keep.sum()), cyc, dtype=np.int64), "city": names[keep],
            "engagement_score": eng[keep], "source": source[keep]}))
    scores = pd.concat(score_parts, ignore_index=True)[SCORE_TABLE_COLUMNS]
    attributes = pd.concat(attr_parts, ignore_index=True)[ATTRIBUTE_TABLE_COLUMNS]
    return scores, attributes


def sibling_paths(scores_path: str | Path) -> dict[str, Path]:
    """Where :func:`write_panel` puts the tables that go with a score file.

    ``<stem>_attributes<suffix>`` and ``<stem>_cities.csv`` beside ``scores_path``.
    """
    path = Path(scores_path)
    return {"scores": path,
            "attributes": path.with_name(f"{path.stem}_attributes{path.suffix}"),
            "cities": path.with_name(f"{path.stem}_cities.csv")}


def write_panel(scores: pd.DataFrame, attributes: pd.DataFrame, scores_path: str | Path, *,
                attributes_path: str | Path | None = None,
                cities: pd.DataFrame | None = None) -> dict[str, Path]:
    """Write a panel atomically: scores, attributes and (when given) its cities table.

    Parameters
    ----------
    scores, attributes : DataFrame
        Output of :func:`synthesize_panel`.
    scores_path : path
        Score file, CSV or Parquet by suffix.
    attributes_path : path, optional
        Default ``<stem>_attributes<suffix>`` beside ``scores_path``.
    cities : DataFrame, optional
        Written as ``<stem>_cities.csv`` (needed to validate panels beyond the
        100 Smart Cities).

    Returns
    -------
    dict
        ``scores``, ``attributes`` and, when written, ``cities`` -> Path.
    """
    from .data_contract import write_table

    paths = sibling_paths(scores_path)
    if attributes_path is not None:
        paths["attributes"] = Path(attributes_path)
    written = {"scores": write_table(scores, paths["scores"]),
               "attributes": write_table(attributes, paths["attributes"])}
    if cities is not None:
        written["cities"] = write_table(cities, paths["cities"])
    return written
