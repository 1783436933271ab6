"""Reading report card files: one file (:func:`read_report_card`) or many (:func:`ingest`)."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from ..cities import load_cities
from ..errors import ReportCardError
from ..framework import Framework, frameworks_or_bundled
from ._files import extract_text, find_report_files
from ._model import SCORE_COLUMNS, IngestProblem, IngestResult, ReportCard
from ._parse import parse_report_card

__all__ = ["ingest", "read_report_card"]


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
    frameworks = frameworks_or_bundled(frameworks)
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
        except (RecursionError, MemoryError) as exc:  # a last guard: one file never stops the others
            problems.append(IngestProblem(str(path), "error", f"the text is too large or too complex to read "
                                          f"({type(exc).__name__}); give each report card its own file"))
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
