"""Small numeric helpers shared by every module: float tolerances, how a number is
printed, and the summary statistics of a set of values.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["PRINTED_TOLERANCE", "TOLERANCE", "format_number", "is_whole_share", "summary_statistics"]

#: Two computed scores closer than this are equal (sums, thresholds, ties, shares).
TOLERANCE = 1e-9
#: Two numbers read from a printed document closer than this are equal.
PRINTED_TOLERANCE = 1e-6


def is_whole_share(share: float) -> bool:
    """True when a share (0-1) is the whole: every value counted, within :data:`TOLERANCE`."""
    return share >= 1 - TOLERANCE


def format_number(value, digits: int = 1, *, missing: str = "–") -> str:
    """A number as people write it: ``30``, ``27.5``, ``-3.3``; ``missing`` when absent.

    At most ``digits`` decimals, trailing zeros dropped, never ``-0``; a value
    that is not a number is returned as text.
    """
    if value is None or value is pd.NA:
        return missing
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(x):
        return missing
    text = f"{x:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


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
