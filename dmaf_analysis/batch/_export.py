"""HTML export of executed report notebooks, and the atomic writing of a report's two files.

One nbconvert exporter per worker is reused from report to report. The exporter
is nbconvert's ``HTMLExporter`` with the package's template, minus its
BeautifulSoup pass (see :func:`_accessible`).
"""
from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.exporters.templateexporter import TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbformat import NotebookNode

from .._util.fileio import atomic_path, write_text_atomic
from ..render import TEMPLATES_DIR
from ._jobs import ReportJob
from ._manifest import stale_paths

__all__ = ["Exporters", "ReportHTMLExporter", "make_exporter", "mark_stale", "needs_image_embedding",
           "remove_stale_copies", "write_failed_beside", "write_outputs"]


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


class ReportHTMLExporter(HTMLExporter):
    """nbconvert's HTMLExporter without its BeautifulSoup pass (see :func:`_accessible`).

    Nor does it validate the notebook against the nbformat schema after each of its
    preprocessors (about 20 ms per report): the notebook it is given was
    parameterised by papermill, and is validated once, when it is written
    (:func:`write_outputs`).
    """

    def _validate_preprocessor(self, nbc, preprocessor):  # noqa: ARG002 - nbconvert's signature
        return None

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


def make_exporter(*, embed_images: bool = False, fast: bool = True):
    """The HTML exporter used for every report.

    JupyterLab look, inputs and prompts hidden, and nothing loaded from the
    network (the template drops require.js, MathJax, Mermaid and widget scripts and
    adds a Content-Security-Policy). Figures produced by the kernel are always
    embedded (as data: URIs); ``embed_images=True`` also embeds images that
    markdown cells load from files, at the price of parsing the whole page.
    ``fast=False`` gives nbconvert's own HTMLExporter with the same settings.
    """
    cls = ReportHTMLExporter if fast else HTMLExporter
    return cls(template_name="lab", template_file="report.html.j2", extra_template_paths=[str(TEMPLATES_DIR)],
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

    def export(self, nb, title: str, meta: dict | None = None) -> str:
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
        view = copy.copy(nb)
        view.metadata = NotebookNode({**nb.metadata, "title": title})
        resources = {"metadata": {"name": title}}
        if meta:  # page header: framework, version, date, link to the index (report.html.j2)
            resources["dmaf"] = dict(meta)
        body, _ = exporter.from_notebook_node(view, resources=resources)
        return body


def write_outputs(job: ReportJob, nb, exporters: Exporters) -> None:
    """Write the executed notebook and its HTML, each atomically."""

    with atomic_path(job.ipynb_path) as tmp:
        nbformat.write(nb, str(tmp))
    write_text_atomic(job.html_path, exporters.export(nb, job.title, job.meta))


_STALE_BANNER = re.compile(r"<!-- dmaf-stale -->.*?<!-- /dmaf-stale -->", re.DOTALL)
_BODY_OPEN = re.compile(r"<body\b[^>]*>", re.IGNORECASE)


def mark_stale(html_path: Path, error: str, failed_page: str) -> None:
    """Put a notice at the top of a good page whose latest re-render failed (the page itself is kept).

    The notice says the page is stale, why the new render failed and where the
    failed run is; a newer notice replaces an older one.
    """
    from datetime import UTC, datetime
    from html import escape

    page = Path(html_path).read_text(encoding="utf-8")
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    banner = ("<!-- dmaf-stale --><div role=\"alert\" style=\"background:#fff4e5;border-left:4px solid #b54708;"
              "padding:8px 12px;margin:8px\"><strong>This page is stale.</strong> Rendering it again failed on "
              f"{escape(when)} ({escape(error)}); it still shows the last successful render. The failed run: "
              f"<a href=\"{escape(failed_page)}\">{escape(failed_page)}</a>.</div><!-- /dmaf-stale -->")
    page = _STALE_BANNER.sub("", page)
    match = _BODY_OPEN.search(page)
    page = page[:match.end()] + banner + page[match.end():] if match else banner + page
    write_text_atomic(html_path, page)


def write_failed_beside(job: ReportJob, nb, exporters: Exporters, error: str) -> None:
    """A failed re-render of a report with a good page: the failed run goes beside it, the page is kept.

    The executed notebook and its HTML are written to ``<name>.failed.ipynb`` and
    ``<name>.failed.html``; the good page gets a notice that it is stale
    (:func:`mark_stale`).
    """
    failed_ipynb, failed_html = stale_paths(job)
    with atomic_path(failed_ipynb) as tmp:
        nbformat.write(nb, str(tmp))
    write_text_atomic(failed_html, exporters.export(nb, f"{job.title} (failed render)"))
    mark_stale(job.html_path, error, failed_html.name)


def remove_stale_copies(job: ReportJob) -> None:
    """Remove the ``.failed`` files of an earlier failed render once the report renders again."""
    for path in stale_paths(job):
        path.unlink(missing_ok=True)
