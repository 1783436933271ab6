"""Reports say what is known: ranges in the headline, synthetic values marked everywhere they appear."""
from __future__ import annotations

import re

import matplotlib
import pandas as pd
import pytest

from dmaf_analysis import card
from dmaf_analysis import national
from dmaf_analysis import stats
from dmaf_analysis.card import _figures as report_figures
from dmaf_analysis.card import _html as report_html
from dmaf_analysis.cities import load_cities
from dmaf_analysis.framework import load_frameworks
from dmaf_analysis.io import validate_scores
from dmaf_analysis.scoring import Dataset, score_cities

matplotlib.use("Agg")
FWS = load_frameworks()
LUDHIANA_SYNTHETIC = {"2.b", "2.e", "3.b", "3.d", "4.a", "4.e"}


@pytest.fixture(scope="module")
def bundled():
    return card.load_report_data()


def dataset(rows) -> Dataset:
    cities = load_cities()
    scores = validate_scores(pd.DataFrame(rows), frameworks=FWS, cities=cities)
    attrs = pd.DataFrame({"cycle": [], "city": [], "engagement_score": []})
    return Dataset(scores=scores, scored=score_cities(scores, frameworks=FWS, cities=cities), attributes=attrs,
                   frameworks=FWS, cities=cities)


def real_rows(cycle: int, city: str, fraction: float, source: str = "report_card") -> list[dict]:
    return [{"cycle": cycle, "city": city, "indicator": i, "score": float(5 * round(m * fraction / 5)),
             "source": source} for i, m in FWS[cycle].max_scores.items()]


# --------------------------------------------------------------------------- headline
def test_ludhiana_headline_gives_the_range_and_no_panel_value(bundled):
    h = card.report_headline(bundled, city="Ludhiana")
    assert (h.overall_low, h.overall_high, h.level_low, h.level_high) == (10, 35, "Not certified", "Enabled")
    assert h.partly_unknown and not h.fully_synthetic and h.n_unknown == 6 and h.shows_range
    assert h.known_statement.startswith(
        "On the values on record, Ludhiana scores between 10 and 35 (Not certified or Enabled). 6 of its 21 "
        "indicator values are not on record")
    page = card.summary_html(h)
    assert ">10 to 35<" in page and ">Not certified or Enabled<" in page and "the ranks the values on record" in page
    assert "between 10 and 35" in card.provenance_html(h)


def test_a_fully_synthetic_city_says_so_in_its_headline(bundled):
    h = card.report_headline(bundled, city="Surat")
    assert h.fully_synthetic
    assert h.known_statement.startswith("Every indicator value of Surat on this card is synthetic")
    page = report_html.headline_html(h)
    assert "Every indicator value of Surat on this card is synthetic" in page
    assert "(synthetic values only)" in page


def test_a_city_with_every_value_on_record_has_no_range():
    data = dataset(real_rows(2, "Pune", 0.5) + real_rows(2, "Surat", 0.8, source="synthetic"))
    h = card.report_headline(data, city="Pune")
    assert h.n_unknown == 0 and h.known_statement == "" and h.range_text == ""
    page = report_html.headline_html(h)
    assert "on the values on record" not in page and "dmaf-known" not in page


def test_missing_values_count_as_unknown_in_the_range():
    rows = real_rows(2, "Pune", 0.5)
    rows = [r for r in rows if r["indicator"] != "5.d"]  # 5.d (max 30) not reported
    h = card.report_headline(dataset(rows), city="Pune")
    assert h.n_unknown == 1 and h.range_text
    # by hand: the other 20 values give sum/5; 5.d adds 0 to 30 points (0 to 6 overall)
    known = sum(r["score"] for r in rows) / 5
    assert (h.overall_low, h.overall_high) == (pytest.approx(known), pytest.approx(known + 6))
    assert "1 of its 21 indicator values is not on record" in h.known_statement


# ------------------------------------------------------------------------- components
def test_component_chart_outlines_ranges_and_hatches_only_synthetic_cities(bundled):
    comp = card.component_comparison(bundled, city="Ludhiana").set_index("component")
    assert (comp["synthetic_points"] == 0).all()  # Ludhiana's card shows none of its synthetic values
    ax = report_figures.plot_components(comp.reset_index(), city="Ludhiana")
    assert not [p for p in ax.patches if p.get_hatch()]
    dashed = [p for p in ax.patches if p.get_linestyle() == "--"]
    # the unknown part of People (2.b 20 + 2.e 15), Process (3.b 20 + 3.d 20), Technology (4.a 20 + 4.e 30)
    assert sorted(p.get_height() for p in dashed) == pytest.approx([35, 40, 50])
    assert "not on record (up to the maximum)" in [t.get_text() for t in ax.get_legend().get_texts()]
    matplotlib.pyplot.close(ax.figure)
    # a fully synthetic city: every bar is hatched over its whole height
    surat = card.component_comparison(bundled, city="Surat")
    ax = report_figures.plot_components(surat, city="Surat")
    hatched = sorted(p.get_height() for p in ax.patches if p.get_hatch())
    assert hatched == pytest.approx(sorted(surat["score"])) and "Of which synthetic" in report_html.components_html(
        surat)
    matplotlib.pyplot.close(ax.figure)


def test_chart_without_synthetic_values_has_no_hatching():
    data = dataset(real_rows(2, "Pune", 0.5) + real_rows(2, "Surat", 0.8))
    comp = card.component_comparison(data, city="Pune")
    assert (comp["synthetic_points"] == 0).all()
    ax = report_figures.plot_components(comp, city="Pune")
    assert not [p for p in ax.patches if p.get_hatch()]
    assert "synthetic part" not in [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Of which synthetic" not in report_html.components_html(comp)
    matplotlib.pyplot.close(ax.figure)


# ---------------------------------------------------------- indicators, strengths, recs
def test_indicator_table_marks_each_value_not_on_record_and_each_synthetic_value(bundled):
    page = report_html.indicators_html(card.indicator_scores(bundled, city="Ludhiana"))
    rows = re.findall(r"<tr>(.*?)</tr>", page)[1:]
    unknown = {re.search(r"<td[^>]*>([0-9.&;a-z]+) ", r).group(1) for r in rows if "not on record (0–" in r}
    assert unknown == LUDHIANA_SYNTHETIC and "(synthetic)" not in page
    surat = report_html.indicators_html(card.indicator_scores(bundled, city="Surat"))
    assert surat.count(" (synthetic)</td>") == 21


def test_strengths_of_a_city_with_real_values_come_from_its_real_values(bundled):
    table = card.strengths_and_weaknesses(bundled, city="Ludhiana")
    assert len(table) and set(table["source"]) == {"report_card"}
    assert not set(table["indicator"]) & LUDHIANA_SYNTHETIC
    # a fully synthetic city still gets strengths, every one marked
    surat = card.strengths_and_weaknesses(bundled, city="Surat")
    assert len(surat) and set(surat["source"]) == {"synthetic"}
    assert report_html.strengths_html(surat).count("(synthetic)") == len(surat)


def test_recommendations_mark_synthetic_scores(bundled):
    recs = card.recommendations(bundled, city="Surat")
    page = report_html.recommendations_html(recs)
    assert page.count("(synthetic)") == int((recs["source"] == "synthetic").sum()) == 21
    assert "(synthetic)" not in report_html.recommendations_html(card.recommendations(bundled, city="Ludhiana"))


def test_peers_say_whose_values_are_synthetic(bundled):
    peers = card.peer_comparison(bundled, city="Ludhiana")
    me = peers[peers["is_report_city"]].iloc[0]
    assert me["n_synthetic"] == 6 and me["n_indicators"] == 21
    page = report_html.peers_html(peers)
    # Ludhiana has values on record: its row gives their range (never its synthetic values); the others are synthetic
    assert "<th>Values</th>" in page and "range of the values on record" in page and ">synthetic<" in page
    assert "6 of 21 synthetic" not in page


# ------------------------------------------------------------------------------ change
def test_change_section_says_the_earlier_values_are_synthetic(bundled):
    change = card.change_since_previous(bundled, city="Surat")
    assert change.statement.startswith("Every Cycle 1 value of Surat is synthetic")
    assert "Cycle 1 (synthetic)" in report_html.change_html(change)


def test_change_from_real_earlier_values_has_no_note():
    data = dataset(real_rows(1, "Pune", 0.3) + real_rows(2, "Pune", 0.5) + real_rows(1, "Surat", 0.2, "synthetic")
                   + real_rows(2, "Surat", 0.4, "synthetic"))
    change = card.change_since_previous(data, city="Pune")
    assert change.previous_synthetic_note == "" and "synthetic" not in change.statement
    assert "(synthetic)" not in report_html.change_html(change)
    surat = card.change_since_previous(data, city="Surat")
    assert surat.statement.startswith("Every Cycle 1 value of Surat is synthetic")


# ------------------------------------------------------------------------------ trends
def test_trends_and_most_changed_say_when_earlier_values_are_synthetic(bundled):
    notes = national.data_notice(bundled, [1, 2])
    assert notes[0].startswith("Every Cycle 1 value is SYNTHETIC")
    changes = stats.city_changes(bundled.scored, cycle_from=1, cycle_to=2, frameworks=bundled.frameworks)
    assert set(changes["earlier_values"]) == {"synthetic"}
    most = stats.most_changed(changes, n=3)
    assert set(most["earlier_values"]) == {"synthetic"}
    ax = national.most_changed_plot(most)
    assert "every earlier value synthetic" in ax.get_title()
    matplotlib.pyplot.close(ax.figure)


def test_most_changed_marks_only_the_cities_with_synthetic_earlier_values():
    data = dataset(real_rows(1, "Pune", 0.3) + real_rows(2, "Pune", 0.5) + real_rows(1, "Surat", 0.2, "synthetic")
                   + real_rows(2, "Surat", 0.6))
    changes = stats.city_changes(data.scored, cycle_from=1, cycle_to=2, frameworks=FWS).set_index("city")
    assert changes.loc["Pune", "earlier_values"] == "on record"
    assert changes.loc["Surat", "earlier_values"] == "synthetic"
    ax = national.most_changed_plot(stats.most_changed(changes.reset_index()))
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "Surat *" in labels and "Pune" in labels and "earlier values synthetic" in ax.get_title()
    matplotlib.pyplot.close(ax.figure)
    assert national.data_notice(data, [1, 2])[0].startswith("50% of the Cycle 1 values are SYNTHETIC")
