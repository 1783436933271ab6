"""The published record: the bundled facts, validation of a record file, a data folder without one."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dmaf_analysis import record
from dmaf_analysis.errors import DataValidationError, InputFileError
from dmaf_analysis.framework import load_frameworks

DATA = Path(__file__).resolve().parents[1] / "data"
BUNDLED = DATA / "published_record.csv"
HEADER = "cycle,scope,subject,quantity,component,indicator,value,source,certainty,note\n"


@pytest.fixture(scope="module")
def facts() -> pd.DataFrame:
    return record.load_record(BUNDLED, frameworks=load_frameworks())


def _value(facts, subject, quantity, component="", indicator=""):
    hit = facts[(facts["subject"] == subject) & (facts["quantity"] == quantity) & (facts["component"] == component)
                & (facts["indicator"] == indicator)]
    assert len(hit) == 1, (subject, quantity, component)
    return hit.iloc[0]


def test_every_published_fact_is_in_the_bundled_record(facts):
    assert _value(facts, "all", "mean_overall")["number"] == 32
    assert _value(facts, "all", "n_certified")["number"] == 42
    west = {q: _value(facts, "West", q)["number"] for q in ("mean_overall", "n_cities", "n_certified")}
    assert west == {"mean_overall": 45, "n_cities": 26, "n_certified": 10}
    ranks = record.ranked_cities(facts, cycle=2)
    assert ranks["city"].tolist()[:9] == ["Surat", "Pimpri-Chinchwad", "Bhopal", "Pune", "Nagpur", "Ahmedabad",
                                          "Jabalpur", "New Town Kolkata", "Chennai"]
    assert sorted(ranks.loc[ranks["rank"] == 10, "city"]) == ["Kohima", "Raipur", "Thane"]
    assert _value(facts, "Kohima", "level")["value"] == "Enabled"
    assert _value(facts, "New Town Kolkata", "level")["value"] == "Enabled"
    assert _value(facts, "Kohima", "component_score", "policy")["number"] == 97
    assert _value(facts, "Kohima", "component_score", "process")["number"] == 45
    assert _value(facts, "Ludhiana", "component_score", "policy")["number"] == 0
    assert _value(facts, "Ludhiana", "component_score", "outcomes")["number"] == 15
    assert _value(facts, "Ludhiana", "engagement_score")["number"] == 60
    # ranks 7 and 9 rest on one regional outlet; New Town's 8th on three
    assert _value(facts, "Jabalpur", "rank")["certainty"] == "medium"
    assert _value(facts, "New Town Kolkata", "rank")["certainty"] == "high"
    assert set(facts["certainty"]) <= set(record.CERTAINTIES) and (facts["source"] != "").all()


def test_city_facts_and_component_totals(facts):
    kohima = record.city_facts(facts, city="Kohima", cycle=2)
    assert (kohima.rank, kohima.level) == (10, "Enabled")
    assert kohima.component_totals == {"policy": 97.0, "process": 45.0} and kohima.any
    assert not record.city_facts(facts, city="Agra", cycle=2).any
    assert not record.city_facts(facts, city="Kohima", cycle=1).any
    totals = record.component_totals(facts)
    assert totals.columns.tolist() == ["cycle", "city", "component", "score"] and len(totals) == 4


def test_a_data_folder_without_a_record_has_an_empty_one(tmp_path, monkeypatch):
    monkeypatch.setenv("DMAF_DATA_DIR", str(tmp_path))
    empty = record.load_record()
    assert empty.empty and list(empty.columns) == [*record.RECORD_COLUMNS, "number"]
    with pytest.raises(InputFileError, match="no such record file"):
        record.load_record(tmp_path / "missing.csv")


def test_a_users_own_record_is_read_from_their_data_folder(tmp_path, monkeypatch):
    (tmp_path / record.RECORD_FILE).write_text(HEADER + "3,city,Agra,rank,,,4,our survey,low,\n", encoding="utf-8")
    monkeypatch.setenv("DMAF_DATA_DIR", str(tmp_path))
    own = record.load_record()
    assert own[["cycle", "subject", "quantity", "number"]].values.tolist() == [[3, "Agra", "rank", 4.0]]


@pytest.mark.parametrize(("line", "column", "words"), [
    ("x,national,all,mean_overall,,,32,press,high,", "cycle", "whole number"),
    ("2,planet,all,mean_overall,,,32,press,high,", "scope", "unknown scope"),
    ("2,national,all,average,,,32,press,high,", "quantity", "unknown quantity"),
    ("2,national,all,mean_overall,,,about 32,press,high,", "value", "needs a number"),
    ("2,city,Surat,rank,,,1.5,press,high,", "value", "whole number"),
    ("2,city,Surat,rank,,,1,,high,", "source", "say where"),
    ("2,city,Surat,rank,,,1,press,sure,", "certainty", "unknown certainty"),
    ("2,city,Kohima,component_score,,,97,press,high,", "component", "needs component"),
    ("2,national,Surat,mean_overall,,,32,press,high,", "subject", "subject 'all'"),
    ("2,city,Surat,mean_overall,,,32,press,high,", "scope", "a fact about national or region"),
])
def test_bad_rows_are_named_with_line_column_value_and_fix(tmp_path, line, column, words):
    path = tmp_path / "record.csv"
    path.write_text(HEADER + "2,national,all,n_certified,,,42,press,high,\n" + line + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as err:
        record.load_record(path)
    text = str(err.value)
    assert "record.csv" in text and "line 3" in text and f"column {column!r}" in text and words in text


def test_repeated_facts_missing_columns_and_unknown_ids_are_errors(tmp_path):
    path = tmp_path / "record.csv"
    path.write_text(HEADER + "2,city,Surat,rank,,,1,press,high,\n2,city,Surat,rank,,,2,press,high,\n",
                    encoding="utf-8")
    with pytest.raises(DataValidationError, match="line 3.*repeats the fact"):
        record.load_record(path)
    path.write_text("cycle,scope,subject\n2,city,Surat\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="'quantity'.*required column is missing"):
        record.load_record(path)
    path.write_text(HEADER + "2,city,Kohima,component_score,culture,,97,press,medium,\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="not a component of the cycle 2 framework"):
        record.load_record(path, frameworks=load_frameworks())
