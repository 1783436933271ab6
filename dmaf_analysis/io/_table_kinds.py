"""Which kind of table an analysis function takes, checked before it runs.

Analysis functions take one of two tables: the long score table (``Dataset.scores``,
one row per cycle, city and indicator) or the scored table (``Dataset.scored``, one
row per cycle and city). Passing the other one, a whole Dataset or something else
raises :class:`~dmaf_analysis.errors.ArgumentError` naming the table to pass.
Offered by :mod:`dmaf_analysis.io`.
"""
from __future__ import annotations

import functools

import pandas as pd

from ..errors import ArgumentError

__all__ = ["TABLE_KINDS", "require_table", "expects_table"]

#: The tables functions take, what identifies each, and where a user gets one.
TABLE_KINDS = {
    "scored": (("cycle", "city", "overall"),
               "the scored table (one row per cycle and city: Dataset.scored, or score_cities(scores))"),
    "scores": (("cycle", "city", "indicator", "score"),
               "the long score table (one row per cycle, city and indicator: Dataset.scores, or read_scores(path))"),
}


def require_table(data, kind: str, *, where: str = "this function") -> None:
    """Refuse anything but a table of ``kind`` ("scored" or "scores"), saying which was expected.

    A :class:`~dmaf_analysis.scoring.Dataset`, another object, or the other kind of
    table (``Dataset.scores`` where ``Dataset.scored`` is expected, or the reverse)
    raises :class:`~dmaf_analysis.errors.ArgumentError` naming the table to pass.
    """
    columns, what = TABLE_KINDS[kind]
    if hasattr(data, "scored") and hasattr(data, "scores") and not isinstance(data, pd.DataFrame):
        raise ArgumentError(f"{where} takes {what}, not a whole Dataset: pass ds.{kind}")
    if not isinstance(data, pd.DataFrame):
        raise ArgumentError(f"{where} takes {what}, got {type(data).__name__}")
    marks = {"scored": {"overall"}, "scores": {"indicator", "score"}}  # what tells the two apart
    other = "scores" if kind == "scored" else "scored"
    if not marks[kind] <= set(data.columns) and marks[other] <= set(data.columns):
        raise ArgumentError(f"{where} takes {what}; this looks like {TABLE_KINDS[other][1].split(' (')[0]} "
                            f"(Dataset.{other}): pass Dataset.{kind} instead")


def expects_table(kind: str):
    """Decorator: the function's first argument must be a table of ``kind`` (see :func:`require_table`)."""
    def decorate(func):
        @functools.wraps(func)
        def checked(data, *args, **kwargs):
            require_table(data, kind, where=f"{func.__module__.rsplit('.', 1)[-1]}.{func.__name__}")
            return func(data, *args, **kwargs)
        return checked
    return decorate
