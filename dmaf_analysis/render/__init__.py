"""How pages look and print: the chart style, the page templates, page metadata, PDFs.

* the one chart style of the project (colour-blind palette, sizes:
  :func:`use_report_style`, :func:`apply`, :data:`PALETTE`...);
* :data:`TEMPLATES_DIR` and :func:`template_text`: the Jinja2 templates of the
  card, the index and their stylesheet;
* :func:`page_meta`: what every page says about itself (framework, version, date,
  link to the index);
* :func:`write_pdfs`, :class:`PdfPrinter`: A4 copies of pages through headless
  Chromium.

The parts: ``_style``, ``_alt`` (alternative text of charts), ``_templates``, ``_page_meta``, ``_pdf``.
"""
from __future__ import annotations

from ._alt import describe_figures, figure_alt
from ._page_meta import page_meta
from ._pdf import (A4, Engine, find_engine, footer_template, INSTALL_HINT, PageInfo, pdf_path_for, PdfPrinter, PdfRun,
                   print_options, write_pdfs)
from ._style import (apply, CERTIFIED, CITY, DIVERGING, DPI, FONT_SIZE, GAIN, HIGHLIGHT, label_bars, LIST_LIMIT, LOSS,
                     NEUTRAL, NOT_CERTIFIED, OKABE_ITO, PAGE_WIDTH, PALETTE, rc_params, REFERENCE, ROW_HEIGHT,
                     rows_height, SEQUENTIAL, SHARES, SMALL_SIZE, TITLE_SIZE, use_report_style, zero_line)
from ._templates import template_text, TEMPLATES_DIR

__all__ = [
    "A4", "apply", "describe_figures", "figure_alt",
    "CERTIFIED", "CITY", "DIVERGING", "DPI", "Engine", "find_engine", "FONT_SIZE", "footer_template",
    "GAIN", "HIGHLIGHT", "INSTALL_HINT", "label_bars", "LIST_LIMIT", "LOSS", "NEUTRAL", "NOT_CERTIFIED", "OKABE_ITO",
    "page_meta", "PAGE_WIDTH", "PageInfo", "PALETTE", "pdf_path_for", "PdfPrinter", "PdfRun", "print_options",
    "rc_params", "REFERENCE", "ROW_HEIGHT", "rows_height", "SEQUENTIAL", "SHARES", "SMALL_SIZE", "template_text",
    "TEMPLATES_DIR", "TITLE_SIZE", "use_report_style", "write_pdfs", "zero_line"
]
