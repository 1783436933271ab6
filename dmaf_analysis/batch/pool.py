"""The worker pool: ``workers`` warm kernels render the jobs of a batch side by side.

Each worker thread owns one :class:`~dmaf_analysis.batch.kernels.WarmKernel` and
one set of exporters; a failing report is recorded, not fatal, and restarts the
kernel before the next report.
"""
from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tqdm.auto import tqdm

from ..errors import DmafError
from .engine import execute_job, one_line
from .export import Exporters, write_outputs
from .jobs import BatchSummary, ReportJob, ReportResult
from .kernels import WarmKernel
from .manifest import MANIFEST_NAME, Manifest, job_digest, package_fingerprint

__all__ = ["run_jobs"]

@dataclass
class _Shared:
    jobs: queue.Queue
    results: queue.Queue
    stop: threading.Event
    kernels: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _worker(shared: _Shared, digests: dict[str, str], *, timeout, recycle_after, kernel_options) -> None:

    kernel = WarmKernel(**kernel_options)
    with shared.lock:
        shared.kernels.append(kernel)
    exporters = None
    needs_restart = False
    try:
        while not shared.stop.is_set():
            try:
                job = shared.jobs.get_nowait()
            except queue.Empty:
                return
            started = time.perf_counter()
            if exporters is None:
                exporters = Exporters()
            try:
                if needs_restart or not kernel.is_alive or kernel.notebooks_run >= recycle_after:
                    kernel.restart()
                    needs_restart = False
            except Exception as exc:  # noqa: BLE001 - no kernel: fail this job and stop this worker
                shared.results.put(ReportResult(job, "failed", digests[job.key],
                                                f"kernel did not start: {type(exc).__name__}: {one_line(exc)}",
                                                time.perf_counter() - started))
                return
            t_exec = time.perf_counter()
            try:
                nb, error = execute_job(job, kernel, timeout=timeout)
            except Exception as exc:  # noqa: BLE001 - e.g. an unreadable notebook: nothing to write
                shared.results.put(ReportResult(job, "failed", digests[job.key],
                                                f"{type(exc).__name__}: {one_line(exc)}",
                                                time.perf_counter() - started))
                continue
            kernel.notebooks_run += 1
            exec_seconds = time.perf_counter() - t_exec
            if shared.stop.is_set():
                return  # interrupted: keep the previous outputs of this report, write nothing
            if error is not None:
                needs_restart = True
            try:
                write_outputs(job, nb, exporters)
            except Exception as exc:  # noqa: BLE001
                error = error or f"writing the report failed: {type(exc).__name__}: {one_line(exc)}"
            shared.results.put(ReportResult(job, "failed" if error else "rendered", digests[job.key], error,
                                            time.perf_counter() - started, exec_seconds))
    finally:
        kernel.shutdown()


def run_jobs(jobs: Sequence[ReportJob], *, output_dir: str | Path, workers: int = 2, force: bool = False,
             progress: bool = True, timeout: float | None = 600, recycle_after: int = 200,
             kernel_options: dict | None = None,
             on_result: Callable[[ReportResult], None] | None = None) -> BatchSummary:
    """Render ``jobs`` on ``workers`` warm kernels; skip unchanged ones unless ``force``.

    Parameters
    ----------
    jobs : sequence of ReportJob
        Reports to render; keys must be distinct.
    output_dir : path
        Root of the outputs; the manifest is ``output_dir/manifest.json``.
    workers : int, default 2
        Kernels run side by side (at most one per job).
    force : bool, default False
        Render every job even when its inputs are unchanged.
    progress : bool, default True
        Show a tqdm progress bar (reports done / total, time left) on stderr.
    timeout : float or None, default 600
        Seconds a single cell may run before the report fails.
    recycle_after : int, default 200
        Restart a kernel after this many reports, to bound any memory a notebook
        leaks (a kernel grows by about 0.1 MB per city report); a failed report
        always restarts it.
    kernel_options : dict, optional
        Passed to :class:`~dmaf_analysis.batch.kernels.WarmKernel` (``kernel_name``, ``cwd``,
        ``preload``).

    Returns
    -------
    BatchSummary
        One :class:`ReportResult` per job, in the order of ``jobs``.
    """

    started = time.perf_counter()
    output_dir = Path(output_dir)
    keys = [j.key for j in jobs]
    if len(set(keys)) != len(keys):
        raise ValueError("report jobs must have distinct keys")
    for job in jobs:
        if not Path(job.notebook).is_file():
            raise DmafError(f"notebook not found: {job.notebook}")
    manifest = Manifest(output_dir / MANIFEST_NAME)
    fingerprint = package_fingerprint()
    digests = {j.key: job_digest(j, fingerprint) for j in jobs}
    results: dict[str, ReportResult] = {}
    todo: list[ReportJob] = []
    for job in jobs:
        if not force and manifest.is_current(job, digests[job.key]):
            results[job.key] = ReportResult(job, "unchanged", digests[job.key])
        else:
            todo.append(job)

    shared = _Shared(jobs=queue.Queue(), results=queue.Queue(), stop=threading.Event())
    # National reports take several times as long as a city report: start them first
    # so that the workers finish together.
    for job in sorted(todo, key=lambda j: j.kind == "city"):
        shared.jobs.put(job)
    n_workers = max(1, min(int(workers), len(todo))) if todo else 0
    options = dict(kernel_options or {})
    threads = [threading.Thread(target=_worker, name=f"dmaf-worker-{i}", daemon=True, args=(shared, digests),
                                kwargs={"timeout": timeout, "recycle_after": max(1, recycle_after),
                                        "kernel_options": options})
               for i in range(n_workers)]
    bar = tqdm(total=len(jobs), initial=len(jobs) - len(todo), unit="report", desc="reports",
               disable=not progress, dynamic_ncols=True)
    pending = {j.key for j in todo}
    try:
        for t in threads:
            t.start()
        while pending:
            try:
                result = shared.results.get(timeout=0.2)
            except queue.Empty:
                if not any(t.is_alive() for t in threads) and shared.results.empty():
                    break  # every worker stopped (e.g. no kernel could start)
                continue
            pending.discard(result.job.key)
            results[result.job.key] = result
            manifest.record(result, output_dir)
            manifest.save()
            if result.status == "failed":
                bar.write(f"failed: {result.job.label}: {result.error}")
            if on_result is not None:
                on_result(result)
            bar.update(1)
    except BaseException:
        shared.stop.set()
        for k in list(shared.kernels):
            k.kill()
        raise
    finally:
        bar.close()
        shared.stop.set()
        for t in threads:
            t.join(timeout=30)
    for job in todo:  # jobs no worker could take (every kernel failed to start)
        if job.key not in results:
            result = ReportResult(job, "failed", digests[job.key], "not run: no kernel could be started")
            results[job.key] = result
            manifest.record(result, output_dir)
    if todo:
        manifest.save()
    return BatchSummary(results=[results[k] for k in keys], seconds=time.perf_counter() - started,
                        output_dir=output_dir, manifest_path=manifest.path,
                        kernel_starts=sum(k.starts for k in shared.kernels))

