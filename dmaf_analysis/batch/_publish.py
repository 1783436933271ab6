"""What a batch adds for publishing: the PDF copy of every page.

Each job carries its page's metadata (:func:`dmaf_analysis.render.page_meta`);
:func:`print_pdfs` prints every page of a run to ``<name>.pdf`` with the PDF
printer of :mod:`dmaf_analysis.render`.
"""
from __future__ import annotations

from ..render import PageInfo, write_pdfs
from ._jobs import BatchSummary, ReportJob

__all__ = ["page_info", "print_pdfs"]


def page_info(job: ReportJob) -> PageInfo:
    """The PDF footer of a job's page (:class:`dmaf_analysis.render.PageInfo`)."""
    m = job.meta or {}
    return PageInfo(title=job.title, framework=m.get("framework", ""), version=m.get("version", ""),
                    generated=m.get("generated", ""), index=m.get("index_href", ""))


def print_pdfs(summary: BatchSummary, *, workers: int = 2, force: bool = False) -> None:
    """PDF copies of every page the run produced (rendered or unchanged); sets ``summary.pdf``."""
    pages = [(r.job.html_path, page_info(r.job)) for r in summary.results
             if r.status != "failed" and r.job.html_path.is_file()]
    summary.pdf = write_pdfs(pages, workers=workers, force=force)
