"""The recommendation texts shown in report cards: one per (cycle, indicator), read from YAML.

The bundled file is ``data/recommendations.yaml`` (written by this project); a
user's own file has the same layout, ``cycles: {cycle: {indicator id: text}}``.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from .._util.fileio import load_yaml
from .._util.paths import data_dir
from ..errors import RecommendationsError
from ..framework import Framework

__all__ = ["load_recommendations", "recommendations_path"]


def recommendations_path() -> Path:
    """The bundled recommendations file (``data/recommendations.yaml``)."""
    return data_dir() / "recommendations.yaml"


@lru_cache(maxsize=4)
def _read_recommendations(path: str, _mtime: float) -> pd.DataFrame:
    raw = load_yaml(path, what="recommendations file", error=RecommendationsError)
    cycles = raw.get("cycles") if isinstance(raw, dict) else None
    if not isinstance(cycles, dict) or not cycles:
        raise RecommendationsError(f"{path}: expected a top-level 'cycles' mapping of cycle -> indicator -> text")
    rows = []
    for cycle, texts in cycles.items():
        if isinstance(cycle, bool) or not isinstance(cycle, int):
            raise RecommendationsError(f"{path}: cycle keys must be whole numbers, got {cycle!r}")
        if not isinstance(texts, dict):
            raise RecommendationsError(f"{path}: cycle {cycle} must map indicator ids to texts")
        for indicator, text in texts.items():
            if not isinstance(text, str) or not text.strip():
                raise RecommendationsError(f"{path}: cycle {cycle}, indicator {indicator}: the text is empty")
            rows.append({"cycle": cycle, "indicator": str(indicator), "recommendation": " ".join(text.split())})
    return pd.DataFrame(rows, columns=["cycle", "indicator", "recommendation"])


def load_recommendations(path: str | Path | None = None, *,
                         frameworks: dict[int, Framework] | None = None) -> pd.DataFrame:
    """The recommendation texts, one per (cycle, indicator).

    Parameters
    ----------
    path : path, optional
        A YAML file ``cycles: {cycle: {indicator id: text}}``; default
        ``recommendations.yaml`` in the data folder (the bundled one was written
        by this project). When the default file does not exist the table is
        empty (reports then leave recommendations out); a given ``path`` must
        exist.
    frameworks : dict, optional
        When given, every key must be an indicator of that cycle's framework.

    Returns
    -------
    DataFrame
        Columns ``cycle`` (int), ``indicator``, ``recommendation`` (whitespace
        collapsed to single spaces). A new frame on every call.
    """
    default = path is None
    path = recommendations_path() if default else Path(path)
    try:
        mtime = path.stat().st_mtime
    except OSError:
        if default:
            return pd.DataFrame({"cycle": pd.Series(dtype="int64"), "indicator": pd.Series(dtype=object),
                                 "recommendation": pd.Series(dtype=object)})
        raise RecommendationsError(f"{path}: no such recommendations file") from None
    table = _read_recommendations(str(path.resolve()), mtime).copy()
    if frameworks is not None:
        problems = []
        for cycle, part in table.groupby("cycle"):
            fw = frameworks.get(int(cycle))
            if fw is None:
                problems.append(f"cycle {cycle} has no framework")
                continue
            unknown = sorted(set(part["indicator"]) - set(fw.indicator_ids))
            if unknown:
                problems.append(f"cycle {cycle}: unknown indicator(s) {', '.join(unknown)}")
        if problems:
            raise RecommendationsError(f"{path}: " + "; ".join(problems))
    return table
