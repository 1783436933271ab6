"""Old import path of :mod:`dmaf_analysis.batch.index_page` (the batch's ``index.html``).

The module moved into the batch package; this one re-exports its public names so
that ``from dmaf_analysis.index_page import render_index`` keeps working.
"""
from __future__ import annotations

from .batch.index_page import IndexLink, build_index_rows, render_index, write_index

__all__ = ["IndexLink", "build_index_rows", "render_index", "write_index"]
