"""What a batch adds for publishing: each page's metadata and its PDF copy.

:func:`page_meta` is what every page says about itself (framework, toolkit
version, generation date, link back to the index: the page header of
``report.html.j2`` and the PDF footer); :func:`print_pdfs` prints every page of
a run to ``<name>.pdf`` with :mod:`dmaf_analysis.pdf`.
"""
from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from .jobs import BatchSummary, ReportJob

__all__ = ["page_info", "page_meta", "print_pdfs"]


def page_meta(dataset, cycle: int, *, kind: str, html_path: Path, output_dir: Path, index: bool = True) -> dict:
    """Framework name, toolkit version, generation date (UTC) and the index link relative to the page."""
    from .. import __version__

    fw = dataset.frameworks.get(int(cycle)) if dataset is not None else None
    meta = {"kind": kind, "framework": fw.name if fw is not None else "", "version": __version__,
            "generated": datetime.now(UTC).strftime("%Y-%m-%d")}
    if index:
        meta["index_href"] = Path(os.path.relpath(Path(output_dir) / "index.html", Path(html_path).parent)).as_posix()
    return meta


def page_info(job: ReportJob):
    """The PDF footer of a job's page (:class:`dmaf_analysis.pdf.PageInfo`)."""
    from ..pdf import PageInfo

    m = job.meta or {}
    return PageInfo(title=job.title, framework=m.get("framework", ""), version=m.get("version", ""),
                    generated=m.get("generated", ""), index=m.get("index_href", ""))


def print_pdfs(summary: BatchSummary, *, workers: int = 2, force: bool = False) -> None:
    """PDF copies of every page the run produced (rendered or unchanged); sets ``summary.pdf``."""
    from ..pdf import write_pdfs

    pages = [(r.job.html_path, page_info(r.job)) for r in summary.results
             if r.status != "failed" and r.job.html_path.is_file()]
    summary.pdf = write_pdfs(pages, workers=workers, force=force)
