"""What one city's report card shows: every number of ``notebooks/city_report.ipynb``.

Each public function answers one question about one city in one cycle and returns a
tidy DataFrame with fixed snake_case columns (or, for a headline, a small frozen
dataclass). All take a :class:`~dmaf_analysis.dataset.Dataset` first and the city
and cycle as keywords; ``cycle=0`` means the latest cycle in the data. City names go
through :class:`~dmaf_analysis.cities.CityMatcher`, so a misspelt name raises
:class:`~dmaf_analysis.errors.UnknownCityError` with the closest matches.

The functions are cheap per call: whatever depends only on the cycle (the indicator
pivot, national medians, ranks) is computed once per data set and cycle and cached,
so a warm kernel rendering 100 report cards does that work once.

Certification thresholds and the whole Cycle 1 framework are *illustrative* (see
``data/frameworks``); the headline and the level path say so.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .cities import CityMatcher
from .dataset import Dataset, load_dataset
from .errors import FrameworkError
from .framework import Framework, component_map
from .recommendations import load_recommendations, recommendations_path
from .bounds import range_sentence, score_bounds
from .numeric import TOLERANCE as _TOL
from .ranking import (SCORE_GRANULARITY, STEP_COLUMNS, TOP_RANK, RankPath, empty_steps, fewest_raises,
                      overall_of, plan_rank_move, weighted_indicators)
from .numeric import format_number, is_whole_share, summary_statistics
from .data_contract import is_synthetic
from .scoring import indicator_matrix

# TOP_RANK: cities ranked at or above it form the "top 10" of the component chart
# (with competition ranks, ties at 10th place are all included).
# SCORE_GRANULARITY: default step, in indicator points, by which a partially raised
# indicator moves in :func:`path_to_next_level` (DMAF report cards show steps of 5).

__all__ = [
    "CycleChange", "LevelPath", "RankPath", "ReportHeadline", "TOP_RANK", "SCORE_GRANULARITY", "STEP_COLUMNS",
    "change_since_previous", "component_comparison", "data_label", "engagement_comparison",
    "engagement_distribution", "indicator_scores", "load_recommendations", "load_report_data",
    "framework_title", "has_recommendations", "weights_assumption",
    "path_to_next_level", "peer_comparison", "plan_next_level", "recommendations",
    "recommendations_path", "report_headline", "resolve_report_city", "strengths_and_weaknesses",
]


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
    from ._paths import bundled_scores_path

    if not data.scores_path:
        return "scores supplied in memory"
    scores = Path(data.scores_path)
    try:
        bundled = scores.resolve() == bundled_scores_path().resolve()
    except OSError:
        bundled = False
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
    name = _matcher(data).require(city)
    cycle = data.resolve_cycle(cycle)
    ctx = _cycle_context(data, cycle)
    if name not in ctx.scored.index:
        raise data.city_not_in_cycle(name, cycle)
    return name, cycle


@lru_cache(maxsize=16)
def _matcher(data: Dataset) -> CityMatcher:
    return CityMatcher(data.cities)


# ------------------------------------------------------------------- per-cycle cache
@dataclass(frozen=True, eq=False)
class _CycleContext:
    cycle: int
    framework: Framework
    scored: pd.DataFrame            # score_cities rows of the cycle, indexed by city
    wide: pd.DataFrame              # city x indicator points (framework order)
    sources: pd.DataFrame           # city x indicator source labels
    placed_by: pd.DataFrame         # city x indicator ``placed_by`` notes ("" when absent)
    national_median: pd.Series      # indicator -> median over cities with a value
    n_ranked: int
    bounds: pd.DataFrame            # bounds.score_bounds rows of the cycle, indexed by city


@lru_cache(maxsize=16)
def _cycle_context(data: Dataset, cycle: int) -> _CycleContext:
    fw = data.frameworks[cycle]
    scored = data.scored[data.scored["cycle"] == cycle].set_index("city", drop=False)
    rows = data.scores[data.scores["cycle"] == cycle]
    cities = pd.Index(scored.index, name="city")
    wide = indicator_matrix(rows, fw, cities=cities)
    src = rows.assign(source=rows["source"].astype(str))
    sources = (src.pivot(index="city", columns="indicator", values="source")
               .reindex(index=cities, columns=fw.indicator_ids))
    if "placed_by" in rows.columns:
        notes = rows.assign(placed_by=rows["placed_by"].fillna("").astype(str))
        placed_by = (notes.pivot(index="city", columns="indicator", values="placed_by")
                     .reindex(index=cities, columns=fw.indicator_ids).fillna(""))
    else:
        placed_by = pd.DataFrame("", index=cities, columns=fw.indicator_ids)
    return _CycleContext(cycle=cycle, framework=fw, scored=scored, wide=wide, sources=sources,
                         placed_by=placed_by,
                         national_median=wide.median(axis=0, skipna=True),
                         n_ranked=int(scored["rank"].notna().sum()),
                         bounds=score_bounds(rows, frameworks={cycle: fw}).set_index("city"))


def _context(data: Dataset, city: str, cycle: int) -> tuple[str, _CycleContext]:
    name, cycle = resolve_report_city(data, city=city, cycle=cycle)
    return name, _cycle_context(data, cycle)


def _num(value) -> float:
    """A float from a scalar that may be None or pandas NA (NaN then)."""
    if value is None or value is pd.NA:
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _opt_int(value) -> int | None:
    v = _num(value)
    return None if math.isnan(v) else int(v)


def _levels_illustrative(fw: Framework) -> bool:
    return bool((fw.levels["provenance"].astype(str) != "seen").any())


def _fmt(x: float) -> str:
    """A score as people write it: 30, 27.5, 27.3."""
    return format_number(x, missing="n/a")


# --------------------------------------------------------------------------- headline
@dataclass(frozen=True)
class ReportHeadline:
    """The top of a report card.

    Attributes
    ----------
    city, state, region, selection_round : str
    cycle : int
    framework_name : str
    overall : float
        Overall score out of 100 (NaN when an indicator is missing).
    rank : int or None
        Competition rank in the cycle (1 = best).
    n_ranked : int
        Number of ranked cities in the cycle (the N of "rank out of N").
    n_tied : int
        Other cities sharing the rank.
    level : str or None
        Certification level; ``certified`` says whether it counts as certified.
    next_level, next_level_min_score :
        The level above and its threshold (None at the top).
    levels_illustrative : bool
        True when the thresholds are not published values.
    engagement_score : float
        City Engagement Score out of 100 (NaN when absent).
    engagement_source : str
        Source label of the engagement score ("" when unknown).
    n_indicators : int
        Indicators in the cycle's framework.
    n_values : int
        Indicator values the card shows (non-missing).
    n_synthetic, n_report_card : int
        Values whose source is ``synthetic`` / ``report_card``.
    other_sources : tuple
        ``(label, count)`` for any other source labels.
    n_missing : int
        Indicators without a value.
    data_synthetic_share : float
        Share (0-1) of all the cycle's values, every city, that are synthetic:
        the share behind the national, state and peer comparisons.
    """

    city: str
    state: str
    region: str
    selection_round: str
    cycle: int
    framework_name: str
    overall: float
    rank: int | None
    n_ranked: int
    n_tied: int
    level: str | None
    certified: bool
    next_level: str | None
    next_level_min_score: float | None
    levels_illustrative: bool
    engagement_score: float
    engagement_source: str
    n_indicators: int
    n_values: int
    n_synthetic: int
    n_report_card: int
    other_sources: tuple = ()
    n_missing: int = 0
    data_synthetic_share: float = 0.0
    weights_illustrative: bool = False
    weights_equal: bool = True
    n_unknown: int = 0
    overall_low: float = math.nan
    overall_high: float = math.nan
    level_low: str | None = None
    level_high: str | None = None
    rank_best: int | None = None
    rank_worst: int | None = None

    @property
    def fully_synthetic(self) -> bool:
        """True when no indicator value of the city is on record (all synthetic or missing)."""
        return self.n_indicators > 0 and self.n_unknown >= self.n_indicators and self.n_synthetic > 0

    @property
    def partly_unknown(self) -> bool:
        """True when some, not all, indicator values are missing or synthetic."""
        return 0 < self.n_unknown < self.n_indicators

    @property
    def known_statement(self) -> str:
        """What the values on record allow, in plain words, for the top of the card ("" when all are known).

        A fully synthetic city is said to be so; a partly known one gets the range
        its values on record allow beside the panel's value (see
        :mod:`dmaf_analysis.bounds`).
        """
        if self.fully_synthetic:
            return (f"Every indicator value of {self.city} on this card is synthetic: generated for "
                    f"illustration, not measured. The score, rank and level below describe no real result; "
                    f"on the values on record the score could be anything from {_fmt(self.overall_low)} "
                    f"to {_fmt(self.overall_high)}.")
        if not self.partly_unknown:
            return ""
        return range_sentence(self.city, overall=self.overall, overall_low=self.overall_low,
                              overall_high=self.overall_high, level_low=self.level_low,
                              level_high=self.level_high, n_unknown=self.n_unknown,
                              n_indicators=self.n_indicators, synthetic_panel_value=self.n_synthetic > 0)

    @property
    def range_text(self) -> str:
        """``"10 to 35"`` on the values on record ("" when every value is known)."""
        if self.n_unknown <= 0 or math.isnan(self.overall_low):
            return ""
        return f"{_fmt(self.overall_low)} to {_fmt(self.overall_high)}"

    @property
    def level_range_text(self) -> str:
        """``"Not certified or Enabled"`` (or one level) on the values on record ("" when all known)."""
        if self.n_unknown <= 0 or self.level_low is None:
            return ""
        if self.level_low == self.level_high:
            return str(self.level_low)
        return f"{self.level_low} or {self.level_high}"

    @property
    def title(self) -> str:
        """``"<city>, <state>: <framework name> report card"``, with the cycle when the name lacks it."""
        state = f", {self.state}" if self.state else ""
        return f"{self.city}{state}: {framework_title(self.framework_name, self.cycle)} report card"

    @property
    def rank_text(self) -> str:
        """For example ``"10 of 100 (shared with 2 other cities)"``."""
        if self.rank is None:
            return f"not ranked (of {self.n_ranked})"
        text = f"{self.rank} of {self.n_ranked}"
        if self.n_tied:
            text += f" (shared with {self.n_tied} other {'city' if self.n_tied == 1 else 'cities'})"
        return text

    @property
    def level_text(self) -> str:
        if self.level is None:
            return "none (overall score missing)"
        return self.level + (" (illustrative thresholds)" if self.levels_illustrative else "")

    @property
    def provenance_notice(self) -> str:
        """Plain sentences saying which of the values shown are synthetic."""
        n = self.n_values
        parts = []
        if self.n_synthetic:
            verb = "is" if self.n_synthetic == 1 else "are"
            parts.append(f"{self.n_synthetic} of {n} indicator values shown {verb} synthetic "
                         f"(generated for illustration, not measured)")
        else:
            parts.append(f"None of the {n} indicator values shown is synthetic")
        if self.n_report_card:
            verb = "comes" if self.n_report_card == 1 else "come"
            parts.append(f"{self.n_report_card} {verb} from the city's report card")
        for label, count in self.other_sources:
            verb = "is" if count == 1 else "are"
            parts.append(f"{count} {verb} labelled '{label}'")
        if len(parts) == 1:
            text = parts[0] + "."
        else:
            text = ", ".join(parts[:-1]) + " and " + parts[-1] + "."
        if self.n_missing:
            text += f" {self.n_missing} of {self.n_indicators} indicators have no value."
        if is_synthetic(self.engagement_source) and not math.isnan(self.engagement_score):
            text += " The engagement score is synthetic."
        share = self.data_synthetic_share
        if share > 0:
            if is_whole_share(share):
                amount = "all"
            elif share > 0.995:
                amount = "more than 99%"
            elif share < 0.005:
                amount = "less than 1%"
            else:
                amount = f"{100 * share:.0f}%"
            text += (f" National, state and peer comparisons are computed from a data set in which "
                     f"{amount} of the values are synthetic.")
        if self.levels_illustrative:
            text += (" Certification thresholds are illustrative: the real ones are not published.")
        if self.weights_illustrative:
            text += " " + weights_assumption(self.weights_equal)
        return text


def framework_title(name: str, cycle: int) -> str:
    """A framework's name for titles, followed by ``", Cycle N"`` unless the name already says which cycle."""
    name = str(name).strip()
    return name if f"cycle {int(cycle)}" in name.lower() else f"{name}, Cycle {int(cycle)}"


def weights_assumption(equal: bool) -> str:
    """The sentence saying the component weights are assumed (equal or not), for notices."""
    kind = "equal component weights" if equal else "the component weights set in the framework file"
    return (f"The overall score assumes {kind}, since the framework's own weights are not on record; "
            f"overall scores and ranks depend on that assumption.")


def report_headline(data: Dataset, *, city: str, cycle: int = 0) -> ReportHeadline:
    """City, state, cycle, overall score, rank out of N, level and provenance counts."""
    name, ctx = _context(data, city, cycle)
    fw = ctx.framework
    row = ctx.scored.loc[name]
    rank = _opt_int(row["rank"])
    n_tied = int((ctx.scored["rank"] == rank).sum()) - 1 if rank is not None else 0
    level = row["level"] if isinstance(row["level"], str) else None
    nxt = fw.next_level(level) if level is not None else None
    values = ctx.wide.loc[name]
    present = values.notna()
    labels = ctx.sources.loc[name][present].astype(str)
    lower = labels.str.lower()
    others = lower[~lower.isin(["synthetic", "report_card"])]
    other_sources = tuple((str(lbl), int(cnt)) for lbl, cnt in
                          labels[others.index].value_counts().sort_index().items())
    eng, eng_source = math.nan, ""
    attrs = data.attributes
    if len(attrs):
        hit = attrs[(attrs["cycle"] == ctx.cycle) & (attrs["city"] == name)]
        if len(hit):
            eng = _num(hit["engagement_score"].iloc[0])
            if "source" in hit.columns:
                eng_source = str(hit["source"].iloc[0])
    return ReportHeadline(
        city=name, state=str(row.get("state") or ""), region=str(row.get("region") or ""),
        selection_round=str(row.get("selection_round") or ""), cycle=ctx.cycle,
        framework_name=fw.name, overall=_num(row["overall"]), rank=rank, n_ranked=ctx.n_ranked,
        n_tied=n_tied, level=level, certified=bool(row["certified"]),
        next_level=nxt[0] if nxt else None, next_level_min_score=nxt[1] if nxt else None,
        levels_illustrative=_levels_illustrative(fw), engagement_score=eng, engagement_source=eng_source,
        n_indicators=len(fw.indicator_ids), n_values=int(present.sum()),
        n_synthetic=int(is_synthetic(labels).sum()), n_report_card=int((lower == "report_card").sum()),
        other_sources=other_sources, n_missing=int((~present).sum()),
        data_synthetic_share=data.synthetic_share(ctx.cycle),
        weights_illustrative=fw.weights_provenance != "seen",
        weights_equal=bool(np.allclose(fw.weights.to_numpy(dtype=float), 1.0 / len(fw.component_ids))),
        **_bound_fields(ctx, name),
    )


def _bound_fields(ctx: _CycleContext, name: str) -> dict:
    if name not in ctx.bounds.index:
        return {}
    b = ctx.bounds.loc[name]
    return dict(n_unknown=int(b["n_unknown"]), overall_low=float(b["overall_low"]),
                overall_high=float(b["overall_high"]), level_low=b["level_low"], level_high=b["level_high"],
                rank_best=int(b["rank_best"]), rank_worst=int(b["rank_worst"]))


# ------------------------------------------------------------------------- components
COMPONENT_COLUMNS = ["component", "name", "weight", "score", "synthetic_points", "national_median", "top10_mean",
                     "n_top_cities", "gap_to_median", "gap_to_max"]


def component_comparison(data: Dataset, *, city: str, cycle: int = 0) -> pd.DataFrame:
    """The city's component scores beside the national median and the top-10 mean.

    Returns
    -------
    DataFrame
        One row per component, in framework order, columns

        - ``component``, ``name``, ``weight``: from the framework;
        - ``score``: the city's component score (0-100);
        - ``synthetic_points``: how many of those points come from synthetic
          values (0 when every value of the component is on record);
        - ``national_median``: median over the cycle's cities with that component;
        - ``top10_mean``: mean over the cities ranked 1 to 10 overall (ties at 10th
          included, so possibly more than 10 cities);
        - ``n_top_cities``: how many cities that mean covers;
        - ``gap_to_median``: ``score - national_median``;
        - ``gap_to_max``: ``100 - score``.
    """
    name, ctx = _context(data, city, cycle)
    fw = ctx.framework
    comps = fw.component_ids
    table = ctx.scored[comps].astype(float)
    top = table[ctx.scored["rank"].fillna(np.iinfo(np.int64).max).astype("int64") <= TOP_RANK]
    score = table.loc[name]
    med = table.median(axis=0, skipna=True)
    out = pd.DataFrame({
        "component": comps,
        "name": fw.components["name"].tolist(),
        "weight": fw.components["weight"].astype(float).to_numpy(),
        "score": score.to_numpy(),
        "synthetic_points": _synthetic_points(ctx, name).reindex(comps).fillna(0.0).to_numpy(dtype=float),
        "national_median": med.to_numpy(),
        "top10_mean": top.mean(axis=0).to_numpy() if len(top) else np.full(len(comps), np.nan),
        "n_top_cities": len(top),
    })
    out["gap_to_median"] = out["score"] - out["national_median"]
    out["gap_to_max"] = 100.0 - out["score"]
    return out[COMPONENT_COLUMNS]


def _synthetic_points(ctx: _CycleContext, name: str) -> pd.Series:
    """Component -> points of the city's synthetic values."""
    values = ctx.wide.loc[name]
    synthetic = is_synthetic(ctx.sources.loc[name]) & values.notna()
    comp_of = ctx.framework.indicators.set_index("indicator")["component"]
    return values.where(synthetic, 0.0).groupby(comp_of.reindex(values.index)).sum()


# ------------------------------------------------------------------------- indicators
INDICATOR_COLUMNS = ["indicator", "component", "component_name", "name", "score", "max_score", "share_of_max",
                     "gap_to_max", "national_median", "state_median", "n_state_cities", "percentile",
                     "source", "placed_by", "max_provenance"]


def indicator_scores(data: Dataset, *, city: str, cycle: int = 0) -> pd.DataFrame:
    """Every indicator of the city: score / max, national and state medians, gap to max.

    Returns
    -------
    DataFrame
        One row per indicator, in framework order, columns

        - ``indicator``, ``component``, ``component_name``, ``name``,
          ``max_score``, ``max_provenance``: from the framework (``max_provenance`` says how sure the maximum is);
        - ``score``: the city's points (NaN when missing);
        - ``share_of_max``: ``score / max_score`` (0-1);
        - ``gap_to_max``: ``max_score - score``;
        - ``national_median``: median over every city of the cycle with a value;
        - ``state_median``, ``n_state_cities``: the same over the cities of the
          city's state (the city included) and how many there are;
        - ``percentile``: the city's percentile among all cities with a value, ties
          counted half (``scipy.stats.percentileofscore(kind="mean")``): 100 = all
          others lower, 50 = middle;
        - ``source``: provenance of the value (``report_card``, ``synthetic``, ...);
        - ``placed_by``: how a report-card value was attached to its indicator
          (``heading``, ``order``, ...) when the score table says so, else ``""``.
    """
    name, ctx = _context(data, city, cycle)
    return _indicator_table(data, name, ctx.cycle).copy()


@lru_cache(maxsize=32)
def _indicator_table(data: Dataset, name: str, cycle: int) -> pd.DataFrame:
    ctx = _cycle_context(data, cycle)
    fw = ctx.framework
    wide = ctx.wide
    values = wide.loc[name]
    state = ctx.scored.loc[name, "state"]
    # a cities table without states (or without this city's state) gives no state comparison
    same_state = (ctx.scored.index[ctx.scored["state"] == state] if isinstance(state, str) and state.strip()
                  else pd.Index([]))
    state_wide = wide.loc[same_state]
    n_valid = wide.notna().sum(axis=0)
    below = wide.lt(values, axis=1).sum(axis=0)
    equal = wide.eq(values, axis=1).sum(axis=0)
    percentile = (100.0 * (below + 0.5 * equal) / n_valid.replace(0, np.nan)).where(values.notna())
    ind = fw.indicators
    out = pd.DataFrame({
        "indicator": ind["indicator"].to_numpy(),
        "component": ind["component"].to_numpy(),
        "component_name": ind["component"].map(fw.components.set_index("component")["name"]).to_numpy(),
        "name": ind["name"].to_numpy(),
        "score": values.to_numpy(dtype=float),
        "max_score": ind["max_score"].astype(float).to_numpy(),
    })
    out["share_of_max"] = out["score"] / out["max_score"]
    out["gap_to_max"] = out["max_score"] - out["score"]
    out["national_median"] = ctx.national_median.to_numpy(dtype=float)
    out["state_median"] = state_wide.median(axis=0, skipna=True).to_numpy(dtype=float)
    out["n_state_cities"] = len(same_state)
    out["percentile"] = percentile.to_numpy(dtype=float)
    src = ctx.sources.loc[name].where(values.notna(), "")
    out["source"] = src.fillna("").astype(str).to_numpy(dtype=object)
    out["placed_by"] = ctx.placed_by.loc[name].where(values.notna(), "").astype(str).to_numpy(dtype=object)
    out["max_provenance"] = ind["max_provenance"].to_numpy()
    return out[INDICATOR_COLUMNS]


STRENGTH_COLUMNS = ["kind", "indicator", "component", "name", "score", "max_score", "national_median",
                    "percentile", "source"]


def strengths_and_weaknesses(data: Dataset, *, city: str, cycle: int = 0, n: int = 3) -> pd.DataFrame:
    """The city's indicators that stand out above or below all cities.

    A *strength* is an indicator where the city scores above the national median; a
    *weakness* one where it scores below. When the city has any value on record
    (not synthetic, not missing), only those values are considered, so a synthetic
    value never becomes a strength or weakness of a city with real data. Up to ``n``
    of each are kept: strengths
    with the highest percentile first (ties: larger share of the maximum, then
    framework order), weaknesses with the lowest percentile first (ties: more points
    available, then framework order).

    Returns
    -------
    DataFrame
        Columns ``kind`` (``strength`` or ``weakness``), ``indicator``,
        ``component``, ``name``, ``score``, ``max_score``, ``national_median``,
        ``percentile``, ``source`` (provenance of the city's value; see
        :func:`indicator_scores`); strengths first. Empty kinds simply have no
        rows.
    """
    table = indicator_scores(data, city=city, cycle=cycle).reset_index(drop=True)
    table["order"] = np.arange(len(table))
    real = table["score"].notna() & ~is_synthetic(table["source"])
    if real.any():  # a city with values on record is judged on those alone
        table = table[real]
    strong = table[table["score"] > table["national_median"]].sort_values(
        ["percentile", "share_of_max", "order"], ascending=[False, False, True]).head(n)
    weak = table[table["score"] < table["national_median"]].sort_values(
        ["percentile", "gap_to_max", "order"], ascending=[True, False, True]).head(n)
    out = pd.concat([strong.assign(kind="strength"), weak.assign(kind="weakness")], ignore_index=True)
    return out[STRENGTH_COLUMNS]


# -------------------------------------------------------------------- recommendations
RECOMMENDATION_COLUMNS = ["priority", "indicator", "component", "name", "score", "max_score",
                          "points_available", "overall_gain", "recommendation", "source"]


def recommendations(data: Dataset, *, city: str, cycle: int = 0,
                    texts: pd.DataFrame | None = None) -> pd.DataFrame:
    """A recommendation for each indicator below its maximum that has one, most points first.

    Parameters
    ----------
    texts : DataFrame, optional
        ``cycle, indicator, recommendation``; default :func:`load_recommendations`.

    Returns
    -------
    DataFrame
        One row per indicator whose score is below its maximum or missing and
        that has a text in ``texts`` (indicators without one are left out, so
        the table is empty when there are no texts at all), columns
        ``priority`` (1 = first), ``indicator``, ``component``, ``name``,
        ``score``, ``max_score``, ``points_available`` (``max_score - score``,
        NaN when the score is missing), ``overall_gain`` (what reaching the
        maximum adds to the overall score: ``points_available * weight``),
        ``recommendation``, ``source`` (provenance of the city's value). Ordered by
        ``points_available`` (largest first), then
        ``overall_gain``, then framework order; missing scores last.
    """
    name, ctx = _context(data, city, cycle)
    fw = ctx.framework
    texts = load_recommendations() if texts is None else texts
    lookup = {(int(c), str(i)): str(t) for c, i, t in
              zip(texts["cycle"], texts["indicator"], texts["recommendation"])}
    table = indicator_scores(data, city=name, cycle=ctx.cycle)
    weights = fw.weights / fw.weights.sum()
    table["order"] = np.arange(len(table))
    table["points_available"] = table["gap_to_max"]
    table["overall_gain"] = table["points_available"] * table["component"].map(weights).astype(float)
    keep = table[table["score"].isna() | (table["points_available"] > _TOL)].copy()
    keep = keep.sort_values(["points_available", "overall_gain", "order"], ascending=[False, False, True],
                            na_position="last")
    keep["recommendation"] = [lookup.get((ctx.cycle, i)) for i in keep["indicator"]]
    keep = keep[keep["recommendation"].notna()].copy()
    keep["priority"] = np.arange(1, len(keep) + 1)
    return keep[RECOMMENDATION_COLUMNS].reset_index(drop=True)


def has_recommendations(data: Dataset, *, cycle: int = 0, texts: pd.DataFrame | None = None) -> bool:
    """Whether any indicator of the cycle's framework has a recommendation text.

    False when the recommendations file is absent or has no entry for the cycle:
    the report card then leaves its recommendations section out.
    """
    c = data.resolve_cycle(cycle)
    texts = load_recommendations() if texts is None else texts
    known = set(data.frameworks[c].indicator_ids)
    return bool(texts.loc[texts["cycle"].astype(int) == c, "indicator"].astype(str).isin(known).any())


# ---------------------------------------------------------------- path to next level


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
        partial = (f" A partial raise is rounded up to a multiple of {_fmt(self.granularity)} points."
                   if self.granularity and bool(self.steps["partial"].any()) else "")
        caveat = "; the thresholds are illustrative" if self.levels_illustrative else ""
        return (f"{who} needs {_fmt(self.points_needed)} more overall points to reach "
                f"{self.target_level} (threshold {_fmt(self.target_min_score)}{caveat}). "
                f"The fewest improvements that get there raise {n} {plural}, as listed below; "
                f"the overall score would then be {_fmt(self.resulting_overall)} "
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
    fw = framework
    table = weighted_indicators(indicators, fw)
    empty = empty_steps()
    illustrative = _levels_illustrative(fw)
    overall = overall_of(table)
    if math.isnan(overall):
        return LevelPath(city, math.nan, None, None, None, None, empty, None, None, granularity, illustrative)
    level = fw.level_for(overall)
    nxt = fw.next_level(level)
    if nxt is None:
        return LevelPath(city, overall, level, None, None, None, empty, overall, level, granularity, illustrative)
    target_level, target = nxt
    needed = target - overall
    steps_df, total = fewest_raises(table, overall=overall, target=target, granularity=granularity)
    return LevelPath(city, overall, level, target_level, float(target), float(needed), steps_df,
                     float(total), fw.level_for(total), granularity, illustrative)


def path_to_next_level(data: Dataset, *, city: str, cycle: int = 0,
                       granularity: float = SCORE_GRANULARITY) -> LevelPath:
    """The city's path to the next certification level (see :func:`plan_next_level`)."""
    name, ctx = _context(data, city, cycle)
    table = indicator_scores(data, city=name, cycle=ctx.cycle)
    path = plan_next_level(table, framework=ctx.framework, city=name, granularity=granularity)
    if path.at_top_level:
        others = ctx.scored.loc[ctx.scored.index != name, "overall"].to_numpy(dtype=float)
        move = plan_rank_move(table, framework=ctx.framework, others=others, city=name, granularity=granularity)
        path = replace(path, rank_move=move)
    note = _path_range_note(name, path.current_level, n_indicators=len(ctx.framework.indicator_ids),
                            **_bound_fields(ctx, name))
    return replace(path, range_note=note) if note else path


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
            f"On the values on record the overall score could be anywhere from {_fmt(overall_low)} to "
            f"{_fmt(overall_high)}, so the level could be anything from {level_low} to {level_high}.{tail}")


# ------------------------------------------------------------------------------ peers
PEER_COLUMNS = ["peer_group", "group_name", "city", "state", "overall", "rank", "rank_in_group", "level",
                "is_report_city", "gap_to_report_city", "n_synthetic", "n_indicators"]


def peer_comparison(data: Dataset, *, city: str, cycle: int = 0) -> pd.DataFrame:
    """The city beside the other cities of its state and of its selection round.

    Returns
    -------
    DataFrame
        Columns ``peer_group`` (``state`` or ``selection_round``), ``group_name``
        (e.g. ``Punjab``, ``Round 3``), ``city``, ``state``, ``overall``,
        ``rank`` (national), ``rank_in_group`` (competition rank within the
        group), ``level``, ``is_report_city``, ``gap_to_report_city``
        (``overall`` minus the report city's overall), ``n_synthetic`` (the
        city's synthetic indicator values) and ``n_indicators`` (indicators of
        the framework). State rows first, each
        group ordered by ``rank_in_group`` then city; unranked cities last.
    """
    name, ctx = _context(data, city, cycle)
    scored = ctx.scored
    me = scored.loc[name]
    parts = []
    for group in ("state", "selection_round"):
        value = me[group]
        if not isinstance(value, str) or not value:
            continue
        part = scored[scored[group] == value]
        rank_in = part["overall"].rank(method="min", ascending=False).astype("Int64")
        parts.append(pd.DataFrame({
            "peer_group": group, "group_name": value, "city": part["city"].to_numpy(),
            "state": part["state"].to_numpy(), "overall": part["overall"].to_numpy(dtype=float),
            "rank": part["rank"].to_numpy(), "rank_in_group": rank_in.to_numpy(),
            "level": part["level"].to_numpy(), "is_report_city": (part["city"] == name).to_numpy(),
            "gap_to_report_city": part["overall"].to_numpy(dtype=float) - _num(me["overall"]),
            "n_synthetic": part["n_synthetic"].to_numpy(dtype=int) if "n_synthetic" in part.columns else 0,
            "n_indicators": len(ctx.framework.indicator_ids),
        }))
    if not parts:
        return pd.DataFrame(columns=PEER_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    out["rank"] = out["rank"].astype("Int64")
    out["rank_in_group"] = out["rank_in_group"].astype("Int64")
    out["_g"] = (out["peer_group"] == "selection_round").astype(int)
    out = out.sort_values(["_g", "rank_in_group", "city"], na_position="last", kind="mergesort")
    return out[PEER_COLUMNS].reset_index(drop=True)


# ------------------------------------------------------------- change since previous
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
        amount = f" by {_fmt(abs(change))} points" if abs(change) > _TOL else ""
        rank = ""
        if self.previous_rank is not None and self.current_rank is not None:
            rank = (f" Rank: {self.previous_rank} of {self.previous_n_ranked} then, "
                    f"{self.current_rank} of {self.current_n_ranked} now.")
        same = self.previous_level == self.current_level
        level = (f"The level stayed {self.current_level}." if same else
                 f"The level went from {self.previous_level} to {self.current_level}.")
        caveat = (" The cycles use different frameworks (and Cycle "
                  f"{self.previous_cycle}'s is illustrative), so read the change as approximate."
                  if self.illustrative else "")
        return (f"Between Cycle {self.previous_cycle} and Cycle {self.cycle} the overall score {direction}"
                f"{amount}, from {_fmt(self.previous_overall)} to {_fmt(self.current_overall)}. "
                f"{level}{rank}{caveat}")


def _crosswalk(data: Dataset, prev: Framework, current: Framework) -> dict[str, list[str]]:
    """Current component -> previous components mapped onto it (framework.component_map)."""
    out: dict[str, list[str]] = {c: [] for c in current.component_ids}
    try:
        mapping = component_map(prev.cycle, current.cycle, frameworks=data.frameworks)
    except FrameworkError:  # nothing comparable: every component shows no earlier score
        return out
    for old, new in mapping.items():
        out[new].append(old)
    return out


def change_since_previous(data: Dataset, *, city: str, cycle: int = 0) -> CycleChange:
    """Components, overall and level now and in the previous cycle (crosswalked)."""
    name, ctx = _context(data, city, cycle)
    fw = ctx.framework
    me = ctx.scored.loc[name]
    earlier = [c for c in data.cycles if c < ctx.cycle]
    prev_cycle = earlier[-1] if earlier else None
    current_overall = _num(me["overall"])
    current_level = me["level"] if isinstance(me["level"], str) else None
    empty = pd.DataFrame({c: pd.Series(dtype=float if c.endswith("score") or c == "change" else object)
                          for c in CHANGE_COLUMNS})
    base = dict(city=name, cycle=ctx.cycle, current_overall=current_overall, current_level=current_level,
                current_rank=_opt_int(me["rank"]), current_n_ranked=ctx.n_ranked)
    if prev_cycle is None:
        return CycleChange(previous_cycle=None, assessed_before=False, previous_overall=math.nan,
                           previous_level=None, previous_rank=None, previous_n_ranked=0,
                           illustrative=False, table=empty, **base)
    pctx = _cycle_context(data, prev_cycle)
    pfw = pctx.framework
    illustrative = (pfw.provenance != "seen" or fw.provenance != "seen"
                    or _levels_illustrative(pfw) or _levels_illustrative(fw))
    if name not in pctx.scored.index:
        return CycleChange(previous_cycle=prev_cycle, assessed_before=False, previous_overall=math.nan,
                           previous_level=None, previous_rank=None, previous_n_ranked=pctx.n_ranked,
                           illustrative=illustrative, table=empty, **base)
    old = pctx.scored.loc[name]
    rows = []
    names = dict(zip(fw.components["component"], fw.components["name"]))
    prev_names = dict(zip(pfw.components["component"], pfw.components["name"]))
    for comp, olds in _crosswalk(data, pfw, fw).items():
        prev_score = float(np.mean([_num(old[o]) for o in olds])) if olds else math.nan
        rows.append({"measure": comp, "name": names[comp], "previous_measures": ";".join(olds),
                     "previous_names": ", ".join(str(prev_names.get(o, o)) for o in olds) or "none",
                     "previous_score": prev_score, "current_score": _num(me[comp])})
    rows.append({"measure": "overall", "name": "Overall", "previous_measures": "overall", "previous_names": "Overall",
                 "previous_score": _num(old["overall"]), "current_score": current_overall})
    table = pd.DataFrame(rows)
    table["change"] = table["current_score"] - table["previous_score"]
    prev_values = pctx.wide.loc[name]
    prev_synthetic = int((is_synthetic(pctx.sources.loc[name]) & prev_values.notna()).sum())
    return CycleChange(previous_cycle=prev_cycle, assessed_before=True, previous_overall=_num(old["overall"]),
                       previous_n_synthetic=prev_synthetic, previous_n_values=int(prev_values.notna().sum()),
                       previous_level=old["level"] if isinstance(old["level"], str) else None,
                       previous_rank=_opt_int(old["rank"]), previous_n_ranked=pctx.n_ranked,
                       illustrative=illustrative, table=table[CHANGE_COLUMNS], **base)


# ------------------------------------------------------------------------- engagement
ENGAGEMENT_COLUMNS = ["city", "cycle", "engagement_score", "national_median", "national_mean", "q1", "q3",
                      "min", "max", "n_cities", "percentile"]


def engagement_distribution(data: Dataset, *, city: str, cycle: int = 0) -> pd.DataFrame:
    """Every city's engagement score in the cycle, the report city marked.

    Returns
    -------
    DataFrame
        Columns ``city``, ``engagement_score`` (0-100), ``is_report_city``; one
        row per city of the cycle with an engagement score, highest first.
    """
    name, ctx = _context(data, city, cycle)
    attrs = data.attributes
    cols = ["city", "engagement_score", "is_report_city"]
    if not len(attrs):
        return pd.DataFrame({"city": pd.Series(dtype=object), "engagement_score": pd.Series(dtype=float),
                             "is_report_city": pd.Series(dtype=bool)})
    part = attrs[(attrs["cycle"] == ctx.cycle) & attrs["engagement_score"].notna()]
    out = pd.DataFrame({"city": part["city"].to_numpy(dtype=object),
                        "engagement_score": part["engagement_score"].to_numpy(dtype=float)})
    out["is_report_city"] = out["city"] == name
    return out.sort_values(["engagement_score", "city"], ascending=[False, True])[cols].reset_index(drop=True)


def engagement_comparison(data: Dataset, *, city: str, cycle: int = 0) -> pd.DataFrame:
    """The City Engagement Score beside the national distribution.

    Returns
    -------
    DataFrame
        One row, columns ``city``, ``cycle``, ``engagement_score`` (NaN when the
        city has none), ``national_median``, ``national_mean``, ``q1``, ``q3``
        (quartiles, linear interpolation), ``min``, ``max``, ``n_cities``
        (cities with a score) and ``percentile`` (as in :func:`indicator_scores`).
    """
    name, ctx = _context(data, city, cycle)
    dist = engagement_distribution(data, city=name, cycle=ctx.cycle)
    values = dist["engagement_score"].to_numpy(dtype=float)
    mine = dist.loc[dist["is_report_city"], "engagement_score"]
    score = float(mine.iloc[0]) if len(mine) else math.nan
    s = summary_statistics(values)
    stats = dict(national_median=s["median"], national_mean=s["mean"], q1=s["q1"], q3=s["q3"],
                 min=s["min"], max=s["max"])
    pct = (100.0 * ((values < score).sum() + 0.5 * (values == score).sum()) / len(values)
           if len(values) and not math.isnan(score) else math.nan)
    row = {"city": name, "cycle": ctx.cycle, "engagement_score": score, **stats,
           "n_cities": len(values), "percentile": pct}
    return pd.DataFrame([row], columns=ENGAGEMENT_COLUMNS)
