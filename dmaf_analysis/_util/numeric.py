"""Small numeric helpers shared by every module: float tolerances, how a number is
printed, and the summary statistics of a set of values.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["PRINTED_TOLERANCE", "TOLERANCE", "format_number", "format_score", "is_finite_number", "is_whole_share",
           "nan_last", "parse_number", "parse_numbers", "share_words", "summary_statistics"]

#: Two computed scores closer than this are equal (sums, thresholds, ties, shares).
TOLERANCE = 1e-9
#: Two numbers read from a printed document closer than this are equal.
PRINTED_TOLERANCE = 1e-6


def parse_numbers(texts) -> pd.Series:
    """Text cells as floats by the one rule of score tables; NaN where a cell is not a number.

    ASCII decimal numbers only (``30``, ``2.5``, ``1e1``, ``-3``): other scripts'
    digits (Arabic-Indic, full-width, Devanagari), ``1_0`` and ``0x10`` are not
    numbers. ``nan`` and ``inf`` parse as such; callers refuse what is not finite.
    """
    return pd.to_numeric(pd.Series(texts, dtype=object), errors="coerce").astype(float)


def parse_number(text) -> float:
    """:func:`parse_numbers` of one text (NaN when it is not a number)."""
    return float(parse_numbers([str(text).strip()]).iloc[0])


def is_finite_number(value) -> bool:
    """A finite int or float, not a bool: what a number in a YAML spec must be."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(float(value))


def nan_last(value: float, *, descending: bool = False) -> tuple:
    """A sort key putting NaN after every number, as pandas sorts: smallest first, or largest first
    with ``descending`` (for ``sorted`` on plain values where ``sort_values`` would be too slow)."""
    if math.isnan(value):
        return (True, 0.0)
    return (False, -value if descending else value)


def is_whole_share(share: float) -> bool:
    """True when a share (0-1) is the whole: every value counted, within :data:`TOLERANCE`."""
    return share >= 1 - TOLERANCE


def share_words(share: float) -> str:
    """A share (0-1) in words that never rounds to a false whole or a false nothing.

    ``"all"`` (within :data:`TOLERANCE`), ``"more than 99%"``, ``"less than 1%"``,
    ``"none"``, otherwise the whole percentage (``"45%"``).
    """
    share = float(share)
    if is_whole_share(share):
        return "all"
    if share <= 0:
        return "none"
    if share > 0.99:
        return "more than 99%"
    if share < 0.01:
        return "less than 1%"
    return f"{100 * share:.0f}%"


def format_number(value, digits: int = 1, *, missing: str = "–", fixed: bool = False, grouping: bool = False,
                  minus: str = "-") -> str:
    """A number as people read it: ``30``, ``27.5``, ``-3.3``; ``missing`` when absent.

    Parameters
    ----------
    value : number, or anything else
        A value that is not a number is returned as text; None, ``pd.NA``,
        ``pd.NaT``, NaN and infinities give ``missing``.
    digits : int, default 1
        Decimals kept after rounding.
    missing : str, default "–"
        Text for a missing value.
    fixed : bool, default False
        Keep all ``digits`` decimals (a table cell: ``27.50``); by default trailing
        zeros are dropped (prose: ``27.5``, ``30``).
    grouping : bool, default False
        Separate thousands with commas (``12,346``).
    minus : str, default "-"
        The minus sign (``"\u2212"`` for a typographic minus). A value that rounds
        to zero never has one.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return missing
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(x):
        return missing
    text = f"{x:{',' if grouping else ''}.{int(digits)}f}"
    if not fixed and "." in text:
        text = text.rstrip("0").rstrip(".")
    if text.lstrip("-").strip("0.,") == "":  # -0.0 -> 0.0
        text = text.lstrip("-")
    return text.replace("-", minus)


def format_score(value) -> str:
    """A score in a sentence: ``30``, ``27.5`` (one decimal at most); ``"n/a"`` when missing."""
    return format_number(value, missing="n/a")


def summary_statistics(values) -> dict[str, float]:
    """``n, mean, median, q1, q3, min, max`` of the values (quartiles by linear interpolation).

    Missing values are left out; every statistic is NaN (``n`` 0) when none is left.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if not x.size:
        nan = math.nan
        return {"n": 0, "mean": nan, "median": nan, "q1": nan, "q3": nan, "min": nan, "max": nan}
    q1, med, q3 = np.percentile(x, [25, 50, 75])
    return {"n": int(x.size), "mean": float(x.mean()), "median": float(med), "q1": float(q1), "q3": float(q3),
            "min": float(x.min()), "max": float(x.max())}
