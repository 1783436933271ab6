"""The analyses made and reduced a chunk of runs at a time give the results of one chunk (issue 23)."""
from __future__ import annotations

import numpy as np
import pytest

from dmaf_analysis import sensitivity
from dmaf_analysis.sensitivity import _robustness as rb
from dmaf_analysis.sensitivity import _sobol as sobol

from test_sensitivity import ishigami_design


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
