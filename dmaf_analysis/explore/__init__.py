"""Explore the index: every city in one page, the same charts in JupyterLab, and scenarios.

* :func:`write_explore_page` / :func:`explore_html`: the explorer page of one
  cycle, self-contained (no request leaves the page), with a sortable and
  searchable table of every city, one weight slider per component (overall,
  level and rank recomputed in the page as :func:`~dmaf_analysis.scoring.score_cities`
  does) and linked Vega-Altair charts;
* :func:`explore_table`, :func:`distribution_chart`, :func:`scatter_chart`,
  :func:`explorer_chart`: the charts for any scored table, for notebooks;
* :func:`load_scenarios`, :func:`scenario_table`, :func:`scenario_summary`:
  alternative versions of the index (weights, aggregation, thresholds,
  indicators left out) beside the index as published.

The parts: ``_charts``, ``_page``, ``_scenarios``.
"""
from __future__ import annotations

from ._charts import distribution_chart, explore_table, explorer_chart, provenance_text, scatter_chart
from ._page import explore_html, explore_path, MAX_PAGE_BYTES, write_explore_page
from ._scenarios import (BASELINE, load_scenarios, parse_scenarios, Scenario, SCENARIO_COLUMNS, SCENARIO_KEYS,
                         scenario_summary, scenario_table)

__all__ = [
    "BASELINE", "distribution_chart", "explore_html", "explore_path", "explore_table", "explorer_chart",
    "load_scenarios", "MAX_PAGE_BYTES", "parse_scenarios", "provenance_text", "Scenario", "SCENARIO_COLUMNS",
    "SCENARIO_KEYS", "scatter_chart", "scenario_summary", "scenario_table", "write_explore_page"
]
