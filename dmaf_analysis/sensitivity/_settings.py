"""Model settings of many runs: the framework as published, or decoded from draws of a spec's assumptions.

A :class:`Settings` holds, for each run, what the scoring chain of the model
runs needs: component weights, the aggregation,
level thresholds, a factor on each indicator maximum and the treatment of
missing values. :func:`nominal_settings` is the framework as published;
the spec's ``decode`` (in ``_assumptions``) turns draws of its assumptions
into settings.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..framework import Framework
from ._robustness import AGGREGATIONS

__all__ = ["AGGREGATION_CHOICES", "MISSING_CHOICES", "Settings", "nominal_settings"]

#: The aggregations the model can evaluate (index 0 is the published one): the robustness draws' own tuple.
AGGREGATION_CHOICES = AGGREGATIONS
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


def nominal_settings(framework: Framework, n_runs: int = 1) -> Settings:
    """The framework as published: its weights, the arithmetic mean, its thresholds and maxima,
    missing values left missing."""
    w0 = framework.weights.reindex(framework.component_ids).to_numpy(float)
    w0 = w0 / w0.sum()
    return Settings(
        weights=np.tile(w0, (n_runs, 1)), aggregation=np.zeros(n_runs, dtype=np.int64),
        aggregations=AGGREGATION_CHOICES,
        thresholds=np.tile(framework.levels["min_score"].to_numpy(float), (n_runs, 1)),
        factors=np.ones((n_runs, len(framework.indicator_ids))),
        missing=np.zeros(n_runs, dtype=np.int64))
