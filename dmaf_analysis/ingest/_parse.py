"""Parsing one report card's text: the steps named in :mod:`dmaf_analysis.ingest`, in order.

1. header (cycle, city, state, printed percentages), 2. events (headings, score
tokens, printed totals), 3. printed totals, 4. anchors, 5. candidates,
6. placement, then the checks: truncation, the score table, ambiguity and the
printed totals against the indicator scores.
"""
from __future__ import annotations

import math

import pandas as pd

from ..cities import load_cities
from ..errors import UnreadableFileError
from ..framework import Framework, frameworks_or_bundled
from ._model import AMBIGUOUS_POLICIES, IngestProblem, ReportCard
from ._placement import PlacementOutcome, place
from ._scan import (
    EPS,
    CardLayout,
    Events,
    Token,
    anchors,
    candidate_tokens,
    find_headings,
    fmt,
    printed_totals,
    read_events,
    read_header,
)

__all__ = ["parse_report_card"]


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
    frameworks = frameworks_or_bundled(frameworks)
    cities = load_cities() if cities is None else cities
    name = source
    if not text.strip():
        raise UnreadableFileError(f"{name}: the file is empty")
    problems: list[IngestProblem] = []

    headings = find_headings(text, name)
    header = read_header(text[:headings[0].start()], name, frameworks=frameworks, cities=cities,
                         default_cycle=default_cycle, problems=problems)
    layout = CardLayout.of(frameworks[header.cycle])
    events = read_events(text, headings, layout, header.cycle, name, problems)
    totals = printed_totals(events, layout, name, problems)
    tokens = candidate_tokens(events, layout, totals, anchors(events, layout), name, problems)
    outcome = place(tokens, layout, totals.totals, name)

    _warn_if_truncated(events, layout, outcome, name, problems)
    scores = _score_table(tokens, outcome, layout, totals.totals, ambiguous)
    _report_ambiguity(tokens, outcome, layout, ambiguous, name, problems)
    _check_totals(scores, totals.totals, layout, name, problems)
    return ReportCard(source=name, cycle=header.cycle, city=header.city, state=header.state,
                      printed_city=header.printed_city, printed_state=header.printed_state,
                      engagement_score=header.engagement, overall=header.overall,
                      totals={layout.comp_ids[c]: v for c, v in sorted(totals.totals.items())},
                      scores=scores, problems=problems)


def _warn_if_truncated(events: Events, layout: CardLayout, outcome: PlacementOutcome, name: str,
                       problems: list[IngestProblem]) -> None:
    """A text that stops below its last heading may be cut short.

    Only the last component can lose scores that way (a score after the last
    heading belongs to it).
    """
    last_heading = events.items[events.heading_idx[-1]]
    last_comp = layout.ind_comp[layout.ind_pos[last_heading.indicator]]
    token_at = outcome.token_at
    unscored = [layout.ind_ids[i] for i in range(len(layout.ind_ids))
                if layout.ind_comp[i] == last_comp and i not in token_at]
    if events.heading_idx[-1] == len(events.items) - 1 and unscored:
        one = len(unscored) == 1
        problems.append(IngestProblem(
            name, "warning", f"the text ends after the heading of indicator {last_heading.indicator} "
            f"(line {last_heading.line}) with no score below it, and {', '.join(unscored)} "
            f"{'has' if one else 'have'} no score: the card may be truncated (or "
            f"{'that score was an image' if one else 'those scores were images'}); "
            "check the source", component=layout.comp_ids[last_comp]))


def _placed_by(i: int, tok: Token, layout: CardLayout, totals: dict[int, float]) -> str:
    """``heading`` when the token sits by its heading, its class has one indicator or the total pins it."""
    class_size = sum(1 for j in range(len(layout.ind_ids)) if layout.class_of(j) == layout.class_of(i))
    total = totals.get(layout.ind_comp[i])
    pinned = total is not None and (
        (abs(total) < EPS and abs(tok.event.value) < EPS)
        or (abs(total - 100) < EPS and abs(tok.event.value - layout.ind_max[i]) < EPS))
    return "heading" if (tok.anchor_of == i or class_size == 1 or pinned) else "order"


def _score_table(tokens: list[Token], outcome: PlacementOutcome, layout: CardLayout, totals: dict[int, float],
                 ambiguous: str) -> pd.DataFrame:
    """One row per indicator: ``indicator, component, max_score, score, placed_by, line``."""
    token_at = outcome.token_at
    score_col: list[float] = []
    placed_col: list[str] = []
    line_col: list[int] = []
    for i in range(len(layout.ind_ids)):
        t = token_at.get(i)
        certain = len(outcome.values[i]) == 1
        if t is None or (not certain and ambiguous == "missing"):
            score_col.append(math.nan)
            placed_col.append("")
            line_col.append(0)
            continue
        tok = tokens[t]
        score_col.append(tok.event.value)
        placed_col.append(_placed_by(i, tok, layout, totals) if certain else "order")
        line_col.append(tok.event.line)
    return pd.DataFrame({
        "indicator": layout.ind_ids,
        "component": [layout.comp_ids[c] for c in layout.ind_comp],
        "max_score": layout.ind_max,
        "score": pd.Series(score_col, dtype=float),
        "placed_by": placed_col,
        "line": line_col,
    })


def _report_ambiguity(tokens: list[Token], outcome: PlacementOutcome, layout: CardLayout, ambiguous: str,
                      name: str, problems: list[IngestProblem]) -> None:
    """Report the scores no placement could use and those more than one placement allows."""
    ind_ids = layout.ind_ids
    for t, tok in enumerate(tokens):
        options = outcome.token_sets[t]
        inds = sorted(o for o in options if o is not None)
        label = f"line {tok.event.line}: score {fmt(tok.event.value)}/{fmt(tok.event.max_score)}"
        if options == {None}:
            problems.append(IngestProblem(
                name, "warning", f"{label} could not be placed: every indicator it fits "
                f"({', '.join(ind_ids[c] for c in tok.candidates)}) is taken or out of order; ignored",
                component=layout.comp_name(tok.candidates),
                candidates=tuple(ind_ids[c] for c in tok.candidates)))
            continue
        if not (len(options) > 1 or any(len(outcome.values[i]) > 1 for i in inds)):
            continue
        cands = tuple(ind_ids[i] for i in inds)
        chosen_ind = outcome.chosen[t]
        alternatives = " or ".join(cands) + (" or no indicator" if None in options else "")
        if ambiguous == "order" and chosen_ind is not None:
            msg = (f"{label} could belong to {alternatives}; placed on {ind_ids[chosen_ind]} by order "
                   "(placed_by=order)")
        else:
            msg = f"{label} could belong to {alternatives}; left missing"
        problems.append(IngestProblem(name, "warning", msg, component=layout.comp_name(inds), candidates=cands))


def _check_totals(scores: pd.DataFrame, totals: dict[int, float], layout: CardLayout, name: str,
                  problems: list[IngestProblem]) -> None:
    """Printed component totals against the sum of the indicator scores read."""
    for comp, total in totals.items():
        part = scores[scores["component"] == layout.comp_ids[comp]]
        s = float(part["score"].sum())
        if part["score"].notna().all():
            if abs(s - total) > EPS:
                problems.append(IngestProblem(
                    name, "warning", f"printed total {fmt(total)} differs from the sum of the indicator "
                    f"scores {fmt(s)}", component=layout.comp_ids[comp],
                    candidates=tuple(part["indicator"])))
        elif s > total + EPS:
            problems.append(IngestProblem(
                name, "warning", f"the indicator scores read so far add up to {fmt(s)}, above the "
                f"printed total {fmt(total)}", component=layout.comp_ids[comp],
                candidates=tuple(part["indicator"])))
