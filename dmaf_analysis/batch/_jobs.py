"""The job model of a batch: one report to render, what happened to it, and the summary of a run."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["BatchSummary", "ReportJob", "ReportResult"]


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
    #: What the page header and the PDF footer say (framework, version, date, index link); not digested.
    meta: dict = field(default_factory=dict, compare=False, hash=False)


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
    #: A failed re-render that kept the last good page (marked stale); the failed
    #: run went to ``<name>.failed.ipynb`` / ``.failed.html``.
    stale: bool = False

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
    pdf: object = None  # a dmaf_analysis.render.PdfRun when PDFs were asked for
    explore_path: Path | None = None  # the explorer page of the cycle (dmaf_analysis.explore)
    explore_error: str = ""  # why the explorer page was not written

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
            if r.stale:
                failed_html = r.job.html_path.with_name(r.job.html_path.stem + ".failed.html")
                lines.append(f"  FAILED {r.job.label}: {r.error}  (the last good page is kept and marked "
                             f"stale: {r.job.html_path}; this run: {failed_html})")
            else:
                lines.append(f"  FAILED {r.job.label}: {r.error}  (see {r.job.html_path})")
        if self.pdf is not None:
            lines.append(self.pdf.text())
        if self.explore_path is not None:
            lines.append(f"explorer: {self.explore_path}")
        elif self.explore_error:
            lines.append(f"explorer not written: {self.explore_error}")
        if self.index_path is not None:
            lines.append(f"index: {self.index_path}  ({Path(self.index_path).resolve().as_uri()})")
        return "\n".join(lines)

    @property
    def pdf_failed(self) -> bool:
        """PDFs were asked for and some (or all, for want of an engine) were not written."""
        return self.pdf is not None and not self.pdf.ok

