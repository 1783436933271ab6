"""The 100 Smart Cities: names, states, regions, selection rounds and aliases.

Names are matched case-insensitively, ignoring spaces, hyphens and dots, and through
the aliases listed in ``data/cities.csv`` (old or informal names such as Allahabad,
Bangalore or NDMC). The ``region`` column is an *inferred* grouping: see the README.
"""
from __future__ import annotations

import difflib
import io
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ._util.fileio import read_input_text
from ._util.paths import cities_path
from ._util.yamlkeys import unknown_key_message
from .errors import ArgumentError, CitiesTableError, UnknownCityError

__all__ = ["CITY_COLUMNS", "normalise_city_name", "REQUIRED_CITY_COLUMNS", "load_cities", "cities_table",
           "has_values", "CityMatcher", "resolve_city"]

CITY_COLUMNS = ["city", "state", "region", "region_provenance", "selection_round", "round_announced", "aliases"]
_STRIP = re.compile(r"[\s\-.\u2010-\u2015]+")
_LEADING_ZEROS = re.compile(r"(?<!\d)0+(?=\d)")


def normalise_city_name(name: str) -> str:
    """Key used to compare city names: case-folded, without spaces, hyphens or dots."""
    return _STRIP.sub("", str(name)).casefold()


#: Columns of a cities table: only ``city`` is required (``state`` is recommended);
#: the others are optional and come out empty when absent.
REQUIRED_CITY_COLUMNS = ("city",)


#: How close (difflib ratio) a column name must be to a known one to be taken for its misspelling.
_MISSPELT = 0.75


def _unknown_columns(table: pd.DataFrame, source: str, *, from_file: bool) -> None:
    """Refuse a column that looks like a misspelt known column, naming the known one.

    Other columns are the user's own (``size``, ``district``...): they are kept, and
    the group functions and ``dmaf summary --by`` can use them. A column is taken
    for a misspelling when its name is close to a known one (``regoin``, ``stat``).
    A nameless, empty column (a trailing comma in a CSV) is let through.
    """
    for col in table.columns:
        if col in CITY_COLUMNS:
            continue
        if col and not col.startswith("unnamed:") and not difflib.get_close_matches(col, CITY_COLUMNS, n=1,
                                                                                    cutoff=_MISSPELT):
            continue
        if (not col or col.startswith("unnamed:")) and not table[col].astype(str).str.strip().replace(
                "nan", "").astype(bool).any():
            continue
        message = unknown_key_message(col, CITY_COLUMNS, where="the cities table", line=1 if from_file else None)
        raise CitiesTableError(f"{source}: {message.replace('unknown key', 'unknown column', 1)}"
                               .replace("(known keys:", "(known columns:"))


def _clean_cities(table: pd.DataFrame, source: str, *, from_file: bool = False) -> pd.DataFrame:
    """A cities table with every column of CITY_COLUMNS (absent ones empty), checked."""
    table = table.copy()
    table.columns = [str(c).strip().lower() for c in table.columns]
    missing = [c for c in REQUIRED_CITY_COLUMNS if c not in table.columns]
    if missing:
        found = ", ".join(map(str, table.columns)) or "none"
        raise CitiesTableError(f"{source}: the cities table lacks the column(s) {', '.join(missing)} "
                        f"(found {found}); a cities table needs a column city, and state is recommended")
    _unknown_columns(table, source, from_file=from_file)
    if table.empty:
        raise CitiesTableError(f"{source}: the cities table has a header but no cities")
    for col in CITY_COLUMNS:
        if col not in table.columns:
            table[col] = ""
    table = table.astype(object).where(table.notna(), "").astype(str).apply(lambda col: col.str.strip())
    keys = table["city"].map(normalise_city_name)
    empty = [i + 1 for i, key in enumerate(keys) if not key]
    if empty:
        shown = ", ".join(map(str, empty[:10])) + (f" and {len(empty) - 10} more" if len(empty) > 10 else "")
        raise CitiesTableError(f"{source}: empty city name in data row(s) {shown}; every row needs a city name")
    dupes = sorted(set(table["city"][keys.duplicated()]))
    if dupes:
        shown = ", ".join(dupes[:10]) + (f" and {len(dupes) - 10} more" if len(dupes) > 10 else "")
        raise CitiesTableError(f"{source}: city listed more than once: {shown}")
    _check_aliases(table, keys, source)
    return table.reset_index(drop=True)


def _check_aliases(table: pd.DataFrame, keys: pd.Series, source: str) -> None:
    """Refuse an alias that names two cities (two cities share it, or it is another city's name).

    Otherwise the rows given under that alias would silently go to one of them.
    """
    owner = dict(zip(keys, table["city"]))  # a city's own name is taken by it
    clashes: dict[str, list[str]] = {}
    for city, aliases in zip(table["city"], table["aliases"]):
        for alias in dict.fromkeys(a.strip() for a in str(aliases).split(";") if a.strip()):
            key = normalise_city_name(alias)
            holder = owner.setdefault(key, city)
            if holder != city:
                clashes.setdefault(alias, [holder])
                if city not in clashes[alias]:
                    clashes[alias].append(city)
    if clashes:
        parts = [f"{alias!r} names {' and '.join(map(repr, cities))}" for alias, cities in list(clashes.items())[:10]]
        more = f" and {len(clashes) - 10:,} more" if len(clashes) > 10 else ""
        raise CitiesTableError(f"{source}: an alias must name one city only: {'; '.join(parts)}{more}; "
                               "remove it from all but one city's aliases")


@lru_cache(maxsize=4)
def _read_cities(path: str, _stamp: tuple = ()) -> pd.DataFrame:
    expected = "a cities table (CSV with a column city; state recommended)"
    text = read_input_text(path, expected=expected)
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise CitiesTableError(f"{path}: cannot read the cities table ({' '.join(str(exc).split())})") from None
    return _clean_cities(table, path, from_file=True)


def _with_extra_columns(table: pd.DataFrame) -> pd.DataFrame:
    """The known columns in their order, then the table's own extra columns (which cities can be grouped by)."""
    return table[list(CITY_COLUMNS) + [c for c in table.columns if c not in CITY_COLUMNS]]


def load_cities(path: str | Path | None = None) -> pd.DataFrame:
    """Load a cities table (default: the 100 Smart Cities bundled with the package).

    Only the column ``city`` is required; ``state`` is recommended; ``region``,
    ``region_provenance``, ``selection_round``, ``round_announced`` and ``aliases``
    are optional. Empty and repeated city names are refused.

    Returns
    -------
    DataFrame
        Columns ``city, state, region, region_provenance, selection_round,
        round_announced, aliases``, then any other column of the file (text;
        ``dmaf summary --by`` can group by it); absent ones are empty strings; ``aliases`` is
        a ``;``-separated string, possibly empty; ``region_provenance`` is
        ``inferred`` for the bundled grouping). ``attrs["source"]`` names the file.
        A new frame on every call.
    """
    path = Path(path) if path is not None else cities_path()
    resolved = str(path.resolve())
    try:
        st = path.stat()
        stamp = (st.st_mtime_ns, st.st_size)
    except OSError:
        stamp = ()
    table = _with_extra_columns(_read_cities(resolved, stamp)).copy()
    table.attrs["source"] = str(path)
    table.attrs["bundled"] = resolved == str(cities_path().resolve())
    return table


def cities_table(cities: pd.DataFrame | str | Path | None = None) -> pd.DataFrame:
    """The cities table an entry point works with.

    ``cities`` is None (the bundled 100 Smart Cities, or those of ``DMAF_DATA_DIR``),
    the path of a cities table, or a DataFrame with at least a ``city`` column
    (checked like a file: empty or repeated names are refused). Returns a new
    frame with the columns of :func:`load_cities`.
    """
    if cities is None:
        return load_cities()
    if isinstance(cities, pd.DataFrame):
        source = cities.attrs.get("source", "<cities table>")
        table = _with_extra_columns(_clean_cities(cities, source))
        table.attrs["source"] = source
        table.attrs["bundled"] = bool(cities.attrs.get("bundled")) and len(table) == len(load_cities())
        return table
    if isinstance(cities, (str, Path)):
        if not str(cities).strip():
            return load_cities()
        return load_cities(cities)
    raise ArgumentError(f"cities must be a cities table (DataFrame with a column city) or the path of one, "
                    f"got {type(cities).__name__}")


def has_values(cities: pd.DataFrame, column: str) -> bool:
    """Whether the cities table gives ``column`` for at least one city (optional columns may be empty)."""
    return column in cities.columns and bool((cities[column].astype(str).str.strip() != "").any())


class CityMatcher:
    """Resolves free-form city names to the canonical names of a cities table."""

    def __init__(self, cities: pd.DataFrame | None = None):
        cities = load_cities() if cities is None else cities
        self._lookup: dict[str, str] = {}
        self.canonical: list[str] = cities["city"].tolist()
        for city, aliases in zip(cities["city"], cities.get("aliases", pd.Series([""] * len(cities)))):
            self._lookup[normalise_city_name(city)] = city
            for alias in str(aliases or "").split(";"):
                if alias.strip():
                    self._lookup.setdefault(normalise_city_name(alias), city)

    def resolve(self, name: str) -> str | None:
        """Canonical name for ``name``, or None when nothing matches.

        A name that matches no spelling exactly is matched once more with the
        leading zeros of its numbers dropped ("District 3" finds "District 03"),
        when that finds one city only.
        """
        hit = self._lookup.get(normalise_city_name(name))
        if hit is None:
            if getattr(self, "_loose", None) is None:
                self._loose: dict[str, set[str]] = {}
                for key, city in self._lookup.items():
                    self._loose.setdefault(_LEADING_ZEROS.sub("", key), set()).add(city)
            found = self._loose.get(_LEADING_ZEROS.sub("", normalise_city_name(name)), set())
            hit = next(iter(found)) if len(found) == 1 else None
        return hit

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """Closest canonical names to ``name`` (for error messages)."""
        key = normalise_city_name(name)
        keys = list(self._lookup)
        close = difflib.get_close_matches(key, keys, n=n * 3, cutoff=0.5)
        if not close:
            close = [k for k in keys if key and (key[:4] in k)]
        out: list[str] = []
        for k in close:
            city = self._lookup[k]
            if city not in out:
                out.append(city)
        return out[:n]

    def require(self, name: str) -> str:
        """Canonical name for ``name``; raises :class:`UnknownCityError` with suggestions."""
        city = self.resolve(name)
        if city is None:
            raise UnknownCityError(str(name), self.suggest(name))
        return city


def resolve_city(name: str, cities: pd.DataFrame | None = None) -> str:
    """Canonical Smart City name for ``name`` (see :class:`CityMatcher`)."""
    return CityMatcher(cities).require(name)
