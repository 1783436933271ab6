"""Splitting each synthetic city's total over the indicators of one cycle.

A city's total (in 5-point steps) is shared out over the framework's indicators
by indicator difficulty (:data:`INDICATOR_EASE`, illustrative guesses) and a
per-city strength for each component (:class:`ComponentStrengths`), which makes a
component's indicators rise and fall together. Ludhiana's report-card values stay
fixed, the published non-zero counts choose who scores above zero on 2.b, 2.e and
4.a (:func:`choose_nonzero`), and the cities ranked 1-10 are split within the
component bounds of a :class:`~dmaf_analysis.synth.TopPlan`.
``_panel`` calls :func:`split_cycle` once per cycle.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .._util.numeric import TOLERANCE
from ..errors import SynthesisError
from ..framework import Framework
from ._published import LUDHIANA, LUDHIANA_REPORT_CARD, POINT_STEP, PUBLISHED_CYCLE, TopPlan
from ._random import RandomStream, allocate, top_k

__all__ = ["INDICATOR_EASE", "ComponentStrengths", "apply_adjustments", "choose_nonzero", "ludhiana_fixed",
           "point_caps", "split_by_component", "split_cycle"]

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


class ComponentStrengths:
    """Each city's strength on each component, shared (partly) across cycles.

    The shared part is drawn once, on creation, for every component id of every
    framework; :meth:`for_framework` mixes it with fresh draws.
    """

    def __init__(self, frameworks: dict[int, Framework], n: int, rnd: RandomStream):
        self._components = list(dict.fromkeys(c for f in frameworks.values() for c in f.component_ids))
        self._base = _COMPONENT_SD * rnd.normal((n, len(self._components)))
        self._n = n
        self._rnd = rnd

    def for_framework(self, fw: Framework, drift: float) -> np.ndarray:
        """Strengths (cities x ``fw``'s components): ``sqrt(1 - drift^2)`` shared plus ``drift`` fresh."""
        cols = [self._components.index(c) for c in fw.component_ids]
        fresh = _COMPONENT_SD * self._rnd.normal((self._n, len(cols)))
        return np.sqrt(1 - drift ** 2) * self._base[:, cols] + drift * fresh


def point_caps(fw: Framework) -> np.ndarray:
    """Each indicator's maximum in whole 5-point steps (framework order)."""
    return np.floor(fw.max_scores.to_numpy(dtype=float) / POINT_STEP + TOLERANCE).astype(np.int64)


def ludhiana_fixed(fw: Framework) -> dict[str, int] | None:
    """Ludhiana's report-card values in steps, if ``fw`` is a Cycle 2 framework that can hold them."""
    if fw.cycle != PUBLISHED_CYCLE:
        return None
    maxima = fw.max_scores
    if not all(ind in maxima.index and points <= maxima[ind] for ind, (points, _) in LUDHIANA_REPORT_CARD.items()):
        return None
    return {ind: points // POINT_STEP for ind, (points, _) in LUDHIANA_REPORT_CARD.items()}


def choose_nonzero(totals: np.ndarray, fw: Framework, caps: np.ndarray, fixed_lo: np.ndarray,
                   fixed_mask: np.ndarray, counts: dict[str, int], strict: bool,
                   rnd: RandomStream, forced: np.ndarray | None = None) -> dict[str, np.ndarray]:
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
        picked = must_here | top_k(keys, eligible & ~must_here, k)
        spare = spare - picked
        chosen[ind] = picked | fixed_in
    return chosen


def _fixed_values(fw: Framework, table: pd.DataFrame, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Mask and steps (``n`` cities x indicators) of the values that stay fixed: Ludhiana's report card."""
    ids = fw.indicator_ids
    fixed_mask = np.zeros((n, len(ids)), dtype=bool)
    fixed_lo = np.zeros((n, len(ids)), dtype=np.int64)
    ludhiana = ludhiana_fixed(fw)
    where = np.flatnonzero(table["city"].to_numpy() == LUDHIANA)
    if ludhiana is not None and len(where):
        row = where[0]
        for ind, steps in ludhiana.items():
            fixed_mask[row, ids.index(ind)] = True
            fixed_lo[row, ids.index(ind)] = steps
    return fixed_mask, fixed_lo


def split_cycle(totals: np.ndarray, fw: Framework, table: pd.DataFrame, strengths: np.ndarray,
                nonzero_counts: dict[str, int] | None, strict: bool, rnd: RandomStream,
                plan: TopPlan | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Indicator steps (cities x indicators) for one cycle, the fixed-value mask, and the totals.

    Totals are first clipped to what the fixed values allow. With
    ``nonzero_counts``, the chosen cities score at least one step on those
    indicators and the others none. With a ``plan``, its cities first get
    component totals within the plan's bounds, then each component is split over
    its indicators.
    """
    n, ids = len(totals), fw.indicator_ids
    caps = np.broadcast_to(point_caps(fw), (n, len(ids)))
    fixed_mask, fixed_lo = _fixed_values(fw, table, n)
    lo = fixed_lo.copy()
    hi = np.where(fixed_mask, fixed_lo, caps)
    totals = np.clip(totals, lo.sum(axis=1), hi.sum(axis=1))
    if nonzero_counts:
        sets = choose_nonzero(totals, fw, caps, fixed_lo, fixed_mask, nonzero_counts, strict, rnd,
                              forced=None if plan is None else plan.forced)
        for ind, picked in sets.items():
            col = ids.index(ind)
            free = ~fixed_mask[:, col]
            lo[:, col] = np.where(free & picked, 1, lo[:, col])
            hi[:, col] = np.where(free & ~picked, 0, hi[:, col])
    ease = np.array([INDICATOR_EASE.get(fw.cycle, {}).get(i, 0.0) for i in ids])
    comp_of = fw.indicators["component"].map({c: k for k, c in enumerate(fw.component_ids)}).to_numpy()
    logits = ease[None, :] + strengths[:, comp_of] + _INDICATOR_SD * rnd.normal((n, len(ids)))
    steps = allocate(totals, lo, hi, logits, rnd)
    if plan is not None:
        steps[plan.rows] = split_by_component(totals[plan.rows], fw, lo[plan.rows], hi[plan.rows],
                                              logits[plan.rows], strengths[plan.rows], plan, rnd)
    return steps, fixed_mask, totals


def split_by_component(totals: np.ndarray, fw: Framework, lo: np.ndarray, hi: np.ndarray,
                       logits: np.ndarray, strengths: np.ndarray, plan: TopPlan,
                       rnd: RandomStream) -> np.ndarray:
    """Steps of the plan's cities: component totals within the plan's bounds, then indicators."""
    comp_of = fw.indicators["component"].to_numpy()
    cols = [np.flatnonzero(comp_of == c) for c in fw.component_ids]
    c_lo = np.maximum(plan.lo, np.stack([lo[:, c].sum(axis=1) for c in cols], axis=1))
    c_hi = np.minimum(plan.hi, np.stack([hi[:, c].sum(axis=1) for c in cols], axis=1))
    if (c_lo > c_hi).any() or (c_lo.sum(axis=1) > totals).any() or (c_hi.sum(axis=1) < totals).any():
        raise SynthesisError("internal error: the component bounds of the top-10 cities cannot be met")
    comp = allocate(totals, c_lo, c_hi, strengths + 0.3 * rnd.normal(strengths.shape), rnd)
    steps = np.zeros_like(lo)
    for k, c in enumerate(cols):
        steps[:, c] = allocate(comp[:, k], lo[:, c], hi[:, c], logits[:, c], rnd)
    return steps


def apply_adjustments(points: np.ndarray, fw: Framework, adjust: tuple) -> np.ndarray:
    """Move single indicator scores off the 5-point grid so published component totals hold.

    Each ``(row, component, delta)`` adds ``delta`` points to the first indicator of
    the component (framework order) that has room for it, keeping it above zero.
    Returns a new array.
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
