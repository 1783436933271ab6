"""The national overview against the published record, the mean beside the median, and honest framing."""
from __future__ import annotations

import pandas as pd
import pytest

from dmaf_analysis import national
from dmaf_analysis.record import load_record
from dmaf_analysis.scoring import Dataset, load_dataset


@pytest.fixture(scope="module")
def dataset():
    return load_dataset()


def _row(checks: pd.DataFrame, fact: str) -> pd.Series:
    hit = checks[checks["fact"] == fact]
    assert len(hit) == 1, fact
    return hit.iloc[0]


def test_every_published_fact_has_a_row_and_the_panel_agrees(dataset):
    checks = national.record_checks(dataset, cycle=2)
    assert list(checks.columns) == national.RECORD_CHECK_COLUMNS
    assert len(checks) == int((load_record()["cycle"] == 2).sum())
    assert _row(checks, "All cities: mean overall score")[["published", "panel", "agree"]].tolist() == \
        ["32", "32", "yes"]
    assert _row(checks, "All cities: cities certified")["published"] == "42"
    assert _row(checks, "West: mean overall score")[["published", "agree"]].tolist() == ["45", "yes"]
    assert _row(checks, "Kohima: certification level")[["published", "panel"]].tolist() == ["Enabled", "Enabled"]
    assert _row(checks, "Kohima: component score (Policy)")["panel"] == "97"
    assert (checks.loc[checks["fact"].str.contains("City Data Officers"), "agree"] == "not comparable").all()
    page = national.record_checks_html(checks, synthetic_share=0.99)
    assert page.startswith("<p>Each published fact") and national.RECORD_SECTION in national.OVERVIEW_SECTIONS
    assert ">45<" in page and "drawn so that the published facts hold" in page
    # each source is listed once under the table and referred to by its number in the rows
    assert "Sources: [1] " in page and page.count("<td data-label=\"Source\">[1]</td>") >= 1


def test_checks_say_no_when_the_data_disagree(dataset):
    scored = dataset.scored.copy()
    two = scored["cycle"] == 2
    scored.loc[two, "overall"] = scored.loc[two, "overall"] + 3  # every city 3 points higher
    scored.loc[two & (scored["city"] == "Surat"), "rank"] = 2
    other = Dataset(scores=dataset.scores, scored=scored, attributes=dataset.attributes,
                    frameworks=dataset.frameworks, cities=dataset.cities)
    checks = national.record_checks(other, cycle=2)
    assert _row(checks, "All cities: mean overall score")[["panel", "agree"]].tolist() == ["35", "no"]
    assert _row(checks, "West: mean overall score")["agree"] == "no"
    assert _row(checks, "Surat: rank")[["panel", "agree"]].tolist() == ["2", "no"]
    assert "do not" in national.record_checks_html(checks)


def test_without_a_record_the_section_says_so(dataset, tmp_path, monkeypatch):
    monkeypatch.setenv("DMAF_DATA_DIR", str(tmp_path))
    checks = national.record_checks(dataset, cycle=2, record=load_record())
    assert checks.empty
    assert "holds no published record" in national.record_checks_html(checks)


def test_group_tables_show_the_mean_beside_the_median(dataset):
    tables = national.national_tables(dataset, cycle=2, n_draws=50, n_boot=50)
    g = national.group_table(tables["group_medians_region"]).set_index("group")
    assert round(g.loc["West", "mean"]) == 45 and g.loc["West", "median"] != g.loc["West", "mean"]
    assert "Mean overall" in national.groups_table_html(tables, "groups_region")
    findings = " ".join(national.overview_findings(tables))
    assert "; mean " in findings  # the region finding gives the means a published figure can be checked against


def test_findings_open_with_the_synthetic_caveat_only_when_values_are_synthetic():
    page = national.findings_html(["A finding."], synthetic_share=0.99)
    assert page.index("rest on synthetic values") < page.index("A finding.")
    assert "not results about the cities" in page
    assert "synthetic" not in national.findings_html(["A finding."], synthetic_share=0.0)


def test_engagement_sources_are_counted_from_the_data(dataset):
    text = national.engagement_source_html(dataset, cycle=2)
    assert "99 of the 100 City Engagement Scores are synthetic" in text and "(Ludhiana)" in text
    attrs = dataset.attributes.assign(source="survey")
    other = Dataset(scores=dataset.scores, scored=dataset.scored, attributes=attrs, frameworks=dataset.frameworks,
                    cities=dataset.cities)
    text = national.engagement_source_html(other, cycle=2)
    assert "0 of the 100" in text and "100 come from survey" in text


def test_leaderboard_marks_what_is_published(dataset):
    tables = national.national_tables(dataset, cycle=2, n_draws=50, n_boot=50)
    lb = tables["leaderboard"].set_index("city")
    assert lb.loc["Surat", "published"] == "rank" and lb.loc["Kohima", "published"] == "rank and level"
    assert lb.loc["Agra", "published"] == ""
    assert "rank and level" in national.overview_table(tables, "leaderboard")


def _region_finding(means):
    kw = pd.DataFrame({"grouping": ["region"], "measure": ["overall"], "p_value": [0.2], "epsilon_squared": [0.05]})
    groups = pd.DataFrame({"measure": "overall", "group": ["North", "West", "South"], "n": [10, 26, 20],
                           "median": [30.0, 27.0, 25.0], "ci_low": 20.0, "ci_high": 35.0, "share_certified": 0.4,
                           "mean": means})
    return " ".join(national.overview_findings({"kruskal_wallis": kw, "group_medians_region": groups}))


def test_region_finding_names_the_highest_mean_when_it_is_another_region(dataset):
    text = _region_finding([31.0, 45.0, 24.0])
    assert "median overall 30 in North (10 cities; mean 31)" in text
    assert "by the mean, West is highest (45, 26 cities; its median is 27, so a few high scores lift its mean)" in text
    assert "by the mean" not in _region_finding([40.0, 35.0, 24.0])  # the same region leads both ways
    tables = national.national_tables(dataset, cycle=2, n_draws=50, n_boot=50)
    assert "by the mean, West is highest (45" in " ".join(national.overview_findings(tables))
