"""Uncertainty and Sobol sensitivity analyses of ranks and levels over the declared assumptions.

:func:`sensitivity_analysis` samples every assumption group of the spec
(``_assumptions``) with SALib's Sobol' design, runs the
scoring chain for every sample (``_model_runs``) and estimates
the indices of every output at once (``_sobol``);
:func:`uncertainty_analysis` is the plain Monte Carlo version without indices;
:func:`city_drivers` names the assumption that matters most for each city.

Outputs analysed: ``mean_rank_shift`` (mean absolute difference between a
city's rank in the run and its nominal rank, over the cities ranked in both),
``n_certified`` (number of certified cities), and per city ``rank: <city>``
(its rank; a city without a score in a run counts as ranked last) and
``certified: <city>`` (1 when certified, else 0: its first-order index is the
share of the variance of "is it certified?" due to one group alone, and the
mean over runs is its probability of certification).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ArgumentError
from ..framework import Framework
from ..io import expects_table
from . import _robustness as rb
from ._assumptions import AssumptionSpec, decode, load_spec, problem
from ._model_runs import ModelData, ModelRuns, model_data, nominal_run, run_model
from ._settings import nominal_settings
from ._sobol import CONF_LEVEL, N_RESAMPLES, sobol_design, sobol_indices

__all__ = ["INDEX_COLUMNS", "N_SAMPLES", "SensitivityResult", "city_drivers", "sensitivity_analysis",
           "uncertainty_analysis"]

#: Default number of base samples (a power of 2): 4,096 x (5 groups + 2) = 28,672 runs.
N_SAMPLES = 4096
INDEX_COLUMNS = ["output", "assumption", "S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"]


@dataclass(frozen=True, eq=False)
class SensitivityResult:
    """Result of :func:`sensitivity_analysis`.

    Attributes
    ----------
    indices : DataFrame
        One row per (output, assumption): ``output, assumption, S1, S1_low,
        S1_high, ST, ST_low, ST_high`` (see the module notes for the outputs).
    cities : DataFrame
        The uncertainty of each city over every run, as
        :class:`~dmaf_analysis.sensitivity.RankRobustness` ``cities`` (nominal
        score, rank and level; median rank, 5-95 % rank interval, score
        interval, modal level, ``p_certified``, one ``p_<level>`` per level)
        plus ``p_unscored`` (share of runs without a score).
    level_probabilities : DataFrame
        ``cycle, city, level, level_order, certified, probability``.
    runs : DataFrame
        One row per run: ``run, n_certified, mean_rank_shift, n_ranked``.
    assumptions : DataFrame
        The spec: ``assumption, kind, n_variables, description``.
    settings : DataFrame
        One row: ``cycle, n_samples, n_runs, n_groups, n_resamples,
        conf_level, seed, n_cities, nominal_certified, spec, notes`` (``notes``:
        the declared groups left out because they vary nothing here, or "").
    """

    indices: pd.DataFrame
    cities: pd.DataFrame
    level_probabilities: pd.DataFrame
    runs: pd.DataFrame
    assumptions: pd.DataFrame
    settings: pd.DataFrame


def _spec(spec, framework: Framework, data: ModelData | None = None) -> AssumptionSpec:
    """The spec to run: given, or the framework's; with ``data``, without what changes nothing on them."""
    aspec = spec if isinstance(spec, AssumptionSpec) else load_spec(framework, spec)
    return aspec if data is None else aspec.for_data(has_missing=data.has_missing)


def _run_outputs(data: ModelData, runs: ModelRuns, nominal: ModelRuns) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    nom = nominal.ranks[0]
    both = ~np.isnan(runs.ranks) & ~np.isnan(nom)
    diff = np.where(both, np.abs(np.nan_to_num(runs.ranks) - np.nan_to_num(nom)), 0.0)
    n_both = both.sum(axis=1)
    shift = np.divide(diff.sum(axis=1), n_both, out=np.zeros(len(n_both)), where=n_both > 0)
    return shift, runs.certified.sum(axis=1), (~np.isnan(runs.ranks)).sum(axis=1)


def _summary(data: ModelData, runs: ModelRuns, nominal: ModelRuns):
    fw = data.framework
    return rb.summarise_draws(
        data.info[["city", "state", "region"]], cycle=data.cycle, sims=runs.scores, ranks=runs.ranks,
        levels=runs.levels, nominal=nominal.scores[0], nominal_rank=nominal.ranks[0],
        nominal_level=nominal.levels[0], level_names=fw.levels["level"].tolist(),
        certified=fw.levels["certified"].to_numpy(bool), unscored_column=True)


def _check_samples(n_samples) -> int:
    n = int(n_samples)
    if n < 2 or n & (n - 1):
        raise ArgumentError(f"the number of base samples must be a power of 2 of at least 2 (e.g. 1024, 4096), got {n}")
    return n


@expects_table("scores")
def sensitivity_analysis(scores: pd.DataFrame, *, cycle: int = 0,
                         frameworks: dict[int, Framework] | None = None, cities: pd.DataFrame | None = None,
                         spec: AssumptionSpec | str | Path | None = None, n_samples: int = N_SAMPLES,
                         n_resamples: int = N_RESAMPLES, conf_level: float = CONF_LEVEL, seed: int = 0,
                         city_outputs: bool = True) -> SensitivityResult:
    """Uncertainty and Sobol sensitivity analysis of every declared assumption.

    Parameters
    ----------
    scores : DataFrame
        The validated long score table (``cycle, city, indicator, score``).
    cycle : int, optional
        Default (None or 0): the latest cycle in ``scores``.
    frameworks, cities : optional
        Default: the bundled ones. ``cities`` gives ``state`` and ``region``.
    spec : AssumptionSpec or path, optional
        The assumptions; default the framework's ``.sensitivity.yaml`` (see
        :func:`~dmaf_analysis.sensitivity.load_spec`).
    n_samples : int, default 4,096
        Base samples ``N``, a power of 2; the model runs ``N * (groups + 2)`` times.
    n_resamples, conf_level : bootstrap of the confidence intervals (100, 95 %).
    seed : int, default 0
        Seeds the (scrambled) Sobol' design and the bootstrap.
    city_outputs : bool, default True
        Also compute the indices of each city's rank and certification.

    Returns
    -------
    SensitivityResult
        ``indices``, ``cities``, ``level_probabilities``, ``runs``,
        ``assumptions`` and ``settings``; see :class:`SensitivityResult`.
    """
    n = _check_samples(n_samples)
    data = model_data(scores, cycle=cycle, frameworks=frameworks, cities=cities)
    aspec = _spec(spec, data.framework, data)
    prob = problem(aspec)
    groups = aspec.names
    design = sobol_design(prob["groups"], n, seed=seed)
    settings = decode(aspec, data.framework, design)
    runs = run_model(data, settings, geometric_offset=aspec.geometric_offset)
    nominal = nominal_run(data)
    shift, n_cert, n_ranked = _run_outputs(data, runs, nominal)
    columns = [shift, n_cert.astype(float)]
    names = ["mean_rank_shift", "n_certified"]
    if city_outputs and data.n_cities:
        worst = float(data.n_cities)
        ranks = np.where(np.isnan(runs.ranks), worst, runs.ranks)
        columns += [ranks, runs.certified.astype(float)]
        city_names = data.info["city"].astype(str).tolist()
        names += [f"rank: {c}" for c in city_names] + [f"certified: {c}" for c in city_names]
    y = np.column_stack([np.asarray(c).reshape(len(shift), -1) for c in columns])
    est = sobol_indices(y, len(groups), n_resamples=n_resamples, conf_level=conf_level, seed=seed or 1)
    indices = pd.DataFrame({
        "output": np.tile(np.asarray(names, dtype=object), len(groups)),
        "assumption": np.repeat(np.asarray(groups, dtype=object), len(names)),
        **{key: est[key].reshape(-1) for key in INDEX_COLUMNS[2:]}})
    order = {name: i for i, name in enumerate(names)}
    indices = indices.sort_values(["output", "assumption"], key=lambda s: s.map(order) if s.name == "output"
                                  else s.map({g: i for i, g in enumerate(groups)}), kind="stable")
    cities_table, long = _summary(data, runs, nominal)
    run_table = pd.DataFrame({"run": np.arange(settings.n_runs), "n_certified": n_cert, "mean_rank_shift": shift,
                              "n_ranked": n_ranked})
    settings_row = pd.DataFrame([{
        "cycle": data.cycle, "n_samples": n, "n_runs": settings.n_runs, "n_groups": len(groups),
        "n_resamples": int(n_resamples), "conf_level": float(conf_level), "seed": int(seed),
        "n_cities": data.n_cities, "nominal_certified": int(nominal.certified.sum()),
        "spec": Path(aspec.source).name if aspec.source else "(default)", "notes": "; ".join(aspec.notes)}])
    return SensitivityResult(indices=indices.reset_index(drop=True), cities=cities_table, level_probabilities=long,
                             runs=run_table, assumptions=aspec.table(), settings=settings_row)


def city_drivers(indices: pd.DataFrame) -> pd.DataFrame:
    """Which assumption matters most for each city's rank and certification.

    Parameters
    ----------
    indices : DataFrame
        :attr:`SensitivityResult.indices` with the per-city outputs
        (``rank: <city>``, ``certified: <city>``).

    Returns
    -------
    DataFrame
        One row per city, columns ``city, rank_driver, rank_ST, certified_driver,
        certified_ST``: the assumption with the largest total index on the
        city's rank / certification and that index. The driver is empty (None,
        index 0) when nothing moves the output (for example a city certified in
        every run).
    """
    cols = ["city", "rank_driver", "rank_ST", "certified_driver", "certified_ST"]
    parts = indices["output"].astype(str).str.extract(r"^(rank|certified): (.*)$", expand=True)
    data = indices.assign(_kind=parts[0], _city=parts[1]).dropna(subset=["_kind"])
    if data.empty:
        return pd.DataFrame(columns=cols)
    cities = list(dict.fromkeys(data["_city"]))
    out = pd.DataFrame({"city": cities})
    for kind in ("rank", "certified"):
        part = data[data["_kind"] == kind]
        best = part.loc[part.groupby("_city", sort=False)["ST"].idxmax()].set_index("_city")
        st = best["ST"].reindex(cities).fillna(0.0).to_numpy(float)
        driver = best["assumption"].reindex(cities).to_numpy(object)
        out[f"{kind}_driver"] = np.where(st > 0, driver, None)
        out[f"{kind}_ST"] = np.where(st > 0, st, 0.0)
    return out[cols]


@expects_table("scores")
def uncertainty_analysis(scores: pd.DataFrame, *, cycle: int = 0,
                         frameworks: dict[int, Framework] | None = None, cities: pd.DataFrame | None = None,
                         spec: AssumptionSpec | str | Path | None = None, kinds: tuple[str, ...] | None = None,
                         n_draws: int = rb.N_DRAWS, seed: int = 0) -> rb.RankRobustness:
    """Monte Carlo uncertainty of ranks and levels over the declared assumptions (no indices).

    Each draw sets every group of the spec (or only the groups of ``kinds``, e.g.
    ``("thresholds", "maxima")``) at random, uniformly within its declared
    range. Cheaper than :func:`sensitivity_analysis` when only the per-city
    uncertainty is needed.

    Returns
    -------
    RankRobustness
        ``cities`` (columns as :attr:`SensitivityResult.cities`),
        ``level_probabilities`` and ``settings`` (one row: ``cycle, n_draws,
        assumptions, seed, n_cities, n_excluded``; ``n_excluded`` is 0: a city
        without a score in a draw counts in ``p_unscored``).
    """
    if int(n_draws) < 1:
        raise ArgumentError("n_draws must be at least 1")
    data = model_data(scores, cycle=cycle, frameworks=frameworks, cities=cities)
    aspec = _spec(spec, data.framework, data)
    if kinds is not None:
        aspec = aspec.only(*kinds)
    rng = np.random.default_rng(seed)
    if aspec.assumptions:
        settings = decode(aspec, data.framework, rng.random((int(n_draws), problem(aspec)["num_vars"])))
    else:
        settings = nominal_settings(data.framework, int(n_draws))
    runs = run_model(data, settings, geometric_offset=aspec.geometric_offset)
    cities_table, long = _summary(data, runs, nominal_run(data))
    settings_row = pd.DataFrame([{"cycle": data.cycle, "n_draws": int(n_draws),
                                  "assumptions": "+".join(aspec.names) or "(none)", "seed": int(seed),
                                  "n_cities": data.n_cities, "n_excluded": 0}])
    return rb.RankRobustness(cities=cities_table, level_probabilities=long, settings=settings_row)
