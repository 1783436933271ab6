"""Digests of everything a report depends on, and the manifest recording rendered reports.

A report whose digest equals the one recorded in ``<output_dir>/manifest.json``
for a successful render is skipped (see :func:`~dmaf_analysis.batch.run_jobs`).
"""
from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from .._paths import cities_path, data_dir, frameworks_dir
from ..io import write_text_atomic
from .jobs import ReportJob, ReportResult

__all__ = ["ENGINE_FORMAT", "MANIFEST_NAME", "Manifest", "job_digest", "package_fingerprint", "relative_to"]

#: Bumped when the engine's output changes in a way that should re-render reports.
ENGINE_FORMAT = "dmaf-batch-1"
MANIFEST_NAME = "manifest.json"

_PACKAGE = Path(__file__).resolve().parent.parent
_TEMPLATES = _PACKAGE / "templates"


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
    from .. import __version__

    # the data files every report reads besides the score tables: frameworks, cities, recommendations
    files = sorted([*_PACKAGE.rglob("*.py"), *_TEMPLATES.glob("*.j2"), *frameworks_dir().glob("*.yaml"),
                    *data_dir().glob("*.yaml"), cities_path()])
    h = hashlib.sha256(f"{ENGINE_FORMAT}|{__version__}".encode())
    for f in files:
        h.update((f.relative_to(_PACKAGE).as_posix() if f.is_relative_to(_PACKAGE) else f.name).encode())
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
            "ipynb": relative_to(job.ipynb_path, root),
            "html": relative_to(job.html_path, root),
            "seconds": round(result.seconds, 3),
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        }

    def save(self) -> None:
        from .. import __version__

        data = {"format": ENGINE_FORMAT, "package_version": __version__,
                "entries": dict(sorted(self.entries.items()))}
        write_text_atomic(self.path, json.dumps(data, indent=1, ensure_ascii=False) + "\n")


def relative_to(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` (POSIX form), or ``path`` itself when it lies outside."""
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return str(path)

