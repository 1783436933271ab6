"""Which assumption moves a city's rank and level: uncertainty and variance-based sensitivity analysis.

The assumptions that may vary are declared in a spec (:mod:`~dmaf_analysis.assumptions`):
component weights, aggregation, certification thresholds, inferred indicator
maxima and the treatment of missing values, each one *group*. The model run is
the whole scoring chain for one setting of every group: indicator points (rescaled
to the drawn maxima, missing values treated as drawn) -> component scores ->
overall score (drawn weights and aggregation) -> rank -> level (drawn thresholds).
Many runs are evaluated at once as numpy array work, with the building blocks of
:mod:`~dmaf_analysis.robustness` (:func:`~dmaf_analysis.robustness.aggregate`,
:func:`~dmaf_analysis.robustness.competition_ranks`,
:func:`~dmaf_analysis.robustness.level_index`).

Sampling and estimation (:func:`sensitivity_analysis`):

* Inputs are sampled with SALib's Sobol' design (``SALib.sample.sobol``,
  Saltelli's scheme without second-order terms, one factor per group), giving
  ``N * (groups + 2)`` runs for ``N`` base samples.
* First-order (``S1``) and total (``ST``) indices use SALib's estimators
  (``SALib.analyze.sobol.first_order`` / ``total_order``: Saltelli et al. 2010
  and Jansen) on each output standardised to mean 0 and variance 1, exactly as
  ``SALib.analyze.sobol.analyze`` does, but for every output at once.
* Confidence intervals are percentile bootstrap intervals over ``n_resamples``
  resamples of the base rows (the same resamples SALib draws for a given seed),
  computed as matrix products of resample counts, so hundreds of outputs cost
  little more than one. An output that never changes gets 0 for every index.

Outputs analysed: ``mean_rank_shift`` (mean absolute difference between a
city's rank in the run and its nominal rank, over the cities ranked in both),
``n_certified`` (number of certified cities), and per city ``rank: <city>``
(its rank; a city without a score in a run counts as ranked last) and
``certified: <city>`` (1 when certified, else 0: its first-order index is the
share of the variance of "is it certified?" due to one group alone, and the
mean over runs is its probability of certification).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import robustness as rb
from .assumptions import (AssumptionSpec, Settings, decode, load_spec, nominal_settings,
                          problem)
from .dataset import resolve_cycle
from .errors import ArgumentError, FrameworkError, NoDataError
from .framework import Framework, frameworks_or_bundled
from .data_contract import expects_table
from .scoring import indicator_matrix

__all__ = ["CARD_CERTAINTY", "CONF_LEVEL", "INDEX_COLUMNS", "LeaveOneOut", "LevelUncertainty", "ModelData",
           "ModelRuns", "N_RESAMPLES", "N_SAMPLES", "SensitivityResult", "card_level_uncertainty", "card_table",
           "city_drivers", "leave_one_out", "level_uncertainty", "level_uncertainty_html", "model_data", "nominal_run",
           "run_model", "sensitivity_analysis", "sobol_indices", "uncertainty_analysis"]

#: Default number of base samples (a power of 2): 4,096 x (5 groups + 2) = 28,672 runs.
N_SAMPLES = 4096
N_RESAMPLES = 100
CONF_LEVEL = 0.95
#: Model runs evaluated together (bounds the memory of the (runs x cities x components) array).
_CELLS_PER_CHUNK = 2 ** 22
INDEX_COLUMNS = ["output", "assumption", "S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"]


# ------------------------------------------------------------------------------ model
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
        the order of :data:`~dmaf_analysis.assumptions.MISSING_CHOICES`
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


# -------------------------------------------------------------------------- estimator
def sobol_indices(Y: np.ndarray, n_groups: int, *, n_resamples: int = N_RESAMPLES, conf_level: float = CONF_LEVEL,
                  seed: int = 0) -> dict[str, np.ndarray]:
    """First-order and total Sobol indices of many outputs from a Saltelli design.

    Parameters
    ----------
    Y : array
        (runs,) or (runs x outputs) model outputs, runs in the order of
        ``SALib.sample.sobol.sample(..., calc_second_order=False)``: for each
        base row, A, then A with each group taken from B, then B.
    n_groups : int
        Number of factors (groups) ``D``; ``runs = N * (D + 2)``.
    n_resamples, conf_level, seed
        Percentile bootstrap over the ``N`` base rows; resample ``k`` takes rows
        ``numpy.random.default_rng(seed).integers(N, size=(N, n_resamples))[:, k]``
        (SALib's own resamples when ``seed`` is not 0).

    Returns
    -------
    dict
        ``S1, ST`` of shape (groups x outputs), their ``*_low`` / ``*_high``
        interval bounds, and ``S1_boot, ST_boot`` (resamples x groups x outputs).
    """
    from SALib.analyze.sobol import first_order, total_order

    y = np.asarray(Y, dtype=float)
    one = y.ndim == 1
    y = y.reshape(len(y), -1)
    d = int(n_groups)
    step = d + 2
    if len(y) % step:
        raise ValueError(f"{len(y)} runs is not a multiple of groups + 2 = {step}")
    if not 0 < conf_level < 1:
        raise ValueError("conf_level must be between 0 and 1")
    n = len(y) // step
    sd = y.std(axis=0)
    y = np.divide(y - y.mean(axis=0), sd, out=np.zeros_like(y), where=sd > 0)
    a, b = y[0::step], y[step - 1::step]
    r = np.random.default_rng(seed).integers(n, size=(n, int(n_resamples)))
    flat = (r.T + (np.arange(r.shape[1]) * n)[:, None]).ravel()
    counts = np.bincount(flat, minlength=r.shape[1] * n).reshape(r.shape[1], n).astype(float)
    eps = np.finfo(float).eps
    sum_ab = counts @ (a + b) / (2 * n)
    var_boot = counts @ (a * a + b * b) / (2 * n) - sum_ab ** 2
    s1, st = np.zeros((d, y.shape[1])), np.zeros((d, y.shape[1]))
    s1_boot, st_boot = np.zeros((r.shape[1], d, y.shape[1])), np.zeros((r.shape[1], d, y.shape[1]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib warns about constant outputs; they get 0
        for j in range(d):
            ab = y[j + 1::step]
            s1[j] = first_order(a, ab, b)
            st[j] = total_order(a, ab, b)
            num1 = counts @ (b * (ab - a)) / n
            numt = 0.5 * (counts @ ((a - ab) ** 2)) / n
            ok = var_boot > eps
            s1_boot[:, j] = np.divide(num1, var_boot, out=np.zeros_like(num1), where=ok)
            st_boot[:, j] = np.divide(numt, var_boot, out=np.zeros_like(numt), where=ok)
    lo, hi = (1 - conf_level) / 2, (1 + conf_level) / 2
    out = {"S1": s1, "ST": st,
           "S1_low": np.quantile(s1_boot, lo, axis=0), "S1_high": np.quantile(s1_boot, hi, axis=0),
           "ST_low": np.quantile(st_boot, lo, axis=0), "ST_high": np.quantile(st_boot, hi, axis=0),
           "S1_boot": s1_boot, "ST_boot": st_boot}
    if one:
        out = {k: v[..., 0] for k, v in out.items()}
    return out


# --------------------------------------------------------------------------- analyses
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
        :class:`~dmaf_analysis.robustness.RankRobustness` ``cities`` (nominal
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


def _spec(spec, framework: Framework) -> AssumptionSpec:
    if isinstance(spec, AssumptionSpec):
        return spec
    return load_spec(framework, spec)


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
        :func:`~dmaf_analysis.assumptions.load_spec`).
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
    from SALib.sample import sobol as sobol_sample

    n = _check_samples(n_samples)
    data = model_data(scores, cycle=cycle, frameworks=frameworks, cities=cities)
    aspec = _spec(spec, data.framework)
    prob = problem(aspec)
    groups = aspec.names
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        design = sobol_sample.sample(prob, n, calc_second_order=False, scramble=True, seed=seed)
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
    aspec = _spec(spec, data.framework)
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


# ------------------------------------------------------------------------ leave one out
@dataclass(frozen=True, eq=False)
class LeaveOneOut:
    """Result of :func:`leave_one_out`.

    Attributes
    ----------
    summary : DataFrame
        One row per piece left out: ``cycle, left_out_kind`` (``component`` or
        ``indicator``), ``left_out, name, component, mean_abs_shift,
        max_abs_shift, n_moved, n_cities, most_moved, most_moved_shift``.
        ``n_moved`` counts cities whose rank changed; ``most_moved`` is the
        city with the largest rank change (the better-ranked one on a tie),
        ``most_moved_shift`` its change (positive = a lower place).
    cities : DataFrame
        ``cycle, left_out_kind, left_out, city, nominal_rank, rank, shift``.
    """

    summary: pd.DataFrame
    cities: pd.DataFrame


@expects_table("scores")
def leave_one_out(scores: pd.DataFrame, *, cycle: int = 0, frameworks: dict[int, Framework] | None = None,
                  cities: pd.DataFrame | None = None) -> LeaveOneOut:
    """Rank shifts when one component or one indicator is left out of the index (JRC audit practice).

    Leaving out a component sets its weight to 0 and renormalises the others.
    Leaving out an indicator scores its component on the remaining indicators,
    rescaled to 100 (points x 100 / (100 - the indicator's maximum)); an
    indicator alone in its component is skipped (that is leaving out the
    component). Everything else is as published: the framework's weights, the
    arithmetic mean, missing values left missing. ``shift = rank - nominal
    rank`` over the cities ranked both ways.

    Returns
    -------
    LeaveOneOut
        ``summary`` and ``cities``; see :class:`LeaveOneOut`.
    """
    data = model_data(scores, cycle=cycle, frameworks=frameworks, cities=cities)
    fw = data.framework
    comp_ids, ind = fw.component_ids, fw.indicators.reset_index(drop=True)
    pieces = []  # (kind, id, name, component)
    w_rows, f_rows = [], []
    base = nominal_settings(fw, 1)
    if len(comp_ids) > 1:
        for k, cid in enumerate(comp_ids):
            w = base.weights[0].copy()
            w[k] = 0.0
            if w.sum() <= 0:
                continue
            w_rows.append(w / w.sum())
            f_rows.append(base.factors[0])
            pieces.append(("component", cid, str(fw.components.iloc[k]["name"]), cid))
    maxima = ind["max_score"].to_numpy(float)
    for i, row in ind.iterrows():
        members = np.flatnonzero(ind["component"].to_numpy(object) == row["component"])
        if len(members) < 2:
            continue
        f = base.factors[0].copy()
        total = maxima[members].sum()
        f[members] = total / (total - maxima[i])
        f[i] = 0.0
        w_rows.append(base.weights[0])
        f_rows.append(f)
        pieces.append(("indicator", str(row["indicator"]), str(row["name"]), str(row["component"])))
    nominal = nominal_run(data)
    nom_rank = nominal.ranks[0]
    n_pieces = len(pieces)
    city_names = data.info["city"].to_numpy(object)
    if n_pieces:
        settings = Settings(weights=np.array(w_rows), aggregation=np.zeros(n_pieces, dtype=np.int64),
                            aggregations=base.aggregations, thresholds=np.repeat(base.thresholds, n_pieces, axis=0),
                            factors=np.array(f_rows), missing=np.zeros(n_pieces, dtype=np.int64))
        ranks = run_model(data, settings).ranks
    else:
        ranks = np.zeros((0, data.n_cities))
    shift = ranks - nom_rank
    long = pd.DataFrame({
        "cycle": data.cycle,
        "left_out_kind": np.repeat([p[0] for p in pieces], data.n_cities).astype(object),
        "left_out": np.repeat([p[1] for p in pieces], data.n_cities).astype(object),
        "city": np.tile(city_names, n_pieces),
        "nominal_rank": pd.array(np.tile(nom_rank, n_pieces), dtype="Float64").astype("Int64"),
        "rank": pd.array(ranks.reshape(-1), dtype="Float64").astype("Int64"),
        "shift": pd.array(shift.reshape(-1), dtype="Float64").astype("Int64"),
    })
    rows = []
    for j, (kind, pid, name, comp) in enumerate(pieces):
        s = shift[j]
        ok = ~np.isnan(s)
        a = np.abs(s[ok])
        if a.size:
            # largest move; on a tie the better nominal rank
            cand = np.flatnonzero(ok)
            order = np.lexsort((nom_rank[cand], -np.abs(s[cand])))
            top = cand[order[0]]
            most, most_shift = city_names[top], int(s[top])
        else:
            most, most_shift = None, 0
        rows.append({"cycle": data.cycle, "left_out_kind": kind, "left_out": pid, "name": name, "component": comp,
                     "mean_abs_shift": float(a.mean()) if a.size else float("nan"),
                     "max_abs_shift": int(a.max()) if a.size else 0, "n_moved": int((a > 0).sum()),
                     "n_cities": int(a.size), "most_moved": most if a.size and a.max() > 0 else None,
                     "most_moved_shift": most_shift if a.size and a.max() > 0 else 0})
    summary = pd.DataFrame(rows, columns=["cycle", "left_out_kind", "left_out", "name", "component",
                                          "mean_abs_shift", "max_abs_shift", "n_moved", "n_cities", "most_moved",
                                          "most_moved_shift"])
    return LeaveOneOut(summary=summary, cities=long)


# ---------------------------------------------------------------------------- city cards
_CARD_CACHE: dict = {}  # (id of a scores table, cycle, draws, seed) -> (that table, per-city table)
#: A card speaks of the level's uncertainty only when the city keeps it in fewer runs than this.
CARD_CERTAINTY = 0.95


@dataclass(frozen=True, eq=False)
class LevelUncertainty:
    """How likely a city's level is under the unknown thresholds and maxima.

    Attributes
    ----------
    city : str
    level : str or None
        The level with the framework's values.
    p_level : float
        Share of draws in which the city keeps that level.
    probabilities : dict
        Level -> share of draws (levels with a share above 0), plus
        ``"no score"`` when some draws leave the city unscored.
    n_draws : int
    matters : bool
        ``p_level``, as a whole percentage, below :data:`CARD_CERTAINTY`: the card should say so.
    """

    city: str
    level: str | None
    p_level: float
    probabilities: dict
    n_draws: int
    matters: bool

    def statement(self) -> str:
        """One plain sentence (empty when the level is not in doubt)."""
        if not self.matters or self.level is None:
            return ""
        others = [f"{name} in {p:.0%}" for name, p in self.probabilities.items() if name != self.level and p > 0]
        rest = f"; otherwise {', '.join(others)}" if others else ""
        return (f"The certification thresholds and some indicator maxima are not published. Over "
                f"{self.n_draws:,} plausible values of them, {self.city} stays at {self.level} in "
                f"{self.p_level:.0%} of cases{rest}.")


def card_table(scores, *, cycle, frameworks, cities, n_draws, seed) -> pd.DataFrame:
    """Per-city uncertainty (as :func:`uncertainty_analysis`) with only the framework spec's
    ``thresholds`` and ``maxima`` groups varying; an empty table when neither varies."""
    aspec = load_spec(frameworks[cycle]).only("thresholds", "maxima")
    if not aspec.assumptions:
        return pd.DataFrame(columns=["city"])
    return uncertainty_analysis(scores, cycle=cycle, frameworks=frameworks, cities=cities, spec=aspec,
                                n_draws=n_draws, seed=seed).cities


def _from_table(table: pd.DataFrame, city: str, framework: Framework, n_draws: int) -> LevelUncertainty:
    row = table[table["city"] == city]
    if row.empty:
        return LevelUncertainty(str(city), None, float("nan"), {}, int(n_draws), False)
    row = row.iloc[0]
    level = row["nominal_level"] if isinstance(row["nominal_level"], str) else None
    probs = {}
    for name in framework.levels["level"]:
        p = float(row.get(f"p_{rb.level_slug(name)}", 0.0))
        if p > 0:
            probs[name] = p
    if float(row.get("p_unscored", 0.0)) > 0:
        probs["no score"] = float(row["p_unscored"])
    p_level = probs.get(level, 0.0) if level else float("nan")
    # judged on the percentage the card prints, so a card never says "stays ... in 95 %" as a doubt
    matters = level is not None and round(100 * p_level) < round(100 * CARD_CERTAINTY)
    return LevelUncertainty(str(city), level, p_level, probs, int(n_draws), bool(matters))


@expects_table("scores")
def level_uncertainty(scores: pd.DataFrame, *, city: str, cycle: int = 0,
                      frameworks: dict[int, Framework] | None = None, cities: pd.DataFrame | None = None,
                      n_draws: int = 2000, seed: int = 0) -> LevelUncertainty:
    """The probability of a city's level when only the thresholds and maxima vary.

    Runs :func:`uncertainty_analysis` with the ``thresholds`` and ``maxima``
    groups of the framework's spec, for every city at once (see
    :func:`card_level_uncertainty` for the cached version the cards use).
    """
    frameworks = frameworks_or_bundled(frameworks)
    c = resolve_cycle(pd.unique(scores["cycle"]), cycle)
    table = card_table(scores, cycle=c, frameworks=frameworks, cities=cities, n_draws=n_draws, seed=seed)
    return _from_table(table, city, frameworks[c], n_draws)


def card_level_uncertainty(data, *, city: str, cycle: int = 0, n_draws: int = 2000, seed: int = 0) -> LevelUncertainty:
    """:func:`level_uncertainty` of one city of a loaded :class:`~dmaf_analysis.dataset.Dataset`.

    The table of all cities is computed once per data set and kept while the
    same ``data.scores`` object is in use, so a batch of cards rendered in one
    kernel pays for it once.
    """
    c = resolve_cycle(data.cycles, cycle)
    key = (id(data.scores), c, int(n_draws), int(seed))
    held = _CARD_CACHE.get(key)
    if held is None or held[0] is not data.scores:
        table = card_table(data.scores, cycle=c, frameworks=data.frameworks, cities=data.cities,
                            n_draws=n_draws, seed=seed)
        if len(_CARD_CACHE) >= 8:
            _CARD_CACHE.clear()
        held = _CARD_CACHE[key] = (data.scores, table)
    return _from_table(held[1], city, data.frameworks[c], n_draws)


def level_uncertainty_html(data, *, city: str, cycle: int = 0) -> str:
    """The card's sentence on how likely the city's level is, as an HTML paragraph ("" when not in doubt)."""
    import html

    text = card_level_uncertainty(data, city=city, cycle=cycle).statement()
    if not text:
        return ""
    return f'<p class="dmaf-level-uncertainty"><strong>How sure is this level?</strong> {html.escape(text)}</p>'
