"""The scoring chain evaluated for many settings of the uncertain assumptions at once.

A *model run* is the whole scoring chain for one setting of every assumption
group (:class:`~dmaf_analysis.sensitivity.Settings`): indicator points (rescaled
to the drawn maxima, missing values treated as drawn) -> component scores ->
overall score (drawn weights and aggregation) -> rank -> level (drawn
thresholds). :func:`model_data` arranges one cycle's points once;
:func:`run_model` then evaluates many runs together as numpy array work, in
chunks, with the building blocks of ``_robustness`` (``aggregate``,
``competition_ranks``, ``level_index``). The analyses of
:mod:`~dmaf_analysis.sensitivity` are built on these two functions.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import FrameworkError, NoDataError
from ..framework import Framework, frameworks_or_bundled
from ..io import expects_table
from ..scoring import indicator_matrix, resolve_cycle
from . import _robustness as rb
from ._settings import Settings, nominal_settings

__all__ = ["ModelData", "ModelRuns", "model_data", "nominal_run", "run_model"]

#: Model runs evaluated together (bounds the memory of the (runs x cities x components) array).
_CELLS_PER_CHUNK = 2 ** 22


@dataclass(frozen=True, eq=False)
class ModelData:
    """The indicator points of one cycle, arranged for many model runs.

    Attributes
    ----------
    framework : Framework
    cycle : int
    info : DataFrame
        ``city, state, region`` of each city (rows of the arrays below).
    points : tuple of arrays
        (cities x indicators) points under each treatment of missing values, in
        the order of :data:`~dmaf_analysis.sensitivity.MISSING_CHOICES`
        (``missing``: NaN; ``zero``: 0; ``component_mean``: the city's mean
        share of the maximum on the component's other indicators).
    components : list of arrays
        Column positions of each component's indicators.
    has_missing : bool
    """

    framework: Framework
    cycle: int
    info: pd.DataFrame
    points: tuple
    components: list
    has_missing: bool

    @property
    def n_cities(self) -> int:
        return len(self.info)


@expects_table("scores")
def model_data(scores: pd.DataFrame, *, cycle: int = 0, frameworks: dict[int, Framework] | None = None,
               cities: pd.DataFrame | None = None) -> ModelData:
    """Prepare the long score table of one cycle (``cycle``: default the latest) for :func:`run_model`."""
    frameworks = frameworks_or_bundled(frameworks)
    if scores is None or scores.empty:
        raise NoDataError("no scores to analyse")
    cycle = resolve_cycle(pd.unique(scores["cycle"]), cycle)
    if cycle not in frameworks:
        raise FrameworkError(f"no framework for cycle {cycle}")
    fw = frameworks[cycle]
    part = scores[scores["cycle"] == cycle]
    wide = indicator_matrix(part, fw)
    names = wide.index
    raw = wide.to_numpy(dtype=float)
    comp_of = fw.indicators["component"].to_numpy(object)
    groups = [np.flatnonzero(comp_of == c) for c in fw.component_ids]
    maxima = fw.max_scores.reindex(fw.indicator_ids).to_numpy(float)
    missing = np.isnan(raw)
    zero = np.where(missing, 0.0, raw)
    mean_fill = raw.copy()
    if missing.any():
        share = raw / maxima
        for idx in groups:
            with warnings.catch_warnings():  # a component with no value at all stays missing
                warnings.simplefilter("ignore", RuntimeWarning)
                city_mean = np.nanmean(share[:, idx], axis=1)
            fill = city_mean[:, None] * maxima[idx]
            mean_fill[:, idx] = np.where(missing[:, idx], fill, raw[:, idx])
    info = pd.DataFrame({"city": names.to_numpy(object)})
    if cities is not None:
        extra = cities.drop_duplicates("city").set_index("city")
        for col in ("state", "region"):
            info[col] = info["city"].map(extra[col]) if col in extra.columns else None
    else:
        info["state"] = info["region"] = None
    if "state" in part.columns:  # the score table's own state fills gaps
        own = part.dropna(subset=["state"]).drop_duplicates("city").set_index("city")["state"]
        info["state"] = info["state"].fillna(info["city"].map(own))
    return ModelData(framework=fw, cycle=cycle, info=info, points=(raw, zero, mean_fill), components=groups,
                     has_missing=bool(missing.any()))


@dataclass(frozen=True, eq=False)
class ModelRuns:
    """Results of many model runs, each (runs x cities).

    ``scores`` (NaN when the city has no score in the run), ``ranks`` (float,
    NaN when unscored), ``levels`` (index into the framework's levels, -1 when
    unscored) and ``certified`` (bool).
    """

    scores: np.ndarray
    ranks: np.ndarray
    levels: np.ndarray
    certified: np.ndarray


def run_model(data: ModelData, settings: Settings, *, geometric_offset: float = rb.GEOMETRIC_OFFSET) -> ModelRuns:
    """Score, rank and certify every city in every run of ``settings`` (vectorised, in chunks)."""
    n_runs, n_cities = settings.n_runs, data.n_cities
    k = len(data.components)
    scores = np.empty((n_runs, n_cities))
    chunk = max(1, _CELLS_PER_CHUNK // max(1, n_cities * k))
    codes = settings.missing if data.has_missing else np.zeros(n_runs, dtype=np.int64)
    for start in range(0, n_runs, chunk):
        sl = slice(start, min(start + chunk, n_runs))
        fac, code = settings.factors[sl], codes[sl]
        out = np.empty((fac.shape[0], n_cities))
        for c in np.unique(code):
            rows = code == c
            pts = data.points[int(c)]
            comp = np.empty((int(rows.sum()), n_cities, k))
            for j, idx in enumerate(data.components):
                comp[:, :, j] = fac[rows][:, idx] @ pts[:, idx].T
            out[rows] = rb.aggregate(comp, settings.weights[sl][rows], settings.aggregation[sl][rows],
                                     settings.aggregations, offset=geometric_offset)
        scores[sl] = out
    ranks = rb.competition_ranks(scores).astype(float) if n_cities else np.zeros((n_runs, 0))
    ranks[np.isnan(scores)] = np.nan
    levels = rb.level_index(scores, settings.thresholds)
    cert = data.framework.levels["certified"].to_numpy(bool)
    certified = (levels >= 0) & cert[np.maximum(levels, 0)]
    return ModelRuns(scores=scores, ranks=ranks, levels=levels, certified=certified)


def nominal_run(data: ModelData) -> ModelRuns:
    """The one run with the framework as published (equals :func:`~dmaf_analysis.scoring.score_cities`)."""
    return run_model(data, nominal_settings(data.framework, 1))
