"""Old import path of :mod:`dmaf_analysis.batch.kernels` (warm kernels and their state reset).

The module moved into the batch package; this one re-exports its public names so
that ``from dmaf_analysis.kernels import WarmKernel`` keeps working.
"""
from __future__ import annotations

from .batch.kernels import DEFAULT_PRELOAD, WarmKernel, sweep_stale_kernel_dirs
from .errors import KernelSetupError

__all__ = ["DEFAULT_PRELOAD", "KernelSetupError", "WarmKernel", "sweep_stale_kernel_dirs"]
