"""The bundled data: Ludhiana's card shows only what is on record; published ranks, levels and totals are marked."""
from __future__ import annotations

import re

import pytest

from dmaf_analysis import card


@pytest.fixture(scope="module")
def bundled():
    return card.load_report_data()


def test_ludhiana_card_shows_only_what_is_on_record(bundled):
    comp = card.component_comparison(bundled, city="Ludhiana").set_index("name")
    assert comp[["score_low", "score_high"]].values.tolist() == [[0, 0], [15, 50], [10, 50], [10, 60], [15, 15]]
    h = card.report_headline(bundled, city="Ludhiana")
    assert (h.overall_low, h.overall_high) == (10, 35) and h.overall_tile[0] == "10 to 35"
    assert h.level_tile[0] == "Not certified or Enabled" and h.rank_tile[0].startswith("13 to ")
    ind = card.indicator_scores(bundled, city="Ludhiana")
    unknown = ind.loc[ind["status"] == "not on record", "indicator"].tolist()
    assert unknown == ["2.b", "2.e", "3.b", "3.d", "4.a", "4.e"]
    recs = card.recommendations(bundled, city="Ludhiana")
    assert len(recs) == 21 and "3.b" in set(recs["indicator"])  # the hackathon recommendation stays
    sections = card.sections_html(card.component_comparison(bundled, city="Ludhiana"), ind, recs)
    # the panel's synthetic values of Ludhiana (3.b 20, 3.d 15, 4.e 15) appear nowhere
    for synthetic in ("20 / 20", "15 / 20 (synthetic)", "15 / 30"):
        assert synthetic not in sections
    assert not re.search(r"\d+ / \d+ \(synthetic\)", sections)
    assert "National median (synthetic)" in sections  # the comparison says the other cities' values are synthetic
    assert sections.count("not on record (0–") == 6 and "People: 15–50 / 100" in sections
    assert "Policy: 0 (published) / 100" in sections and "Outcomes: 15 (published) / 100" in sections
    path = card.path_to_next_level(bundled, city="Ludhiana")
    assert set(path.steps["indicator"]).isdisjoint(unknown)
    assert card.change_since_previous(bundled, city="Ludhiana").statement.startswith("No change is stated")
    assert set(card.strengths_and_weaknesses(bundled, city="Ludhiana")["indicator"]).isdisjoint(unknown)


def test_published_ranks_levels_and_totals_are_marked_on_the_cards(bundled):
    assert card.report_headline(bundled, city="Surat").rank_tile == ("1 of 100", "published")
    for city in ("Kohima", "New Town Kolkata"):
        assert card.report_headline(bundled, city=city).level_tile == ("Enabled", "published")
    kohima = card.component_comparison(bundled, city="Kohima").set_index("name")
    assert kohima.loc[["Policy", "Process"], "score"].tolist() == [97, 45]
    assert (kohima.loc[["Policy", "Process"], "basis"] == "published").all()
    assert (kohima.loc[["Policy", "Process"], "synthetic_points"] == 0).all()  # a published total is not hatched
    assert kohima.loc["People", "synthetic_points"] > 0
    k = card.report_headline(bundled, city="Kohima")
    assert (k.overall_low, k.overall_high) == (28.4, 88.4) and "28.4 to 88.4" in k.known_statement
    page = card.comparison_html(bundled, names=["Surat", "Kohima", "Agra"], figure=False)
    assert "1 of 100 (published)" in page and "Enabled (published)" in page
    assert page.count("(published)") == 3  # Surat's rank, Kohima's rank and level; nothing of Agra


def test_engagement_comparison_says_how_many_scores_are_synthetic(bundled):
    summary = card.engagement_comparison(bundled, city="Ludhiana")
    assert list(summary.columns) == card.ENGAGEMENT_COLUMNS and int(summary["n_synthetic"].iloc[0]) == 99
    assert "99 of these 100 scores are synthetic." in card.engagement_html(summary)
    assert "synthetic" not in card.engagement_html(summary.assign(n_synthetic=0))
