"""Score tables in and out: reading, validating and writing them.

* :func:`read_scores`, :func:`read_city_attributes` and :func:`validate_scores`
  check a table against the data contract and raise
  :class:`~dmaf_analysis.errors.DataValidationError` listing every problem;
* :func:`write_table` (CSV or Parquet by suffix) and :func:`write_workbook`
  (Excel, for people: an About sheet, worded headers, formats; :class:`WorkbookAbout`,
  :func:`value_sources`) write atomically, with spreadsheet formulas neutralised;
* :func:`expects_table` guards a function against being handed the wrong table.

The parts: ``_contract`` (schemas, validation, reading and writing),
``_table_kinds`` (which table a function takes), ``_excel`` (workbooks).
"""
from __future__ import annotations

from ._contract import (ATTRIBUTE_SCHEMA, is_synthetic, read_city_attributes, read_scores, SCORE_SCHEMA,
                        spreadsheet_safe, SYNTHETIC, table_format, TableSchema, unknown_cities_hint, validate_scores,
                        write_table)
from ._excel import (ABOUT_SHEET, excel_safe, MAX_SHEET_NAME, number_format, provenance_note, sheet_names,
                     SOURCE_HEADING, value_sources, worded_heading, WorkbookAbout, write_workbook)
from ._table_kinds import expects_table, require_table, TABLE_KINDS

__all__ = [
    "ABOUT_SHEET", "number_format", "provenance_note", "SOURCE_HEADING", "value_sources", "worded_heading",
    "WorkbookAbout",
    "ATTRIBUTE_SCHEMA", "excel_safe", "expects_table", "is_synthetic", "MAX_SHEET_NAME", "read_city_attributes",
    "read_scores", "require_table", "SCORE_SCHEMA", "sheet_names", "spreadsheet_safe", "SYNTHETIC", "table_format",
    "TABLE_KINDS", "TableSchema", "unknown_cities_hint", "validate_scores", "write_table", "write_workbook"
]
