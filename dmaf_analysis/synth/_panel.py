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

All randomness comes from uniform draws of a PCG64 generator transformed in
``_random`` (Box-Muller normals, Gumbel keys), so a seed means
the same panel on every platform and NumPy version that keeps PCG64's stream.

This module holds the cities of a panel, :func:`synthesize_panel` and the writers.
The published facts and the overall scores that reproduce them live in
``_published``, the split of a city's total over the indicators in
``_indicators``; :mod:`dmaf_analysis.synth` offers all of them.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..cities import CITY_COLUMNS, load_cities
from ..errors import ArgumentError, SynthesisError
from ..framework import Framework, frameworks_or_bundled
from ..io import write_table
from ._indicators import ComponentStrengths, apply_adjustments, point_caps, split_cycle
from ._published import (
    ABSENT_FROM_CYCLE_1,
    LUDHIANA,
    LUDHIANA_ENGAGEMENT,
    LUDHIANA_REPORT_CARD,
    POINT_STEP,
    PUBLISHED_CYCLE,
    PUBLISHED_NONZERO_COUNTS,
    PUBLISHED_REGION,
    PublishedLayout,
    published_layout,
    published_totals,
)
from ._random import RandomStream, expit

__all__ = ["DEFAULT_SEED", "SCORE_TABLE_COLUMNS", "ATTRIBUTE_TABLE_COLUMNS", "synthetic_cities", "panel_cities",
           "synthesize_panel", "sibling_paths", "write_panel"]

DEFAULT_SEED = 20210625
"""Seed of the bundled panel (the date the Cycle 2 results were announced)."""

SCORE_TABLE_COLUMNS = ["cycle", "city", "state", "indicator", "score", "source", "placed_by"]
ATTRIBUTE_TABLE_COLUMNS = ["cycle", "city", "engagement_score", "source"]

_CHANGE_MEAN, _CHANGE_SD = 8.0, 8.0  # overall points gained from one cycle to the next
_MAX_CITIES = 100_000


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
    :func:`~dmaf_analysis.io.read_scores` to validate a panel larger than 100 cities.
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
    _check_seed(seed)
    frameworks = frameworks_or_bundled(frameworks)
    if not frameworks:
        raise ArgumentError("no frameworks given: nothing to generate")
    table = panel_cities(n_cities, cities=cities)
    rnd = RandomStream(int(seed))
    cycles = sorted(frameworks)
    anchor = PUBLISHED_CYCLE if PUBLISHED_CYCLE in frameworks else cycles[-1]
    layout = _published_or_none(table, frameworks, match_published)
    results, strengths = _anchor_cycle(table, frameworks, anchor, layout, rnd)
    results |= _derived_cycles(results[anchor][2], table, frameworks, anchor, strengths, int(seed), rnd)
    engagement = {}  # loosely follows the overall score
    for cyc in cycles:
        share = results[cyc][2] / point_caps(frameworks[cyc]).sum()
        engagement[cyc] = np.clip(np.rint(20 + 55 * share + 14 * rnd.normal(len(table))), 0, 100).astype(np.int64)
    return _assemble(table, frameworks, cycles, results, engagement, layout is not None)


def _check_seed(seed) -> None:
    """Refuse a seed that is not a whole number >= 0."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ArgumentError(f"the seed must be a whole number >= 0, got {seed!r}")


def _published_or_none(table: pd.DataFrame, frameworks: dict[int, Framework],
                       match_published: bool | None) -> PublishedLayout | None:
    """Where the cities the published facts name are, or None when the facts are not reproduced.

    Raises :class:`~dmaf_analysis.errors.SynthesisError` with the reason when
    ``match_published`` is true and the facts cannot apply.
    """
    layout, reason = (None, "match_published=False") if match_published is False else published_layout(table)
    if PUBLISHED_CYCLE not in frameworks:
        layout, reason = None, f"there is no Cycle {PUBLISHED_CYCLE} framework"
    if match_published and layout is None:
        raise SynthesisError(f"cannot reproduce the published Cycle {PUBLISHED_CYCLE} results: {reason}")
    return layout


def _plausible_totals(table: pd.DataFrame, cap_total: int, rnd: RandomStream) -> np.ndarray:
    """Overall scores for a panel the published facts do not cover: right-skewed, median near 32."""
    west = (table["region"].astype(str) == PUBLISHED_REGION).to_numpy()
    latent = -0.75 + 0.9 * rnd.normal(len(table)) + 0.3 * west
    return np.rint(cap_total * expit(latent)).astype(np.int64)


def _anchor_cycle(table: pd.DataFrame, frameworks: dict[int, Framework], anchor: int,
                  layout: PublishedLayout | None, rnd: RandomStream) -> tuple[dict, ComponentStrengths]:
    """Points of the anchor cycle (Cycle 2 when there is one), and the city strengths the other cycles share.

    The overall scores come first (published or merely plausible), then the
    component strengths are drawn, then each city's total is split over the
    indicators. Returns ``{anchor: (points, fixed-value mask, totals in steps)}``.
    """
    n = len(table)
    fw = frameworks[anchor]
    published = layout is not None
    cap_total = int(point_caps(fw).sum())
    plan = None
    if published:
        totals, plan = published_totals(layout, fw, point_caps(fw), rnd)
    else:
        totals = _plausible_totals(table, cap_total, rnd)
    strengths = ComponentStrengths(frameworks, n, rnd)
    nonzero = None
    if anchor == PUBLISHED_CYCLE and all(i in fw.indicator_ids for i in PUBLISHED_NONZERO_COUNTS):
        nonzero = {i: (c if published else int(round(c * n / 100)))
                   for i, c in PUBLISHED_NONZERO_COUNTS.items()}
    steps, fixed, totals = split_cycle(totals, fw, table, strengths.for_framework(fw, 0.0), nonzero, published,
                                       rnd, plan)
    points = steps * POINT_STEP
    if plan is not None:
        points = apply_adjustments(points, fw, plan.adjust)
    return {anchor: (points, fixed, totals)}, strengths


def _derived_cycles(anchor_totals: np.ndarray, table: pd.DataFrame, frameworks: dict[int, Framework], anchor: int,
                    strengths: ComponentStrengths, seed: int, rnd: RandomStream) -> dict:
    """Points of every other cycle, stepping away from the anchor with most cities improving over time.

    Earlier cycles are generated from the anchor backwards, later ones forwards;
    each step changes a city's share of the maximum by a random gain (mean
    ``_CHANGE_MEAN`` points). Returns ``{cycle: (points, fixed-value mask, totals)}``.
    """
    n = len(table)
    cap_total = int(point_caps(frameworks[anchor]).sum())
    cycles = sorted(frameworks)
    results = {}
    for direction, sequence in ((-1, [c for c in reversed(cycles) if c < anchor]),
                                (1, [c for c in cycles if c > anchor])):
        share = anchor_totals / cap_total
        for cyc in sequence:
            f = frameworks[cyc]
            change = (_CHANGE_MEAN + _CHANGE_SD * rnd.normal(n)) / 100
            share = np.clip(share + direction * change, 0, 1)
            cyc_totals = np.rint(share * point_caps(f).sum()).astype(np.int64)
            cyc_strengths = strengths.for_framework(f, 0.6)
            cyc_steps, cyc_fixed, cyc_totals = split_cycle(cyc_totals, f, table, cyc_strengths, None, False, rnd)
            cyc_steps, cyc_totals = _lift_empty(cyc_steps, cyc_totals, anchor_totals / cap_total, f, table,
                                                cyc_strengths, seed + cyc)
            share = np.where(share > 0, share, cyc_totals / point_caps(f).sum())
            results[cyc] = (cyc_steps * POINT_STEP, cyc_fixed, cyc_totals)
    return results


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
    side = RandomStream(seed)
    cap = int(point_caps(fw).sum())
    u = side.uniform(len(empty))
    share = np.where(anchor_share[empty] > 0, anchor_share[empty] * (0.25 + 0.5 * u), 0.02 + 0.06 * u)
    lifted = np.maximum(np.rint(share * cap), 1).astype(np.int64)
    sub_steps, _, sub_totals = split_cycle(lifted, fw, table.iloc[empty], strengths[empty], None, False, side)
    steps, totals = steps.copy(), totals.copy()
    steps[empty], totals[empty] = sub_steps, sub_totals
    return steps, totals


def _assemble(table, frameworks, cycles, results, engagement, published):
    """The long score table and the attribute table of every cycle, in cycle, city-table and framework order."""
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
    paths = sibling_paths(scores_path)
    if attributes_path is not None:
        paths["attributes"] = Path(attributes_path)
    written = {"scores": write_table(scores, paths["scores"]),
               "attributes": write_table(attributes, paths["attributes"])}
    if cities is not None:
        written["cities"] = write_table(cities, paths["cities"])
    return written
