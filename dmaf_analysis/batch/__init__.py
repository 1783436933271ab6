"""The batch engine: render many report notebooks quickly and safely.

One driver process renders every report. Each report notebook is parameterised
with papermill (its ``parameters`` cell, the injected-parameters cell and the
``papermill`` metadata of the output notebook are exactly papermill's), executed
with papermill's nbclient engine on a *warm* kernel (see
``_kernels``) that is reused from one report to the next, and
converted to HTML by one nbconvert ``HTMLExporter`` per worker. ``workers``
kernels run side by side (default 2).

Guarantees:

* a failing report is recorded, not fatal: its partial notebook (with papermill's
  error markers) and its HTML are written, its row in the index is marked
  *failed*, the other reports still run, and the kernel is restarted before the
  next report;
* a report whose inputs are unchanged (same notebook, data files, parameters,
  package version and package sources) is skipped unless ``force=True``; the
  digests live in ``<output_dir>/manifest.json``;
* every file is written atomically (temporary file + rename): no half-written
  file ever appears under its final name, and no temporary file is left behind.

One concern per module:

============== ===============================================================
``jobs``       the job model: :class:`ReportJob`, :class:`ReportResult`, :class:`BatchSummary`
``manifest``   digests of a report's inputs and ``manifest.json``
``kernels``    warm Jupyter kernels and the state reset between two notebooks
``engine``     papermill's engine on a warm kernel; executing one job
``export``     HTML export and the atomic writing of a report's files
``pool``       the worker threads (:func:`run_jobs`)
``planning``   the jobs of a batch and the entry points (:func:`render_batch`)
``index_page`` the batch's ``index.html``
``lock``       one batch at a time per output folder
``publish``    each page's metadata and its PDF copy
============== ===============================================================

The modules that import papermill and nbconvert (``engine``, ``export``,
``pool``, ``planning``) load on first use of one of their names, so a kernel
importing ``_kernels`` stays light.
"""
from __future__ import annotations

import importlib

from ._index_page import build_index_rows, IndexLink, render_index
from ._jobs import BatchSummary, ReportJob, ReportResult
from ._kernels import WarmKernel
from ._manifest import ENGINE_FORMAT, job_digest, Manifest, MANIFEST_NAME, package_fingerprint

__all__ = [
    "BatchSummary", "build_index_rows", "city_job", "CITY_NOTEBOOK", "ENGINE_FORMAT", "ENGINE_NAME", "execute_job",
    "Exporters", "IndexLink", "INJECTED_CELL_ID", "job_digest", "make_exporter", "Manifest", "MANIFEST_NAME",
    "needs_image_embedding",
    "NOTEBOOKS_DIR", "OVERVIEW_NOTEBOOK", "package_fingerprint", "render_batch", "render_city_report", "render_index",
    "render_national_report", "ReportJob", "ReportResult", "require_city_in_data", "run_jobs", "TRENDS_NOTEBOOK",
    "WarmKernel", "write_index", "write_outputs"
]

# name -> submodule, for the names whose modules import papermill or nbconvert
_LAZY = {
    "ENGINE_NAME": "_engine", "execute_job": "_engine", "INJECTED_CELL_ID": "_engine",
    "Exporters": "_export", "make_exporter": "_export", "needs_image_embedding": "_export",
    "write_outputs": "_export",
    "run_jobs": "_pool",
    "CITY_NOTEBOOK": "_planning", "NOTEBOOKS_DIR": "_planning", "OVERVIEW_NOTEBOOK": "_planning",
    "TRENDS_NOTEBOOK": "_planning", "city_job": "_planning", "render_batch": "_planning",
    "render_city_report": "_planning", "require_city_in_data": "_planning",
    "render_national_report": "_planning",
    "write_index": "_index_page",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
