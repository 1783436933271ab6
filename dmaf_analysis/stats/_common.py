"""What every national statistic shares: the cycles and measures of a table, its numbers.

The modules ``_distributions``,
``_audit`` and ``_groups`` loop over
the cycles of a scored table (or a long score table) and the measures of each
cycle's framework in the same way; the loops' pieces live here, with the
Spearman correlation the audit and the engagement table both report.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as _st

from ..framework import Framework
from ..scoring import resolve_cycle

__all__ = ["measures_for", "numeric_values", "select_cycles", "spearman"]


def measures_for(framework: Framework) -> list[str]:
    """The measures of a cycle: its component ids followed by ``overall``."""
    return framework.component_ids + ["overall"]


def select_cycles(data: pd.DataFrame, cycle: int | None) -> list[int]:
    """Every cycle of ``data`` (``cycle=None``), or the one asked for (0 = the latest).

    A cycle the data do not hold raises an error naming the cycles present.
    """
    present = sorted(int(c) for c in pd.unique(data["cycle"]))
    if cycle is None or not present:
        return present

    return [resolve_cycle(present, cycle)]


def numeric_values(series: pd.Series) -> np.ndarray:
    """The numbers of ``series`` as a float array, missing and non-numeric values dropped."""
    return pd.to_numeric(series, errors="coerce").dropna().to_numpy(dtype=float)


def spearman(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """``scipy.stats.spearmanr``'s (rho, two-sided p); NaN for fewer than 3 pairs or a constant sample."""
    if x.size < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan"), float("nan")
    res = _st.spearmanr(x, y)
    return float(res.statistic), float(res.pvalue)
