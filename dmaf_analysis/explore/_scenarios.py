"""Scenarios: alternative versions of the index, side by side with the index as published.

A scenarios file (YAML) names one or more versions of the index, each a change of
the component weights, the aggregation (arithmetic or geometric mean), the level
thresholds, or indicators left out::

    scenarios:
      - name: technology_double
        weights: {policy: 0.15, people: 0.15, process: 0.15, technology: 0.4, outcomes: 0.15}
      - name: geometric
        aggregation: geometric
      - name: stricter
        thresholds: {Enabled: 40}
      - name: without_1a
        leave_out: ["1.a"]

Every scenario is one model run of :func:`dmaf_analysis.sensitivity.run_model`,
the scoring chain the sensitivity analysis uses, so a geometric mean is the one
that module defines (weighted geometric mean of score + ``geometric_offset``
points, default 1, minus the offset) and an indicator left out is handled as in
:func:`~dmaf_analysis.sensitivity.leave_one_out` (the other indicators of its
component rescaled so the component is still out of 100). Weights are
renormalised to sum to 1. The baseline (the framework as published) is the row
``scenario == "baseline"``; ``rank_change = baseline rank - scenario rank``, so
moving up is positive.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .._util.fileio import load_yaml
from .._util.numeric import is_finite_number
from .._util.yamlkeys import closest_key
from ..errors import SpecError
from ..framework import Framework, frameworks_or_bundled
from ..io import expects_table
from ..scoring import resolve_cycle
from ..sensitivity import AGGREGATIONS, GEOMETRIC_OFFSET, model_data, nominal_settings, run_model, Settings

__all__ = ["BASELINE", "SCENARIO_COLUMNS", "SCENARIO_KEYS", "Scenario", "load_scenarios", "parse_scenarios",
           "scenario_summary", "scenario_table"]

#: Name of the rows of the index as published.
BASELINE = "baseline"
#: Columns of :func:`scenario_table`.
SCENARIO_COLUMNS = ["scenario", "cycle", "city", "overall", "level", "rank", "rank_change"]
#: Keys a scenario may have.
SCENARIO_KEYS = ("name", "description", "weights", "aggregation", "geometric_offset", "thresholds", "leave_out")
_TOP_KEYS = ("scenarios", "schema_version")


@dataclass(frozen=True)
class Scenario:
    """One alternative version of the index.

    Attributes
    ----------
    name : str
    description : str
    weights : dict
        Component id -> weight (every component of the framework; renormalised
        to sum to 1); empty = the framework's weights.
    aggregation : {"arithmetic", "geometric"}
    geometric_offset : float
    thresholds : dict
        Level name -> minimum overall score replacing the framework's; the
        levels not named keep theirs.
    leave_out : tuple of str
        Indicator ids left out.
    """

    name: str
    description: str = ""
    weights: dict = field(default_factory=dict)
    aggregation: str = "arithmetic"
    geometric_offset: float = GEOMETRIC_OFFSET
    thresholds: dict = field(default_factory=dict)
    leave_out: tuple = ()


def _suggest(word: str, choices) -> str:
    close = closest_key(word, choices)
    return f" (did you mean {close!r}?)" if close else ""


def load_scenarios(path: str | Path, *, frameworks: dict[int, Framework] | None = None) -> list[Scenario]:
    """Read and check a scenarios file (YAML, read safely with size limits); see :func:`parse_scenarios`."""
    raw = load_yaml(path, what="scenarios file", error=SpecError)
    return parse_scenarios(raw, frameworks=frameworks, source=str(path))


def parse_scenarios(raw, *, frameworks: dict[int, Framework] | None = None, source: str = "") -> list[Scenario]:
    """Check the parsed content of a scenarios file against the frameworks.

    Raises
    ------
    SpecError
        Naming the file, the scenario and the key: unknown keys (with a
        suggestion), unknown component, level or indicator ids, weights that
        are negative, not numbers or all zero, a repeated or reserved name, an
        unknown aggregation, thresholds out of order, a component left without
        indicators.
    """
    frameworks = frameworks_or_bundled(frameworks)
    where = f"{source}: " if source else ""
    if not isinstance(raw, dict) or not isinstance(raw.get("scenarios"), list) or not raw["scenarios"]:
        raise SpecError(f"{where}a scenarios file holds a list under 'scenarios:', e.g.\n"
                        "scenarios:\n  - name: geometric\n    aggregation: geometric")
    for key in raw:
        if key not in _TOP_KEYS:
            raise SpecError(f"{where}unknown key {key!r} at the top of the file{_suggest(key, _TOP_KEYS)}; "
                            f"allowed: {', '.join(_TOP_KEYS)}")
    components = list(dict.fromkeys(c for fw in frameworks.values() for c in fw.component_ids))
    levels = list(dict.fromkeys(lv for fw in frameworks.values() for lv in fw.levels["level"]))
    indicators = list(dict.fromkeys(i for fw in frameworks.values() for i in fw.indicator_ids))
    out, seen = [], set()
    for n, entry in enumerate(raw["scenarios"], start=1):
        label = f"{where}scenario {n}"
        if not isinstance(entry, dict):
            raise SpecError(f"{label}: expected a mapping with a name, got {entry!r}")
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise SpecError(f"{label}: key 'name' must be a non-empty text")
        name = name.strip()
        label = f"{where}scenario {name!r}"
        if name == BASELINE:
            raise SpecError(f"{label}: the name {BASELINE!r} is reserved for the index as published")
        if name in seen:
            raise SpecError(f"{label}: the name is used twice; give every scenario its own name")
        seen.add(name)
        for key in entry:
            if key not in SCENARIO_KEYS:
                raise SpecError(f"{label}: unknown key {key!r}{_suggest(key, SCENARIO_KEYS)}; "
                                f"allowed: {', '.join(SCENARIO_KEYS)}")
        if len(entry) == 1 or set(entry) <= {"name", "description"}:
            raise SpecError(f"{label}: changes nothing; give weights, aggregation, thresholds or leave_out")
        out.append(Scenario(name=name, description=str(entry.get("description") or ""),
                            weights=_weights(entry.get("weights"), label, components),
                            aggregation=_aggregation(entry.get("aggregation", "arithmetic"), label),
                            geometric_offset=_offset(entry.get("geometric_offset", GEOMETRIC_OFFSET), label),
                            thresholds=_thresholds(entry.get("thresholds"), label, levels),
                            leave_out=_leave_out(entry.get("leave_out"), label, indicators)))
    return out


def _weights(value, label: str, components: list[str]) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict) or not value:
        raise SpecError(f"{label}: key 'weights' must map component ids to numbers, "
                        f"e.g. {{{components[0]}: 0.3, ...}}")
    for comp, w in value.items():
        if comp not in components:
            raise SpecError(f"{label}: weights: unknown component {comp!r}{_suggest(comp, components)}; "
                            f"the components are {', '.join(components)}")
        if not is_finite_number(w):
            raise SpecError(f"{label}: weights: {comp} must be a number, got {w!r}")
        if w < 0:
            raise SpecError(f"{label}: weights: {comp} is negative ({w}); weights are 0 or more")
    if sum(float(w) for w in value.values()) <= 0:
        raise SpecError(f"{label}: weights: all weights are 0; at least one must be above 0")
    return {str(k): float(v) for k, v in value.items()}


def _aggregation(value, label: str) -> str:
    if value not in AGGREGATIONS:
        raise SpecError(f"{label}: aggregation must be {' or '.join(AGGREGATIONS)}, got {value!r}"
                        f"{_suggest(value, AGGREGATIONS)}")
    return str(value)


def _offset(value, label: str) -> float:
    if not is_finite_number(value) or value <= 0:
        raise SpecError(f"{label}: geometric_offset must be a positive number, got {value!r}")
    return float(value)


def _thresholds(value, label: str, levels: list[str]) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict) or not value:
        raise SpecError(f"{label}: key 'thresholds' must map level names to minimum scores, "
                        f"e.g. {{{levels[-1]}: 50}}")
    for level, score in value.items():
        if level not in levels:
            raise SpecError(f"{label}: thresholds: unknown level {level!r}{_suggest(level, levels)}; "
                            f"the levels are {', '.join(levels)}")
        if not is_finite_number(score) or not 0 <= score <= 100:
            raise SpecError(f"{label}: thresholds: {level} must be a score from 0 to 100, got {score!r}")
    return {str(k): float(v) for k, v in value.items()}


def _leave_out(value, label: str, indicators: list[str]) -> tuple:
    if value is None:
        return ()
    if isinstance(value, str | int | float):
        value = [value]
    if not isinstance(value, list) or not value:
        raise SpecError(f"{label}: key 'leave_out' must list indicator ids, e.g. [\"{indicators[0]}\"]")
    for ind in value:
        if str(ind) not in indicators:
            raise SpecError(f"{label}: leave_out: unknown indicator {ind!r}{_suggest(ind, indicators)}; "
                            f"indicator ids look like {', '.join(indicators[:4])}")
    return tuple(dict.fromkeys(str(i) for i in value))


def _settings(scenario: Scenario, fw: Framework) -> Settings:
    """One model run's settings: the framework as published, changed as ``scenario`` says."""
    base = nominal_settings(fw, 1)
    where = f"scenario {scenario.name!r}, cycle {fw.cycle}"
    weights = base.weights.copy()
    if scenario.weights:
        missing = [c for c in fw.component_ids if c not in scenario.weights]
        if missing:
            raise SpecError(f"{where}: weights: no weight for {', '.join(missing)}; give every component "
                            f"a weight ({', '.join(fw.component_ids)}), 0 to leave one out")
        unknown = [c for c in scenario.weights if c not in fw.component_ids]
        if unknown:
            raise SpecError(f"{where}: weights: cycle {fw.cycle} has no component {', '.join(unknown)}")
        w = np.array([scenario.weights[c] for c in fw.component_ids], dtype=float)
        weights = (w / w.sum())[None, :]
    thresholds = base.thresholds.copy()
    if scenario.thresholds:
        names = fw.levels["level"].tolist()
        for level, score in scenario.thresholds.items():
            if level not in names:
                raise SpecError(f"{where}: thresholds: cycle {fw.cycle} has no level {level!r} "
                                f"(its levels: {', '.join(names)}); choose the cycle with --cycle")
            thresholds[0, names.index(level)] = score
        if thresholds[0, 0] != 0 or (np.diff(thresholds[0]) <= 0).any():
            shown = ", ".join(f"{n} {t:g}" for n, t in zip(names, thresholds[0]))
            raise SpecError(f"{where}: thresholds: the levels' minimum scores must rise from 0 "
                            f"({names[0]}) upwards; they would be {shown}")
    factors = base.factors.copy()
    if scenario.leave_out:
        ind = fw.indicators.reset_index(drop=True)
        ids = ind["indicator"].tolist()
        unknown = [i for i in scenario.leave_out if i not in ids]
        if unknown:
            raise SpecError(f"{where}: leave_out: cycle {fw.cycle} has no indicator {', '.join(unknown)}")
        maxima = ind["max_score"].to_numpy(float)
        comp_of = ind["component"].to_numpy(object)
        dropped = np.isin(np.array(ids, dtype=object), list(scenario.leave_out))
        for comp in fw.component_ids:
            members = comp_of == comp
            kept = members & ~dropped
            if not (members & dropped).any():
                continue
            if not kept.any():
                raise SpecError(f"{where}: leave_out leaves component {comp} without indicators; "
                                f"give it weight 0 instead")
            factors[0, kept] = maxima[members].sum() / maxima[kept].sum()
        factors[0, dropped] = 0.0
    return Settings(weights=weights, aggregation=np.array([AGGREGATIONS.index(scenario.aggregation)]),
                    aggregations=base.aggregations, thresholds=thresholds, factors=factors,
                    missing=base.missing)


@expects_table("scores")
def scenario_table(scores: pd.DataFrame, scenarios: list[Scenario], *, cycle: int | None = None,
                   frameworks: dict[int, Framework] | None = None) -> pd.DataFrame:
    """Every city's overall score, level and rank under each scenario, beside the baseline.

    Parameters
    ----------
    scores : DataFrame
        A validated long score table (``cycle, city, indicator, score``).
    scenarios : list of Scenario
        From :func:`load_scenarios` or :func:`parse_scenarios`.
    cycle : int, optional
        One cycle (0 = the latest); default every cycle of ``scores``.

    Returns
    -------
    DataFrame
        One row per (scenario, cycle, city), the baseline first (``scenario ==
        "baseline"``, the index as published, equal to
        :func:`~dmaf_analysis.scoring.score_cities`), then the scenarios in file
        order; columns ``scenario, cycle, city, overall, level, rank,
        rank_change``. ``rank`` is a competition rank (nullable integer, missing
        when the city has no overall score: a missing component leaves it
        unscored, as in the published index); ``rank_change`` = baseline rank -
        scenario rank (positive = moved up). Within a scenario and cycle rows
        follow the baseline rank, then the city name.
    """
    frameworks = frameworks_or_bundled(frameworks)
    cycles = sorted(int(c) for c in pd.unique(scores["cycle"]))
    if cycle is not None:
        cycles = [resolve_cycle(cycles, cycle)]
    parts = []
    for cyc in cycles:
        fw = frameworks[cyc]
        data = model_data(scores, cycle=cyc, frameworks=frameworks)
        names = fw.levels["level"].to_numpy(object)
        runs = [(BASELINE, nominal_settings(fw, 1), GEOMETRIC_OFFSET)]
        runs += [(s.name, _settings(s, fw), s.geometric_offset) for s in scenarios]
        base_rank = None
        for name, settings, offset in runs:
            result = run_model(data, settings, geometric_offset=offset)
            rank = pd.array(np.where(np.isnan(result.ranks[0]), np.nan, result.ranks[0]), dtype="Float64")
            rank = rank.astype("Int64")
            if base_rank is None:
                base_rank = rank
            level = np.where(result.levels[0] >= 0, names[np.maximum(result.levels[0], 0)], None)
            parts.append(pd.DataFrame({"scenario": name, "cycle": cyc, "city": data.info["city"].to_numpy(object),
                                       "overall": result.scores[0], "level": level, "rank": rank,
                                       "rank_change": base_rank - rank, "_base": base_rank}))
    table = pd.concat(parts, ignore_index=True)
    order = {name: i for i, name in enumerate([BASELINE] + [s.name for s in scenarios])}
    table = table.assign(_order=table["scenario"].map(order), _key=table["city"].str.casefold())
    table = table.sort_values(["_order", "cycle", "_base", "_key"], na_position="last", kind="stable")
    return table[SCENARIO_COLUMNS].reset_index(drop=True)


def scenario_summary(table: pd.DataFrame, *, top: int = 3) -> pd.DataFrame:
    """How far each scenario moves the index: one row per (scenario, cycle).

    Parameters
    ----------
    table : DataFrame
        Output of :func:`scenario_table`.
    top : int, default 3
        Largest movers named.

    Returns
    -------
    DataFrame
        Columns ``scenario, cycle, n_cities, n_level_changed, n_rank_changed,
        mean_abs_rank_change, max_abs_rank_change, largest_movers`` (text such
        as ``"Pune +4, Surat -3"``, the largest absolute rank changes, the
        better baseline rank first on a tie). Counted over cities ranked both
        in the baseline and in the scenario; the baseline has no row.
    """
    base = table[table["scenario"] == BASELINE][["cycle", "city", "level", "rank"]]
    base = base.rename(columns={"level": "base_level", "rank": "base_rank"})
    rows = []
    others = table[table["scenario"] != BASELINE]
    for (name, cyc), part in others.groupby(["scenario", "cycle"], sort=False):
        m = part.merge(base, on=["cycle", "city"], how="left")
        ranked = m[m["rank"].notna() & m["base_rank"].notna()]
        change = ranked["rank_change"].astype(float)
        movers = ranked.assign(_abs=change.abs()).sort_values(["_abs", "base_rank"], ascending=[False, True])
        movers = movers[movers["_abs"] > 0].head(int(top))
        rows.append({"scenario": name, "cycle": int(cyc), "n_cities": int(len(ranked)),
                     "n_level_changed": int((m["level"].astype(object).fillna("")
                                                != m["base_level"].astype(object).fillna("")).sum()),
                     "n_rank_changed": int((change != 0).sum()),
                     "mean_abs_rank_change": float(change.abs().mean()) if len(change) else float("nan"),
                     "max_abs_rank_change": int(change.abs().max()) if len(change) else 0,
                     "largest_movers": ", ".join(f"{c} {int(v):+d}" for c, v in
                                                 zip(movers["city"], movers["rank_change"]))})
    return pd.DataFrame(rows, columns=["scenario", "cycle", "n_cities", "n_level_changed", "n_rank_changed",
                                       "mean_abs_rank_change", "max_abs_rank_change", "largest_movers"])
