"""Read DMAF report cards (PDF or extracted text) into the long score table.

A report card is one city's assessment for one cycle. Its extracted text is out of
order: a score token such as ``Score: 10/30`` does not always follow the heading of
its indicator, some scores were images and are absent, and component totals appear
as ``Score N 100``. Neither nearness to a heading nor the order of the tokens
explains the text on its own, so a placement is built from four pieces of evidence:

1. **Component.** A token lies between two indicator headings. When both belong to
   the same component, so does the token; in the gap between two components it may
   belong to either, and a printed component total (which opens its component)
   splits the gap. Tokens never interleave across components: read top to bottom,
   the component of the tokens never goes back.
2. **Maximum.** A token out of M can only belong to an indicator whose maximum is
   M. A token above its maximum, or whose maximum fits no indicator it could
   belong to, is dropped and reported.
3. **Heading.** A token *sits by* a heading when it is the first score after that
   heading, has that indicator's maximum, and no other score of that maximum
   follows it before the next heading or printed component total. Such a token
   placed on that indicator is direct evidence and is exempt from rule 4. (In the
   real card the Policy scores 30, 40, 30 all follow the 1.c&d heading, in
   framework order: the first of a run like that is not taken as 1.c&d's.)
4. **Order.** Within one component, the tokens that do not sit on their own
   heading's indicator keep the framework order of the indicators, among those
   that share their maximum and are not taken by a token sitting by its heading
   (this is the reading that explains the Outcomes block of the one real card:
   there the 0/20, the 15/20 and the second 0/30 are none of them the first score
   below a heading of their maximum).

Among the placements allowed by 1, 2 and 4, the search keeps those that drop the
fewest tokens, then contradict the fewest printed component totals, then keep the
most tokens on the indicators whose headings they sit by, then confirm the most
printed totals (every indicator of the component placed and the sum equal to the
total). So a score directly below its own heading stays there unless that would
cost a token or contradict a printed total, and the order rule only arranges the
scores that are left.

If more than one placement is still possible, the scores they disagree on are
*ambiguous*. With ``ambiguous="order"`` (the default) the placement that gives
every token the earliest indicator in framework order is used, those scores are
marked ``placed_by="order"`` and each is reported with its candidates; with
``ambiguous="missing"`` they are left empty and reported.

``placed_by`` is ``heading`` when the score sits by its indicator's heading, when
its maximum occurs only once in the component, or when the printed component total
leaves no choice (0, or the sum of the maxima); otherwise it is ``order``.

Every placement problem is a :class:`IngestProblem` naming the file, the component
and the candidate indicators. A text that ends below its last indicator heading
with no score after it gets a warning (it may be cut short, or the last score may
have been an image; the text cannot tell these apart, so the card is still read).
A file that cannot be read at all (empty, not a report card, missing headings,
unreadable) raises a :class:`ReportCardError`;
:func:`ingest` turns that into an error-level problem and carries on with the
other files.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from .cities import CityMatcher, load_cities
from .errors import (NotAReportCardError, ReportCardError, TruncatedReportCardError, UnknownCityError,
                     UnreadableFileError)
from .framework import Framework, load_frameworks
from .io import decode_text, read_input_bytes

#: Columns of the score table written by :func:`ingest`.
SCORE_COLUMNS = ["cycle", "city", "state", "indicator", "score", "source", "placed_by"]
#: File suffixes picked up when a folder is given.
REPORT_SUFFIXES = (".txt", ".pdf")
AMBIGUOUS_POLICIES = ("order", "missing")

_EPS = 1e-6
_SEARCH_LIMIT = 500_000  # nodes visited by the placement search before giving up


@dataclass(frozen=True)
class IngestProblem:
    """One thing reported while reading report cards.

    Attributes
    ----------
    file : str
        The file concerned.
    level : str
        ``error`` (the file was not read) or ``warning`` (the file was read; a
        score was left missing, placed by order, or a check failed, or the text
        may be cut short below its last heading).
    message : str
    component : str or None
        Component id for placement and total problems.
    candidates : tuple of str
        Indicator ids a score could belong to (placement problems only).
    """

    file: str
    level: str
    message: str
    component: str | None = None
    candidates: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = self.file if self.component is None else f"{self.file} [{self.component}]"
        return f"{where}: {self.level}: {self.message}"


def problems_frame(problems: Sequence[IngestProblem]) -> pd.DataFrame:
    """Problems as a table.

    Returns
    -------
    DataFrame
        Columns ``file, level, component, candidates, message``; ``candidates`` is a
        space-separated list of indicator ids (empty when not a placement problem).
    """
    return pd.DataFrame(
        [{"file": p.file, "level": p.level, "component": p.component or "",
          "candidates": " ".join(p.candidates), "message": p.message} for p in problems],
        columns=["file", "level", "component", "candidates", "message"])


# ------------------------------------------------------------------------- the result
@dataclass(frozen=True, eq=False)
class ReportCard:
    """One report card, read and placed.

    Attributes
    ----------
    source : str
        The file (or label) the text came from.
    cycle : int
    city : str
        Canonical Smart City name.
    state : str
        State from the cities table.
    printed_city, printed_state : str
        As printed on the card.
    engagement_score, overall : float
        As printed; NaN when not printed.
    totals : dict
        Component id -> printed component total (only the printed ones).
    scores : DataFrame
        One row per framework indicator, framework order, columns
        ``indicator, component, max_score, score, placed_by, line``: ``score`` is
        NaN and ``placed_by`` empty when missing; ``line`` is the 1-based line of
        the score token in the text (0 when missing).
    problems : list of IngestProblem
        Warnings about this card (ambiguous or dropped scores, failed checks, a
        text that ends below its last heading without a score).
    """

    source: str
    cycle: int
    city: str
    state: str
    printed_city: str
    printed_state: str
    engagement_score: float
    overall: float
    totals: dict
    scores: pd.DataFrame
    problems: list = field(default_factory=list)

    def score_rows(self) -> pd.DataFrame:
        """This card in the long score table layout (columns :data:`SCORE_COLUMNS`)."""
        n = len(self.scores)
        return pd.DataFrame({
            "cycle": [self.cycle] * n, "city": [self.city] * n, "state": [self.state] * n,
            "indicator": self.scores["indicator"].tolist(),
            "score": self.scores["score"].astype(float).tolist(),
            "source": [self.source] * n,
            "placed_by": self.scores["placed_by"].tolist(),
        }, columns=SCORE_COLUMNS)

    def city_row(self, component_ids: Sequence[str]) -> dict:
        """This card's row of the city table (see :func:`ingest`)."""
        row = {"cycle": self.cycle, "city": self.city, "state": self.state,
               "engagement_score": self.engagement_score}
        for comp in component_ids:
            row[comp] = self.totals.get(comp, math.nan)
        row["overall"] = self.overall
        row["source"] = self.source
        return row


class IngestResult(NamedTuple):
    """What :func:`ingest` returns; unpacks as ``scores, cities, problems``."""

    scores: pd.DataFrame
    cities: pd.DataFrame
    problems: list


# ---------------------------------------------------------------------- reading files
def extract_text(path: str | Path) -> str:
    """Text of a report card file: a PDF (through pdfplumber) or UTF-8 text.

    The kind is recognised from the content (``%PDF-``), not the suffix. Line
    endings are normalised to ``\\n``.

    Raises
    ------
    UnreadableFileError
        Missing, a folder, unreadable, empty, binary, not UTF-8, a broken PDF or a
        PDF without a text layer.
    """
    path = Path(path)
    name = str(path)
    expected = "a report card (PDF or extracted text)"
    data = read_input_bytes(path, expected=expected, error=UnreadableFileError)
    if data.lstrip()[:5] == b"%PDF-":
        text = _pdf_text(data, name)
    else:
        text = decode_text(data, name, expected=expected, error=UnreadableFileError)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _pdf_text(data: bytes, name: str) -> str:
    import io

    import pdfplumber  # heavy; only needed for PDFs

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = [page.extract_text() or "" for page in pdf.pages]
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many types for broken or truncated files
        kind = type(exc).__name__
        if "Password" in kind or "Encrypt" in kind or b"/Encrypt" in data:
            raise UnreadableFileError(f"{name}: the PDF is password-protected (encrypted); save a copy "
                                      "without a password, or extract its text, and read that") from None
        detail = str(exc) or kind
        raise UnreadableFileError(f"{name}: not a readable PDF, it may be truncated or damaged "
                                  f"({detail})") from None
    text = "\n".join(pages)
    if not text.strip():
        raise UnreadableFileError(f"{name}: the PDF has no text layer (a scanned image?); "
                                  "extract its text first")
    return text


def find_report_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[IngestProblem]]:
    """Expand the given files and folders into the report card files to read.

    A folder contributes its ``.txt`` and ``.pdf`` files (not its sub-folders, not
    hidden files), sorted by name. Named files are kept whatever their suffix.

    Returns
    -------
    files : list of Path
        Without duplicates, in the order given.
    problems : list of IngestProblem
        Error-level problems for paths that do not exist and folders without
        report cards.
    """
    files: list[Path] = []
    problems: list[IngestProblem] = []
    seen: set[Path] = set()

    def add(p: Path) -> None:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            files.append(p)

    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(f for f in p.iterdir()
                           if f.is_file() and not f.name.startswith(".")
                           and f.suffix.lower() in REPORT_SUFFIXES)
            if not found:
                problems.append(IngestProblem(str(p), "error", "the folder holds no report cards "
                                              f"({', '.join(REPORT_SUFFIXES)} files)"))
            for f in found:
                add(f)
        elif p.exists():
            add(p)
        else:
            problems.append(IngestProblem(str(p), "error", "no such file or folder"))
    return files, problems


# ------------------------------------------------------------------------ tokenising
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


@dataclass
class _Event:
    kind: str          # "heading", "token" or "total"
    pos: int           # character offset
    line: int          # 1-based line
    indicator: str = ""
    value: float = math.nan
    max_score: float = math.nan


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


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


def _fmt(x: float) -> str:
    return f"{x:g}"


# ------------------------------------------------------------------- the placement
@dataclass
class _Token:
    event: _Event
    candidates: list[int]            # indicator positions it may take
    anchor_of: int | None = None     # indicator whose heading it sits by


class _Placement:
    """Search of every placement of the tokens allowed by components, maxima and order."""

    def __init__(self, tokens: list[_Token], ind_comp: list[int],
                 class_of: list[tuple[int, float]], totals: dict[int, float], n_comp: int):
        self.tokens = tokens
        self.ind_comp = ind_comp
        self.class_of = class_of
        self.totals = totals
        self.comp_size = [ind_comp.count(c) for c in range(n_comp)]
        self.best_key: tuple | None = None
        self.best_first: list | None = None
        self.values: list[set] = []
        self.token_sets: list[set] = []
        self.nodes = 0

    def run(self) -> None:
        n = len(self.tokens)
        self._search(0, 0, [None] * n, {}, {}, 0, 0)

    def _search(self, i, comp_floor, chosen, used, last_in_class, drops, anchors):
        self.nodes += 1
        if self.nodes > _SEARCH_LIMIT:
            raise _TooComplex()
        if self.best_key is not None and drops > self.best_key[0]:
            return
        if i == len(self.tokens):
            self._leaf(chosen, used, drops, anchors)
            return
        tok = self.tokens[i]
        for ind in tok.candidates:
            comp = self.ind_comp[ind]
            if comp < comp_floor or ind in used:
                continue
            chosen[i] = ind
            used[ind] = i
            if tok.anchor_of == ind:
                # a token on the indicator whose heading it sits by is outside the order rule
                self._search(i + 1, comp, chosen, used, last_in_class, drops, anchors + 1)
            else:
                cls = self.class_of[ind]
                prev = last_in_class.get(cls)
                if prev is None or prev < ind:
                    last_in_class[cls] = ind
                    self._search(i + 1, comp, chosen, used, last_in_class, drops, anchors)
                    if prev is None:
                        del last_in_class[cls]
                    else:
                        last_in_class[cls] = prev
            del used[ind]
        chosen[i] = None
        self._search(i + 1, comp_floor, chosen, used, last_in_class, drops + 1, anchors)

    def _totals(self, used) -> tuple[int, int]:
        """Printed totals contradicted, and printed totals confirmed, by a placement."""
        broken = confirmed = 0
        for comp, total in self.totals.items():
            placed = [ind for ind in used if self.ind_comp[ind] == comp]
            s = sum(self.tokens[used[ind]].event.value for ind in placed)
            if len(placed) == self.comp_size[comp]:
                ok = abs(s - total) <= _EPS
                broken += not ok
                confirmed += ok
            else:
                broken += s > total + _EPS
        return broken, confirmed

    def _leaf(self, chosen, used, drops, anchors):
        broken, confirmed = self._totals(used)
        key = (drops, broken, -anchors, -confirmed)
        if self.best_key is None or key < self.best_key:
            self.best_key = key
            self.best_first = list(chosen)     # the search runs in order: first = earliest
            self.values = [set() for _ in self.ind_comp]
            self.token_sets = [set() for _ in self.tokens]
        if key != self.best_key:
            return
        for ind in range(len(self.ind_comp)):
            t = used.get(ind)
            self.values[ind].add(None if t is None else self.tokens[t].event.value)
        for t, ind in enumerate(chosen):
            self.token_sets[t].add(ind)


class _TooComplex(Exception):
    pass


# ------------------------------------------------------------------------- parsing
def parse_report_card(text: str, source: str = "<text>", *, ambiguous: str = "order",
                      frameworks: dict[int, Framework] | None = None,
                      cities: pd.DataFrame | None = None,
                      default_cycle: int | None = None) -> ReportCard:
    """Parse the extracted text of one report card.

    Parameters
    ----------
    text : str
        The card's text, as extracted from the PDF.
    source : str
        Name used in messages and in the ``source`` column.
    ambiguous : {"order", "missing"}
        What to do with a score that more than one placement allows: place it by
        framework order (``placed_by="order"``) or leave it missing. Reported in
        both cases.
    frameworks : dict, optional
        Cycle -> Framework (default: the bundled frameworks).
    cities : DataFrame, optional
        Cities table (default: the 100 Smart Cities).
    default_cycle : int, optional
        Cycle to assume when the title does not state one.

    Returns
    -------
    ReportCard

    Raises
    ------
    NotAReportCardError, TruncatedReportCardError, ReportCardError
        The text is not a DMAF report card, stops early or lacks headings, names
        an unknown city, or has no usable cycle.
    """
    if ambiguous not in AMBIGUOUS_POLICIES:
        raise ValueError(f"ambiguous must be one of {AMBIGUOUS_POLICIES}, got {ambiguous!r}")
    frameworks = load_frameworks() if frameworks is None else frameworks
    cities = load_cities() if cities is None else cities
    name = source
    if not text.strip():
        raise UnreadableFileError(f"{name}: the file is empty")

    headings = list(_HEADING_RE.finditer(text))
    header = text[:headings[0].start()] if headings else text
    has_title = bool(_TITLE_RE.search(header))
    if not has_title and not headings:
        raise NotAReportCardError(f"{name}: not a DMAF report card (no 'Data Maturity Assessment "
                                  "Framework' title and no 'Indicator' headings)")
    if not headings:
        raise TruncatedReportCardError(f"{name}: the report card stops before its first "
                                       "indicator heading (truncated?)")

    # cycle -------------------------------------------------------------------------
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
    fw = frameworks[cycle]

    # city and state ----------------------------------------------------------------
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
    state_of = dict(zip(cities["city"], cities["state"]))
    state = state_of.get(city, "")
    problems: list[IngestProblem] = []
    if printed_state and printed_state.casefold() != state.casefold():
        problems.append(IngestProblem(name, "warning", f"the card gives the state as {printed_state!r}, "
                                      f"the cities table has {state!r} for {city}; using the table"))

    engagement = _read_percent(_ENGAGEMENT_RE.search(header), "engagement score", name, problems)
    overall = _read_percent(_OVERALL_RE.search(header), "overall score", name, problems)

    # headings -------------------------------------------------------------------------
    aliases = _indicator_aliases(fw)
    comp_ids = fw.component_ids
    comp_index = {c: k for k, c in enumerate(comp_ids)}
    ind_ids = fw.indicator_ids
    ind_pos = {ind: k for k, ind in enumerate(ind_ids)}
    ind_comp = [comp_index[c] for c in fw.indicators["component"]]
    ind_max = [float(x) for x in fw.indicators["max_score"]]

    events: list[_Event] = []
    seen_heading: set[str] = set()
    for hm in headings:
        printed = _heading_id(hm)
        ind = aliases.get(printed)
        line = _line_of(text, hm.start())
        if ind is None:
            problems.append(IngestProblem(name, "warning", f"line {line}: heading 'Indicator {printed}' "
                                          f"is not an indicator of cycle {cycle}; ignored"))
            continue
        if ind in seen_heading:
            problems.append(IngestProblem(name, "warning", f"line {line}: second heading for indicator "
                                          f"{ind}; ignored", component=comp_ids[ind_comp[ind_pos[ind]]]))
            continue
        seen_heading.add(ind)
        events.append(_Event("heading", hm.start(), line, indicator=ind))
    missing_headings = [ind for ind in ind_ids if ind not in seen_heading]
    if missing_headings:
        present = [ind for ind in ind_ids if ind in seen_heading]
        last = present[-1] if present else None
        if last is not None and ind_pos[missing_headings[0]] > ind_pos[last]:
            raise TruncatedReportCardError(
                f"{name}: the report card stops after indicator {last}; no heading for "
                f"{', '.join(missing_headings)} (truncated?)")
        raise TruncatedReportCardError(f"{name}: no heading for indicator(s) "
                                       f"{', '.join(missing_headings)}; the text is incomplete")

    # scores and totals ----------------------------------------------------------------
    indicator_maxima = set(ind_max)
    for tm in _TOKEN_RE.finditer(text):
        value, max_score = float(tm.group(1)), float(tm.group(2))
        # "Score: 15/100" is a component total unless some indicator is out of 100
        kind = "total" if abs(max_score - 100) < _EPS and 100.0 not in indicator_maxima else "token"
        events.append(_Event(kind, tm.start(), _line_of(text, tm.start()), value=value, max_score=max_score))
    for tm in _TOTAL_RE.finditer(text):
        events.append(_Event("total", tm.start(), _line_of(text, tm.start()),
                             value=float(tm.group(1)), max_score=100.0))
    events.sort(key=lambda e: e.pos)

    heading_idx = [k for k, e in enumerate(events) if e.kind == "heading"]

    def comp_of_heading(k: int) -> int:
        return ind_comp[ind_pos[events[k].indicator]]

    # component totals: a total opens the component of the next heading
    totals: dict[int, float] = {}
    total_comp: dict[int, int] = {}
    for k, e in enumerate(events):
        if e.kind != "total":
            continue
        nxt = next((h for h in heading_idx if h > k), None)
        prv = next((h for h in reversed(heading_idx) if h < k), None)
        comp = comp_of_heading(nxt) if nxt is not None else comp_of_heading(prv)
        if e.value > 100 + _EPS:
            problems.append(IngestProblem(name, "warning", f"line {e.line}: component total {_fmt(e.value)} "
                                          "is above 100; ignored", component=comp_ids[comp]))
            continue
        if comp in totals:
            problems.append(IngestProblem(name, "warning", f"line {e.line}: a second total for the "
                                          "component; both ignored", component=comp_ids[comp]))
            totals[comp] = math.nan
            continue
        totals[comp] = e.value
        total_comp[k] = comp
    dup_total = {c for c, v in totals.items() if math.isnan(v)}
    total_comp = {k: c for k, c in total_comp.items() if c not in dup_total}
    totals = {c: v for c, v in totals.items() if c not in dup_total}
    total_events = sorted(total_comp)

    # anchors: the first score after a heading, when it has that indicator's maximum and no
    # other score of that maximum follows it before the next heading or printed total (a run
    # of same-maximum scores under one heading, like the real card's Policy block, is left to
    # the order rule)
    anchor_for_event: dict[int, int] = {}
    for h in heading_idx:
        end = next((k for k in range(h + 1, len(events)) if events[k].kind != "token"), len(events))
        block = list(range(h + 1, end))
        ind = ind_pos[events[h].indicator]
        if (block and abs(events[block[0]].max_score - ind_max[ind]) < _EPS
                and not any(abs(events[k].max_score - ind_max[ind]) < _EPS for k in block[1:])):
            anchor_for_event[block[0]] = ind

    # tokens: component range from the headings and totals around each one
    tokens: list[_Token] = []
    for k, e in enumerate(events):
        if e.kind != "token":
            continue
        prv = next((h for h in reversed(heading_idx) if h < k), None)
        nxt = next((h for h in heading_idx if h > k), None)
        lo = comp_of_heading(prv) if prv is not None else 0
        hi = comp_of_heading(nxt) if nxt is not None else len(comp_ids) - 1
        lo, hi = min(lo, hi), max(lo, hi)
        for t in total_events:
            if (prv is None or t > prv) and t < k:
                lo = max(lo, total_comp[t])
            if t > k and (nxt is None or t < nxt):
                hi = min(hi, total_comp[t] - 1)
        if lo > hi:
            lo, hi = min(lo, hi), max(lo, hi)
        comps = [comp_ids[c] for c in range(lo, hi + 1)]
        where = comps[0] if len(comps) == 1 else None
        fitting = [i for i in range(len(ind_ids))
                   if lo <= ind_comp[i] <= hi and abs(ind_max[i] - e.max_score) < _EPS]
        if not fitting:
            problems.append(IngestProblem(
                name, "warning", f"line {e.line}: score {_fmt(e.value)}/{_fmt(e.max_score)} fits no "
                f"indicator of {' or '.join(comps)} (no maximum of {_fmt(e.max_score)}); ignored",
                component=where))
            continue
        if e.value > e.max_score + _EPS:
            problems.append(IngestProblem(
                name, "warning", f"line {e.line}: score {_fmt(e.value)}/{_fmt(e.max_score)} is above its "
                "maximum; ignored", component=where,
                candidates=tuple(ind_ids[i] for i in fitting)))
            continue
        tokens.append(_Token(e, fitting, anchor_for_event.get(k)))

    class_of = [(ind_comp[i], ind_max[i]) for i in range(len(ind_ids))]
    search = _Placement(tokens, ind_comp, class_of, totals, len(comp_ids))
    try:
        search.run()
    except _TooComplex:
        raise ReportCardError(f"{name}: too many ways to place the {len(tokens)} scores; "
                              "the text is too damaged to read") from None
    chosen = search.best_first or []
    values = search.values or [set() for _ in ind_ids]

    # build the indicator rows ---------------------------------------------------------
    token_at = {ind: t for t, ind in enumerate(chosen) if ind is not None}

    # a text that stops below its last heading may be cut short: only the last component
    # can lose scores that way (a score after the last heading belongs to it)
    last_heading = events[heading_idx[-1]]
    last_comp = ind_comp[ind_pos[last_heading.indicator]]
    unscored = [ind_ids[i] for i in range(len(ind_ids)) if ind_comp[i] == last_comp and i not in token_at]
    if heading_idx[-1] == len(events) - 1 and unscored:
        problems.append(IngestProblem(
            name, "warning", f"the text ends after the heading of indicator {last_heading.indicator} "
            f"(line {last_heading.line}) with no score below it, and {', '.join(unscored)} "
            f"{'has' if len(unscored) == 1 else 'have'} no score: the card may be truncated (or "
            f"{'that score was an image' if len(unscored) == 1 else 'those scores were images'}); "
            "check the source", component=comp_ids[last_comp]))
    score_col: list[float] = []
    placed_col: list[str] = []
    line_col: list[int] = []
    for i in range(len(ind_ids)):
        comp = ind_comp[i]
        t = token_at.get(i)
        certain = len(values[i]) == 1
        if t is None or (not certain and ambiguous == "missing"):
            score_col.append(math.nan)
            placed_col.append("")
            line_col.append(0)
            continue
        tok = tokens[t]
        if certain:
            class_size = sum(1 for j in range(len(ind_ids)) if class_of[j] == class_of[i])
            total = totals.get(comp)
            pinned = total is not None and (
                (abs(total) < _EPS and abs(tok.event.value) < _EPS)
                or (abs(total - 100) < _EPS and abs(tok.event.value - ind_max[i]) < _EPS))
            how = "heading" if (tok.anchor_of == i or class_size == 1 or pinned) else "order"
        else:
            how = "order"
        score_col.append(tok.event.value)
        placed_col.append(how)
        line_col.append(tok.event.line)

    # report the ambiguous and the dropped scores -----------------------------------------
    token_sets = search.token_sets
    for t, tok in enumerate(tokens):
        options = token_sets[t]
        inds = sorted(o for o in options if o is not None)
        if options == {None}:
            problems.append(IngestProblem(
                name, "warning", f"line {tok.event.line}: score {_fmt(tok.event.value)}/"
                f"{_fmt(tok.event.max_score)} could not be placed: every indicator it fits "
                f"({', '.join(ind_ids[c] for c in tok.candidates)}) is taken or out of order; ignored",
                component=_comp_name(comp_ids, ind_comp, tok.candidates),
                candidates=tuple(ind_ids[c] for c in tok.candidates)))
            continue
        ambiguous_here = len(options) > 1 or any(len(values[i]) > 1 for i in inds)
        if not ambiguous_here:
            continue
        cands = tuple(ind_ids[i] for i in inds)
        chosen_ind = chosen[t]
        label = f"line {tok.event.line}: score {_fmt(tok.event.value)}/{_fmt(tok.event.max_score)}"
        alternatives = " or ".join(cands) + (" or no indicator" if None in options else "")
        if ambiguous == "order" and chosen_ind is not None:
            msg = (f"{label} could belong to {alternatives}; placed on {ind_ids[chosen_ind]} by order "
                   "(placed_by=order)")
        else:
            msg = f"{label} could belong to {alternatives}; left missing"
        problems.append(IngestProblem(name, "warning", msg,
                                      component=_comp_name(comp_ids, ind_comp, inds), candidates=cands))

    scores = pd.DataFrame({
        "indicator": ind_ids,
        "component": [comp_ids[c] for c in ind_comp],
        "max_score": ind_max,
        "score": pd.Series(score_col, dtype=float),
        "placed_by": placed_col,
        "line": line_col,
    })

    # check printed totals against the indicator scores ---------------------------------
    for comp, total in totals.items():
        part = scores[scores["component"] == comp_ids[comp]]
        s = float(part["score"].sum())
        if part["score"].notna().all():
            if abs(s - total) > _EPS:
                problems.append(IngestProblem(
                    name, "warning", f"printed total {_fmt(total)} differs from the sum of the indicator "
                    f"scores {_fmt(s)}", component=comp_ids[comp],
                    candidates=tuple(part["indicator"])))
        elif s > total + _EPS:
            problems.append(IngestProblem(
                name, "warning", f"the indicator scores read so far add up to {_fmt(s)}, above the "
                f"printed total {_fmt(total)}", component=comp_ids[comp],
                candidates=tuple(part["indicator"])))

    return ReportCard(source=name, cycle=cycle, city=city, state=state, printed_city=printed_city,
                      printed_state=printed_state, engagement_score=engagement, overall=overall,
                      totals={comp_ids[c]: v for c, v in sorted(totals.items())},
                      scores=scores, problems=problems)


def _comp_name(comp_ids, ind_comp, inds) -> str | None:
    comps = sorted({ind_comp[i] for i in inds})
    return "/".join(comp_ids[c] for c in comps) if comps else None


def _read_percent(match, what: str, name: str, problems: list) -> float:
    if not match:
        return math.nan
    value = float(match.group(1))
    if value > 100 + _EPS:
        problems.append(IngestProblem(name, "warning", f"the {what} {_fmt(value)} is above 100; left empty"))
        return math.nan
    return value


def read_report_card(path: str | Path, *, ambiguous: str = "order",
                     frameworks: dict[int, Framework] | None = None,
                     cities: pd.DataFrame | None = None,
                     default_cycle: int | None = None) -> ReportCard:
    """Read one report card file (PDF or extracted text).

    See :func:`parse_report_card` for the parameters and the result;
    :func:`extract_text` for how the file is read.

    Raises
    ------
    ReportCardError
        The file cannot be read or is not a complete DMAF report card.
    """
    text = extract_text(path)
    return parse_report_card(text, str(path), ambiguous=ambiguous, frameworks=frameworks,
                             cities=cities, default_cycle=default_cycle)


def ingest(paths: Iterable[str | Path], *, ambiguous: str = "order",
           frameworks: dict[int, Framework] | None = None,
           cities: pd.DataFrame | None = None,
           default_cycle: int | None = None) -> IngestResult:
    """Read report cards into the score table and the city table.

    Parameters
    ----------
    paths : iterable of str or Path
        Report card files (PDF or text) and folders of them.
    ambiguous, frameworks, cities, default_cycle
        As in :func:`parse_report_card`.

    Returns
    -------
    IngestResult
        A named tuple ``(scores, cities, problems)``:

        ``scores`` : DataFrame
            Columns ``cycle, city, state, indicator, score, source, placed_by``;
            one row per framework indicator of every card read; ``score`` NaN and
            ``placed_by`` empty when missing; ``source`` is the file.
        ``cities`` : DataFrame
            Columns ``cycle, city, state, engagement_score``, one per component id,
            ``overall`` and ``source``: the values as printed, NaN when not printed.
        ``problems`` : list of IngestProblem
            Errors (files not read) and warnings (placements, checks).
    """
    frameworks = load_frameworks() if frameworks is None else frameworks
    cities = load_cities() if cities is None else cities
    files, problems = find_report_files(paths)
    cards: list[ReportCard] = []
    seen: dict[tuple[int, str], str] = {}
    for path in files:
        try:
            card = read_report_card(path, ambiguous=ambiguous, frameworks=frameworks, cities=cities,
                                    default_cycle=default_cycle)
        except ReportCardError as exc:
            problems.append(IngestProblem(str(path), "error", _strip_name(str(exc), str(path))))
            continue
        key = (card.cycle, card.city)
        if key in seen:
            problems.append(IngestProblem(str(path), "error", f"{card.city}, cycle {card.cycle} was already "
                                          f"read from {seen[key]}; this file is skipped"))
            continue
        seen[key] = str(path)
        cards.append(card)
        problems.extend(card.problems)

    comp_ids: list[str] = []
    for cycle in sorted({c.cycle for c in cards}):
        comp_ids += [c for c in frameworks[cycle].component_ids if c not in comp_ids]
    if not cards:
        comp_ids = list(frameworks[max(frameworks)].component_ids)
    score_parts = [c.score_rows() for c in cards]
    scores = (pd.concat(score_parts, ignore_index=True) if score_parts
              else pd.DataFrame(columns=SCORE_COLUMNS))
    city_cols = ["cycle", "city", "state", "engagement_score", *comp_ids, "overall", "source"]
    city_table = pd.DataFrame([c.city_row(comp_ids) for c in cards], columns=city_cols)
    return IngestResult(scores, city_table, problems)


def _strip_name(message: str, name: str) -> str:
    prefix = f"{name}: "
    return message[len(prefix):] if message.startswith(prefix) else message
