"""What reading report cards produces: problems, one card read and placed, and the result of a run."""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import pandas as pd

__all__ = ["AMBIGUOUS_POLICIES", "REPORT_SUFFIXES", "SCORE_COLUMNS", "IngestProblem", "IngestResult",
           "ReportCard", "problems_frame"]

#: Columns of the score table written by :func:`~dmaf_analysis.ingest.ingest`.
SCORE_COLUMNS = ["cycle", "city", "state", "indicator", "score", "source", "placed_by"]
#: File suffixes picked up when a folder is given.
REPORT_SUFFIXES = (".txt", ".pdf")
AMBIGUOUS_POLICIES = ("order", "missing")


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
