"""The batch engine: render many report notebooks quickly and safely.

One driver process renders every report. Each report notebook is parameterised
with papermill (its ``parameters`` cell, the injected-parameters cell and the
``papermill`` metadata of the output notebook are exactly papermill's), executed
with papermill's nbclient engine on a *warm* kernel (see
:mod:`dmaf_analysis.kernels`) that is reused from one report to the next, and
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
"""
from __future__ import annotations

import copy
import hashlib
import json
import queue
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from html import escape as _escape_html
from pathlib import Path

from ._paths import (PROJECT_ROOT, bundled_city_attributes_path, bundled_scores_path, cities_path, data_dir,
                     frameworks_dir)
from .errors import DmafError, UnknownCityError
from .io import atomic_path, write_text_atomic
from .slug import unique_slugs

#: Bumped when the engine's output changes in a way that should re-render reports.
ENGINE_FORMAT = "dmaf-batch-1"
#: Name under which the warm-kernel engine is registered with papermill.
ENGINE_NAME = "dmaf_warm"
MANIFEST_NAME = "manifest.json"

NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
CITY_NOTEBOOK = NOTEBOOKS_DIR / "city_report.ipynb"
OVERVIEW_NOTEBOOK = NOTEBOOKS_DIR / "national_overview.ipynb"
TRENDS_NOTEBOOK = NOTEBOOKS_DIR / "national_trends.ipynb"

_TEMPLATES = Path(__file__).resolve().parent / "templates"


class CityNotInDataError(UnknownCityError):
    """A Smart City that has no scores in the requested cycle of the data."""

    def __init__(self, name: str, cycle: int, source: str, suggestions: list[str]):
        self.name = name
        self.cycle = cycle
        self.suggestions = list(suggestions)
        hint = f"; closest cities with data: {', '.join(self.suggestions)}" if self.suggestions else ""
        DmafError.__init__(self, f"{name} has no scores in cycle {cycle} of {source}{hint}")


# ------------------------------------------------------------------------ jobs and results
@dataclass(frozen=True)
class ReportJob:
    """One notebook to render into one ``.ipynb`` and one ``.html`` file.

    ``key`` identifies the report in the manifest (``cities/<slug>/cycle-<N>``);
    ``data_files`` are the files whose content the digest covers.
    """

    key: str
    kind: str  # "city", "overview" or "trends"
    label: str
    title: str
    notebook: Path
    parameters: dict
    ipynb_path: Path
    html_path: Path
    data_files: tuple[Path, ...] = ()


@dataclass
class ReportResult:
    """What happened to one :class:`ReportJob`.

    ``status`` is ``"rendered"``, ``"unchanged"`` (skipped: same inputs as the
    last successful render) or ``"failed"``; ``error`` is a one-line message
    (``"ValueError: ..."``) when failed; ``seconds`` is the time spent on it
    (reset, execution, export and writing).
    """

    job: ReportJob
    status: str
    digest: str
    error: str | None = None
    seconds: float = 0.0
    execute_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status != "failed"


@dataclass
class BatchSummary:
    """Results of :func:`render_batch` (or :func:`run_jobs`)."""

    results: list[ReportResult]
    seconds: float
    output_dir: Path
    cycle: int | None = None
    index_path: Path | None = None
    manifest_path: Path | None = None
    kernel_starts: int = 0

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def failed(self) -> list[ReportResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def text(self) -> str:
        """A short human summary (what the CLI prints at the end)."""
        total = len(self.results)
        lines = [f"{total} report{'s' if total != 1 else ''} in {self.seconds:.1f} s: "
                 f"{self.count('rendered')} rendered, {self.count('unchanged')} unchanged (skipped), "
                 f"{len(self.failed)} failed"]
        for r in self.failed:
            lines.append(f"  FAILED {r.job.label}: {r.error}  (see {r.job.html_path})")
        if self.index_path is not None:
            lines.append(f"index: {self.index_path}  ({Path(self.index_path).resolve().as_uri()})")
        return "\n".join(lines)


# ---------------------------------------------------------------------------- digests
def _file_digest(path: Path, _cache: dict = {}) -> str:  # noqa: B006 - deliberate per-process cache
    path = Path(path).resolve()
    try:
        st = path.stat()
    except OSError:
        return "missing"
    key = (str(path), st.st_mtime_ns, st.st_size)
    if key not in _cache:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        _cache[key] = h.hexdigest()
    return _cache[key]


def package_fingerprint() -> str:
    """Version of the package plus a digest of its sources, templates and bundled data definitions.

    Any change to the code or to the framework definitions changes the
    fingerprint, so reports are re-rendered after an upgrade or an edit.
    """
    from . import __version__

    pkg = Path(__file__).resolve().parent
    # the data files every report reads besides the score tables: frameworks, cities, recommendations
    files = sorted([*pkg.glob("*.py"), *_TEMPLATES.glob("*.j2"), *frameworks_dir().glob("*.yaml"),
                    *data_dir().glob("*.yaml"), cities_path()])
    h = hashlib.sha256(f"{ENGINE_FORMAT}|{__version__}".encode())
    for f in files:
        h.update(f.name.encode())
        h.update(_file_digest(f).encode())
    return f"{__version__}+{h.hexdigest()[:16]}"


def job_digest(job: ReportJob, fingerprint: str | None = None) -> str:
    """Digest of everything a report depends on: notebook, data files, parameters, package."""
    h = hashlib.sha256()
    h.update((fingerprint or package_fingerprint()).encode())
    h.update(_file_digest(job.notebook).encode())
    for f in job.data_files:
        h.update(b"|" + _file_digest(f).encode())
    h.update(json.dumps(job.parameters, sort_keys=True, default=str).encode())
    return h.hexdigest()


# --------------------------------------------------------------------------- manifest
class Manifest:
    """The record of rendered reports: ``<output_dir>/manifest.json``, written atomically."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.entries: dict[str, dict] = {}
        if self.path.exists():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                if isinstance(data, dict) and isinstance(data.get("entries"), dict):
                    self.entries = data["entries"]
            except (OSError, ValueError):
                self.entries = {}  # unreadable: render everything again

    def is_current(self, job: ReportJob, digest: str) -> bool:
        entry = self.entries.get(job.key)
        return bool(entry and entry.get("digest") == digest and entry.get("status") == "ok"
                    and job.ipynb_path.exists() and job.html_path.exists())

    def record(self, result: ReportResult, root: Path) -> None:
        job = result.job
        self.entries[job.key] = {
            "kind": job.kind,
            "label": job.label,
            "status": "failed" if result.status == "failed" else "ok",
            "error": result.error,
            "digest": result.digest,
            "ipynb": _relative(job.ipynb_path, root),
            "html": _relative(job.html_path, root),
            "seconds": round(result.seconds, 3),
            "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }

    def save(self) -> None:
        from . import __version__

        data = {"format": ENGINE_FORMAT, "package_version": __version__,
                "entries": dict(sorted(self.entries.items()))}
        write_text_atomic(self.path, json.dumps(data, indent=1, ensure_ascii=False) + "\n")


def _relative(path: Path, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return str(path)


# ----------------------------------------------------------------- papermill engine
_engine_lock = threading.Lock()


def _register_engine() -> None:
    """Register the warm-kernel engine with papermill (once)."""
    from papermill.engines import papermill_engines

    with _engine_lock:
        if ENGINE_NAME in papermill_engines._engines:  # noqa: SLF001 - papermill has no public lookup
            return
        from papermill.clientwrap import PapermillNotebookClient
        from papermill.engines import NBClientEngine
        from papermill.log import logger

        class WarmKernelEngine(NBClientEngine):
            """papermill's nbclient engine on a kernel that outlives the notebook.

            The caller passes ``km`` (a running kernel manager) and ``kc`` (a
            ready client of that kernel, whose channels stay open between
            notebooks and are closed when the kernel stops). Given both, nbclient
            neither starts nor stops anything: it only sends the cells.
            """

            @classmethod
            def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                         stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
                km = kwargs.pop("km")
                kc = kwargs.pop("kc")
                kwargs.pop("input_path", None)
                client = PapermillNotebookClient(
                    nb_man, km=km, timeout=execution_timeout, startup_timeout=start_timeout,
                    kernel_name=kernel_name, log=logger, log_output=log_output,
                    stdout_file=stdout_file, stderr_file=stderr_file, **kwargs)
                client.kc = kc
                try:
                    return client.execute()
                finally:
                    client.kc = None  # the kernel's client, not nbclient's to close

        papermill_engines.register(ENGINE_NAME, WarmKernelEngine)


_IMG_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\balt\s*=)", re.IGNORECASE)
_FOCUSABLE_DIV = re.compile(r'(<div class="(?:[^"<>]*\s)?(?:jp-OutputArea-output|jp-Cell-inputWrapper)(?:\s[^"<>]*)?")')
_NO_ALT_TEXT = "No description has been provided for this image"


def _accessible(html: str) -> str:
    """What nbconvert's HTMLExporter adds with BeautifulSoup, done with two regexes.

    Images without alternative text get nbconvert's placeholder text, and cells and
    output areas become focusable (``tabindex="0"``) so that wide tables can be scrolled
    with the keyboard. Parsing and re-serialising a whole report with
    BeautifulSoup costs about 0.1 s, a fifth of a report's rendering time.
    """
    html = _IMG_WITHOUT_ALT.sub(f'<img alt="{_NO_ALT_TEXT}"', html)
    return _FOCUSABLE_DIV.sub(r'\1 tabindex="0"', html)


@lru_cache(maxsize=1)
def _exporter_class():
    from nbconvert import HTMLExporter

    try:
        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.highlight import Highlight2HTML
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
    except ImportError:  # pragma: no cover - another nbconvert layout: use it as it is
        return HTMLExporter
    if not hasattr(HTMLExporter, "_init_resources"):  # pragma: no cover
        return HTMLExporter

    class ReportHTMLExporter(HTMLExporter):
        """nbconvert's HTMLExporter without its BeautifulSoup pass (see :func:`_accessible`)."""

        def from_notebook_node(self, nb, resources=None, **kw):
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight_code = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
            resources = self._init_resources(resources)
            filter_data_type = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self,
                                                     resources=resources)
            self.register_filter("highlight_code", highlight_code)
            self.register_filter("filter_data_type", filter_data_type)
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            self._nb_metadata.clear()  # keyed by report title: would grow by one entry per report
            return _accessible(html), resources

    return ReportHTMLExporter


def make_exporter(*, embed_images: bool = False, fast: bool = True):
    """The HTML exporter used for every report.

    JupyterLab look, inputs and prompts hidden, and nothing loaded from the
    network (the template drops require.js, MathJax, Mermaid and widget scripts and
    adds a Content-Security-Policy). Figures produced by the kernel are always
    embedded (as data: URIs); ``embed_images=True`` also embeds images that
    markdown cells load from files, at the price of parsing the whole page.
    ``fast=False`` gives nbconvert's own HTMLExporter with the same settings.
    """
    from nbconvert import HTMLExporter

    cls = _exporter_class() if fast else HTMLExporter
    return cls(template_name="lab", template_file="report.html.j2", extra_template_paths=[str(_TEMPLATES)],
               exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
               embed_images=embed_images)


_LINKED_IMAGE = re.compile(r"!\[[^\]]*\]\((?!data:)|<img\b(?![^>]*\bsrc\s*=\s*[\"']?data:)", re.IGNORECASE)


def needs_image_embedding(nb) -> bool:
    """True when a markdown cell shows an image from a file (which must be embedded)."""
    return any(cell.cell_type == "markdown" and _LINKED_IMAGE.search(cell.source) for cell in nb.cells)


class Exporters:
    """One reusable HTML exporter per worker (a second one, embedding images, made on demand)."""

    def __init__(self):
        self._plain = None
        self._embedding = None

    def export(self, nb, title: str) -> str:
        if needs_image_embedding(nb):
            if self._embedding is None:
                self._embedding = make_exporter(embed_images=True)
            exporter = self._embedding
        else:
            if self._plain is None:
                self._plain = make_exporter()
            exporter = self._plain
        # The page title names the report (a notebook's own metadata title would
        # give every city's page the same one); the notebook itself is unchanged.
        from nbformat import NotebookNode

        view = copy.copy(nb)
        view.metadata = NotebookNode({**nb.metadata, "title": title})
        body, _ = exporter.from_notebook_node(view, resources={"metadata": {"name": title}})
        return body


_notebook_cache: dict = {}
_notebook_lock = threading.Lock()


def _load_notebook(path: Path):
    """Parsed notebook (papermill's loader), cached by path and modification time.

    Treat the result as read-only: papermill's ``parameterize_notebook`` copies it.
    """
    from papermill.iorw import load_notebook_node

    st = Path(path).stat()
    key = (str(Path(path).resolve()), st.st_mtime_ns, st.st_size)
    with _notebook_lock:
        nb = _notebook_cache.get(key)
        if nb is None:
            nb = load_notebook_node(str(path))
            if len(_notebook_cache) > 16:
                _notebook_cache.clear()
            _notebook_cache[key] = nb
    return nb


def _one_line(text: object, limit: int = 300) -> str:
    plain = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", str(text or "")).strip()
    line = plain.splitlines()[0] if plain else ""
    return line if len(line) <= limit else line[: limit - 1] + "\u2026"


def execute_job(job: ReportJob, kernel, *, timeout: float | None = None, start_timeout: float = 60):
    """Execute ``job``'s notebook on a warm kernel; return ``(notebook, error or None)``.

    The notebook is parameterised and annotated by papermill exactly as
    ``papermill.execute_notebook`` does; on an error the notebook keeps its
    outputs up to the failing cell and gets papermill's error markers.
    """
    import nbformat
    from papermill.engines import papermill_engines
    from papermill.exceptions import PapermillExecutionError
    from papermill.execute import prepare_notebook_metadata, raise_for_execution_errors, remove_error_markers
    from papermill.parameterize import parameterize_notebook

    _register_engine()
    nb = copy.deepcopy(_load_notebook(job.notebook))
    nb = parameterize_notebook(nb, job.parameters, report_mode=False, kernel_name=kernel.kernel_name)
    nb = prepare_notebook_metadata(nb, str(job.notebook), str(job.ipynb_path))
    nb = remove_error_markers(nb)
    error = None
    try:
        kernel.reset()
        nb = papermill_engines.execute_notebook_with_engine(
            ENGINE_NAME, nb, kernel_name=kernel.kernel_name, input_path=str(job.notebook), output_path=None,
            progress_bar=False, log_output=False, start_timeout=start_timeout, execution_timeout=timeout,
            km=kernel.km, kc=kernel.client)
    except Exception as exc:  # noqa: BLE001 - dead kernel, timeout, set-up failure: record, go on
        error = f"{type(exc).__name__}: {_one_line(exc) or 'no message'}"
    try:
        raise_for_execution_errors(nb, None)
    except PapermillExecutionError as exc:
        error = error or f"{exc.ename}: {_one_line(exc.evalue) or 'no message'}"
    else:
        if error is not None:  # no cell carries the error: say so at the top
            cell = nbformat.v4.new_markdown_cell(
                f"**This report could not be completed.** <code>{_escape_html(error)}</code>")
            cell.metadata["tags"] = ["papermill-error-cell-tag"]
            nb.cells.insert(0, cell)
    return nb, error


def write_outputs(job: ReportJob, nb, exporters: Exporters) -> None:
    """Write the executed notebook and its HTML, each atomically."""
    import nbformat

    with atomic_path(job.ipynb_path) as tmp:
        nbformat.write(nb, str(tmp))
    write_text_atomic(job.html_path, exporters.export(nb, job.title))


# ------------------------------------------------------------------------------ engine
@dataclass
class _Shared:
    jobs: queue.Queue
    results: queue.Queue
    stop: threading.Event
    kernels: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _worker(shared: _Shared, digests: dict[str, str], *, timeout, recycle_after, kernel_options) -> None:
    from .kernels import WarmKernel

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
                                                f"kernel did not start: {type(exc).__name__}: {_one_line(exc)}",
                                                time.perf_counter() - started))
                return
            t_exec = time.perf_counter()
            try:
                nb, error = execute_job(job, kernel, timeout=timeout)
            except Exception as exc:  # noqa: BLE001 - e.g. an unreadable notebook: nothing to write
                shared.results.put(ReportResult(job, "failed", digests[job.key],
                                                f"{type(exc).__name__}: {_one_line(exc)}",
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
                error = error or f"writing the report failed: {type(exc).__name__}: {_one_line(exc)}"
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
        Passed to :class:`~dmaf_analysis.kernels.WarmKernel` (``kernel_name``, ``cwd``,
        ``preload``).

    Returns
    -------
    BatchSummary
        One :class:`ReportResult` per job, in the order of ``jobs``.
    """
    from tqdm.auto import tqdm

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


# ------------------------------------------------------------------- planning reports
@dataclass(frozen=True)
class _Inputs:
    """The data a batch reads, as given by the user and as resolved."""

    scores_param: str      # passed to notebooks ("" = bundled)
    attributes_param: str  # passed to notebooks ("" = none, or bundled with bundled scores)
    data_files: tuple[Path, ...]
    label: str


def _inputs(scores_path, attributes_path) -> _Inputs:
    scores = Path(scores_path).resolve() if scores_path else None
    attributes = Path(attributes_path).resolve() if attributes_path else None
    for p in (scores, attributes):
        if p is not None and not p.is_file():
            raise DmafError(f"{p}: no such file")
    files = [scores or bundled_scores_path()]
    if attributes is not None:
        files.append(attributes)
    elif scores is None and bundled_city_attributes_path().exists():
        files.append(bundled_city_attributes_path())
    label = scores.name if scores else "bundled data/scores.csv"
    return _Inputs(str(scores or ""), str(attributes or ""), tuple(files), label)


def _load(inputs: _Inputs):
    from .dataset import load_dataset

    if not inputs.scores_param and not bundled_scores_path().exists():
        raise DmafError(f"the bundled score table {bundled_scores_path()} is missing; pass --data FILE")
    return load_dataset(inputs.scores_param or None, inputs.attributes_param or None)


def _slugs(dataset) -> dict[str, str]:
    return unique_slugs(dataset.cities["city"])


def city_job(city: str, cycle: int, *, inputs: _Inputs, output_dir: Path, slug: str,
             notebook: Path = CITY_NOTEBOOK) -> ReportJob:
    """The job that renders one city's report for one cycle."""
    city_dir = output_dir / "cities" / slug
    return ReportJob(
        key=f"cities/{slug}/cycle-{cycle}", kind="city", label=city,
        title=f"{city}: DMAF report, cycle {cycle}", notebook=Path(notebook),
        parameters={"city": city, "cycle": int(cycle), "scores_path": inputs.scores_param,
                    "attributes_path": inputs.attributes_param, "output_dir": str(city_dir.resolve())},
        ipynb_path=city_dir / f"cycle-{cycle}.ipynb", html_path=city_dir / f"cycle-{cycle}.html",
        data_files=inputs.data_files)


def _national_jobs(dataset, cycle: int, *, inputs: _Inputs, output_dir: Path, overview_notebook: Path | None,
                   trends_notebook: Path | None) -> list[ReportJob]:
    national = output_dir / "national"
    common = {"scores_path": inputs.scores_param, "attributes_path": inputs.attributes_param,
              "output_dir": str(national.resolve())}
    jobs = []
    if overview_notebook is not None and Path(overview_notebook).is_file():
        jobs.append(ReportJob(
            key=f"national/overview-cycle-{cycle}", kind="overview", label=f"National overview, cycle {cycle}",
            title=f"DMAF national overview, cycle {cycle}", notebook=Path(overview_notebook),
            parameters={"cycle": cycle, **common},
            ipynb_path=national / f"overview-cycle-{cycle}.ipynb",
            html_path=national / f"overview-cycle-{cycle}.html", data_files=inputs.data_files))
    earlier = [c for c in dataset.cycles if c < cycle]
    if trends_notebook is not None and Path(trends_notebook).is_file() and earlier:
        a, b = earlier[-1], cycle
        jobs.append(ReportJob(
            key=f"national/trends-cycle-{a}-to-{b}", kind="trends", label=f"National trends, cycles {a} to {b}",
            title=f"DMAF national trends, cycles {a} to {b}", notebook=Path(trends_notebook),
            parameters={"cycle_from": a, "cycle_to": b, **common},
            ipynb_path=national / f"trends-cycle-{a}-to-{b}.ipynb",
            html_path=national / f"trends-cycle-{a}-to-{b}.html", data_files=inputs.data_files))
    return jobs


def require_city_in_data(name: str, dataset, cycle: int) -> str:
    """Canonical name of ``name`` if it has scores in ``cycle``; else a clear error with suggestions."""
    from .cities import CityMatcher

    in_cycle = dataset.scored.loc[dataset.scored["cycle"] == cycle, "city"].unique().tolist()
    present = dataset.cities[dataset.cities["city"].isin(in_cycle)]
    matcher_all = CityMatcher(dataset.cities)
    canonical = matcher_all.resolve(name)
    near = CityMatcher(present).suggest(name) if len(present) else []
    if canonical is None:
        raise UnknownCityError(str(name), near)
    if canonical not in in_cycle:
        raise CityNotInDataError(canonical, cycle, dataset.scores_path or "the data", near)
    return canonical


def render_city_report(city: str, *, cycle: int = 0, scores_path=None, attributes_path=None,
                       output_dir: str | Path = "outputs", force: bool = False, notebook: str | Path | None = None,
                       progress: bool = False, timeout: float | None = 600,
                       kernel_options: dict | None = None) -> BatchSummary:
    """Render one city's report to ``<output_dir>/cities/<slug>/cycle-<N>.ipynb`` and ``.html``.

    Raises
    ------
    UnknownCityError
        ``city`` is not a Smart City, or (:class:`CityNotInDataError`) has no
        scores in that cycle; the message names the closest cities with data.
    """
    inputs = _inputs(scores_path, attributes_path)
    dataset = _load(inputs)
    cycle = dataset.resolve_cycle(cycle)
    canonical = require_city_in_data(city, dataset, cycle)
    output_dir = Path(output_dir)
    job = city_job(canonical, cycle, inputs=inputs, output_dir=output_dir, slug=_slugs(dataset)[canonical],
                   notebook=Path(notebook) if notebook else CITY_NOTEBOOK)
    summary = run_jobs([job], output_dir=output_dir, workers=1, force=force, progress=progress,
                       timeout=timeout, kernel_options=kernel_options)
    summary.cycle = cycle
    return summary


def render_batch(*, scores_path=None, attributes_path=None, cycle: int = 0, output_dir: str | Path = "outputs",
                 workers: int = 2, force: bool = False, progress: bool = True, cities: Iterable[str] | None = None,
                 city_notebook: str | Path | None = None, overview_notebook: str | Path | None = OVERVIEW_NOTEBOOK,
                 trends_notebook: str | Path | None = TRENDS_NOTEBOOK, timeout: float | None = 600,
                 recycle_after: int = 200, kernel_options: dict | None = None) -> BatchSummary:
    """Render every city of a cycle, the national reports, and ``<output_dir>/index.html``.

    Parameters
    ----------
    scores_path, attributes_path : path, optional
        Score table and city attribute table (default: the bundled data).
    cycle : int, default 0
        Cycle to render; 0 means the latest in the data.
    output_dir : path, default "outputs"
        Root of the outputs: ``cities/<slug>/cycle-<N>.{ipynb,html}``,
        ``national/*.{ipynb,html}``, ``index.html``, ``manifest.json``.
    workers : int, default 2
        Kernels executing reports side by side.
    force : bool, default False
        Re-render reports whose inputs are unchanged.
    cities : iterable of str, optional
        Render only these cities (names matched through aliases); default all
        cities with scores in the cycle. The index lists the cities rendered.
    city_notebook, overview_notebook, trends_notebook : path, optional
        Notebooks to use; a national notebook that does not exist (or ``None``)
        is left out, and the trends report needs an earlier cycle in the data.

    Returns
    -------
    BatchSummary
        ``exit_code`` is 1 when any report failed.
    """
    inputs = _inputs(scores_path, attributes_path)
    dataset = _load(inputs)
    cycle = dataset.resolve_cycle(cycle)
    output_dir = Path(output_dir)
    scored = dataset.scored[dataset.scored["cycle"] == cycle]
    if cities is None:
        names = sorted(scored["city"].unique().tolist())
    else:
        names = sorted({require_city_in_data(c, dataset, cycle) for c in cities})
    slugs = _slugs(dataset)
    notebook = Path(city_notebook) if city_notebook else CITY_NOTEBOOK
    jobs = [city_job(c, cycle, inputs=inputs, output_dir=output_dir, slug=slugs[c], notebook=notebook)
            for c in names]
    jobs += _national_jobs(dataset, cycle, inputs=inputs, output_dir=output_dir,
                           overview_notebook=Path(overview_notebook) if overview_notebook else None,
                           trends_notebook=Path(trends_notebook) if trends_notebook else None)
    summary = run_jobs(jobs, output_dir=output_dir, workers=workers, force=force, progress=progress,
                       timeout=timeout, recycle_after=recycle_after, kernel_options=kernel_options)
    summary.cycle = cycle
    summary.index_path = write_index(summary, dataset, cycle, data_label=inputs.label)
    return summary


def write_index(summary: BatchSummary, dataset, cycle: int, *, data_label: str = "") -> Path:
    """Write ``<output_dir>/index.html`` for the results of a batch (atomically)."""
    from . import __version__
    from .index_page import IndexLink, render_index

    output_dir = summary.output_dir
    manifest = Manifest(output_dir / MANIFEST_NAME)
    scored = dataset.scored[dataset.scored["cycle"] == cycle].set_index("city")
    fw = dataset.frameworks.get(cycle)
    n_indicators = len(fw.indicator_ids) if fw is not None else None
    level_order = {name: i for i, name in enumerate(fw.levels["level"])} if fw is not None else {}
    rows, national = [], []
    for r in summary.results:
        job = r.job
        entry = manifest.entries.get(job.key, {})
        status = "failed" if r.status == "failed" else "ok"
        href = _relative(job.html_path, output_dir)
        if job.kind == "city":
            rec = scored.loc[job.label] if job.label in scored.index else {}
            rows.append({"city": job.label, "state": rec.get("state", ""), "overall": rec.get("overall"),
                         "rank": rec.get("rank"), "level": rec.get("level"), "status": status,
                         "error": r.error or entry.get("error"), "href": href,
                         "n_synthetic": rec.get("n_synthetic"),
                         # values present: a city all of whose present values are synthetic is "synthetic"
                         "n_indicators": (n_indicators - int(rec.get("n_missing", 0))
                                          if n_indicators is not None and len(rec) else n_indicators)})
        else:
            national.append(IndexLink(job.label, href, status))
    html = render_index(rows, cycle=cycle, data_label=data_label, synthetic_share=dataset.synthetic_share(cycle),
                        national=national, level_order=level_order, version=__version__)
    return write_text_atomic(output_dir / "index.html", html)
