"""Scanning a report card's text: its header, its events (indicator headings, score
tokens, printed component totals), and the evidence the placement works from.

Each step is a small function with a typed result; :func:`~dmaf_analysis.ingest.parse_report_card`
calls them in the order of the package docstring. Warnings go to a ``problems``
list passed in; a card that cannot be read at all raises a
:class:`~dmaf_analysis.errors.ReportCardError`.
"""
from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field

import pandas as pd

from .._util.numeric import PRINTED_TOLERANCE, format_number
from ..cities import CityMatcher
from ..errors import NotAReportCardError, ReportCardError, TruncatedReportCardError, UnknownCityError
from ..framework import Framework
from ._model import IngestProblem

__all__ = ["EPS", "CardHeader", "CardLayout", "Event", "Events", "LineIndex", "PrintedTotals", "Token", "anchors",
           "candidate_tokens", "find_headings", "fmt", "printed_totals", "read_events", "read_header"]

#: Tolerance when comparing scores, maxima and totals read from the text.
EPS = PRINTED_TOLERANCE

_NUM = r"(\d+(?:\.\d+)?)"
_TITLE_RE = re.compile(r"Data\s+Maturity\s+Assessment\s+Framework|\bDMAF\b", re.I)
_CYCLE_RE = re.compile(r"\bCycle\s*(\d+)(?:\.(\d+))?\b", re.I)
_DMAF_VERSION_RE = re.compile(r"\bDMAF\s*(\d+)\.(\d+)\b", re.I)
_CITY_RE = re.compile(r"^[ \t]*City[ \t]*:[ \t]*([^|\n]*?)[ \t]*(?:\||$)", re.M)
_STATE_RE = re.compile(r"\bState[ \t]*:[ \t]*([^|\n]*?)[ \t]*(?:\||$)", re.M)
_ENGAGEMENT_RE = re.compile(r"Engagement\s+Score[^:\n]*:[ \t]*" + _NUM, re.I)
_OVERALL_RE = re.compile(r"^[ \t]*Overall\s+(?:Performance|Score)\b[^\n\d]*" + _NUM, re.I | re.M)
_HEADING_RE = re.compile(
    r"^[ \t]*Indicator[ \t]+(\d+)[ \t]*\.[ \t]*([a-z])"
    r"(?:[ \t]*(?:&|and|/)[ \t]*(?:(\d+)[ \t]*\.[ \t]*)?([a-z]))?[ \t]*[:\-\u2013]", re.I | re.M)
_TOKEN_RE = re.compile(r"\bScore[ \t]*:[ \t]*" + _NUM + r"[ \t]*(?:/|out of)[ \t]*" + _NUM, re.I)
_TOTAL_RE = re.compile(r"\bScore[ \t]+" + _NUM + r"[ \t]+100\b(?![ \t]*[/.\d])", re.I)


def fmt(x: float) -> str:
    """A score as printed in messages: ``10``, ``2.5``."""
    return format_number(x, 6)


# ------------------------------------------------------------------------- typed results
@dataclass(frozen=True)
class CardLayout:
    """The framework of the card's cycle, by position: indicator ``i`` is in component ``ind_comp[i]``."""

    comp_ids: list[str]
    ind_ids: list[str]
    ind_comp: list[int]
    ind_max: list[float]
    ind_pos: dict[str, int]
    aliases: dict[str, str]

    @classmethod
    def of(cls, fw: Framework) -> CardLayout:
        comp_index = {c: k for k, c in enumerate(fw.component_ids)}
        return cls(comp_ids=list(fw.component_ids), ind_ids=list(fw.indicator_ids),
                   ind_comp=[comp_index[c] for c in fw.indicators["component"]],
                   ind_max=[float(x) for x in fw.indicators["max_score"]],
                   ind_pos={ind: k for k, ind in enumerate(fw.indicator_ids)},
                   aliases=_indicator_aliases(fw))

    def class_of(self, i: int) -> tuple[int, float]:
        """Indicators of one component with one maximum form a class (the order rule works within it)."""
        return self.ind_comp[i], self.ind_max[i]

    def comp_name(self, inds) -> str | None:
        """The component(s) of the indicator positions ``inds``, joined by ``/``."""
        comps = sorted({self.ind_comp[i] for i in inds})
        return "/".join(self.comp_ids[c] for c in comps) if comps else None


@dataclass(frozen=True)
class CardHeader:
    """What the card says above its first indicator heading."""

    cycle: int
    city: str
    state: str
    printed_city: str
    printed_state: str
    engagement: float
    overall: float


@dataclass
class Event:
    """One heading, score token or printed total, where it is in the text."""

    kind: str          # "heading", "token" or "total"
    pos: int           # character offset
    line: int          # 1-based line
    indicator: str = ""
    value: float = math.nan
    max_score: float = math.nan


@dataclass(frozen=True)
class Events:
    """The card's events in text order, and the positions of its headings among them."""

    items: list[Event]
    heading_idx: list[int]  # ascending

    def previous_heading(self, k: int) -> int | None:
        j = bisect.bisect_left(self.heading_idx, k)
        return self.heading_idx[j - 1] if j > 0 else None

    def next_heading(self, k: int) -> int | None:
        j = bisect.bisect_right(self.heading_idx, k)
        return self.heading_idx[j] if j < len(self.heading_idx) else None

    def comp_of_heading(self, h: int, layout: CardLayout) -> int:
        return layout.ind_comp[layout.ind_pos[self.items[h].indicator]]


@dataclass(frozen=True)
class PrintedTotals:
    """Printed component totals (component position -> value) and the events that print them."""

    totals: dict[int, float]
    at_event: dict[int, int] = field(default_factory=dict)   # event index -> component position


@dataclass
class Token:
    """A score token with the indicators it may take."""

    event: Event
    candidates: list[int]            # indicator positions it may take
    anchor_of: int | None = None     # indicator whose heading it sits by


# ------------------------------------------------------------------------------ header
class LineIndex:
    """Line numbers of character offsets in one text, in O(log n) each.

    The offsets of the line breaks are found once; counting them from the start of
    the text for every token would make reading quadratic in the text size.
    """

    def __init__(self, text: str):
        self._breaks = [m.start() for m in re.finditer("\n", text)]

    def line_of(self, pos: int) -> int:
        """1-based line of character offset ``pos``."""
        return bisect.bisect_left(self._breaks, pos) + 1


def _indicator_aliases(fw: Framework) -> dict[str, str]:
    """Printed id -> framework id; a joint id such as ``1.c&d`` also answers to ``1.c``."""
    aliases: dict[str, str] = {}
    for ind in fw.indicator_ids:
        aliases[ind] = ind
        m = re.fullmatch(r"(\d+)\.([a-z])&([a-z])", ind)
        if m:
            aliases.setdefault(f"{m[1]}.{m[2]}", ind)
            aliases.setdefault(f"{m[1]}.{m[3]}", ind)
    return aliases


def _heading_id(m: re.Match) -> str:
    num, first, num2, second = m.group(1), m.group(2).lower(), m.group(3), m.group(4)
    if second and (num2 is None or num2 == num):
        return f"{num}.{first}&{second.lower()}"
    return f"{num}.{first}"


def find_headings(text: str, name: str) -> list[re.Match]:
    """The indicator headings of the text; an error when it is no report card or has none."""
    headings = list(_HEADING_RE.finditer(text))
    header = text[:headings[0].start()] if headings else text
    if not _TITLE_RE.search(header) and not headings:
        raise NotAReportCardError(f"{name}: not a DMAF report card (no 'Data Maturity Assessment "
                                  "Framework' title and no 'Indicator' headings)")
    if not headings:
        raise TruncatedReportCardError(f"{name}: the report card stops before its first "
                                       "indicator heading (truncated?)")
    return headings


def _read_cycle(header: str, name: str, frameworks: dict[int, Framework], default_cycle: int | None) -> int:
    cycle = None
    m = _CYCLE_RE.search(header) or _DMAF_VERSION_RE.search(header)
    if m:
        if m.group(2) not in (None, "0"):
            raise ReportCardError(f"{name}: cannot read the cycle {m.group(0)!r} (expected e.g. 'Cycle 2.0')")
        cycle = int(m.group(1))
    elif default_cycle is not None:
        cycle = int(default_cycle)
    if cycle is None:
        raise ReportCardError(f"{name}: the title states no cycle (e.g. 'Cycle 2.0'); "
                              "give one with --cycle")
    if cycle not in frameworks:
        raise ReportCardError(f"{name}: cycle {cycle} has no framework; known cycles: "
                              f"{', '.join(map(str, sorted(frameworks)))}")
    return cycle


def _read_percent(match, what: str, name: str, problems: list) -> float:
    if not match:
        return math.nan
    value = float(match.group(1))
    if value > 100 + EPS:
        problems.append(IngestProblem(name, "warning", f"the {what} {fmt(value)} is above 100; left empty"))
        return math.nan
    return value


def read_header(header: str, name: str, *, frameworks: dict[int, Framework], cities: pd.DataFrame,
                default_cycle: int | None, problems: list[IngestProblem]) -> CardHeader:
    """Cycle, city, state, engagement and overall score from the text above the first heading."""
    cycle = _read_cycle(header, name, frameworks, default_cycle)
    m_city = _CITY_RE.search(header)
    if not m_city or not m_city.group(1).strip():
        raise NotAReportCardError(f"{name}: no 'City:' line before the first indicator, "
                                  "so the card cannot be tied to a city")
    printed_city = m_city.group(1).strip()
    try:
        city = CityMatcher(cities).require(printed_city)
    except UnknownCityError as exc:
        raise ReportCardError(f"{name}: {exc}") from None
    m_state = _STATE_RE.search(header)
    printed_state = m_state.group(1).strip() if m_state else ""
    state = dict(zip(cities["city"], cities["state"])).get(city, "")
    if printed_state and printed_state.casefold() != state.casefold():
        problems.append(IngestProblem(name, "warning", f"the card gives the state as {printed_state!r}, "
                                      f"the cities table has {state!r} for {city}; using the table"))
    engagement = _read_percent(_ENGAGEMENT_RE.search(header), "engagement score", name, problems)
    overall = _read_percent(_OVERALL_RE.search(header), "overall score", name, problems)
    return CardHeader(cycle, city, state, printed_city, printed_state, engagement, overall)


# ------------------------------------------------------------------------------ events
def _heading_events(text: str, headings: list[re.Match], layout: CardLayout, cycle: int, name: str,
                    problems: list[IngestProblem], lines: LineIndex) -> list[Event]:
    """One event per indicator heading; an error when headings are missing."""
    events: list[Event] = []
    seen: set[str] = set()
    for hm in headings:
        printed = _heading_id(hm)
        ind = layout.aliases.get(printed)
        line = lines.line_of(hm.start())
        if ind is None:
            problems.append(IngestProblem(name, "warning", f"line {line}: heading 'Indicator {printed}' "
                                          f"is not an indicator of cycle {cycle}; ignored"))
            continue
        if ind in seen:
            comp = layout.comp_ids[layout.ind_comp[layout.ind_pos[ind]]]
            problems.append(IngestProblem(name, "warning", f"line {line}: second heading for indicator "
                                          f"{ind}; ignored", component=comp))
            continue
        seen.add(ind)
        events.append(Event("heading", hm.start(), line, indicator=ind))
    missing = [ind for ind in layout.ind_ids if ind not in seen]
    if missing:
        present = [ind for ind in layout.ind_ids if ind in seen]
        last = present[-1] if present else None
        if last is not None and layout.ind_pos[missing[0]] > layout.ind_pos[last]:
            raise TruncatedReportCardError(
                f"{name}: the report card stops after indicator {last}; no heading for "
                f"{', '.join(missing)} (truncated?)")
        raise TruncatedReportCardError(f"{name}: no heading for indicator(s) "
                                       f"{', '.join(missing)}; the text is incomplete")
    return events


def _score_events(text: str, layout: CardLayout, lines: LineIndex) -> list[Event]:
    """Score tokens (``Score: 10/30``) and printed totals (``Score 45 100``)."""
    events: list[Event] = []
    indicator_maxima = set(layout.ind_max)
    for tm in _TOKEN_RE.finditer(text):
        value, max_score = float(tm.group(1)), float(tm.group(2))
        # "Score: 15/100" is a component total unless some indicator is out of 100
        kind = "total" if abs(max_score - 100) < EPS and 100.0 not in indicator_maxima else "token"
        events.append(Event(kind, tm.start(), lines.line_of(tm.start()), value=value, max_score=max_score))
    for tm in _TOTAL_RE.finditer(text):
        events.append(Event("total", tm.start(), lines.line_of(tm.start()),
                            value=float(tm.group(1)), max_score=100.0))
    return events


def read_events(text: str, headings: list[re.Match], layout: CardLayout, cycle: int, name: str,
                problems: list[IngestProblem]) -> Events:
    """Headings, score tokens and printed totals, in text order."""
    lines = LineIndex(text)
    items = (_heading_events(text, headings, layout, cycle, name, problems, lines)
             + _score_events(text, layout, lines))
    items.sort(key=lambda e: e.pos)
    return Events(items, [k for k, e in enumerate(items) if e.kind == "heading"])


# ------------------------------------------------------------------------------ evidence
def printed_totals(events: Events, layout: CardLayout, name: str, problems: list[IngestProblem]) -> PrintedTotals:
    """Component totals: a total opens the component of the next heading; doubled ones are dropped."""
    totals: dict[int, float] = {}
    at_event: dict[int, int] = {}
    for k, e in enumerate(events.items):
        if e.kind != "total":
            continue
        nxt = events.next_heading(k)
        comp = events.comp_of_heading(nxt if nxt is not None else events.previous_heading(k), layout)
        if e.value > 100 + EPS:
            problems.append(IngestProblem(name, "warning", f"line {e.line}: component total {fmt(e.value)} "
                                          "is above 100; ignored", component=layout.comp_ids[comp]))
            continue
        if comp in totals:
            problems.append(IngestProblem(name, "warning", f"line {e.line}: a second total for the "
                                          "component; both ignored", component=layout.comp_ids[comp]))
            totals[comp] = math.nan
            continue
        totals[comp] = e.value
        at_event[k] = comp
    doubled = {c for c, v in totals.items() if math.isnan(v)}
    return PrintedTotals({c: v for c, v in totals.items() if c not in doubled},
                         {k: c for k, c in at_event.items() if c not in doubled})


def anchors(events: Events, layout: CardLayout) -> dict[int, int]:
    """Event index -> indicator position, for the tokens that sit by their indicator's heading.

    The first score after a heading, when it has that indicator's maximum and no other
    score of that maximum follows it before the next heading or printed total (a run
    of same-maximum scores under one heading, like the real card's Policy block, is
    left to the order rule).
    """
    items = events.items
    found: dict[int, int] = {}
    for h in events.heading_idx:
        end = next((k for k in range(h + 1, len(items)) if items[k].kind != "token"), len(items))
        block = list(range(h + 1, end))
        ind = layout.ind_pos[items[h].indicator]
        if (block and abs(items[block[0]].max_score - layout.ind_max[ind]) < EPS
                and not any(abs(items[k].max_score - layout.ind_max[ind]) < EPS for k in block[1:])):
            found[block[0]] = ind
    return found


def _component_range(k: int, events: Events, layout: CardLayout, totals: PrintedTotals) -> tuple[int, int]:
    """The components token ``k`` may belong to, from the headings and totals around it."""
    prv, nxt = events.previous_heading(k), events.next_heading(k)
    lo = events.comp_of_heading(prv, layout) if prv is not None else 0
    hi = events.comp_of_heading(nxt, layout) if nxt is not None else len(layout.comp_ids) - 1
    lo, hi = min(lo, hi), max(lo, hi)
    for t in totals.at_event:  # at most one printed total per component
        if (prv is None or t > prv) and t < k:
            lo = max(lo, totals.at_event[t])
        if t > k and (nxt is None or t < nxt):
            hi = min(hi, totals.at_event[t] - 1)
    return min(lo, hi), max(lo, hi)


def candidate_tokens(events: Events, layout: CardLayout, totals: PrintedTotals, anchor_of: dict[int, int],
                     name: str, problems: list[IngestProblem]) -> list[Token]:
    """Every usable score token with the indicators it fits; unusable ones are reported and dropped."""
    tokens: list[Token] = []
    for k, e in enumerate(events.items):
        if e.kind != "token":
            continue
        lo, hi = _component_range(k, events, layout, totals)
        comps = [layout.comp_ids[c] for c in range(lo, hi + 1)]
        where = comps[0] if len(comps) == 1 else None
        fitting = [i for i in range(len(layout.ind_ids))
                   if lo <= layout.ind_comp[i] <= hi and abs(layout.ind_max[i] - e.max_score) < EPS]
        if not fitting:
            problems.append(IngestProblem(
                name, "warning", f"line {e.line}: score {fmt(e.value)}/{fmt(e.max_score)} fits no "
                f"indicator of {' or '.join(comps)} (no maximum of {fmt(e.max_score)}); ignored",
                component=where))
            continue
        if e.value > e.max_score + EPS:
            problems.append(IngestProblem(
                name, "warning", f"line {e.line}: score {fmt(e.value)}/{fmt(e.max_score)} is above its "
                "maximum; ignored", component=where,
                candidates=tuple(layout.ind_ids[i] for i in fitting)))
            continue
        tokens.append(Token(e, fitting, anchor_of.get(k)))
    return tokens
