"""Where a report card's numbers start: loading the data, finding the city, the per-cycle cache.

:func:`load_report_data` and :func:`resolve_report_city` are the card's first two
steps (re-exported by :mod:`dmaf_analysis.card`). The private part is shared by the
report's section modules: :func:`cycle_context` computes, once per data set and
cycle, whatever does not depend on the city (the indicator pivot, source labels,
national medians, ranks, score bounds), and a few small helpers turn pandas scalars
into plain numbers and format scores for sentences.
"""
from __future__ import annotations

import math
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from .._util.paths import bundled_scores_path
from ..framework import Framework
from ..io import is_synthetic
from ..record import CityFacts, city_facts, empty_record, load_record, record_path
from ..scoring import Dataset, dataset_key, indicator_matrix, load_dataset, score_bounds
from ._rank_path import TOP_RANK

__all__ = ["CycleContext", "as_float", "bound_fields", "city_context", "component_reference", "cycle_context",
           "cycle_engagement", "data_label", "engagement_of", "facts_of", "is_on_record", "load_report_data",
           "optional_int", "resolve_report_city", "scored_rows"]


# --------------------------------------------------------------------------- loading
def load_report_data(scores_path: str | Path = "", attributes_path: str | Path = "", *,
                     cities: str | Path | pd.DataFrame | None = None) -> Dataset:
    """Load the data set a report card is drawn from (cached, see :func:`load_dataset`).

    The notebook's parameters are strings, so ``""`` means "the default" for both:
    the bundled score panel, and the bundled city attributes when the bundled scores
    are used (no attributes otherwise), and the bundled cities table (``cities``).
    """
    if isinstance(cities, str) and not cities.strip():
        cities = None
    return load_dataset(scores_path or None, attributes_path or None, cities=cities)


def data_label(data: Dataset) -> str:
    """A short description of where a data set came from, for the card's small print.

    Only file names are shown (never full paths); the bundled files are labelled so.
    """
    if not data.scores_path:
        return "scores supplied in memory"
    scores = Path(data.scores_path)
    try:
        bundled = scores.resolve() == bundled_scores_path().resolve()
    except OSError:
        bundled = False
    if bundled and os.environ.get("DMAF_DATA_DIR"):  # the data folder's own panel, not the package's
        text = f"the data folder's panel ({scores.name})"
    else:
        text = f"bundled panel ({scores.name})" if bundled else f"scores from {scores.name}"
    if data.attributes_path:
        text += f"; city attributes from {Path(data.attributes_path).name}"
    return text


def resolve_report_city(data: Dataset, *, city: str, cycle: int = 0) -> tuple[str, int]:
    """Canonical city name and actual cycle number of a report.

    Parameters
    ----------
    data : Dataset
    city : str
        Any spelling or alias the cities table knows.
    cycle : int, default 0
        Assessment cycle; 0 means the latest cycle in the data.

    Raises
    ------
    UnknownCityError
        The name matches no Smart City (the message lists the closest matches).
    CycleNotInDataError, CityNotInDataError
        The cycle is not in the data, or the city has no scores in that cycle.
    """
    return data.resolve_city(city, cycle)


# ------------------------------------------------------------------- per-cycle cache
@dataclass(frozen=True, eq=False)
class CycleContext:
    """What every card of one cycle shares, computed once per data set and cycle."""

    cycle: int
    framework: Framework
    scored: pd.DataFrame            # score_cities rows of the cycle, indexed by city
    wide: pd.DataFrame              # city x indicator points (framework order)
    sources: pd.DataFrame           # city x indicator source labels
    placed_by: pd.DataFrame         # city x indicator ``placed_by`` notes ("" when absent)
    national_median: pd.Series      # indicator -> median over cities with a value
    n_ranked: int
    bounds: pd.DataFrame            # bounds.score_bounds rows of the cycle, indexed by city
    record: pd.DataFrame = None     # the published record's facts of the cycle (record.load_record)
    on_record: frozenset = frozenset()  # cities with at least one indicator value on record
    synthetic_share: float = 0.0    # Dataset.synthetic_share of the cycle
    engagement: pd.DataFrame = None  # the attribute rows of the cycle: city, engagement_score, source


#: Contexts kept by content (see :func:`cycle_context`): a few data sets and cycles at a time.
_BY_CONTENT_LIMIT = 8
_by_content: OrderedDict = OrderedDict()
_by_content_lock = threading.Lock()


@lru_cache(maxsize=16)
def cycle_context(data: Dataset, cycle: int) -> CycleContext:
    """The :class:`CycleContext` of ``cycle``, computed once per data set content and cycle.

    Kept for the last 16 data set objects, and by content: a data set equal in
    every value to one seen before (:func:`~dmaf_analysis.scoring.dataset_key`,
    with the published record of the cycle) gets the context already computed.
    That is what makes the cards of a batch cheap, as every card loads its own
    copy of the panel in the same kernel. The context is read-only: the card's
    functions build new tables from it.
    """
    digest = dataset_key(data)
    key = None if digest is None else (digest, int(cycle), _record_stamp())
    if key is not None:
        with _by_content_lock:
            if key in _by_content:
                _by_content.move_to_end(key)
                return _by_content[key]
    ctx = _cycle_context(data, cycle, _cycle_record(data, cycle))
    if key is not None:
        with _by_content_lock:
            _by_content[key] = ctx
            while len(_by_content) > _BY_CONTENT_LIMIT:
                _by_content.popitem(last=False)
    return ctx


def _record_stamp() -> tuple:
    """Which published record file the contexts read: its path, modification time and size (None when absent)."""
    path = record_path()
    try:
        st = path.stat()
    except OSError:
        return (str(path), None)
    return (str(path.resolve()), st.st_mtime_ns, st.st_size)


def _cycle_context(data: Dataset, cycle: int, record: pd.DataFrame) -> CycleContext:
    fw = data.frameworks[cycle]
    scored = data.scored[data.scored["cycle"] == cycle].set_index("city", drop=False)
    rows = data.scores[data.scores["cycle"] == cycle]
    cities = pd.Index(scored.index, name="city")
    wide = indicator_matrix(rows, fw, cities=cities)
    src = rows.assign(source=rows["source"].astype(str))
    sources = (src.pivot(index="city", columns="indicator", values="source")
               .reindex(index=cities, columns=fw.indicator_ids))
    # a city with values on record shows only those: its synthetic values are unknown, not values
    synthetic = sources.apply(lambda col: is_synthetic(col).astype(bool))  # a missing label is not synthetic
    real = wide.notna() & ~synthetic
    on_record = frozenset(real.index[real.any(axis=1)])
    hide = synthetic.mul(cities.isin(list(on_record)), axis=0).astype(bool)
    wide = wide.mask(hide)
    if "placed_by" in rows.columns:
        notes = rows.assign(placed_by=rows["placed_by"].fillna("").astype(str))
        placed_by = (notes.pivot(index="city", columns="indicator", values="placed_by")
                     .reindex(index=cities, columns=fw.indicator_ids).fillna(""))
    else:
        placed_by = pd.DataFrame("", index=cities, columns=fw.indicator_ids)
    return CycleContext(cycle=cycle, framework=fw, scored=scored, wide=wide, sources=sources,
                        placed_by=placed_by,
                        national_median=wide.median(axis=0, skipna=True),
                        n_ranked=int(scored["rank"].notna().sum()),
                        bounds=score_bounds(rows, frameworks={cycle: fw}, record=record).set_index("city"),
                        record=record, on_record=on_record, synthetic_share=data.synthetic_share(cycle),
                        engagement=_cycle_attributes(data, cycle))


def _cycle_attributes(data: Dataset, cycle: int) -> pd.DataFrame:
    """The attribute rows of ``cycle`` in the data's order: ``city``, ``engagement_score`` (NaN when none)
    and ``source`` ("" when the table has no source column)."""
    attrs = data.attributes
    if not len(attrs):
        return pd.DataFrame({"city": pd.Series(dtype=object), "engagement_score": pd.Series(dtype=float),
                             "source": pd.Series(dtype=object)})
    part = attrs[attrs["cycle"] == cycle]
    return pd.DataFrame({"city": part["city"].to_numpy(dtype=object),
                         "engagement_score": part["engagement_score"].astype(float).to_numpy(),
                         "source": (part["source"].astype(object).to_numpy() if "source" in part.columns
                                    else np.full(len(part), "", dtype=object))})


def _cycle_record(data: Dataset, cycle: int) -> pd.DataFrame:
    """The published record's facts of ``cycle``.

    None when the data folder has no record file, or when the record names a
    component or indicator the cycle's framework lacks (a record of another
    framework says nothing about these data).
    """
    record = load_record()
    part = record[record["cycle"] == cycle].reset_index(drop=True)
    fw = data.frameworks[cycle]
    named_components = set(part["component"]) - {""}
    named_indicators = set(part["indicator"]) - {""}
    if not len(part) or not named_components <= set(fw.component_ids) or not named_indicators <= set(fw.indicator_ids):
        return empty_record()  # the record speaks of another framework: it does not apply to these data
    # a published level the framework does not define says nothing about its levels
    unknown_level = (part["quantity"] == "level") & ~part["value"].isin(set(fw.levels["level"]))
    return part[~unknown_level].reset_index(drop=True)


def is_on_record(ctx: CycleContext, name: str) -> bool:
    """True when the city has at least one indicator value on record (not synthetic, not missing).

    Such a card shows only what is on record: its synthetic values are treated as
    unknown everywhere (``ctx.wide`` holds them as missing).
    """
    return name in ctx.on_record


@lru_cache(maxsize=16)
def scored_rows(ctx: CycleContext) -> tuple[MappingProxyType, MappingProxyType]:
    """The cycle's ``score_cities`` rows as plain values, once per context (every card reads its city's row).

    Returns
    -------
    position, columns : mapping, mapping
        City -> its row, and column -> its values (a read-only object array, rows
        in ``ctx.scored`` order). Both read-only.
    """
    columns = {}
    for column in ctx.scored.columns:
        values = ctx.scored[column].to_numpy(dtype=object)
        values.setflags(write=False)
        columns[column] = values
    return (MappingProxyType({name: i for i, name in enumerate(ctx.scored.index)}),
            MappingProxyType(columns))


@lru_cache(maxsize=256)
def facts_of(ctx: CycleContext, name: str) -> CityFacts:
    """What the published record says about the city in the context's cycle (cached: CityFacts is immutable)."""
    record = ctx.record if ctx.record is not None else empty_record()
    return city_facts(record, city=name, cycle=ctx.cycle)


@lru_cache(maxsize=16)
def component_reference(ctx: CycleContext) -> pd.DataFrame:
    """What the component chart compares every city of a cycle with, computed once per cycle.

    Returns
    -------
    DataFrame
        Indexed by component id (framework order), columns ``national_median``
        (median over the cycle's cities with that component), ``top10_mean``
        (mean over the cities ranked at or above ``TOP_RANK``) and ``n_top_cities``.
    """
    comps = ctx.framework.component_ids
    table = ctx.scored[comps].astype(float)
    ranks = ctx.scored["rank"].astype("Float64").fillna(float("inf")).astype(float)
    top = table[ranks.to_numpy() <= TOP_RANK]
    return pd.DataFrame({"national_median": table.median(axis=0, skipna=True),
                         "top10_mean": top.mean(axis=0) if len(top) else pd.Series(math.nan, index=comps),
                         "n_top_cities": len(top)}, index=pd.Index(comps, name="component"))


@lru_cache(maxsize=16)
def cycle_engagement(ctx: CycleContext) -> pd.DataFrame:
    """Every city's engagement score in the context's cycle, highest first (then by name); once per context.

    Columns ``city`` and ``engagement_score``; empty when the data have no engagement scores.
    """
    part = ctx.engagement[ctx.engagement["engagement_score"].notna()]
    out = pd.DataFrame({"city": part["city"].to_numpy(dtype=object),
                        "engagement_score": part["engagement_score"].to_numpy(dtype=float)})
    return out.sort_values(["engagement_score", "city"], ascending=[False, True]).reset_index(drop=True)


@lru_cache(maxsize=16)
def _engagement_rows(ctx: CycleContext) -> dict[str, tuple[float, str]]:
    """City -> the engagement score and source of its first attribute row in the cycle (once per context)."""
    out: dict[str, tuple[float, str]] = {}
    for city, score, source in zip(ctx.engagement["city"].tolist(), ctx.engagement["engagement_score"].tolist(),
                                   ctx.engagement["source"].tolist()):
        out.setdefault(city, (as_float(score), str(source)))
    return out


def engagement_of(ctx: CycleContext, name: str) -> tuple[float, str]:
    """The city's engagement score in the context's cycle and its source label (NaN and "" when absent)."""
    return _engagement_rows(ctx).get(name, (math.nan, ""))


def city_context(data: Dataset, city: str, cycle: int) -> tuple[str, CycleContext]:
    """The city's name as the data spell it, and the context of its cycle (``0``: the latest)."""
    name, cycle = resolve_report_city(data, city=city, cycle=cycle)
    return name, cycle_context(data, cycle)


def as_float(value) -> float:
    """A float from a scalar that may be None or pandas NA (NaN then)."""
    if value is None or value is pd.NA:
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def optional_int(value) -> int | None:
    """An int from a scalar, or None when it is missing."""
    v = as_float(value)
    return None if math.isnan(v) else int(v)


def bound_fields(ctx: CycleContext, name: str) -> dict:
    """The city's bounds (:func:`~dmaf_analysis.scoring.score_bounds`) as keyword arguments; ``{}`` if none."""
    if name not in ctx.bounds.index:
        return {}
    b = ctx.bounds.loc[name]
    return dict(n_unknown=int(b["n_unknown"]), overall_low=float(b["overall_low"]),
                overall_high=float(b["overall_high"]), level_low=b["level_low"], level_high=b["level_high"],
                rank_best=int(b["rank_best"]), rank_worst=int(b["rank_worst"]))
