"""The assessment framework as data: components, indicators, maxima, weights, levels.

One YAML file per cycle lives in ``data/frameworks/``. Loading validates the file and
raises :class:`~dmaf_analysis.errors.FrameworkError` naming the file and the problem.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ._util.numeric import PRINTED_TOLERANCE
from ._util.numeric import TOLERANCE as _TOLERANCE
from ._util.paths import frameworks_dir
from ._util.yamlkeys import KeyLines, check_keys, load_yaml_with_lines
from .errors import FrameworkError

__all__ = ["FRAMEWORK_KEYS", "PROVENANCE_VALUES", "PROVENANCE_WORDS", "RESERVED_COMPONENT_IDS", "provenance_words",
           "Framework", "parse_framework", "read_framework",
           "load_frameworks", "frameworks_or_bundled", "level_index", "load_framework", "component_map",
           "framework_credit", "framework_title", "indicator_table"]

PROVENANCE_VALUES = ("seen", "seen_order", "inferred", "illustrative")
#: Other spellings a framework file may use, read as the code beside them.
PROVENANCE_ALIASES = {"on_record": "seen", "on record": "seen", "on_record_by_order": "seen_order"}
#: What each provenance code means, in words that hold for any framework.
PROVENANCE_WORDS = {"seen": "on record", "seen_order": "on record (matched by position)",
                    "inferred": "inferred", "illustrative": "illustrative"}
#: The keys a framework file may hold, at the top and inside each part.
FRAMEWORK_KEYS = {
    "top": ("schema_version", "framework", "cycle", "name", "about", "publisher", "provenance",
            "weights_provenance", "components", "indicators", "levels", "crosswalk"),
    "component": ("id", "name", "weight"),
    "indicator": ("id", "component", "name", "max", "max_provenance"),
    "level": ("name", "min_score", "certified", "provenance"),
    "crosswalk": ("to_cycle", "components"),
}
#: Column names of the scored tables: a component id may not be one of them, since
#: each component becomes a column of its own.
RESERVED_COMPONENT_IDS = ("cycle", "city", "state", "region", "overall", "level", "rank", "complete",
                          "selection_round", "certified", "n_missing", "n_synthetic", "indicator",
                          "component", "score", "source", "measure")


@dataclass(frozen=True, eq=False)
class Framework:
    """One cycle's framework.

    Attributes
    ----------
    cycle : int
    name : str
    provenance : str
        ``seen`` when the indicator list is on record,
        ``illustrative`` when the whole framework is a placeholder.
    components : DataFrame
        Columns ``component, name, weight, max_score`` in framework order.
    indicators : DataFrame
        Columns ``indicator, component, name, max_score, max_provenance, order``
        in framework order (``order`` counts from 0).
    levels : DataFrame
        Columns ``level, min_score, certified, provenance``, ascending.
    crosswalk : dict
        Maps this cycle's component ids to ``crosswalk_to``'s ids (may be empty).
    crosswalk_to : int or None
    source : str
        The file the framework was read from.
    weights_provenance : str
        How the component weights are known (``seen``, ``inferred`` or
        ``illustrative``); DMAF's own weights are not published, so the bundled
        files say ``illustrative`` (equal weights assumed).
    about : str
        What the framework is, in a sentence or two, from the file's ``about:``
        ("" when the file has none); used in About boxes and the index.
    publisher : str
        Who publishes the framework, from ``publisher:`` ("" when not given).
    framework_id : str
        The file's ``framework:`` key ("" when absent): which framework the
        cycle belongs to, so that reports can tell whether cycles share one.
    """

    cycle: int
    name: str
    provenance: str
    components: pd.DataFrame
    indicators: pd.DataFrame
    levels: pd.DataFrame
    crosswalk: dict = field(default_factory=dict)
    crosswalk_to: int | None = None
    source: str = ""
    weights_provenance: str = "illustrative"
    about: str = ""
    publisher: str = ""
    framework_id: str = ""

    def copy(self) -> Framework:
        """A copy whose tables the caller may change without changing this framework."""
        from dataclasses import replace

        return replace(self, components=self.components.copy(), indicators=self.indicators.copy(),
                       levels=self.levels.copy(), crosswalk=dict(self.crosswalk))

    @property
    def maxima_on_record(self) -> bool:
        """True when every indicator maximum is on record (``seen`` or ``seen_order``)."""
        return bool(self.indicators["max_provenance"].isin(["seen", "seen_order"]).all())

    @property
    def n_maxima_not_on_record(self) -> int:
        """How many indicator maxima are inferred or illustrative."""
        return int((~self.indicators["max_provenance"].isin(["seen", "seen_order"])).sum())

    def same_definition(self, other: Framework) -> bool:
        """True when ``other`` has the same components, weights, indicators, maxima and levels.

        Names, provenance and the cycle number are not compared: two cycles
        assessed on identical files share one framework.
        """
        def part(fw, frame, cols):
            return getattr(fw, frame)[cols].reset_index(drop=True)
        try:
            pd.testing.assert_frame_equal(part(self, "components", ["component", "weight"]),
                                          part(other, "components", ["component", "weight"]), check_dtype=False)
            pd.testing.assert_frame_equal(part(self, "indicators", ["indicator", "component", "max_score"]),
                                          part(other, "indicators", ["indicator", "component", "max_score"]),
                                          check_dtype=False)
            pd.testing.assert_frame_equal(part(self, "levels", ["level", "min_score", "certified"]),
                                          part(other, "levels", ["level", "min_score", "certified"]),
                                          check_dtype=False)
        except AssertionError:
            return False
        return True

    @property
    def thresholds_illustrative(self) -> bool:
        """True when any level threshold is not on record (its provenance is not ``"seen"``)."""
        return bool((self.levels["provenance"].astype(str) != "seen").any())

    @property
    def component_ids(self) -> list[str]:
        return self.components["component"].tolist()

    @property
    def indicator_ids(self) -> list[str]:
        return self.indicators["indicator"].tolist()

    @property
    def weights(self) -> pd.Series:
        """Component weights indexed by component id."""
        return self.components.set_index("component")["weight"]

    @property
    def max_scores(self) -> pd.Series:
        """Indicator maxima indexed by indicator id."""
        return self.indicators.set_index("indicator")["max_score"]

    def level_for(self, overall: float) -> str | None:
        """Name of the certification level reached by an overall score (None if NaN)."""
        if overall is None or (isinstance(overall, float) and math.isnan(overall)):
            return None
        names, mins = _level_table(self)
        return str(names[int(level_index(np.array([overall], dtype=float), mins)[0])])

    def levels_for(self, overall: pd.Series | np.ndarray) -> np.ndarray:
        """Vectorised :meth:`level_for`: an object array of level names (None for NaN)."""
        values = np.asarray(overall, dtype=float)
        names, mins = _level_table(self)
        out = np.asarray(names, dtype=object)[level_index(values, mins)].astype(object)
        out[np.isnan(values)] = None
        return out

    def is_certified(self, level: str | None) -> bool:
        if level is None:
            return False
        row = self.levels[self.levels["level"] == level]
        return bool(row["certified"].iloc[0]) if len(row) else False

    @property
    def top_level(self) -> str:
        """Name of the highest level."""
        return str(self.levels["level"].iloc[-1])

    def with_levels(self, levels: list[dict]) -> Framework:
        """A copy of the framework with other levels, validated as in a YAML file.

        ``levels`` is a list of mappings with ``name``, ``min_score`` and optionally
        ``certified`` (default true) and ``provenance`` (default ``illustrative``),
        ascending from a first level at 0: the same form as the ``levels`` key of
        a framework file.
        """
        from dataclasses import replace

        parsed = _parse_levels(levels, f"{self.source or self.name} (levels given)")
        return replace(self, levels=pd.DataFrame(parsed, columns=["level", "min_score", "certified",
                                                                  "provenance"]))

    def next_level(self, level: str) -> tuple[str, float] | None:
        """The level above ``level`` and its minimum score, or None at the top."""
        names, mins = _level_table(self)
        i = names.index(level)
        if i + 1 >= len(names):
            return None
        return str(names[i + 1]), float(mins[i + 1])


@lru_cache(maxsize=64)
def _level_table(framework: Framework) -> tuple[tuple, np.ndarray]:
    """A framework's level names and minimum scores, lowest first, read once per framework object.

    Every report card asks for levels several times; reading them off the ``levels``
    table each time cost more than the lookup. Kept beside the framework rather than
    in it, so that a framework pickles the same (and digests the same) before and after.
    """
    mins = framework.levels["min_score"].to_numpy(dtype=float).copy()
    mins.setflags(write=False)
    return tuple(framework.levels["level"].tolist()), mins


def _fail(source: str, message: str) -> FrameworkError:
    return FrameworkError(f"{source}: {message}")


def _require(mapping: dict, key: str, source: str, where: str):
    if not isinstance(mapping, dict) or key not in mapping:
        raise _fail(source, f"{where} lacks the required key {key!r}")
    return mapping[key]


def _number(value, source: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(source, f"{where} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise _fail(source, f"{where} must be finite, got {value!r}")
    return float(value)


def _parse_levels(levels_raw, source: str, lines: KeyLines | None = None) -> list[dict]:
    """Validate a framework's ``levels`` list: names unique, first at 0, strictly ascending, <= 100."""
    if not isinstance(levels_raw, list) or not levels_raw:
        raise _fail(source, "'levels' must be a non-empty list")
    levels = []
    for i, lev in enumerate(levels_raw, start=1):
        check_keys(lev, FRAMEWORK_KEYS["level"], source=source, error=FrameworkError, where=f"level #{i}",
                   path=("levels", i - 1), lines=lines)
        name = str(_require(lev, "name", source, f"level #{i}"))
        min_score = _number(_require(lev, "min_score", source, f"level {name!r}"), source, f"level {name!r} min_score")
        certified = lev.get("certified", True)
        if not isinstance(certified, bool):
            raise _fail(source, f"level {name!r}: 'certified' must be true or false, got {certified!r}")
        prov = _provenance(lev.get("provenance", "illustrative"), source, f"level {name!r} has provenance")
        levels.append({"level": name, "min_score": min_score, "certified": certified, "provenance": prov})
    mins = [lev["min_score"] for lev in levels]
    if mins[0] != 0:
        raise _fail(source, f"the first level must start at 0, it starts at {mins[0]:g}")
    if any(b <= a for a, b in zip(mins, mins[1:])):
        raise _fail(source, f"levels must be in strictly ascending order of min_score, got {mins}")
    if mins[-1] > 100:
        raise _fail(source, f"a level starts above 100 ({mins[-1]:g})")
    names = [lev["level"] for lev in levels]
    if len(set(names)) != len(names):
        raise _fail(source, "level names must be unique")
    return levels


def parse_framework(raw: dict, source: str = "<framework>", *, lines: KeyLines | None = None) -> Framework:
    """Build and validate a :class:`Framework` from an already parsed mapping.

    Every key must be one of :data:`FRAMEWORK_KEYS` (an unknown key is an error
    naming its line, from ``lines``, and the closest known key). The parts are
    then checked in the order of the file format: cycle, components,
    indicators, levels, crosswalk, weights' provenance; the first problem found
    raises :class:`~dmaf_analysis.errors.FrameworkError` naming ``source``.
    """
    if not isinstance(raw, dict):
        raise _fail(source, "the file must hold a mapping at its top level")
    check_keys(raw, FRAMEWORK_KEYS["top"], source=source, error=FrameworkError, where="the framework", lines=lines)
    version = raw.get("schema_version", 1)
    if version != 1 or isinstance(version, bool):
        raise _fail(source, f"'schema_version' is {version!r}; this version of dmaf-analysis reads version 1")
    texts = {}
    for key in ("framework", "name", "about", "publisher"):
        value = raw.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise _fail(source, f"{key!r} must be a text, got {value!r}")
        texts[key] = " ".join(str(value).split())
    cycle = _require(raw, "cycle", source, "the framework")
    if isinstance(cycle, bool) or not isinstance(cycle, int) or cycle < 1:
        raise _fail(source, f"'cycle' must be a positive whole number, got {cycle!r}")
    components = _parse_components(_require(raw, "components", source, "the framework"), source, lines)
    comp_ids = [c["component"] for c in components]
    indicators = _parse_indicators(_require(raw, "indicators", source, "the framework"), source, comp_ids, lines)
    levels = _parse_levels(_require(raw, "levels", source, "the framework"), source, lines)
    check_keys(raw.get("crosswalk"), FRAMEWORK_KEYS["crosswalk"], source=source, error=FrameworkError,
               where="the crosswalk", path=("crosswalk",), lines=lines)
    crosswalk, crosswalk_to = _parse_crosswalk(raw.get("crosswalk"), source, cycle=cycle, comp_ids=comp_ids)
    weights_provenance = _provenance(raw.get("weights_provenance", "illustrative"), source, "weights_provenance is")
    provenance = _provenance(raw.get("provenance", "illustrative"), source, "provenance is")
    comp_df = pd.DataFrame(components)
    comp_df["max_score"] = 100.0
    return Framework(
        cycle=cycle,
        name=texts["name"] or f"Cycle {cycle}",
        provenance=provenance,
        components=comp_df,
        indicators=pd.DataFrame(indicators),
        levels=pd.DataFrame(levels, columns=["level", "min_score", "certified", "provenance"]),
        crosswalk=crosswalk,
        crosswalk_to=crosswalk_to,
        source=source,
        weights_provenance=weights_provenance,
        about=texts["about"],
        publisher=texts["publisher"],
        framework_id=texts["framework"],
    )


def _repeated(ids: list[str]) -> list[str]:
    return sorted({x for x in ids if ids.count(x) > 1})


def _provenance(value, source: str, what: str) -> str:
    """``value`` as a provenance label, or a FrameworkError starting with ``what``."""
    prov = str(value)
    prov = PROVENANCE_ALIASES.get(prov.strip().lower(), prov)
    if prov not in PROVENANCE_VALUES:
        raise _fail(source, f"{what} {prov!r}; expected one of {', '.join(PROVENANCE_VALUES)} "
                            f"(or on_record for seen)")
    return prov


def provenance_words(code) -> str:
    """What a provenance code means, in words for any framework ("on record", "inferred", ...)."""
    return PROVENANCE_WORDS.get(str(code), str(code))


def _parse_components(comps_raw, source: str, lines: KeyLines | None = None) -> list[dict]:
    """The ``components`` list: ids (not reserved, not repeated), names and weights summing to 1."""
    if not isinstance(comps_raw, list) or not comps_raw:
        raise _fail(source, "'components' must be a non-empty list")
    components = []
    for i, comp in enumerate(comps_raw, start=1):
        where = f"component #{i}"
        check_keys(comp, FRAMEWORK_KEYS["component"], source=source, error=FrameworkError, where=where,
                   path=("components", i - 1), lines=lines)
        cid = str(_require(comp, "id", source, where))
        if not cid.strip() or cid in RESERVED_COMPONENT_IDS:
            raise _fail(source, f"{where} has the id {cid!r}, which is empty or a column name of the "
                                f"scored tables; choose another id (reserved: {', '.join(RESERVED_COMPONENT_IDS)})")
        weight = _number(comp.get("weight", 1.0 / len(comps_raw)), source, f"{where} ({cid}) weight")
        if weight < 0:
            raise _fail(source, f"{where} ({cid}) has a negative weight {weight}")
        components.append({"component": cid, "name": str(comp.get("name", cid)), "weight": weight})
    dupes = _repeated([c["component"] for c in components])
    if dupes:
        raise _fail(source, f"duplicate component ids: {', '.join(dupes)}")
    total_weight = sum(c["weight"] for c in components)
    if abs(total_weight - 1.0) > PRINTED_TOLERANCE:
        raise _fail(source, f"component weights must sum to 1, they sum to {total_weight:g}")
    return components


def _parse_indicators(inds_raw, source: str, comp_ids: list[str], lines: KeyLines | None = None) -> list[dict]:
    """The ``indicators`` list: ids, components, positive maxima summing to 100 in each component."""
    if not isinstance(inds_raw, list) or not inds_raw:
        raise _fail(source, "'indicators' must be a non-empty list")
    indicators = []
    for i, ind in enumerate(inds_raw, start=1):
        where = f"indicator #{i}"
        check_keys(ind, FRAMEWORK_KEYS["indicator"], source=source, error=FrameworkError, where=where,
                   path=("indicators", i - 1), lines=lines)
        iid = str(_require(ind, "id", source, where))
        comp = str(_require(ind, "component", source, f"{where} ({iid})"))
        if comp not in comp_ids:
            raise _fail(source, f"indicator {iid} names unknown component {comp!r}; "
                                f"components are {', '.join(comp_ids)}")
        max_score = _number(_require(ind, "max", source, f"{where} ({iid})"), source, f"indicator {iid} max")
        if max_score <= 0:
            raise _fail(source, f"indicator {iid} has a non-positive max {max_score:g}")
        prov = _provenance(ind.get("max_provenance", "illustrative"), source, f"indicator {iid} has max_provenance")
        indicators.append({"indicator": iid, "component": comp, "name": str(ind.get("name", iid)),
                           "max_score": max_score, "max_provenance": prov, "order": i - 1})
    dupes = _repeated([x["indicator"] for x in indicators])
    if dupes:
        raise _fail(source, f"duplicate indicator ids: {', '.join(dupes)}")
    for cid in comp_ids:
        total = sum(x["max_score"] for x in indicators if x["component"] == cid)
        if abs(total - 100.0) > PRINTED_TOLERANCE:
            raise _fail(source, f"the maxima of component {cid!r} must sum to 100, they sum to {total:g}")
    return indicators


def _parse_crosswalk(cw, source: str, *, cycle: int, comp_ids: list[str]) -> tuple[dict[str, str], int | None]:
    """The optional ``crosswalk`` (this cycle's components -> another cycle's): ``({}, None)`` when absent."""
    if cw is None:
        return {}, None
    crosswalk_to = _require(cw, "to_cycle", source, "the crosswalk")
    if isinstance(crosswalk_to, bool) or not isinstance(crosswalk_to, int) or crosswalk_to == cycle:
        raise _fail(source, f"the crosswalk's 'to_cycle' must be another cycle's number, got {crosswalk_to!r}")
    pairs = _require(cw, "components", source, "the crosswalk") or {}
    if not isinstance(pairs, dict):
        raise _fail(source, f"the crosswalk's 'components' must map this cycle's component ids to the other "
                            f"cycle's, got {pairs!r}")
    crosswalk = {str(k): str(v) for k, v in pairs.items()}
    unknown = sorted(set(crosswalk) - set(comp_ids))
    if unknown:
        raise _fail(source, f"the crosswalk names unknown components: {', '.join(unknown)}")
    return crosswalk, crosswalk_to


def read_framework(path: str | Path) -> Framework:
    """Read and validate one framework file.

    The YAML is read with :func:`~dmaf_analysis._util.fileio.load_yaml` (regular files
    only, size and nesting limits, no aliases); every failure raises
    :class:`FrameworkError` naming the file.
    """
    path = Path(path)
    raw, lines = load_yaml_with_lines(path, what="framework file", error=FrameworkError)
    return parse_framework(raw, source=str(path), lines=lines)


@lru_cache(maxsize=8)
def _load_dir(directory: str) -> tuple[Framework, ...]:
    folder = Path(directory)
    files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    # <framework>.sensitivity.yaml beside a framework declares its uncertain assumptions (assumptions.py)
    files = [f for f in files if not f.name.endswith(".sensitivity.yaml")]
    if not files:
        raise FrameworkError(f"{folder}: no framework files (*.yaml) found")
    frameworks = [read_framework(f) for f in files]
    cycles = [f.cycle for f in frameworks]
    dupes = sorted({c for c in cycles if cycles.count(c) > 1})
    if dupes:
        raise FrameworkError(f"{folder}: more than one framework file for cycle(s) {dupes}")
    by_cycle = {f.cycle: f for f in frameworks}
    for fw in frameworks:
        if fw.crosswalk_to is None:
            continue
        target = by_cycle.get(fw.crosswalk_to)
        if target is None:
            raise FrameworkError(f"{fw.source}: the crosswalk points to cycle {fw.crosswalk_to}, "
                                 f"which has no framework file in {folder}")
        unknown = sorted(set(fw.crosswalk.values()) - set(target.component_ids))
        if unknown:
            raise FrameworkError(f"{fw.source}: the crosswalk maps onto component(s) {', '.join(unknown)}, "
                                 f"which cycle {target.cycle} does not have ({', '.join(target.component_ids)})")
    return tuple(sorted(frameworks, key=lambda f: f.cycle))


def load_frameworks(directory: str | Path | None = None) -> dict[int, Framework]:
    """Load every framework file in ``directory`` (default: the bundled ``data/frameworks``).

    Returns
    -------
    dict
        Cycle number -> :class:`Framework`, in ascending cycle order. The files
        are read once; every call hands out copies, so changing one changes
        nothing for the next call.
    """
    folder = Path(directory) if directory is not None else frameworks_dir()
    return {f.cycle: f.copy() for f in _load_dir(str(folder.resolve()))}


def frameworks_or_bundled(frameworks: dict[int, Framework] | None) -> dict[int, Framework]:
    """``frameworks`` itself, or the bundled frameworks when it is None (every ``frameworks=`` default)."""
    return load_frameworks() if frameworks is None else frameworks


def level_index(scores, thresholds) -> np.ndarray:
    """Index of the level reached by each score (the rule of :meth:`Framework.levels_for`).

    ``thresholds`` is the ascending minimum score of each level, shared by every
    score, or a (draws x levels) array giving each draw (row of ``scores``) its
    own thresholds; then a missing (NaN) score gets -1 (no level). A score a
    rounding error below a threshold reaches it.
    """
    mins = np.asarray(thresholds, dtype=float)
    values = np.asarray(scores, dtype=float)
    if mins.ndim == 2:
        reached = (values[..., None] + _TOLERANCE >= mins[:, None, :]).sum(axis=-1) - 1
        return np.where(np.isnan(values), -1, np.maximum(reached, 0) if values.size else reached)
    idx = np.searchsorted(mins, values + _TOLERANCE, side="right") - 1
    return np.clip(idx, 0, len(mins) - 1)


def load_framework(cycle: int, directory: str | Path | None = None) -> Framework:
    """Load the framework of one cycle."""
    frameworks = load_frameworks(directory)
    if cycle not in frameworks:
        raise FrameworkError(f"no framework for cycle {cycle}; known cycles: "
                             f"{', '.join(map(str, frameworks))}")
    return frameworks[cycle]


def component_map(cycle_from: int, cycle_to: int, *,
                  frameworks: dict[int, Framework] | None = None) -> dict[str, str]:
    """Which component of ``cycle_to`` each component of ``cycle_from`` corresponds to.

    Uses ``cycle_from``'s crosswalk when it points to ``cycle_to``, else the
    inverse of ``cycle_to``'s crosswalk when it points back, else the component
    ids the two frameworks share (same id = same component). Several components
    may map onto one; whoever compares scores then averages them (see
    :func:`dmaf_analysis.stats.paired_scores`). Components without a
    counterpart are left out.

    Raises
    ------
    FrameworkError
        When the two cycles are the same, a framework is missing, no component
        can be matched, or an inverted crosswalk would split one component.
    """
    frameworks = frameworks_or_bundled(frameworks)
    cycle_from, cycle_to = int(cycle_from), int(cycle_to)
    if cycle_from == cycle_to:
        raise FrameworkError(f"cannot compare cycle {cycle_from} with itself; choose two different cycles")
    for c in (cycle_from, cycle_to):
        if c not in frameworks:
            raise FrameworkError(f"no framework for cycle {c}; known cycles: {', '.join(map(str, frameworks))}")
    fw_from, fw_to = frameworks[cycle_from], frameworks[cycle_to]
    if fw_from.crosswalk and fw_from.crosswalk_to == cycle_to:
        mapping = dict(fw_from.crosswalk)
    elif fw_to.crosswalk and fw_to.crosswalk_to == cycle_from:
        targets = list(fw_to.crosswalk.values())
        if len(set(targets)) != len(targets):
            raise FrameworkError(f"the crosswalk of cycle {cycle_to} maps several components onto one; "
                                 f"it cannot be inverted for a comparison from cycle {cycle_from}")
        mapping = {v: k for k, v in fw_to.crosswalk.items()}
    else:
        mapping = {c: c for c in fw_from.component_ids if c in fw_to.component_ids}
    mapping = {a: b for a, b in mapping.items() if a in fw_from.component_ids and b in fw_to.component_ids}
    if not mapping:
        raise FrameworkError(f"cycles {cycle_from} and {cycle_to} share no component "
                             "(no crosswalk and no common ids)")
    return mapping


def indicator_table(frameworks: dict[int, Framework]) -> pd.DataFrame:
    """All indicators of all cycles in one long table.

    Returns
    -------
    DataFrame
        Columns ``cycle, indicator, component, name, max_score, max_provenance, order``.
    """
    parts = [fw.indicators.assign(cycle=c) for c, fw in frameworks.items()]
    cols = ["cycle", "indicator", "component", "name", "max_score", "max_provenance", "order"]
    return pd.concat(parts, ignore_index=True)[cols]


def framework_credit(framework: Framework) -> str:
    """The framework's own description and publisher, as one or two sentences ("" when the file gives neither)."""
    about = framework.about.strip()
    if about and about[-1] not in ".!?":
        about += "."
    publisher = f"Published by {framework.publisher.strip().rstrip('.')}." if framework.publisher.strip() else ""
    return " ".join(p for p in (about, publisher) if p)


def framework_title(name: str, cycle: int) -> str:
    """A framework's name for titles, followed by ``", Cycle N"`` unless the name already says which cycle."""
    name = str(name).strip()
    return name if f"cycle {int(cycle)}" in name.lower() else f"{name}, Cycle {int(cycle)}"
