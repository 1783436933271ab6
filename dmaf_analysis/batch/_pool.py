"""The worker pool: ``workers`` warm kernels render the jobs of a batch side by side.

Each worker thread owns one :class:`~dmaf_analysis.batch.WarmKernel` and
one set of exporters; a failing report is recorded, not fatal, and restarts the
kernel before the next report.
"""
from __future__ import annotations

import collections
import math
import queue
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tqdm.auto import tqdm

from ..errors import ArgumentError, InputFileError
from ._engine import execute_job, one_line
from ._export import Exporters, remove_stale_copies, write_failed_beside, write_outputs
from ._jobs import BatchSummary, ReportJob, ReportResult
from ._kernels import WarmKernel
from ._lock import output_lock
from ._manifest import MANIFEST_NAME, Manifest, job_digest, package_fingerprint

__all__ = ["MANIFEST_SAVE_SECONDS", "check_timeout", "run_jobs"]

#: The manifest is written when a report finishes and this many seconds have passed since it was last written,
#: and always at the end of the batch or when it is interrupted (writing it after every report cost about
#: 5 ms a report). A driver killed outright loses at most these seconds of records: those reports are
#: rendered again by the next batch.
MANIFEST_SAVE_SECONDS = 1.0


def check_timeout(timeout) -> int | None:
    """``timeout`` as a whole number of seconds (None = no limit); anything else is refused.

    2.5, NaN, infinity, 0, negative numbers and booleans raise
    :class:`~dmaf_analysis.errors.DmafError`.
    """
    if timeout is None:
        return None
    ok = (not isinstance(timeout, bool) and isinstance(timeout, (int, float))
          and math.isfinite(timeout) and float(timeout).is_integer() and timeout >= 1)
    if not ok:
        raise ArgumentError(f"timeout must be a whole number of seconds, 1 or more; got {timeout!r}")
    return int(timeout)


class _Progress:
    """The tqdm bar, on stderr; if stderr goes away (a closed pipe) the batch goes on without it."""

    def __init__(self, **kwargs):
        try:
            self.bar = tqdm(file=sys.stderr, **kwargs)
        except (OSError, ValueError):
            self.bar = tqdm(file=sys.stderr, **{**kwargs, "disable": True})

    def _safely(self, action) -> None:
        if self.bar.disable:
            return
        try:
            action()
        except (OSError, ValueError):  # BrokenPipeError, or a closed file
            self.bar.disable = True

    def write(self, text: str) -> None:
        self._safely(lambda: self.bar.write(text, file=sys.stderr))

    def update(self, n: int = 1) -> None:
        self._safely(lambda: self.bar.update(n))

    def close(self) -> None:
        try:
            self.bar.close()
        except (OSError, ValueError):
            pass


class _JobLanes:
    """The jobs left to render, in two lanes: national reports and city cards.

    The first worker takes the national reports first and the others take the cards
    first, each falling back on the other lane when its own is empty. The national
    reports (several times as long as a card, and the only ones that need the
    statistics and plotting stack) thus run one after another on one kernel, which
    alone imports that stack, while the other kernels start on the cards.
    """

    def __init__(self, jobs: Sequence[ReportJob]):
        self._lock = threading.Lock()
        self._national = collections.deque(j for j in jobs if j.kind != "city")
        self._cities = collections.deque(j for j in jobs if j.kind == "city")

    def take(self, *, national_first: bool) -> ReportJob | None:
        """The next job for a worker (None when none is left)."""
        with self._lock:
            lanes = (self._national, self._cities) if national_first else (self._cities, self._national)
            for lane in lanes:
                if lane:
                    return lane.popleft()
        return None


@dataclass
class _Shared:
    jobs: _JobLanes
    results: queue.Queue
    stop: threading.Event
    kernels: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _worker(shared: _Shared, digests: dict[str, str], *, timeout, recycle_after, kernel_options,
            good_pages: frozenset = frozenset(), national_first: bool = False) -> None:

    kernel = WarmKernel(**kernel_options)
    with shared.lock:
        shared.kernels.append(kernel)
    exporters = None
    needs_restart = False
    try:
        while not shared.stop.is_set():
            job = shared.jobs.take(national_first=national_first)
            if job is None:
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
            stale = error is not None and job.key in good_pages
            try:
                if stale:  # keep the last good page, mark it stale, put the failed run beside it
                    write_failed_beside(job, nb, exporters, error)
                else:
                    write_outputs(job, nb, exporters)
                    if error is None:
                        remove_stale_copies(job)
            except Exception as exc:  # noqa: BLE001
                error = error or f"writing the report failed: {type(exc).__name__}: {one_line(exc)}"
            shared.results.put(ReportResult(job, "failed" if error else "rendered", digests[job.key], error,
                                            time.perf_counter() - started, exec_seconds, stale=stale))
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
    timeout : int or None, default 600
        Whole seconds a single cell may run before the report fails (see
        :func:`check_timeout`).
    recycle_after : int, default 200
        Restart a kernel after this many reports, to bound any memory a notebook
        leaks (a kernel grows by about 0.1 MB per city report); a failed report
        always restarts it.
    kernel_options : dict, optional
        Passed to :class:`~dmaf_analysis.batch.WarmKernel` (``kernel_name``, ``cwd``,
        ``preload``).

    Returns
    -------
    BatchSummary
        One :class:`ReportResult` per job, in the order of ``jobs``.

    Raises
    ------
    BatchLockedError
        Another batch is rendering into ``output_dir`` (see ``_lock``).

    Notes
    -----
    A report whose re-render fails while its last page is good (rendered
    successfully and intact) keeps that page, marked stale; the failed run goes to
    ``<name>.failed.ipynb`` and ``<name>.failed.html``. Progress goes to stderr; a
    closed stderr or stdout does not stop the batch.
    """
    timeout = check_timeout(timeout)
    with output_lock(output_dir):
        return _run_jobs(jobs, output_dir=output_dir, workers=workers, force=force, progress=progress,
                         timeout=timeout, recycle_after=recycle_after, kernel_options=kernel_options,
                         on_result=on_result)


def _run_jobs(jobs, *, output_dir, workers, force, progress, timeout, recycle_after, kernel_options,
              on_result) -> BatchSummary:
    started = time.perf_counter()
    output_dir = Path(output_dir)
    keys = [j.key for j in jobs]
    if len(set(keys)) != len(keys):
        raise ValueError("report jobs must have distinct keys")
    for job in jobs:
        if not Path(job.notebook).is_file():
            raise InputFileError(f"notebook not found: {job.notebook}")
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
    good_pages = frozenset(j.key for j in todo if manifest.has_good_page(j))

    # National reports take several times as long as a city report: the first worker starts with them, the
    # others with the cards, so that the workers finish together (see _JobLanes).
    shared = _Shared(jobs=_JobLanes(todo), results=queue.Queue(), stop=threading.Event())
    n_workers = max(1, min(int(workers), len(todo))) if todo else 0
    options = dict(kernel_options or {})
    threads = [threading.Thread(target=_worker, name=f"dmaf-worker-{i}", daemon=True, args=(shared, digests),
                                kwargs={"timeout": timeout, "recycle_after": max(1, recycle_after),
                                        "kernel_options": options, "good_pages": good_pages,
                                        "national_first": i == 0})
               for i in range(n_workers)]
    bar = _Progress(total=len(jobs), initial=len(jobs) - len(todo), unit="report", desc="reports",
                    disable=not progress, dynamic_ncols=True)
    pending = {j.key for j in todo}
    interrupted = False
    last_save = time.monotonic()
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
            if time.monotonic() - last_save >= MANIFEST_SAVE_SECONDS:
                manifest.save()
                last_save = time.monotonic()
            if result.status == "failed":
                bar.write(f"failed: {result.job.label}: {result.error}")
            if on_result is not None:
                on_result(result)
            bar.update(1)
    except BaseException:
        interrupted = True
        shared.stop.set()
        for k in list(shared.kernels):
            k.kill()
            k.remove_files()  # the connection files (with the kernel's key) go at once
        try:  # what was rendered before the interruption is not rendered again next time
            manifest.save()
        except Exception:  # noqa: BLE001 - the interruption is what the caller must see
            pass
        raise
    finally:
        bar.close()
        shared.stop.set()
        for t in threads:  # killed kernels: do not wait long for the workers to notice
            t.join(timeout=5 if interrupted else 30)
        if any(t.is_alive() for t in threads):  # a worker still waiting on a dead kernel
            for k in list(shared.kernels):
                k.kill()
                k.remove_files()
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

