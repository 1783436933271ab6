"""Random streams and integer draws for the synthetic panel (:mod:`dmaf_analysis.synth`).

:class:`RandomStream` turns the uniform draws of a PCG64 generator into normals
(Box-Muller), Gumbel keys and shape-2 gammas itself, so a seed means the same panel
on every platform and NumPy version that keeps PCG64's stream. The functions below
draw whole numbers under constraints: a row of integers nudged until it sums to a
target (:func:`fix_totals`), a total split over bounded parts (:func:`allocate`),
values just below a cap (:func:`below_cap`) and distinct descending values with a
given sum (:func:`distinct_descending`). Every call consumes the stream in a fixed
order, which is what makes the panel reproducible.
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import SynthesisError

__all__ = ["RandomStream", "allocate", "below_cap", "distinct_descending", "expit", "fix_totals", "top_k"]

#: Uniform draws are kept this far inside (0, 1) so that log(-log(u)) stays finite.
_OPEN_UNIT = 1e-12


class RandomStream:
    """Uniform draws from PCG64, transformed here so that the stream is stable."""

    def __init__(self, seed: int):
        self._gen = np.random.Generator(np.random.PCG64(seed))

    def uniform(self, size) -> np.ndarray:
        """Uniform draws in [0, 1)."""
        return self._gen.random(size)

    def normal(self, size) -> np.ndarray:
        """Standard normal draws (Box-Muller: two uniform arrays per call)."""
        u1 = 1.0 - self._gen.random(size)  # (0, 1]
        u2 = self._gen.random(size)
        return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)

    def gumbel(self, size) -> np.ndarray:
        """Standard Gumbel draws (keys for weighted choice without replacement)."""
        u = np.clip(self._gen.random(size), _OPEN_UNIT, 1.0 - _OPEN_UNIT)
        return -np.log(-np.log(u))

    def gamma2(self, size, mean: float) -> np.ndarray:
        """Gamma draws of shape 2 with the given mean (the sum of two exponentials)."""
        u = 1.0 - self._gen.random((2, size))  # (0, 1]
        return -(mean / 2.0) * np.log(u).sum(axis=0)

    def integer(self, low: int, high: int) -> int:
        """A whole number from ``low`` to ``high`` inclusive."""
        return int(low + math.floor(self._gen.random() * (high - low + 1)))


def expit(x: np.ndarray) -> np.ndarray:
    """The logistic function 1 / (1 + exp(-x))."""
    return 1.0 / (1.0 + np.exp(-x))


def top_k(keys: np.ndarray, candidates: np.ndarray, k: int) -> np.ndarray:
    """Boolean mask of the ``k`` candidates with the largest keys."""
    mask = np.zeros(len(keys), dtype=bool)
    idx = np.flatnonzero(candidates)
    if k > 0:
        best = idx[np.argsort(-keys[idx], kind="stable")[:k]]
        mask[best] = True
    return mask


def fix_totals(x: np.ndarray, lo: np.ndarray, hi: np.ndarray, totals: np.ndarray,
               rnd: RandomStream) -> np.ndarray:
    """Move the integers of each row of ``x``, within ``[lo, hi]``, until the row sums to its total.

    Each round moves every unbalanced row by one step on as many elements as it
    needs (or can), picking elements at random with weight proportional to their
    room in the needed direction.
    """
    x = np.clip(x, lo, hi).astype(np.int64)
    totals = np.asarray(totals, dtype=np.int64)
    if np.any(lo.sum(axis=1) > totals) or np.any(hi.sum(axis=1) < totals):
        raise SynthesisError("internal error: a synthetic total lies outside its feasible range")
    n, m = x.shape
    positions = np.broadcast_to(np.arange(m), (n, m))
    while True:
        diff = totals - x.sum(axis=1)
        if not diff.any():
            return x
        up = diff > 0
        room = np.where(up[:, None], hi - x, x - lo)
        can = (room > 0) & (diff != 0)[:, None]
        quota = np.minimum(np.abs(diff), can.sum(axis=1))
        keys = np.where(can, np.log(np.maximum(room, 1)) + rnd.gumbel((n, m)), -np.inf)
        order = np.argsort(-keys, axis=1, kind="stable")
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, positions, axis=1)
        step = can & (rank < quota[:, None])
        x = x + np.where(step, np.sign(diff)[:, None], 0)


def allocate(totals: np.ndarray, lo: np.ndarray, hi: np.ndarray, logits: np.ndarray,
             rnd: RandomStream) -> np.ndarray:
    """Split each city's total steps over its indicators.

    Indicator ``j`` of city ``i`` expects ``lo + (hi - lo) * expit(logits + theta_i)``
    steps, where ``theta_i`` (found by bisection, all cities at once) makes the
    expectations add up to the city's total; the expectations are rounded at
    random and the remainder is settled by :func:`fix_totals`.
    """
    span = (hi - lo).astype(float)
    base = lo.sum(axis=1).astype(float)
    left = np.full(len(totals), -40.0)
    right = np.full(len(totals), 40.0)
    for _ in range(50):
        mid = (left + right) / 2
        expected = base + (span * expit(logits + mid[:, None])).sum(axis=1)
        low = expected < totals
        left = np.where(low, mid, left)
        right = np.where(low, right, mid)
    theta = (left + right) / 2
    values = lo + span * expit(logits + theta[:, None])
    x = np.floor(values + rnd.uniform(values.shape)).astype(np.int64)
    return fix_totals(x, lo, hi, totals, rnd)


def below_cap(cap: int, target: int, k: int, rnd: RandomStream) -> np.ndarray:
    """``k`` starting values in ``[0, cap]`` whose sum is near ``target``.

    Each value is ``cap`` minus a gamma(2) deficit, so when the target sits close to
    the cap the values form a hump just below it rather than a pile-up at the cap
    (which drawing from a wide range and then pushing values up would create).
    """
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    mean_deficit = max(cap - target / k, 0.5)
    return np.clip(np.rint(cap - rnd.gamma2(k, mean_deficit)), 0, cap).astype(np.int64)


def distinct_descending(lo: int, hi: int, total: int, k: int, rnd: RandomStream, what: str,
                        source: str) -> np.ndarray:
    """``k`` distinct whole numbers in ``[lo + 1, hi + k]``, descending, summing to ``total``.

    Drawn as ``u`` in ``[lo, hi]`` (sum ``total - k(k+1)/2``), sorted, plus ``k, k-1, ..., 1``.
    Raises :class:`~dmaf_analysis.errors.SynthesisError` naming ``source`` and
    ``what`` when no such numbers exist.
    """
    offset = k * (k + 1) // 2
    target = total - offset
    if not k * lo <= target <= k * hi:
        raise SynthesisError(f"{source}: cannot reproduce the published facts ({what} cannot sum to {total})")
    u = lo + np.floor((hi - lo + 1) * rnd.uniform(k)).astype(np.int64)
    u = fix_totals(u[None, :], np.full((1, k), lo), np.full((1, k), hi), np.array([target]), rnd)[0]
    return np.sort(u)[::-1] + np.arange(k, 0, -1)
