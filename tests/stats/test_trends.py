"""Tests of dmaf_analysis.trends against scipy and hand computations."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import FOUR_LEVELS, frameworks_with_levels
from scipy import stats as sps

from dmaf_analysis import stats
from dmaf_analysis.errors import DmafError
from dmaf_analysis.framework import component_map, parse_framework
from dmaf_analysis.scoring import rank_within_cycle

COMPONENTS = ["policy", "people", "process", "technology", "outcomes"]
# four levels (two above the defaults on record) so that level changes are visible
FRAMEWORKS = frameworks_with_levels(FOUR_LEVELS)


def cycle_rows(cycle: int, overall_by_city: dict[str, float], *, offsets=None) -> pd.DataFrame:
    """score_cities-like rows; each component = overall + a fixed offset (offsets sum to 0)."""
    offsets = offsets or {"policy": -4.0, "people": 2.0, "process": 0.0, "technology": 3.0, "outcomes": -1.0}
    rows = []
    for city, overall in overall_by_city.items():
        row = {"cycle": cycle, "city": city, "state": f"State of {city}", "region": "R"}
        row.update({c: overall + offsets[c] for c in COMPONENTS})
        row["overall"] = overall
        rows.append(row)
    frame = pd.DataFrame(rows)
    fw = FRAMEWORKS[cycle]
    frame["level"] = fw.levels_for(frame["overall"])
    frame["certified"] = [fw.is_certified(x) for x in frame["level"]]
    frame["rank"] = rank_within_cycle(frame["overall"], frame["cycle"])
    return frame


CYCLE1 = {"A": 20.0, "B": 35.0, "C": 50.0, "D": 62.0, "E": 10.0, "F": 45.0, "G": 70.0, "Only1": 40.0}
CYCLE2 = {"A": 31.0, "B": 33.0, "C": 61.0, "D": 62.0, "E": 25.0, "F": 40.0, "G": 85.0, "Only2": 55.0}


def panel() -> pd.DataFrame:
    return pd.concat([cycle_rows(1, CYCLE1), cycle_rows(2, CYCLE2)], ignore_index=True)


def test_component_map_uses_crosswalk_both_ways():
    assert component_map(1, 2, frameworks=FRAMEWORKS) == {c: c for c in COMPONENTS}
    assert component_map(2, 1, frameworks=FRAMEWORKS) == {c: c for c in COMPONENTS}
    with pytest.raises(DmafError, match="itself"):
        component_map(2, 2, frameworks=FRAMEWORKS)
    with pytest.raises(DmafError, match="no framework for cycle 7"):
        component_map(1, 7, frameworks=FRAMEWORKS)


def _renamed_frameworks():
    """Cycle 1 with different component ids, a crosswalk to cycle 2's ids."""
    raw = {
        "cycle": 1,
        "components": [{"id": f"old_{c}", "weight": 0.2} for c in COMPONENTS],
        "indicators": [{"id": f"{i}", "component": f"old_{c}", "max": 100} for i, c in enumerate(COMPONENTS)],
        "levels": [{"name": "Low", "min_score": 0, "certified": False}, {"name": "High", "min_score": 50}],
        "crosswalk": {"to_cycle": 2, "components": {f"old_{c}": c for c in COMPONENTS}},
    }
    return {1: parse_framework(raw), 2: FRAMEWORKS[2]}


def test_paired_scores_follow_a_renaming_crosswalk():
    fws = _renamed_frameworks()
    first = cycle_rows(1, {"A": 20.0, "B": 40.0}).rename(columns={c: f"old_{c}" for c in COMPONENTS})
    first["people"] = 99.0  # a same-named column that must NOT be used
    first["level"] = fws[1].levels_for(first["overall"])
    second = cycle_rows(2, {"A": 30.0, "B": 35.0})
    scored = pd.concat([first, second], ignore_index=True)
    paired = stats.paired_scores(scored, cycle_from=1, cycle_to=2, frameworks=fws)
    row = paired[(paired["city"] == "A") & (paired["measure"] == "people")].iloc[0]
    assert (row["score_from"], row["score_to"], row["change"]) == (22.0, 32.0, 10.0)
    assert component_map(2, 1, frameworks=fws)["people"] == "old_people"
    # levels from each cycle's own framework
    ch = stats.city_changes(scored, cycle_from=1, cycle_to=2, frameworks=fws)
    assert ch.set_index("city")["level_from"].to_dict() == {"A": "Low", "B": "Low"}
    # A: Low (1st of 2 levels) -> Enabled (2nd of 4): one step up in the level lists
    assert ch.set_index("city").loc["A", "level_change"] == 1


def test_several_components_mapped_onto_one_are_averaged():
    raw = {"cycle": 1, "components": [{"id": "a", "weight": 0.5}, {"id": "b", "weight": 0.5}],
           "indicators": [{"id": "a1", "component": "a", "max": 100}, {"id": "b1", "component": "b", "max": 100}],
           "levels": [{"name": "Low", "min_score": 0, "certified": False}],
           "crosswalk": {"to_cycle": 2, "components": {"a": "policy", "b": "policy"}}}
    fws = {1: parse_framework(raw), 2: FRAMEWORKS[2]}
    assert component_map(1, 2, frameworks=fws) == {"a": "policy", "b": "policy"}
    first = pd.DataFrame({"cycle": 1, "city": ["A"], "state": "S", "region": "R", "a": [20.0], "b": [50.0],
                          "overall": [35.0], "level": ["Low"], "rank": [1]})
    second = cycle_rows(2, {"A": 30.0})
    paired = stats.paired_scores(pd.concat([first, second], ignore_index=True), cycle_from=1, cycle_to=2,
                                 frameworks=fws)
    assert paired["measure"].tolist() == ["policy", "overall"]
    policy = paired.iloc[0]
    assert (policy["score_from"], policy["score_to"]) == (35.0, second.loc[0, "policy"])
    with pytest.raises(DmafError, match="cannot be inverted"):
        component_map(2, 1, frameworks=fws)


def test_component_map_without_shared_components_fails():
    raw = {"cycle": 3, "components": [{"id": "x", "weight": 1.0}],
           "indicators": [{"id": "x1", "component": "x", "max": 100}],
           "levels": [{"name": "L", "min_score": 0}]}
    fws = {**FRAMEWORKS, 3: parse_framework(raw)}
    with pytest.raises(DmafError, match="share no component"):
        component_map(2, 3, frameworks=fws)


def test_paired_scores_and_changes():
    paired = stats.paired_scores(panel(), cycle_from=1, cycle_to=2, frameworks=FRAMEWORKS)
    assert sorted(paired["city"].unique()) == list("ABCDEFG")
    assert paired["measure"].unique().tolist() == COMPONENTS + ["overall"]
    a = paired[(paired["city"] == "A")].set_index("measure")
    assert a.loc["overall", "change"] == 11.0 and a.loc["policy", "change"] == 11.0


def test_city_changes_ranks_and_levels():
    ch = stats.city_changes(panel(), cycle_from=1, cycle_to=2, frameworks=FRAMEWORKS).set_index("city")
    assert ch.index[:2].tolist() == ["E", "G"]  # largest gains first, equal gains by name
    assert ch.loc["G", "change"] == 15.0
    # cycle 1 ranks: G 1, D 2, C 3, F 4, Only1 5, B 6, A 7, E 8
    # cycle 2 ranks: G 1, D 2, C 3, Only2 4, F 5, B 6, A 7, E 8
    assert ch.loc["F", "rank_from"] == 4 and ch.loc["F", "rank_to"] == 5 and ch.loc["F", "rank_change"] == -1
    assert ch.loc["A", "level_from"] == "Not certified" and ch.loc["A", "level_to"] == "Enabled"
    assert ch.loc["A", "level_change"] == 1
    assert ch.loc["G", "level_change"] == 1  # Level 3 (70) -> Level 4 (85)
    assert ch.loc["D", "level_change"] == 0


def test_rank_biserial_by_hand():
    # |d| ranks 1, 2, 3, 4; W+ = 1 + 3 + 4 = 8, W- = 2 -> r = (8 - 2) / 10
    assert stats.rank_biserial([1, -2, 3, 4]) == pytest.approx(0.6)
    # zeros dropped; ties get average ranks: |d| = 1, 1, 2 -> ranks 1.5, 1.5, 3; W+ = 4.5, W- = 1.5
    assert stats.rank_biserial([1, -1, 2, 0]) == pytest.approx(0.5)
    assert stats.rank_biserial([2, 3]) == 1.0
    assert math.isnan(stats.rank_biserial([0, 0]))


def test_change_summary_matches_scipy():
    scored = panel()
    table = stats.change_summary(scored, cycle_from=1, cycle_to=2, frameworks=FRAMEWORKS, seed=3)
    row = table.set_index("measure").loc["overall"]
    d = np.array([CYCLE2[c] - CYCLE1[c] for c in "ABCDEFG"])
    ref = sps.wilcoxon(d)
    assert row["n"] == 7
    assert row["mean_change"] == pytest.approx(d.mean())
    assert row["median_change"] == pytest.approx(np.median(d))
    assert row["wilcoxon_statistic"] == pytest.approx(ref.statistic)
    assert row["p_value"] == pytest.approx(ref.pvalue)
    assert row["rank_biserial"] == pytest.approx(stats.rank_biserial(d))
    assert row["mean_change_ci_low"] <= row["mean_change"] <= row["mean_change_ci_high"]
    assert row["median_change_ci_low"] <= row["median_change"] <= row["median_change_ci_high"]
    assert row["mean_from"] == pytest.approx(np.mean([CYCLE1[c] for c in "ABCDEFG"]))
    again = stats.change_summary(scored, cycle_from=1, cycle_to=2, frameworks=FRAMEWORKS, seed=3)
    pd.testing.assert_frame_equal(table, again)


def test_change_summary_counts_by_hand():
    table = stats.change_summary(panel(), cycle_from=1, cycle_to=2, frameworks=FRAMEWORKS)
    row = table.set_index("measure").loc["overall"]
    # changes: A +11, B -2, C +11, D 0, E +15, F -5, G +15
    assert (row["n_improved"], row["n_declined"], row["n_unchanged"]) == (4, 2, 1)


def test_change_summary_with_no_change_gives_nan_test():
    same = pd.concat([cycle_rows(1, CYCLE1), cycle_rows(2, CYCLE1)], ignore_index=True)
    table = stats.change_summary(same, cycle_from=1, cycle_to=2, frameworks=FRAMEWORKS)
    assert table["p_value"].isna().all() and table["rank_biserial"].isna().all()
    assert (table["mean_change"] == 0).all() and (table["n_unchanged"] == 8).all()


def test_transition_matrix_by_hand():
    tm = stats.transition_matrix(panel(), cycle_from=1, cycle_to=2, frameworks=FRAMEWORKS)
    assert len(tm) == 16 and tm["n"].sum() == 7
    grid = tm.set_index(["level_from", "level_to"])["n"]
    # cycle 1 levels: A,E Not certified; B,C,F Enabled; D,G Level 3
    # cycle 2 levels: A,B,F Enabled; C,D Level 3; E Not certified; G Level 4
    assert grid[("Not certified", "Enabled")] == 1
    assert grid[("Not certified", "Not certified")] == 1
    assert grid[("Enabled", "Enabled")] == 2
    assert grid[("Enabled", "Level 3")] == 1
    assert grid[("Level 3", "Level 3")] == 1
    assert grid[("Level 3", "Level 4")] == 1
    assert grid[("Level 4", "Level 4")] == 0
    enabled = tm[tm["level_from"] == "Enabled"]
    assert enabled["share_of_from"].sum() == pytest.approx(1.0)
    assert tm[tm["level_from"] == "Level 4"]["share_of_from"].isna().all()


def test_rank_mobility_matches_scipy():
    row = stats.rank_mobility(panel(), cycle_from=1, cycle_to=2, frameworks=FRAMEWORKS).iloc[0]
    x = [CYCLE1[c] for c in "ABCDEFG"]
    y = [CYCLE2[c] for c in "ABCDEFG"]
    assert row["n"] == 7
    assert row["spearman_rho"] == pytest.approx(sps.spearmanr(x, y).statistic)
    assert row["spearman_p"] == pytest.approx(sps.spearmanr(x, y).pvalue)
    assert row["kendall_tau"] == pytest.approx(sps.kendalltau(x, y).statistic)
    assert row["kendall_p"] == pytest.approx(sps.kendalltau(x, y).pvalue)
    # published ranks: only F moves (4 -> 5)
    assert (row["n_moved_up"], row["n_moved_down"], row["n_same_rank"]) == (0, 1, 6)
    assert row["mean_abs_rank_change"] == pytest.approx(1 / 7)


def test_most_changed_orders_and_filters():
    ch = stats.city_changes(panel(), cycle_from=1, cycle_to=2, frameworks=FRAMEWORKS)
    most = stats.most_changed(ch, n=3)
    up = most[most["direction"] == "improved"]
    down = most[most["direction"] == "declined"]
    assert up["city"].tolist() == ["E", "G", "A"]  # +15, +15 (by name), +11
    assert up["position"].tolist() == [1, 2, 3]
    assert down["city"].tolist() == ["F", "B"]  # only two cities declined
    assert (down["change"] < 0).all()


def test_unpaired_cities_listed_both_ways():
    un = stats.unpaired_cities(panel(), cycle_from=1, cycle_to=2)
    assert un["city"].tolist() == ["Only1", "Only2"]
    assert un["present_in"].tolist() == [1, 2] and un["absent_from"].tolist() == [2, 1]
    assert un["overall"].tolist() == [40.0, 55.0]
    assert un["rank"].tolist() == [5, 4]


def test_missing_cycle_is_a_clear_error():
    with pytest.raises(DmafError, match="no scores for cycle 1"):
        stats.paired_scores(cycle_rows(2, CYCLE2), cycle_from=1, cycle_to=2, frameworks=FRAMEWORKS)
