"""First-order and total Sobol indices of many model outputs at once, with bootstrap intervals.

The runs come from SALib's Sobol' design (``SALib.sample.sobol``, Saltelli's
scheme without second-order terms, one factor per assumption group), giving
``N * (groups + 2)`` runs for ``N`` base samples. :func:`sobol_indices`:

* First-order (``S1``) and total (``ST``) indices use SALib's estimators
  (``SALib.analyze.sobol.first_order`` / ``total_order``: Saltelli et al. 2010
  and Jansen) on each output standardised to mean 0 and variance 1, exactly as
  ``SALib.analyze.sobol.analyze`` does, but for every output at once.
* Confidence intervals are percentile bootstrap intervals over ``n_resamples``
  resamples of the base rows (the same resamples SALib draws for a given seed),
  computed as matrix products of resample counts, so hundreds of outputs cost
  little more than one. An output that never changes gets 0 for every index.
"""
from __future__ import annotations

import warnings

import numpy as np

__all__ = ["CONF_LEVEL", "N_RESAMPLES", "sobol_design", "sobol_indices"]

#: Default bootstrap resamples of the confidence intervals.
N_RESAMPLES = 100
#: Default coverage of the confidence intervals.
CONF_LEVEL = 0.95


def sobol_design(groups: list[str], n: int, *, seed: int = 0) -> np.ndarray:
    """Saltelli's design on [0, 1] for grouped inputs: ``n * (G + 2)`` runs of ``len(groups)`` inputs.

    ``groups`` names the group of each input; ``G`` is the number of distinct
    groups, in order of first appearance. For each base row: A, then A with the
    inputs of each group taken from B, then B; A and B are the two halves of a
    scrambled Sobol' sequence of ``2 * len(groups)`` dimensions seeded by ``seed``.
    The same runs as ``SALib.sample.sobol.sample(..., calc_second_order=False)``
    for two groups or more; unlike it, a single group stays one factor (SALib
    then varies each input on its own, which gives runs the indices do not expect).
    """
    from scipy.stats import qmc

    d = len(groups)
    names = list(dict.fromkeys(groups))
    base = qmc.Sobol(d=2 * d, scramble=True, seed=seed).random(int(n))
    a, b = base[:, :d], base[:, d:]
    out = np.empty((int(n), len(names) + 2, d))
    out[:, 0] = a
    member = np.asarray(groups, dtype=object)
    for k, name in enumerate(names):
        out[:, k + 1] = np.where(member == name, b, a)
    out[:, -1] = b
    return out.reshape(-1, d)


#: Outputs whose indices are computed together (bounds the memory of many outputs over many runs).
_BLOCK = 16


def _block(y: np.ndarray, d: int, n: int, counts: np.ndarray, s1, st, s1_boot, st_boot) -> None:
    """The indices of a block of outputs ``y`` (runs x outputs), written into the given views."""
    from SALib.analyze.sobol import first_order, total_order

    step = d + 2
    y = np.asarray(y, dtype=float)
    sd = y.std(axis=0)
    y = np.divide(y - y.mean(axis=0), sd, out=np.zeros_like(y), where=sd > 0)
    a, b = y[0::step], y[step - 1::step]
    eps = np.finfo(float).eps
    sum_ab = counts @ (a + b) / (2 * n)
    var_boot = counts @ (a * a + b * b) / (2 * n) - sum_ab ** 2
    ok = var_boot > eps
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib warns about constant outputs; they get 0
        for j in range(d):
            ab = y[j + 1::step]
            s1[j] = first_order(a, ab, b)
            st[j] = total_order(a, ab, b)
            num1 = counts @ (b * (ab - a)) / n
            numt = 0.5 * (counts @ ((a - ab) ** 2)) / n
            s1_boot[:, j] = np.divide(num1, var_boot, out=np.zeros_like(num1), where=ok)
            st_boot[:, j] = np.divide(numt, var_boot, out=np.zeros_like(numt), where=ok)


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
    y = np.asarray(Y)
    one = y.ndim == 1
    y = y.reshape(len(y), -1)
    d = int(n_groups)
    step = d + 2
    if len(y) % step:
        raise ValueError(f"{len(y)} runs is not a multiple of groups + 2 = {step}")
    if not 0 < conf_level < 1:
        raise ValueError("conf_level must be between 0 and 1")
    n = len(y) // step
    r = np.random.default_rng(seed).integers(n, size=(n, int(n_resamples)))
    flat = (r.T + (np.arange(r.shape[1]) * n)[:, None]).ravel()
    counts = np.bincount(flat, minlength=r.shape[1] * n).reshape(r.shape[1], n).astype(float)
    s1, st = np.zeros((d, y.shape[1])), np.zeros((d, y.shape[1]))
    s1_boot, st_boot = np.zeros((r.shape[1], d, y.shape[1])), np.zeros((r.shape[1], d, y.shape[1]))
    # a few outputs at a time: the standardised copy and the products stay small whatever the number of outputs
    for start in range(0, y.shape[1], _BLOCK):
        cols = slice(start, start + _BLOCK)
        _block(y[:, cols], d, n, counts, s1[:, cols], st[:, cols], s1_boot[:, :, cols], st_boot[:, :, cols])
    lo, hi = (1 - conf_level) / 2, (1 + conf_level) / 2
    out = {"S1": s1, "ST": st,
           "S1_low": np.quantile(s1_boot, lo, axis=0), "S1_high": np.quantile(s1_boot, hi, axis=0),
           "ST_low": np.quantile(st_boot, lo, axis=0), "ST_high": np.quantile(st_boot, hi, axis=0),
           "S1_boot": s1_boot, "ST_boot": st_boot}
    if one:
        out = {k: v[..., 0] for k, v in out.items()}
    return out
