"""What a batch adds for publishing: the PDF copy of every page.

Each job carries its page's metadata (:func:`dmaf_analysis.render.page_meta`);
:func:`print_pdfs` prints every page of a run to ``<name>.pdf`` with the PDF
printer of :mod:`dmaf_analysis.render`.
"""
from __future__ import annotations

from ..render import PageInfo, write_pdfs
from ._jobs import BatchSummary, ReportJob
from ._manifest import MANIFEST_NAME, Manifest

__all__ = ["page_info", "print_pdfs"]


def page_info(job: ReportJob) -> PageInfo:
    """The PDF footer of a job's page (:class:`dmaf_analysis.render.PageInfo`)."""
    m = job.meta or {}
    return PageInfo(title=job.title, framework=m.get("framework", ""), version=m.get("version", ""),
                    generated=m.get("generated", ""), index=m.get("index_href", ""))


def print_pdfs(summary: BatchSummary, *, workers: int = 2, force: bool = False) -> None:
    """PDF copies of every page the run produced (rendered or unchanged); sets ``summary.pdf``.

    A PDF is up to date when the manifest's digests say it was printed from the
    page as it is now and has not changed since (the rule pages follow), and it
    is complete (ends with ``%%EOF``); the others are printed, and their digests
    recorded.
    """
    jobs = {r.job.html_path: r.job for r in summary.results if r.status != "failed" and r.job.html_path.is_file()}
    pages = [(path, page_info(job)) for path, job in jobs.items()]
    manifest = Manifest(summary.output_dir / MANIFEST_NAME)
    summary.pdf = write_pdfs(pages, workers=workers, force=force,
                             is_current=lambda html, _pdf: manifest.pdf_is_current(jobs[html]))
    written = {p.with_suffix(".html") for p in summary.pdf.written}
    if written:
        for path in written & set(jobs):
            manifest.record_pdf(jobs[path])
        manifest.save()
