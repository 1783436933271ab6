"""The uncertain assumptions of an index, declared as data.

Several parts of the DMAF index are not on record: the component weights, the
certification thresholds, some indicator maxima (FACTS.md marks them inferred or
illustrative), and how missing indicator values should count. A *sensitivity
spec* lists which of them the uncertainty and sensitivity analyses
(:mod:`~dmaf_analysis.sensitivity`) let vary, and how far. It is a small YAML
file beside the framework, ``<framework>.sensitivity.yaml`` (for example
``data/frameworks/dmaf-cycle-2.sensitivity.yaml``); a framework without one gets
:data:`DEFAULT_ASSUMPTIONS`. Each entry of ``assumptions`` is one *group* (one
factor of the Sobol analysis) and has a ``name`` and a ``kind``:

``weights``
    Each component weight is multiplied by U(1 - p, 1 + p), ``perturbation: p``
    (default 0.25), and the weights renormalised. ``components:`` restricts the
    group to some components (default: all), so several weight groups may be
    declared as long as they do not overlap.
``aggregation``
    ``choices:`` among ``arithmetic`` (the published weighted mean) and
    ``geometric`` (weighted geometric mean of score + ``geometric_offset``,
    default 1 point), drawn with equal probability.
``thresholds``
    The minimum score of each certification level (other than the first, which
    starts at 0) drawn uniformly from a range: ``ranges: {Enabled: [20, 40]}``,
    or ``spread: 10`` for +/-10 points around every threshold not named in
    ``ranges``. Only levels whose provenance is not ``seen`` vary. Ranges must
    keep the levels in order (they may not overlap).
``maxima``
    Alternative indicator maxima, drawn uniformly from ``ranges: {"2.b": [10,
    30]}`` or, with ``spread: 0.5``, from +/-50 % around every maximum whose
    ``max_provenance`` is ``inferred`` (``vary: [inferred, illustrative]`` to
    widen that). The varied maxima of a component are then rescaled so that the
    component's maxima still sum to 100, and a city's points on an indicator
    keep their share of the maximum (10 of 20 becomes 12.5 of 25). A component
    needs two varied indicators for this to change anything; with ``spread``, a
    component with only one is left alone.
``missing``
    How a missing indicator value counts, drawn from ``choices:`` ``missing``
    (the component and the overall score are missing, the city unranked: the
    scoring default), ``zero`` (0 points) and ``component_mean`` (the city's
    mean share of the maximum on the component's other indicators; a component
    with no value at all stays missing).

Adding or dropping an assumption is an edit of the YAML file. Files are read with
the package's limited safe YAML loader (:func:`~dmaf_analysis._util.fileio.load_yaml`),
and every problem is reported at once with the file's name.

A spec's draws become model settings (:class:`Settings` of ``_settings``) through
:func:`problem` (the SALib problem of the spec) and :func:`decode`, at the end of
this module.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .._util.fileio import load_yaml
from .._util.numeric import is_finite_number, TOLERANCE
from ..errors import SpecError, bounded_message, shorten
from ..framework import Framework
from ._settings import AGGREGATION_CHOICES, MISSING_CHOICES, Settings, nominal_settings

__all__ = ["Assumption", "AssumptionSpec", "DEFAULT_ASSUMPTIONS", "KINDS", "SPEC_SUFFIX", "decode", "load_spec",
           "parse_spec", "problem", "read_spec_file", "spec_path"]

KINDS = ("weights", "aggregation", "thresholds", "maxima", "missing")
SPEC_SUFFIX = ".sensitivity.yaml"
#: How far inside the half-way points a varied threshold stays, so the levels never touch.
_THRESHOLD_GAP = 1e-6

#: Used when a framework has no ``.sensitivity.yaml`` beside it.
DEFAULT_ASSUMPTIONS: list[dict] = [
    {"name": "weights", "kind": "weights", "perturbation": 0.25},
    {"name": "aggregation", "kind": "aggregation", "choices": ["arithmetic", "geometric"]},
    {"name": "thresholds", "kind": "thresholds", "spread": 10},
    {"name": "maxima", "kind": "maxima", "spread": 0.5},
    {"name": "missing", "kind": "missing", "choices": list(MISSING_CHOICES)},
]


@dataclass(frozen=True, eq=False)
class Assumption:
    """One resolved assumption group.

    Attributes
    ----------
    name, kind : str
    variables : list of str
        Names of the group's inputs (each drawn as U(0, 1) and decoded).
    params : dict
        Resolved settings: ``components, base`` (weights), ``choices``
        (aggregation, missing), ``levels, low, high`` (thresholds),
        ``indicators, low, high`` (maxima).
    description : str
        One line saying what varies, for tables and reports.
    """

    name: str
    kind: str
    variables: list[str]
    params: dict = field(default_factory=dict)
    description: str = ""


@dataclass(frozen=True, eq=False)
class AssumptionSpec:
    """The assumptions of one framework, resolved against it.

    Attributes
    ----------
    assumptions : list of Assumption
    source : str
        The spec file ("" for the built-in default).
    geometric_offset : float
        Zero rule of the geometric mean (see ``_robustness``).
    notes : tuple of str
        The declared groups left out because they vary nothing in this framework.
    """

    assumptions: list[Assumption]
    source: str = ""
    geometric_offset: float = 1.0
    notes: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        return [a.name for a in self.assumptions]

    def only(self, *kinds: str) -> AssumptionSpec:
        """The same spec keeping the groups of the given kinds."""
        return AssumptionSpec([a for a in self.assumptions if a.kind in kinds], self.source, self.geometric_offset,
                              self.notes)

    def for_data(self, *, has_missing: bool) -> AssumptionSpec:
        """The spec without the groups that change nothing on the data at hand, each with a one-line note.

        The treatment of missing values (``missing``) changes nothing when no
        indicator value is missing; it is then neither run nor listed. The spec
        is kept whole when nothing else would vary.
        """
        idle = [a for a in self.assumptions if a.kind == "missing" and not has_missing]
        keep = [a for a in self.assumptions if a not in idle]
        if not idle or not keep:
            return self
        notes = self.notes + tuple(f"assumption {a.name!r} changes nothing: no indicator value is missing in "
                                   "this cycle; left out" for a in idle)
        return AssumptionSpec(keep, self.source, self.geometric_offset, notes)

    def table(self) -> pd.DataFrame:
        """One row per group: ``assumption, kind, n_variables, description``."""
        return pd.DataFrame([{"assumption": a.name, "kind": a.kind, "n_variables": len(a.variables),
                              "description": a.description} for a in self.assumptions],
                            columns=["assumption", "kind", "n_variables", "description"])


# ------------------------------------------------------------------------------ files
def spec_path(framework: Framework) -> Path | None:
    """``<framework file stem>.sensitivity.yaml`` beside the framework file (None without a file)."""
    if not framework.source:
        return None
    src = Path(framework.source)
    return src.with_name(src.stem + SPEC_SUFFIX)


def read_spec_file(path: str | Path) -> dict:
    """Parse a spec file safely (:func:`~dmaf_analysis._util.fileio.load_yaml`: safe loader, size and
    nesting limits); errors name the file."""
    return load_yaml(path, what="sensitivity spec", error=SpecError)


def load_spec(framework: Framework, path: str | Path | None = None) -> AssumptionSpec:
    """The sensitivity spec of ``framework``, validated against it.

    Parameters
    ----------
    framework : Framework
    path : path, optional
        A spec file; default the framework's own (:func:`spec_path`), or
        :data:`DEFAULT_ASSUMPTIONS` when it has none.

    Raises
    ------
    SpecError
        Naming the file and listing every problem.
    """
    if path is None:
        own = spec_path(framework)
        if own is None or not own.is_file():
            return parse_spec({"assumptions": DEFAULT_ASSUMPTIONS}, framework, source="", lenient=True)
        path = own
    return parse_spec(read_spec_file(path), framework, source=str(path))


# ------------------------------------------------------------------------- validation
def _range(value, where: str, problems: list[str]) -> tuple[float, float] | None:
    """``[low, high]`` as two floats with low <= high, or None (and a problem)."""
    if (not isinstance(value, (list, tuple)) or len(value) != 2 or not all(is_finite_number(v) for v in value)
            or value[0] > value[1]):
        problems.append(f"{where} must be a range [low, high] of two numbers with low <= high, got {shorten(value)}")
        return None
    return float(value[0]), float(value[1])


def _choices(entry: dict, allowed: tuple[str, ...], where: str, problems: list[str]) -> list[str]:
    """The entry's ``choices`` (default all of ``allowed``): the known ones, each once."""
    choices = entry.get("choices", list(allowed))
    if not isinstance(choices, list) or not choices or not all(isinstance(c, str) for c in choices):
        problems.append(f"{where}: 'choices' must be a non-empty list of names from {', '.join(allowed)}")
        return []
    bad = [c for c in choices if c not in allowed]
    if bad:
        problems.append(f"{where}: unknown choice(s) {_listed(bad)}; expected {', '.join(allowed)}")
    if len(set(choices)) != len(choices):
        problems.append(f"{where}: a choice is listed twice in {choices}")
    return [c for c in dict.fromkeys(choices) if c in allowed]


_KEYS = {
    "weights": {"perturbation", "components"},
    "aggregation": {"choices", "geometric_offset"},
    "thresholds": {"spread", "ranges"},
    "maxima": {"spread", "ranges", "vary"},
    "missing": {"choices"},
}


#: Marks a problem that is a note instead: the group varies nothing in this framework and is left out.
_NOTHING = "\0nothing varies\0"


def parse_spec(raw, framework: Framework, *, source: str = "", lenient: bool = False) -> AssumptionSpec:
    """Validate a parsed spec mapping against ``framework`` (see the module notes).

    Every problem found is listed in one :class:`SpecError`, which names ``source``.
    A group that finds nothing to vary in this framework (no illustrative
    threshold, e.g. with a single level; no component with two inferred maxima)
    is left out with a note (:attr:`AssumptionSpec.notes`) instead of being an
    error; ``lenient`` is kept for compatibility and changes nothing.
    """
    where_file = source or "the default sensitivity spec"
    if not isinstance(raw, dict):
        raise SpecError(f"{where_file}: the file must hold a mapping with an 'assumptions' list")
    reading = _Reading.of(framework)
    entries = _top_level(raw, reading.problems)
    groups = []
    for n, entry in enumerate(entries, start=1):
        group = _read_assumption(entry, n, reading)
        if group is not None:
            groups.append(group)
    return _resolved_spec(groups, reading, where_file=where_file, source=source)


@dataclass(eq=False)
class _Reading:
    """What reading one spec keeps from entry to entry.

    The framework's tables (component ids, levels, indicators with their maxima
    and components), the names given so far, what earlier groups already vary
    (``used``: components, levels and indicators by kind), the geometric offset
    of the last aggregation group and every problem found.
    """

    comp_ids: list[str]
    levels: pd.DataFrame
    inds: pd.DataFrame
    max_of: dict[str, float]
    comp_of: dict[str, str]
    names: set[str] = field(default_factory=set)
    used: dict[str, set] = field(default_factory=lambda: {"weights": set(), "thresholds": set(), "maxima": set()})
    offset: float = 1.0
    problems: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, framework: Framework) -> _Reading:
        """The start of reading a spec against ``framework``."""
        inds = framework.indicators.reset_index(drop=True)
        return cls(comp_ids=framework.component_ids, levels=framework.levels.reset_index(drop=True), inds=inds,
                   max_of=dict(zip(inds["indicator"], inds["max_score"].astype(float))),
                   comp_of=dict(zip(inds["indicator"], inds["component"])))


def _listed(values: list, shown: int = 10) -> str:
    """The first ``shown`` values, each shortened, and how many more there are."""
    more = f" and {len(values) - shown:,} more" if len(values) > shown else ""
    return ", ".join(map(shorten, values[:shown])) + more


def _unknown_keys(mapping: dict, known, where: str, problems: list[str]) -> None:
    """One problem per key of ``mapping`` not in ``known``, whatever its type (text, number, ``true``, ``~``),
    naming the closest known key when one is close ("did you mean 'spread'?")."""
    import difflib

    known = sorted(known)
    for key in mapping:
        if isinstance(key, str) and key in known:
            continue
        close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6) if isinstance(key, str) else []
        hint = f"did you mean {close[0]!r}?" if close else f"expected one of {', '.join(known)}"
        what = "key" if isinstance(key, str) else f"key of type {type(key).__name__}"
        problems.append(f"{where}unknown {what} {shorten(key)}; {hint}")


def _top_level(raw: dict, problems: list[str]) -> list:
    """Check the top-level keys and ``schema_version``; the ``assumptions`` entries ([] when there are none)."""
    _unknown_keys(raw, {"schema_version", "assumptions", "description"}, "top level: ", problems)
    version = raw.get("schema_version", 1)
    if version != 1 or isinstance(version, bool):
        problems.append(f"'schema_version' is {shorten(version)}; this version of dmaf-analysis reads version 1")
    entries = raw.get("assumptions")
    if not isinstance(entries, list) or not entries:
        problems.append("'assumptions' must be a non-empty list of {name, kind, ...} entries")
        entries = []
    return entries


def _read_assumption(entry, n: int, reading: _Reading) -> Assumption | None:
    """Entry ``n`` (from 1): its ``name``, ``kind`` and keys, then the reading of its kind.

    None when the entry has a problem, recorded in ``reading.problems`` (where
    a group that varies nothing in this framework records its note).
    """
    problems = reading.problems
    if not isinstance(entry, dict):
        problems.append(f"assumption #{n} must be a mapping with 'name' and 'kind', got {shorten(entry)}")
        return None
    name, kind = entry.get("name"), entry.get("kind")
    where = f"assumption #{n}" + (f" ({shorten(name)[1:-1]})" if isinstance(name, str) else "")
    if not isinstance(name, str) or not name.strip():
        problems.append(f"{where} needs a 'name' (text)")
        return None
    if name in reading.names:
        problems.append(f"{where}: the name {shorten(name)} is used twice")
    reading.names.add(name)
    if kind not in KINDS:
        problems.append(f"{where}: 'kind' is {shorten(kind)}; expected one of {', '.join(KINDS)}")
        return None
    _unknown_keys(entry, {"name", "kind", "description"} | _KEYS[kind], f"{where}, kind {kind}: ", problems)
    before = len(problems)
    assumption = _READERS[kind](entry, name, where, reading)
    return assumption if len(problems) == before else None


def _read_weights(entry: dict, name: str, where: str, reading: _Reading) -> Assumption:
    """A ``weights`` group: ``perturbation`` (default 0.25) of the weights of ``components`` (default all),
    none of them varied by another weights group."""
    problems, comp_ids, used = reading.problems, reading.comp_ids, reading.used["weights"]
    p = entry.get("perturbation", 0.25)
    if not is_finite_number(p) or not 0 < p < 1:
        problems.append(f"{where}: 'perturbation' must be a number above 0 and below 1, got {shorten(p)}")
        p = 0.25
    comps = entry.get("components", comp_ids)
    if not isinstance(comps, list) or not comps:
        problems.append(f"{where}: 'components' must be a non-empty list of component ids")
        comps = []
    bad = [str(c) for c in comps if c not in comp_ids]
    if bad:
        problems.append(f"{where}: unknown component(s) {_listed(bad)}; the framework has "
                        f"{', '.join(comp_ids)}")
    comps = [c for c in comps if c in comp_ids]
    twice = sorted(used & set(comps))
    if twice:
        problems.append(f"{where}: component(s) {', '.join(twice)} already vary in another weights group")
    used |= set(comps)
    return Assumption(
        name, "weights", [f"{name}:{c}" for c in comps], {"components": comps, "perturbation": float(p)},
        f"weight of {', '.join(comps) if len(comps) < len(comp_ids) else 'every component'} "
        f"x U({1 - p:g}, {1 + p:g}), renormalised")


def _read_aggregation(entry: dict, name: str, where: str, reading: _Reading) -> Assumption:
    """An ``aggregation`` group: ``choices`` among :data:`AGGREGATION_CHOICES`, and the spec's
    ``geometric_offset`` (a positive number, default 1)."""
    choices = _choices(entry, AGGREGATION_CHOICES, where, reading.problems)
    off = entry.get("geometric_offset", 1.0)
    if not is_finite_number(off) or off <= 0:
        reading.problems.append(f"{where}: 'geometric_offset' must be a positive number, got {shorten(off)}")
    else:
        reading.offset = float(off)
    return Assumption(name, "aggregation", [name], {"choices": choices}, f"aggregation drawn from {', '.join(choices)}")


def _read_thresholds(entry: dict, name: str, where: str, reading: _Reading) -> Assumption:
    """A ``thresholds`` group: the levels whose minimum score varies, and their ranges (:func:`_threshold_ranges`)."""
    lv, lo, hi = _threshold_ranges(entry, reading.levels, where, reading.problems, reading.used["thresholds"])
    return Assumption(name, "thresholds", [f"{name}:{x}" for x in lv], {"levels": lv, "low": lo, "high": hi},
                      "; ".join(f"{x} from {a:g} to {b:g}" for x, a, b in zip(lv, lo, hi)))


def _read_maxima(entry: dict, name: str, where: str, reading: _Reading) -> Assumption:
    """A ``maxima`` group: the indicators whose maximum varies, and their ranges (:func:`_maximum_ranges`)."""
    ids, lo, hi = _maximum_ranges(entry, reading.inds, reading.max_of, reading.comp_of, where, reading.problems,
                                  reading.used["maxima"])
    return Assumption(name, "maxima", [f"{name}:{i}" for i in ids], {"indicators": ids, "low": lo, "high": hi},
                      "; ".join(f"{i} from {a:g} to {b:g}" for i, a, b in zip(ids, lo, hi))
                      + " (rescaled so each component's maxima sum to 100)")


def _read_missing(entry: dict, name: str, where: str, reading: _Reading) -> Assumption:
    """A ``missing`` group: ``choices`` among :data:`MISSING_CHOICES`."""
    choices = _choices(entry, MISSING_CHOICES, where, reading.problems)
    return Assumption(name, "missing", [name], {"choices": choices},
                      f"missing values counted as {' / '.join(choices)}")


_READERS = {"weights": _read_weights, "aggregation": _read_aggregation, "thresholds": _read_thresholds,
            "maxima": _read_maxima, "missing": _read_missing}


def _resolved_spec(groups: list[Assumption], reading: _Reading, *, where_file: str, source: str) -> AssumptionSpec:
    """The spec of the groups read, or one :class:`SpecError` listing every problem.

    A group with nothing to vary in this framework (e.g. thresholds with one
    level, maxima when every component has one indicator) is left out with a
    note, not an error: the spec may serve other frameworks.
    """
    notes = [p.removeprefix(_NOTHING) + "; left out" for p in reading.problems if p.startswith(_NOTHING)]
    notes += [f"assumption {a.name!r} varies nothing in this framework; left out" for a in groups if not a.variables]
    groups = [a for a in groups if a.variables]
    problems = [p for p in reading.problems if not p.startswith(_NOTHING)]
    if not problems and not groups:
        problems.append("no assumption varies anything")
    if problems:
        head = f"{where_file}: {len(problems):,} problem{'s' if len(problems) != 1 else ''} in the sensitivity spec"
        raise SpecError(bounded_message(head, problems, source=Path(where_file).name if source else where_file))
    return AssumptionSpec(groups, source=source, geometric_offset=reading.offset, notes=tuple(notes))


def _spread(entry: dict, where: str, problems: list[str], *, relative: bool) -> float | None:
    """The entry's ``spread`` (points, or with ``relative`` a share below 1), or None when absent or wrong."""
    s = entry.get("spread")
    if s is None:
        return None
    if not is_finite_number(s) or s < 0 or (relative and s >= 1):
        bound = "a number from 0 to below 1 (a share of the maximum)" if relative else "a number of points, 0 or more"
        problems.append(f"{where}: 'spread' must be {bound}, got {shorten(s)}")
        return None
    return float(s)


def _threshold_ranges(entry, levels: pd.DataFrame, where, problems, used):
    """The levels whose minimum score varies and their ranges: ``(levels, lows, highs)``.

    From ``ranges`` (level: [low, high]) or, for levels not on record, ``spread``
    points either side, kept short of half-way to the neighbouring thresholds;
    the ranges must keep the levels in order. A level already varied by another
    group (``used``) is a problem; nothing to vary is a note (:data:`_NOTHING`).
    """
    names = levels["level"].tolist()
    mins = levels["min_score"].astype(float).tolist()
    ranges = entry.get("ranges") or {}
    if not isinstance(ranges, dict):
        problems.append(f"{where}: 'ranges' must map level names to [low, high]")
        ranges = {}
    spread = _spread(entry, where, problems, relative=False)
    if not ranges and spread is None and "spread" not in entry:
        problems.append(f"{where}: give 'ranges' (level: [low, high]) or 'spread' (points either side)")
    for lv in ranges:
        if lv not in names:
            problems.append(f"{where}: unknown level {shorten(lv)}; the framework's levels are {', '.join(names)}")
        elif lv == names[0]:
            problems.append(f"{where}: the first level ({lv}) starts at 0 by definition and cannot vary")
    chosen, lo, hi = [], [], []
    for i, lv in enumerate(names[1:], start=1):
        if lv in ranges:
            r = _range(ranges[lv], f"{where}: the range of {shorten(lv)}", problems)
            if r is None:
                continue
        elif spread is not None and str(levels.loc[i, "provenance"]) != "seen":
            # a spread never reaches half-way to a neighbouring threshold, so the levels stay in order
            below = (mins[i - 1] + mins[i]) / 2 + _THRESHOLD_GAP
            above = (mins[i] + mins[i + 1]) / 2 - _THRESHOLD_GAP if i + 1 < len(mins) else 100.0
            r = (max(mins[i] - spread, below), min(mins[i] + spread, above))
        else:
            continue
        r = (max(r[0], TOLERANCE), min(r[1], 100.0))
        if r[0] > r[1] or r[1] <= 0:
            problems.append(f"{where}: the range of {shorten(lv)} lies outside 0-100")
            continue
        if lv in used:
            problems.append(f"{where}: the threshold of {shorten(lv)} already varies in another group")
        used.add(lv)
        chosen.append(lv)
        lo.append(r[0])
        hi.append(r[1])
    # the levels must stay in order whatever is drawn: compare each level's possible span with the next
    spans = []
    for i, lv in enumerate(names):
        if lv in chosen:
            j = chosen.index(lv)
            spans.append((lv, lo[j], hi[j]))
        else:
            spans.append((lv, mins[i], mins[i]))
    for (a, _, a_hi), (b, b_lo, _) in zip(spans, spans[1:]):
        if a_hi >= b_lo:
            problems.append(f"{where}: the thresholds of {shorten(a)} (up to {a_hi:g}) and {shorten(b)} "
                            f"(from {b_lo:g}) "
                            "overlap; the ranges must keep the levels in order")
    if not chosen and not problems:
        problems.append(_NOTHING + f"{where}: no threshold varies (every level is on record or none is named)")
    return chosen, lo, hi


def _maximum_ranges(entry, inds: pd.DataFrame, max_of, comp_of, where, problems, used):
    """The indicators whose maximum varies and their ranges: ``(indicators, lows, highs)``, in framework order.

    From ``ranges`` (indicator: [low, high]) and, with ``spread``, +/- that share
    of every maximum whose provenance is in ``vary``. A component needs two
    varied indicators (a lone one named in ``ranges`` is a problem, one from
    ``spread`` is dropped); an indicator already varied by another group
    (``used``) is a problem; nothing to vary is a note (:data:`_NOTHING`).
    """
    ranges = entry.get("ranges") or {}
    if not isinstance(ranges, dict):
        problems.append(f"{where}: 'ranges' must map indicator ids to [low, high]")
        ranges = {}
    ranges = {str(k): v for k, v in ranges.items()}
    spread = _spread(entry, where, problems, relative=True)
    vary = entry.get("vary", ["inferred"])
    if isinstance(vary, str):
        vary = [vary]
    if not isinstance(vary, list) or not all(isinstance(v, str) for v in vary):
        problems.append(f"{where}: 'vary' must be a list of provenances such as [inferred]")
        vary = []
    if not ranges and spread is None:
        problems.append(f"{where}: give 'ranges' (indicator: [low, high]) or 'spread' (a share of each maximum)")
    for ind in ranges:
        if ind not in max_of:
            problems.append(f"{where}: unknown indicator {shorten(ind)}")
    chosen: dict[str, tuple[float, float]] = {}
    for ind, r in ranges.items():
        if ind in max_of:
            rr = _range(r, f"{where}: the range of indicator {shorten(ind)}", problems)
            if rr is not None:
                if rr[0] <= 0 or rr[1] >= 100:
                    problems.append(f"{where}: the range of indicator {shorten(ind)} must lie above 0 and below 100")
                else:
                    chosen[ind] = rr
    if spread is not None:
        for row in inds.itertuples(index=False):
            if row.indicator not in chosen and row.max_provenance in vary:
                m = float(row.max_score)
                chosen[row.indicator] = (m * (1 - spread), m * (1 + spread))
    # every component must have two or more varied indicators for the rescaling to change anything
    by_comp: dict[str, list[str]] = {}
    for ind in chosen:
        by_comp.setdefault(comp_of[ind], []).append(ind)
    for comp, members in by_comp.items():
        if len(members) < 2:
            if members[0] in ranges:
                problems.append(f"{where}: indicator {members[0]} is the only varied maximum of component "
                                f"{shorten(comp)}; with the component kept out of 100 it cannot change. Vary another "
                                "indicator of that component too, or drop it")
            del chosen[members[0]]
    twice = sorted(used & set(chosen))
    if twice:
        problems.append(f"{where}: the maxima of {', '.join(twice)} already vary in another group")
    used |= set(chosen)
    if not chosen and not problems:
        problems.append(_NOTHING + f"{where}: no indicator maximum varies (no component has two indicators marked "
                        f"{' or '.join(vary) or 'as varying'})")
    order = [i for i in inds["indicator"] if i in chosen]
    return order, [chosen[i][0] for i in order], [chosen[i][1] for i in order]


# ------------------------------------------------------------------ draws -> model settings
def problem(spec: AssumptionSpec) -> dict:
    """The SALib problem of a spec: every input on [0, 1], grouped by assumption."""
    names, groups = [], []
    for a in spec.assumptions:
        names += a.variables
        groups += [a.name] * len(a.variables)
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names), "groups": groups}


def _pick(u: np.ndarray, k: int) -> np.ndarray:
    return np.minimum((np.asarray(u) * k).astype(np.int64), k - 1)


def decode(spec: AssumptionSpec, framework: Framework, u: np.ndarray) -> Settings:
    """Turn a (runs x variables) array of U(0, 1) inputs into model settings.

    Columns follow :func:`problem`'s ``names``. Assumptions not in the spec stay
    at the framework's values (see :func:`nominal_settings`).
    """
    u = np.atleast_2d(np.asarray(u, dtype=float))
    n = u.shape[0]
    base = nominal_settings(framework, n)
    comp_ids = framework.component_ids
    ind_ids = framework.indicator_ids
    comp_of = framework.indicators.set_index("indicator")["component"]
    max0 = framework.max_scores.reindex(ind_ids).to_numpy(float)
    w = base.weights.copy()
    agg_names = AGGREGATION_CHOICES
    agg = np.zeros(n, dtype=np.int64)
    thr = base.thresholds.copy()
    fac = base.factors.copy()
    miss = np.zeros(n, dtype=np.int64)
    level_pos = {name: i for i, name in enumerate(framework.levels["level"])}
    col = 0
    for a in spec.assumptions:
        block = u[:, col:col + len(a.variables)]
        col += len(a.variables)
        p = a.params
        if a.kind == "weights":
            idx = [comp_ids.index(c) for c in p["components"]]
            q = p["perturbation"]
            w[:, idx] = w[:, idx] * (1 - q + 2 * q * block)
        elif a.kind == "aggregation":
            agg = np.array([agg_names.index(c) for c in p["choices"]])[_pick(block[:, 0], len(p["choices"]))]
        elif a.kind == "missing":
            miss = np.array([MISSING_CHOICES.index(c) for c in p["choices"]])[_pick(block[:, 0], len(p["choices"]))]
        elif a.kind == "thresholds":
            lo, hi = np.asarray(p["low"]), np.asarray(p["high"])
            thr[:, [level_pos[x] for x in p["levels"]]] = lo + block * (hi - lo)
        else:  # maxima: draw, then rescale the varied ones of each component to keep it out of 100
            lo, hi = np.asarray(p["low"]), np.asarray(p["high"])
            drawn = lo + block * (hi - lo)
            ids = p["indicators"]
            for comp in dict.fromkeys(comp_of[i] for i in ids):
                members = [j for j, i in enumerate(ids) if comp_of[i] == comp]
                cols = [ind_ids.index(ids[j]) for j in members]
                room = max0[cols].sum()  # what the varied indicators share (100 minus the fixed ones)
                new = drawn[:, members] * (room / drawn[:, members].sum(axis=1, keepdims=True))
                fac[:, cols] = new / max0[cols]
    w = w / w.sum(axis=1, keepdims=True)
    return Settings(weights=w, aggregation=agg, aggregations=agg_names, thresholds=thr, factors=fac, missing=miss)
