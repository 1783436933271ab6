"""Tests of dmaf_analysis.io's workbook writer: About sheet first, formatted sheets, nothing runs as a formula."""
from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from dmaf_analysis.errors import DmafError
from dmaf_analysis.io import (excel_safe, number_format, sheet_names, value_sources, worded_heading, WorkbookAbout,
                              write_workbook)


def test_sheet_names_are_valid_and_unique():
    names = sheet_names(["a" * 40, "A" * 40, "x/y:z?[1]*", "'quoted'", "", "History", "ok", "OK"])
    assert names == ["a" * 31, "A" * 29 + "~2", "x_y_z__1__", "quoted", "Sheet", "History_", "ok", "OK~2"]
    assert all(len(n) <= 31 for n in names)
    assert len({n.lower() for n in names}) == len(names)


def test_workbook_has_one_sheet_per_table_and_neutralises_formulas(tmp_path):
    tables = {
        "scores": pd.DataFrame({"city": ["=HYPERLINK(\"x\")", "+1", "-2", "@A1", "Pune", "bell\x07"],
                                "overall": [1.5, -2.0, 3.0, 4.0, 5.0, 6.0]}),
        "=cmd": pd.DataFrame({"=1+1": pd.Categorical(["=x", "y"]), "n": pd.array([1, None], dtype="Int64"),
                              "tab\x01": ["\tz", "ok"]}),
    }
    path = write_workbook(tables, tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["About", "Scores", "=cmd"]   # a sheet name is never run
    ws = book["Scores"]
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    assert cells[0] == ["City", "Overall score"]
    assert [r[0] for r in cells[1:]] == ["'=HYPERLINK(\"x\")", "'+1", "'-2", "'@A1", "Pune", "bell\\x07"]
    assert [r[1] for r in cells[1:]] == [1.5, -2.0, 3.0, 4.0, 5.0, 6.0]     # numbers stay numbers
    assert all(c.data_type != "f" for ws in book for row in ws.iter_rows() for c in row)
    other = [[c.value for c in row] for row in book["=cmd"].iter_rows()]
    assert other == [["'=1+1", "Cities", "tab\\x01"], ["'=x", 1, "'\tz"], ["y", None, "ok"]]
    assert tables["scores"]["city"].iloc[0] == "=HYPERLINK(\"x\")"   # input not mutated
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*"))


def test_sheets_are_made_for_people(tmp_path):
    scores = pd.DataFrame({"cycle": 2, "city": ["Pune", "Pune", "Surat", "Surat", "Agra", "Agra"],
                           "indicator": ["1.a", "1.b"] * 3, "score": [5.0, 10.0, 5.0, None, None, None],
                           "source": ["synthetic", "report card", "report card", "report card", "", ""]})
    table = pd.DataFrame({"cycle": 2, "city": ["Pune", "Surat", "Agra"], "overall": [41.25, 30.0, None],
                          "share_certified": [0.5, 0.25, 1.0], "p_value": [0.0004, 0.01322, 0.5],
                          "rho": [0.123, 0.5, -0.25], "n_cities": [10, 2000, 3], "certified": [True, False, True]})
    path = write_workbook({"group_medians": table, "settings": pd.DataFrame({"seed": [1]})}, tmp_path / "w.xlsx",
                          about=WorkbookAbout(title="Test tables", framework="DMAF 2.0", provenance="All invented."),
                          sources=value_sources(scores))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == "About"
    about = {r[0]: r[1] for r in book["About"].iter_rows(values_only=True) if r and r[0]}
    assert about["Framework"] == "DMAF 2.0" and about["Where the values come from"] == "All invented."
    assert about["Toolkit"].startswith("dmaf-analysis ") and len(about["Date"]) == 10
    assert "Group medians" in about and "3 rows" in about["Group medians"]
    ws = book["Group medians"]
    header = [c.value for c in ws[1]]
    assert header == ["Cycle", "City", "Values from", "Overall score", "Share certified", "p-value",
                      "Spearman \u03c1", "Cities", "Certified"]
    assert all(c.font.bold for c in ws[1]) and ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:I4"
    assert [c.value for c in ws["C"][1:]] == ["mixed: 1 synthetic, 1 report card", "report card", "no values"]
    formats = {h: ws.cell(2, j + 1).number_format for j, h in enumerate(header)}
    assert formats["Share certified"] == "0%" and formats["Spearman \u03c1"] == "0.00"
    assert formats["p-value"].startswith("[<0.001]") and formats["Overall score"] == "0.0"
    assert formats["Cities"] == "#,##0" and ws["I2"].value == "Yes" and ws["D4"].value is None
    assert ws.column_dimensions["C"].width >= len("mixed: 1 synthetic, 1 report card")
    # a sheet without city rows has no provenance column
    assert [c.value for c in book["Settings"][1]] == ["Seed"]


def test_words_and_formats():
    assert worded_heading("n_improved") == "Cities improved" and worded_heading("p_enabled") == "Probability enabled"
    assert worded_heading("mean_abs_rank_change") == "Mean absolute rank change"
    assert worded_heading("Budget ($)") == "Budget ($)"
    assert number_format("spearman_p", "float64").startswith("[<0.001]")
    assert number_format("city", "object") is None and number_format("tied", "bool") is None


def test_excel_safe_drops_time_zones():
    frame = pd.DataFrame({"t": pd.to_datetime(["2024-01-01 05:30"]).tz_localize("Asia/Kolkata")})
    assert excel_safe(frame)["t"].iloc[0] == pd.Timestamp("2024-01-01 00:00")


def test_empty_workbook_is_an_error(tmp_path):
    with pytest.raises(DmafError, match="no tables"):
        write_workbook({}, tmp_path / "t.xlsx")
