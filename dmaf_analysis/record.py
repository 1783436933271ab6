"""The published record: every published result of an assessment, as data.

A framework's results are partly on record: a release names the national mean, the
number of certified cities, a region's mean, the top ranks, a few levels and
component totals; a report card prints some totals. ``published_record.csv`` of the
data folder (``data/`` or ``$DMAF_DATA_DIR``) holds one row per such fact, so the
reports can mark what is published, bound what is not, and check a panel against
the record. A data folder without the file simply has no record: every function
here then returns an empty table and the reports mark nothing.

Columns of the file (one row per fact):

==============  ==================================================================
``cycle``       the assessment cycle (a whole number)
``scope``       ``national``, ``region`` or ``city``
``subject``     ``all`` (national), the region's name, or the city's name
``quantity``    what the fact measures (:data:`QUANTITIES`)
``component``   component id, for component facts (else empty)
``indicator``   indicator id, for indicator counts (else empty)
``value``       the published value (a number, or a level name for ``level``)
``source``      where it was published, in a few words
``certainty``   ``high``, ``medium`` or ``low`` (:data:`CERTAINTIES`)
``note``        optional words for the reader
==============  ==================================================================

:func:`load_record` reads and validates the file (every problem listed at once,
naming the line, the column, the value and the fix); the small accessors
(:func:`city_facts`, :func:`component_totals`, :func:`ranked_cities`) give the
parts the reports use.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ._util.paths import data_dir
from .errors import DataValidationError, InputFileError, Problem

__all__ = ["CERTAINTIES", "CityFacts", "PUBLISHED", "QUANTITIES", "RECORD_COLUMNS", "RECORD_FILE", "SCOPES",
           "city_facts", "component_totals", "empty_record", "load_record", "ranked_cities", "record_path",
           "validate_record"]

RECORD_FILE = "published_record.csv"
RECORD_COLUMNS = ["cycle", "scope", "subject", "quantity", "component", "indicator", "value", "source",
                  "certainty", "note"]
#: The word the reports put beside a published value.
PUBLISHED = "published"
SCOPES = ("national", "region", "city")
CERTAINTIES = ("high", "medium", "low")


@dataclass(frozen=True)
class _Quantity:
    words: str
    scopes: tuple[str, ...]
    numeric: bool = True
    component: bool = False
    indicator: bool = False
    whole: bool = False


#: Every quantity the record may hold: what it means, where it applies, what it needs.
QUANTITIES: dict[str, _Quantity] = {
    "n_cities": _Quantity("cities assessed", ("national", "region"), whole=True),
    "mean_overall": _Quantity("mean overall score", ("national", "region")),
    "median_overall": _Quantity("median overall score", ("national", "region")),
    "n_certified": _Quantity("cities certified", ("national", "region"), whole=True),
    "rank": _Quantity("rank", ("city",), whole=True),
    "overall": _Quantity("overall score", ("city",)),
    "level": _Quantity("certification level", ("city",), numeric=False),
    "component_score": _Quantity("component score", ("city",), component=True),
    "place_in_top10": _Quantity("place among the cities ranked 1 to 10 on a component", ("city",),
                                component=True, whole=True),
    "engagement_score": _Quantity("City Engagement Score", ("city",)),
    "n_cities_nonzero": _Quantity("cities scoring above 0 on an indicator", ("national", "region"),
                                  indicator=True, whole=True),
    "cdo_appointed": _Quantity("City Data Officers appointed", ("national",), indicator=True, whole=True),
    "cdo_permanent": _Quantity("City Data Officers appointed on a permanent basis", ("national",),
                               indicator=True, whole=True),
    "datasets_over_30": _Quantity("cities with more than 30 datasets on the open data portal", ("national",),
                                  indicator=True, whole=True),
}

_KEY = ["cycle", "scope", "subject", "quantity", "component", "indicator"]


def record_path() -> Path:
    """``published_record.csv`` of the data folder (``data/``, or ``$DMAF_DATA_DIR`` when set)."""
    return data_dir() / RECORD_FILE


def empty_record() -> pd.DataFrame:
    """A record with no fact: the columns of :func:`load_record` and no row."""
    out = pd.DataFrame({c: pd.Series(dtype=object) for c in RECORD_COLUMNS})
    out["cycle"] = out["cycle"].astype("int64")
    out["number"] = pd.Series(dtype=float)
    return out


def load_record(path: str | Path | None = None, *, frameworks: dict | None = None) -> pd.DataFrame:
    """The published record, validated (cached per file and modification time).

    Parameters
    ----------
    path : str or Path, optional
        A record file; default :func:`record_path`. When the default file does
        not exist the record is empty (a data folder need not have one); a file
        given explicitly must exist.
    frameworks : dict, optional
        Cycle -> framework (anything with ``component_ids`` and
        ``indicator_ids``): component and indicator ids of the facts are checked
        against it for the cycles it holds.

    Returns
    -------
    DataFrame
        The columns of :data:`RECORD_COLUMNS` (``cycle`` an integer, the others
        text, empty text where the file has none) and ``number`` (the value as a
        float; NaN for a level name), in file order.

    Raises
    ------
    InputFileError
        An explicit path that does not exist, or a file that is not a readable CSV.
    DataValidationError
        Every problem of the file (line, column, value and what to write instead).
    """
    explicit = path is not None
    target = Path(path) if explicit else record_path()
    if not target.is_file():
        if explicit:
            raise InputFileError(f"{target}: no such record file; give a CSV with the columns "
                                 f"{', '.join(RECORD_COLUMNS)}")
        return empty_record()
    record = _read(str(target), target.stat().st_mtime_ns)
    if frameworks:
        _check_ids(record, frameworks, target.name)
    return record.copy()


@lru_cache(maxsize=8)
def _read(path: str, _mtime: int) -> pd.DataFrame:
    name = Path(path).name
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputFileError(f"{name}: cannot be read as a CSV record file ({exc}); save it as UTF-8 CSV with "
                             f"the columns {', '.join(RECORD_COLUMNS)}") from None
    return validate_record(raw, source=name)


def validate_record(frame: pd.DataFrame, *, source: str = "record") -> pd.DataFrame:
    """Check a record table and return it typed (see :func:`load_record`).

    Every problem is collected first and raised as one
    :class:`~dmaf_analysis.errors.DataValidationError`; line numbers count the
    header as line 1.
    """
    missing = [c for c in RECORD_COLUMNS if c not in frame.columns and c != "note"]
    if missing:
        raise DataValidationError([Problem(source, None, c, None, "required column is missing") for c in missing],
                                  hints=[f"the record needs the columns {', '.join(RECORD_COLUMNS)} "
                                         "(note optional)"])
    table = frame.copy()
    if "note" not in table.columns:
        table["note"] = ""
    table = table[RECORD_COLUMNS].fillna("").astype(str).apply(lambda s: s.str.strip())
    problems: list[Problem] = []
    numbers = []
    cycles = []
    for i, row in enumerate(table.itertuples(index=False), start=2):
        problems.extend(_row_problems(source, i, row))
        cycles.append(_whole(row.cycle))
        numbers.append(_number(row.value) if row.quantity in QUANTITIES and QUANTITIES[row.quantity].numeric
                       else math.nan)
    if not problems:
        dup = table.duplicated(_KEY, keep="first")
        for i in [int(k) for k in dup[dup].index]:
            r = table.iloc[i]
            problems.append(Problem(source, i + 2, "quantity", r["quantity"],
                                    f"repeats the fact of an earlier line ({r['scope']} {r['subject']!r}, "
                                    f"cycle {r['cycle']}); keep one line per fact"))
    if problems:
        raise DataValidationError(problems, hints=["see docs/published_record.md for what each column holds"])
    table["cycle"] = pd.Series(cycles, index=table.index, dtype="int64")
    table["number"] = pd.Series(numbers, index=table.index, dtype=float)
    return table.reset_index(drop=True)


def _whole(text: str) -> int | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() else None


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        return math.nan
    return value if math.isfinite(value) else math.nan


def _row_problems(source: str, line: int, row) -> list[Problem]:
    out = []

    def bad(column, value, message):
        out.append(Problem(source, line, column, value, message))

    cycle = _whole(row.cycle)
    if cycle is None or cycle < 0:
        bad("cycle", row.cycle, "cycle must be a whole number (1, 2, ...)")
    if row.scope not in SCOPES:
        bad("scope", row.scope, f"unknown scope; write one of {', '.join(SCOPES)}")
    if not row.subject:
        bad("subject", row.subject, "subject is empty; write 'all' for a national fact, else the region or city")
    elif row.scope == "national" and row.subject != "all":
        bad("subject", row.subject, "a national fact has the subject 'all'")
    if not row.source:
        bad("source", row.source, "say where the fact was published")
    if row.certainty not in CERTAINTIES:
        bad("certainty", row.certainty, f"unknown certainty; write one of {', '.join(CERTAINTIES)}")
    q = QUANTITIES.get(row.quantity)
    if q is None:
        bad("quantity", row.quantity, f"unknown quantity; write one of {', '.join(QUANTITIES)}")
        return out
    if row.scope in SCOPES and row.scope not in q.scopes:
        bad("scope", row.scope, f"{row.quantity} is a fact about {' or '.join(q.scopes)}")
    if q.component != bool(row.component):
        bad("component", row.component, f"{row.quantity} {'needs' if q.component else 'takes no'} component id")
    if q.indicator != bool(row.indicator):
        bad("indicator", row.indicator, f"{row.quantity} {'needs' if q.indicator else 'takes no'} indicator id")
    if q.numeric:
        value = _number(row.value)
        if math.isnan(value) or value < 0:
            bad("value", row.value, f"{row.quantity} needs a number of 0 or more")
        elif q.whole and not value.is_integer():
            bad("value", row.value, f"{row.quantity} needs a whole number")
    elif not row.value:
        bad("value", row.value, f"{row.quantity} needs a value")
    return out


def _check_ids(record: pd.DataFrame, frameworks: dict, name: str) -> None:
    problems = []
    for i, row in enumerate(record.itertuples(index=False), start=2):
        fw = frameworks.get(int(row.cycle))
        if fw is None:
            continue
        if row.component and row.component not in list(fw.component_ids):
            problems.append(Problem(name, i, "component", row.component,
                                    f"not a component of the cycle {row.cycle} framework; write one of "
                                    f"{', '.join(fw.component_ids)}"))
        if row.indicator and row.indicator not in list(fw.indicator_ids):
            problems.append(Problem(name, i, "indicator", row.indicator,
                                    f"not an indicator of the cycle {row.cycle} framework"))
    if problems:
        raise DataValidationError(problems)


# ------------------------------------------------------------------------------ accessors
@dataclass(frozen=True)
class CityFacts:
    """What the record holds about one city in one cycle (None / empty when nothing).

    ``components`` maps a component id to its published total; ``sources`` maps a
    quantity (``rank``, ``level``, ``component_score:<id>``, ...) to its source and
    certainty, for the reports' small print.
    """

    city: str
    cycle: int
    rank: int | None = None
    level: str | None = None
    overall: float | None = None
    engagement_score: float | None = None
    components: tuple = ()
    sources: tuple = ()

    @property
    def component_totals(self) -> dict[str, float]:
        return dict(self.components)

    @property
    def any(self) -> bool:
        return any(v is not None for v in (self.rank, self.level, self.overall, self.engagement_score)) or bool(
            self.components)


def city_facts(record: pd.DataFrame, *, city: str, cycle: int) -> CityFacts:
    """The facts of ``record`` about ``city`` in ``cycle`` (a :class:`CityFacts`, empty when there are none)."""
    part = record[(record["scope"] == "city") & (record["subject"] == city) & (record["cycle"] == int(cycle))]
    fields: dict = {}
    comps, sources = [], []
    for row in part.itertuples(index=False):
        key = row.quantity + (f":{row.component}" if row.component else "")
        sources.append((key, f"{row.source} ({row.certainty} certainty)"))
        if row.quantity == "rank":
            fields["rank"] = int(row.number)
        elif row.quantity == "level":
            fields["level"] = row.value
        elif row.quantity == "overall":
            fields["overall"] = float(row.number)
        elif row.quantity == "engagement_score":
            fields["engagement_score"] = float(row.number)
        elif row.quantity == "component_score":
            comps.append((row.component, float(row.number)))
    return CityFacts(city=city, cycle=int(cycle), components=tuple(comps), sources=tuple(sources), **fields)


def component_totals(record: pd.DataFrame) -> pd.DataFrame:
    """Published component totals: columns ``cycle, city, component, score``."""
    part = record[(record["scope"] == "city") & (record["quantity"] == "component_score")]
    return pd.DataFrame({"cycle": part["cycle"].to_numpy(dtype="int64"),
                         "city": part["subject"].to_numpy(dtype=object),
                         "component": part["component"].to_numpy(dtype=object),
                         "score": part["number"].to_numpy(dtype=float)})


def ranked_cities(record: pd.DataFrame, *, cycle: int) -> pd.DataFrame:
    """The cities with a published rank in ``cycle``: columns ``city, rank``, best first.

    The record is read as complete down to its last published rank: a city not
    listed ranks below every listed one.
    """
    part = record[(record["scope"] == "city") & (record["quantity"] == "rank") & (record["cycle"] == int(cycle))]
    out = pd.DataFrame({"city": part["subject"].to_numpy(dtype=object),
                        "rank": part["number"].to_numpy(dtype=float).astype("int64")})
    return out.sort_values(["rank", "city"], kind="mergesort").reset_index(drop=True)
