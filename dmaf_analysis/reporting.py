"""Tables and findings for people: what the national reports show instead of raw DataFrames.

Two kinds of helpers, both pure functions of the tables returned by
:func:`dmaf_analysis.national.national_tables` / :func:`~dmaf_analysis.national.trend_tables`:

* **Formatting** (:func:`format_p`, :func:`format_table`, :func:`table_html`): headings
  in words, no index column, rounded numbers, p-values as ``< 0.001`` or three
  significant digits, booleans as words, long tables cut to their top and bottom
  rows with a link to the full CSV. Every piece of text is HTML-escaped.
* **Findings** (:func:`overview_findings`, :func:`trends_findings`): the "Key
  findings" sentences written from the numbers, each one a claim the sections
  below let a reader check.

The notebooks ``national_overview.ipynb`` and ``national_trends.ipynb`` call
:func:`overview_table` / :func:`trends_table` with a table's name; the column
choices and headings live in :data:`OVERVIEW_COLUMNS` and :data:`TRENDS_COLUMNS`.
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "Column", "OVERVIEW_COLUMNS", "OVERVIEW_SECTIONS", "TOP_BOTTOM", "TRENDS_COLUMNS", "TRENDS_SECTIONS",
    "certified_levels", "component_labels", "effect_words", "files_note_html", "findings_html", "format_bool",
    "format_number", "format_p", "format_share", "format_signed", "format_table", "group_table",
    "overview_findings", "overview_table", "prepare_overview_table", "prepare_trends_table", "slug_id",
    "table_html", "toc_html", "top_bottom", "trends_findings", "trends_table",
]

#: Rows shown at each end of a long table (the rest is in the linked CSV).
TOP_BOTTOM = 10
#: Significance level used by the findings' wording.
ALPHA = 0.05
#: Below this, a p-value is written ``< 0.001``.
P_FLOOR = 0.001
MINUS = "\u2212"
UP, DOWN, SAME = "\u25b2", "\u25bc", "="
NUM = ' class="num"'


# ----------------------------------------------------------------------------- numbers
def _missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def format_number(value, digits: int = 1) -> str:
    """``value`` rounded to ``digits`` decimals with a true minus sign; ``"–"`` when missing."""
    if _missing(value):
        return "\u2013"
    number = float(value)
    if not math.isfinite(number):
        return "\u2013"
    text = f"{number:,.{int(digits)}f}"
    if text.lstrip("-").strip("0.,") == "":  # -0.0 -> 0.0
        text = text.lstrip("-")
    return text.replace("-", MINUS)


def format_signed(value, digits: int = 1, *, marks: bool = True) -> str:
    """A change with its sign (``+3.5``, ``−2.0``, ``0.0``), led by ▲/▼/= when ``marks``.

    Direction is carried by the sign and the mark as well as by any colour.
    """
    if _missing(value):
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
    if _missing(p):
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
    if _missing(value):
        return "\u2013"
    return f"{format_number(100 * float(value), digits)}\u00a0%"


def format_bool(value, *, yes: str = "Yes", no: str = "No") -> str:
    """A boolean as a word (never ``True``/``False``); missing -> ``–``."""
    if _missing(value):
        return "\u2013"
    return yes if bool(value) else no


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
        return "\u2013" if _missing(value) else str(value)
    if col.kind == "label":
        return "\u2013" if _missing(value) else str(labels.get(value, value))
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


# ----------------------------------------------------------------- national tables
def _c(name, heading, kind="text", digits=1, **kw) -> Column:
    return Column(name, heading, kind, digits, **kw)


#: Columns and headings of the overview's tables (as prepared by :func:`prepare_overview_table`).
OVERVIEW_COLUMNS: dict[str, list[Column]] = {
    "provenance": [_c("cycle", "Cycle", "int"), _c("n_cities", "Cities", "int"),
                   _c("synthetic_share", "Synthetic values", "share"),
                   _c("framework_provenance", "Framework"),
                   _c("weights_illustrative", "Component weights", "bool", yes="assumed", no="on record"),
                   _c("thresholds_illustrative", "Level thresholds", "bool", yes="illustrative", no="on record"),
                   _c("scores_file", "Score file")],
    "distributions": [_c("measure", "Score", "label"), _c("n", "Cities", "int"), _c("mean", "Mean", "number"),
                      _c("median", "Median", "number"), _c("sd", "SD", "number"),
                      _c("middle_half", "Middle half (Q1\u2013Q3)"), _c("range", "Range"),
                      _c("share_zero", "At 0", "share"), _c("share_full", "At 100", "share"),
                      _c("skew", "Skewness", "number", 2), _c("gini", "Gini", "number", 2),
                      _c("flag", "Audit flag")],
    "leaderboard": [_c("rank_label", "Rank"), _c("city", "City"), _c("state", "State"),
                    _c("overall", "Overall", "number"), _c("level", "Level")],
    "indicator_distribution": [_c("indicator", "Id"), _c("name", "Indicator"), _c("max_score", "Max", "int"),
                               _c("n", "Cities", "int"), _c("share_zero", "At 0", "share"),
                               _c("share_partial", "Partial", "share"), _c("share_full", "Full marks", "share"),
                               _c("mean", "Mean points", "number")],
    "kruskal_wallis": [_c("grouping", "Grouping"), _c("measure", "Score", "label"),
                       _c("n_groups", "Groups", "int"), _c("n", "Cities", "int"),
                       _c("statistic", "H", "number", 2), _c("p_value", "p-value", "p"),
                       _c("epsilon_squared", "Effect size \u03b5\u00b2", "number", 2)],
    "groups": [_c("group", "Group"), _c("n", "Cities", "int"), _c("median", "Median overall", "number"),
               _c("interval", "95 % interval"), _c("share_certified", "Certified", "share"),
               _c("note", "Note")],
    "level_counts": [_c("level", "Level"), _c("min_score", "From score", "int"),
                     _c("certified", "Certified", "bool", yes="\u2713 yes", no="\u2013 no"),
                     _c("n", "Cities", "int"), _c("share", "Share", "share")],
    "cronbach_alpha": [_c("component", "Component", "label"), _c("n_indicators", "Indicators", "int"),
                       _c("n_cities", "Cities", "int"), _c("alpha", "Cronbach's \u03b1", "number", 2),
                       _c("reading", "Reading")],
    "pca_variance": [_c("pc", "Principal component", "int"), _c("eigenvalue", "Eigenvalue", "number", 2),
                     _c("variance_share", "Share of variance", "share", 1),
                     _c("cumulative_share", "Cumulative", "share", 1)],
    "effective_weights": [_c("item", "Component", "label"), _c("nominal_weight", "Nominal weight", "share"),
                          _c("effective_weight", "Effective weight", "share"),
                          _c("corr_with_overall", "Correlation with overall", "number", 2)],
    "robustness_cities": [_c("nominal_rank", "Rank", "int"), _c("city", "City"),
                          _c("nominal_score", "Overall", "number"), _c("median_rank", "Median rank", "int"),
                          _c("rank_range", "Rank, 5\u201395 %"), _c("p_certified", "P(certified)", "share"),
                          _c("modal_level", "Most likely level")],
    "engagement_association": [_c("n", "Cities", "int"), _c("rho", "Spearman \u03c1", "number", 2),
                               _c("p_value", "p-value", "p"), _c("strength", "Strength")],
    "sensitivity_assumptions": [_c("assumption", "Assumption"), _c("n_variables", "Inputs varied", "int"),
                                _c("description", "How it varies")],
    "leave_one_out": [_c("left", "Left out"), _c("mean_abs_shift", "Mean places moved", "number", 1),
                      _c("max_abs_shift", "Largest move", "int"), _c("n_moved", "Cities moved", "int"),
                      _c("most_moved", "Moved most"), _c("most_moved_shift", "Its rank change", "int")],
}

#: Columns and headings of the trends report's tables (as prepared by :func:`prepare_trends_table`).
TRENDS_COLUMNS: dict[str, list[Column]] = {
    "provenance": OVERVIEW_COLUMNS["provenance"],
    "component_map": [_c("component_from", "Earlier component", "label"),
                      _c("component_to", "Compared with", "label")],
    "change_summary": [_c("measure", "Score", "label"), _c("n", "Cities", "int"),
                       _c("mean_from", "Mean before", "number"), _c("mean_to", "Mean after", "number"),
                       _c("mean_change", "Mean change", "signed"), _c("interval", "95 % interval"),
                       _c("n_improved", "Up", "int"), _c("n_declined", "Down", "int"),
                       _c("p_value", "p-value", "p"), _c("rank_biserial", "Effect r", "number", 2)],
    "rank_mobility": [_c("n", "Cities", "int"), _c("spearman_rho", "Spearman \u03c1", "number", 2),
                      _c("kendall_tau", "Kendall \u03c4", "number", 2),
                      _c("mean_abs_rank_change", "Mean places moved", "number"),
                      _c("n_moved_up", "Moved up", "int"), _c("n_moved_down", "Moved down", "int"),
                      _c("n_same_rank", "Same rank", "int")],
    "most_changed": [_c("city", "City"), _c("state", "State"), _c("overall_from", "Before", "number"),
                     _c("overall_to", "After", "number"), _c("change", "Change", "signed"),
                     _c("ranks", "Rank before \u2192 after")],
    "city_changes": [_c("city", "City"), _c("state", "State"), _c("overall_from", "Before", "number"),
                     _c("overall_to", "After", "number"), _c("change", "Change", "signed"),
                     _c("ranks", "Rank before \u2192 after"), _c("levels", "Level before \u2192 after")],
    "unpaired_cities": [_c("city", "City"), _c("state", "State"), _c("present_in", "Assessed in cycle", "int"),
                        _c("overall", "Overall", "number"), _c("level", "Level")],
}


def _span(low, high, digits: int = 0) -> str:
    if _missing(low) or _missing(high):
        return "\u2013"
    return f"{format_number(low, digits)}\u2013{format_number(high, digits)}"


def _alpha_reading(alpha) -> str:
    if _missing(alpha):
        return "not computable"
    a = float(alpha)
    return ("high (\u2265 0.9)" if a >= 0.9 else "good (0.7\u20130.9)" if a >= 0.7
            else "questionable (0.5\u20130.7)" if a >= 0.5 else "low (< 0.5)")


#: Groups with fewer cities than this get a note that their interval says little.
SMALL_GROUP = 3


def group_table(group_medians: pd.DataFrame, *, measure: str = "overall") -> pd.DataFrame:
    """One row per group for one measure of :func:`stats.group_medians`, largest median first.

    Returns
    -------
    DataFrame
        Columns ``group, n, median, ci_low, ci_high, interval, share_certified,
        note`` (``note`` says when a group is too small to say much).
    """
    part = group_medians[group_medians["measure"] == measure]
    out = part[["group", "n", "median", "ci_low", "ci_high", "share_certified"]].copy()
    out["interval"] = [_span(lo, hi) for lo, hi in zip(out["ci_low"], out["ci_high"])]
    out["note"] = np.where(out["n"] < SMALL_GROUP, "too few cities to say", "")
    out = out.sort_values(["median", "group"], ascending=[False, True], kind="mergesort")
    return out[["group", "n", "median", "ci_low", "ci_high", "interval", "share_certified", "note"]] \
        .reset_index(drop=True)


def prepare_overview_table(tables: dict[str, pd.DataFrame], name: str) -> pd.DataFrame:
    """The table ``name`` of :func:`national.national_tables`, with the derived columns the overview shows.

    ``groups_<grouping>`` gives :func:`group_table` of ``group_medians_<grouping>``;
    other names return a new table with columns such as ``middle_half``, ``flag``
    or ``rank_range`` added where :data:`OVERVIEW_COLUMNS` needs them.
    """
    if name.startswith("groups_"):
        return group_table(tables[f"group_medians_{name[len('groups_'):]}"])
    t = tables[name].copy()
    if name == "distributions":
        t["middle_half"] = [_span(a, b) for a, b in zip(t["q1"], t["q3"])]
        t["range"] = [_span(a, b) for a, b in zip(t["min"], t["max"])]
        flags = []
        for s, k in zip(t["skew_flag"], t["kurtosis_flag"]):
            words = [w for w, f in (("skewed", s), ("heavy tails", k)) if bool(f)]
            flags.append(", ".join(words) if words else "none")
        t["flag"] = flags
    elif name == "cronbach_alpha":
        t["reading"] = [_alpha_reading(a) for a in t["alpha"]]
    elif name == "effective_weights":
        t = t[t["level"] == "component"].reset_index(drop=True)
    elif name == "robustness_cities":
        t = t.sort_values(["nominal_rank", "city"], kind="mergesort").reset_index(drop=True)
        t["rank_range"] = [_span(a, b) for a, b in zip(t["rank_p05"], t["rank_p95"])]
    elif name == "leave_one_out":
        t["left"] = [f"{k}: {n}" for k, n in zip(t["left_out_kind"], t["name"])]
        t = t.sort_values(["mean_abs_shift", "left"], ascending=[False, True], kind="mergesort").reset_index(drop=True)
    elif name == "engagement_association":
        t["strength"] = [effect_words(r) if not _missing(r) else "\u2013" for r in t["rho"]]
    elif name == "kruskal_wallis":
        t["grouping"] = t["grouping"].astype(str).str.replace("_", " ").str.capitalize()
    return t


def prepare_trends_table(tables: dict[str, pd.DataFrame], name: str) -> pd.DataFrame:
    """The table ``name`` of :func:`national.trend_tables` with the derived columns the report shows."""
    t = tables[name].copy()
    if name == "change_summary":
        t["interval"] = [f"{format_signed(a, marks=False)} to {format_signed(b, marks=False)}"
                         for a, b in zip(t["mean_change_ci_low"], t["mean_change_ci_high"])]
    if name in {"most_changed", "city_changes"}:
        t["ranks"] = [f"{format_number(a, 0)} \u2192 {format_number(b, 0)}"
                      for a, b in zip(t["rank_from"], t["rank_to"])]
    if name == "city_changes":
        t["levels"] = [f"{a} \u2192 {b}" if a != b else f"{a} (same)" for a, b in zip(t["level_from"], t["level_to"])]
        t = t.sort_values(["change", "city"], ascending=[False, True], kind="mergesort").reset_index(drop=True)
    return t


def overview_table(tables: dict[str, pd.DataFrame], name: str, *, labels: dict | None = None,
                   csv_folder: str | None = None, limit: int | None = TOP_BOTTOM,
                   columns: list[Column] | None = None) -> str:
    """HTML of one overview table (``name`` as in :data:`OVERVIEW_COLUMNS` or ``groups_<grouping>``).

    ``csv_folder`` is the folder, relative to the page, holding the full tables
    (``national.cycle_folder(cycle)``); the link names the table's CSV file.
    """
    key = "groups" if name.startswith("groups_") else name
    source = f"group_medians_{name[len('groups_'):]}" if name.startswith("groups_") else name
    data = prepare_overview_table(tables, name)
    href = f"{csv_folder}/{source}.csv" if csv_folder else None
    return table_html(data, columns or OVERVIEW_COLUMNS[key], labels=labels, limit=limit, csv_href=href)


def trends_table(tables: dict[str, pd.DataFrame], name: str, *, labels: dict | None = None,
                 csv_folder: str | None = None, limit: int | None = TOP_BOTTOM,
                 columns: list[Column] | None = None) -> str:
    """HTML of one trends table (``name`` as in :data:`TRENDS_COLUMNS`)."""
    data = prepare_trends_table(tables, name)
    href = f"{csv_folder}/{name}.csv" if csv_folder else None
    return table_html(data, columns or TRENDS_COLUMNS[name], labels=labels, limit=limit, csv_href=href)


# ---------------------------------------------------------------------------- findings
def _n(count: int, one: str, many: str | None = None) -> str:
    count = int(count)
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _score(value) -> str:
    return format_number(value, 0) if float(value) == round(float(value)) else format_number(value, 1)


def _p_words(p) -> str:
    text = format_p(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def effect_words(r) -> str:
    """Size of a rank-biserial (or any correlation-like) effect: negligible, small, medium or large.

    Cut-offs 0.1, 0.3 and 0.5 on ``|r|`` (the usual conventions for correlations).
    """
    a = abs(float(r))
    return "negligible" if a < 0.1 else "small" if a < 0.3 else "medium" if a < 0.5 else "large"


def _label(labels: dict, key) -> str:
    return str(labels.get(key, key))


def overview_findings(tables: dict[str, pd.DataFrame], *, labels: dict | None = None,
                      grouping: str = "region", top: int = 10) -> list[str]:
    """Key findings of one cycle, as plain sentences written from :func:`national.national_tables`.

    The sentences cover the national mean and median, how many cities are
    certified, the best and worst components, whether the groups of
    ``grouping`` differ (Kruskal-Wallis on the overall score, with the highest
    and lowest group medians), how robust the top ``top`` ranks are, how many
    cities could fall on either side of certification, and the engagement
    association. A sentence is left out when its table is empty.
    """
    labels = labels or {}
    out: list[str] = []
    dist = tables.get("distributions", pd.DataFrame())
    overall = dist[dist["measure"] == "overall"] if len(dist) else dist
    levels = tables.get("level_counts", pd.DataFrame())
    if len(overall):
        o = overall.iloc[0]
        sentence = (f"Across {_n(o['n'], 'city', 'cities')}, the mean overall score is {_score(o['mean'])} "
                    f"out of 100 (median {_score(o['median'])}, middle half {_span(o['q1'], o['q3'])}).")
        out.append(sentence)
    if len(levels):
        n_cert = int(levels.loc[levels["certified"].astype(bool), "n"].sum())
        total = int(levels["n"].sum())
        top_level = levels.iloc[-1]
        sentence = f"{n_cert} of {total} cities ({format_share(n_cert / total) if total else '0 %'}) are certified"
        if int(levels["certified"].astype(bool).sum()) > 1:  # several certified levels: name the highest
            sentence += f"; {_n(top_level['n'], 'city', 'cities')} reached the highest level, {top_level['level']}"
        out.append(sentence + ".")
    comps = dist[dist["measure"] != "overall"] if len(dist) else dist
    comps = comps.dropna(subset=["mean"]) if len(comps) else comps
    if len(comps) >= 2:
        best = comps.loc[comps["mean"].idxmax()]
        worst = comps.loc[comps["mean"].idxmin()]
        zero = comps.loc[comps["share_zero"].idxmax()]
        sentence = (f"Cities score highest on {_label(labels, best['measure'])} (mean {_score(best['mean'])}) "
                    f"and lowest on {_label(labels, worst['measure'])} (mean {_score(worst['mean'])})")
        if float(zero["share_zero"]) > 0:
            sentence += (f"; {format_share(zero['share_zero'])} of cities score 0 on "
                         f"{_label(labels, zero['measure'])}")
        out.append(sentence + ".")
    kw = tables.get("kruskal_wallis", pd.DataFrame())
    groups = tables.get(f"group_medians_{grouping}", pd.DataFrame())
    if len(kw) and len(groups):
        row = kw[(kw["grouping"] == grouping) & (kw["measure"] == "overall")]
        g = group_table(groups)
        big = g[g["n"] >= SMALL_GROUP]
        name = grouping.replace("_", " ")
        plural = "regions" if grouping == "region" else "states" if grouping == "state" else f"{name}s"
        if len(row) and pd.notna(row.iloc[0]["p_value"]) and len(big) >= 2:
            r = row.iloc[0]
            hi, lo = big.iloc[0], big.iloc[-1]
            test = f"Kruskal-Wallis {_p_words(r['p_value'])}, \u03b5\u00b2 = {format_number(r['epsilon_squared'], 2)}"
            spread = (f"median overall {_score(hi['median'])} in {hi['group']} ({_n(hi['n'], 'city', 'cities')}) "
                      f"against {_score(lo['median'])} in {lo['group']} ({_n(lo['n'], 'city', 'cities')})")
            if float(r["p_value"]) < ALPHA:
                out.append(f"The {plural} differ in overall score ({test}): {spread}.")
            else:
                out.append(f"The {plural} do not differ clearly in overall score ({test}); {spread}.")
            small = g[g["n"] < SMALL_GROUP]
            if len(small):
                verb = "is" if len(small) == 1 else "are"
                out[-1] = out[-1][:-1] + (f"; {_n(len(small), name)} with fewer than {SMALL_GROUP} cities "
                                          f"{verb} too small to compare.")
    robust = tables.get("robustness_cities", pd.DataFrame())
    if len(robust):
        n_top = robust[robust["nominal_rank"] <= top]
        kept = int((n_top["rank_p95"] <= top).sum())
        first = robust.sort_values(["nominal_rank", "city"]).iloc[0]
        certain_first = int(first["rank_p05"]) == int(first["rank_p95"]) == int(first["nominal_rank"])
        first_words = (f"{first['city']} keeps rank {int(first['nominal_rank'])} in every draw between the 5th and "
                       f"95th percentile" if certain_first else
                       f"{first['city']}'s rank ranges from {int(first['rank_p05'])} to {int(first['rank_p95'])}")
        out.append(f"Ranks at the top are {'robust' if kept >= 0.8 * len(n_top) else 'not all robust'}: "
                   f"{kept} of the {len(n_top)} cities ranked in the top {top} stay there in 95 % of the draws "
                   f"that change the weights (\u00b125 %) and the aggregation; {first_words}.")
        either = int(((robust["p_certified"] > 0.05) & (robust["p_certified"] < 0.95)).sum())
        out.append(f"{_n(either, 'city', 'cities')} could fall on either side of certification "
                   "(certified in between 5 % and 95 % of the draws).")
    assoc = tables.get("engagement_association", pd.DataFrame())
    if len(assoc) and pd.notna(assoc.iloc[0]["rho"]):
        a = assoc.iloc[0]
        out.append(f"Engagement and maturity go together {effect_words(a['rho'])}ly (Spearman \u03c1 = "
                   f"{format_number(a['rho'], 2)}, {_p_words(a['p_value'])}, {_n(a['n'], 'city', 'cities')})."
                   .replace("negligiblely", "negligibly").replace("smallly", "weakly")
                   .replace("mediumly", "moderately").replace("largely", "strongly"))
    return out


def _component_change_sentence(comps: pd.DataFrame, labels: dict) -> str:
    """Which component moved most and least (by size of the mean change), right for rises and falls alike."""
    size = comps["mean_change"].astype(float).abs()
    big = comps.loc[size.idxmax()]
    small = comps.loc[size.idxmin()]

    def moved(row) -> str:
        v = float(row["mean_change"])
        word = "rise" if v > 0 else "fall" if v < 0 else "change"
        return f"{_label(labels, row['measure'])} ({word} of {format_number(abs(v))} points)"

    return (f"The component that moved most is {moved(big)}; the one that moved least is "
            f"{moved(small)} (mean change per city, by size).")


def trends_findings(tables: dict[str, pd.DataFrame], *, labels: dict | None = None,
                    certified_levels=None) -> list[str]:
    """Key findings of a comparison of two cycles, written from :func:`national.trend_tables`.

    The mean change of the overall score with its interval, how many cities
    improved, declined or stayed, the Wilcoxon test in words with its effect
    size and what that means, the components that moved most and least, rank
    stability, certification gained and lost (``certified_levels``: names of
    the certified levels of the later cycle, when known) and the cities left out.
    """
    labels = labels or {}
    out: list[str] = []
    summary = tables.get("change_summary", pd.DataFrame())
    overall = summary[summary["measure"] == "overall"] if len(summary) else summary
    if len(overall):
        o = overall.iloc[0]
        a, b = int(o["cycle_from"]), int(o["cycle_to"])
        out.append(f"For the {_n(o['n'], 'city', 'cities')} assessed in both cycles, the mean overall score went "
                   f"from {format_number(o['mean_from'])} in cycle {a} to {format_number(o['mean_to'])} in cycle {b}: "
                   f"a change of {format_signed(o['mean_change'], marks=False)} points (95 % interval "
                   f"{format_signed(o['mean_change_ci_low'], marks=False)} to "
                   f"{format_signed(o['mean_change_ci_high'], marks=False)}).")
        out.append(f"{_n(o['n_improved'], 'city', 'cities')} improved, {int(o['n_declined'])} declined and "
                   f"{int(o['n_unchanged'])} kept the same overall score.")
        if pd.notna(o["p_value"]):
            r = float(o["rank_biserial"])
            direction = "gains" if r > 0 else "falls"
            other = "falls" if r > 0 else "gains"
            lean = ("The changes lean clearly towards " + direction if float(o["p_value"]) < ALPHA
                    else "The changes do not lean clearly either way")
            out.append(f"{lean} (Wilcoxon signed-rank test, {_p_words(o['p_value'])}); the effect is "
                       f"{effect_words(r)} (rank-biserial r = {format_number(r, 2)}): ranked by size, the "
                       f"{direction} outweigh the {other} by {format_share(abs(r))} of all the ranked change.")
    comps = summary[summary["measure"] != "overall"].dropna(subset=["mean_change"]) if len(summary) else summary
    if len(comps) >= 2:
        out.append(_component_change_sentence(comps, labels))
    changes = tables.get("city_changes", pd.DataFrame())
    if len(changes) and certified_levels is not None:
        cert = set(certified_levels)
        was = changes["level_from"].isin(cert)
        now = changes["level_to"].isin(cert)
        out.append(f"{_n(int((~was & now).sum()), 'city', 'cities')} became certified and "
                   f"{int((was & ~now).sum())} lost certification (levels of each cycle's own framework).")
    mob = tables.get("rank_mobility", pd.DataFrame())
    if len(mob) and pd.notna(mob.iloc[0]["spearman_rho"]):
        m = mob.iloc[0]
        rho = float(m["spearman_rho"])
        kept = "largely kept" if rho >= 0.7 else "partly kept" if rho >= 0.4 else "largely reshuffled"
        out.append(f"The ranking was {kept} (Spearman \u03c1 = {format_number(rho, 2)}); cities moved "
                   f"{format_number(m['mean_abs_rank_change'])} places on average, {int(m['n_moved_up'])} up and "
                   f"{int(m['n_moved_down'])} down.")
    if len(changes):
        best = changes.sort_values(["change", "city"], ascending=[False, True]).iloc[0]
        worst = changes.sort_values(["change", "city"], ascending=[True, True]).iloc[0]
        if float(best["change"]) > 0:
            out.append(f"{best['city']} gained most ({format_signed(best['change'], marks=False)} points, rank "
                       f"{int(best['rank_from'])} \u2192 {int(best['rank_to'])})"
                       + (f"; {worst['city']} lost most ({format_signed(worst['change'], marks=False)} points, "
                          f"rank {int(worst['rank_from'])} \u2192 {int(worst['rank_to'])})."
                          if float(worst["change"]) < 0 else "."))
    unpaired = tables.get("unpaired_cities", pd.DataFrame())
    if len(unpaired):
        names = ", ".join(unpaired["city"].astype(str).head(5)) + (", ..." if len(unpaired) > 5 else "")
        out.append(f"{_n(len(unpaired), 'city', 'cities')} assessed in only one cycle ({names}) "
                   f"{'is' if len(unpaired) == 1 else 'are'} left out of these comparisons.")
    return out


# ------------------------------------------------------------------- page structure
def findings_html(sentences: list[str], *, title: str = "Key findings") -> str:
    """The findings as an escaped list in a box, headed ``title`` (an ``h2`` with id ``key-findings``)."""
    items = "".join(f"<li>{html.escape(s)}</li>" for s in sentences)
    return (f'<section class="dmaf-findings"><h2 id="key-findings">{html.escape(title)}</h2>'
            f"<ul>{items}</ul></section>")


def slug_id(title: str) -> str:
    """The id nbconvert gives a markdown heading ``title``: spaces become hyphens, the rest URL-quoted."""
    from urllib.parse import quote

    return quote(str(title).replace(" ", "-"), safe="?/:@!$&'()*+,;=")


#: Section headings of the national overview and trends notebooks (their ``##`` headings, in order).
OVERVIEW_SECTIONS = ["Ranking", "Distributions", "Floor and ceiling effects", "States, regions and rounds",
                     "Certification", "How robust is the ranking", "Sensitivity: which assumption matters",
                     "Engagement and maturity",
                     "Method: statistical audit", "Data and provenance"]
TRENDS_SECTIONS = ["Every city's change", "How much scores changed", "Certification transitions", "Rank mobility",
                   "Most improved and most declined", "Cities assessed in only one cycle", "All paired cities",
                   "Data and provenance"]


def toc_html(sections: list[str], *, title: str = "Contents") -> str:
    """A table of contents linking to the heading ids nbconvert gives ``sections`` (:func:`slug_id`)."""
    items = "".join(f'<li><a href="#{html.escape(slug_id(s), quote=True)}">{html.escape(s)}</a></li>'
                    for s in sections)
    return f'<nav class="dmaf-toc"><h2>{html.escape(title)}</h2><ol>{items}</ol></nav>'


def certified_levels(frameworks, cycles) -> list[str]:
    """Names of the levels that count as certified in any of ``cycles`` (from their frameworks)."""
    names: list[str] = []
    for c in cycles:
        levels = frameworks[int(c)].levels
        for name in levels.loc[levels["certified"].astype(bool), "level"]:
            if name not in names:
                names.append(str(name))
    return names


def component_labels(framework) -> dict[str, str]:
    """``{component id: name, "overall": "Overall"}`` from a framework."""
    return {**dict(zip(framework.components["component"], framework.components["name"])), "overall": "Overall"}


def files_note_html(folder: str, *, formats: str = "CSV, Parquet and one Excel workbook") -> str:
    """A line saying that every table is in ``folder`` beside the page (a relative link; no local path)."""
    href = html.escape(folder.rstrip("/") + "/", quote=True)
    return (f'<p class="dmaf-files">Every table of this report, in full, is in the folder '
            f'<a href="{href}">{html.escape(folder)}/</a> beside this page ({html.escape(formats)}).</p>')
