"""One city's report card, and the page comparing cities side by side.

Each report function answers one question about one city in one cycle and
returns a tidy DataFrame with fixed snake_case columns (or, for a headline, a
small frozen dataclass). All take a :class:`~dmaf_analysis.scoring.Dataset`
first and the city and cycle as keywords; ``cycle=0`` means the latest cycle.
Whatever depends only on the cycle is computed once per data set and cycle, so a
warm kernel rendering 100 cards does that work once. The ``*_html`` functions and
the ``plot_*`` figures turn those tables into the card's sections.

The parts: ``_context`` (loading, the per-cycle cache), ``_headline``,
``_indicators``, ``_report`` (components, recommendations, peers, engagement),
``_level_path``, ``_rank_path`` (the fewest raises to a target rank),
``_cycle_change``, ``_recommendations`` (the texts), ``_wording`` (the sentences
computed from the data: About box, indicator notes, change caveat), ``_html`` and
``_figures`` (presentation) and ``_compare`` (the comparison page).
"""
from __future__ import annotations

from ._compare import (compare_indicators, compare_summary, comparison_html, comparison_path, page_header_html,
                       plot_comparison, render_comparison, resolve_cities, synthetic_parts)
from ._context import data_label, load_report_data, resolve_report_city
from ._cycle_change import CHANGE_COLUMNS, change_since_previous, CycleChange
from ._figures import (chart_html, components_alt_text, components_chart_html, components_svg, engagement_chart_html,
                       engagement_svg, FIGURE_DPI, plot_components, plot_engagement, png, png_bytes, png_data_uri,
                       SCALE)
from ._headline import report_headline, ReportHeadline, weights_assumption
from ._html import (CARD_SECTIONS, caveat_line, change_html, component_score_text, components_html, components_intro,
                    engagement_html, first_actions, first_actions_html, headline_html, html_table,
                    indicator_score_text, indicators_html,
                    MAX_PROVENANCE_WORDS, n_top_cities, paragraph, path_html, path_intro, peers_html,
                    provenance_html, recommendations_html, RECOMMENDATIONS_INTRO, recommendations_section_html,
                    section_html, sections_html, strengths_html, summary_html, top10_heading)
from ._indicators import INDICATOR_COLUMNS, indicator_scores, STRENGTH_COLUMNS, strengths_and_weaknesses
from ._level_path import LevelPath, path_to_next_level, plan_next_level
from ._rank_path import default_target_rank, plan_rank_move, RankPath, SCORE_GRANULARITY, STEP_COLUMNS, TOP_RANK
from ._recommendations import load_recommendations, recommendations_path
from ._wording import about_html, about_text, change_caveat, indicators_intro, sections_intro, source_words
from ._report import (BASIS_ON_RECORD, BASIS_PUBLISHED, BASIS_RANGE, BASIS_SYNTHETIC,
                      COMPONENT_COLUMNS, component_comparison, ENGAGEMENT_COLUMNS, engagement_comparison,
                      engagement_distribution, has_recommendations, PEER_COLUMNS, peer_comparison, PEERS_AROUND,
                      RECOMMENDATION_COLUMNS, recommendations)

__all__ = [
    "about_html", "about_text", "change_caveat", "indicators_intro", "sections_intro", "source_words",
    "BASIS_ON_RECORD", "BASIS_PUBLISHED", "BASIS_RANGE", "BASIS_SYNTHETIC", "CARD_SECTIONS", "caveat_line",
    "component_score_text", "first_actions", "first_actions_html", "indicator_score_text", "provenance_html",
    "section_html", "sections_html", "summary_html",
    "CHANGE_COLUMNS", "change_html", "chart_html", "components_alt_text", "components_chart_html", "components_svg",
    "engagement_chart_html", "engagement_svg", "PEERS_AROUND", "change_since_previous", "compare_indicators",
    "compare_summary",
    "comparison_html", "comparison_path", "COMPONENT_COLUMNS", "component_comparison", "components_html",
    "components_intro", "CycleChange", "data_label", "default_target_rank", "ENGAGEMENT_COLUMNS",
    "engagement_comparison", "engagement_distribution", "engagement_html", "FIGURE_DPI", "has_recommendations",
    "headline_html", "html_table", "INDICATOR_COLUMNS", "indicator_scores", "indicators_html", "LevelPath",
    "load_recommendations", "load_report_data", "MAX_PROVENANCE_WORDS", "n_top_cities", "page_header_html",
    "paragraph", "path_html", "path_intro", "path_to_next_level", "PEER_COLUMNS", "peer_comparison", "peers_html",
    "plan_next_level", "plan_rank_move", "plot_comparison", "plot_components", "plot_engagement", "png", "png_bytes",
    "png_data_uri", "RankPath", "RECOMMENDATION_COLUMNS", "recommendations", "recommendations_html",
    "RECOMMENDATIONS_INTRO", "recommendations_path", "recommendations_section_html", "render_comparison",
    "report_headline", "ReportHeadline", "resolve_cities", "resolve_report_city", "SCALE", "SCORE_GRANULARITY",
    "STEP_COLUMNS", "STRENGTH_COLUMNS", "strengths_and_weaknesses", "strengths_html", "synthetic_parts",
    "top10_heading", "TOP_RANK", "weights_assumption"
]
