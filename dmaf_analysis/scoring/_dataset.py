"""One loaded, validated and scored data set: what notebooks and commands start from.

:func:`load_dataset` reads the score table (and, when given, the city attribute
table), validates both, scores every city and caches the result keyed by the files'
paths and modification times, so a warm kernel that renders many reports reads and
scores the data once.
"""
from __future__ import annotations

import hashlib
import pickle
import re
import threading
import weakref
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .._util.paths import bundled_city_attributes_path, bundled_scores_path
from ..cities import CityMatcher, cities_table, load_cities, normalise_city_name
from ..errors import ArgumentError, CityNotInDataError, CycleNotInDataError, NoDataError
from ..framework import Framework, load_frameworks
from ..io import is_synthetic, read_city_attributes, read_scores
from ._scoring import score_cities

__all__ = ["Dataset", "dataset_digest", "dataset_key", "lookup_key", "match_key", "resolve_cycle", "resolve_cycle_pair",
           "load_dataset"]

_LEADING_ZEROS = re.compile(r"(?<!\d)0+(?=\d)")


def lookup_key(name) -> str:
    """A loose key for a name or an id: case, spaces, hyphens, dots and leading zeros of numbers ignored.

    ``"District 3"`` and ``"district-03"`` share the key ``"district3"``; ``"a1"`` and ``"A1"`` share ``"a1"``.
    """
    return _LEADING_ZEROS.sub("", normalise_city_name(name))


def match_key(name, keys) -> str | None:
    """``name`` itself when it is one of ``keys``, else the one key with the same :func:`lookup_key`, else None.

    Two keys sharing the loose key are ambiguous: None then (the caller reports the name as unknown).
    """
    keys = [str(k) for k in keys]
    if str(name) in keys:
        return str(name)
    hits = [k for k in keys if lookup_key(k) == lookup_key(name)]
    return hits[0] if len(hits) == 1 else None


@dataclass(frozen=True, eq=False)
class Dataset:
    """A validated, scored data set.

    Attributes
    ----------
    scores : DataFrame
        The validated long score table (see :func:`dmaf_analysis.io.validate_scores`).
    scored : DataFrame
        :func:`dmaf_analysis.scoring.score_cities` of ``scores``.
    attributes : DataFrame
        ``cycle, city, engagement_score`` (empty when no attribute table was given).
    frameworks : dict
        Cycle -> :class:`~dmaf_analysis.framework.Framework`.
    cities : DataFrame
        The cities table.
    scores_path, attributes_path : str
        Where the data came from ("" when not from a file).
    """

    scores: pd.DataFrame
    scored: pd.DataFrame
    attributes: pd.DataFrame
    frameworks: dict[int, Framework]
    cities: pd.DataFrame
    scores_path: str = ""
    attributes_path: str = ""

    def __repr__(self) -> str:
        where = Path(self.scores_path).name if self.scores_path else "a table"
        cycles = ", ".join(map(str, self.cycles)) or "none"
        n_cities = self.scored["city"].nunique()
        cities_from = self.cities.attrs.get("source")
        own = cities_from and not self.cities.attrs.get("bundled")
        table = (f"; cities table {Path(cities_from).name}" if own and not cities_from.startswith("<")
                 else "; own cities table" if own else "")
        attributes = f", {len(self.attributes):,} attribute rows" if len(self.attributes) else ""
        return (f"<Dataset {where}: {len(self.scores):,} score rows, cycles {cycles}, "
                f"{n_cities:,} cities{attributes}{table}>")

    @property
    def cycles(self) -> list[int]:
        return sorted(int(c) for c in self.scored["cycle"].unique())

    @property
    def latest_cycle(self) -> int:
        return self.cycles[-1]

    def resolve_cycle(self, cycle: int | None = 0) -> int:
        """``cycle`` itself, or the latest cycle of the data when it is 0 (see :func:`resolve_cycle`)."""
        return resolve_cycle(self.cycles, cycle)

    def resolve_city(self, city: str, cycle: int | None = 0) -> tuple[str, int]:
        """Canonical name of ``city`` and the actual cycle number, for every command and report.

        ``city`` is any spelling or alias the cities table knows; ``cycle`` 0 means
        the latest cycle of the data.

        Raises
        ------
        UnknownCityError
            The name matches no city of the cities table (the message lists the closest matches).
        CycleNotInDataError, CityNotInDataError
            The cycle is not in the data, or the city has no scores in that cycle.
        """
        matcher, assessed = _city_lookup(self)
        name = matcher.resolve(city) or match_key(city, matcher.canonical) or matcher.require(city)
        c = self.resolve_cycle(cycle)
        if (c, name) not in assessed:
            raise self.city_not_in_cycle(name, c)
        return name, c

    def city_not_in_cycle(self, city: str, cycle: int) -> CityNotInDataError:
        """The error for ``city`` (a canonical name) having no scores in ``cycle``: names the cycles it has."""
        assessed = self.scored.loc[self.scored["city"] == city, "cycle"].unique()
        return CityNotInDataError(city, cycle, assessed, self.scores_path or None)

    def synthetic_share(self, cycle: int | None = None) -> float:
        """Share (0-1) of non-missing indicator values whose source is ``synthetic``."""
        data = self.scores if cycle is None else self.scores[self.scores["cycle"] == cycle]
        present = data["score"].notna()
        if not present.any():
            return 0.0
        return float(is_synthetic(data.loc[present, "source"]).mean())


@lru_cache(maxsize=16)
def _city_lookup(data: Dataset) -> tuple[CityMatcher, frozenset[tuple[int, str]]]:
    """The name matcher of a data set and the (cycle, city) pairs it scores, built once per data set
    (every section of a card resolves its city)."""
    scored = data.scored
    return CityMatcher(data.cities), frozenset(zip(scored["cycle"].astype(int).tolist(), scored["city"].tolist()))


def dataset_digest(data: Dataset) -> str | None:
    """A digest of everything a data set holds: its tables, its frameworks and where it came from.

    Two data sets with the same digest hold the same values, so what is computed
    from one (a report card's per-cycle tables, for instance) serves the other:
    :func:`load_dataset` hands out a fresh copy on every call, and a kernel that
    renders many cards of one panel computes their shared parts once. The digest
    is taken over the pickled tables and frameworks (about 3 ms for the bundled
    panel), each time it is called, so a table changed in place gets a new one;
    equal digests imply equal pickles, hence equal values (two equal data sets
    stored differently may get different digests: they then share nothing). None
    when the data set cannot be pickled (a function in a cell, say).
    """
    digest = hashlib.blake2b(digest_size=20)
    try:
        digest.update(pickle.dumps((data.scores, data.scored, data.attributes, data.cities, data.frameworks,
                                    data.scores_path, data.attributes_path), protocol=pickle.HIGHEST_PROTOCOL))
    except (pickle.PicklingError, TypeError, AttributeError, ValueError, RecursionError):
        return None
    return digest.hexdigest()


#: dataset_key's digests, by data set object.
_KEYS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_KEYS_LOCK = threading.Lock()


def dataset_key(data: Dataset) -> str | None:
    """:func:`dataset_digest` of ``data``, taken once per data set object.

    What caches of computed results are keyed by (a report card's per-cycle
    context, the card's level uncertainty): every card of a batch loads its own
    copy of the panel, and the copies share one key. A data set whose tables
    are changed in place after its first key keeps that key: change a copy
    (``dataclasses.replace``, or a new :func:`load_dataset`) instead.
    """
    try:
        with _KEYS_LOCK:
            if data in _KEYS:
                return _KEYS[data]
    except TypeError:  # not hashable or not weakly referenceable: a digest every time
        return dataset_digest(data)
    key = dataset_digest(data)
    try:
        with _KEYS_LOCK:
            _KEYS[data] = key
    except TypeError:
        pass
    return key


def resolve_cycle(cycles, cycle: int | None = 0) -> int:
    """The cycle to use: ``cycle`` itself, or the latest of ``cycles`` when it is 0.

    ``cycle=0`` means the latest cycle everywhere in the package. ``None`` means
    "every cycle", which only functions returning a table per cycle accept (the
    :mod:`~dmaf_analysis.stats` tables); here it is refused. Raises
    :class:`~dmaf_analysis.errors.ArgumentError` when ``cycle`` is None or not a
    whole number, :class:`~dmaf_analysis.errors.CycleNotInDataError` (naming the
    cycles present) when the data have no such cycle.
    """
    available = sorted(int(c) for c in cycles)
    if not available:
        raise NoDataError("the data hold no cycle")
    if cycle is None:
        raise ArgumentError("this analysis covers one cycle: give cycle=0 for the latest, or a cycle number "
                            f"(cycles present: {', '.join(map(str, available))}); cycle=None means every cycle")
    if isinstance(cycle, bool) or (isinstance(cycle, float) and not float(cycle).is_integer()):
        raise ArgumentError(f"cycle must be a whole number (0 = latest), got {cycle!r}")
    try:
        cycle = int(cycle)
    except (TypeError, ValueError):
        raise ArgumentError(f"cycle must be a whole number (0 = latest), got {cycle!r}") from None
    if cycle == 0:
        return available[-1]
    if cycle not in available:
        raise CycleNotInDataError(f"cycle {cycle} is not in the data; cycles present: {', '.join(map(str, available))}")
    return cycle


def resolve_cycle_pair(cycles, cycle_from: int = 0, cycle_to: int = 0) -> tuple[int, int]:
    """The two cycles to compare: 0 means the second-latest (``cycle_from``) / the latest (``cycle_to``).

    Raises :class:`~dmaf_analysis.errors.ArgumentError` when both are the same
    cycle, given or by default, and when ``cycle_to`` is given alone and is not
    later than the default ``cycle_from`` (with three cycles, ``cycle_to=1``
    would otherwise compare cycle 2 with the earlier cycle 1); the message says
    which value was the default and what to give instead. Two cycles given in
    the other order (``3, 1``) are compared backwards as asked (``dmaf trends``
    refuses that order: ``cycle_pair`` in ``dmaf_analysis/cli/_args.py``).
    """
    available = sorted(int(c) for c in cycles)
    if len(available) < 2:
        raise NoDataError(f"comparing cycles needs data for two cycles; the data hold "
                        f"{', '.join(map(str, available)) or 'none'}")
    c_to = available[-1] if int(cycle_to) == 0 else resolve_cycle(available, cycle_to)
    c_from = available[-2] if int(cycle_from) == 0 else resolve_cycle(available, cycle_from)
    if int(cycle_from) == 0 and int(cycle_to) != 0 and c_from >= c_to:
        earlier = [c for c in available if c < c_to]
        hint = (f"give an earlier cycle to --from as well, such as --from {earlier[-1]} --to {c_to}" if earlier else
                f"no cycle of the data comes before {c_to}, so give a later cycle to --to, or leave --to out "
                f"(the latest, {available[-1]})")
        raise ArgumentError(f"--to {c_to} (cycle_to) is not later than the default --from (cycle_from): cycle "
                            f"{c_from}, the second-latest of the data's cycles {', '.join(map(str, available))}; "
                            f"{hint}")
    if c_from == c_to and int(cycle_to) == 0:
        earlier = [c for c in available if c < c_to]
        raise ArgumentError(f"--from {c_from} (cycle_from) is the latest of the data's cycles "
                            f"{', '.join(map(str, available))}, which --to (cycle_to) takes by default; give an "
                            f"earlier cycle to --from, such as --from {earlier[-1]}")
    if c_from == c_to:
        raise ArgumentError(f"--from and --to (cycle_from and cycle_to) are both {c_to}; "
                            "give two different cycles")
    return c_from, c_to


def _stamp(path: str) -> tuple[str, float, int]:
    p = Path(path).resolve()
    st = p.stat() if p.exists() else None
    return str(p), (st.st_mtime if st else 0.0), (st.st_size if st else -1)


def _build(scores_path: str, attributes_path: str, cities: pd.DataFrame, treat_missing_as_zero: bool) -> Dataset:
    frameworks = load_frameworks()
    scores = read_scores(scores_path, frameworks=frameworks, cities=cities)
    if attributes_path:
        attributes = read_city_attributes(attributes_path, cities=cities)
    else:
        attributes = pd.DataFrame({"cycle": pd.Series(dtype="int64"), "city": pd.Series(dtype=object),
                                   "engagement_score": pd.Series(dtype=float)})
    scored = score_cities(scores, frameworks=frameworks, cities=cities,
                          treat_missing_as_zero=treat_missing_as_zero)
    return Dataset(scores=scores, scored=scored, attributes=attributes, frameworks=frameworks,
                   cities=cities, scores_path=scores_path, attributes_path=attributes_path)


@lru_cache(maxsize=4)
def _load_cached(scores_key: tuple, attributes_key: tuple | None, cities_key: tuple | None,
                 treat_missing_as_zero: bool) -> Dataset:
    cities = load_cities(cities_key[0]) if cities_key is not None else load_cities()
    return _build(scores_key[0], attributes_key[0] if attributes_key else "", cities, treat_missing_as_zero)


def load_dataset(scores_path: str | Path | None = None, attributes_path: str | Path | None = None, *,
                 cities: pd.DataFrame | str | Path | None = None,
                 treat_missing_as_zero: bool = False) -> Dataset:
    """Load, validate and score a data set (default: the bundled two-cycle panel).

    Parameters
    ----------
    scores_path : path, optional
        Score table (CSV or Parquet). ``None`` or ``""`` means the bundled
        ``data/scores.csv``.
    attributes_path : path, optional
        City attribute table. ``None`` means the bundled ``data/city_attributes.csv``
        when the bundled scores are used, and none otherwise; ``""`` means none.
    cities : path or DataFrame, optional
        Cities table the names are matched against: the path of a CSV file or a
        DataFrame with at least a ``city`` column (``state`` recommended, other
        columns optional; see :func:`~dmaf_analysis.cities.load_cities`). Default:
        the bundled 100 Smart Cities.
    treat_missing_as_zero : bool, default False
        Missing-data policy passed to :func:`~dmaf_analysis.scoring.score_cities`.

    The files are read and scored once per (paths, modification times, policy)
    when the cities come from a file; every call hands out copies of the tables
    and frameworks, so a caller may change them without changing what the next
    call returns.
    """
    if isinstance(scores_path, pd.DataFrame):
        raise ArgumentError("load_dataset reads files: give the path of a score table (CSV or Parquet); "
                        "for a DataFrame use validate_scores(frame) and score_cities(...)")
    bundled = not scores_path
    scores_path = bundled_scores_path() if bundled else Path(scores_path)
    if attributes_path is None:
        attributes_path = bundled_city_attributes_path() if bundled else ""
    attr_key = _stamp(str(attributes_path)) if attributes_path else None
    policy = bool(treat_missing_as_zero)
    if isinstance(cities, pd.DataFrame):
        return _build(str(_stamp(str(scores_path))[0]), attr_key[0] if attr_key else "", cities_table(cities),
                      policy)
    cities_key = _stamp(str(cities)) if cities is not None and str(cities).strip() else None
    if cities_key is not None:
        cities_table(cities)  # a clear error for a missing or bad file, before the cache sees it
    return _handed_out(_load_cached(_stamp(str(scores_path)), attr_key, cities_key, policy))


def _handed_out(data: Dataset) -> Dataset:
    """A Dataset with copies of the cached one's tables and frameworks (the cache stays as read)."""
    return replace(data, scores=data.scores.copy(), scored=data.scored.copy(), attributes=data.attributes.copy(),
                   cities=data.cities.copy(), frameworks={c: fw.copy() for c, fw in data.frameworks.items()})
