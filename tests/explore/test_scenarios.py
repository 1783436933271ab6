"""Scenarios: the tidy table against a hand computation, and every refusal naming the scenario and key."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from dmaf_analysis.errors import SpecError
from dmaf_analysis.explore import (load_scenarios, parse_scenarios, SCENARIO_COLUMNS, scenario_summary,
                                   scenario_table)
from dmaf_analysis.framework import load_framework
from dmaf_analysis.io import validate_scores
from dmaf_analysis.scoring import score_cities

FW2 = load_framework(2)
COMPONENT_OF = dict(zip(FW2.indicators["indicator"], FW2.indicators["component"]))


def _points(fractions: dict[str, float], overrides: dict[str, float] | None = None) -> dict[str, float]:
    """Every indicator at its component's fraction of the maximum, some set by hand."""
    pts = {ind: fractions[COMPONENT_OF[ind]] * m for ind, m in FW2.max_scores.items()}
    pts.update(overrides or {})
    return pts


def _scores() -> pd.DataFrame:
    """Component scores, by hand: Surat 80 80 80 20 80; Pune 60 x5; Kohima 40 40 40 70 40 (4.e at 0);
    Ludhiana 20 x5."""
    def every(f, **kw):
        return {c: kw.get(c, f) for c in FW2.component_ids}

    cities = {
        "Surat": _points(every(0.8, technology=0.2)),
        "Pune": _points(every(0.6)),
        "Kohima": _points(every(0.4, technology=1.0), {"4.e": 0.0}),
        "Ludhiana": _points(every(0.2)),
    }
    rows = [{"cycle": 2, "city": city, "indicator": ind, "score": pts[ind], "source": "synthetic"}
            for city, pts in cities.items() for ind in FW2.indicator_ids]
    return validate_scores(pd.DataFrame(rows))


SCENARIOS = {"scenarios": [
    {"name": "technology_double",
     "weights": {"policy": 0.15, "people": 0.15, "process": 0.15, "technology": 0.4, "outcomes": 0.15}},
    {"name": "geometric", "aggregation": "geometric"},
    {"name": "stricter", "thresholds": {"Enabled": 50}},
    {"name": "without_4e", "leave_out": ["4.e"]},
    {"name": "technology_only", "weights": {"policy": 0, "people": 0, "process": 0, "technology": 3,
                                            "outcomes": 0}},
]}


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return scenario_table(_scores(), parse_scenarios(SCENARIOS))


def _rows(table, scenario) -> dict:
    part = table[table["scenario"] == scenario].set_index("city")
    return {c: (r["overall"], r["level"], r["rank"], r["rank_change"]) for c, r in part.iterrows()}


def test_table_columns_and_order(table):
    assert list(table.columns) == SCENARIO_COLUMNS
    assert list(dict.fromkeys(table["scenario"])) == ["baseline", "technology_double", "geometric", "stricter",
                                                       "without_4e", "technology_only"]
    assert len(table) == 6 * 4 and (table["cycle"] == 2).all()
    # rows follow the baseline rank
    assert table[table["scenario"] == "technology_double"]["city"].tolist() == ["Surat", "Pune", "Kohima",
                                                                                 "Ludhiana"]


def test_baseline_by_hand_and_as_score_cities(table):
    # (80*4 + 20) / 5 = 68; 60; (40*4 + 70) / 5 = 46; 20
    base = _rows(table, "baseline")
    assert {c: v[0] for c, v in base.items()} == pytest.approx({"Surat": 68, "Pune": 60, "Kohima": 46,
                                                                "Ludhiana": 20})
    assert {c: v[1:] for c, v in base.items()} == {"Surat": ("Enabled", 1, 0), "Pune": ("Enabled", 2, 0),
                                                   "Kohima": ("Enabled", 3, 0), "Ludhiana": ("Not certified", 4, 0)}
    scored = score_cities(_scores()).set_index("city")
    for city, (overall, level, rank, _) in base.items():
        assert overall == pytest.approx(scored.at[city, "overall"])
        assert (level, rank) == (scored.at[city, "level"], scored.at[city, "rank"])


def test_weights_by_hand(table):
    # 0.15 * (80 * 3 + 80) + 0.4 * 20 = 56; 60; 0.15 * 160 + 0.4 * 70 = 52; 20
    rows = _rows(table, "technology_double")
    assert {c: v[0] for c, v in rows.items()} == pytest.approx({"Surat": 56, "Pune": 60, "Kohima": 52,
                                                                "Ludhiana": 20})
    assert {c: (v[2], v[3]) for c, v in rows.items()} == {"Surat": (2, -1), "Pune": (1, 1), "Kohima": (3, 0),
                                                          "Ludhiana": (4, 0)}


def test_weights_renormalised_with_ties(table):
    # technology alone (weight 3 -> 1): Surat 20, Pune 60, Kohima 70, Ludhiana 20; Surat and Ludhiana tie at 3
    rows = _rows(table, "technology_only")
    assert {c: v[0] for c, v in rows.items()} == pytest.approx({"Surat": 20, "Pune": 60, "Kohima": 70,
                                                                "Ludhiana": 20})
    assert {c: v[1:] for c, v in rows.items()} == {
        "Surat": ("Not certified", 3, -2), "Pune": ("Enabled", 2, 0), "Kohima": ("Enabled", 1, 2),
        "Ludhiana": ("Not certified", 3, 1)}


def test_geometric_by_hand(table):
    # exp(sum w log(x + 1)) - 1, equal weights
    surat = math.exp(0.8 * math.log(81) + 0.2 * math.log(21)) - 1
    kohima = math.exp(0.8 * math.log(41) + 0.2 * math.log(71)) - 1
    rows = _rows(table, "geometric")
    assert {c: v[0] for c, v in rows.items()} == pytest.approx({"Surat": surat, "Pune": 60, "Kohima": kohima,
                                                                "Ludhiana": 20})
    assert surat < 68 and kohima < 46  # never above the arithmetic mean
    assert {c: v[2] for c, v in rows.items()} == {"Surat": 1, "Pune": 2, "Kohima": 3, "Ludhiana": 4}


def test_thresholds_and_leave_out_by_hand(table):
    stricter = _rows(table, "stricter")
    assert {c: v[1] for c, v in stricter.items()} == {"Surat": "Enabled", "Pune": "Enabled",
                                                      "Kohima": "Not certified", "Ludhiana": "Not certified"}
    # 4.e left out: technology = points of 4.a-4.d x 100 / 70; Kohima 70 -> 100, so (160 + 100) / 5 = 52
    without = _rows(table, "without_4e")
    assert {c: v[0] for c, v in without.items()} == pytest.approx({"Surat": 68, "Pune": 60, "Kohima": 52,
                                                                   "Ludhiana": 20})


def test_summary(table):
    summary = scenario_summary(table).set_index("scenario")
    assert "baseline" not in summary.index
    row = summary.loc["technology_only"]
    assert (row["n_cities"], row["n_level_changed"], row["n_rank_changed"]) == (4, 1, 3)
    assert row["mean_abs_rank_change"] == pytest.approx((2 + 0 + 2 + 1) / 4)
    assert row["largest_movers"] == "Surat -2, Kohima +2, Ludhiana +1"
    assert summary.loc["stricter", "n_level_changed"] == 1 and summary.loc["stricter", "n_rank_changed"] == 0
    assert summary.loc["geometric", "largest_movers"] == ""


def test_missing_component_leaves_city_unscored():
    scores = _scores()
    scores = scores[~((scores["city"] == "Pune") & (scores["indicator"] == "1.a"))]
    table = scenario_table(scores, parse_scenarios({"scenarios": [{"name": "g", "aggregation": "geometric"}]}))
    pune = table[table["city"] == "Pune"]
    assert pune["overall"].isna().all() and pune["rank"].isna().all() and pune["level"].isna().all()
    assert table[(table["city"] == "Kohima") & (table["scenario"] == "g")]["rank"].iloc[0] == 2


@pytest.mark.parametrize("entry, words", [
    ({"name": "a", "weights": {"technolgy": 1}}, ["scenario 'a'", "technolgy", "did you mean 'technology'"]),
    ({"name": "b", "weights": {"policy": -1, "people": 1}}, ["scenario 'b'", "policy", "negative"]),
    ({"name": "c", "weights": {"policy": 0, "people": 0}}, ["scenario 'c'", "all weights are 0"]),
    ({"name": "d", "weight": {"policy": 1}}, ["scenario 'd'", "unknown key 'weight'", "did you mean 'weights'"]),
    ({"name": "e", "aggregation": "geometrik"}, ["scenario 'e'", "aggregation", "did you mean 'geometric'"]),
    ({"name": "f", "thresholds": {"Enabeld": 40}}, ["scenario 'f'", "Enabeld", "did you mean 'Enabled'"]),
    ({"name": "g", "leave_out": ["9.z"]}, ["scenario 'g'", "leave_out", "9.z"]),
    ({"name": "baseline", "aggregation": "geometric"}, ["reserved"]),
    ({"name": "h"}, ["scenario 'h'", "changes nothing"]),
])
def test_refusals_name_the_scenario_and_key(entry, words):
    with pytest.raises(SpecError) as err:
        parse_scenarios({"scenarios": [entry]}, source="s.yaml")
    for word in words:
        assert word in str(err.value)
    assert str(err.value).startswith("s.yaml: ")


def test_refusals_at_scoring_time():
    with pytest.raises(SpecError, match="scenario 'p'.*no weight for"):
        scenario_table(_scores(), parse_scenarios({"scenarios": [{"name": "p", "weights": {"policy": 1}}]}))
    with pytest.raises(SpecError, match="scenario 'q'.*must rise"):
        scenario_table(_scores(), parse_scenarios({"scenarios": [{"name": "q", "thresholds": {"Not certified": 5}}]}))
    left = {"name": "r", "leave_out": ["1.a", "1.b", "1.c&d"]}
    with pytest.raises(SpecError, match="scenario 'r'.*without indicators"):
        scenario_table(_scores(), parse_scenarios({"scenarios": [left]}))


def test_file_errors(tmp_path):
    good = tmp_path / "s.yaml"
    good.write_text("scenarios:\n  - name: geometric\n    aggregation: geometric\n")
    assert [s.name for s in load_scenarios(good)] == ["geometric"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("senarios: []\n")
    with pytest.raises(SpecError, match="bad.yaml"):
        load_scenarios(bad)
    bad.write_text("scenarios:\n  - name: x\n    aggregation: geometric\nextra: 1\n")
    with pytest.raises(SpecError, match="unknown key 'extra'"):
        load_scenarios(bad)
    bad.write_text("a: &x [1]\nb: *x\n")
    with pytest.raises(SpecError):
        load_scenarios(bad)
    twice = {"scenarios": [{"name": "x", "aggregation": "geometric"}, {"name": "x", "aggregation": "geometric"}]}
    with pytest.raises(SpecError, match="used twice"):
        parse_scenarios(twice)
