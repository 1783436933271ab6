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

The helpers live in four modules; their public names (``__all__`` below) are
re-exported here, so that ``from dmaf_analysis.reporting import ...`` keeps working:

* :mod:`~dmaf_analysis.reporting_format`: numbers, p-values, shares and effect
  sizes in words; :class:`Column`, :func:`format_table`, :func:`table_html`.
* :mod:`~dmaf_analysis.reporting_tables`: the national tables' columns and
  headings, their derived columns, one table by name.
* :mod:`~dmaf_analysis.reporting_findings`: the key-findings sentences.
* :mod:`~dmaf_analysis.reporting_page`: findings box, table of contents, section
  lists, files note, labels and certified levels from the frameworks.
"""
from __future__ import annotations

from .reporting_findings import ALPHA, overview_findings, trends_findings
from .reporting_format import (DOWN, MINUS, NUM, P_FLOOR, SAME, TOP_BOTTOM, UP, Column, effect_words, format_bool,
                               format_number, format_p, format_share, format_signed, format_span, format_table,
                               is_missing, table_html, top_bottom)
from .reporting_page import (OVERVIEW_SECTIONS, TRENDS_SECTIONS, certified_levels, component_labels,
                             files_note_html, findings_html, slug_id, toc_html)
from .reporting_tables import (OVERVIEW_COLUMNS, SMALL_GROUP, TRENDS_COLUMNS, group_table, overview_table,
                               prepare_overview_table, prepare_trends_table, trends_table)

__all__ = [
    "ALPHA", "Column", "DOWN", "MINUS", "NUM", "OVERVIEW_COLUMNS", "OVERVIEW_SECTIONS", "P_FLOOR", "SAME",
    "SMALL_GROUP", "TOP_BOTTOM", "TRENDS_COLUMNS", "TRENDS_SECTIONS", "UP", "certified_levels", "component_labels",
    "effect_words", "files_note_html", "findings_html", "format_bool", "format_number", "format_p", "format_share",
    "format_signed", "format_span", "format_table", "group_table", "is_missing", "overview_findings",
    "overview_table", "prepare_overview_table", "prepare_trends_table", "slug_id", "table_html", "toc_html",
    "top_bottom", "trends_findings", "trends_table",
]
