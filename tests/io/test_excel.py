"""Tests of dmaf_analysis.excel: one workbook, valid unique sheet names, nothing runs as a formula."""
from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from dmaf_analysis.errors import DmafError
from dmaf_analysis.io import excel_safe, sheet_names, write_workbook


def test_sheet_names_are_valid_and_unique():
    names = sheet_names(["a" * 40, "A" * 40, "x/y:z?[1]*", "'quoted'", "", "History", "ok", "OK"])
    assert names == ["a" * 31, "A" * 29 + "~2", "x_y_z__1__", "quoted", "Sheet", "History_", "ok", "OK~2"]
    assert all(len(n) <= 31 for n in names)
    assert len({n.lower() for n in names}) == len(names)


def test_workbook_has_one_sheet_per_table_and_neutralises_formulas(tmp_path):
    tables = {
        "scores": pd.DataFrame({"city": ["=HYPERLINK(\"x\")", "+1", "-2", "@A1", "Pune", "bell\x07"],
                                "overall": [1.5, -2.0, 3.0, 4.0, 5.0, 6.0]}),
        "=cmd": pd.DataFrame({"=h": pd.Categorical(["=x", "y"]), "n": pd.array([1, None], dtype="Int64")}),
    }
    path = write_workbook(tables, tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["scores", "=cmd"]   # a sheet name is never run
    ws = book["scores"]
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    assert cells[0] == ["city", "overall"]
    assert [r[0] for r in cells[1:]] == ["'=HYPERLINK(\"x\")", "'+1", "'-2", "'@A1", "Pune", "bell\\x07"]
    assert [r[1] for r in cells[1:]] == [1.5, -2.0, 3.0, 4.0, 5.0, 6.0]     # numbers stay numbers
    assert all(c.data_type != "f" for ws in book for row in ws.iter_rows() for c in row)
    other = [[c.value for c in row] for row in book["=cmd"].iter_rows()]
    assert other == [["'=h", "n"], ["'=x", 1], ["y", None]]
    assert tables["scores"]["city"].iloc[0] == "=HYPERLINK(\"x\")"   # input not mutated
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*"))


def test_excel_safe_drops_time_zones():
    frame = pd.DataFrame({"t": pd.to_datetime(["2024-01-01 05:30"]).tz_localize("Asia/Kolkata")})
    assert excel_safe(frame)["t"].iloc[0] == pd.Timestamp("2024-01-01 00:00")


def test_empty_workbook_is_an_error(tmp_path):
    with pytest.raises(DmafError, match="no tables"):
        write_workbook({}, tmp_path / "t.xlsx")
