"""Tables as one Excel workbook made for people (``.xlsx``), safe to open.

:func:`write_workbook` is the one workbook writer of the toolkit (the national
overview and trends, ``dmaf score -o x.xlsx`` and ``dmaf sensitivity -o x.xlsx``):

* the first sheet, **About**, says what the workbook holds, the framework, the
  date, the toolkit's version and where the values come from
  (:class:`WorkbookAbout`), and lists the sheets;
* then one sheet per table, under a worded name, with worded column headers
  (:func:`worded_heading`; the CSV and Parquet files keep the snake_case names),
  a bold header row frozen in place, filters on every column, column widths that
  fit, and number formats as the pages show them (decimals, percentages,
  p-values written ``< 0.001``; :func:`number_format`);
* every sheet with city rows gets a column **Values from** beside the city,
  saying where that row's values come from (synthetic, report card, published,
  or whatever source label the data gives; :func:`value_sources`).

Every cell and header goes through
:func:`~dmaf_analysis._util.escaping.spreadsheet_text` (a leading ``= + - @``,
tab or carriage return gets an apostrophe; control characters become ``\\xNN``).
Sheet names are made valid for Excel (at most 31 characters, none of
``[ ] : * ? / \\``, no leading or trailing apostrophe, not ``History``) and
unique regardless of case. The file is written atomically.

Cells are data, as a table holds them: booleans read ``Yes``/``No``; missing
values (``NaN``, ``pd.NA``, ``None``, ``NaT``) and infinite numbers are empty
cells; numpy scalars are written as numbers; dates and times (time-zone-aware
ones in UTC) and durations as Excel dates with a date format; any other object
as its text. A table with more rows or columns than a sheet holds is refused.

The workbook is written with XlsxWriter, text with ``write_string`` (never read
as a formula, a number or a link) and numbers with ``write_number``. Each column
is converted once, by its type: numbers, dates and column widths for a whole
column at a time, value by value only where the values are text or objects of
mixed kinds (the national overview's workbook, some 66,000 cells, takes about
half a CPU-second).
"""
from __future__ import annotations

import datetime as _dt
import io
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd

from .._util.escaping import spreadsheet_text
from .._util.fileio import atomic_path
from .._version import __version__
from ..errors import ArgumentError
from ._contract import is_synthetic

__all__ = ["ABOUT_SHEET", "MAX_SHEET_NAME", "SOURCE_HEADING", "WorkbookAbout", "excel_safe", "number_format",
           "provenance_note", "sheet_names", "value_sources", "worded_heading", "write_workbook"]

#: Longest sheet name Excel accepts.
MAX_SHEET_NAME = 31
#: Name of the first sheet.
ABOUT_SHEET = "About"
#: Header of the column saying where a city row's values come from.
SOURCE_HEADING = "Values from"
#: A p-value as the pages write it: ``< 0.001`` below 0.001, otherwise three decimals.
P_FORMAT = '[<0.001]"< 0.001";0.000'
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")
_SHEET_NAME_EDGES = re.compile(r"^[\s']+|[\s']+$")


def sheet_names(names: Iterable[object]) -> list[str]:
    """Valid, unique (ignoring case) Excel sheet names for ``names``, in order.

    Forbidden characters become ``_``; names are cut to 31 characters; a clash gets
    ``~2``, ``~3`` ... at the end; an empty name becomes ``Sheet``.
    """
    out: list[str] = []
    seen: set[str] = set()
    for raw in names:
        base = _SHEET_NAME_EDGES.sub("", _BAD_SHEET_CHARS.sub("_", str(raw)))
        # cut, then trimmed again: the cut may leave an apostrophe or a space at the end
        base = _SHEET_NAME_EDGES.sub("", base[:MAX_SHEET_NAME]) or "Sheet"
        if base.lower() == "history":  # reserved by Excel
            base += "_"
        name, n = base, 1
        while name.lower() in seen:
            n += 1
            suffix = f"~{n}"
            name = base[:MAX_SHEET_NAME - len(suffix)] + suffix
        seen.add(name.lower())
        out.append(name)
    return out


def excel_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` that Excel shows as data, never runs.

    Every text cell and header goes through
    :func:`~dmaf_analysis._util.escaping.spreadsheet_text`; time-zone-aware times
    become UTC without a zone (Excel has none); the index is dropped.
    """
    out = frame.reset_index(drop=True).copy()
    for col in out.columns:
        series = out[col]
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            out[col] = series.dt.tz_convert("UTC").dt.tz_localize(None)
        elif (series.dtype == object or pd.api.types.is_string_dtype(series)
              or isinstance(series.dtype, pd.CategoricalDtype)):
            out[col] = series.astype(object).map(spreadsheet_text)
    out.columns = [spreadsheet_text(str(c)) for c in out.columns]
    return out


# --------------------------------------------------------------------------- words and formats
_HEADINGS = {
    "n": "Cities", "n_cities": "Cities", "city": "City", "state": "State", "region": "Region", "cycle": "Cycle",
    "overall": "Overall score", "level": "Certification level", "rank": "Rank", "rank_label": "Rank (shown)",
    "tied": "Shares its rank", "certified": "Certified", "complete": "All indicators scored",
    "p_value": "p-value", "spearman_p": "Spearman p-value", "kendall_p": "Kendall p-value",
    "spearman_rho": "Spearman \u03c1", "kendall_tau": "Kendall \u03c4", "rho": "Spearman \u03c1",
    "sd": "Standard deviation", "q1": "Lower quartile", "q3": "Upper quartile", "min": "Minimum", "max": "Maximum",
    "skew": "Skewness", "gini": "Gini coefficient", "alpha": "Cronbach's alpha", "pc": "Principal component",
    "ci_low": "95 % interval, low", "ci_high": "95 % interval, high", "max_score": "Maximum points",
    "score": "Points", "source": "Source", "s1": "First-order index (S1)", "s1_low": "S1, low",
    "s1_high": "S1, high", "st": "Total index (ST)", "st_low": "ST, low", "st_high": "ST, high",
    "cycle_from": "From cycle", "cycle_to": "To cycle", "overall_from": "Overall before", "overall_to": "Overall after",
    "rank_from": "Rank before", "rank_to": "Rank after", "level_from": "Level before", "level_to": "Level after",
    "score_from": "Score before", "score_to": "Score after", "mean_from": "Mean before", "mean_to": "Mean after",
    "rank_p05": "Rank, 5th percentile", "rank_p95": "Rank, 95th percentile", "score_p05": "Score, 5th percentile",
    "score_p95": "Score, 95th percentile", "p_certified": "Probability certified",
    "p_not_certified": "Probability not certified", "p_unscored": "Probability unscored",
    "engagement_score": "City Engagement Score", "earlier_values": "Earlier values from",
    "rank_biserial": "Rank-biserial r", "epsilon_squared": "Effect size \u03b5\u00b2",
    "n_synthetic_values": "Synthetic indicator values", "n_missing_values": "Missing indicator values",
}
_WORDS = {"n": "number of", "ci": "interval", "sd": "SD", "pca": "PCA", "abs": "absolute", "p05": "5th percentile",
          "p95": "95th percentile", "pc": "PC", "st": "ST", "s1": "S1", "id": "ID"}


def worded_heading(name: object) -> str:
    """A column name as people read it: ``n_cities`` -> ``Cities``, ``mean_change_ci_low`` -> ``Mean change
    interval low``, ``p_value`` -> ``p-value``; a name that is not snake_case is kept as it is."""
    text = str(name)
    key = text.lower()
    if key in _HEADINGS:
        return _HEADINGS[key]
    if not re.fullmatch(r"[A-Za-z0-9]+(_[A-Za-z0-9]+)*", text):
        return text
    words = [_WORDS.get(w, w) for w in text.split("_")]
    if text.startswith("p_") and len(words) > 1:  # p_enabled: a probability
        words = ["probability", *words[1:]]
    if words[0] == "number of" and len(words) > 1 and words[1] not in {"cities", "groups", "indicators"}:
        words = ["cities", *words[1:]]  # n_improved -> Cities improved
    phrase = " ".join(words)
    return phrase[:1].upper() + phrase[1:]


_STAT_NAMES = {"rho", "tau", "alpha", "rank_biserial", "loading", "coefficient", "skew", "kurtosis", "gini",
               "epsilon_squared", "eigenvalue", "corr_with_overall", "s1", "s1_low", "s1_high", "st", "st_low",
               "st_high", "spearman_rho", "kendall_tau", "rank_st", "certified_st"}


def number_format(name: object, dtype) -> str | None:
    """The Excel number format of a column as the pages show it, or ``None`` for text.

    p-values (``p_value``, ``*_p``) ``< 0.001`` / three decimals; shares and
    probabilities (``share*``, ``*_share``, ``p_*``, ``probability``, weights) as
    whole percentages; correlations, indices and other statistics two decimals;
    whole numbers with thousands grouped; other numbers one decimal.
    """
    key = str(name).lower()
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        return None
    if key == "p_value" or key.endswith("_p") or key == "p":
        return P_FORMAT
    if (key.startswith(("share", "p_")) or key.endswith(("_share", "share_of_from", "_weight", "weight"))
            or key in {"probability", "conf_level", "perturbation"}):
        return "0%"
    if key in _STAT_NAMES:
        return "0.00"
    if pd.api.types.is_integer_dtype(dtype):
        return "#,##0"
    return "0.0"


# --------------------------------------------------------------------------- where values come from
def _describe_sources(labels: pd.Series) -> str:
    if labels.empty:
        return "no values"
    words = labels.map(lambda s: "synthetic" if is_synthetic(s) else (str(s).strip() or "no source label"))
    counts = words.value_counts()
    if len(counts) == 1:
        return str(counts.index[0])
    return "mixed: " + ", ".join(f"{n} {label}" for label, n in counts.items())


def value_sources(scores: pd.DataFrame) -> pd.DataFrame:
    """Where each city's values come from, per cycle, from a long score table's ``source`` labels.

    Parameters
    ----------
    scores : DataFrame
        Long score table with ``cycle, city, score, source`` (one row per indicator value).

    Returns
    -------
    DataFrame
        ``cycle, city, values_from``: ``synthetic`` when every present value is
        synthetic, the data's own label (``report card``, ``published`` ...) when
        every value carries it, ``mixed: 30 synthetic, 5 report card`` otherwise,
        ``no values`` when the city has none.
    """
    missing = [c for c in ("cycle", "city", "score", "source") if c not in scores.columns]
    if missing:
        raise ArgumentError(f"value_sources needs a long score table; it has no column(s) {', '.join(missing)}")
    present = scores["score"].notna()
    rows = []
    for (cycle, city), part in scores.groupby(["cycle", "city"], sort=False, observed=True):
        rows.append({"cycle": cycle, "city": city,
                     "values_from": _describe_sources(part.loc[present.loc[part.index], "source"])})
    return pd.DataFrame(rows, columns=["cycle", "city", "values_from"])


def provenance_note(scores: pd.DataFrame) -> str:
    """One sentence per cycle of a long score table: how many of its values are synthetic, and the other labels.

    >>> provenance_note(pd.DataFrame({"cycle": 2, "city": "A", "score": [1.0, 2.0, None],
    ...                               "source": ["synthetic", "report card", "synthetic"]}))
    'Cycle 2: 1 of 2 indicator values are synthetic (generated for illustration, not published results); 1 report card.'
    """
    sentences = []
    for cycle, part in scores.groupby("cycle", sort=True):
        present = part.loc[part["score"].notna(), "source"] if "source" in part.columns else pd.Series(dtype=object)
        n = int(part["score"].notna().sum())
        syn = int(is_synthetic(present).sum()) if len(present) else 0
        other = present[~is_synthetic(present)].map(lambda s: str(s).strip() or "no source label") \
            if len(present) else present
        rest = "; " + ", ".join(f"{k:,} {label}" for label, k in other.value_counts().items()) if len(other) else ""
        if syn:
            head = (f"Cycle {cycle}: {'every one' if syn == n else f'{syn:,}'} of {n:,} indicator values "
                    f"{'is' if syn == n else 'are'} synthetic (generated for illustration, not published results)")
        else:
            head = f"Cycle {cycle}: none of {n:,} indicator values is synthetic"
        sentences.append(head + rest + ".")
    return " ".join(sentences)


def _with_sources(frame: pd.DataFrame, sources: pd.DataFrame | None) -> pd.DataFrame:
    """``frame`` with a ``values_from`` column right after ``city`` (when it has city rows and sources are known)."""
    if sources is None or "city" not in frame.columns or "values_from" in frame.columns:
        return frame
    if "cycle" in frame.columns and frame["cycle"].isin(sources["cycle"]).all():
        lookup = dict(zip(zip(sources["cycle"].tolist(), sources["city"].tolist()), sources["values_from"].tolist()))
        values = [lookup.get(key, "no values") for key in zip(frame["cycle"].tolist(), frame["city"].tolist())]
    else:  # a table spanning cycles (trends): the cycles' descriptions, joined when they differ
        by_city: dict = {}
        for cycle, city, text in sources.itertuples(index=False):
            by_city.setdefault(city, []).append((cycle, text))
        values = []
        for city in frame["city"].tolist():
            parts = by_city.get(city, [])
            texts = {t for _, t in parts}
            values.append("no values" if not parts else texts.pop() if len(texts) == 1
                          else "; ".join(f"cycle {c}: {t}" for c, t in parts))
    out = frame.copy()
    out.insert(list(out.columns).index("city") + 1, "values_from", values)
    return out


# --------------------------------------------------------------------------- the About sheet
@dataclass(frozen=True)
class WorkbookAbout:
    """What the About sheet says.

    ``title`` and ``holds`` say what the workbook is; ``framework`` names the
    framework(s); ``provenance`` says where the values come from (e.g. how many
    are synthetic); ``sheets`` gives a sentence per table (by table key) and
    ``notes`` any further lines. ``generated`` defaults to today's date.
    """

    title: str = "dmaf-analysis tables"
    holds: str = ""
    framework: str = ""
    provenance: str = ""
    generated: str = ""
    sheets: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def _about_rows(about: WorkbookAbout, keys, names, tables) -> list[tuple[str, str]]:
    rows = [("What this workbook holds", about.holds or f"{len(names)} tables, one per sheet after this one."),
            ("Framework", about.framework or "not stated"),
            ("Date", about.generated or _dt.date.today().isoformat()),
            ("Toolkit", f"dmaf-analysis {__version__}"),
            ("Where the values come from", about.provenance or "see the column 'Values from' on sheets with city "
                                                               "rows")]
    rows += [("Note", n) for n in about.notes]
    rows.append(("Column names", "Headers are worded for reading; the CSV and Parquet files of the same tables "
                                 "keep the short snake_case names (e.g. n_cities, p_value)."))
    rows.append(("", ""))
    rows.append(("Sheet", "Contents"))
    for key, name in zip(keys, names):
        frame = tables[key]
        said = about.sheets.get(key, "")
        size = f"({len(frame):,} row{'' if len(frame) == 1 else 's'}, {len(frame.columns)} columns)"
        rows.append((name, (said + " " if said else "") + size))
    return rows


# --------------------------------------------------------------------------- writing
def _sheet_title(key: object) -> str:
    text = str(key)
    if re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", text):
        text = text.replace("_", " ")
        return text[:1].upper() + text[1:]
    return text


#: Excel's number formats of times, as a cell holding one shows it.
_TIME_FORMATS = ((_dt.datetime, "yyyy-mm-dd h:mm:ss"), (_dt.date, "yyyy-mm-dd"), (_dt.time, "h:mm:ss"),
                 (_dt.timedelta, "[hh]:mm:ss"))
_DATETIME_FORMAT = _TIME_FORMATS[0][1]
#: Day 0 of Excel's (1900) date system.
_EPOCH = _dt.datetime(1899, 12, 30)
_DAY_US = 86_400_000_000
#: Most characters (UTF-16 units) a cell holds.
_MAX_TEXT = 32_767
#: Widest column (characters) a value asks for, and widest a header asks for.
_MAX_WIDTH, _MAX_HEADER_WIDTH, _MIN_WIDTH = 60, 40, 6
#: What ``str.splitlines`` breaks a line at (a column is as wide as the longest line).
_LINE_BREAKS = re.compile("[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")


class _Rich(str):
    """Text that XlsxWriter would take for rich-text XML (``<r>...</r>``): written as plain runs instead."""


def _cell(value):
    """A value as data: missing -> ``None``, booleans as Yes/No, numpy scalars as Python ones, text escaped."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return "Yes" if value else "No"
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, np.generic):
        value = value.item()
        if isinstance(value, float) and value != value:
            return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return spreadsheet_text(value)


def _text_width(texts: list[str]) -> int:
    """Characters of the longest line of ``texts`` (``str.splitlines``; no text: 0)."""
    if not texts:
        return 0
    if not _LINE_BREAKS.search("".join(texts)):
        return max(map(len, texts))
    return max(max(map(len, t.splitlines()), default=0) for t in texts)


def _ready_text(text: str):
    """``text`` (already escaped) as it goes into a cell: empty -> ``None``, cut to what a cell holds,
    :class:`_Rich` when XlsxWriter would write it as XML."""
    if not text:
        return None
    if len(text) > _MAX_TEXT // 2 and len(text.encode("utf-16-le")) > 2 * _MAX_TEXT:
        text = text.encode("utf-16-le")[:2 * _MAX_TEXT].decode("utf-16-le", "ignore")
    if text.startswith("<r>") and text.endswith("</r>"):
        return _Rich(text)
    return text


def _texts(values: list) -> list:
    """:func:`_ready_text` of each text (``None`` stays)."""
    if any(v is not None and (len(v) > _MAX_TEXT // 2 or v[:3] == "<r>" or not v) for v in values):
        return [None if v is None else _ready_text(v) for v in values]
    return values


def _time_serial(value) -> float:
    """A date, time or duration as Excel's serial number (days since 1899-12-30, Excel's leap day of 1900 kept)."""
    if isinstance(value, _dt.timedelta):
        return value.total_seconds() / 86_400
    if isinstance(value, _dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(_dt.UTC).replace(tzinfo=None)
    elif isinstance(value, _dt.date):
        value = _dt.datetime.combine(value, _dt.time())
    seconds = (value.hour * 3600) + (value.minute * 60) + value.second + value.microsecond / 10**6
    if isinstance(value, _dt.time):
        return seconds / 86_400
    days = (value - _EPOCH).days
    if 0 < days <= 60:
        days -= 1
    return days + seconds / 86_400


def _datetime_serials(values: pd.Series) -> tuple[list, int]:
    """The serial numbers of a datetime column (``None`` where missing) and its display width."""
    missing = values.isna().to_numpy()
    if missing.all():
        return [None] * len(values), 0
    stamps = values.astype("datetime64[us]")
    us = (stamps - pd.Timestamp(_EPOCH)).to_numpy(dtype="timedelta64[us]").astype(np.int64)
    days = us // _DAY_US
    days = np.where((days > 0) & (days <= 60), days - 1, days)
    seconds = ((stamps.dt.hour.to_numpy(dtype=np.int64, na_value=0) * 3600)
               + (stamps.dt.minute.to_numpy(dtype=np.int64, na_value=0) * 60)
               + stamps.dt.second.to_numpy(dtype=np.int64, na_value=0))
    micro = stamps.dt.microsecond.to_numpy(dtype=np.int64, na_value=0)
    serials = (days + (seconds + micro / 10**6) / 86_400).astype(object)
    serials[missing] = None
    # str(datetime): 'YYYY-MM-DD HH:MM:SS', with '.ffffff' when there are microseconds
    return serials.tolist(), 26 if micro[~missing].any() else 19


def _column(series: pd.Series, fmt: str | None):
    """One column as cells ready to write, with the number format of its values and of its empty cells,
    and its display width.

    Cells are ``None`` (empty), text (escaped), numbers, or ``(serial, format)`` for a date or a duration
    held among other values. A column is converted at once where its type allows.
    """
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
        dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        truth = series.to_numpy(dtype=object, na_value=None)
        cells = [None if v is None else "Yes" if v else "No" for v in truth]
        return cells, None, None, _text_width([c for c in cells if c is not None])
    if fmt is not None and dtype.kind in "iuf":
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        finite = np.isfinite(values)
        cells = values.astype(object)
        cells[~finite] = None   # missing and infinite numbers: empty cells, as before
        shown = values[finite]
        if not len(shown):
            width = 0
        elif dtype.kind in "iu":
            whole = series.to_numpy(dtype=object, na_value=None)[finite]
            width = max(len(str(int(min(whole)))), len(str(int(max(whole)))))
        else:
            width = _float_width(shown, fmt)
        return cells.tolist(), fmt, fmt, width
    if dtype.kind == "M":
        serials, width = _datetime_serials(series)
        return serials, _DATETIME_FORMAT, None, width
    if isinstance(dtype, pd.StringDtype) or (isinstance(dtype, np.dtype) and dtype.kind == "O"
                                             and pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty")):
        raw = series.to_numpy(dtype=object, na_value=None)
        texts = [None if v is None or v != v else spreadsheet_text(v) for v in raw]
        return _texts(texts), None, None, _text_width([t for t in texts if t is not None])
    # anything else (mixed objects, categories, durations ...): value by value
    cells, widths = [], [0]
    for value in series.astype(object).tolist():
        value = _cell(value)
        if value is None:
            cells.append(None)
        elif isinstance(value, str):
            widths.append(_text_width([value]))
            cells.append(_ready_text(value))
        elif isinstance(value, (int, float, Decimal, Fraction)) and not isinstance(value, bool):
            number = float(value)
            if math.isfinite(number):
                widths.append(_float_width(np.array([number]), fmt) if isinstance(value, float) and fmt
                              else len(str(value)))
                cells.append(number)
            else:
                cells.append(None)
        elif isinstance(value, (_dt.date, _dt.time, _dt.timedelta)):
            widths.append(len(str(value)))
            cells.append((_time_serial(value), next(f for kind, f in _TIME_FORMATS if isinstance(value, kind))))
        else:  # bytes, lists, periods ...: shown as their text
            text = spreadsheet_text(value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value))
            widths.append(_text_width([text]))
            cells.append(_ready_text(text))
    return cells, fmt, fmt, max(widths)


def _float_width(values: np.ndarray, fmt: str) -> int:
    """Display width of the widest of finite ``values`` under ``fmt`` (``85%``-like or ``1,234.568``-like).

    The formatted length grows with the magnitude on each side of zero, so the smallest and the largest value
    (and a negative zero, written with its sign) decide it.
    """
    if "%" in fmt:
        values = values * 100
        shown = "{:.0f}".format
        extra = 2
    else:
        shown = "{:,.3f}".format
        extra = 0
    candidates = [values.min(), values.max()]
    if np.any(np.signbit(values) & (values == 0)):
        candidates.append(-0.0)
    return max(len(shown(float(v))) for v in candidates) + extra


class _Styles:
    """The cell formats of one workbook, made once each."""

    def __init__(self, book):
        self._book = book
        self._made: dict = {}
        self.header = book.add_format({"bold": True, "pattern": 1, "bg_color": "#F4F6F8", "text_wrap": True,
                                       "valign": "top"})
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.label = book.add_format({"bold": True, "valign": "top"})
        self.wrapped = book.add_format({"text_wrap": True, "valign": "top"})

    def number(self, fmt: str | None):
        if fmt is None:
            return None
        if fmt not in self._made:
            self._made[fmt] = self._book.add_format({"num_format": fmt})
        return self._made[fmt]


def _write_text(ws, row: int, col: int, text, style) -> None:
    """``text`` as a text cell (never a formula, a number or a link); ``None`` leaves the cell empty (styled)."""
    if text is None:
        if style is not None:
            ws.write_blank(row, col, None, style)
    elif type(text) is _Rich:
        # XlsxWriter writes a string shaped like <r>...</r> into the file as XML of its own (a broken file);
        # written as three plain runs it is the same text.
        parts = (text[:1], text[1:2], text[2:])
        args = [a for p in parts for a in ((style, p) if style is not None else (p,))]
        ws.write_rich_string(row, col, *args, *((style,) if style is not None else ()))
    else:
        ws.write_string(row, col, text, style)


def _write_sheet(ws, styles: _Styles, frame: pd.DataFrame, headings: list[str], formats: list[str | None]) -> None:
    header = [_ready_text(spreadsheet_text(h)) for h in headings]
    for j, text in enumerate(header):
        _write_text(ws, 0, j, text, styles.header)
    write_string, write_number, write_blank = ws.write_string, ws.write_number, ws.write_blank
    for j, fmt in enumerate(formats):
        cells, value_fmt, blank_fmt, width = _column(frame.iloc[:, j], fmt)
        value_style, blank_style = styles.number(value_fmt), styles.number(blank_fmt)
        for row, value in enumerate(cells, start=1):
            kind = type(value)
            if kind is float:
                write_number(row, j, value, value_style)
            elif kind is str:
                write_string(row, j, value, value_style)
            elif value is None:
                if blank_style is not None:
                    write_blank(row, j, None, blank_style)
            elif kind is tuple:
                write_number(row, j, value[0], styles.number(value[1]))
            else:
                _write_text(ws, row, j, value, value_style)
        heading_width = min(max(len(headings[j]), _MIN_WIDTH), _MAX_HEADER_WIDTH)
        ws.set_column(j, j, max(heading_width, min(width, _MAX_WIDTH)) + 2)
    ws.freeze_panes(1, 0)
    if headings:
        ws.autofilter(0, 0, len(frame), len(headings) - 1)


def _unique(headings: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for h in headings:
        n = seen.get(h.lower(), 0) + 1
        seen[h.lower()] = n
        out.append(h if n == 1 else f"{h} ({n})")
    return out


def write_workbook(tables: Mapping[str, pd.DataFrame], target: str | Path, *, about: WorkbookAbout | None = None,
                   sources: pd.DataFrame | None = None, headings: Mapping[str, str] | None = None) -> Path:
    """Write the About sheet and every table as one formatted sheet of ``target`` (atomically); returns the path.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        The tables, in sheet order; a key becomes a worded sheet name
        (``group_medians_region`` -> ``Group medians region``, made valid by
        :func:`sheet_names`).
    target : path
        The ``.xlsx`` file.
    about : WorkbookAbout, optional
        What the first sheet, ``About``, says (a plain default otherwise).
    sources : DataFrame, optional
        :func:`value_sources` of the score table: a table with a ``city`` column
        gets the column ``Values from`` after it.
    headings : mapping, optional
        Column headers to use instead of :func:`worded_heading` (by column name).

    A table with more rows or columns than a sheet holds raises
    :class:`~dmaf_analysis.errors.ArgumentError` naming it; so does an empty ``tables``.
    """
    import xlsxwriter

    target = Path(target)
    if not tables:
        raise ArgumentError(f"{target}: no tables to write")
    for key, frame in tables.items():
        if len(frame) >= 1_048_575 or len(frame.columns) > 16_383:
            raise ArgumentError(f"{target}: table {key!r} ({len(frame)} rows, {len(frame.columns)} columns) does not "
                                "fit in one Excel sheet")
    keys = list(tables)
    names = sheet_names([ABOUT_SHEET, *(_sheet_title(k) for k in keys)])[1:]
    headings = dict(headings or {})
    buffer = io.BytesIO()
    # Only write_string / write_number / write_blank are used, so no text is ever read as a formula, a number
    # or a link; the options say so again.
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                        "strings_to_urls": False, "nan_inf_to_errors": False})
    styles = _Styles(book)
    info = book.add_worksheet(ABOUT_SHEET)
    _write_text(info, 0, 0, _ready_text(spreadsheet_text((about or WorkbookAbout()).title)), styles.title)
    for row, (label, text) in enumerate(_about_rows(about or WorkbookAbout(), keys, names, tables), start=1):
        _write_text(info, row, 0, _ready_text(spreadsheet_text(label)), styles.label)
        _write_text(info, row, 1, _ready_text(spreadsheet_text(text)), styles.wrapped)
    info.set_column(0, 0, 28)
    info.set_column(1, 1, 100)
    for key, name in zip(keys, names):
        frame = _with_sources(tables[key].reset_index(drop=True), sources)
        heads = _unique([headings.get(str(c)) or (SOURCE_HEADING if c == "values_from" else worded_heading(c))
                         for c in frame.columns])
        formats = [number_format(c, dtype) for c, dtype in zip(frame.columns, frame.dtypes)]
        _write_sheet(book.add_worksheet(name), styles, frame, heads, formats)
    book.close()
    with atomic_path(target) as tmp:
        tmp.write_bytes(buffer.getvalue())
    return target
