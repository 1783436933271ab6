"""papermill's nbclient engine on a warm kernel, and the execution of one report job.

The notebook is parameterised and annotated by papermill exactly as
``papermill.execute_notebook`` does, then executed on a
:class:`~dmaf_analysis.batch.WarmKernel` that outlives the notebook.
"""
from __future__ import annotations

import copy
import re
import threading
from html import escape as _escape_html
from pathlib import Path

import nbformat
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.exceptions import PapermillExecutionError
from papermill.execute import prepare_notebook_metadata, raise_for_execution_errors, remove_error_markers
from papermill.iorw import load_notebook_node
from papermill.log import logger
from papermill.parameterize import parameterize_notebook

from ._jobs import ReportJob

__all__ = ["ENGINE_NAME", "INJECTED_CELL_ID", "WarmKernelEngine", "execute_job", "one_line"]

#: Name under which the warm-kernel engine is registered with papermill.
ENGINE_NAME = "dmaf_warm"


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


_engine_lock = threading.Lock()


def _register_engine() -> None:
    """Register the warm-kernel engine with papermill (once)."""
    with _engine_lock:
        if ENGINE_NAME not in papermill_engines._engines:  # noqa: SLF001 - papermill has no public lookup
            papermill_engines.register(ENGINE_NAME, WarmKernelEngine)


_notebook_cache: dict = {}
_notebook_lock = threading.Lock()


def _load_notebook(path: Path):
    """Parsed notebook (papermill's loader), cached by path and modification time.

    Treat the result as read-only: :func:`execute_job` works on a deep copy (papermill's
    ``parameterize_notebook`` changes the notebook it is given).
    """
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


def one_line(text: object, limit: int = 300) -> str:
    """The first line of ``text`` without terminal colour codes, cut to ``limit`` characters."""
    plain = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", str(text or "")).strip()
    line = plain.splitlines()[0] if plain else ""
    return line if len(line) <= limit else line[: limit - 1] + "\u2026"


#: The id of papermill's injected-parameters cell in every report (papermill draws a random one).
INJECTED_CELL_ID = "injected-parameters"


def _fix_injected_cell_id(nb) -> None:
    """Give papermill's injected-parameters cell a fixed id, so that the same inputs give the same page.

    papermill makes the cell with ``nbformat.v4.new_code_cell``, which draws a
    random id; the id reaches the HTML (``id="cell-id=..."``), so every
    re-render changed every page. The id is kept when another cell already has it.
    """
    ids = {cell.get("id") for cell in nb.cells}
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []) and INJECTED_CELL_ID not in ids:
            cell["id"] = INJECTED_CELL_ID
            return


def execute_job(job: ReportJob, kernel, *, timeout: float | None = None, start_timeout: float = 60):
    """Execute ``job``'s notebook on a warm kernel; return ``(notebook, error or None)``.

    The notebook is parameterised and annotated by papermill exactly as
    ``papermill.execute_notebook`` does; on an error the notebook keeps its
    outputs up to the failing cell and gets papermill's error markers.
    """
    _register_engine()
    nb = copy.deepcopy(_load_notebook(job.notebook))
    nb = parameterize_notebook(nb, job.parameters, report_mode=False, kernel_name=kernel.kernel_name)
    _fix_injected_cell_id(nb)
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
        error = f"{type(exc).__name__}: {one_line(exc) or 'no message'}"
    try:
        raise_for_execution_errors(nb, None)
    except PapermillExecutionError as exc:
        error = error or f"{exc.ename}: {one_line(exc.evalue) or 'no message'}"
    else:
        if error is not None:  # no cell carries the error: say so at the top
            cell = nbformat.v4.new_markdown_cell(
                f"**This report could not be completed.** <code>{_escape_html(error)}</code>")
            cell.metadata["tags"] = ["papermill-error-cell-tag"]
            nb.cells.insert(0, cell)
    return nb, error
