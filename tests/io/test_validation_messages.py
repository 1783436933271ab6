"""Grouped validation messages: one line per distinct problem, at most about 30 lines,
closest matches looked for once per distinct name, and a hint naming --cities."""
from __future__ import annotations

import pytest

from dmaf_analysis.cities import CityMatcher
from dmaf_analysis.cli import main
from dmaf_analysis.errors import (
    MAX_KEPT_PROBLEMS,
    MAX_PROBLEM_LINES,
    DataValidationError,
    Problem,
    ProblemTally,
    summarise_problems,
)
from dmaf_analysis.io import read_scores
from dmaf_analysis.io._contract import SUGGESTED_NAMES
from dmaf_analysis.synth import panel_cities, synthesize_panel


@pytest.fixture(scope="module")
def panel_300(tmp_path_factory):
    """A 300-city synthetic panel (what `dmaf synth --cities 300` writes) and its cities table."""
    folder = tmp_path_factory.mktemp("p300")
    scores, _ = synthesize_panel(n_cities=300)
    scores.to_csv(folder / "panel.csv", index=False)
    panel_cities(300).to_csv(folder / "panel_cities.csv", index=False)
    return folder / "panel.csv", folder / "panel_cities.csv", scores


def test_one_problem_is_spelled_out_as_before():
    p = Problem("a.csv", 7, "score", "-3", "score is negative; expected 0 or more")
    assert summarise_problems([p]) == [f"  - {p}"]


def test_a_repeated_problem_is_one_line_with_count_and_first_lines():
    problems = [Problem("a.csv", row, "city", "Gotham", "unknown city") for row in range(2, 40)]
    assert summarise_problems(problems) == [
        "  - a.csv, column 'city': unknown city (value 'Gotham'), in 38 lines: 2, 3, 4, 5, 6, ..."]
    assert summarise_problems(problems[:3], rows_shown=5) == [
        "  - a.csv, column 'city': unknown city (value 'Gotham'), in 3 lines: 2, 3, 4"]


def test_parquet_rows_are_called_rows():
    problems = [Problem("a.parquet", row, "score", "x", "score is not a number", unit="row") for row in (3, 9)]
    assert summarise_problems(problems) == [
        "  - a.parquet, column 'score': score is not a number (value 'x'), in 2 rows: 3, 9"]


@pytest.mark.parametrize("n_kinds, n_values", [(1, 5000), (3, 400), (60, 10), (2000, 1)])
def test_never_more_lines_than_allowed(n_kinds, n_values):
    problems = [Problem("big.csv", 2 + k * n_values + v, f"col{k}", f"v{v}", f"problem {k}; detail {v}")
                for k in range(n_kinds) for v in range(n_values)]
    lines = summarise_problems(problems)
    assert len(lines) <= MAX_PROBLEM_LINES
    assert lines  # something is always said
    text = "\n".join(lines)
    if n_kinds <= MAX_PROBLEM_LINES:
        for k in range(n_kinds):  # every kind of problem is named, with its count
            assert f"column 'col{k}': problem {k}" in text
    else:
        assert f"and {n_kinds - MAX_PROBLEM_LINES + 1:,} more kinds of problem" in lines[-1]


def test_examples_share_the_space_between_kinds():
    problems = [Problem("f.csv", i, "city", f"Town {i}", "unknown city") for i in range(2, 202)]
    problems += [Problem("f.csv", i, "score", str(100 + i), "score is above the maximum of indicator 1.a (30)")
                 for i in range(2, 202)]
    lines = summarise_problems(problems, max_lines=12)
    assert len(lines) == 12
    headings = [line for line in lines if line.startswith("  - ")]
    assert headings == ["  - f.csv, column 'city': unknown city: 200 problems, 200 different values:",
                        "  - f.csv, column 'score': score is above the maximum of indicator 1.a (30): "
                        "200 problems, 200 different values:"]
    assert lines[1] == "      'Town 2' on line 2"
    assert lines.count("      ... and 196 more") == 2  # 4 examples each, then the rest counted


def test_300_city_panel_without_its_cities_table(panel_300, capsys):
    panel, _, scores = panel_300
    n_unknown_rows = int((~scores["city"].isin(panel_cities(100)["city"])).sum())
    assert main(["validate", str(panel)]) == 1
    err = capsys.readouterr().err
    lines = err.rstrip("\n").splitlines()
    assert len(lines) <= MAX_PROBLEM_LINES
    assert lines[0] == f"dmaf validate: error: {n_unknown_rows:,} problems found (200 distinct):"
    assert lines[1] == (f"  - {panel}, column 'city': unknown city: {n_unknown_rows:,} problems, "
                        "200 different values:")
    assert lines[2].startswith("      'Synthetic City 0101' in 32 lines: ")
    assert lines[-1].startswith("  hint: 200 city names are not in the cities table in use "
                                "(the 100 Smart Cities bundled with the package)")
    assert "--cities FILE" in lines[-1] and "cities=" in lines[-1]


def test_300_city_panel_with_its_cities_table(panel_300, capsys):
    panel, cities, _ = panel_300
    assert main(["validate", str(panel), "--cities", str(cities)]) == 0
    assert capsys.readouterr().out.strip() == (
        f"{panel}: valid score table, 9600 rows (cycle 1: 300 cities; cycle 2: 300 cities)")


def test_closest_matches_are_looked_for_only_for_the_names_shown(panel_300, monkeypatch):
    panel, _, _ = panel_300
    calls = []
    original = CityMatcher.suggest

    def counting(self, name, n=3):
        calls.append(name)
        return original(self, name, n)

    monkeypatch.setattr(CityMatcher, "suggest", counting)
    with pytest.raises(DataValidationError, match=r"6,400 problems found \(200 distinct\)") as info:
        read_scores(panel)
    assert len(info.value.problems) == 6400  # every row is still reported
    # once per name, and only for the first distinct names: the message cannot show more
    assert sorted(calls) == sorted(set(calls)) and len(calls) == SUGGESTED_NAMES < 200
    shown = [line.split("'")[1] for line in str(info.value).splitlines() if line.startswith("      '")]
    assert shown and set(shown) <= set(calls)


def _bad_rows(n: int, kind: str) -> str:
    """``n`` rows of one kind of problem (or of every kind in turn)."""
    kinds = ["city", "cycle", "indicator", "score", "negative", "above", "duplicate"]
    rows = []
    for i in range(n):
        k = kinds[i % len(kinds)] if kind == "mix" else kind
        rows.append({"city": f"2,Nowhere {i:07d},1.a,5", "cycle": f"x{i},Surat,1.a,5",
                     "indicator": f"2,Surat,z.{i},5", "score": f"2,Surat,1.a,s{i}", "negative": f"2,Surat,1.a,-{i + 1}",
                     "above": f"2,Surat,1.a,{1000 + i}", "duplicate": "2,Surat,1.b,5"}[k])
    return "cycle,city,indicator,score\n" + "\n".join(rows) + "\n"


@pytest.mark.parametrize("kind", ["city", "score", "duplicate", "mix"])
def test_many_bad_rows_are_counted_in_bounded_memory(tmp_path, monkeypatch, kind):
    # 50,000 bad rows stand in for the million of the benchmark (benchmarks/bench_validate.py): what
    # is kept is bounded (records, distinct problems per kind, close-match look-ups), never the row count
    calls = []
    original = CityMatcher.suggest
    monkeypatch.setattr(CityMatcher, "suggest", lambda self, name, n=3: calls.append(name) or original(self, name, n))
    path = tmp_path / "bad.csv"
    path.write_text(_bad_rows(50_000, kind))
    with pytest.raises(DataValidationError) as info:
        read_scores(path)
    error = info.value
    assert error.count >= 49_999  # one problem per row at least (the first of the duplicates is fine)
    assert str(error).startswith(f"{error.count:,} problems found")
    assert len(error.problems) == MAX_KEPT_PROBLEMS
    assert len(calls) <= SUGGESTED_NAMES
    assert len(str(error).splitlines()) <= MAX_PROBLEM_LINES
    assert main(["validate", str(path)]) == 1


def test_a_tally_keeps_a_bounded_number_of_distinct_problems():
    tally = ProblemTally(keep=5)
    tally.extend(Problem("f.csv", i, "city", f"Town {i}", "unknown city") for i in range(2, 20_002))
    assert (tally.count, len(tally.kept), tally.n_distinct) == (20_000, 5, 20_000)
    [(_, kind)] = tally.kinds()
    assert len(kind.members) == MAX_PROBLEM_LINES
    lines = summarise_problems(tally, max_lines=6)
    assert lines[0] == "  - f.csv, column 'city': unknown city: 20,000 problems, 20,000 different values:"
    assert lines[1] == "      'Town 2' on line 2" and lines[-1] == "      ... and 19,996 more"
    # summarised from its records or from the tally, a small list of problems says the same
    small = [Problem("f.csv", i, "city", f"Town {i % 7}", "unknown city") for i in range(2, 300)]
    small_tally = ProblemTally()
    small_tally.extend(small)
    assert summarise_problems(small_tally) == summarise_problems(small)


def test_hint_names_the_cities_table_given(tmp_path):
    cities = tmp_path / "mine.csv"
    cities.write_text("city,state\nAlpha,A\nBeta,B\n")
    scores = tmp_path / "s.csv"
    scores.write_text("cycle,city,indicator,score\n2,Alpha,1.a,5\n2,Gamma,1.a,5\n2,Gamma,1.b,5\n")
    with pytest.raises(DataValidationError, match=r"unknown city \(value 'Gamma'\), in 2 lines: 3, 4") as info:
        read_scores(scores, cities=cities)
    message = str(info.value)
    assert "(value 'Gamma'), in 2 lines: 3, 4" in message
    assert f"hint: 1 city name is not in the cities table in use ({cities}, 2 cities)" in message


def test_no_hint_when_cities_are_known(write_csv):
    with pytest.raises(DataValidationError, match=r"score is above the maximum of indicator 1\.a \(30\)") as info:
        read_scores(write_csv("cycle,city,indicator,score\n2,Surat,1.a,99\n"))
    assert info.value.hints == [] and "  hint: " not in str(info.value)
