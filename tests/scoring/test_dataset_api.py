"""An API that does not surprise: tables a caller may change, lookups that find the obvious match,
typed errors naming the fix, ordered levels, strict schemas for the cities and recommendations files."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dmaf_analysis import national, stats
from dmaf_analysis.card import load_recommendations
from dmaf_analysis.cities import CityMatcher, load_cities
from dmaf_analysis.errors import ArgumentError, CitiesTableError, FrameworkError, RecommendationsError
from dmaf_analysis.framework import load_frameworks, parse_framework
from dmaf_analysis.scoring import (check_changes, checked_weights, component_scores, load_dataset, match_key,
                                   overall_scores)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "frameworks"


@pytest.fixture
def upland(monkeypatch):
    monkeypatch.setenv("DMAF_DATA_DIR", str(FIXTURES / "upland"))
    return load_dataset(FIXTURES / "upland" / "scores.csv")


def test_load_dataset_hands_out_tables_the_caller_may_change(upland):
    before = load_dataset(FIXTURES / "upland" / "scores.csv")
    n, overall = len(before.scores), before.scored["overall"].copy()
    first_max = float(before.frameworks[2].indicators["max_score"].iloc[0])
    upland.scores.loc[upland.scores.index[:10], "score"] = -1.0
    upland.scored["overall"] = 0.0
    upland.frameworks[2].indicators.loc[0, "max_score"] = 1.0
    upland.cities.loc[0, "city"] = "Changed"
    upland.frameworks.clear()
    again = load_dataset(FIXTURES / "upland" / "scores.csv")
    assert len(again.scores) == n and (again.scores["score"] >= 0).all()
    pd.testing.assert_series_equal(again.scored["overall"], overall)
    assert float(again.frameworks[2].indicators["max_score"].iloc[0]) == first_max
    assert again.cities.loc[0, "city"] != "Changed" and sorted(again.frameworks) == [1, 2]


def test_load_frameworks_hands_out_copies(monkeypatch):
    monkeypatch.setenv("DMAF_DATA_DIR", str(FIXTURES / "upland"))
    fws = load_frameworks()
    fws[1].levels.loc[0, "level"] = "Renamed"
    assert load_frameworks()[1].levels.loc[0, "level"] == "Listed"


def test_city_lookups_find_the_obvious_match(upland):
    assert upland.resolve_city("District 3") == ("District 03", 2)
    assert upland.resolve_city("district-03", 1) == ("District 03", 1)
    assert upland.resolve_city("DISTRICT 10") == ("District 10", 2)
    matcher = CityMatcher(upland.cities)
    assert matcher.resolve("District 7") == "District 07"
    assert matcher.resolve("District 300") is None
    two = CityMatcher(pd.DataFrame({"city": ["Ward 3", "Ward 03x"], "aliases": ["", ""]}))
    assert two.resolve("ward 003") == "Ward 3"


def test_indicator_lookups_find_the_obvious_match(upland):
    fw = upland.frameworks[2]
    assert check_changes({"a1": 10, " b2 ": 5}, fw) == {"A1": 10.0, "B2": 5.0}
    assert match_key("c01", fw.indicator_ids) == "C1"
    assert match_key("x1", ["X1", "x-1"]) is None  # ambiguous: no guess
    with pytest.raises(ArgumentError, match="'Z9' is not an indicator"):
        check_changes({"Z9": 1}, fw)


@pytest.mark.parametrize("weights", [[0.4, 0.3, 0.3], (0.4, 0.3, 0.3), pd.DataFrame({"w": [0.4, 0.3, 0.3]}), 0.5])
def test_weights_not_given_as_a_mapping_raise_a_typed_error_naming_the_fix(upland, weights):
    fw = upland.frameworks[2]
    with pytest.raises(ArgumentError, match=r"weights must map each component id to its weight.*'access': 0\.4"):
        checked_weights(weights, fw)
    comps = component_scores(upland.scores, frameworks=upland.frameworks)
    with pytest.raises(ArgumentError, match="weights must map each component id"):
        overall_scores(comps, frameworks=upland.frameworks, weights=weights)


def test_unknown_weight_components_are_a_typed_error(upland):
    with pytest.raises(ArgumentError, match="unknown component"):
        checked_weights({"acess": 1.0}, upland.frameworks[2])


def test_a_table_handed_to_the_wrong_chart_is_a_typed_error(upland):
    tables = {"level_counts": stats.level_counts(upland.scored, cycle=2, frameworks=upland.frameworks),
              "correlations": stats.component_correlations(upland.scored, cycle=2, frameworks=upland.frameworks)}
    with pytest.raises(ArgumentError, match=r'floor_ceiling_plot .*pass tables\["indicator_distribution"\]'):
        national.floor_ceiling_plot(tables["level_counts"])
    with pytest.raises(ArgumentError, match=r'correlation_heatmap takes a table \(DataFrame\), got list'):
        national.correlation_heatmap([1, 2, 3])
    with pytest.raises(ArgumentError, match=r'level_counts_plot .*pass tables\["level_counts"\]'):
        national.level_counts_plot(tables["correlations"])


def test_levels_of_the_cycle_change_table_are_ordered(upland):
    changes = stats.city_changes(upland.scored, cycle_from=1, cycle_to=2, frameworks=upland.frameworks)
    for col in ("level_from", "level_to"):
        assert isinstance(changes[col].dtype, pd.CategoricalDtype) and changes[col].cat.ordered
        assert list(changes[col].cat.categories) == ["Listed", "Open", "Exemplary"]
    ordered = changes.sort_values("level_to")["level_to"].astype(str).tolist()
    rank = {"Listed": 0, "Open": 1, "Exemplary": 2}
    assert [rank[x] for x in ordered] == sorted(rank[x] for x in ordered)


def test_unknown_cities_column_names_the_closest_known_one(tmp_path):
    path = tmp_path / "cities.csv"
    path.write_text("city,stat,region\nA,B,C\n", encoding="utf-8")
    with pytest.raises(CitiesTableError, match=r"line 1: unknown column 'stat' in the cities table; did you mean "
                                               r"'state'\?"):
        load_cities(path)
    path.write_text("city,state,\nA,B,\n", encoding="utf-8")  # a trailing comma is no column
    assert load_cities(path)["city"].tolist() == ["A"]


def test_unknown_recommendations_key_names_its_line(tmp_path, monkeypatch):
    monkeypatch.setenv("DMAF_DATA_DIR", str(FIXTURES / "upland"))
    path = tmp_path / "rec.yaml"
    path.write_text("schema_version: 1\ncycle:\n  2:\n    A1: Do it.\n", encoding="utf-8")
    with pytest.raises(RecommendationsError, match=r"line 2: unknown key 'cycle' .*did you mean 'cycles'\?"):
        load_recommendations(path)
    path.write_text("cycles:\n  2:\n    A1: Do it.\n    a-3: Do that.\n", encoding="utf-8")
    with pytest.raises(RecommendationsError, match=r"line 4: cycle 2: unknown indicator 'a-3'"):
        load_recommendations(path, frameworks=load_frameworks())


def test_framework_schema_keys_and_provenance_words():
    base = {"cycle": 1, "components": [{"id": "a", "weight": 1.0}],
            "indicators": [{"id": "A1", "component": "a", "max": 100, "max_provenance": "on_record"}],
            "levels": [{"name": "All", "min_score": 0, "provenance": "on_record"}],
            "about": "A test.", "publisher": "Nobody", "weights_provenance": "on_record", "provenance": "on_record"}
    fw = parse_framework(base)
    assert fw.indicators["max_provenance"].tolist() == ["seen"] and fw.maxima_on_record
    assert fw.weights_provenance == "seen" and not fw.thresholds_illustrative
    assert (fw.about, fw.publisher) == ("A test.", "Nobody")
    with pytest.raises(FrameworkError, match="unknown key 'wieght' in component #1; did you mean 'weight'"):
        parse_framework({**base, "components": [{"id": "a", "wieght": 1.0}]})
    with pytest.raises(FrameworkError, match="unknown key 'to' in the crosswalk; did you mean 'to_cycle'"):
        parse_framework({**base, "crosswalk": {"to": 2, "components": {"a": "a"}}})
    with pytest.raises(FrameworkError, match="schema_version"):
        parse_framework({**base, "schema_version": 2})
    with pytest.raises(FrameworkError, match="provenance is 'sen'"):
        parse_framework({**base, "provenance": "sen"})
