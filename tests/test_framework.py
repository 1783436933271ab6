import copy
import dataclasses
import re

import numpy as np
import pytest
import yaml
from conftest import FOUR_LEVELS, ONE_LEVEL

from dmaf_analysis.errors import FrameworkError
from dmaf_analysis.framework import load_framework, load_frameworks, parse_framework, read_framework

FACTS_MAXIMA = {  # FACTS.md, Cycle 2 indicator table
    "1.a": 30, "1.b": 40, "1.c&d": 30, "2.a": 20, "2.b": 20, "2.c": 30, "2.d": 15, "2.e": 15,
    "3.a": 30, "3.b": 20, "3.c": 30, "3.d": 20, "4.a": 20, "4.b": 30, "4.c": 10, "4.d": 10,
    "4.e": 30, "5.a": 30, "5.b": 20, "5.c": 20, "5.d": 30,
}
INFERRED = {"2.b", "2.e", "3.b", "3.d", "4.a", "4.e"}


def test_cycle2_matches_facts():
    fw = load_framework(2)
    assert fw.indicator_ids == list(FACTS_MAXIMA)
    assert fw.max_scores.to_dict() == {k: float(v) for k, v in FACTS_MAXIMA.items()}
    assert fw.component_ids == ["policy", "people", "process", "technology", "outcomes"]
    assert fw.weights.tolist() == [0.2] * 5
    inferred = set(fw.indicators.loc[fw.indicators["max_provenance"] == "inferred", "indicator"])
    assert inferred == INFERRED
    assert "Enabled" in fw.levels["level"].tolist()
    assert fw.weights_provenance == "illustrative"  # DMAF's weights are not published


def test_cycle1_is_illustrative_with_crosswalk():
    fw = load_framework(1)
    assert fw.provenance == "illustrative"
    assert set(fw.indicators["max_provenance"]) == {"illustrative"}
    assert fw.crosswalk_to == 2
    assert set(fw.crosswalk.values()) <= set(load_framework(2).component_ids)
    assert len(fw.indicator_ids) < len(load_framework(2).indicator_ids)


def test_levels_for_thresholds():
    fw = load_framework(2)
    got = fw.levels_for(np.array([0, 29.999, 30, 59.5, 60, 80, 100, np.nan]))
    assert got.tolist() == ["Not certified", "Not certified", "Enabled", "Enabled", "Enabled",
                            "Enabled", "Enabled", None]
    assert fw.level_for(30.0) == "Enabled"
    assert fw.next_level("Not certified") == ("Enabled", 30.0)
    assert fw.next_level("Enabled") is None
    assert fw.top_level == "Enabled"


def test_default_levels_are_the_two_on_record():
    for fw in load_frameworks().values():
        assert fw.levels["level"].tolist() == ["Not certified", "Enabled"]
        assert fw.levels["certified"].tolist() == [False, True]
        assert set(fw.levels["provenance"]) == {"illustrative"}


def test_with_levels_adds_levels_and_validates_them():
    fw = load_framework(2).with_levels(FOUR_LEVELS)
    got = fw.levels_for(np.array([0, 30, 59.5, 60, 80, 100]))
    assert got.tolist() == ["Not certified", "Enabled", "Enabled", "Level 3", "Level 4", "Level 4"]
    assert fw.next_level("Enabled") == ("Level 3", 60.0) and fw.next_level("Level 4") is None
    assert load_framework(2).levels["level"].tolist() == ["Not certified", "Enabled"]  # untouched
    one = load_framework(2).with_levels(ONE_LEVEL)
    assert one.levels_for(np.array([0.0, 100.0])).tolist() == ["Assessed", "Assessed"]
    with pytest.raises(FrameworkError, match="strictly ascending"):
        load_framework(2).with_levels([{"name": "A", "min_score": 0}, {"name": "B", "min_score": 0}])


def _raw():
    return yaml.safe_load(open(load_framework(2).source, encoding="utf-8"))


@pytest.mark.parametrize("mutate, message", [
    (lambda r: r["indicators"][0].update(max=35), "must sum to 100"),
    (lambda r: r["components"][0].update(weight=0.3), "weights must sum to 1"),
    (lambda r: r["indicators"][1].update(id="1.a"), "duplicate indicator ids: 1.a"),
    (lambda r: r["components"][1].update(id="policy"), "duplicate component ids"),
    (lambda r: r["levels"].reverse(), "first level must start at 0"),
    (lambda r: r["levels"][1].update(min_score=0), "strictly ascending"),
    (lambda r: r["indicators"][0].update(component="budget"), "unknown component 'budget'"),
    (lambda r: r["indicators"][0].update(max="thirty"), "must be a number"),
    (lambda r: r["indicators"][0].update(max_provenance="guess"), "max_provenance"),
    (lambda r: r.pop("levels"), "lacks the required key 'levels'"),
    (lambda r: r["levels"][1].update(certified="false"), "'certified' must be true or false"),
    (lambda r: r.update(weights_provenance="official"), "weights_provenance is 'official'"),
])
def test_bad_framework_names_file_and_problem(tmp_path, mutate, message):
    raw = copy.deepcopy(_raw())
    mutate(raw)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(FrameworkError, match=re.escape(message)) as info:
        read_framework(path)
    assert str(path) in str(info.value)
    assert message in str(info.value)


def test_not_yaml_and_missing_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("components: [unclosed", encoding="utf-8")
    with pytest.raises(FrameworkError, match="not valid YAML"):
        read_framework(bad)
    with pytest.raises(FrameworkError, match="absent.yaml: no such file"):
        read_framework(tmp_path / "absent.yaml")
    with pytest.raises(FrameworkError, match="no framework for cycle 9"):
        load_framework(9)


def test_load_frameworks_rejects_two_files_for_one_cycle(tmp_path):
    text = open(load_framework(2).source, encoding="utf-8").read()
    (tmp_path / "a.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(FrameworkError, match="more than one framework file"):
        load_frameworks(tmp_path)


def test_parse_framework_rejects_non_mapping():
    with pytest.raises(FrameworkError, match="mapping"):
        parse_framework(["not", "a", "mapping"], source="x.yaml")


def test_crosswalk_targets_are_checked_against_the_other_cycle(tmp_path):
    for name in ("dmaf-cycle-1.yaml", "dmaf-cycle-2.yaml"):
        (tmp_path / name).write_text(open(load_framework(int(name[-6])).source, encoding="utf-8").read())
    cycle1 = tmp_path / "dmaf-cycle-1.yaml"
    good = cycle1.read_text()
    cycle1.write_text(good.replace("outcomes: outcomes", "outcomes: results"))
    with pytest.raises(FrameworkError, match="maps onto component\\(s\\) results, which cycle 2 does not have"):
        load_frameworks(tmp_path)
    cycle1.write_text(good.replace("to_cycle: 2", "to_cycle: 5"))
    with pytest.raises(FrameworkError, match="points to cycle 5, which has no framework file"):
        load_frameworks(tmp_path)
    cycle1.write_text(good.replace("to_cycle: 2", "to_cycle: two"))
    with pytest.raises(FrameworkError, match="'to_cycle' must be another cycle's number"):
        load_frameworks(tmp_path)


def test_thresholds_illustrative_follows_the_levels_provenance():
    from dmaf_analysis.framework import load_frameworks

    fw = load_frameworks()[2]
    assert fw.thresholds_illustrative is bool((fw.levels["provenance"] != "seen").any())
    seen = dataclasses.replace(fw, levels=fw.levels.assign(provenance="seen"))
    assert seen.thresholds_illustrative is False
    one_unseen = fw.levels.assign(provenance="seen")
    one_unseen.loc[one_unseen.index[-1], "provenance"] = "illustrative"
    assert dataclasses.replace(fw, levels=one_unseen).thresholds_illustrative is True


@pytest.mark.parametrize("components", ["policy", 3, ["policy", "people"]])
def test_crosswalk_components_must_be_a_mapping(components):
    raw = yaml.safe_load(open(load_framework(1).source, encoding="utf-8"))
    raw["crosswalk"]["components"] = components
    with pytest.raises(FrameworkError, match=r"x\.yaml: the crosswalk's 'components' must map this cycle's"):
        parse_framework(raw, source="x.yaml")


def test_level_lookups_leave_the_framework_as_it_pickles():
    # a data set's digest pickles its frameworks: looking levels up must not change what they pickle to
    import pickle

    fw = load_frameworks()[2]
    before = pickle.dumps(fw)
    names = fw.levels["level"].tolist()
    assert fw.level_for(float(fw.levels["min_score"].iloc[-1])) == names[-1]
    assert fw.next_level(names[0]) == (names[1], float(fw.levels["min_score"].iloc[1]))
    assert fw.next_level(names[-1]) is None and fw.level_for(float("nan")) is None
    assert list(fw.levels_for([float("nan"), 0.0])) == [None, names[0]]
    assert pickle.dumps(fw) == before
