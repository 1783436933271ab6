"""The recommendation texts shown in report cards: one per (cycle, indicator), read from YAML.

The bundled file is ``data/recommendations.yaml`` (written by this project); a
user's own file has the same layout, ``cycles: {cycle: {indicator id: text}}``.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from .._util.yamlkeys import check_keys, closest_key, load_yaml_with_lines
from .._util.paths import data_dir
from ..errors import RecommendationsError
from ..framework import Framework

__all__ = ["RECOMMENDATIONS_KEYS", "load_recommendations", "recommendation_lookup", "recommendations_path"]

#: The top-level keys a recommendations file may hold (``provenance``: free text, who wrote the texts).
RECOMMENDATIONS_KEYS = ("schema_version", "provenance", "cycles")


def recommendations_path() -> Path:
    """The bundled recommendations file (``data/recommendations.yaml``)."""
    return data_dir() / "recommendations.yaml"


@lru_cache(maxsize=4)
def _read_recommendations(path: str, _mtime: float) -> pd.DataFrame:
    raw, lines = load_yaml_with_lines(path, what="recommendations file", error=RecommendationsError)
    check_keys(raw, RECOMMENDATIONS_KEYS, source=path, error=RecommendationsError, where="the recommendations file",
               lines=lines)
    if isinstance(raw, dict) and raw.get("schema_version", 1) != 1:
        raise RecommendationsError(f"{path}: 'schema_version' is {raw['schema_version']!r}; this version of "
                                   "dmaf-analysis reads version 1")
    cycles = raw.get("cycles") if isinstance(raw, dict) else None
    if not isinstance(cycles, dict) or not cycles:
        raise RecommendationsError(f"{path}: expected a top-level 'cycles' mapping of cycle -> indicator -> text")
    rows = []
    where: dict[tuple[int, str], int] = {}
    for cycle, texts in cycles.items():
        if isinstance(cycle, bool) or not isinstance(cycle, int):
            raise RecommendationsError(f"{path}: cycle keys must be whole numbers, got {cycle!r}")
        if not isinstance(texts, dict):
            raise RecommendationsError(f"{path}: cycle {cycle} must map indicator ids to texts")
        for indicator, text in texts.items():
            if not isinstance(text, str) or not text.strip():
                raise RecommendationsError(f"{path}: cycle {cycle}, indicator {indicator}: the text is empty")
            rows.append({"cycle": cycle, "indicator": str(indicator), "recommendation": " ".join(text.split())})
            line = lines.get(("cycles", str(cycle), str(indicator)))
            if line:
                where[(cycle, str(indicator))] = line
    table = pd.DataFrame(rows, columns=["cycle", "indicator", "recommendation"])
    table.attrs["lines"] = where
    return table


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
            for ind in unknown:
                line = table.attrs.get("lines", {}).get((int(cycle), ind))
                guess = closest_key(ind, fw.indicator_ids)
                problems.append(f"{f'line {line}: ' if line else ''}cycle {cycle}: unknown indicator {ind!r}"
                                + (f"; did you mean {guess!r}?" if guess else
                                   f" (indicators: {', '.join(fw.indicator_ids)})"))
        if problems:
            raise RecommendationsError(f"{path}: " + "; ".join(problems))
    return table


def recommendation_lookup() -> MappingProxyType:
    """The default recommendation texts (those of :func:`load_recommendations` without a path) by key.

    Returns
    -------
    mapping
        Read-only ``(cycle, indicator id) -> text``; empty when the default file
        does not exist. Built once per version of the file (its path and
        modification time), so a card looks its texts up without copying a table.
    """
    path = recommendations_path()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return MappingProxyType({})
    return _lookup(str(path.resolve()), mtime)


@lru_cache(maxsize=4)
def _lookup(path: str, mtime: float) -> MappingProxyType:
    table = _read_recommendations(path, mtime)
    return MappingProxyType({(int(c), str(i)): str(t) for c, i, t in
                             zip(table["cycle"], table["indicator"], table["recommendation"])})
