"""Reading and validating score tables (the data contract).

A score table is a tidy long table, one row per (cycle, city, indicator):

===========  ========  ==========================================================
column       required  meaning
===========  ========  ==========================================================
cycle        yes       assessment cycle, a whole number with a framework file
city         yes       a Smart City name (matched through aliases, see cities.py)
indicator    yes       an indicator id of that cycle's framework, e.g. ``1.c&d``
score        yes       points, 0 <= score <= the indicator's max; empty = missing
state        no        the city's state (filled from the cities table if absent)
source       no        provenance of the value, e.g. ``report_card``, ``synthetic``
===========  ========  ==========================================================

Other columns are kept as they are. Validation finds *every* problem and raises
one :class:`~dmaf_analysis.errors.DataValidationError` counting them all (grouped into a
short message by :func:`dmaf_analysis.errors.summarise_problems`). Its time and memory
are bounded whatever the problems: they are counted in a
:class:`~dmaf_analysis.errors.ProblemTally` (the first ones kept as records), and
close matches are looked for only for the unknown city names the message can show.
"""
from __future__ import annotations

import csv
import importlib
from array import array
import io as _io
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from .._util.fileio import atomic_path, decode_text, read_input_bytes
from .._util.escaping import spreadsheet_text
from .._util.numeric import TOLERANCE, parse_numbers
from ..cities import CityMatcher, cities_table
from ..errors import (
    MAX_PROBLEM_LINES,
    ArgumentError,
    DataValidationError,
    InputFileError,
    Problem,
    ProblemTally,
    WriteError,
)
from ..framework import Framework, frameworks_or_bundled

__all__ = ["TableSchema", "SCORE_SCHEMA", "ATTRIBUTE_SCHEMA", "SYNTHETIC", "is_synthetic", "unknown_cities_hint",
           "validate_scores", "read_scores", "read_city_attributes", "spreadsheet_safe", "table_format",
           "write_table"]


@dataclass(frozen=True)
class TableSchema:
    """Columns of a long input table: which are required, which optional."""

    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()


SCORE_SCHEMA = TableSchema("score table", ("cycle", "city", "indicator", "score"), ("state", "source"))
ATTRIBUTE_SCHEMA = TableSchema("city attribute table", ("cycle", "city"), ("engagement_score", "state", "source"))

#: The ``source`` of a value that was made up (see :mod:`dmaf_analysis.synth`).
SYNTHETIC = "synthetic"


def is_synthetic(source):
    """Whether a ``source`` label (or each label of a Series) marks a synthetic value.

    Case and surrounding spaces do not matter; a missing label is not synthetic.
    """
    if isinstance(source, pd.Series):
        # each distinct label is looked at once (a card asks about a few dozen small Series)
        codes, labels = pd.factorize(source, use_na_sentinel=True)
        marks = np.array([str(label).strip().lower() == SYNTHETIC for label in labels] + [False], dtype=bool)
        return pd.Series(marks[codes], index=source.index, name=source.name)
    return str(source).strip().lower() == SYNTHETIC


_NA_STRINGS = {"", "na", "nan", "n/a", "null", "none", "-"}


# --------------------------------------------------------------------------- reading
@dataclass(frozen=True, eq=False)
class _RawTable:
    """A table read as stripped strings, with where each row sits in its file."""

    frame: pd.DataFrame
    rows: np.ndarray  # line number (CSV) or 1-based row number (Parquet) of each row
    unit: str         # "line" or "row"


def _read_raw(path: Path) -> _RawTable:
    """Read a CSV or Parquet file as strings, keeping each row's line (or row) number."""
    name = str(path)
    if path.suffix.lower() in (".parquet", ".pq"):
        data = read_input_bytes(path, expected="a Parquet file")
        try:
            frame = pd.read_parquet(_io.BytesIO(data))
        except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for broken files
            raise InputFileError(f"{name}: not a readable Parquet file ({type(exc).__name__}: {exc})") from None
        frame = frame.astype(object).where(frame.notna(), "")
        frame = frame.map(lambda v: "" if v is None else str(v).strip())
        frame.columns = _clean_headers([str(c) for c in frame.columns], name, first_row=None)
        return _RawTable(frame.reset_index(drop=True), np.arange(len(frame)) + 1, "row")
    data = read_input_bytes(path, expected="a CSV table with a header row")
    text = decode_text(data, name, expected="a CSV table (use .parquet for Parquet files)")
    del data  # a million rows: the bytes and the text each take tens of megabytes
    return _parse_csv(text, name)


def _text_lines(text: str):
    """The lines of ``text`` with their endings (``\\n``, ``\\r\\n`` or a lone ``\\r``), one at a time.

    What ``io.StringIO(text, newline="")`` yields, without its copy of the whole
    text (four bytes a character).
    """
    n, start = len(text), 0
    has_cr = "\r" in text
    while start < n:
        end = text.find("\n", start)
        if has_cr:
            cr = text.find("\r", start, end if end >= 0 else n)
            if cr >= 0 and (cr + 1 >= n or text[cr + 1] != "\n"):
                end = cr
        if end < 0:
            yield text[start:]
            return
        yield text[start:end + 1]
        start = end + 1


def _parse_csv(text: str, name: str) -> _RawTable:
    """Parse CSV text with the csv module, so that every row keeps its true line number.

    Blank lines are skipped; a quoted value may span lines (the row's number is the
    line it starts on). Rows with a different number of fields than the header are
    reported together.
    """
    reader = csv.reader(_text_lines(text), skipinitialspace=True)
    header, header_line = None, 0
    columns_data: list[list[str]] = []
    lines, problems = array("q"), ProblemTally()
    # values repeated down a column (cycles, indicator ids, scores) share one string object
    shared: list[dict[str, str]] = []
    end_of_previous = 0
    try:
        for record in reader:
            start, end_of_previous = end_of_previous + 1, reader.line_num
            if not any(field.strip() for field in record):
                continue
            if header is None:
                header, header_line = record, start
                columns_data = [[] for _ in header]
                shared = [{} for _ in header]
                continue
            if len(record) != len(header):
                problems.append(Problem(name, start, None, None,
                                        f"the row has {len(record)} fields but the header has {len(header)}"))
                continue
            for values, seen, field in zip(columns_data, shared, record):
                field = field.strip()
                value = seen.get(field)
                if value is None:
                    value = field
                    if len(seen) < _SHARED_VALUES:
                        seen[field] = field
                values.append(value)
            lines.append(start)
    except csv.Error as exc:
        raise InputFileError(f"{name}: not a well-formed CSV table (line {reader.line_num}: {exc})") from None
    if header is None:
        raise InputFileError(f"{name}: the file is empty; expected a CSV table with a header row")
    if problems:
        raise DataValidationError(problems)
    columns = _clean_headers(header, name, first_row=header_line)
    frame = pd.DataFrame({i: np.array(values, dtype=object) for i, values in enumerate(columns_data)})
    frame.columns = columns
    return _RawTable(frame, np.frombuffer(lines, dtype=np.int64).copy(), "line")


#: Distinct values per column that :func:`_parse_csv` shares between rows (beyond them, values are kept as read).
_SHARED_VALUES = 10_000


def _clean_headers(header: list[str], name: str, *, first_row: int | None) -> list[str]:
    """Column names stripped and lower-cased; a name given twice is an error."""
    columns = [str(c).strip().lower() for c in header]
    seen: dict[str, int] = {}
    problems = []
    for i, col in enumerate(columns, start=1):
        if col in seen:
            problems.append(Problem(name, first_row, col, header[i - 1],
                                    f"column {col!r} appears twice (columns {seen[col]} and {i}, "
                                    "ignoring case and spaces); keep one"))
        else:
            seen[col] = i
    if problems:
        raise DataValidationError(problems)
    return columns


def _require_columns(frame: pd.DataFrame, schema: TableSchema, name: str) -> None:
    missing = [c for c in schema.required if c not in frame.columns]
    if missing:
        found = ", ".join(map(str, frame.columns)) or "none"
        hint = ""
        if len(missing) == len(schema.required):
            hint = f"; this does not look like a {schema.name}"
        raise DataValidationError([Problem(
            name, None, c, None,
            f"required column missing (expected columns {', '.join(schema.required)}; found {found}){hint}")
            for c in missing])
    if frame.empty:
        raise DataValidationError([Problem(name, None, None, None, "the table has a header but no data rows")])


_MAX_CYCLE = 1000


def _parse_cycle(values: pd.Series, lines: np.ndarray, name: str, problems,
                 known_cycles: list[int]) -> pd.Series:
    """Cycle numbers (float, NaN where invalid); bad and unknown cycles are reported."""
    num = pd.to_numeric(values, errors="coerce")
    bad = num.isna() | (num != np.floor(num.fillna(0))) | (num < 1) | (num > _MAX_CYCLE)
    raw = values.to_numpy(dtype=object)  # a plain array: .iloc per row is slow on a million rows
    for i in np.flatnonzero(bad.to_numpy()):
        problems.append(Problem(name, int(lines[i]), "cycle", _shorten(raw[i]),
                                "cycle must be a positive whole number"))
    num = num.where(~bad)
    unknown = num.notna() & ~num.isin(known_cycles)
    for i in np.flatnonzero(unknown.to_numpy()):
        problems.append(Problem(name, int(lines[i]), "cycle", _shorten(raw[i]),
                                f"unknown cycle; frameworks exist for cycle(s) {', '.join(map(str, known_cycles))}"))
    return num.where(~unknown)


def _raise_problems(problems, unit: str, hints: Sequence[str] = ()) -> None:
    """Raise one DataValidationError for ``problems`` (a :class:`ProblemTally` or a list; rows in ``unit``)."""
    if problems:
        if not isinstance(problems, ProblemTally):
            problems = sorted((p if p.unit == unit else replace(p, unit=unit) for p in problems),
                              key=lambda p: (p.row if p.row is not None else 0))
        raise DataValidationError(problems, hints=hints)


def _as_text(values: pd.Series) -> pd.Series:
    """Values as stripped strings; missing values become ""."""
    out = values.astype(object).where(values.notna(), "")
    return out.astype(str).str.strip()


def _shorten(value: str, limit: int = 60) -> str:
    """A cell value cut to ``limit`` characters for messages (a 400-digit number stays readable)."""
    value = str(value)
    return value if len(value) <= limit else f"{value[:limit - 20]}...({len(value)} characters)"


def _is_missing(value: str) -> bool:
    return value.strip().lower() in _NA_STRINGS


# ------------------------------------------------------------------------- validation
def unknown_cities_hint(n_unknown: int, cities: pd.DataFrame) -> str:
    """The advice given when city names are not in the cities table."""
    table = (f"the {len(cities):,} Smart Cities bundled with the package" if cities.attrs.get("bundled")
             else f"{cities.attrs.get('source') or 'the cities table given'}, {len(cities):,} cities")
    names = "1 city name is" if n_unknown == 1 else f"{n_unknown:,} city names are"
    return (f"{names} not in the cities table in use ({table}). To use cities of your own, "
            "give a cities table (CSV with a column city; state recommended; region, selection_round "
            "and aliases optional): --cities FILE on the command line, cities= in Python.")


#: Distinct unknown city names (the first in the file) for which close matches are looked for: as many as
#: a validation message can show.
SUGGESTED_NAMES = MAX_PROBLEM_LINES


def _match_cities(names: pd.Series, lines: np.ndarray, source: str, problems,
                  cities: pd.DataFrame) -> tuple[pd.Series, list[str]]:
    """Canonical city names (NaN where unknown) and the hints to give.

    Each distinct name is resolved once, however many rows repeat it, and close
    matches are looked for only for the first :data:`SUGGESTED_NAMES` distinct
    unknown names (the rest cannot be shown). Empty and unknown names are added
    to ``problems``.
    """
    matcher = CityMatcher(cities)
    codes, distinct = pd.factorize(names.to_numpy(dtype=object), use_na_sentinel=False)  # first-seen order
    resolved = np.array([matcher.resolve(name) for name in distinct], dtype=object)
    canonical = pd.Series(resolved[codes] if len(codes) else np.array([], dtype=object), index=names.index,
                          dtype=object)
    unknown = [name for name, city in zip(distinct, resolved) if city is None and name]
    # closest matches only for the names a message can show: the first distinct ones, in file order
    near = {name: matcher.suggest(name) for name in unknown[:SUGGESTED_NAMES]}
    raw_names = names.to_numpy(dtype=object)  # plain arrays: .iloc per row is slow on a million rows
    for i in np.flatnonzero(canonical.isna().to_numpy()):
        raw = raw_names[i]
        if not raw:
            problems.append(Problem(source, int(lines[i]), "city", raw, "city name is empty"))
        else:
            hint = f"; closest matches: {', '.join(near[raw])}" if near.get(raw) else ""
            problems.append(Problem(source, int(lines[i]), "city", _shorten(raw), f"unknown city{hint}"))
    hints = [unknown_cities_hint(len(unknown), cities)] if unknown else []
    return canonical, hints


@dataclass(frozen=True, eq=False)
class _ScoreColumns:
    """A score table's key and score columns parsed once, for the checks to share.

    Every Series has the table's index; a value that cannot be parsed is NaN.
    """

    source: str
    lines: np.ndarray       # where each row sits in its file
    row_unit: str
    frameworks: dict[int, Framework]
    cycle: pd.Series        # float; NaN where the cycle is bad or unknown
    city: pd.Series         # canonical name; NaN where empty or unknown
    indicator: pd.Series    # stripped text
    score_text: pd.Series   # stripped text
    score: pd.Series        # float; NaN where not a number
    missing: pd.Series      # the score cell is empty or an NA marker (a missing score, allowed)
    maximum: pd.Series      # the indicator's maximum; NaN for an unknown cycle or indicator

    @property
    def is_number(self) -> pd.Series:
        """A score given as a finite number (negative and too-high ones included)."""
        return ~self.missing & self.score.notna() & np.isfinite(self.score.fillna(0))


def _parse_score_columns(text: dict[str, pd.Series], cycle: pd.Series, city: pd.Series, *, source: str,
                         lines: np.ndarray, row_unit: str, frameworks: dict[int, Framework]) -> _ScoreColumns:
    """Parse the score and look up each row's indicator maximum (NaN when unknown)."""
    max_lookup = pd.Series({(c, ind): m for c, fw in frameworks.items() for ind, m in fw.max_scores.items()},
                           dtype=float)
    keys = pd.MultiIndex.from_arrays([cycle.fillna(-1).astype("int64"), text["indicator"]])
    return _ScoreColumns(
        source=source, lines=lines, row_unit=row_unit, frameworks=frameworks, cycle=cycle, city=city,
        indicator=text["indicator"], score_text=text["score"],
        score=parse_numbers(text["score"]),
        missing=text["score"].str.lower().isin(_NA_STRINGS),
        maximum=pd.Series(max_lookup.reindex(keys).to_numpy(), index=cycle.index))


def _rows_where(mask: pd.Series) -> np.ndarray:
    """Positions where ``mask`` holds (plain arrays: .iloc per row is slow on a million bad rows)."""
    return np.flatnonzero(mask.to_numpy())


# One check per kind of problem, each returning the problems it finds. Bad and unknown
# cycles and cities are found while parsing (see _parse_cycle and _match_cities).
def _empty_indicators(t: _ScoreColumns) -> Iterator[Problem]:
    return (Problem(t.source, int(t.lines[i]), "indicator", "", "indicator id is empty")
            for i in _rows_where(t.indicator == ""))


def _unknown_indicators(t: _ScoreColumns) -> Iterator[Problem]:
    cycle, indicator = t.cycle.to_numpy(), t.indicator.to_numpy(dtype=object)
    valid = {c: ", ".join(fw.indicator_ids) for c, fw in t.frameworks.items()}
    for i in _rows_where(t.cycle.notna() & (t.indicator != "") & t.maximum.isna()):
        c = int(cycle[i])
        yield Problem(t.source, int(t.lines[i]), "indicator", _shorten(indicator[i]),
                      f"unknown indicator for cycle {t.frameworks[c].cycle}; valid ids: {valid[c]}")


def _scores_out_of_range(t: _ScoreColumns) -> Iterator[Problem]:
    text = t.score_text.to_numpy(dtype=object)
    infinite = ~t.missing & t.score.notna() & ~np.isfinite(t.score.fillna(0))
    return (Problem(t.source, int(t.lines[i]), "score", _shorten(text[i]),
                    "score is a number out of range (infinite or too large); "
                    "expected points from 0 to the indicator's maximum")
            for i in _rows_where(infinite))


def _scores_not_numbers(t: _ScoreColumns) -> Iterator[Problem]:
    text = t.score_text.to_numpy(dtype=object)
    return (Problem(t.source, int(t.lines[i]), "score", _shorten(text[i]),
                    "score is not a number; expected points such as 10 or 7.5")
            for i in _rows_where(~t.missing & t.score.isna()))


def _negative_scores(t: _ScoreColumns) -> Iterator[Problem]:
    text = t.score_text.to_numpy(dtype=object)
    return (Problem(t.source, int(t.lines[i]), "score", _shorten(text[i]), "score is negative; expected 0 or more")
            for i in _rows_where(t.is_number & (t.score < 0)))


def _scores_above_maximum(t: _ScoreColumns) -> Iterator[Problem]:
    text, indicator, maximum = (t.score_text.to_numpy(dtype=object), t.indicator.to_numpy(dtype=object),
                                t.maximum.to_numpy())
    too_high = t.is_number & (t.score >= 0) & t.maximum.notna() & (t.score > t.maximum + TOLERANCE)
    return (Problem(t.source, int(t.lines[i]), "score", _shorten(text[i]),
                    f"score is above the maximum of indicator {indicator[i]} ({maximum[i]:g})")
            for i in _rows_where(too_high))


def _duplicate_rows(t: _ScoreColumns) -> Iterator[Problem]:
    """Second and later rows with the same (cycle, city, indicator), among rows whose keys are valid."""
    key = pd.DataFrame({"cycle": t.cycle, "city": t.city, "indicator": t.indicator})
    dup_any = key.notna().all(axis=1) & (t.indicator != "") & key.duplicated(keep=False)
    first_line: dict = {}
    key_cycle, key_city, indicator = (key["cycle"].to_numpy(), key["city"].to_numpy(dtype=object),
                                      t.indicator.to_numpy(dtype=object))
    for i in _rows_where(dup_any):
        k = (key_cycle[i], key_city[i], indicator[i])
        if k in first_line:
            yield Problem(t.source, int(t.lines[i]), None, None,
                          f"duplicate row; cycle {int(k[0])}, city {k[1]}, indicator {k[2]} "
                          f"(first seen on {t.row_unit} {first_line[k]})")
        else:
            first_line[k] = int(t.lines[i])


#: The checks of a score table, in the order their problems are listed for one row.
_SCORE_CHECKS = (_empty_indicators, _unknown_indicators, _scores_out_of_range, _scores_not_numbers,
                 _negative_scores, _scores_above_maximum, _duplicate_rows)


def _clean_scores(frame: pd.DataFrame, t: _ScoreColumns, cities: pd.DataFrame) -> pd.DataFrame:
    """The validated table: typed key and score columns, the state, the source, then the extras."""
    state_of = dict(zip(cities["city"], cities["state"]))
    out = pd.DataFrame({
        "cycle": t.cycle.astype("int64").to_numpy(),
        "city": t.city.to_numpy(dtype=object),
        "state": t.city.map(state_of).to_numpy(dtype=object),
        "indicator": t.indicator.to_numpy(dtype=object),
        "score": t.score.where(~t.missing).astype(float).to_numpy(),
        "source": (frame["source"].astype(str).str.strip().to_numpy(dtype=object)
                   if "source" in frame.columns else np.full(len(frame), "unspecified", dtype=object)),
    })
    for c in [c for c in frame.columns if c not in out.columns]:
        out[c] = frame[c].to_numpy()
    return out


def validate_scores(data: pd.DataFrame, *, source: str = "<table>",
                    frameworks: dict[int, Framework] | None = None,
                    cities: pd.DataFrame | None = None,
                    rows: np.ndarray | None = None, row_unit: str = "line") -> pd.DataFrame:
    """Validate a raw score table and return a clean copy.

    Parameters
    ----------
    data : DataFrame
        The table; values may be strings (as read from a file) or already typed.
    source : str
        File name used in messages.
    frameworks : dict, optional
        Cycle -> Framework (default: the bundled frameworks).
    cities : DataFrame, optional
        Cities table (default: the bundled 100 cities).
    rows : array, optional
        Where each row sits in its file, for messages (default: line numbers of a
        CSV file with a one-line header, i.e. 2, 3, ...).
    row_unit : {"line", "row"}
        What ``rows`` count: lines of a text file, or rows of a Parquet file.

    Returns
    -------
    DataFrame
        Columns ``cycle`` (int), ``city`` (canonical name), ``state``,
        ``indicator``, ``score`` (float, NaN = missing), ``source``, then any
        extra columns of the input, in input order.

    Raises
    ------
    DataValidationError
        Listing every problem: missing columns, bad cycle, unknown cycle, unknown
        city (with closest matches), unknown indicator (with the valid ids),
        non-numeric, negative or too-high score, duplicate rows.
    """
    frameworks = frameworks_or_bundled(frameworks)
    cities = cities_table(cities)
    frame = data.copy()
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    _require_columns(frame, SCORE_SCHEMA, source)  # raises at once: nothing else can be checked
    lines = np.arange(len(frame)) + 2 if rows is None else np.asarray(rows)
    text = {c: _as_text(frame[c]) for c in ("cycle", "city", "indicator", "score")}

    problems = ProblemTally(unit=row_unit)  # counted; the first kept as records
    cycle = _parse_cycle(text["cycle"], lines, source, problems, sorted(frameworks))
    city, city_hints = _match_cities(text["city"], lines, source, problems, cities)
    table = _parse_score_columns(text, cycle, city, source=source, lines=lines, row_unit=row_unit,
                                 frameworks=frameworks)
    for check in _SCORE_CHECKS:
        problems.extend(check(table))
    _raise_problems(problems, row_unit, city_hints)
    return _clean_scores(frame, table, cities)


def read_scores(path: str | Path, *, frameworks: dict[int, Framework] | None = None,
                cities: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read and validate a score table from CSV or Parquet.

    A byte-order mark, CRLF line endings and spaces around names and values are
    accepted. See :func:`validate_scores` for the returned columns and the errors;
    ``path`` must be a path (``validate_scores`` checks a DataFrame).
    """
    if isinstance(path, pd.DataFrame):
        raise ArgumentError("read_scores reads a file: give the path of a CSV or Parquet score table; "
                            "to check a DataFrame, use validate_scores(frame)")
    if not isinstance(path, (str, os.PathLike)):
        raise ArgumentError(f"read_scores wants the path of a score table (CSV or Parquet), "
                            f"got {type(path).__name__}")
    path = Path(path)
    raw = _read_raw(path)
    return validate_scores(raw.frame, source=str(path), frameworks=frameworks, cities=cities,
                           rows=raw.rows, row_unit=raw.unit)


def read_city_attributes(path: str | Path, *, cities: pd.DataFrame | None = None,
                         frameworks: dict[int, Framework] | None = None) -> pd.DataFrame:
    """Read and validate a city attribute table (``cycle, city, engagement_score``).

    Returns
    -------
    DataFrame
        Columns ``cycle`` (int), ``city`` (canonical), ``engagement_score``
        (float, 0-100, NaN when empty), plus any other columns.
    """
    path = Path(path)
    name = str(path)
    raw_table = _read_raw(path)
    frame, lines = raw_table.frame, raw_table.rows
    _require_columns(frame, ATTRIBUTE_SCHEMA, name)
    cities = cities_table(cities)
    frameworks = frameworks_or_bundled(frameworks)
    problems = ProblemTally(unit=raw_table.unit)
    cycle = _parse_cycle(frame["cycle"], lines, name, problems, sorted(frameworks))
    canonical, city_hints = _match_cities(_as_text(frame["city"]), lines, name, problems, cities)
    engagement = pd.Series(np.nan, index=frame.index)
    if "engagement_score" in frame.columns:
        raw = frame["engagement_score"]
        missing = raw.map(_is_missing)
        engagement = pd.to_numeric(raw, errors="coerce").where(~missing)
        bad = ~missing & (engagement.isna() | (engagement < 0) | (engagement > 100))
        for i in np.flatnonzero(bad.to_numpy()):
            value = engagement.iloc[i]
            what = ("a number out of range (infinite or too large)" if pd.notna(value) and not np.isfinite(value)
                    else "outside 0-100" if pd.notna(value) else "not a number")
            problems.append(Problem(name, int(lines[i]), "engagement_score", _shorten(raw.iloc[i]),
                                    f"engagement score is {what}; expected a number from 0 to 100"))
    key = pd.DataFrame({"cycle": cycle, "city": canonical})
    dup = key.notna().all(axis=1) & key.duplicated(keep="first")
    for i in np.flatnonzero(dup.to_numpy()):
        problems.append(Problem(name, int(lines[i]), None, None,
                                f"duplicate row; cycle {int(cycle.iloc[i])}, city {canonical.iloc[i]}"))
    _raise_problems(problems, raw_table.unit, city_hints)
    out = frame.copy()
    out["cycle"] = cycle.astype("int64")
    out["city"] = canonical
    out["engagement_score"] = engagement.astype(float)
    return out


# --------------------------------------------------------------------------- writing
# The one writing helper lives in fileio (atomic replace of regular files, write-through
# to pipes and devices, symlinks followed); these names are kept for existing callers.
def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``frame`` whose text cells and column headers a spreadsheet shows and never runs.

    Every text cell (also of categorical columns) and every column header goes
    through :func:`~dmaf_analysis._util.escaping.spreadsheet_text`: text starting
    with ``= + - @``, a tab or a carriage return gets a leading apostrophe (the
    OWASP advice against CSV injection) and control characters become ``\\xNN``
    escapes (which an Excel file can hold); numbers are left alone.
    """
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if isinstance(series.dtype, pd.CategoricalDtype):
            if any(isinstance(c, str) and spreadsheet_text(c) != c for c in series.cat.categories):
                out[col] = series.astype(object).map(spreadsheet_text)
        elif series.dtype == object or pd.api.types.is_string_dtype(series):
            out[col] = series.map(spreadsheet_text)
    out.columns = [spreadsheet_text(c) if isinstance(c, str) else c for c in out.columns]
    return out


_CSV_SUFFIXES = ("", ".csv", ".txt")
_PARQUET_SUFFIXES = (".parquet", ".pq")


def _importable(module: str) -> bool:
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


def table_format(target: str | Path) -> str:
    """``"csv"``, ``"parquet"`` or ``"xlsx"`` by the suffix of ``target``; other suffixes are refused.

    A path without a suffix (``/dev/stdout``, a named pipe) gets CSV. ``.xlsx``
    needs the ``XlsxWriter`` package (the workbooks for people,
    :func:`~dmaf_analysis.io.write_workbook`) and ``openpyxl`` (a plain table,
    :func:`write_table`); without them the suffix is refused, never silently
    written as CSV.
    """
    suffix = Path(target).suffix.lower()
    if suffix in _CSV_SUFFIXES:
        return "csv"
    if suffix in _PARQUET_SUFFIXES:
        return "parquet"
    if suffix == ".xlsx":
        missing = [name for name, module in (("XlsxWriter", "xlsxwriter"), ("openpyxl", "openpyxl"))
                   if not _importable(module)]
        if missing:
            raise WriteError(f"{target}: cannot write an Excel workbook, the {' and '.join(missing)} package"
                             f"{'s are' if len(missing) > 1 else ' is'} not installed (pip install "
                             f"{' '.join(missing)}); or use .csv or .parquet")
        return "xlsx"
    raise WriteError(f"{target}: unsupported output type {suffix!r}; use .csv, .parquet or .xlsx")


def write_table(frame: pd.DataFrame, target: str | Path, *, inputs=()) -> Path:
    """Write ``frame`` as CSV (spreadsheet-safe), Parquet or Excel, by the suffix of ``target``.

    Written through :func:`~dmaf_analysis._util.fileio.atomic_path` (atomic for regular
    files, written through for pipes and devices); ``inputs`` are files the
    output must not overwrite. Unknown suffixes are refused (see :func:`table_format`).
    """
    target = Path(target)
    fmt = table_format(target)
    with atomic_path(target, inputs=inputs) as tmp:
        if fmt == "parquet":
            frame.to_parquet(tmp, index=False)
        elif fmt == "xlsx":
            spreadsheet_safe(frame).to_excel(tmp, index=False, engine="openpyxl")
        else:
            spreadsheet_safe(frame).to_csv(tmp, index=False, lineterminator="\n")
    return target
