"""Finding report card files and reading their text (PDF through pdfplumber, or UTF-8 text)."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .._util.fileio import decode_text, read_input_bytes
from ..errors import UnreadableFileError
from ._model import REPORT_SUFFIXES, IngestProblem

__all__ = ["extract_text", "find_report_files"]


def extract_text(path: str | Path) -> str:
    """Text of a report card file: a PDF (through pdfplumber) or UTF-8 text.

    The kind is recognised from the content (``%PDF-``), not the suffix. Line
    endings are normalised to ``\\n``.

    Raises
    ------
    UnreadableFileError
        Missing, a folder, unreadable, empty, binary, not UTF-8, a broken PDF or a
        PDF without a text layer.
    """
    path = Path(path)
    name = str(path)
    expected = "a report card (PDF or extracted text)"
    data = read_input_bytes(path, expected=expected, error=UnreadableFileError)
    if data.lstrip()[:5] == b"%PDF-":
        text = _pdf_text(data, name)
    else:
        text = decode_text(data, name, expected=expected, error=UnreadableFileError)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _pdf_text(data: bytes, name: str) -> str:
    import io

    import pdfplumber  # heavy; only needed for PDFs

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = [page.extract_text() or "" for page in pdf.pages]
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many types for broken or truncated files
        kind = type(exc).__name__
        if "Password" in kind or "Encrypt" in kind or b"/Encrypt" in data:
            raise UnreadableFileError(f"{name}: the PDF is password-protected (encrypted); save a copy "
                                      "without a password, or extract its text, and read that") from None
        detail = str(exc) or kind
        raise UnreadableFileError(f"{name}: not a readable PDF, it may be truncated or damaged "
                                  f"({detail})") from None
    text = "\n".join(pages)
    if not text.strip():
        raise UnreadableFileError(f"{name}: the PDF has no text layer (a scanned image?); "
                                  "extract its text first")
    return text


def find_report_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[IngestProblem]]:
    """Expand the given files and folders into the report card files to read.

    A folder contributes its ``.txt`` and ``.pdf`` files (not its sub-folders, not
    hidden files), sorted by name. Named files are kept whatever their suffix.

    Returns
    -------
    files : list of Path
        Without duplicates, in the order given.
    problems : list of IngestProblem
        Error-level problems for paths that do not exist and folders without
        report cards.
    """
    files: list[Path] = []
    problems: list[IngestProblem] = []
    seen: set[Path] = set()

    def add(p: Path) -> None:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            files.append(p)

    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(f for f in p.iterdir()
                           if f.is_file() and not f.name.startswith(".")
                           and f.suffix.lower() in REPORT_SUFFIXES)
            if not found:
                problems.append(IngestProblem(str(p), "error", "the folder holds no report cards "
                                              f"({', '.join(REPORT_SUFFIXES)} files)"))
            for f in found:
                add(f)
        elif p.exists():
            add(p)
        else:
            problems.append(IngestProblem(str(p), "error", "no such file or folder"))
    return files, problems
