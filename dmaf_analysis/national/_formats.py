"""Cells and tables for people: numbers in words and HTML tables cut to their top and bottom.

* Cells: :func:`format_number` (a true minus sign), :func:`format_signed` (a change,
  with ▲/▼), :func:`format_p` (``< 0.001`` or three significant digits),
  :func:`format_share` (a percentage), :func:`format_bool` (words, never
  ``True``/``False``), :func:`format_span` (a range) and :func:`effect_words` (the
  size of a correlation-like effect). A missing value is shown as ``–``.
* Tables: a :class:`Column` says how one column is shown; :func:`format_table`
  turns a DataFrame into strings under worded headings, and :func:`table_html`
  into an escaped HTML table with right-aligned numbers and no index column, a
  long one cut to its first and last rows (:func:`top_bottom`, never splitting a
  shared rank) with a link to the full CSV.
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._util import numeric

__all__ = [
    "Column", "DOWN", "MINUS", "NUM", "P_FLOOR", "SAME", "TOP_BOTTOM", "UP", "effect_words", "format_bool",
    "format_number", "format_p", "format_share", "format_signed", "format_span", "format_table", "is_missing",
    "table_html", "top_bottom",
]

#: Rows shown at each end of a long table (the rest is in the linked CSV).
TOP_BOTTOM = 10
#: Below this, a p-value is written ``< 0.001``.
P_FLOOR = 0.001
MINUS = "\u2212"
UP, DOWN, SAME = "\u25b2", "\u25bc", "="
NUM = ' class="num"'


# ----------------------------------------------------------------------------- numbers
def is_missing(value) -> bool:
    """Whether ``value`` is missing: None, ``pd.NA``, ``pd.NaT`` or NaN (never raises)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def format_number(value, digits: int = 1) -> str:
    """``value`` with ``digits`` decimals, thousands grouped and a true minus sign; ``"–"`` when missing.

    The table-cell form of :func:`dmaf_analysis._util.numeric.format_number`.
    """
    return numeric.format_number(value, digits, fixed=True, grouping=True, minus=MINUS)


def format_signed(value, digits: int = 1, *, marks: bool = True) -> str:
    """A change with its sign (``+3.5``, ``−2.0``, ``0.0``), led by ▲/▼/= when ``marks``.

    Direction is carried by the sign and the mark as well as by any colour.
    """
    if is_missing(value):
        return "\u2013"
    number = float(value)
    text = format_number(abs(number), digits)
    rounded = float(f"{abs(number):.{int(digits)}f}")
    if rounded == 0:
        return f"{SAME} {text}" if marks else text
    sign = "+" if number > 0 else MINUS
    mark = (UP if number > 0 else DOWN) + " " if marks else ""
    return f"{mark}{sign}{text}"


def format_p(p) -> str:
    """A p-value as people write it: ``< 0.001`` below 0.001, otherwise three significant digits.

    >>> format_p(1e-20), format_p(0.01322), format_p(0.5)
    ('< 0.001', '0.0132', '0.500')
    """
    if is_missing(p):
        return "\u2013"
    p = float(p)
    if not math.isfinite(p) or p < 0 or p > 1:
        raise ValueError(f"a p-value lies between 0 and 1, got {p!r}")
    if p < P_FLOOR:
        return f"< {P_FLOOR:g}"
    digits = max(0, 2 - int(math.floor(math.log10(p))))
    return f"{p:.{digits}f}"


def format_share(value, digits: int = 0) -> str:
    """A share (0-1) as a percentage: ``0.42`` -> ``42 %``."""
    if is_missing(value):
        return "\u2013"
    return f"{format_number(100 * float(value), digits)}\u00a0%"


def format_bool(value, *, yes: str = "Yes", no: str = "No") -> str:
    """A boolean as a word (never ``True``/``False``); missing -> ``–``."""
    if is_missing(value):
        return "\u2013"
    return yes if bool(value) else no


def format_span(low, high, digits: int = 0) -> str:
    """A range ``low–high`` (``12–48``) rounded to ``digits`` decimals; ``–`` when either end is missing."""
    if is_missing(low) or is_missing(high):
        return "\u2013"
    return f"{format_number(low, digits)}\u2013{format_number(high, digits)}"


def effect_words(r) -> str:
    """Size of a rank-biserial (or any correlation-like) effect: negligible, small, medium or large.

    Cut-offs 0.1, 0.3 and 0.5 on ``|r|`` (the usual conventions for correlations).
    """
    a = abs(float(r))
    return "negligible" if a < 0.1 else "small" if a < 0.3 else "medium" if a < 0.5 else "large"


# ----------------------------------------------------------------------------- tables
@dataclass(frozen=True)
class Column:
    """How one column of a table is shown.

    ``kind`` is one of ``text``, ``label`` (mapped through the ``labels`` given
    to :func:`format_table`, e.g. component ids to names), ``int``, ``number``
    (``digits`` decimals), ``signed`` (a change, with ▲/▼), ``share`` (a
    percentage), ``p`` (a p-value) or ``bool`` (``yes``/``no`` words).
    """

    name: str
    heading: str
    kind: str = "text"
    digits: int = 1
    yes: str = "Yes"
    no: str = "No"

    @property
    def numeric(self) -> bool:
        return self.kind in {"int", "number", "signed", "share", "p"}


_KINDS = {"text", "label", "int", "number", "signed", "share", "p", "bool"}


def _format_value(value, col: Column, labels: dict) -> str:
    if col.kind == "text":
        return "\u2013" if is_missing(value) else str(value)
    if col.kind == "label":
        return "\u2013" if is_missing(value) else str(labels.get(value, value))
    if col.kind == "int":
        return format_number(value, 0)
    if col.kind == "number":
        return format_number(value, col.digits)
    if col.kind == "signed":
        return format_signed(value, col.digits)
    if col.kind == "share":
        return format_share(value, col.digits if col.digits != 1 else 0)
    if col.kind == "p":
        return format_p(value)
    if col.kind == "bool":
        return format_bool(value, yes=col.yes, no=col.no)
    raise ValueError(f"unknown column kind {col.kind!r}; expected one of {sorted(_KINDS)}")


def _whole(col: Column, values: pd.Series) -> Column:
    """``col`` with no decimals when it is a ``number``/``signed`` column holding only whole numbers."""
    if col.kind not in {"number", "signed"} or col.digits == 0:
        return col
    numbers = pd.to_numeric(values, errors="coerce").dropna().to_numpy(float)
    if len(numbers) and np.all(np.isfinite(numbers)) and np.all(numbers == np.round(numbers)):
        return Column(col.name, col.heading, col.kind, 0, col.yes, col.no)
    return col


def format_table(data: pd.DataFrame, columns: list[Column], *, labels: dict | None = None) -> pd.DataFrame:
    """A new table of strings with worded headings, for people (``data`` is not changed).

    Parameters
    ----------
    data : DataFrame
        Any table holding every ``Column.name``.
    columns : list of Column
        The columns to show, in order, with their headings and kinds.
    labels : dict, optional
        Display names for ``label`` columns (e.g. ``{"policy": "Policy"}``).

    Returns
    -------
    DataFrame
        One column per ``Column`` (named by its ``heading``), every cell a
        string, a fresh 0..n-1 index (never shown). A ``number`` or ``signed``
        column whose values are all whole numbers is shown without decimals.
    """
    labels = labels or {}
    missing = [c.name for c in columns if c.name not in data.columns]
    if missing:
        raise KeyError(f"table has no column(s) {', '.join(missing)}; it has {', '.join(map(str, data.columns))}")
    out = {c.heading: [_format_value(v, _whole(c, data[c.name]), labels) for v in data[c.name].tolist()]
           for c in columns}
    return pd.DataFrame(out, columns=[c.heading for c in columns])


def top_bottom(data: pd.DataFrame, n: int = TOP_BOTTOM, *,
               ties_on: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The first and last ``n`` rows of an ordered table (``None`` as the second when it is short).

    With ``ties_on`` (a column such as ``rank``), rows tied with the last row of
    the top part, or with the first row of the bottom part, are kept with it, so a
    rank shared at the cut-off ("10=") is never split.
    """
    if len(data) <= 2 * n + 1:
        return data, None
    n_head, n_tail = n, n
    if ties_on is not None and ties_on in data.columns:
        values = data[ties_on].tolist()
        while n_head < len(values) and pd.notna(values[n_head - 1]) and values[n_head] == values[n_head - 1]:
            n_head += 1
        first = len(values) - n_tail
        while first > n_head and pd.notna(values[first]) and values[first - 1] == values[first]:
            first -= 1
        n_tail = len(values) - first
        if n_head + n_tail >= len(values):
            return data, None
    return data.head(n_head), data.tail(n_tail)


def table_html(data: pd.DataFrame, columns: list[Column], *, labels: dict | None = None,
               limit: int | None = TOP_BOTTOM, csv_href: str | None = None, caption: str | None = None) -> str:
    """An HTML table for people: :func:`format_table`, right-aligned numbers, no index column.

    A table longer than ``2 * limit + 1`` rows shows its first and last ``limit``
    rows (more when a rank is shared at the cut-off: every tied city is shown)
    around a row saying how many are left out; ``csv_href`` (a relative
    link) then points to the full table. Every cell, heading, caption and the
    link are HTML-escaped; the table sits in a box that scrolls on its own on a
    narrow screen instead of widening the page.
    """
    ties_on = "rank" if "rank" in data.columns else None
    head, tail = top_bottom(data, limit, ties_on=ties_on) if limit else (data, None)
    parts = ['<div class="dmaf-table-box"><table class="dmaf-table">']
    if caption:
        parts.append(f"<caption>{html.escape(caption)}</caption>")
    parts.append("<thead><tr>")
    for col in columns:
        cls = ' class="num"' if col.numeric else ""
        parts.append(f'<th scope="col"{cls}>{html.escape(col.heading)}</th>')
    parts.append("</tr></thead><tbody>")

    def rows(frame):
        shown = format_table(frame, columns, labels=labels)
        for values in shown.itertuples(index=False):
            cells = "".join(f"<td{NUM if col.numeric else ''}>{html.escape(v)}</td>"
                            for col, v in zip(columns, values))
            parts.append(f"<tr>{cells}</tr>")

    rows(head)
    if tail is not None:
        left_out = len(data) - len(head) - len(tail)
        where = (f' (all {len(data)} in <a href="{html.escape(csv_href, quote=True)}">'
                 f'{html.escape(csv_href.rsplit("/", 1)[-1])}</a>)') if csv_href else ""
        parts.append(f'<tr class="gap"><td colspan="{len(columns)}">\u2026 {left_out} rows not shown'
                     f'{where} \u2026</td></tr>')
        rows(tail)
    parts.append("</tbody></table>")
    if csv_href and tail is None:
        parts.append(f'<p class="dmaf-table-link">Full table: <a href="{html.escape(csv_href, quote=True)}">'
                     f'{html.escape(csv_href.rsplit("/", 1)[-1])}</a></p>')
    parts.append("</div>")
    return "".join(parts)

