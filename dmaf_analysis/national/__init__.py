"""The national overview and trends reports: their tables, findings, charts and pages.

``national_overview.ipynb`` and ``national_trends.ipynb`` are thin wrappers
around this package: :func:`run_national` and :func:`run_trends` compute and
write every table of a report; the findings, the formatted tables, the page
parts and the charts turn them into the page.

The parts: ``_tables`` (every table of a report, where it is written, the data
notice), ``_columns`` (the columns of the national tables), ``_formats`` (table
cells in words), ``_findings`` (the key-findings sentences), ``_page`` (contents,
labels, the files note), ``_charts`` (the national charts) and ``_record`` (the
checks against the published record).
"""
from __future__ import annotations

from ._charts import (certification_probability_plot, change_distribution_plot, component_distribution_plot,
                      correlation_heatmap, effective_weights_plot, engagement_plot, floor_ceiling_plot, JITTER_SEED,
                      level_counts_plot, LIGHT_DPI, most_changed_plot, overall_ecdf_plot, rank_interval_plot,
                      rank_mobility_plot, sensitivity_plot, slope_plot, SVG_HASH_SALT, transition_heatmap,
                      use_light_style)
from ._columns import (group_table, OVERVIEW_COLUMNS, overview_table, prepare_overview_table, prepare_trends_table,
                       SMALL_GROUP, TRENDS_COLUMNS, trends_table)
from ._findings import (ALPHA, correlation_sentence, distribution_sentence, frameworks_sentence, overview_findings,
                        record_sentence, sensitivity_intro, slope_sentence, trends_findings)
from ._formats import (Column, DOWN, effect_words, format_bool, format_number, format_p, format_share, format_signed,
                       format_span, format_table, is_missing, MINUS, NUM, P_FLOOR, SAME, table_html, TOP_BOTTOM,
                       top_bottom, UP)
from ._page import (certified_levels, component_labels, files_note_html, findings_html, OVERVIEW_SECTIONS,
                    sentence_html, slug_id, toc_html, TRENDS_SECTIONS)
from ._record import (engagement_source_html, mark_published, RECORD_CHECK_COLUMNS, record_checks, record_checks_html,
                      RECORD_SECTION)
from ._tables import (cycle_folder, data_notice, data_notice_html, DEFAULT_OUTPUT_DIR, group_heatmap, GROUPING_WORDS,
                      groups_intro_html, groups_table_html, missing_groupings, national_output_dir, national_tables,
                      provenance_table, report_title, report_title_html, run_national, run_trends, trend_folder,
                      trend_tables, workbook_about, workbook_name, write_tables)

__all__ = [
    "ALPHA", "correlation_sentence", "distribution_sentence", "frameworks_sentence", "record_sentence",
    "sensitivity_intro", "sentence_html", "slope_sentence",
    "certification_probability_plot", "certified_levels", "change_distribution_plot", "Column",
    "component_distribution_plot", "component_labels", "correlation_heatmap", "cycle_folder", "data_notice",
    "data_notice_html", "DEFAULT_OUTPUT_DIR", "DOWN", "effect_words", "engagement_source_html",
    "effective_weights_plot",
    "engagement_plot",
    "files_note_html", "findings_html", "floor_ceiling_plot", "format_bool", "format_number", "format_p",
    "format_share", "format_signed", "format_span", "format_table", "group_heatmap", "group_table", "GROUPING_WORDS",
    "groups_intro_html", "groups_table_html", "is_missing", "JITTER_SEED", "level_counts_plot", "LIGHT_DPI",
    "mark_published", "MINUS",
    "missing_groupings", "most_changed_plot", "national_output_dir", "national_tables", "NUM", "overall_ecdf_plot",
    "OVERVIEW_COLUMNS", "overview_findings", "OVERVIEW_SECTIONS", "overview_table", "P_FLOOR",
    "prepare_overview_table", "prepare_trends_table", "provenance_table", "RECORD_CHECK_COLUMNS", "record_checks",
    "record_checks_html", "RECORD_SECTION", "rank_interval_plot", "rank_mobility_plot",
    "report_title", "report_title_html", "run_national", "run_trends", "SAME", "sensitivity_plot", "slope_plot",
    "slug_id", "SMALL_GROUP", "SVG_HASH_SALT", "table_html", "toc_html", "TOP_BOTTOM", "top_bottom",
    "transition_heatmap", "trend_folder", "trend_tables", "TRENDS_COLUMNS", "trends_findings", "TRENDS_SECTIONS",
    "trends_table", "UP", "use_light_style", "workbook_about", "workbook_name", "write_tables"
]
