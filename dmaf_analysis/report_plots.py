"""Figures and HTML pieces of the city report card, in one namespace.

The figures live in :mod:`dmaf_analysis.report_figures` and the HTML pieces in
:mod:`dmaf_analysis.report_html`; this module re-exports both, so
``from dmaf_analysis import report_plots as plots`` (the city notebook's import)
keeps working.
"""
from __future__ import annotations

from .report_figures import FIGURE_DPI, plot_components, plot_engagement, png, png_data_uri
from .report_html import (MAX_PROVENANCE_WORDS, RECOMMENDATIONS_INTRO, change_html, components_html,
                          components_intro, engagement_html, headline_html, html_table, indicators_html,
                          n_top_cities, number, paragraph, path_html, path_intro, peers_html, recommendations_html,
                          recommendations_section_html, strengths_html, top10_heading)

__all__ = ["FIGURE_DPI", "MAX_PROVENANCE_WORDS", "RECOMMENDATIONS_INTRO", "change_html", "components_html",
           "components_intro", "engagement_html", "headline_html", "html_table", "indicators_html", "n_top_cities",
           "number", "paragraph", "path_html", "path_intro", "peers_html", "plot_components", "plot_engagement", "png",
           "png_data_uri", "recommendations_html", "recommendations_section_html", "strengths_html",
           "top10_heading"]
