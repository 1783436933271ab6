"""The data contract: every bad input gives a clear, complete list of problems."""
import numpy as np
import pandas as pd
import pytest

from dmaf_analysis._util.fileio import write_text_atomic
from dmaf_analysis.errors import DataValidationError, DmafError
from dmaf_analysis.io import read_city_attributes, read_scores, spreadsheet_safe, write_table

HEADER = "cycle,city,indicator,score,source\n"


def problems_of(path):
    with pytest.raises(DataValidationError, match=r"problems? found") as info:
        read_scores(path)
    return info.value.problems


def test_valid_file_with_bom_crlf_and_spaces(write_csv):
    text = "\ufeff cycle , city ,indicator, score \r\n2, Ludhiana ,1.a, 0 \r\n2,allahabad,1.c&d,15\r\n2,Surat,2.a,\r\n"
    scores = read_scores(write_csv(text))
    assert scores["city"].tolist() == ["Ludhiana", "Prayagraj", "Surat"]
    assert scores["state"].tolist() == ["Punjab", "Uttar Pradesh", "Gujarat"]
    assert scores["cycle"].dtype == np.int64
    assert scores["score"].iloc[:2].tolist() == [0.0, 15.0]
    assert np.isnan(scores["score"].iloc[2])  # empty = missing, not an error
    assert scores["source"].tolist() == ["unspecified"] * 3


def test_every_problem_is_reported_at_once_with_line_column_value(write_csv):
    text = HEADER + "\n".join([
        "2,Ludhiana,1.a,35,x",       # line 2: above max 30
        "2,Ludhiana,1.b,-5,x",       # line 3: negative
        "2,Ludhiana,1.c&d,ten,x",    # line 4: not a number
        "2,Ludhiana,9.z,5,x",        # line 5: unknown indicator
        "2,Ludhyana,2.a,5,x",        # line 6: unknown city
        "7,Ludhiana,2.a,5,x",        # line 7: unknown cycle
        "2,Ludhiana,2.c,10,x",       # line 8
        "2,ludhiana,2.c,10,x",       # line 9: duplicate of line 8
        "two,Ludhiana,2.d,5,x",      # line 10: bad cycle
    ]) + "\n"
    path = write_csv(text)
    problems = problems_of(path)
    got = {(p.row, p.column): p for p in problems}
    assert set(got) == {(2, "score"), (3, "score"), (4, "score"), (5, "indicator"), (6, "city"),
                        (7, "cycle"), (9, None), (10, "cycle")}
    assert "above the maximum of indicator 1.a (30)" in got[2, "score"].message
    assert got[2, "score"].value == "35"
    assert "negative" in got[3, "score"].message
    assert "not a number" in got[4, "score"].message and got[4, "score"].value == "ten"
    assert "valid ids: 1.a, 1.b, 1.c&d" in got[5, "indicator"].message
    assert "closest matches: Ludhiana" in got[6, "city"].message
    assert "frameworks exist for cycle(s) 1, 2" in got[7, "cycle"].message
    assert "first seen on line 8" in got[9, None].message
    assert all(p.file == str(path) for p in problems)
    text_all = str(DataValidationError(problems))
    assert text_all.startswith("8 problems found:")
    assert f"{path}, line 2, column 'score'" in text_all


def test_missing_required_column(write_csv):
    problems = problems_of(write_csv("cycle,city,score\n2,Surat,5\n"))
    assert [(p.column, p.row) for p in problems] == [("indicator", None)]
    assert "required column missing" in problems[0].message


@pytest.mark.parametrize("text, message", [
    ("", "the file is empty"),
    ("   \n\n", "the file is empty"),
    (HEADER, "no data rows"),
])
def test_empty_inputs(write_csv, text, message):
    with pytest.raises(DmafError, match=message):
        read_scores(write_csv(text))


def test_not_a_table(write_csv, tmp_path):
    with pytest.raises(DataValidationError, match="does not look like a score table"):
        read_scores(write_csv('{"json": true}\n', name="data.json"))
    binary = tmp_path / "image.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(DmafError, match="binary file"):
        read_scores(binary)
    with pytest.raises(DmafError, match="not UTF-8"):
        read_scores(write_csv("cycle,city\n2,Pimpri\xe9\n", encoding="latin-1"))
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really")
    with pytest.raises(DmafError, match="not a readable Parquet file"):
        read_scores(broken)
    with pytest.raises(DmafError, match="no such file"):
        read_scores(tmp_path / "absent.csv")
    with pytest.raises(DmafError, match="is a folder"):
        read_scores(tmp_path)


def test_parquet_round_trip(tmp_path, small_scores):
    path = write_table(small_scores, tmp_path / "scores.parquet")
    back = read_scores(path)
    pd.testing.assert_frame_equal(back[small_scores.columns], small_scores)


def test_parquet_problems_use_row_numbers(tmp_path):
    frame = pd.DataFrame({"cycle": [2, 2], "city": ["Surat", "Surat"], "indicator": ["1.a", "1.b"],
                          "score": [10.0, 45.0]})
    frame.to_parquet(tmp_path / "s.parquet")
    problems = problems_of(tmp_path / "s.parquet")
    assert [(p.row, p.column) for p in problems] == [(2, "score")]
    assert f"{tmp_path / 's.parquet'}, row 2, column 'score'" in str(problems[0])


def test_input_is_not_mutated(small_scores):
    from dmaf_analysis.io import validate_scores
    raw = small_scores.astype(str)
    before = raw.copy()
    validate_scores(raw)
    pd.testing.assert_frame_equal(raw, before)


def test_city_attributes(write_csv):
    attrs = read_city_attributes(write_csv("cycle,city,engagement_score\n2,Ludhiana,60\n2,Surat,\n"))
    assert attrs["engagement_score"].iloc[0] == 60.0 and np.isnan(attrs["engagement_score"].iloc[1])
    with pytest.raises(DataValidationError, match="engagement score is outside 0-100") as info:
        read_city_attributes(write_csv("cycle,city,engagement_score\n2,Ludhiana,160\n2,Gotham,5\n2,Ludhiana,6\n"))
    rows = sorted((p.row, p.column) for p in info.value.problems)
    assert rows == [(2, "engagement_score"), (3, "city"), (4, None)]


def test_spreadsheet_safe_and_atomic_write(tmp_path):
    frame = pd.DataFrame({"city": ["=HYPERLINK(\"x\")", "+1", "Surat", "@SUM"], "score": [-5.0, 1.0, 2.0, 3.0]})
    safe = spreadsheet_safe(frame)
    assert safe["city"].tolist() == ["'=HYPERLINK(\"x\")", "'+1", "Surat", "'@SUM"]
    assert safe["score"].tolist() == [-5.0, 1.0, 2.0, 3.0]
    assert frame["city"].iloc[0].startswith("=")  # input untouched
    out = write_table(frame, tmp_path / "out.csv")
    assert out.read_text().splitlines()[1] == '"\'=HYPERLINK(""x"")",-5.0'
    write_text_atomic(tmp_path / "a.txt", "hello")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "out.csv"]


def test_written_files_get_the_usual_permissions(tmp_path):
    import os
    import stat
    mask = os.umask(0)
    os.umask(mask)
    path = write_text_atomic(tmp_path / "page.html", "<p>x</p>")
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask


def test_atomic_write_leaves_nothing_on_failure(tmp_path):
    from dmaf_analysis._util.fileio import atomic_path
    target = tmp_path / "t.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError, match="boom"):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["t.txt"]


def test_hundreds_of_problems_are_all_kept_and_grouped(write_csv):
    text = HEADER + "".join(f"2,Surat,1.a,{31 + i},x\n" for i in range(250))
    with pytest.raises(DataValidationError, match=r"499 problems found \(251 distinct\)") as info:
        read_scores(write_csv(text))
    # 250 scores above the max, and 249 duplicates of the first row: every problem is kept
    assert len(info.value.problems) == 499
    message = str(info.value)
    assert message.startswith("499 problems found (251 distinct):")
    lines = message.splitlines()
    assert len(lines) <= 30
    # the duplicates are one problem repeated: one line with its count and first lines
    assert lines[-1].endswith("duplicate row; cycle 2, city Surat, indicator 1.a (first seen on line 2), "
                              "in 249 lines: 3, 4, 5, 6, 7, ...")
    # the 250 scores above the maximum differ by value: one heading, then examples
    assert "score is above the maximum of indicator 1.a (30): 250 problems, 250 different values:" in lines[1]
    assert lines[2] == "      '31' on line 2"
    assert lines[-2].startswith("      ... and ") and lines[-2].endswith(" more")
    shown = len(lines) - 4  # header, heading, "... and N more", duplicates
    assert lines[-2] == f"      ... and {250 - shown} more"


def test_line_numbers_survive_blank_lines_and_multiline_cells(write_csv):
    text = ("\n\ncycle,city,indicator,score,source\n"     # header on line 3
            "2,Surat,1.a,50,x\n"                          # line 4: above max
            "\n"                                          # line 5: blank
            '2,Surat,1.b,5,"a note\nover two lines"\n'   # lines 6-7
            "2,Surat,1.b,5,x\n")                          # line 8: duplicate of line 6
    problems = problems_of(write_csv(text))
    assert [(p.row, p.column) for p in problems] == [(4, "score"), (8, None)]
    assert "first seen on line 6" in problems[1].message


def test_rows_with_the_wrong_number_of_fields(write_csv):
    problems = problems_of(write_csv(HEADER + "2,Surat,1.a,5,x,extra\n2,Surat,1.b\n2,Surat,1.c&d,5,x\n"))
    assert [(p.row, p.message) for p in problems] == [
        (2, "the row has 6 fields but the header has 5"), (3, "the row has 3 fields but the header has 5")]


@pytest.mark.parametrize("header", ["cycle,city,indicator,score,Score", "cycle,city,indicator,score, score "])
def test_a_column_given_twice_is_named(write_csv, header):
    problems = problems_of(write_csv(header + "\n2,Surat,1.a,5,6\n"))
    assert [(p.row, p.column) for p in problems] == [(1, "score")]
    assert "appears twice (columns 4 and 5" in problems[0].message


def test_attribute_cycles_are_checked(write_csv):
    with pytest.raises(DataValidationError, match="column 'cycle': unknown cycle") as info:
        read_city_attributes(write_csv("cycle,city,engagement_score\n9,Surat,50\n99999999999999999999,Pune,5\n"))
    got = [(p.row, p.column, p.message.split(";")[0]) for p in info.value.problems]
    assert got == [(2, "cycle", "unknown cycle"), (3, "cycle", "cycle must be a positive whole number")]


def test_write_failures_name_the_target(tmp_path, small_scores):
    from dmaf_analysis.errors import WriteError
    with pytest.raises(WriteError, match=f"{tmp_path}: is a folder"):
        write_table(small_scores, tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(WriteError, match=r"file/out.csv: cannot write the file") as info:
        write_table(small_scores, blocker / "out.csv")
    assert ".tmp" not in str(info.value)
    assert isinstance(info.value, OSError)
