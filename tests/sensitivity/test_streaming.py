"""The analyses made and reduced a chunk of runs at a time give the results of one chunk (issue 23)."""
from __future__ import annotations

import numpy as np
import pytest

from dmaf_analysis import sensitivity
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
