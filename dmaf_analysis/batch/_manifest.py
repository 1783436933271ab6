"""Digests of everything a report depends on, and the manifest recording rendered reports.

A report whose digest equals the one recorded in ``<output_dir>/manifest.json``
for a successful render, and whose two output files still have the digests
recorded when they were written, is skipped (see :func:`~dmaf_analysis.batch.run_jobs`).
The manifest is read entry by entry: an entry that is not well formed only means
that its report is rendered again. Digests do not depend on where the output
folder is (its absolute path is left out), so a moved output folder stays current.
"""
from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from .._util.fileio import write_text_atomic
from .._util.paths import cities_path, data_dir, frameworks_dir
from .._version import __version__
from ..render import TEMPLATES_DIR
from ._jobs import ReportJob, ReportResult

__all__ = ["ENGINE_FORMAT", "MANIFEST_NAME", "Manifest", "job_digest", "package_fingerprint", "page_digest",
           "relative_to", "stale_paths", "valid_entry"]

#: Bumped when the engine's output changes in a way that should re-render reports.
ENGINE_FORMAT = "dmaf-batch-1"
MANIFEST_NAME = "manifest.json"

_PACKAGE = Path(__file__).resolve().parent.parent


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
    # the data files every report reads besides the score tables: frameworks, cities, recommendations
    files = sorted([*_PACKAGE.rglob("*.py"), *TEMPLATES_DIR.glob("*.j2"), *frameworks_dir().glob("*.yaml"),
                    *data_dir().glob("*.yaml"), cities_path()])
    h = hashlib.sha256(f"{ENGINE_FORMAT}|{__version__}".encode())
    for f in files:
        h.update((f.relative_to(_PACKAGE).as_posix() if f.is_relative_to(_PACKAGE) else f.name).encode())
        h.update(_file_digest(f).encode())
    return f"{__version__}+{h.hexdigest()[:16]}"


#: Parameters that say where a report writes, not what it shows: left out of the digest.
_LOCATION_PARAMETERS = ("output_dir",)


def job_digest(job: ReportJob, fingerprint: str | None = None) -> str:
    """Digest of everything a report depends on: notebook, data files, parameters, package.

    Where the report is written (the ``output_dir`` parameter) is not part of it,
    so moving the output folder does not invalidate the reports in it.
    """
    h = hashlib.sha256()
    h.update((fingerprint or package_fingerprint()).encode())
    h.update(_file_digest(job.notebook).encode())
    for f in job.data_files:
        h.update(b"|" + _file_digest(f).encode())
    parameters = {k: v for k, v in job.parameters.items() if k not in _LOCATION_PARAMETERS}
    h.update(json.dumps(parameters, sort_keys=True, default=str).encode())
    return h.hexdigest()


def page_digest(path: Path) -> str | None:
    """SHA-256 of an output file as it is now (None when it cannot be read)."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return None
    return h.hexdigest()


_STATUSES = ("ok", "failed")
_HEX64 = frozenset("0123456789abcdef")


def _is_digest(value) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= _HEX64


def valid_entry(entry) -> bool:
    """True when a manifest entry has the fields the batch relies on, with the right types."""
    return (isinstance(entry, dict) and _is_digest(entry.get("digest")) and entry.get("status") in _STATUSES
            and all(entry.get(k) is None or _is_digest(entry.get(k)) for k in ("html_sha256", "ipynb_sha256"))
            and all(isinstance(entry.get(k), str) for k in ("html", "ipynb")))


# --------------------------------------------------------------------------- manifest
class Manifest:
    """The record of rendered reports: ``<output_dir>/manifest.json``, written atomically."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.entries: dict[str, dict] = {}
        #: Keys of entries dropped because they were not well formed (their reports render again).
        self.dropped: list[str] = []
        if self.path.is_file():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError, RecursionError):
                data = None  # unreadable: render everything again
            entries = data.get("entries") if isinstance(data, dict) else None
            if isinstance(entries, dict):
                for key, entry in entries.items():
                    if valid_entry(entry):
                        self.entries[key] = entry
                    else:
                        self.dropped.append(str(key))

    def _pages_intact(self, job: ReportJob, entry: dict) -> bool:
        """The report's two files are there, with the digests recorded when they were written."""
        return (entry.get("html_sha256") is not None and entry.get("ipynb_sha256") is not None
                and page_digest(job.html_path) == entry["html_sha256"]
                and page_digest(job.ipynb_path) == entry["ipynb_sha256"])

    def is_current(self, job: ReportJob, digest: str) -> bool:
        """True when ``job`` rendered successfully with inputs of ``digest`` and its files are intact."""
        entry = self.entries.get(job.key)
        return bool(entry and entry["digest"] == digest and entry["status"] == "ok"
                    and self._pages_intact(job, entry))

    def has_good_page(self, job: ReportJob) -> bool:
        """True when the report's files are those of a successful render (perhaps since marked stale)."""
        entry = self.entries.get(job.key)
        return bool(entry and (entry["status"] == "ok" or entry.get("stale")) and self._pages_intact(job, entry))

    def pdf_is_current(self, job: ReportJob) -> bool:
        """True when the job's PDF is the one printed from its page as it is now, judged by digests.

        The manifest records the digest of the PDF written and of the page it was
        printed from (:meth:`record_pdf`); a PDF changed or cut since, or a page
        changed since, is printed again.
        """
        entry = self.entries.get(job.key)
        if not entry or not _is_digest(entry.get("pdf_sha256")) or not _is_digest(entry.get("pdf_html_sha256")):
            return False
        return (entry["pdf_html_sha256"] == page_digest(job.html_path)
                and entry["pdf_sha256"] == page_digest(job.html_path.with_suffix(".pdf")))

    def record_pdf(self, job: ReportJob) -> None:
        """Record the digests of the job's PDF and of the page it was printed from."""
        entry = self.entries.get(job.key)
        if entry is not None:
            entry["pdf_sha256"] = page_digest(job.html_path.with_suffix(".pdf"))
            entry["pdf_html_sha256"] = page_digest(job.html_path)

    def record(self, result: ReportResult, root: Path) -> None:
        job = result.job
        entry = {
            "kind": job.kind,
            "label": job.label,
            "status": "failed" if result.status == "failed" else "ok",
            "error": result.error,
            "digest": result.digest,
            "ipynb": relative_to(job.ipynb_path, root),
            "html": relative_to(job.html_path, root),
            "ipynb_sha256": page_digest(job.ipynb_path),
            "html_sha256": page_digest(job.html_path),
            "seconds": round(result.seconds, 3),
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        if result.stale:
            entry["stale"] = True
            entry["failed_ipynb"] = relative_to(stale_paths(job)[0], root)
            entry["failed_html"] = relative_to(stale_paths(job)[1], root)
        self.entries[job.key] = entry

    def save(self) -> None:
        data = {"format": ENGINE_FORMAT, "package_version": __version__,
                "entries": dict(sorted(self.entries.items()))}
        write_text_atomic(self.path, json.dumps(data, indent=1, ensure_ascii=False) + "\n")


def stale_paths(job: ReportJob) -> tuple[Path, Path]:
    """Where a failed re-render of a report that has a good page goes: ``<name>.failed.ipynb`` / ``.html``."""
    return (job.ipynb_path.with_name(job.ipynb_path.stem + ".failed.ipynb"),
            job.html_path.with_name(job.html_path.stem + ".failed.html"))


def relative_to(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` (POSIX form), or ``path`` itself when it lies outside."""
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return str(path)

