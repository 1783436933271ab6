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
"""
from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
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
        lookup = sources.set_index(["cycle", "city"])["values_from"]
        values = [lookup.get((c, city), "no values") for c, city in zip(frame["cycle"], frame["city"])]
    else:  # a table spanning cycles (trends): the cycles' descriptions, joined when they differ
        by_city: dict = {}
        for cycle, city, text in sources.itertuples(index=False):
            by_city.setdefault(city, []).append((cycle, text))
        values = []
        for city in frame["city"]:
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


def _cell(value):
    """A value openpyxl writes as data: missing -> empty, booleans as Yes/No, numpy scalars as Python ones."""
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


def _display_width(value, fmt: str | None) -> int:
    if value is None:
        return 0
    if isinstance(value, float) and fmt:
        if "%" in fmt:
            return len(f"{value * 100:.0f}") + 2
        return len(f"{value:,.3f}")
    return max((len(line) for line in str(value).splitlines()), default=0)


def _write_sheet(ws, frame: pd.DataFrame, headings: list[str], formats: list[str | None]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    band = PatternFill("solid", fgColor="F4F6F8")
    ws.append([spreadsheet_text(h) for h in headings])
    for cell in ws[1]:
        cell.font = bold
        cell.fill = band
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = [min(max(len(h), 6), 40) for h in headings]
    for row in frame.itertuples(index=False):
        values = [_cell(v) for v in row]
        ws.append(values)
        for j, v in enumerate(values):
            widths[j] = max(widths[j], min(_display_width(v, formats[j]), 60))
    for j, fmt in enumerate(formats):
        letter = get_column_letter(j + 1)
        ws.column_dimensions[letter].width = widths[j] + 2
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, min_col=j + 1, max_col=j + 1):
                cell.number_format = fmt
    ws.freeze_panes = "A2"
    if headings:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headings))}{max(len(frame) + 1, 1)}"


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
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

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
    book = Workbook()
    info = book.active
    info.title = ABOUT_SHEET
    info.append([spreadsheet_text((about or WorkbookAbout()).title)])
    info["A1"].font = Font(bold=True, size=14)
    for label, text in _about_rows(about or WorkbookAbout(), keys, names, tables):
        info.append([spreadsheet_text(label), spreadsheet_text(text)])
        info.cell(info.max_row, 1).font = Font(bold=True)
        info.cell(info.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top")
        info.cell(info.max_row, 1).alignment = Alignment(vertical="top")
    info.column_dimensions["A"].width = 28
    info.column_dimensions["B"].width = 100
    for key, name in zip(keys, names):
        frame = _with_sources(tables[key].reset_index(drop=True), sources)
        for col in frame.columns:
            if isinstance(frame[col].dtype, pd.DatetimeTZDtype):
                frame = frame.assign(**{col: frame[col].dt.tz_convert("UTC").dt.tz_localize(None)})
        heads = _unique([headings.get(str(c)) or (SOURCE_HEADING if c == "values_from" else worded_heading(c))
                         for c in frame.columns])
        formats = [number_format(c, frame[c].dtype) for c in frame.columns]
        _write_sheet(book.create_sheet(name), frame, heads, formats)
    with atomic_path(target) as tmp:
        book.save(tmp)
    return target
