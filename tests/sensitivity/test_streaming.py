"""The analyses made and reduced a chunk of runs at a time give the results of one chunk (issue 23)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dmaf_analysis import sensitivity
from dmaf_analysis.framework import load_frameworks
from dmaf_analysis.sensitivity import _robustness as rb
from dmaf_analysis.sensitivity import _sobol as sobol
from dmaf_analysis.sensitivity import _uncertainty as unc

from test_sensitivity import ishigami_design, random_panel

FRAMEWORKS = load_frameworks()


# -------------------------------------------------------------------------- the indices
def _outputs(n: int) -> np.ndarray:
    """Several outputs of the Ishigami design: smooth, squared, a 0/1 output and a constant one."""
    _, y = ishigami_design(n)
    return np.column_stack([y, y ** 2, (y > 5).astype(float), np.full_like(y, 3.0), np.round(y)])


@pytest.mark.parametrize("rows", [1, 3, 64])
def test_sobol_indices_do_not_depend_on_the_base_rows_reduced_at_a_time(rows, monkeypatch):
    y = _outputs(256)
    whole = sensitivity.sobol_indices(y, 3, n_resamples=40, seed=5)
    monkeypatch.setattr(sobol, "_TERM_CELLS", 1)  # the per-row terms one base row at a time, too
    part = sensitivity.sobol_indices(y, 3, n_resamples=40, seed=5, _rows=rows)
    for key, value in whole.items():
        assert part[key].shape == value.shape
        assert np.allclose(part[key], value, rtol=0, atol=1e-9), key
    assert np.all(whole["S1"][:, 3] == 0) and np.all(whole["ST_high"][:, 3] == 0)  # the constant output


def test_sobol_sums_take_whole_base_rows_and_all_of_them():
    sums = sobol.SobolSums(4, 2, 1, sobol.resample_counts(4, 10, 1))
    with pytest.raises(ValueError, match="whole base rows"):
        sums.add(np.ones(5))
    sums.add(np.arange(8.0))
    with pytest.raises(ValueError, match="2 of the 4 base rows"):
        sums.result()
    sums.add(np.arange(8.0))
    with pytest.raises(ValueError, match="more than the 4 base rows"):
        sums.add(np.arange(4.0))
    assert set(sums.result()) == {"S1", "ST", "S1_low", "S1_high", "ST_low", "ST_high", "S1_boot", "ST_boot"}


@pytest.mark.parametrize("n", [2, 5, 1000])
def test_resample_counts_are_the_draws_of_numpy_and_salib(n):
    r = np.random.default_rng(9).integers(n, size=(n, 30))
    for k in range(30):
        assert np.array_equal(sobol.resample_counts(n, 30, 9)[k], np.bincount(r[:, k], minlength=n))
    assert sobol.resample_counts(n, 30, 9).dtype == np.uint8


def test_the_design_in_chunks_is_the_design():
    groups = ["w", "w", "a", "t", "t"]
    whole = sobol.sobol_design(groups, 64, seed=3)
    for rows in (1, 8, 64, 100):
        assert np.array_equal(np.concatenate(list(sobol.design_chunks(groups, 64, seed=3, rows=rows))), whole)


# ---------------------------------------------------------------------- per-city summary
def _draws(n_draws: int, n_cities: int, seed: int):
    """Scores with ties and unscored draws (one city never scored), their ranks and levels."""
    rng = np.random.default_rng(seed)
    sims = np.round(rng.normal(50, 15, (n_draws, n_cities)), 1)
    sims[rng.uniform(size=sims.shape) < 0.1] = np.nan
    sims[:, -1] = np.nan
    ranks = rb.competition_ranks(np.nan_to_num(sims, nan=-np.inf)).astype(float)
    ranks[np.isnan(sims)] = np.nan
    levels = np.where(np.isnan(sims), -1, (np.nan_to_num(sims) > 40).astype(int) + (np.nan_to_num(sims) > 60))
    return sims, ranks, levels


@pytest.mark.parametrize(("n_draws", "chunk"), [(3, 1), (40, 7), (997, 1), (997, 64), (2000, 2000)])
def test_the_summary_in_chunks_equals_the_summary_of_all_draws(n_draws, chunk):
    sims, ranks, levels = _draws(n_draws, 9, seed=n_draws)
    ref = rb._draw_statistics(sims, ranks, levels, 3)  # noqa: SLF001 - the computation on all draws at once
    summary = rb.DrawSummary(9, 3, n_draws)
    for start in range(0, n_draws, chunk):
        part = slice(start, start + chunk)
        summary.add(sims[part], ranks[part], levels[part])
    got = summary.statistics()
    for key in ("probs", "rank_q", "score_q", "unscored"):
        assert np.array_equal(got[key], ref[key], equal_nan=True), key  # the same numbers, not close ones
    assert np.allclose(got["mean_score"], ref["mean_score"], rtol=1e-13, equal_nan=True)
    assert np.isnan(got["rank_q"][:, -1]).all() and got["unscored"][-1] == 1


def test_the_summary_keeps_only_the_score_tails():
    summary = rb.DrawSummary(2, 1, 10_000)
    rng = np.random.default_rng(0)
    for _ in range(10):
        x = rng.random((1000, 2))
        summary.add(x, rb.competition_ranks(x).astype(float), np.zeros((1000, 2), dtype=int))
    assert 503 <= summary.keep <= 504 and len(summary.low) <= summary.keep and len(summary.high) <= summary.keep
    with pytest.raises(ValueError, match="more than the 10000 draws"):
        summary.add(x[:1], np.ones((1, 2)), np.zeros((1, 2), dtype=int))
    with pytest.raises(ValueError, match="ranks must be whole numbers from 1 to 2"):
        rb.DrawSummary(2, 1, 5).add(x[:1], np.array([[1.0, 3.0]]), np.zeros((1, 2), dtype=int))


# -------------------------------------------------------------------------- the analyses
def _tables_close(a, b, atol: float = 1e-9) -> None:
    for name in ("indices", "cities", "level_probabilities", "runs", "settings"):
        x, y = getattr(a, name, None), getattr(b, name, None)
        if x is None or y is None:
            continue
        assert list(x.columns) == list(y.columns) and x.shape == y.shape, name
        for col in x.columns:
            if pd.api.types.is_float_dtype(x[col]):
                assert np.allclose(x[col].to_numpy(float), y[col].to_numpy(float), rtol=0, atol=atol,
                                   equal_nan=True), (name, col)
            else:
                assert x[col].equals(y[col]), (name, col)


@pytest.fixture(scope="module")
def missing_panel():
    return random_panel(20, seed=6, missing=0.05)


def test_sensitivity_in_chunks_of_one_base_row_equals_one_chunk(missing_panel, monkeypatch):
    whole = sensitivity.sensitivity_analysis(missing_panel, frameworks=FRAMEWORKS, n_samples=64, seed=2)
    assert whole.settings.iloc[0]["n_groups"] == 5 and whole.cities["p_unscored"].max() > 0
    calls = []
    real = unc.run_model
    monkeypatch.setattr(unc, "run_model", lambda data, settings, **kw: calls.append(settings.n_runs) or
                        real(data, settings, **kw))
    monkeypatch.setattr(unc, "_RUN_CELLS", 1)
    monkeypatch.setattr(sobol, "_TERM_CELLS", 1)
    part = sensitivity.sensitivity_analysis(missing_panel, frameworks=FRAMEWORKS, n_samples=64, seed=2)
    assert calls == [7] * 64  # every base row on its own: A, the five AB, B
    _tables_close(part, whole)


def test_sensitivity_equals_the_computation_on_every_run_at_once(missing_panel, monkeypatch):
    """The chunked analysis against SALib and ``summarise_draws`` on the whole matrix of runs."""
    from SALib.analyze import sobol as salib

    monkeypatch.setattr(unc, "_RUN_CELLS", 500)
    res = sensitivity.sensitivity_analysis(missing_panel, frameworks=FRAMEWORKS, n_samples=128, seed=4)
    data = sensitivity.model_data(missing_panel, frameworks=FRAMEWORKS)
    spec = sensitivity.load_spec(data.framework).for_data(has_missing=data.has_missing)
    prob = sensitivity.problem(spec)
    runs = sensitivity.run_model(data, sensitivity.decode(spec, data.framework,
                                                          sobol.sobol_design(prob["groups"], 128, seed=4)))
    nominal = sensitivity.nominal_run(data)
    ref_cities, ref_long = rb.summarise_draws(
        data.info[["city", "state", "region"]], cycle=data.cycle, sims=runs.scores, ranks=runs.ranks,
        levels=runs.levels, nominal=nominal.scores[0], nominal_rank=nominal.ranks[0],
        nominal_level=nominal.levels[0], level_names=data.framework.levels["level"].tolist(),
        certified=data.framework.levels["certified"].to_numpy(bool), unscored_column=True)
    _tables_close(res, _Tables(cities=ref_cities, level_probabilities=ref_long), atol=1e-12)
    # the indices of a few outputs, as SALib computes them from the whole column
    salib_problem = {"num_vars": len(spec.names), "names": spec.names, "bounds": [[0, 1]] * len(spec.names)}
    idx = res.indices.set_index(["output", "assumption"])
    city = data.info["city"].iloc[3]
    worst = float(data.n_cities)
    for output, column in [("mean_rank_shift", res.runs["mean_rank_shift"].to_numpy(float)),
                           (f"rank: {city}", np.where(np.isnan(runs.ranks[:, 3]), worst, runs.ranks[:, 3]))]:
        ref = salib.analyze(salib_problem, column, calc_second_order=False, num_resamples=100, seed=4,
                            keep_resamples=True)
        got = idx.loc[output].loc[spec.names]
        assert np.allclose(got["S1"], ref["S1"], atol=1e-9) and np.allclose(got["ST"], ref["ST"], atol=1e-9)
        low, high = np.quantile(ref["S1_conf_all"], [0.025, 0.975], axis=0)
        assert np.allclose(got["S1_low"], low, atol=1e-9) and np.allclose(got["S1_high"], high, atol=1e-9)


class _Tables:
    """Some of the tables of a result, by name."""

    def __init__(self, **tables):
        self.__dict__.update(tables)


def test_uncertainty_in_chunks_equals_one_chunk(missing_panel, monkeypatch):
    whole = sensitivity.uncertainty_analysis(missing_panel, frameworks=FRAMEWORKS, n_draws=500, seed=3)
    monkeypatch.setattr(unc, "_RUN_CELLS", 20 * 7)  # 4 draws a chunk (a power of 2)
    part = sensitivity.uncertainty_analysis(missing_panel, frameworks=FRAMEWORKS, n_draws=500, seed=3)
    _tables_close(part, whole)


def test_the_runs_are_not_held_in_memory(monkeypatch):
    """With small chunks, the analysis never holds as much as one (runs x cities) matrix of scores."""
    import tracemalloc

    from dmaf_analysis.scoring import load_dataset

    ds = load_dataset(None)
    sensitivity.sensitivity_analysis(ds.scores, frameworks=ds.frameworks, cities=ds.cities, n_samples=4)  # imports
    monkeypatch.setattr(unc, "_RUN_CELLS", 2 ** 15)
    n = 4096
    tracemalloc.start()
    try:
        res = sensitivity.sensitivity_analysis(ds.scores, frameworks=ds.frameworks, cities=ds.cities, n_samples=n)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    s = res.settings.iloc[0]
    one_matrix = int(s["n_runs"]) * int(s["n_cities"]) * 8
    assert one_matrix > 15 * 2 ** 20
    assert peak < one_matrix, f"{peak / 2 ** 20:.1f} MB at peak, one matrix of scores is {one_matrix / 2 ** 20:.1f} MB"
