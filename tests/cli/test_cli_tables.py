"""`dmaf validate`, `dmaf score`, `dmaf summary`: exit codes and messages, never a traceback."""
import subprocess
import sys

import pandas as pd
import pytest

from dmaf_analysis.cli import main
from dmaf_analysis.io import write_table


@pytest.fixture
def valid_csv(tmp_path, small_scores):
    return write_table(small_scores, tmp_path / "scores.csv")


def test_validate_ok(valid_csv, capsys):
    assert main(["validate", str(valid_csv)]) == 0
    out = capsys.readouterr().out
    assert out.strip() == f"{valid_csv}: valid score table, 84 rows (cycle 2: 4 cities)"


def test_validate_reports_every_problem_on_stderr(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("cycle,city,indicator,score\n2,Surat,1.a,31\n2,Gotham,1.a,5\n2,Surat,1.z,x\n")
    assert main(["validate", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "4 problems found" in err
    assert "line 2, column 'score'" in err and "line 3, column 'city'" in err
    assert "line 4, column 'indicator'" in err and "line 4, column 'score'" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("content", ["", "cycle,city,indicator,score\n", "just some words\n"])
def test_validate_bad_files_exit_1(tmp_path, capsys, content):
    path = tmp_path / "x.csv"
    path.write_text(content)
    assert main(["validate", str(path)]) == 1
    assert str(path) in capsys.readouterr().err


def test_score_writes_the_contract_columns(valid_csv, tmp_path, capsys):
    out = tmp_path / "scored.csv"
    assert main(["score", str(valid_csv), "-o", str(out)]) == 0
    table = pd.read_csv(out)
    assert table.columns.tolist() == ["cycle", "city", "state", "region", "policy", "people", "process",
                                      "technology", "outcomes", "overall", "level", "rank", "complete"]
    assert table["city"].tolist()[0] == "Surat" and table["rank"].tolist() == [1, 2, 2, 4]
    assert "wrote 4 rows" in capsys.readouterr().out


def test_score_to_stdout_and_invalid_input(valid_csv, tmp_path, capsys):
    assert main(["score", str(valid_csv)]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("cycle,city,state,region,policy")
    assert main(["score", str(tmp_path / "missing.csv")]) == 1
    assert "no such file" in capsys.readouterr().err


def test_summary_on_a_file(valid_csv, capsys):
    assert main(["summary", str(valid_csv), "--by", "region"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("DMAF 2.0 (Cycle 2, systemic pillar): 4 cities, 3 certified")
    assert "SYNTHETIC" in out and "West" in out
    assert main(["summary", str(valid_csv), "--cycle", "1"]) == 1
    assert "cycle 1 is not in the data" in capsys.readouterr().err


def test_console_script_has_no_traceback(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("cycle,city,indicator,score\n2,Surat,1.a,99\n")
    proc = subprocess.run([sys.executable, "-m", "dmaf_analysis.cli", "validate", str(path)],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert "above the maximum of indicator 1.a (30)" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_score_output_that_cannot_be_written(valid_csv, tmp_path, capsys):
    assert main(["score", str(valid_csv), "-o", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"dmaf score: error: {tmp_path}: is a folder" in err
    assert "unexpected" not in err and ".tmp" not in err


def test_summary_top_10_lists_every_city_sharing_10th(capsys):
    # the bundled panel: Kohima, Raipur and Thane share rank 10 (published)
    assert main(["summary"]) == 0
    out = capsys.readouterr().out
    top = out.split("Top 10")[1].splitlines()[2:]
    rows = [line.split() for line in top if line.strip()]
    assert [r[0] for r in rows] == ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10=", "10=", "10="]
    tied = {" ".join(r[1:2]) for r in rows[-3:]}
    assert tied == {"Kohima", "Raipur", "Thane"}
    assert "12 cities" in out.split("Top 10")[1].splitlines()[0]


def test_summary_without_a_complete_city_says_so_in_a_sentence(tmp_path, capsys):
    path = tmp_path / "one.csv"
    path.write_text("cycle,city,indicator,score\n2,Surat,1.a,10\n")
    assert main(["summary", str(path)]) == 0
    out = capsys.readouterr().out
    assert "0 with a complete overall score" in out
    assert "No city has a complete overall score in cycle 2" in out
    assert "Empty DataFrame" not in out and "Index: []" not in out and "Top 10" not in out


def test_summary_by_a_column_the_cities_table_lacks_is_a_data_error(tmp_path, capsys):
    from dmaf_analysis.scoring import load_dataset

    names = load_dataset().scores["city"].unique()
    cities = tmp_path / "cities.csv"
    cities.write_text("city\n" + "".join(f"{c}\n" for c in names))
    assert main(["summary", "--by", "state", "--cities", str(cities)]) == 1
    err = capsys.readouterr().err
    assert f"the cities table {cities} has no 'state' column" in err and "Traceback" not in err
    assert main(["summary", "--by", "national", "--cities", str(cities)]) == 0


def test_summary_by_any_column(capsys, tmp_path):
    from dmaf_analysis.scoring import load_dataset

    names = sorted(load_dataset().scores["city"].unique())
    cities = tmp_path / "cities.csv"
    cities.write_text("city,state,size\n" + "".join(f"{c},S,{'large' if i % 2 else 'small'}\n"
                                                     for i, c in enumerate(names)))
    assert main(["summary", "--by", "size", "--cities", str(cities)]) == 0
    out = capsys.readouterr().out
    assert "large" in out and "small" in out
    # a column of the attribute table
    assert main(["summary", "--by", "source"]) == 0
    assert "synthetic" in capsys.readouterr().out
    # an unknown column lists the columns there are
    assert main(["summary", "--by", "sise", "--cities", str(cities)]) == 1
    err = capsys.readouterr().err
    assert "no 'sise' column" in err and "choose one of: national, state, size" in err
