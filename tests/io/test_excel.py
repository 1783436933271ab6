"""Tests of dmaf_analysis.io's workbook writer: About sheet first, formatted sheets, nothing runs as a formula."""
from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import numpy as np
import openpyxl
import pandas as pd
import pytest

from dmaf_analysis._version import __version__
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


# --------------------------------------------------------------------------- every kind of cell, exactly
def _varied_tables():
    """Tables with every kind of value a table of the toolkit (or a user's) can hold."""
    mixed = pd.DataFrame({
        "cycle": [2] * 6,
        "city": ["Pune", "=HYPERLINK(\"http://x\")", "Surat", "Agra", None, "Kochi"],
        "note": ["+1", "-2", "@A1", "\tz", "a\x1bb r\u202eL", "two\nlines and a much longer second line here ok"],
        "text": ["http://example.com", "1e5", "#N/A", "", "x" * 40_000, "_x0041_ literal"],
        "count": [1, 22, 333, 4444, 55555, -666666],
        "n_cities": pd.array([1, None, 3, 4000, 5, 6], dtype="Int64"),
        "overall": [41.25, np.nan, -0.0004, 1234567.891, math.inf, 0.1 + 0.2],
        "share_certified": [0.5, 0.255, 1.0, np.nan, -0.001, 12.345],
        "p_value": [0.0004, 0.01322, 0.5, 1.0, np.nan, 1e-12],
        "rho": np.array([0.123, 0.5, -0.25, 0.0, 1.0, -1.0], dtype="float32"),
        "certified": [True, False, True, True, False, False],
        "complete": pd.array([True, None, False, True, True, False], dtype="boolean"),
        "when": pd.to_datetime(["2024-01-01 05:30", "2023-06-30 23:59:59", None, "1900-01-15",
                                "2024-02-29 12:00:00.5", "2000-01-01"], format="ISO8601"),
        "when_tz": pd.to_datetime(["2024-01-01 05:30"] * 5 + [None]).tz_localize("Asia/Kolkata"),
        "level": pd.Categorical(["=bad", "Gold", None, "Gold", "Silver", "Bronze"]),
        "anything": [1, "=x", None, np.nan, 2.5, np.int64(7)],
        "things": [True, np.float64(3.25), dt.date(2024, 3, 1), pd.Timestamp("2024-03-01 10:00"), pd.NA, "ok"],
    })
    scores = pd.DataFrame({"cycle": 2, "city": ["Pune", "Pune", "Surat", "Agra"],
                           "indicator": ["1.a", "1.b", "1.a", "1.a"], "score": [5.0, 10.0, 5.0, None],
                           "source": ["synthetic", "report card", "report card", ""]})
    tables = {"mixed": mixed, "=cmd": pd.DataFrame({"=1+1": ["=x", "y"], "n": [1, 2]}),
              "x/y:z?[1]*": pd.DataFrame({"a": [1.5]}), "History": pd.DataFrame({"a": []}),
              "a" * 40: pd.DataFrame({"b": ["B"]}), "A" * 40: pd.DataFrame({"b": ["<r>a & b</r>"]}),
              "empty": pd.DataFrame()}
    about = WorkbookAbout(title="=Probe", holds="All sorts.", framework="DMAF 2.0", provenance="Invented.",
                          generated="2024-05-01", sheets={"mixed": "Every kind of cell."}, notes=("+note",))
    return tables, about, value_sources(scores)


P = '[<0.001]"< 0.001";0.000'
DT = "yyyy-mm-dd h:mm:ss"
G = "General"
#: The sheet "Mixed" as read back: (value, number format) per cell, row by row; None is an empty cell.
MIXED = [
    [("Cycle", G), ("City", G), ("Values from", G), ("Note", G), ("Text", G), ("Count", G), ("Cities", G),
     ("Overall score", G), ("Share certified", G), ("p-value", G), ("Spearman \u03c1", G), ("Certified", G),
     ("All indicators scored", G), ("When", G), ("When tz", G), ("Certification level", G), ("Anything", G),
     ("Things", G)],
    [(2, "#,##0"), ("Pune", G), ("mixed: 1 synthetic, 1 report card", G), ("'+1", G), ("http://example.com", G),
     (1, "#,##0"), (1, "#,##0"), (41.25, "0.0"), (0.5, "0%"), (0.0004, P), (0.1230000033974648, "0.00"),
     ("Yes", G), ("Yes", G), (dt.datetime(2024, 1, 1, 5, 30), DT), (dt.datetime(2024, 1, 1), DT), ("'=bad", G),
     (1, G), ("Yes", G)],
    [(2, "#,##0"), ("'=HYPERLINK(\"http://x\")", G), ("no values", G), ("'-2", G), ("1e5", G), (22, "#,##0"),
     (None, "#,##0"), (None, "0.0"), (0.255, "0%"), (0.01322, P), (0.5, "0.00"), ("No", G), (None, G),
     (dt.datetime(2023, 6, 30, 23, 59, 59), DT), (dt.datetime(2024, 1, 1), DT), ("Gold", G), ("'=x", G),
     (3.25, G)],
    [(2, "#,##0"), ("Surat", G), ("report card", G), ("'@A1", G), ("#N/A", G), (333, "#,##0"), (3, "#,##0"),
     (-0.0004, "0.0"), (1, "0%"), (0.5, P), (-0.25, "0.00"), ("Yes", G), ("No", G), (None, G),
     (dt.datetime(2024, 1, 1), DT), (None, G), (None, G), (dt.datetime(2024, 3, 1), "yyyy-mm-dd")],
    [(2, "#,##0"), ("Agra", G), ("no values", G), ("'\tz", G), (None, G), (4444, "#,##0"), (4000, "#,##0"),
     (1234567.891, "0.0"), (None, "0%"), (1, P), (0, "0.00"), ("Yes", G), ("Yes", G),
     (dt.datetime(1900, 1, 15), DT), (dt.datetime(2024, 1, 1), DT), ("Gold", G), (None, G),
     (dt.datetime(2024, 3, 1, 10), DT)],
    [(2, "#,##0"), (None, G), ("no values", G), ("a\\x1bb r\\u202eL", G), ("x" * 32_767, G), (55555, "#,##0"),
     (5, "#,##0"), (None, "0.0"), (-0.001, "0%"), (None, P), (1, "0.00"), ("No", G), ("Yes", G),
     (dt.datetime(2024, 2, 29, 12, 0, 0, 500_000), DT), (dt.datetime(2024, 1, 1), DT), ("Silver", G), (2.5, G),
     (None, G)],
    [(2, "#,##0"), ("Kochi", G), ("no values", G), ("two\nlines and a much longer second line here ok", G),
     ("_x0041_ literal", G), (-666666, "#,##0"), (6, "#,##0"), (0.3, "0.0"), (12.345, "0%"), (1e-12, P),
     (-1, "0.00"), ("No", G), ("No", G), (dt.datetime(2000, 1, 1), DT), (None, G), ("Bronze", G), (7, G),
     ("ok", G)],
]
#: Column widths of "Mixed" in characters (header or longest value, 6 to 60), before the 2 of margin.
MIXED_WIDTHS = [6, 23, 33, 43, 60, 7, 6, 13, 15, 7, 10, 9, 21, 26, 19, 19, 8, 19]


def _chars(width: float) -> int:
    """A stored column width as the writer's character count (a writer may add a fraction for the padding)."""
    return math.floor(width) - 2


def _widths(ws) -> list[int]:
    """:func:`_chars` of each column of ``ws`` (a stored width may span several columns)."""
    out = {}
    for dim in ws.column_dimensions.values():
        for j in range(dim.min, dim.max + 1):
            out[j] = _chars(dim.width)
    return [out[j] for j in sorted(out)]


def test_workbook_contents_are_exact(tmp_path):
    tables, about, sources = _varied_tables()
    before = {k: v.copy() for k, v in tables.items()}
    path = write_workbook(tables, tmp_path / "v.xlsx", about=about, sources=sources)
    for key, frame in tables.items():   # the input is not changed
        pd.testing.assert_frame_equal(frame, before[key])
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["About", "Mixed", "=cmd", "x_y_z__1__", "History_", "A" + "a" * 30,
                               "A" * 29 + "~2", "Empty"]
    assert book.active.title == "About"
    # every cell is a value: text, number or date, never a formula or an error
    assert {c.data_type for ws in book for row in ws.iter_rows() for c in row if c.value is not None} <= {"s", "n",
                                                                                                          "d"}
    info = book["About"]
    assert [[c.value for c in row] for row in info.iter_rows()] == [
        ["'=Probe", None], ["What this workbook holds", "All sorts."], ["Framework", "DMAF 2.0"],
        ["Date", "2024-05-01"], ["Toolkit", f"dmaf-analysis {__version__}"],
        ["Where the values come from", "Invented."], ["Note", "'+note"],
        ["Column names", "Headers are worded for reading; the CSV and Parquet files of the same tables keep the short "
                         "snake_case names (e.g. n_cities, p_value)."],
        [None, None], ["Sheet", "Contents"], ["Mixed", "Every kind of cell. (6 rows, 17 columns)"],
        ["'=cmd", "(2 rows, 2 columns)"], ["x_y_z__1__", "(1 row, 1 columns)"], ["History_", "(0 rows, 1 columns)"],
        ["A" + "a" * 30, "(1 row, 1 columns)"], ["A" * 29 + "~2", "(1 row, 1 columns)"],
        ["Empty", "(0 rows, 0 columns)"]]
    assert info["A1"].font.bold and info["A1"].font.size == 14 and info["A2"].font.bold
    assert info["B2"].alignment.wrap_text and info.freeze_panes is None and info.auto_filter.ref is None
    assert _widths(info) == [26, 98]

    ws = book["Mixed"]
    assert [[(c.value, c.number_format) for c in row] for row in ws.iter_rows()] == MIXED
    assert _widths(ws) == MIXED_WIDTHS
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:R7"
    header = ws[1]
    assert all(c.font.bold and c.alignment.wrap_text and c.alignment.vertical == "top" for c in header)
    assert all(c.fill.fill_type == "solid" and c.fill.fgColor.rgb.endswith("F4F6F8") for c in header)
    assert not any(c.font.bold for c in ws[2])

    def cells(name):
        return [[c.value for c in row] for row in book[name].iter_rows()]

    assert cells("=cmd") == [["'=1+1", "Cities"], ["'=x", 1], ["y", 2]]
    assert book["=cmd"]["B2"].number_format == "#,##0" and book["=cmd"].auto_filter.ref == "A1:B3"
    assert cells("x_y_z__1__") == [["A"], [1.5]] and book["x_y_z__1__"]["A2"].number_format == "0.0"
    assert cells("History_") == [["A"]] and book["History_"].auto_filter.ref in ("A1", "A1:A1")  # one cell
    assert cells("A" * 29 + "~2") == [["B"], ["<r>a & b</r>"]]
    assert _widths(book["A" * 29 + "~2"]) == [12]
    empty = book["Empty"]
    assert empty.freeze_panes == "A2" and empty.auto_filter.ref is None
    assert all(c.value is None for row in empty.iter_rows() for c in row)


def test_text_shaped_like_rich_text_xml_stays_plain_text(tmp_path):
    # XlsxWriter takes a string shaped like <r>...</r> for rich-text XML and writes it unescaped (a broken file)
    odd = ["<r>bad & </r>", "<r><t>shown?</t></r>", "<r></r>", "<r>" + "y" * 40_000 + "</r>", "<r>"]
    tables = {"<r>x<r>": pd.DataFrame({"<r>a&b</r>": odd, "n": range(5)})}
    path = write_workbook(tables, tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(path)   # a broken file fails here
    ws = book["<r>x<r>"]
    assert [c.value for c in ws[1]] == ["<r>a&b</r>", "Cities"] and all(c.font.bold for c in ws[1])
    assert [c.value for c in ws["A"][1:]] == [*odd[:3], "<r>" + "y" * 32_764, "<r>"]
    assert pd.read_excel(path, sheet_name="<r>x<r>")["<r>a&b</r>"].tolist()[:3] == odd[:3]


def test_sheet_names_never_end_in_an_apostrophe_or_a_space(tmp_path):
    keys = ["a' '", "x" * 30 + "'y", "History" + " " * 30 + "x", "'" * 40]
    names = sheet_names(keys)
    assert names == ["a", "x" * 30, "History_", "Sheet"]
    path = write_workbook({k: pd.DataFrame({"a": [1]}) for k in keys}, tmp_path / "n.xlsx")
    assert openpyxl.load_workbook(path).sheetnames == ["About", *names]


def test_odd_values_are_written_as_values_or_text(tmp_path):
    kolkata = dt.timezone(dt.timedelta(hours=5, minutes=30))
    frame = pd.DataFrame({
        "objects": [dt.datetime(2024, 1, 1, 5, 30, tzinfo=kolkata), b"=1+1", [1, 2], Decimal("1.5"),
                    dt.time(12, 30), ""],
        "took": pd.to_timedelta(["1h", "2h30m", None, "0s", "25h", "1s"]),
        "x": [123456789012, "a", 1.5, Decimal("2.25"), np.nan, None],
    })
    path = write_workbook({"odd": frame}, tmp_path / "o.xlsx")
    ws = openpyxl.load_workbook(path)["Odd"]
    assert [(c.value, c.number_format) for c in ws["A"][1:]] == [
        (dt.datetime(2024, 1, 1), DT), ("'=1+1", G), ("[1, 2]", G), (1.5, G), (dt.time(12, 30), "h:mm:ss"), (None, G)]
    assert [c.value for c in ws["B"][1:]] == [dt.timedelta(hours=1), dt.timedelta(hours=2, minutes=30), None,
                                              dt.timedelta(0), dt.timedelta(hours=25), dt.timedelta(seconds=1)]
    assert ws["B2"].number_format == "[hh]:mm:ss"
    assert [c.value for c in ws["C"][1:]] == [123456789012, "a", 1.5, 2.25, None, None]
    # widths: the datetime's text with its zone, the longest duration's text, the whole number as it is
    assert _widths(ws) == [len("2024-01-01 05:30:00+05:30"), len("1 days 01:00:00"), len("123456789012")]
