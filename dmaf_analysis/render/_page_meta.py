"""What every page says about itself: framework, toolkit version, generation date, link to the index.

The page header of ``report.html.j2`` and the PDF footer are made from it; batch
jobs and the comparison page call :func:`page_meta` alike.
"""
from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from .._version import __version__

__all__ = ["page_meta"]


def page_meta(dataset, cycle: int, *, kind: str, html_path: Path, output_dir: Path, index: bool = True) -> dict:
    """Framework name, toolkit version, generation date (UTC) and the index link relative to the page.

    ``dataset`` is any object with a ``frameworks`` mapping of cycle to framework
    (a :class:`~dmaf_analysis.scoring.Dataset`), or None.
    """
    fw = dataset.frameworks.get(int(cycle)) if dataset is not None else None
    meta = {"kind": kind, "framework": fw.name if fw is not None else "", "version": __version__,
            "generated": datetime.now(UTC).strftime("%Y-%m-%d")}
    if index:
        meta["index_href"] = Path(os.path.relpath(Path(output_dir) / "index.html", Path(html_path).parent)).as_posix()
    return meta
