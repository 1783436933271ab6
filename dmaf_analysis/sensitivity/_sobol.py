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

Streaming. Both estimators are means over the base rows, so the runs can be
taken a few base rows at a time (all ``groups + 2`` runs of a base row
together) and reduced to sums: :class:`SobolSums` keeps, per output, the sums
over the base rows of ``A + B``, ``A**2 + B**2`` and, per group, of
``B * (AB - A)``, ``AB - A`` and ``(A - AB)**2`` (on outputs less a shift, the
mean of the first runs, for accuracy), each weighted by every bootstrap
resample's counts and by 1. The standardisation (mean and variance over all
runs, merged chunk by chunk) is applied to these sums at the end: the
variance cancels from the ratios, and the mean enters ``S1`` through
``sum((B - mean) * (AB - A)) = sum(B * (AB - A)) - mean * sum(AB - A)``. The
memory is that of the sums (``(resamples + 1) x (2 + 3 * groups) x outputs``)
and of the resample counts (``resamples x N`` small integers), whatever the
number of runs; the results equal the computation on the whole standardised
output matrix up to rounding (within 1e-12 on the bundled data's 202
outputs at 8,192 base samples).
"""
from __future__ import annotations

import numpy as np

__all__ = ["check_conf_level", "CONF_LEVEL", "design_chunks", "N_RESAMPLES", "resample_counts", "sobol_design",
           "sobol_indices", "SobolSums"]

#: Default bootstrap resamples of the confidence intervals.
N_RESAMPLES = 100
#: Default coverage of the confidence intervals.
CONF_LEVEL = 0.95

#: Outputs judged together by SALib's constant-output check (``numpy.ptp`` over a block of the
#: standardised A and B runs), which :func:`sobol_indices` applies to its point estimates block by block.
_BLOCK = 16
#: Cells (base rows x terms x outputs) of the per-row terms multiplied by the resample counts at once.
_TERM_CELLS = 2 ** 21
#: The sums kept per output before the group terms: A + B, A**2 + B**2.
_COMMON_TERMS = 2
#: The sums kept per output and group: B * (AB - A), AB - A, (AB - A)**2.
_GROUP_TERMS = 3


def _saltelli_runs(base: np.ndarray, groups: list[str]) -> np.ndarray:
    """The runs of the base rows ``base`` (rows x 2 inputs): A, A with each group from B, B; (rows * (G + 2)) x d."""
    d = len(groups)
    names = list(dict.fromkeys(groups))
    a, b = base[:, :d], base[:, d:]
    out = np.empty((len(base), len(names) + 2, d))
    out[:, 0] = a
    member = np.asarray(groups, dtype=object)
    for k, name in enumerate(names):
        out[:, k + 1] = np.where(member == name, b, a)
    out[:, -1] = b
    return out.reshape(-1, d)


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
    return np.concatenate(list(design_chunks(groups, n, seed=seed, rows=max(1, int(n)))))


def design_chunks(groups: list[str], n: int, *, seed: int = 0, rows: int):
    """:func:`sobol_design`, ``rows`` base rows at a time (the last chunk may be shorter).

    Parameters
    ----------
    groups : list of str
        The group of each input.
    n : int
        Base rows ``N`` of the whole design.
    seed : int, default 0
    rows : int
        Base rows per chunk; a power of 2 keeps the Sobol' points balanced.

    Yields
    ------
    array
        ``(rows * (G + 2)) x len(groups)`` runs, consecutive parts of
        ``sobol_design(groups, n, seed=seed)`` (the scrambled sequence is drawn
        on from one engine, so the chunks are the same points).
    """
    from scipy.stats import qmc

    engine = qmc.Sobol(d=2 * len(groups), scramble=True, seed=seed)
    n, rows = int(n), max(1, int(rows))
    for start in range(0, n, rows):
        yield _saltelli_runs(engine.random(min(rows, n - start)), groups)


def check_conf_level(conf_level: float) -> None:
    """Refuse a coverage of the confidence intervals outside (0, 1) (ValueError)."""
    if not 0 < conf_level < 1:
        raise ValueError("conf_level must be between 0 and 1")


def resample_counts(n: int, n_resamples: int, seed: int) -> np.ndarray:
    """How often each base row is drawn in each bootstrap resample: (resamples x ``n``) small integers.

    Resample ``k`` takes the rows
    ``numpy.random.default_rng(seed).integers(n, size=(n, n_resamples))[:, k]``
    (SALib's own resamples); they are drawn as 32-bit integers (the same stream
    at half the memory) and counted in the smallest unsigned type that holds
    the counts (one byte unless a row is drawn more than 255 times).
    """
    n, n_resamples = int(n), int(n_resamples)
    rows = np.random.default_rng(seed).integers(n, size=(n, n_resamples), dtype=np.int32 if n < 2 ** 31 else np.int64)
    counts = np.zeros((n_resamples, n), dtype=np.uint8)
    for k in range(n_resamples):
        column = np.bincount(rows[:, k], minlength=n)
        top = int(column.max()) if n else 0
        if top > np.iinfo(counts.dtype).max:
            counts = counts.astype(np.min_scalar_type(top))
        counts[k] = column
    return counts


class SobolSums:
    """Sums over the base rows of a Saltelli design, added chunk by chunk, from which the indices follow.

    Parameters
    ----------
    n : int
        Base rows ``N`` of the whole design.
    n_groups : int
        Factors ``D``; each base row has ``D + 2`` runs.
    n_outputs : int
    counts : array
        (resamples x ``N``) counts of :func:`resample_counts`.

    Notes
    -----
    :meth:`add` takes the runs of the next base rows, in design order;
    :meth:`result` gives what :func:`sobol_indices` returns once all ``N``
    base rows are in. See the module notes for the sums kept.
    """

    def __init__(self, n: int, n_groups: int, n_outputs: int, counts: np.ndarray):
        self.n, self.d, self.n_outputs = int(n), int(n_groups), int(n_outputs)
        self.counts = counts
        self.n_resamples = counts.shape[0]
        n_terms = _COMMON_TERMS + _GROUP_TERMS * self.d
        # row r < n_resamples: weighted by resample r's counts; the last row: every base row once
        self.sums = np.zeros((self.n_resamples + 1, n_terms, self.n_outputs))
        self.rows_done = 0
        self.shift: np.ndarray | None = None
        self.n_runs = 0
        self.mean = np.zeros(self.n_outputs)
        self.m2 = np.zeros(self.n_outputs)
        self.low = np.full(self.n_outputs, np.inf)
        self.high = np.full(self.n_outputs, -np.inf)
        self.low_ab = np.full(self.n_outputs, np.inf)
        self.high_ab = np.full(self.n_outputs, -np.inf)

    def add(self, y: np.ndarray) -> None:
        """Add the runs of the next base rows: ``y`` is (rows * (D + 2)) x outputs, in design order."""
        step = self.d + 2
        y = np.asarray(y, dtype=float).reshape(len(y), -1)
        if len(y) % step or y.shape[1] != self.n_outputs:
            raise ValueError(f"expected whole base rows of {step} runs and {self.n_outputs} outputs, got {y.shape}")
        rows = len(y) // step
        if self.rows_done + rows > self.n:
            raise ValueError(f"more than the {self.n} base rows of the design")
        per_block = max(1, _TERM_CELLS // (step * max(1, self.n_outputs) * (_COMMON_TERMS + _GROUP_TERMS * self.d)))
        for start in range(0, rows, per_block):
            self._add_rows(y[start * step:(start + per_block) * step])

    def _add_rows(self, y: np.ndarray) -> None:
        """:meth:`add` for a block of base rows small enough for its per-row terms."""
        step = self.d + 2
        rows = len(y) // step
        if rows == 0:
            return
        # mean and sum of squared deviations of every run, merged with the earlier ones (Chan et al.)
        k = len(y)
        mean_k = y.mean(axis=0)
        m2_k = ((y - mean_k) ** 2).sum(axis=0)
        total = self.n_runs + k
        delta = mean_k - self.mean
        self.mean = self.mean + delta * (k / total)
        self.m2 = self.m2 + m2_k + delta ** 2 * (self.n_runs * k / total)
        self.n_runs = total
        if self.shift is None:
            self.shift = mean_k
        self.low = np.minimum(self.low, y.min(axis=0))
        self.high = np.maximum(self.high, y.max(axis=0))
        runs = (y - self.shift).reshape(rows, step, self.n_outputs)
        a, b = runs[:, 0], runs[:, -1]
        self.low_ab = np.minimum(self.low_ab, np.minimum(a.min(axis=0), b.min(axis=0)) + self.shift)
        self.high_ab = np.maximum(self.high_ab, np.maximum(a.max(axis=0), b.max(axis=0)) + self.shift)
        terms = np.empty((rows, _COMMON_TERMS + _GROUP_TERMS * self.d, self.n_outputs))
        terms[:, 0] = a + b
        terms[:, 1] = a * a + b * b
        for j in range(self.d):
            diff = runs[:, j + 1] - a
            at = _COMMON_TERMS + _GROUP_TERMS * j
            terms[:, at] = b * diff
            terms[:, at + 1] = diff
            terms[:, at + 2] = diff * diff
        weights = np.empty((self.n_resamples + 1, rows))
        weights[:-1] = self.counts[:, self.rows_done:self.rows_done + rows]
        weights[-1] = 1.0
        self.sums += (weights @ terms.reshape(rows, -1)).reshape(self.sums.shape)
        self.rows_done += rows

    def result(self, conf_level: float = CONF_LEVEL) -> dict[str, np.ndarray]:
        """The indices of :func:`sobol_indices` (every base row must have been added)."""
        if self.rows_done != self.n:
            raise ValueError(f"{self.rows_done} of the {self.n} base rows were added")
        check_conf_level(conf_level)
        n = self.n
        eps = np.finfo(float).eps
        constant = ~(self.high > self.low)  # also an output with no run at all
        sd = np.sqrt(self.m2 / max(self.n_runs, 1))
        var_scale = np.where(constant, 1.0, sd ** 2)
        m = self.mean - (self.shift if self.shift is not None else 0.0)
        s = self.sums
        half = s[:, 0] / (2 * n)
        var = s[:, 1] / (2 * n) - half ** 2  # variance of the A and B runs, per resample and overall
        ok = (var / var_scale > eps) & ~constant  # SALib's test, on the standardised outputs
        at = _COMMON_TERMS
        num1 = (s[:, at::_GROUP_TERMS] - m * s[:, at + 1::_GROUP_TERMS]) / n
        numt = 0.5 * s[:, at + 2::_GROUP_TERMS] / n
        keep = np.broadcast_to(ok[:, None, :], num1.shape)
        denom = np.broadcast_to(var[:, None, :], num1.shape)
        s1_all = np.divide(num1, denom, out=np.zeros_like(num1), where=keep)
        st_all = np.divide(numt, denom, out=np.zeros_like(numt), where=keep)
        s1, st = s1_all[-1], st_all[-1]
        # SALib gives 0 to a whole block whose standardised A and B runs span no more than eps
        with np.errstate(divide="ignore", invalid="ignore"):
            z_low = np.where(constant, 0.0, (self.low_ab - self.mean) / sd)
            z_high = np.where(constant, 0.0, (self.high_ab - self.mean) / sd)
        for start in range(0, self.n_outputs, _BLOCK):
            cols = slice(start, start + _BLOCK)
            if z_high[cols].max() - z_low[cols].min() <= eps:
                s1[:, cols] = 0.0
                st[:, cols] = 0.0
        s1_boot, st_boot = s1_all[:-1], st_all[:-1]
        lo, hi = (1 - conf_level) / 2, (1 + conf_level) / 2
        return {"S1": s1, "ST": st,
                "S1_low": np.quantile(s1_boot, lo, axis=0), "S1_high": np.quantile(s1_boot, hi, axis=0),
                "ST_low": np.quantile(st_boot, lo, axis=0), "ST_high": np.quantile(st_boot, hi, axis=0),
                "S1_boot": s1_boot, "ST_boot": st_boot}


def sobol_indices(Y: np.ndarray, n_groups: int, *, n_resamples: int = N_RESAMPLES, conf_level: float = CONF_LEVEL,
                  seed: int = 0, _rows: int | None = None) -> dict[str, np.ndarray]:
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
    _rows : int, optional
        Base rows reduced at a time (default: as many as a fixed memory
        budget allows); the results do not depend on it beyond rounding.

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
    check_conf_level(conf_level)
    n = len(y) // step
    sums = SobolSums(n, d, y.shape[1], resample_counts(n, n_resamples, seed))
    rows = max(1, int(_rows)) if _rows else max(1, n)
    for start in range(0, n, rows):
        sums.add(y[start * step:(start + rows) * step])
    out = sums.result(conf_level)
    if one:
        out = {k: v[..., 0] for k, v in out.items()}
    return out
