"""`dmaf explore` and `dmaf scenarios`: files written, summaries printed, bad scenarios refused by name."""
import pandas as pd
import pytest

from dmaf_analysis.cli import main
from dmaf_analysis.explore import SCENARIO_COLUMNS
from dmaf_analysis.io import write_table
from dmaf_analysis.scoring import score_cities

SCENARIOS = """scenarios:
  - name: technology_double
    weights: {policy: 0.15, people: 0.15, process: 0.15, technology: 0.4, outcomes: 0.15}
  - name: geometric
    aggregation: geometric
"""


@pytest.fixture
def files(tmp_path, small_scores):
    data = write_table(small_scores, tmp_path / "scores.csv")
    spec = tmp_path / "scenarios.yaml"
    spec.write_text(SCENARIOS)
    return data, spec


def test_scenarios_writes_the_table_and_a_summary(files, tmp_path, capsys, small_scores):
    data, spec = files
    out = tmp_path / "scen.csv"
    assert main(["scenarios", str(spec), "--data", str(data), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    table = pd.read_csv(out)
    assert list(table.columns) == SCENARIO_COLUMNS
    assert list(dict.fromkeys(table["scenario"])) == ["baseline", "technology_double", "geometric"]
    base = table[table["scenario"] == "baseline"].set_index("city")["rank"]
    scored = score_cities(small_scores).set_index("city")["rank"]
    assert base.to_dict() == {c: int(r) for c, r in scored.items()}
    assert "technology_double, cycle 2:" in printed and "change level" in printed
    assert "mean absolute rank change" in printed


def test_scenarios_to_stdout_and_one_cycle(files, capsys):
    data, spec = files
    assert main(["scenarios", str(spec), "--data", str(data), "--cycle", "2"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0] == ",".join(SCENARIO_COLUMNS)
    assert "geometric, cycle 2:" in captured.err


@pytest.mark.parametrize("text, words", [
    ("scenarios:\n  - name: a\n    weights: {policy: -1, people: 1}\n", ["scenario 'a'", "policy", "negative"]),
    ("scenarios:\n  - name: b\n    wieghts: {policy: 1}\n", ["scenario 'b'", "'wieghts'", "did you mean 'weights'"]),
    ("scenarios:\n  - name: c\n    weights: {tech: 1}\n", ["scenario 'c'", "unknown component 'tech'"]),
    ("scenarios:\n  - name: d\n    weights: {policy: 0, people: 0}\n", ["scenario 'd'", "all weights are 0"]),
])
def test_bad_scenarios_are_refused_by_name(files, tmp_path, capsys, text, words):
    data, _ = files
    spec = tmp_path / "bad.yaml"
    spec.write_text(text)
    assert main(["scenarios", str(spec), "--data", str(data)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and str(spec) in err
    for word in words:
        assert word in err


def test_explore_writes_the_page_with_scenarios(files, tmp_path, capsys):
    data, spec = files
    out = tmp_path / "out"
    assert main(["explore", "--data", str(data), "--output-dir", str(out), "--scenarios", str(spec)]) == 0
    page = out / "explore" / "cycle-2.html"
    assert str(page) in capsys.readouterr().out
    html = page.read_text()
    assert "<h2>Scenarios</h2>" in html and "technology_double" in html
    assert html.count("type='range'") == 5 and 'type="search"' in html


def test_explore_of_a_cycle_not_in_the_data(files, tmp_path, capsys):
    data, _ = files
    assert main(["explore", "--data", str(data), "--output-dir", str(tmp_path), "--cycle", "1"]) == 1
    assert "cycle 1 is not in the data" in capsys.readouterr().err
