"""Two made-up frameworks, unlike DMAF's, end to end: validate, score, summaries, national tables,
report card functions, what-if, compare and (slow) the batch.

``tests/fixtures/frameworks/trio``: one cycle, three components (weights 0.5/0.3/0.2), six
indicators with ids like ``G1``, a single level, no recommendations file.
``tests/fixtures/frameworks/septet``: two cycles, seven components with unequal weights and
ids such as ``w-alpha``, four levels (Bronze ... Platinum), recommendations for two
indicators only. Both use six invented cities. Each folder is a data folder
(``DMAF_DATA_DIR``) holding ``frameworks/``, ``cities.csv`` and ``scores.csv``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dmaf_analysis import card
from dmaf_analysis import national
from dmaf_analysis import scoring
from dmaf_analysis.cli import main
from dmaf_analysis.errors import DmafError, FrameworkError
from dmaf_analysis.framework import parse_framework
from dmaf_analysis.scoring import load_dataset, score_columns

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "frameworks"

# Written out here, independently of the YAML files, so the scores are checked by hand.
TRIO = {"weights": {"gov": 0.5, "skills": 0.3, "kit": 0.2},
        "members": {"gov": ["G1", "G2"], "skills": ["S1"], "kit": ["K1", "K2", "K3"]},
        "levels": [("Assessed", 0)]}
SEPTET = {"weights": {"w-alpha": 0.25, "w_beta": 0.15, "gamma": 0.10, "delta9": 0.10, "eps": 0.10,
                      "zeta": 0.10, "eta": 0.20},
          "members": {"w-alpha": ["wa-01", "wa-02"], "w_beta": ["wb-01"], "gamma": ["g-01", "g-02"],
                      "delta9": ["d-01"], "eps": ["e-01", "e-02"], "zeta": ["z-01"], "eta": ["h-01", "h-02"]},
          "levels": [("Bronze", 0), ("Silver", 25), ("Gold", 50), ("Platinum", 75)]}
SPECS = {"trio": TRIO, "septet": SEPTET}


@pytest.fixture(params=["trio", "septet"])
def fw_name(request, monkeypatch):
    monkeypatch.setenv("DMAF_DATA_DIR", str(FIXTURES / request.param))
    return request.param


def scores_file(name: str) -> Path:
    return FIXTURES / name / "scores.csv"


def hand_scores(name: str) -> pd.DataFrame:
    """Component, overall, level and rank per (cycle, city) computed directly from the CSV."""
    spec = SPECS[name]
    raw = pd.read_csv(scores_file(name))
    rows = []
    for (cycle, city), part in raw.groupby(["cycle", "city"]):
        points = dict(zip(part["indicator"], part["score"]))
        comps = {c: float(sum(points[i] for i in ids)) for c, ids in spec["members"].items()}
        overall = sum(spec["weights"][c] * v for c, v in comps.items())
        level = [lv for lv, low in spec["levels"] if overall >= low - 1e-9][-1]
        rows.append({"cycle": cycle, "city": city, **comps, "overall": overall, "level": level})
    out = pd.DataFrame(rows)
    out["rank"] = out.groupby("cycle")["overall"].rank(method="min", ascending=False).astype(int)
    return out


def test_validate_and_score_commands_use_the_framework(fw_name, tmp_path, capsys):
    spec = SPECS[fw_name]
    assert main(["validate", str(scores_file(fw_name))]) == 0
    assert "valid score table" in capsys.readouterr().out
    out = tmp_path / "scored.csv"
    assert main(["score", str(scores_file(fw_name)), "-o", str(out)]) == 0
    table = pd.read_csv(out)
    components = list(spec["weights"])
    assert list(table.columns) == ["cycle", "city", "state", "region", *components,
                                   "overall", "level", "rank", "complete"]
    expected = hand_scores(fw_name).set_index(["cycle", "city"])
    got = table.set_index(["cycle", "city"]).loc[expected.index]
    for col in [*components, "overall"]:
        np.testing.assert_allclose(got[col].to_numpy(), expected[col].to_numpy(), atol=1e-9)
    assert got["level"].tolist() == expected["level"].tolist()
    assert got["rank"].tolist() == expected["rank"].tolist()
    assert main(["summary", str(scores_file(fw_name))]) == 0
    printed = capsys.readouterr().out
    assert all(c in printed for c in components)


def test_score_columns_follow_the_framework(fw_name):
    data = load_dataset(scores_file(fw_name))
    assert score_columns(data.frameworks) == ["cycle", "city", "state", "region", *SPECS[fw_name]["weights"],
                                              "overall", "level", "rank", "complete"]


def test_national_tables_cover_every_component_and_level(fw_name):
    data = load_dataset(scores_file(fw_name))
    tables = national.national_tables(data, n_draws=50, n_boot=50)
    components = list(SPECS[fw_name]["weights"])
    assert set(tables["distributions"]["measure"]) == {*components, "overall"}
    assert tables["level_counts"]["level"].tolist() == [lv for lv, _ in SPECS[fw_name]["levels"]]
    assert int(tables["level_counts"]["n"].sum()) == 6
    comp_rows = tables["effective_weights"][tables["effective_weights"]["level"] == "component"]
    assert comp_rows["item"].tolist() == components
    assert len(tables["robustness_cities"]) == 6
    title = national.report_title(data, [data.latest_cycle])
    assert title == {"trio": "Trio Readiness Check, Cycle 1: national overview",
                     "septet": "Septet Urban Data Index 2025, Cycle 2: national overview"}[fw_name]
    if fw_name == "septet":
        trend = national.trend_tables(data, n_boot=50)
        assert trend["component_map"]["component_from"].tolist() == components
        levels = [lv for lv, _ in SEPTET["levels"]]
        assert set(trend["transition_matrix"]["level_from"]) == set(levels)
        assert national.report_title(data, [1, 2]) == ("Septet Urban Data Index 2025: change from cycle 1 "
                                                       "to cycle 2")


def test_report_card_functions_use_names_weights_and_recommendations(fw_name):
    data = load_dataset(scores_file(fw_name))
    head = card.report_headline(data, city="Eastwick")
    fw = data.frameworks[data.latest_cycle]
    assert head.title.startswith(f"Eastwick, East Province: {fw.name}")
    assert "DMAF" not in head.title
    assert "equal component weights" not in head.provenance_notice   # the weights are not equal
    comps = card.component_comparison(data, city="Eastwick")
    assert comps["name"].tolist() == fw.components["name"].tolist()
    inds = card.indicator_scores(data, city="Eastwick")
    assert inds["component_name"].tolist() == fw.indicators["component"].map(
        fw.components.set_index("component")["name"]).tolist()
    recs = card.recommendations(data, city="Aldmoor")
    if fw_name == "trio":          # no recommendations file: the section is left out
        assert recs.empty and not card.has_recommendations(data)
    else:                          # texts for wa-01 and d-01 only
        assert card.has_recommendations(data)
        assert set(recs["indicator"]) <= {"wa-01", "d-01"} and len(recs)
    path = card.path_to_next_level(data, city="Aldmoor")
    if fw_name == "trio":          # one level: nothing above it
        assert path.at_top_level


def test_what_if_rescored_by_hand_on_septet(monkeypatch):
    monkeypatch.setenv("DMAF_DATA_DIR", str(FIXTURES / "septet"))
    data = load_dataset(scores_file("septet"))
    raw = pd.read_csv(scores_file("septet"))
    raw = raw[raw["cycle"] == 2]
    table = scoring.what_if(data, city="aldmoor", changes={"wa-01": 70, "h-02": 65})
    assert table["scenario"].tolist() == ["current", "what-if"]
    mine = raw[raw["city"] == "Aldmoor"].set_index("indicator")["score"].astype(float)
    new = mine.copy()
    new["wa-01"], new["h-02"] = 70.0, 65.0
    overall = {}
    for label, pts in (("current", mine), ("what-if", new)):
        comps = {c: pts[ids].sum() for c, ids in SEPTET["members"].items()}
        overall[label] = sum(SEPTET["weights"][c] * v for c, v in comps.items())
        row = table[table["scenario"] == label].iloc[0]
        for c, v in comps.items():
            assert row[c] == pytest.approx(v)
        assert row["overall"] == pytest.approx(overall[label])
        assert row["level"] == [lv for lv, low in SEPTET["levels"] if overall[label] >= low][-1]
    others = hand_scores("septet").query("cycle == 2 and city != 'Aldmoor'")["overall"]
    assert table["rank"].tolist() == [1 + int((others > overall[k]).sum()) for k in ("current", "what-if")]
    # the obvious match is found (case, spacing, leading zeros); a real typo names the closest ids
    loose = scoring.what_if(data, city="Aldmoor", changes={"WA-1": 70, "h-02": 65})
    assert loose["overall"].tolist() == table["overall"].tolist()
    with pytest.raises(DmafError, match="'wa-03' is not an indicator.*closest: wa-0"):
        scoring.what_if(data, city="Aldmoor", changes={"wa-03": 10})
    with pytest.raises(DmafError, match="outside 0 to 100"):
        scoring.what_if(data, city="Aldmoor", changes={"d-01": 101})


def test_compare_on_trio(monkeypatch, tmp_path):
    monkeypatch.setenv("DMAF_DATA_DIR", str(FIXTURES / "trio"))
    data = load_dataset(scores_file("trio"))
    summary = card.compare_summary(data, names=["Dunmere", "aldmoor"])
    assert summary["city"].tolist() == ["Dunmere", "Aldmoor"]
    expected = hand_scores("trio").set_index("city")
    assert summary["overall"].tolist() == pytest.approx(expected.loc[["Dunmere", "Aldmoor"], "overall"].tolist())
    assert list(summary.columns[-3:]) == ["gov", "skills", "kit"]
    page = card.comparison_html(data, names=["Dunmere", "Aldmoor"], figure=False)
    assert "<title>Trio Readiness Check, Cycle 1: Dunmere and Aldmoor compared</title>" in page
    assert "Skills &amp; Staff" in page                # names escaped, from the framework


def test_reserved_or_empty_component_ids_are_refused():
    raw = {"cycle": 1, "components": [{"id": "overall"}],
           "indicators": [{"id": "x", "component": "overall", "max": 100}],
           "levels": [{"name": "Any", "min_score": 0}]}
    with pytest.raises(FrameworkError, match="'overall'.*column name"):
        parse_framework(raw)


def test_recommendations_section_left_out_without_texts():
    assert card.recommendations_section_html(pd.DataFrame(), available=False) == ""


@pytest.mark.slow
@pytest.mark.parametrize("name", ["trio", "septet"])
def test_batch_renders_made_up_frameworks(name, tmp_path, monkeypatch):
    from dmaf_analysis.batch import render_batch

    monkeypatch.setenv("DMAF_DATA_DIR", str(FIXTURES / name))
    summary = render_batch(scores_path=scores_file(name), output_dir=tmp_path, workers=1, progress=False,
                           only=["Aldmoor", "Eastwick"])
    assert summary.exit_code == 0, summary.text()
    card = (tmp_path / "cities" / "eastwick" / f"cycle-{summary.cycle}.html").read_text(encoding="utf-8")
    fw_name = {"trio": "Trio Readiness Check", "septet": "Septet Urban Data Index 2025"}[name]
    assert fw_name in card and "DMAF report card" not in card
    assert ("<th>Recommendation</th>" in card) == (name == "septet")  # the column shows when there are texts
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "Eastwick" in index and "Aldmoor" in index
    assert any((tmp_path / "national").glob("overview-cycle-*.html"))


def test_component_chart_wraps_many_component_names(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from dmaf_analysis.card import _figures as report_figures

    monkeypatch.setenv("DMAF_DATA_DIR", str(FIXTURES / "septet"))
    data = load_dataset(scores_file("septet"))
    ax = report_figures.plot_components(card.component_comparison(data, city="Eastwick"), city="Eastwick")
    labels = [t.get_text() for t in ax.get_xticklabels()]
    plt.close(ax.figure)
    assert labels == ["Water Data", "Transit\nFeeds", "Health\nRegisters", "Land\nRecords", "Budget\nOpenness",
                      "Citizen\nChannels", "Archive"]
