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

from ._paths import cities_path
from .errors import DmafError, UnknownCityError
from .fileio import read_input_text

CITY_COLUMNS = ["city", "state", "region", "region_provenance", "selection_round", "round_announced", "aliases"]
_STRIP = re.compile(r"[\s\-.\u2010-\u2015]+")


def normalise_city_name(name: str) -> str:
    """Key used to compare city names: case-folded, without spaces, hyphens or dots."""
    return _STRIP.sub("", str(name)).casefold()


@lru_cache(maxsize=4)
def _read_cities(path: str) -> pd.DataFrame:
    expected = "a cities table (CSV with columns city, state, ...)"
    text = read_input_text(path, expected=expected)
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise DmafError(f"{path}: cannot read the cities table ({' '.join(str(exc).split())})") from None
    table.columns = [c.strip() for c in table.columns]
    required = ["city", "state"]
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise DmafError(f"{path}: the cities table lacks the column(s) {', '.join(missing)}")
    for col in CITY_COLUMNS:
        if col not in table.columns:
            table[col] = ""
    table = table.apply(lambda s: s.str.strip())
    empty = [i + 1 for i, (name, key) in enumerate(zip(table["city"], table["city"].map(normalise_city_name)))
             if not key]
    if empty:
        shown = ", ".join(map(str, empty[:10])) + (f" and {len(empty) - 10} more" if len(empty) > 10 else "")
        raise DmafError(f"{path}: empty city name in data row(s) {shown}; every row needs a city name")
    keys = table["city"].map(normalise_city_name)
    dupes = sorted(set(table["city"][keys.duplicated()]))
    if dupes:
        raise DmafError(f"{path}: city listed more than once: {', '.join(dupes)}")
    return table.reset_index(drop=True)


def load_cities(path: str | Path | None = None) -> pd.DataFrame:
    """Load the cities table.

    Returns
    -------
    DataFrame
        Columns ``city, state, region, region_provenance, selection_round,
        round_announced, aliases`` (``aliases`` is a ``;``-separated string,
        possibly empty; ``region_provenance`` is ``inferred`` for the bundled
        grouping). A new frame on every call.
    """
    path = Path(path) if path is not None else cities_path()
    return _read_cities(str(path.resolve()))[CITY_COLUMNS].copy()


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
        """Canonical name for ``name``, or None when nothing matches."""
        return self._lookup.get(normalise_city_name(name))

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
