"""Own cities everywhere: `--cities FILE` on every command that reads scores, `cities=` on
the entry points, a cities table that needs only `city`, and reports that leave out
what the table does not give."""
from __future__ import annotations

import argparse
import re

import pandas as pd
import pytest

from dmaf_analysis import load_dataset
from dmaf_analysis.cities import CITY_COLUMNS, cities_table, load_cities
from dmaf_analysis.cli import build_parser, main
from dmaf_analysis.errors import DataValidationError, DmafError
from dmaf_analysis.framework import load_frameworks
from dmaf_analysis.io import read_scores

TOWNS = {"Avalon": 0.9, "Brigadoon": 0.5, "Camelot": 0.3}


def _rows(fraction: float, city: str) -> list[dict]:
    fw = load_frameworks()[2]
    return [{"cycle": 2, "city": city, "indicator": ind, "score": float(5 * round(m * fraction / 5)),
             "source": "synthetic"} for ind, m in fw.max_scores.items()]


@pytest.fixture
def own(tmp_path):
    """Scores of three invented towns and a cities table with only the column `city`."""
    scores = tmp_path / "towns.csv"
    pd.DataFrame([r for city, f in TOWNS.items() for r in _rows(f, city)]).to_csv(scores, index=False)
    cities = tmp_path / "towns_cities.csv"
    cities.write_text("city\n" + "\n".join(TOWNS) + "\n")
    return scores, cities


def test_every_command_that_reads_scores_takes_cities():
    parser = build_parser()
    actions = parser._actions  # noqa: SLF001 - argparse has no public listing of sub-commands
    commands = next(a for a in actions if isinstance(a, argparse._SubParsersAction)).choices  # noqa: SLF001
    reading = []
    for name, sub in commands.items():
        options = {o for a in sub._actions for o in a.option_strings}  # noqa: SLF001
        positionals = {a.dest for a in sub._actions if not a.option_strings}  # noqa: SLF001
        if "--data" in options or "file" in positionals or name == "ingest":
            reading.append(name)
            assert "--cities" in options, f"dmaf {name} reads scores but has no --cities"
    assert {"validate", "score", "summary", "report", "batch", "ingest"} <= set(reading)
    assert {"national", "trends", "compare", "whatif", "sensitivity"} & set(commands) <= set(reading)


def test_a_cities_table_needs_only_city(own):
    _, cities = own
    table = load_cities(cities)
    assert table.columns.tolist() == CITY_COLUMNS
    assert table["city"].tolist() == list(TOWNS)
    assert (table.drop(columns="city") == "").all().all()


@pytest.mark.parametrize("text, message", [
    ("city,state\nAvalon,X\n,Y\n", "empty city name in data row(s) 2"),
    ("city\nAvalon\n  \n", None),  # a blank line is no row at all
    ("town,state\nAvalon,X\n", "lacks the column(s) city"),
    ("city\nAvalon\navalon\n", "city listed more than once: avalon"),
])
def test_cities_table_problems(tmp_path, text, message):
    path = tmp_path / "c.csv"
    path.write_text(text)
    if message is None:
        assert load_cities(path)["city"].tolist() == ["Avalon"]
    else:
        with pytest.raises(DmafError, match=re.escape(message)):
            load_cities(path)


def test_cities_as_a_dataframe_is_checked_like_a_file():
    table = cities_table(pd.DataFrame({"City ": ["Avalon", "Brigadoon"]}))
    assert table.columns.tolist() == CITY_COLUMNS and table["state"].tolist() == ["", ""]
    with pytest.raises(DmafError, match="empty city name"):
        cities_table(pd.DataFrame({"city": ["Avalon", None]}))
    with pytest.raises(DmafError, match="cities must be a cities table"):
        cities_table(["Avalon", "Brigadoon"])


def test_read_scores_and_load_dataset_take_cities(own):
    scores, cities = own
    with pytest.raises(DataValidationError, match="--cities FILE"):
        read_scores(scores)
    assert sorted(read_scores(scores, cities=cities)["city"].unique()) == list(TOWNS)
    from_file = load_dataset(scores, cities=cities)
    from_frame = load_dataset(scores, cities=pd.DataFrame({"city": list(TOWNS)}))
    for ds in (from_file, from_frame):
        assert ds.scored.set_index("city")["rank"].to_dict() == {"Avalon": 1, "Brigadoon": 2, "Camelot": 3}
        assert (ds.scored["state"] == "").all()
    assert "cities table towns_cities.csv" in repr(from_file)
    assert "own cities table" in repr(from_frame)


def test_cli_validate_score_summary_with_cities(own, capsys, tmp_path):
    scores, cities = own
    assert main(["validate", str(scores), "--cities", str(cities)]) == 0
    assert "valid score table, 63 rows (cycle 2: 3 cities)" in capsys.readouterr().out
    out = tmp_path / "scored.csv"
    assert main(["score", str(scores), "--cities", str(cities), "-o", str(out)]) == 0
    assert pd.read_csv(out)["city"].tolist() == list(TOWNS)
    capsys.readouterr()
    assert main(["summary", str(scores), "--cities", str(cities)]) == 0
    assert "(Cycle 2, systemic pillar): 3 cities" in capsys.readouterr().out
    # a grouping the cities table does not give is refused, naming those it does
    assert main(["summary", str(scores), "--cities", str(cities), "--by", "region"]) == 1
    err = capsys.readouterr().err
    assert f"the cities table {cities} has no 'region' column" in err and "choose one of: national" in err


def test_group_tables_leave_out_groupings_the_table_lacks(own):
    from dmaf_analysis import stats

    scores, cities = own
    scored = load_dataset(scores, cities=cities).scored
    assert stats.group_medians(scored, by="region", n_boot=50).empty
    assert stats.kruskal_by_group(scored, by="selection_round").empty


def test_render_batch_cities_is_the_cities_table_and_only_picks_cities(own, tmp_path):
    from dmaf_analysis.batch import render_batch

    scores, _ = own
    with pytest.raises(DmafError, match="cities must be a cities table"):
        render_batch(scores_path=scores, cities=["Avalon"], output_dir=tmp_path / "out")


@pytest.mark.slow
def test_report_and_batch_with_own_cities(own, tmp_path, capsys):
    scores, cities = own
    out = tmp_path / "out"
    assert main(["report", "--city", "avalon", "--data", str(scores), "--cities", str(cities),
                 "--output-dir", str(out)]) == 0
    page = (out / "cities" / "avalon" / "cycle-2.html").read_text(encoding="utf-8")
    assert "Avalon" in page
    # the cities table gives neither state nor selection round: those parts are left out
    assert ">State<" not in page and ">Selection round<" not in page and "State median" not in page
    assert main(["batch", "--data", str(scores), "--cities", str(cities), "--output-dir", str(out),
                 "--no-progress", "--workers", "1"]) == 0
    assert "0 failed" in capsys.readouterr().out
    for town in ("brigadoon", "camelot"):
        assert (out / "cities" / town / "cycle-2.html").is_file()
    assert (out / "national" / "overview-cycle-2.html").is_file()
