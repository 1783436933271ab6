"""Model settings of many runs: the framework as published, or decoded from draws of a spec's assumptions.

A :class:`Settings` holds, for each run, what the scoring chain of
:mod:`~dmaf_analysis.model_runs` needs: component weights, the aggregation,
level thresholds, a factor on each indicator maximum and the treatment of
missing values. :func:`nominal_settings` is the framework as published;
:func:`decode` turns a (runs x variables) array of U(0, 1) draws into settings,
one block of columns per assumption group of a spec
(:class:`~dmaf_analysis.assumptions.AssumptionSpec`), in the order of
:func:`problem` (the SALib problem of the spec).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .framework import Framework

if TYPE_CHECKING:
    from .assumptions import AssumptionSpec

__all__ = ["AGGREGATION_CHOICES", "MISSING_CHOICES", "Settings", "decode", "nominal_settings", "problem"]

#: The aggregations the model can evaluate (index 0 is the published one).
AGGREGATION_CHOICES = ("arithmetic", "geometric")
#: The treatments of missing values the model can evaluate (index 0, left missing, is the scoring default).
MISSING_CHOICES = ("missing", "zero", "component_mean")


@dataclass(frozen=True, eq=False)
class Settings:
    """Model settings of many runs, decoded from U(0, 1) inputs.

    Attributes
    ----------
    weights : (runs x components) array, rows summing to 1
    aggregation : (runs,) index into ``aggregations``
    aggregations : tuple of str
    thresholds : (runs x levels) array, each row ascending from 0
    factors : (runs x indicators) array, new maximum / framework maximum
    missing : (runs,) index into :data:`MISSING_CHOICES`
    """

    weights: np.ndarray
    aggregation: np.ndarray
    aggregations: tuple
    thresholds: np.ndarray
    factors: np.ndarray
    missing: np.ndarray

    @property
    def n_runs(self) -> int:
        return int(self.weights.shape[0])


def problem(spec: AssumptionSpec) -> dict:
    """The SALib problem of a spec: every input on [0, 1], grouped by assumption."""
    names, groups = [], []
    for a in spec.assumptions:
        names += a.variables
        groups += [a.name] * len(a.variables)
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names), "groups": groups}


def _pick(u: np.ndarray, k: int) -> np.ndarray:
    return np.minimum((np.asarray(u) * k).astype(np.int64), k - 1)


def nominal_settings(framework: Framework, n_runs: int = 1) -> Settings:
    """The framework as published: its weights, the arithmetic mean, its thresholds and maxima,
    missing values left missing."""
    w0 = framework.weights.reindex(framework.component_ids).to_numpy(float)
    w0 = w0 / w0.sum()
    return Settings(
        weights=np.tile(w0, (n_runs, 1)), aggregation=np.zeros(n_runs, dtype=np.int64),
        aggregations=("arithmetic", "geometric"),
        thresholds=np.tile(framework.levels["min_score"].to_numpy(float), (n_runs, 1)),
        factors=np.ones((n_runs, len(framework.indicator_ids))),
        missing=np.zeros(n_runs, dtype=np.int64))


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
    agg_names = ("arithmetic", "geometric")
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
