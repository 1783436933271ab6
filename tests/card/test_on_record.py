"""A card of a city with some values on record shows only what is on record; published facts are marked.

A made-up framework (two components, four indicators, three levels) and four made-up
towns. Avalon has two values on record (a1 = 30 from its report card, b1 = 20 from a
survey) and two synthetic ones; the other towns are synthetic. A small published
record (written to a temporary data folder) gives Brigadoon rank 1 and the level
High, and Camelot's total on component b. Every expected value is worked out by hand.
"""
from __future__ import annotations

import math

import pandas as pd
import pytest
from conftest import dataset_of, own_data_folder

from dmaf_analysis import card
from dmaf_analysis.framework import parse_framework
from dmaf_analysis.scoring import Dataset

RAW = {"cycle": 2, "components": [{"id": "a", "name": "Alpha", "weight": 0.5},
                                  {"id": "b", "name": "Beta", "weight": 0.5}],
       "indicators": [{"id": "a1", "component": "a", "max": 40}, {"id": "a2", "component": "a", "max": 60},
                      {"id": "b1", "component": "b", "max": 50}, {"id": "b2", "component": "b", "max": 50}],
       "levels": [{"name": "Low", "min_score": 0}, {"name": "Mid", "min_score": 40, "certified": True},
                  {"name": "High", "min_score": 70, "certified": True}]}
PREVIOUS = {"cycle": 1, "components": [{"id": "a", "name": "Alpha", "weight": 0.5},
                                       {"id": "b", "name": "Beta", "weight": 0.5}],
            "indicators": [{"id": "a1", "component": "a", "max": 100}, {"id": "b1", "component": "b", "max": 100}],
            "levels": [{"name": "Low", "min_score": 0}, {"name": "Mid", "min_score": 40, "certified": True}]}
#: Avalon: (points, source); the synthetic ones (a2 = 60, b2 = 50) must never reach its card.
AVALON = {"a1": (30.0, "report_card"), "a2": (60.0, "synthetic"), "b1": (20.0, "survey"), "b2": (50.0, "synthetic")}
SHARES = {"Brigadoon": 0.9, "Camelot": 0.5, "Dunsinane": 0.2}
TEXTS = pd.DataFrame({"cycle": [2] * 4, "indicator": ["a1", "a2", "b1", "b2"],
                      "recommendation": ["Raise a1.", "Raise a2.", "Raise b1.", "Raise b2."]})
RECORD = """cycle,scope,subject,quantity,component,indicator,value,source,certainty,note
2,city,Brigadoon,rank,,,1,a made-up release,high,
2,city,Brigadoon,level,,,High,a made-up release,high,
2,city,Camelot,component_score,b,,80,a made-up outlet,medium,
"""


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    towns = "city,state\nAvalon,Somerset\nBrigadoon,Highland\nCamelot,Somerset\nDunsinane,Highland\n"
    folder, mp = own_data_folder(tmp_path_factory, "own-data", files={"published_record.csv": RECORD,
                                                                      "towns.csv": towns})
    cities_file = folder / "towns.csv"
    fws = {1: parse_framework(PREVIOUS), 2: parse_framework(RAW)}
    rows = [{"cycle": 2, "city": "Avalon", "indicator": i, "score": v, "source": s} for i, (v, s) in AVALON.items()]
    for city, share in SHARES.items():
        rows += [{"cycle": 2, "city": city, "indicator": i, "score": share * m, "source": "synthetic"}
                 for i, m in fws[2].max_scores.items()]
    rows += [{"cycle": 1, "city": "Avalon", "indicator": i, "score": 50.0, "source": "synthetic"} for i in ("a1", "b1")]
    attrs = pd.DataFrame({"cycle": [2], "city": ["Avalon"], "engagement_score": [55.0], "source": ["report_card"]})
    yield dataset_of(rows, frameworks=fws, cities_file=cities_file, attributes=attrs)
    mp.undo()


def test_components_are_ranges_and_published_totals(data):
    comp = card.component_comparison(data, city="Avalon").set_index("component")
    # Alpha: a1 30 known, a2 unknown (0-60) -> 30-90; Beta: b1 20 known, b2 unknown (0-50) -> 20-70
    assert comp["score"].tolist() == [30, 20]
    assert comp["score_low"].tolist() == [30, 20] and comp["score_high"].tolist() == [90, 70]
    assert comp["basis"].tolist() == ["range", "range"] and (comp["synthetic_points"] == 0).all()
    assert comp["gap_to_median"].isna().all()
    # the medians are the other towns' (synthetic) values: Alpha 90, 50, 20 -> 50
    assert comp.loc["a", "national_median"] == 50 and comp["others_synthetic"].all()
    page = card.components_html(comp.reset_index())
    assert "30–90" in page and "20–70" in page and "National median (synthetic values)" in page
    # a synthetic town with a published component total shows the total, marked
    camelot = card.component_comparison(data, city="Camelot").set_index("component")
    assert camelot.loc["b", "score"] == 80 and camelot.loc["b", "basis"] == "published"
    assert camelot.loc["a", "basis"] == "synthetic"
    assert "80 (published)" in card.components_html(camelot.reset_index())


def test_indicators_not_on_record_show_their_range(data):
    ind = card.indicator_scores(data, city="Avalon").set_index("indicator")
    assert ind["status"].tolist() == ["on record", "not on record", "on record", "not on record"]
    assert ind.loc[["a2", "b2"], "score"].isna().all() and (ind.loc[["a2", "b2"], "source"] == "").all()
    page = card.indicators_html(ind.reset_index())
    assert "not on record (0–60)" in page and "not on record (0–50)" in page
    assert "60 / 60" not in page and "50 / 50" not in page and "(synthetic)" not in page


def test_headline_gives_ranges_of_overall_level_and_rank(data):
    h = card.report_headline(data, city="Avalon")
    # overall 0.5 * 30 + 0.5 * 20 = 25 to 0.5 * 90 + 0.5 * 70 = 80: Low, Mid or High
    assert (h.overall_low, h.overall_high) == (25, 80) and math.isnan(h.overall)
    assert h.overall_tile[0] == "25 to 80" and h.level_tile[0] == "Low to High"
    assert h.levels_allowed == ("Low", "Mid", "High")
    # Brigadoon's published rank 1 leaves Avalon 2nd at best
    assert h.rank_best == 2 and h.rank_tile[0] == f"2 to {h.rank_worst}"
    assert h.engagement_tile == ("55", "out of 100, from the report card")
    assert "no synthetic value of Avalon is shown" in h.known_statement
    top = card.summary_html(h)
    assert "25 to 80" in top and "Low to High" in top and 'href="#about-values"' in top


def test_published_rank_and_level_are_marked(data):
    b = card.report_headline(data, city="Brigadoon")
    assert b.rank_tile == ("1 of 4", "published") and b.level_tile == ("High", "published")
    assert "On record: rank 1 of 4 and the level High." in b.known_statement
    d = card.report_headline(data, city="Dunsinane")
    assert d.rank_tile[1] == "from synthetic values" and d.level_tile[1].startswith("from synthetic values")


def test_every_indicator_has_its_recommendation_in_framework_order(data):
    recs = card.recommendations(data, city="Avalon", texts=TEXTS)
    assert recs["indicator"].tolist() == ["a1", "a2", "b1", "b2"]
    # known below max: b1 (30 points, gain 15), a1 (10 points, gain 5); then the unknown ones
    assert recs["priority"].tolist() == [2, 3, 1, 4]
    assert card.first_actions(recs)["indicator"].tolist() == ["b1", "a1"]
    sections = card.sections_html(card.component_comparison(data, city="Avalon"),
                                  card.indicator_scores(data, city="Avalon"), recs)
    assert sections.count("Raise ") == 4 and "Alpha: 30–90 / 100" in sections
    assert "not on record (0–60)" in sections and "60 / 60" not in sections


def test_strengths_path_and_change_use_values_on_record_only(data):
    strengths = card.strengths_and_weaknesses(data, city="Avalon")
    assert set(strengths["indicator"]) <= {"a1", "b1"}
    path = card.path_to_next_level(data, city="Avalon")
    # from 25 (unknowns at 0) to Mid (40): b1 to 50 adds 15 -> 40; a2 and b2 are never raised
    assert path.current_overall == 25 and path.target_level == "Mid"
    assert path.steps["indicator"].tolist() == ["b1"] and path.resulting_overall == 40
    assert "counts each of them at 0" in path.range_note and "may already be High" in path.range_note
    change = card.change_since_previous(data, city="Avalon")
    assert change.table.empty and change.statement.startswith("No change is stated")
    assert "every Cycle 1 value of Avalon in the data is synthetic" in change.statement


def test_a_record_of_another_framework_does_not_apply(data, tmp_path, monkeypatch):
    folder = tmp_path / "other"
    folder.mkdir()
    (folder / "published_record.csv").write_text(RECORD.replace(",b,,80", ",policy,,80"), encoding="utf-8")
    monkeypatch.setenv("DMAF_DATA_DIR", str(folder))
    fresh = Dataset(scores=data.scores, scored=data.scored, attributes=data.attributes, frameworks=data.frameworks,
                    cities=data.cities)
    assert card.report_headline(fresh, city="Brigadoon").published_rank is None



def test_peers_show_the_city_by_its_range_and_place_it_by_its_low_bound(data):
    peers = card.peer_comparison(data, city="Avalon")
    state = peers[peers["peer_group"] == "state"]
    # Avalon's panel overall is 80 (its synthetic a2, b2 included), which would put it above Camelot (50);
    # on record it lies between (30 + 20) / 2 = 25 and (90 + 70) / 2 = 80, so it is placed by 25, below Camelot
    assert state["city"].tolist() == ["Camelot", "Avalon", ""]
    me = state[state["is_report_city"]].iloc[0]
    assert me["overall_range"] == "25.0–80.0" and math.isnan(me["overall"]) and pd.isna(me["rank"])
    assert me["level"] == "Low to High"  # three levels: Low, Mid and High
    assert state["gap_to_report_city"].isna().all()
    assert state.iloc[-1]["overall"] == 50  # the group's median leaves Avalon's panel value out
    page = card.peers_html(peers)
    assert "25.0–80.0" in page and "range of the values on record" in page
    # a synthetic town keeps its panel values and no range
    other = card.peer_comparison(data, city="Camelot")
    assert (other["overall_range"] == "").all() and other["overall"].notna().any()
