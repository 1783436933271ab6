"""The top of a city's report card: :class:`ReportHeadline` and :func:`report_headline`.

Who the city is, its overall score, rank out of N and level, how many of the values
shown are synthetic or not on record, and the sentences that say so; plus the two
small wording helpers other reports share (:func:`framework_title`,
:func:`weights_assumption`). Re-exported by :mod:`dmaf_analysis.card`.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from .._util.numeric import format_score, share_words
from ..framework import framework_title
from ..io import is_synthetic
from ..scoring import Dataset, range_sentence
from ._context import (as_float, bound_fields, city_context, CycleContext, engagement_of, facts_of, is_on_record,
                       optional_int, scored_rows)
from ._indicators import cycle_arrays

__all__ = ["ReportHeadline", "report_headline", "weights_assumption"]


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
    on_record: bool = False
    published_rank: int | None = None
    published_level: str | None = None
    engagement_published: bool = False
    levels_allowed: tuple = ()

    @property
    def shows_range(self) -> bool:
        """True when the card shows the overall as a range: a city with values on record and some unknown."""
        return self.on_record and self.n_unknown > 0

    @property
    def overall_tile(self) -> tuple[str, str]:
        """The overall score as the summary tile shows it: (value, small print under it)."""
        if self.shows_range:
            return f"{self.range_text}", "range on the values on record (out of 100)"
        if math.isnan(self.overall):
            return "–", "no overall score"
        value = f"{format_score(self.overall)}"
        if self.fully_synthetic or self.n_synthetic:
            extra = f"; {self.range_text} on record" if self.range_text and self.range_text != "0 to 100" else ""
            return value, f"out of 100, from synthetic values{extra}"
        return value, "out of 100"

    @property
    def level_tile(self) -> tuple[str, str]:
        """(value, small print) of the certification-level tile."""
        if self.published_level:
            return self.published_level, "published"
        if self.shows_range:
            return self.level_range_text or "unknown", "the levels the range allows" + self._thresholds_note
        if self.level is None:
            return "–", "no overall score"
        if self.fully_synthetic or self.n_synthetic:
            return self.level, "from synthetic values" + self._thresholds_note
        return self.level, ("illustrative thresholds" if self.levels_illustrative else "")

    @property
    def _thresholds_note(self) -> str:
        return "; illustrative thresholds" if self.levels_illustrative else ""

    @property
    def rank_tile(self) -> tuple[str, str]:
        """(value, small print) of the rank tile."""
        if self.published_rank is not None:
            shared = f", shared with {self.n_tied} other {'city' if self.n_tied == 1 else 'cities'}" if (
                self.n_tied and self.rank == self.published_rank) else ""
            return f"{self.published_rank} of {self.n_ranked}", f"published{shared}"
        if self.shows_range and self.rank_best is not None:
            if self.rank_best == self.rank_worst:
                return f"{self.rank_best} of {self.n_ranked}", "the rank the values on record allow"
            return (f"{self.rank_best} to {self.rank_worst}", f"of {self.n_ranked}: the ranks the values on "
                    f"record allow")
        if self.rank is None:
            return "–", f"not ranked (of {self.n_ranked})"
        if self.fully_synthetic or self.n_synthetic:
            return f"{self.rank} of {self.n_ranked}", "from synthetic values"
        return f"{self.rank} of {self.n_ranked}", ""

    @property
    def engagement_tile(self) -> tuple[str, str]:
        """(value, small print) of the engagement tile."""
        if math.isnan(self.engagement_score):
            return "–", "not in the data"
        if self.engagement_published:
            note = "out of 100, published"
        elif is_synthetic(self.engagement_source):
            note = "out of 100, synthetic"
        elif self.engagement_source == "report_card":
            note = "out of 100, from the report card"
        else:
            note = "out of 100"
        return format_score(self.engagement_score), note

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
        :mod:`dmaf_analysis.scoring`).
        """
        if self.fully_synthetic:
            published = self.published_words
            what = "The score below describes" if published else "The score, rank and level below describe"
            text = (f"Every indicator value of {self.city} on this card is synthetic: generated for "
                    f"illustration, not measured. {what} no real result; "
                    f"on the values on record the score could be anything from {format_score(self.overall_low)} "
                    f"to {format_score(self.overall_high)}.")
            return text + (f" On record: {published}." if published else "")
        if not self.partly_unknown:
            return ""
        if self.shows_range:
            verb = "is" if self.n_unknown == 1 else "are"
            return (f"On the values on record, {self.city} scores between {format_score(self.overall_low)} and "
                    f"{format_score(self.overall_high)} ({self.level_range_text}). {self.n_unknown} of its "
                    f"{self.n_indicators} indicator values {verb} not on record and could lie anywhere from 0 to the "
                    f"indicator's maximum; no synthetic value of {self.city} is shown on this card.")
        return range_sentence(self.city, overall=self.overall, overall_low=self.overall_low,
                              overall_high=self.overall_high, level_low=self.level_low,
                              level_high=self.level_high, n_unknown=self.n_unknown,
                              n_indicators=self.n_indicators, synthetic_panel_value=self.n_synthetic > 0)

    @property
    def published_words(self) -> str:
        """The published rank and level in words ("rank 10 of 100 and the level Enabled"; "" when none)."""
        parts = []
        if self.published_rank is not None:
            parts.append(f"rank {self.published_rank} of {self.n_ranked}")
        if self.published_level:
            parts.append(f"the level {self.published_level}")
        return " and ".join(parts)

    @property
    def range_text(self) -> str:
        """``"10 to 35"`` on the values on record ("" when every value is known)."""
        if self.n_unknown <= 0 or math.isnan(self.overall_low):
            return ""
        return f"{format_score(self.overall_low)} to {format_score(self.overall_high)}"

    @property
    def level_range_text(self) -> str:
        """``"Not certified or Enabled"`` (or one level) on the values on record ("" when all known)."""
        if self.n_unknown <= 0 or self.level_low is None:
            return ""
        if self.level_low == self.level_high:
            return str(self.level_low)
        if len(self.levels_allowed) > 2:
            return f"{self.level_low} to {self.level_high}"
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
            parts.append(f"{count} {'comes' if count == 1 else 'come'} from the source '{label}'")
        if len(parts) == 1:
            text = parts[0] + "."
        else:
            text = ", ".join(parts[:-1]) + " and " + parts[-1] + "."
        if self.n_missing:
            text += f" {self.n_missing} of {self.n_indicators} indicators have no value on record."
        if is_synthetic(self.engagement_source) and not math.isnan(self.engagement_score):
            text += " The engagement score is synthetic."
        share = self.data_synthetic_share
        if share > 0:
            text += (f" National, state and peer comparisons are computed from a data set in which "
                     f"{share_words(share)} of the values are synthetic.")
        if self.levels_illustrative:
            text += (" Certification thresholds are illustrative: the framework's own are not on record.")
        if self.weights_illustrative:
            text += " " + weights_assumption(self.weights_equal)
        return text


def weights_assumption(equal: bool) -> str:
    """The sentence saying the component weights are assumed (equal or not), for notices."""
    kind = "equal component weights" if equal else "the component weights set in the framework file"
    return (f"The overall score assumes {kind}, since the framework's own weights are not on record; "
            f"overall scores and ranks depend on that assumption.")


class _HeadlineCycle(NamedTuple):
    """What every headline of one cycle reads (:func:`_headline_cycle`); read-only."""

    rank_count: Counter      # rank -> cities holding it
    thresholds_illustrative: bool
    weights_equal: bool
    n_indicators: int


#: Columns of the cycle's scored rows a headline reads; the last three may be absent.
_ROW_COLUMNS = ("rank", "level", "overall", "certified", "state", "region", "selection_round")


@lru_cache(maxsize=16)
def _headline_cycle(ctx: CycleContext) -> _HeadlineCycle:
    """The rank counts and the framework's facts every headline of the cycle reads (once per context)."""
    fw = ctx.framework
    _, columns = scored_rows(ctx)
    return _HeadlineCycle(
        rank_count=Counter(v for v in columns["rank"] if not math.isnan(as_float(v))),
        thresholds_illustrative=fw.thresholds_illustrative,
        weights_equal=bool(np.allclose(fw.weights.to_numpy(dtype=float), 1.0 / len(fw.component_ids))),
        n_indicators=len(fw.indicator_ids))


def report_headline(data: Dataset, *, city: str, cycle: int = 0) -> ReportHeadline:
    """City, state, cycle, overall score, rank out of N, level and provenance counts."""
    name, ctx = city_context(data, city, cycle)
    fw = ctx.framework
    cyc = _headline_cycle(ctx)
    position, columns = scored_rows(ctx)
    row = {c: columns[c][position[name]] for c in _ROW_COLUMNS if c in columns}  # the city's scored row
    rank = optional_int(row["rank"])
    n_tied = cyc.rank_count[rank] - 1 if rank is not None else 0
    level = row["level"] if isinstance(row["level"], str) else None
    nxt = fw.next_level(level) if level is not None else None
    arrays = cycle_arrays(ctx)
    k = arrays["position"][name]
    present = ~np.isnan(arrays["values"][k])
    # the source label of each value shown; a missing label counts as none of the kinds below
    labels = [v for v, p in zip(arrays["sources"][k], present) if p and isinstance(v, str)]
    other_sources = tuple(sorted(Counter(lbl for lbl in labels
                                         if lbl.lower() not in ("synthetic", "report_card")).items()))
    facts = facts_of(ctx, name)
    mine = is_on_record(ctx, name)
    eng, eng_source = engagement_of(ctx, name)
    fields = dict(
        city=name, state=str(row.get("state") or ""), region=str(row.get("region") or ""),
        selection_round=str(row.get("selection_round") or ""), cycle=ctx.cycle,
        framework_name=fw.name, overall=as_float(row["overall"]), rank=rank, n_ranked=ctx.n_ranked,
        n_tied=n_tied, level=level, certified=bool(row["certified"]),
        next_level=nxt[0] if nxt else None, next_level_min_score=nxt[1] if nxt else None,
        levels_illustrative=cyc.thresholds_illustrative, engagement_score=eng, engagement_source=eng_source,
        n_indicators=cyc.n_indicators, n_values=int(present.sum()),
        n_synthetic=sum(is_synthetic(lbl) for lbl in labels),
        n_report_card=sum(lbl.lower() == "report_card" for lbl in labels),
        other_sources=other_sources, n_missing=int((~present).sum()),
        data_synthetic_share=ctx.synthetic_share,
        weights_illustrative=fw.weights_provenance != "seen",
        weights_equal=cyc.weights_equal,
        on_record=mine, published_rank=facts.rank, published_level=facts.level,
        engagement_published=(facts.engagement_score is not None and not math.isnan(eng)
                              and abs(facts.engagement_score - eng) < 1e-9),
    )
    fields |= _record_city_fields(mine, int((~present).sum()))
    fields |= bound_fields(ctx, name)
    if "level_low" in fields:
        names = fw.levels["level"].tolist()
        lo, hi = fields["level_low"], fields["level_high"]
        if lo in names and hi in names:
            fields["levels_allowed"] = tuple(names[names.index(lo):names.index(hi) + 1])
    return ReportHeadline(**fields)


def _record_city_fields(mine: bool, unknown: int) -> dict:
    """For a city with values on record and some unknown: no panel overall, rank or level (they rest on
    synthetic values); the card shows the range instead."""
    if not mine or unknown == 0:
        return {}
    return dict(overall=math.nan, rank=None, level=None, certified=False, n_tied=0, next_level=None,
                next_level_min_score=None)
