"""One escaping for every spreadsheet cell and header: formula prefixes and control characters."""
from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from dmaf_analysis._util.escaping import spreadsheet_text
from dmaf_analysis.cli import main
from dmaf_analysis.io import spreadsheet_safe, write_table


@pytest.mark.parametrize(("raw", "shown"), [
    ("=1+1", "'=1+1"), ("+A1", "'+A1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("a\x1bb", "a\\x1bb"), ("x\x00", "x\\x00"), ("r\u202eL", "r\\u202eL"), ("two\nlines", "two\nlines"),
    ("Surat", "Surat"), (3.5, 3.5), (None, None),
])
def test_spreadsheet_text(raw, shown):
    assert spreadsheet_text(raw) == shown


def test_headers_and_categorical_cells_are_escaped_too():
    frame = pd.DataFrame({"=1+1": ["@x", "ok"], "level": pd.Categorical(["=bad", "ok"], ordered=True)})
    out = spreadsheet_safe(frame)
    assert out.columns.tolist() == ["'=1+1", "level"]
    assert out["'=1+1"].tolist() == ["'@x", "ok"]
    assert out["level"].tolist() == ["'=bad", "ok"]
    assert frame.columns.tolist() == ["=1+1", "level"]  # the input is not changed


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_written_tables_hold_no_formula_and_no_control_character(tmp_path, suffix):
    frame = pd.DataFrame({"city": ["A\x1b[31mB", "=HYPERLINK(\"x\")"], "=1+1": [1.0, 2.0], "+id": ["\x07", "y"]})
    path = write_table(frame, tmp_path / f"t{suffix}")
    if suffix == ".csv":
        text = path.read_text()
        assert text.splitlines()[0] == "city,'=1+1,'+id"
        assert "\x1b" not in text and "\x07" not in text and "\n=" not in text
    else:
        sheet = openpyxl.load_workbook(path).active
        cells = [c for row in sheet.iter_rows() for c in row]
        assert [c.value for c in cells[:3]] == ["city", "'=1+1", "'+id"]
        assert all(c.data_type != "f" for c in cells)
        assert cells[3].value == "A\\x1b[31mB"


def test_score_writes_xlsx_and_csv_with_control_characters_and_formulas_in_names(tmp_path, capsys):
    cities = tmp_path / "c.csv"
    cities.write_text("city,state\nSurat,Guj\x1barat\nPune,=1+1\n")
    scores = tmp_path / "s.csv"
    scores.write_text("cycle,city,indicator,score\n2,Surat,1.a,20\n2,Pune,1.a,10\n")
    for out in (tmp_path / "x.xlsx", tmp_path / "x.csv"):
        assert main(["score", "--data", str(scores), "--cities", str(cities), "-o", str(out)]) == 0
    table = pd.read_csv(tmp_path / "x.csv")
    assert sorted(table["state"]) == ["'=1+1", "Guj\\x1barat"]
    assert "unexpected" not in capsys.readouterr().err
