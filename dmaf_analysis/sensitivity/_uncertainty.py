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

Memory. The runs are made and reduced a chunk at a time (:data:`_RUN_CELLS`
runs x cities; for the Sobol' design, whole base rows, so each chunk holds
complete A, AB and B runs): the design of the chunk is drawn, decoded and
run, its outputs are added to the sums of the indices
(``_sobol.SobolSums``) and its scores, ranks and levels to the per-city
summary (``_robustness.DrawSummary``), and the chunk is dropped. What stays
grows slowly with the runs: the per-run table, the bootstrap counts and the
5 % score tails of each city. The results are those of one chunk up to
rounding (about 1e-12).
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
from ._sobol import check_conf_level, CONF_LEVEL, design_chunks, N_RESAMPLES, resample_counts, SobolSums

__all__ = ["INDEX_COLUMNS", "N_SAMPLES", "SensitivityResult", "city_drivers", "sensitivity_analysis",
           "uncertainty_analysis"]

#: Default number of base samples (a power of 2): 4,096 x (5 groups + 2) = 28,672 runs.
N_SAMPLES = 4096
INDEX_COLUMNS = ["output", "assumption", "S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"]
#: Model runs x cities made and reduced at a time (bounds the memory of the runs, their outputs and design).
_RUN_CELLS = 2 ** 20


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


def _summary_tables(data: ModelData, summary: rb.DrawSummary, nominal: ModelRuns):
    """The ``cities`` and ``level_probabilities`` tables of the runs added to ``summary``."""
    fw = data.framework
    return rb.summary_tables(
        data.info[["city", "state", "region"]], cycle=data.cycle,
        statistics=summary.statistics() if data.n_cities else None, nominal=nominal.scores[0],
        nominal_rank=nominal.ranks[0], nominal_level=nominal.levels[0], level_names=fw.levels["level"].tolist(),
        certified=fw.levels["certified"].to_numpy(bool), unscored_column=True)


def _draw_summary(data: ModelData, n_runs: int) -> rb.DrawSummary:
    """An empty per-city summary of ``n_runs`` runs on ``data``."""
    return rb.DrawSummary(data.n_cities, len(data.framework.levels), n_runs)


def _chunk_rows(runs_per_row: int, n_cities: int, n_rows: int) -> int:
    """Rows (base rows of runs_per_row runs each, or draws) per chunk: a power of 2 within :data:`_RUN_CELLS`."""
    fit = max(1, _RUN_CELLS // max(1, runs_per_row * max(1, n_cities)))
    return min(max(1, int(n_rows)), 1 << (fit.bit_length() - 1))


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
    check_conf_level(conf_level)
    data = model_data(scores, cycle=cycle, frameworks=frameworks, cities=cities)
    aspec = _spec(spec, data.framework, data)
    prob = problem(aspec)
    groups = aspec.names
    step = len(groups) + 2
    n_runs = n * step
    nominal = nominal_run(data)
    names = ["mean_rank_shift", "n_certified"]
    per_city = bool(city_outputs and data.n_cities)
    if per_city:
        city_names = data.info["city"].astype(str).tolist()
        names += [f"rank: {c}" for c in city_names] + [f"certified: {c}" for c in city_names]
    sums = SobolSums(n, len(groups), len(names), resample_counts(n, n_resamples, seed or 1))
    summary = _draw_summary(data, n_runs)
    shift, n_cert, n_ranked = [], [], []
    rows = _chunk_rows(step, data.n_cities, n)
    for design in design_chunks(prob["groups"], n, seed=seed, rows=rows):
        runs = run_model(data, decode(aspec, data.framework, design), geometric_offset=aspec.geometric_offset)
        chunk_shift, chunk_cert, chunk_ranked = _run_outputs(data, runs, nominal)
        columns = [chunk_shift, chunk_cert.astype(float)]
        if per_city:
            worst = float(data.n_cities)
            columns += [np.where(np.isnan(runs.ranks), worst, runs.ranks), runs.certified.astype(float)]
        sums.add(np.column_stack([np.asarray(c).reshape(len(chunk_shift), -1) for c in columns]))
        summary.add(runs.scores, runs.ranks, runs.levels)
        shift.append(chunk_shift)
        n_cert.append(chunk_cert)
        n_ranked.append(chunk_ranked)
    est = sums.result(conf_level)
    indices = pd.DataFrame({
        "output": np.tile(np.asarray(names, dtype=object), len(groups)),
        "assumption": np.repeat(np.asarray(groups, dtype=object), len(names)),
        **{key: est[key].reshape(-1) for key in INDEX_COLUMNS[2:]}})
    order = {name: i for i, name in enumerate(names)}
    indices = indices.sort_values(["output", "assumption"], key=lambda s: s.map(order) if s.name == "output"
                                  else s.map({g: i for i, g in enumerate(groups)}), kind="stable")
    cities_table, long = _summary_tables(data, summary, nominal)
    run_table = pd.DataFrame({"run": np.arange(n_runs), "n_certified": np.concatenate(n_cert),
                              "mean_rank_shift": np.concatenate(shift), "n_ranked": np.concatenate(n_ranked)})
    settings_row = pd.DataFrame([{
        "cycle": data.cycle, "n_samples": n, "n_runs": n_runs, "n_groups": len(groups),
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
    n_draws = int(n_draws)
    n_vars = problem(aspec)["num_vars"]
    summary = _draw_summary(data, n_draws)
    rows = _chunk_rows(1, data.n_cities, n_draws)
    for start in range(0, n_draws, rows):
        k = min(rows, n_draws - start)
        # consecutive rows of rng.random((n_draws, n_vars)): the same draws as in one piece
        settings = decode(aspec, data.framework, rng.random((k, n_vars))) if aspec.assumptions \
            else nominal_settings(data.framework, k)
        runs = run_model(data, settings, geometric_offset=aspec.geometric_offset)
        summary.add(runs.scores, runs.ranks, runs.levels)
    cities_table, long = _summary_tables(data, summary, nominal_run(data))
    settings_row = pd.DataFrame([{"cycle": data.cycle, "n_draws": n_draws,
                                  "assumptions": "+".join(aspec.names) or "(none)", "seed": int(seed),
                                  "n_cities": data.n_cities, "n_excluded": 0}])
    return rb.RankRobustness(cities=cities_table, level_probabilities=long, settings=settings_row)
