"""Several tables as one Excel workbook (``.xlsx``, one sheet per table), safe to open.

Sheet names are made valid for Excel (at most 31 characters, none of ``[ ] : * ? / \\``,
no leading or trailing apostrophe, not ``History``) and unique regardless of case. Text
cells, and column headers, that a spreadsheet would run as a formula (starting with
``= + - @``, a tab or a carriage return) get a leading apostrophe, as in the CSV files
(:func:`~dmaf_analysis.io.spreadsheet_safe`); characters XML cannot hold are shown as
``\\xNN`` escapes. The file is written atomically.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from .._util.fileio import atomic_path
from ..errors import ArgumentError
from ._contract import spreadsheet_safe

__all__ = ["MAX_SHEET_NAME", "excel_safe", "sheet_names", "write_workbook"]

#: Longest sheet name Excel accepts.
MAX_SHEET_NAME = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")
# Characters XML 1.0 cannot hold (what openpyxl refuses).
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def sheet_names(names: Iterable[object]) -> list[str]:
    """Valid, unique (ignoring case) Excel sheet names for ``names``, in order.

    Forbidden characters become ``_``; names are cut to 31 characters; a clash gets
    ``~2``, ``~3`` ... at the end; an empty name becomes ``Sheet``.
    """
    out: list[str] = []
    seen: set[str] = set()
    for raw in names:
        base = _BAD_SHEET_CHARS.sub("_", str(raw)).strip().strip("'").strip() or "Sheet"
        if base.lower() == "history":  # reserved by Excel
            base += "_"
        base = base[:MAX_SHEET_NAME]
        name, n = base, 1
        while name.lower() in seen:
            n += 1
            suffix = f"~{n}"
            name = base[:MAX_SHEET_NAME - len(suffix)] + suffix
        seen.add(name.lower())
        out.append(name)
    return out


def _escape_illegal(value):
    if isinstance(value, str) and _ILLEGAL_XML.search(value):
        return _ILLEGAL_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    return value


def _safe_header(name: object) -> str:
    text = _escape_illegal(str(name))
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text


def excel_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` that Excel shows as data, never runs.

    Text cells and headers starting with ``= + - @`` (or a tab or carriage return)
    get a leading apostrophe; characters XML cannot hold become ``\\xNN``;
    time-zone-aware times become UTC without a zone (Excel has none); the index
    is dropped.
    """
    out = spreadsheet_safe(frame.reset_index(drop=True))
    for col in out.columns:
        series = out[col]
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            out[col] = series.dt.tz_convert("UTC").dt.tz_localize(None)
        elif series.dtype == object or pd.api.types.is_string_dtype(series):
            out[col] = series.map(_escape_illegal)
        elif isinstance(series.dtype, pd.CategoricalDtype):
            out[col] = series.astype(object).map(
                lambda v: ("'" + v if v.startswith(_FORMULA_PREFIXES) else _escape_illegal(v))
                if isinstance(v, str) else v)
    out.columns = [_safe_header(c) for c in out.columns]
    return out


def write_workbook(tables: Mapping[str, pd.DataFrame], target: str | Path) -> Path:
    """Write every table as one sheet of the workbook ``target`` (atomically); returns the path.

    Sheets follow the order of ``tables`` and are named by :func:`sheet_names` of
    its keys. A table with more rows or columns than a sheet holds raises
    :class:`~dmaf_analysis.errors.DmafError` naming it.
    """
    target = Path(target)
    if not tables:
        raise ArgumentError(f"{target}: no tables to write")
    names = sheet_names(tables)
    for key, frame in tables.items():
        if len(frame) >= 1_048_576 or len(frame.columns) > 16_384:
            raise ArgumentError(f"{target}: table {key!r} ({len(frame)} rows, {len(frame.columns)} columns) does not "
                            "fit in one Excel sheet")
    with atomic_path(target) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            for name, frame in zip(names, tables.values()):
                excel_safe(frame).to_excel(writer, sheet_name=name, index=False)
    return target
