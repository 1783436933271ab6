"""Text from data made safe for the places that interpret it: charts, terminals and spreadsheets.

* :func:`chart_text` - matplotlib reads ``$...$`` as mathematical notation, so a
  component called "Budget ($)" or a city called "A $\\frac$ City" makes a chart
  fail or draw something else. Every label taken from data (city, state, region,
  component, indicator and level names, group names, legend entries) goes
  through this one function before it reaches a chart.
* :func:`terminal_text` - control characters (ESC sequences can retitle,
  recolour or clear a terminal) are shown as visible escapes such as ``\\x1b``.
  The command line applies it to everything it prints to a terminal.
* :func:`spreadsheet_text` - a spreadsheet runs a cell starting with ``= + - @``
  (or a tab or carriage return) as a formula, and an Excel file cannot hold most
  control characters. Every text that becomes a spreadsheet cell or a CSV or
  Excel column header (names, ids, levels, messages) goes through this one
  function: such a cell gets a leading apostrophe (the OWASP advice against CSV
  injection) and control characters are shown as ``\\xNN`` escapes.
"""
from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, C1 controls, and the bidirectional
# overrides/isolates that can make text read differently from what it is.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# What a spreadsheet cell shows as an escape: the same, but tab, newline and carriage return
# stay (XML and CSV hold them).
_CONTROL_CELL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_CONTROL_KEEP_CR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(text: str, *, keep_carriage_return: bool = False) -> str:
    """``text`` with control characters shown as ``\\xNN`` (tab and newline kept).

    ``keep_carriage_return`` also keeps ``\\r`` (for progress bars that redraw a line).
    """
    pattern = _CONTROL_KEEP_CR if keep_carriage_return else _CONTROL
    text = str(text)
    return pattern.sub(_visible, text) if pattern.search(text) else text


def spreadsheet_text(value):
    """``value`` as a spreadsheet shows it and never runs: the one escaping of cells and headers.

    Text starting with ``= + - @``, a tab or a carriage return gets a leading
    apostrophe; control characters (except tab, newline and carriage return
    inside the text) and bidirectional overrides become visible ``\\xNN`` /
    ``\\uNNNN`` escapes, which also keeps the text valid in an Excel file.
    Anything that is not text (numbers, missing values) is returned unchanged.

    >>> spreadsheet_text("=1+1")
    "'=1+1"
    >>> spreadsheet_text("a\x1bb")
    'a\\x1bb'
    """
    if not isinstance(value, str):
        return value
    if _CONTROL_CELL.search(value):
        value = _CONTROL_CELL.sub(_visible, value)
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def chart_text(value) -> str:
    """``value`` as text matplotlib draws literally (``$`` escaped, so no math mode).

    Control characters are shown as escapes too (matplotlib cannot draw them).
    """
    return terminal_text(str(value)).replace("$", r"\$")


def chart_labels(values):
    """:func:`chart_text` of each value of a Series, an Index or any iterable (a Series or list back)."""
    import pandas as pd  # here, not at the top: the command line's help imports this module

    if isinstance(values, (pd.Series, pd.Index)):
        return values.map(chart_text)
    return [chart_text(v) for v in values]


__all__ = ["FORMULA_PREFIXES", "chart_labels", "chart_text", "spreadsheet_text", "terminal_text"]
