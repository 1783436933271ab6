"""Where the page templates live: the Jinja2 templates of the card, the index and their stylesheet."""
from __future__ import annotations

from pathlib import Path

__all__ = ["TEMPLATES_DIR", "template_text"]

#: The folder of ``report.html.j2``, ``report.css.j2`` and ``index.html.j2`` (package data).
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


def template_text(name: str) -> str:
    """The text of one template of :data:`TEMPLATES_DIR` (``"report.css.j2"``...)."""
    return (TEMPLATES_DIR / name).read_text(encoding="utf-8")
