"""The report card's package functions, on a small hand-made data set.

Cycle 2 holds six cities. Five score the same share of every indicator's maximum
(so each of their components and their overall equal 100 * share); Ludhiana has
points on three indicators only. Cycle 1 holds five of them (Kohima is absent).
Every expected value below is worked out by hand in the comments.
"""
from __future__ import annotations

import itertools
import math
import re

import numpy as np
import pandas as pd
import pytest
from conftest import SEEDS_DIR
from scipy import stats

from dmaf_analysis._util.numeric import format_number
from dmaf_analysis import card, render
from dmaf_analysis.cities import load_cities
from dmaf_analysis.errors import DmafError, UnknownCityError
from dmaf_analysis.framework import load_frameworks, parse_framework
from dmaf_analysis.io import validate_scores
from dmaf_analysis.scoring import Dataset, score_cities

FWS = load_frameworks()
FW2 = FWS[2]
IDS2 = FW2.indicator_ids
MAX2 = FW2.max_scores

# Cycle 2 shares of the maximum, per city (Ludhiana is set by hand below).
SHARES_2 = {"Surat": 1.0, "Pune": 0.8, "Amritsar": 0.6, "Jalandhar": 0.4, "Kohima": 0.2}
# Ludhiana, cycle 2: zero everywhere except these points.
LUDHIANA_2 = {"2.c": 30.0, "4.c": 10.0, "5.c": 15.0}
# Values "from the report card" in the hand-made data; the rest are synthetic.
LUDHIANA_CARD = {"1.a", "1.b", "1.c&d", "2.c", "4.c", "5.c"}
SHARES_1 = {"Surat": 0.9, "Jalandhar": 0.7, "Pune": 0.5, "Ludhiana": 0.3, "Amritsar": 0.1}
ENGAGEMENT_2 = {"Surat": 90, "Pune": 70, "Amritsar": 50, "Jalandhar": 30, "Kohima": None, "Ludhiana": 60}


def hand_rows() -> list[dict]:
    rows = []
    for city, share in SHARES_2.items():
        rows += [{"cycle": 2, "city": city, "indicator": i, "score": share * m, "source": "synthetic"}
                 for i, m in MAX2.items()]
    rows += [{"cycle": 2, "city": "Ludhiana", "indicator": i, "score": LUDHIANA_2.get(i, 0.0),
              "source": "report_card" if i in LUDHIANA_CARD else "synthetic"} for i in IDS2]
    for city, share in SHARES_1.items():
        rows += [{"cycle": 1, "city": city, "indicator": i, "score": share * m, "source": "synthetic"}
                 for i, m in FWS[1].max_scores.items()]
    return rows


def hand_attributes() -> list[dict]:
    return [{"cycle": 2, "city": c, "engagement_score": v, "source": "synthetic"}
            for c, v in ENGAGEMENT_2.items()]


def make_dataset(rows, attributes=None, frameworks=None) -> Dataset:
    fws = FWS if frameworks is None else frameworks
    cities = load_cities()
    scores = validate_scores(pd.DataFrame(rows), frameworks=fws, cities=cities)
    attrs = pd.DataFrame(attributes if attributes else {"cycle": [], "city": [], "engagement_score": []})
    attrs["engagement_score"] = attrs["engagement_score"].astype(float)
    return Dataset(scores=scores, scored=score_cities(scores, frameworks=fws, cities=cities),
                   attributes=attrs, frameworks=fws, cities=cities)


@pytest.fixture(scope="module")
def data() -> Dataset:
    return make_dataset(hand_rows(), hand_attributes())


# ------------------------------------------------------------------ resolution, headline
def test_resolve_city_cycle_and_errors(data):
    assert card.resolve_report_city(data, city="  LUDHIANA ", cycle=0) == ("Ludhiana", 2)
    assert card.resolve_report_city(data, city="Jullundur", cycle=1) == ("Jalandhar", 1)
    with pytest.raises(UnknownCityError, match="unknown city 'Ludhiyana'") as err:
        card.report_headline(data, city="Ludhiyana")
    assert "Ludhiana" in err.value.suggestions
    with pytest.raises(DmafError, match="cycle 3 is not in the data"):
        card.report_headline(data, city="Ludhiana", cycle=3)
    with pytest.raises(DmafError, match="Kohima was not assessed in cycle 1.*: 2"):
        card.indicator_scores(data, city="Kohima", cycle=1)
    with pytest.raises(DmafError, match="Bhopal was not assessed"):
        card.report_headline(data, city="Bhopal")


def test_headline_by_hand(data):
    h = card.report_headline(data, city="ludhiana")
    # Ludhiana has values on record (6 report-card values), so its 15 synthetic values are not shown:
    # no overall, rank or level from them, but the range the values on record allow.
    assert (h.city, h.state, h.cycle, h.selection_round) == ("Ludhiana", "Punjab", 2, "Round 1")
    assert math.isnan(h.overall) and h.rank is None and h.level is None
    assert h.on_record and h.shows_range
    # known: Policy 0 (all on record), People 30 (2.c), Technology 10 (4.c); Outcomes 15 is a published total.
    # low (0 + 30 + 0 + 10 + 15) / 5 = 11; high (0 + 100 + 100 + 100 + 15) / 5 = 63.
    assert (h.overall_low, h.overall_high) == (11, 63)
    assert h.overall_tile[0] == "11 to 63" and h.level_tile[0] == "Not certified or Enabled"
    # Surat, Pune and Kohima have published ranks: Ludhiana ranks at best 4th.
    assert h.rank_best == 4 and h.rank_tile[0].startswith("4 to ")
    assert (h.n_values, h.n_synthetic, h.n_report_card, h.n_missing) == (6, 0, 6, 15)
    assert h.engagement_score == 60 and h.engagement_source == "synthetic"
    # the synthetic 60 equals Ludhiana's published engagement score, so the tile says published
    assert h.engagement_tile == ("60", "out of 100, published")
    # 6 report-card values among 6 * 21 = 126 in cycle 2.
    assert h.data_synthetic_share == pytest.approx(120 / 126)
    notice = h.provenance_notice
    assert notice.startswith("None of the 6 indicator values shown is synthetic")
    assert "6 come from the city's report card" in notice
    assert "95% of the values are synthetic" in notice
    assert "thresholds are illustrative" in notice
    assert notice.endswith("The overall score assumes equal component weights, since the framework's own "
                           "weights are not on record; overall scores and ranks depend on that assumption.")
    assert "no synthetic value of Ludhiana is shown" in h.known_statement
    assert h.weights_illustrative
    assert h.title == "Ludhiana, Punjab: DMAF 2.0 (Cycle 2, systemic pillar) report card"
    # a fully synthetic city keeps the panel's values, marked, and its published rank
    s = card.report_headline(data, city="Surat")
    assert s.rank_tile == ("1 of 6", "published") and s.overall_tile[1].startswith("out of 100, from synthetic")


def test_headline_without_synthetic_values_and_with_other_sources():
    rows = [{"cycle": 2, "city": "Surat", "indicator": i, "score": m, "source": "survey"} for i, m in MAX2.items()]
    rows[0]["score"] = ""  # one missing value
    h = card.report_headline(make_dataset(rows), city="Surat")
    assert (h.n_values, h.n_synthetic, h.n_missing, h.other_sources) == (20, 0, 1, (("survey", 20),))
    assert h.provenance_notice.startswith("None of the 20 indicator values shown is synthetic and "
                                          "20 come from the source 'survey'.")
    assert "1 of 21 indicators have no value" in h.provenance_notice
    assert "of the values are synthetic" not in h.provenance_notice
    assert h.rank is None and h.level is None and h.rank_text == "not ranked (of 0)"


# ---------------------------------------------------------------------------- components
def test_component_comparison_by_hand(data):
    comp = card.component_comparison(data, city="Ludhiana").set_index("component")
    assert list(comp.index) == FW2.component_ids
    # Values on record only: Policy 0 on record (and published), People 30 known of 30-100, Process 0-100,
    # Technology 10-100, Outcomes 15 published.
    assert comp["score"].tolist() == pytest.approx([0, 30, 0, 10, 15])
    assert comp["score_low"].tolist() == pytest.approx([0, 30, 0, 10, 15])
    assert comp["score_high"].tolist() == pytest.approx([0, 100, 100, 100, 15])
    assert comp["basis"].tolist() == ["published", "range", "range", "range", "published"]
    assert (comp["synthetic_points"] == 0).all() and comp["others_synthetic"].all()
    # The median of the other five cities: 100, 80, 60, 40, 20 -> 60.
    assert comp["national_median"].tolist() == pytest.approx([60, 60, 60, 60, 60])
    # All six cities are in the top 10: the mean of the six (Ludhiana's panel value among them).
    assert comp.loc["people", "top10_mean"] == pytest.approx((100 + 80 + 60 + 40 + 20 + 30) / 6)
    assert (comp["n_top_cities"] == 6).all()
    assert math.isnan(comp.loc["technology", "gap_to_median"])  # a range has no single gap
    assert comp.loc["outcomes", "gap_to_max"] == pytest.approx(85)
    assert list(comp.reset_index().columns) == card.COMPONENT_COLUMNS
    page = card.components_html(comp.reset_index())
    assert "30–100" in page and "15 (published)" in page and "National median (synthetic values)" in page


def test_top10_mean_counts_ties_at_tenth_place():
    cities = load_cities()["city"].tolist()[:13]
    shares = [0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5, 0.5, 0.3, 0.2]
    rows = [{"cycle": 2, "city": c, "indicator": i, "score": s * m, "source": "synthetic"}
            for c, s in zip(cities, shares) for i, m in MAX2.items()]
    comp = card.component_comparison(make_dataset(rows), city=cities[-1])
    assert (comp["n_top_cities"] == 11).all()  # ranks 1..9, then 10, 10
    assert comp["top10_mean"].iloc[0] == pytest.approx(100 * np.mean(shares[:11]))
    assert comp["national_median"].iloc[0] == pytest.approx(100 * np.median(shares))


# ---------------------------------------------------------------------------- indicators
def test_indicator_scores_by_hand(data):
    ind = card.indicator_scores(data, city="Ludhiana").set_index("indicator")
    assert list(ind.index) == IDS2
    # 1.a: 30, 24, 18, 12, 6 and Ludhiana 0 -> median (18 + 12) / 2; Punjab: 0, 18, 12 -> 12.
    assert ind.loc["1.a", "national_median"] == pytest.approx(15)
    assert ind.loc["1.a", "state_median"] == pytest.approx(12)
    assert ind.loc["1.a", "gap_to_max"] == 30 and ind.loc["1.a", "source"] == "report_card"
    # 2.c: Ludhiana 30 with 30, 24, 18, 12, 6 -> median 21; Punjab 30, 18, 12 -> 18.
    assert ind.loc["2.c", "national_median"] == pytest.approx(21)
    assert ind.loc["2.c", "state_median"] == pytest.approx(18)
    assert ind.loc["2.c", "gap_to_max"] == 0 and ind.loc["2.c", "share_of_max"] == 1
    assert (ind["n_state_cities"] == 3).all()
    assert ind.loc["5.c", "score"] == 15 and ind.loc["5.c", "max_score"] == 20
    assert ind.loc["2.b", "max_provenance"] == "inferred"
    # Ludhiana's synthetic values are not on record: no score, source or percentile; medians of the others.
    hidden = [i for i in IDS2 if i not in LUDHIANA_CARD]
    assert ind.loc[hidden, "score"].isna().all() and (ind.loc[hidden, "status"] == "not on record").all()
    assert (ind.loc[hidden, "source"] == "").all() and ind.loc[hidden, "percentile"].isna().all()
    assert (ind.loc[sorted(LUDHIANA_CARD), "status"] == "on record").all()
    assert ind.loc["2.b", "national_median"] == pytest.approx(12)  # 20, 16, 12, 8, 4
    # Percentiles of the values on record agree with scipy's "mean" percentile over all six cities.
    wide = data.scores[data.scores["cycle"] == 2].pivot(index="city", columns="indicator", values="score")
    for i in sorted(LUDHIANA_CARD):
        expected = stats.percentileofscore(wide[i].to_numpy(), wide.loc["Ludhiana", i], kind="mean")
        assert ind.loc[i, "percentile"] == pytest.approx(expected)
    assert ind.loc["1.a", "percentile"] == pytest.approx(100 * 0.5 / 6)
    assert ind.loc["2.c", "percentile"] == pytest.approx(100 * 5 / 6)
    page = card.indicators_html(ind.reset_index())
    assert "not on record (0–20)" in page and "(synthetic)" not in page
    ind["score"] = -1.0  # callers get their own copy of the cached table
    assert card.indicator_scores(data, city="Ludhiana")["score"].max() == 30


def test_indicator_scores_of_cities_without_a_state_have_no_state_median(data):
    from dataclasses import replace

    scored = data.scored.copy()
    scored["state"] = scored["state"].astype(object)
    scored.loc[scored["city"] == "Surat", "state"] = "  "
    scored.loc[scored["city"] == "Pune", "state"] = None
    stateless = replace(data, scored=scored)
    for city in ("Surat", "Pune"):
        ind = card.indicator_scores(stateless, city=city)
        assert (ind["n_state_cities"] == 0).all() and ind["state_median"].isna().all()
        assert ind["national_median"].notna().all()
    punjab = card.indicator_scores(stateless, city="Amritsar").set_index("indicator")
    assert (punjab["n_state_cities"] == 3).all() and punjab.loc["2.c", "state_median"] == pytest.approx(18)


def test_indicator_scores_carry_how_a_report_card_value_was_placed():
    rows = [{"cycle": 2, "city": "Ludhiana", "indicator": i, "score": 0.0, "source": "report_card",
             "placed_by": "order" if i == "5.c" else "heading"} for i in IDS2]
    rows[0].update(score="", source="", placed_by="")
    ind = card.indicator_scores(make_dataset(rows), city="Ludhiana").set_index("indicator")
    assert ind.loc["5.c", "placed_by"] == "order" and ind.loc["5.b", "placed_by"] == "heading"
    assert ind.loc["1.a", "placed_by"] == "" and math.isnan(ind.loc["1.a", "score"])
    assert (card.indicator_scores(make_dataset(hand_rows()), city="Pune")["placed_by"] == "").all()
    page = card.indicators_html(ind.reset_index())
    assert "report card (placed by text order)" in page and "placed by heading" not in page


def test_strengths_and_weaknesses_by_hand(data):
    table = card.strengths_and_weaknesses(data, city="Ludhiana", n=3)
    strong = table[table["kind"] == "strength"]
    weak = table[table["kind"] == "weakness"]
    # 2.c and 4.c (percentile 83.3, both at max: framework order), then 5.c (15 > 13.5, 58.3).
    assert strong["indicator"].tolist() == ["2.c", "4.c", "5.c"]
    assert strong["percentile"].tolist() == pytest.approx([500 / 6, 500 / 6, 350 / 6])
    # Every other indicator is 0 (percentile 8.3): largest gap first, then framework order.
    assert weak["indicator"].tolist() == ["1.b", "1.a", "1.c&d"]
    assert table["kind"].tolist() == ["strength"] * 3 + ["weakness"] * 3
    top = card.strengths_and_weaknesses(data, city="Surat")
    assert set(top["kind"]) == {"strength"}  # Surat is never below the median


# ------------------------------------------------------------------------ recommendations
def test_recommendations_cover_every_indicator_in_framework_order(data):
    rec = card.recommendations(data, city="Ludhiana")
    # every indicator, as DMAF's card gives them: at its maximum (2.c, 4.c) and not on record included
    assert rec["indicator"].tolist() == IDS2
    by = rec.set_index("indicator")
    # priorities: the values on record below their maximum by overall gain (1.b 40 points; 1.a and 1.c&d 30;
    # 5.c 5), then those at their maximum, then those not on record
    assert by.loc[["1.b", "1.a", "1.c&d", "5.c"], "priority"].tolist() == [1, 2, 3, 4]
    assert by.loc[["2.c", "4.c"], "priority"].tolist() == [5, 6]
    assert sorted(rec["priority"]) == list(range(1, 22))
    assert by.loc["1.b", "overall_gain"] == pytest.approx(8)  # 40 points * weight 0.2
    assert math.isnan(by.loc["3.b", "points_available"]) and by.loc["3.b", "status"] == "not on record"
    texts = card.load_recommendations()
    own = dict(zip(texts.loc[texts["cycle"] == 2, "indicator"], texts.loc[texts["cycle"] == 2, "recommendation"]))
    assert by.loc["4.d", "recommendation"] == own["4.d"] and by.loc["3.b", "recommendation"] == own["3.b"]
    assert list(rec.columns) == card.RECOMMENDATION_COLUMNS
    # a city at its maximum everywhere still gets every recommendation; none is a first action
    surat = card.recommendations(data, city="Surat")
    assert len(surat) == 21 and card.first_actions(surat).empty
    assert card.first_actions(rec)["indicator"].tolist() == ["1.b", "1.a", "1.c&d"]


def test_recommendations_use_weights_to_break_ties_and_leave_out_missing_text():
    raw = {"cycle": 2, "components": [{"id": "a", "weight": 0.25}, {"id": "b", "weight": 0.75}],
           "indicators": [{"id": "a1", "component": "a", "max": 60}, {"id": "a2", "component": "a", "max": 40},
                          {"id": "b1", "component": "b", "max": 40}, {"id": "b2", "component": "b", "max": 60}],
           "levels": [{"name": "None", "min_score": 0}, {"name": "Some", "min_score": 50}]}
    fws = {2: parse_framework(raw)}
    rows = [{"cycle": 2, "city": "Pune", "indicator": i, "score": s, "source": "synthetic"}
            for i, s in {"a1": 20, "a2": 0, "b1": 0, "b2": 30}.items()]
    texts = pd.DataFrame({"cycle": [2], "indicator": ["b1"], "recommendation": ["Do b1."]})
    rec = card.recommendations(make_dataset(rows, frameworks=fws), city="Pune", texts=texts)
    # a1, a2, b1 have 40 points available; b1 weighs 0.75 so it comes first; b2 (30 points) gains 22.5.
    texts = pd.DataFrame({"cycle": [2] * 4, "indicator": ["b2", "a2", "a1", "b1"], "recommendation": list("wxyz")})
    rec = card.recommendations(make_dataset(rows, frameworks=fws), city="Pune", texts=texts)
    assert rec["indicator"].tolist() == ["a1", "a2", "b1", "b2"]  # framework order
    assert rec["priority"].tolist() == [3, 4, 1, 2]
    assert rec["overall_gain"].tolist() == pytest.approx([10, 10, 30, 22.5])
    assert rec["recommendation"].tolist() == list("yxzw")
    # indicators without a text are left out; with no text for the cycle the section goes
    only_b1 = pd.DataFrame({"cycle": [2], "indicator": ["b1"], "recommendation": ["Do b1."]})
    data = make_dataset(rows, frameworks=fws)
    rec = card.recommendations(data, city="Pune", texts=only_b1)
    assert rec["indicator"].tolist() == ["b1"] and rec["priority"].tolist() == [1]
    assert card.has_recommendations(data, cycle=2, texts=only_b1)
    assert not card.has_recommendations(data, cycle=2, texts=only_b1.assign(cycle=1))
    assert not card.has_recommendations(data, cycle=2, texts=only_b1.iloc[:0])
    assert card.recommendations_section_html(rec, available=False) == ""
    section = card.recommendations_section_html(rec, available=True)
    assert section.startswith("<h2>Recommendations</h2>") and "Do b1." in section


def test_bundled_recommendations_cover_every_indicator_exactly():
    texts = card.load_recommendations(frameworks=FWS)
    for cycle, fw in FWS.items():
        got = texts.loc[texts["cycle"] == cycle, "indicator"].tolist()
        assert sorted(got) == sorted(fw.indicator_ids), cycle
    assert len(texts) == 21 + 11
    assert texts["recommendation"].str.len().min() > 40
    assert not texts.duplicated(["cycle", "indicator"]).any()


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def test_recommendations_do_not_copy_the_ludhiana_card():
    seed = sorted(SEEDS_DIR.glob("*.txt")) if SEEDS_DIR.exists() else []
    if not seed:
        pytest.skip("the Ludhiana report card text is not available")
    words = _words(seed[0].read_text(encoding="utf-8"))
    seed_grams = {tuple(words[i:i + 7]) for i in range(len(words) - 6)}
    for text in card.load_recommendations()["recommendation"]:
        w = _words(text)
        shared = [" ".join(w[i:i + 7]) for i in range(len(w) - 6) if tuple(w[i:i + 7]) in seed_grams]
        assert not shared, shared


def test_load_recommendations_rejects_unknown_indicators_and_bad_files(tmp_path):
    path = tmp_path / "rec.yaml"
    path.write_text('cycles:\n  2:\n    "9.z": "Something."\n', encoding="utf-8")
    with pytest.raises(DmafError, match="unknown indicator"):
        card.load_recommendations(path, frameworks=FWS)
    path.write_text("just text\n", encoding="utf-8")
    with pytest.raises(DmafError, match="cycles"):
        card.load_recommendations(path)
    with pytest.raises(DmafError, match="no such"):
        card.load_recommendations(tmp_path / "absent.yaml")


# -------------------------------------------------------------------- path to next level
def test_path_to_next_level_by_hand(data):
    path = card.path_to_next_level(data, city="Ludhiana")
    # Overall 11, Enabled at 30: 19 overall points = 95 indicator points at weight 0.2.
    # Largest gains: 1.b (40 -> 8), then the 30-point gaps in framework order: 1.a (6),
    # then 1.c&d, of which 25 points (5 overall) suffice.
    assert (path.current_level, path.target_level, path.target_min_score) == ("Not certified", "Enabled", 30)
    assert path.points_needed == pytest.approx(19)
    steps = path.steps
    assert steps["indicator"].tolist() == ["1.b", "1.a", "1.c&d"]
    assert steps["points_gained"].tolist() == [40, 30, 25]
    assert steps["partial"].tolist() == [False, False, True]
    assert steps["overall_after"].tolist() == pytest.approx([19, 25, 30])
    assert path.resulting_overall == pytest.approx(30) and path.resulting_level == "Enabled"
    assert path.n_improvements == 3 and not path.at_top_level
    assert "needs 19 more overall points to reach Enabled" in path.statement


def test_path_at_the_top_level_and_with_missing_values(data):
    top = card.path_to_next_level(data, city="Surat")
    assert top.at_top_level and top.steps.empty and top.current_level == "Enabled"
    assert "highest certification level defined" in top.statement and "ranked first" in top.statement
    rows = [{"cycle": 2, "city": "Pune", "indicator": i, "score": 10.0, "source": "synthetic"} for i in IDS2]
    rows[3]["score"] = ""
    missing = card.path_to_next_level(make_dataset(rows), city="Pune")
    assert missing.current_level is None and missing.target_level is None and missing.steps.empty
    assert "no overall score" in missing.statement


def test_path_says_when_the_level_itself_is_open(data):
    # Ludhiana (hand data): 6 values on the card (sum 55 -> overall 11), 15 synthetic; on record the
    # overall lies between 11 (synthetic at 0) and 11 + 0.2 * their maxima, across the Enabled threshold.
    path = card.path_to_next_level(data, city="Ludhiana")
    unknown = [i for i in IDS2 if i not in LUDHIANA_CARD]
    # Outcomes is fixed by its published total (15), so its unknown indicators do not widen the range
    unknown = [i for i in unknown if not i.startswith("5.")]
    high = 11 + 0.2 * float(MAX2[unknown].sum())
    assert high == 63
    note = path.range_note
    # the plan starts from the values on record, every unknown value at 0, and raises only values on record
    assert "15 of Ludhiana's 21 indicators are not on record" in note
    assert f"between 11 and {high:g}" in note and "Ludhiana may already be Enabled" in note
    assert path.statement.endswith(note) and "needs 19 more overall points" in path.statement
    assert set(path.steps["indicator"]) <= LUDHIANA_CARD
    assert "may already be Enabled" in card.path_html(path)
    # every value on record: no note
    rows = [{"cycle": 2, "city": "Pune", "indicator": i, "score": 0.5 * m, "source": "report_card"}
            for i, m in MAX2.items()]
    assert card.path_to_next_level(make_dataset(rows), city="Pune").range_note == ""
    # unknown values that cannot change the level: no note either (Surat at the maximum on the card but one)
    rows = [{"cycle": 2, "city": "Surat", "indicator": i, "score": float(m),
             "source": "synthetic" if i == "5.d" else "report_card"} for i, m in MAX2.items()]
    assert card.path_to_next_level(make_dataset(rows), city="Surat").range_note == ""


def _small_framework(weights, maxima, thresholds):
    comps = [{"id": f"c{k}", "weight": w} for k, w in enumerate(weights)]
    inds = [{"id": f"c{k}.{j}", "component": f"c{k}", "max": m}
            for k, ms in enumerate(maxima) for j, m in enumerate(ms)]
    levels = [{"name": f"L{k}", "min_score": t} for k, t in enumerate([0] + thresholds)]
    return parse_framework({"cycle": 1, "components": comps, "indicators": inds, "levels": levels})


def _overall(fw, scores: dict) -> float:
    weight = fw.weights.to_dict()
    comp = dict(zip(fw.indicators["indicator"], fw.indicators["component"]))
    return sum(weight[comp[i]] * s for i, s in scores.items())


FRAMEWORKS_FOR_BRUTE_FORCE = [
    _small_framework([0.5, 0.5], [[60, 40], [50, 30, 20]], [30, 60, 80]),
    _small_framework([0.7, 0.3], [[50, 30, 20], [60, 40]], [35, 62.5, 90]),
    _small_framework([0.2, 0.3, 0.5], [[100], [40, 60], [25, 25, 50]], [20, 45, 70, 95]),
]


@pytest.mark.parametrize("fw_index", range(len(FRAMEWORKS_FOR_BRUTE_FORCE)))
@pytest.mark.parametrize("granularity", [5.0, 0.0])
def test_path_matches_brute_force_on_small_frameworks(fw_index, granularity):
    fw = FRAMEWORKS_FOR_BRUTE_FORCE[fw_index]
    ind = fw.indicators
    rng = np.random.default_rng(100 + fw_index)
    maxima = fw.max_scores.to_dict()
    weight_of = {i: fw.weights[c] for i, c in zip(ind["indicator"], ind["component"])}
    checked = 0
    for _ in range(80):
        scores = {i: float(5 * rng.integers(0, m // 5 + 1)) for i, m in zip(ind["indicator"], ind["max_score"])}
        table = ind.assign(score=ind["indicator"].map(scores))
        path = card.plan_next_level(table, framework=fw, granularity=granularity)
        overall = _overall(fw, scores)
        assert path.current_overall == pytest.approx(overall)
        if path.at_top_level:
            assert fw.next_level(fw.level_for(overall)) is None and path.steps.empty
            continue
        target = path.target_min_score
        # Brute force: the smallest set of indicators that reaches the target when raised to the max.
        fewest = None
        for k in range(len(ind) + 1):
            for subset in itertools.combinations(list(scores), k):
                gain = sum(weight_of[i] * (maxima[i] - scores[i]) for i in subset)
                if overall + gain >= target - 1e-9:
                    fewest = k
                    break
            if fewest is not None:
                break
        assert path.n_improvements == fewest
        steps = path.steps
        assert steps["indicator"].is_unique
        new = dict(scores, **dict(zip(steps["indicator"], steps["new_score"])))
        assert _overall(fw, new) == pytest.approx(path.resulting_overall)
        assert path.resulting_overall >= target - 1e-9
        assert path.resulting_level == fw.level_for(path.resulting_overall)
        assert (steps["new_score"] <= steps["max_score"] + 1e-9).all()
        # Only the last step may be partial; it is as small as the granularity allows.
        assert not steps["partial"].iloc[:-1].any()
        last = steps.iloc[-1]
        if last["partial"]:
            weight = fw.weights[last["component"]]
            before = path.resulting_overall - last["overall_gain"]
            if granularity:
                assert last["points_gained"] % granularity == pytest.approx(0)
                assert before + weight * (last["points_gained"] - granularity) < target - 1e-9
            else:
                assert path.resulting_overall == pytest.approx(target)
        checked += 1
    assert checked > 30


# ---------------------------------------------------------------------------------- peers
def test_peer_comparison_by_hand(data):
    # Ludhiana has values on record (and synthetic zeros for the rest): its row shows the ranges its values on
    # record allow, never its panel values, so its ranks and every gap to it are empty
    peers = card.peer_comparison(data, city="Ludhiana")
    cities = peers[~peers["is_group_median"]]
    state = cities[cities["peer_group"] == "state"]
    assert state["city"].tolist() == ["Amritsar", "Jalandhar", "Ludhiana"]
    assert (state["group_name"] == "Punjab").all()
    assert state["rank_in_group"].tolist()[:2] == [1, 2] and pd.isna(state["rank_in_group"].iloc[2])
    assert state["rank"].tolist()[:2] == [3, 4] and pd.isna(state["rank"].iloc[2])
    me = state.iloc[2]
    assert me["overall_range"] and me["rank_range"] and np.isnan(me["overall"])
    assert state["gap_to_report_city"].isna().all()
    rnd = cities[cities["peer_group"] == "selection_round"]
    assert rnd["city"].tolist() == ["Surat", "Pune", "Ludhiana"] and (rnd["group_name"] == "Round 1").all()
    assert peers["is_report_city"].sum() == 2
    assert list(peers.columns) == card.PEER_COLUMNS
    assert peers["peer_group"].tolist()[:4] == ["state"] * 4
    # each group ends with its median row: the median of the other two cities' overall scores
    medians = peers[peers["is_group_median"]]
    assert medians["peer_group"].tolist() == ["state", "selection_round"]
    assert medians["overall"].tolist() == pytest.approx([float(np.median(state["overall"].iloc[:2])),
                                                         float(np.median(rnd["overall"].iloc[:2]))])
    assert (medians["n_in_group"] == 3).all() and medians["city"].tolist() == ["", ""]
    assert (medians["n_in_median"] == 2).all()  # the two others: Ludhiana, shown by its range, takes no part
    assert peers.index[peers["is_group_median"]].tolist() == [3, 7]
    page = card.peers_html(peers)
    assert page.count("Median of the 2 other cities") == 2 and "Median of the group" not in page


def test_the_group_median_says_how_many_cities_it_covers(data):
    from dataclasses import replace

    page = card.peers_html(card.peer_comparison(data, city="Amritsar"))
    assert "Median of the group (3 cities)" in page
    scored = data.scored.copy()
    scored.loc[(scored["city"] == "Jalandhar") & (scored["cycle"] == 2), "overall"] = np.nan
    peers = card.peer_comparison(replace(data, scored=scored), city="Amritsar")
    state_median = peers[peers["is_group_median"] & (peers["peer_group"] == "state")].iloc[0]
    assert state_median["n_in_group"] == 3 and state_median["n_in_median"] == 2
    assert "Median of the 2 cities with a score" in card.peers_html(peers)


def _one_state(n: int, *, city: str) -> tuple:
    """A data set of ``n`` cities in one state and one selection round (names "C000"...), scores by rank."""
    from dmaf_analysis.cities import cities_table

    cities = cities_table(pd.DataFrame({"city": [f"C{i:03d}" for i in range(n)], "state": "Big State",
                                        "region": "North", "selection_round": "Round 1"}))
    rows = pd.DataFrame([{"cycle": 2, "city": f"C{i:03d}", "indicator": ind,
                          "score": float(min(m, (n - i) % (m + 1))), "source": "synthetic"}
                         for i in range(n) for ind, m in MAX2.items()])
    scores = validate_scores(rows, frameworks=FWS, cities=cities)
    attrs = pd.DataFrame({"cycle": pd.Series(dtype=int), "city": pd.Series(dtype=object),
                          "engagement_score": pd.Series(dtype=float)})
    return Dataset(scores=scores, scored=score_cities(scores, frameworks=FWS, cities=cities), attributes=attrs,
                   frameworks=FWS, cities=cities), city


@pytest.mark.parametrize("n", [12, 400])
def test_peers_are_bounded_whatever_the_number_of_cities(n):
    data, city = _one_state(n, city="C006")
    peers = card.peer_comparison(data, city=city)
    for group in ("state", "selection_round"):
        part = peers[peers["peer_group"] == group]
        rows = part[~part["is_group_median"]]
        assert len(rows) <= 2 * card.PEERS_AROUND + 1 and rows["is_report_city"].sum() == 1
        at = rows["is_report_city"].to_numpy().nonzero()[0][0]
        assert at == min(card.PEERS_AROUND, 6)  # PEERS_AROUND above (or all there are), then the city
        assert (part["n_in_group"] == n).all() and part["is_group_median"].sum() == 1
        overall = data.scored.loc[data.scored["cycle"] == 2, "overall"]
        assert part.loc[part["is_group_median"], "overall"].item() == pytest.approx(overall.median())
    page = card.peers_html(peers)
    assert page.count("<tr") == len(peers) + 1 and "font-style:italic" in page
    assert ("national overview" in page) == (n > 2 * card.PEERS_AROUND + 1)


# ------------------------------------------------------------------ change since previous
def test_change_since_previous_by_hand(data):
    change = card.change_since_previous(data, city="Jalandhar")
    assert (change.previous_cycle, change.assessed_before) == (1, True)
    # Cycle 1: 70 on every component, 2nd of 5; cycle 2: 40, 4th of 6 (Ludhiana's panel value is 11).
    table = change.table.set_index("measure")
    assert list(table.index) == FW2.component_ids + ["overall"]
    assert table["previous_score"].tolist() == pytest.approx([70] * 6)
    assert table["current_score"].tolist() == pytest.approx([40] * 6)
    assert table["change"].tolist() == pytest.approx([-30] * 6)
    assert (change.previous_level, change.current_level) == ("Enabled", "Enabled")
    assert (change.previous_rank, change.previous_n_ranked, change.current_rank) == (2, 5, 4)
    assert change.illustrative
    assert "fell by 30 points, from 70 to 40" in change.statement and "The level stayed Enabled" in change.statement


def test_change_of_a_city_known_only_as_a_range_is_not_stated(data):
    change = card.change_since_previous(data, city="Ludhiana")
    assert change.assessed_before and change.table.empty
    assert change.statement.startswith("No change is stated: Ludhiana's Cycle 2 overall score is known only as "
                                       "a range between 11 and 63")
    assert "every Cycle 1 value of Ludhiana in the data is synthetic" in change.statement
    assert "fell" not in card.change_html(change)


def test_change_for_a_city_absent_from_the_previous_cycle(data):
    change = card.change_since_previous(data, city="Kohima")
    assert change.previous_cycle == 1 and not change.assessed_before
    assert change.table.empty and list(change.table.columns) == card.CHANGE_COLUMNS
    assert "Kohima was not assessed in Cycle 1" in change.statement
    first = card.change_since_previous(data, city="Ludhiana", cycle=1)
    assert first.previous_cycle is None and "no cycle before Cycle 1" in first.statement


def _many_to_one_change():
    """Pune's change from a cycle-1 framework whose x and y map onto policy and z onto people."""
    raw = {"cycle": 1, "components": [{"id": "x", "name": "Old <X>", "weight": 0.5},
                                      {"id": "y", "name": "Old Y", "weight": 0.25},
                                      {"id": "z", "name": "Old Z", "weight": 0.25}],
           "indicators": [{"id": "x1", "component": "x", "max": 100}, {"id": "y1", "component": "y", "max": 100},
                          {"id": "z1", "component": "z", "max": 100}],
           "levels": [{"name": "Not certified", "min_score": 0}, {"name": "Enabled", "min_score": 30}],
           "crosswalk": {"to_cycle": 2, "components": {"x": "policy", "y": "policy", "z": "people"}}}
    fws = {1: parse_framework(raw), 2: FW2}
    rows = [{"cycle": 1, "city": "Pune", "indicator": i, "score": s, "source": "synthetic"}
            for i, s in {"x1": 40, "y1": 80, "z1": 10}.items()]
    rows += [{"cycle": 2, "city": "Pune", "indicator": i, "score": 0.5 * m, "source": "synthetic"}
             for i, m in MAX2.items()]
    return card.change_since_previous(make_dataset(rows, frameworks=fws), city="Pune")


def test_change_follows_a_many_to_one_crosswalk():
    change = _many_to_one_change()
    table = change.table.set_index("measure")
    assert table.loc["policy", "previous_measures"] == "x;y"
    assert table.loc["policy", "previous_score"] == pytest.approx(60)   # mean of 40 and 80
    assert table.loc["people", "previous_score"] == pytest.approx(10)
    assert math.isnan(table.loc["process", "previous_score"])
    assert table.loc["overall", "previous_score"] == pytest.approx(0.5 * 40 + 0.25 * 80 + 0.25 * 10)
    assert table.loc["overall", "change"] == pytest.approx(50 - 42.5)


# ----------------------------------------------------------------------------- engagement
def test_engagement_comparison_by_hand(data):
    eng = card.engagement_comparison(data, city="Ludhiana").iloc[0]
    # Five scores: 90 70 60 50 30 (Kohima has none).
    assert eng["engagement_score"] == 60 and eng["n_cities"] == 5
    assert eng["national_median"] == pytest.approx(60)
    assert eng["national_mean"] == pytest.approx(300 / 5)
    assert (eng["q1"], eng["q3"]) == pytest.approx((50, 70))
    assert (eng["min"], eng["max"]) == (30, 90)
    assert eng["percentile"] == pytest.approx(stats.percentileofscore([90, 70, 60, 50, 30], 60, kind="mean"))
    none = card.engagement_comparison(data, city="Kohima").iloc[0]
    assert math.isnan(none["engagement_score"]) and math.isnan(none["percentile"]) and none["n_cities"] == 5
    dist = card.engagement_distribution(data, city="Ludhiana")
    assert dist["city"].tolist() == ["Surat", "Pune", "Ludhiana", "Amritsar", "Jalandhar"]
    assert dist["is_report_city"].tolist() == [False, False, True, False, False]
    empty = card.engagement_comparison(make_dataset(hand_rows()), city="Ludhiana").iloc[0]
    assert empty["n_cities"] == 0 and math.isnan(empty["national_median"])


# ---------------------------------------------------------------------- HTML and figures
def test_html_helpers_escape_text_from_data(data):
    frame = pd.DataFrame({"city": ["<script>alert(1)</script>"], "value": [12.50], "flag": [True]})
    out = card.html_table(frame, columns={"city": "City & name", "value": "Value"}, highlight="flag")
    assert "<script>" not in out and "&lt;script&gt;" in out and "City &amp; name" in out
    assert '<td data-label="Value">12.5</td>' in out and "font-weight:bold" in out
    assert card.paragraph("a < b") == "<p>a &lt; b</p>"
    h = card.report_headline(data, city="Surat")
    page = card.provenance_html(h, data_label="<b>scores.csv</b>")
    assert "&lt;b&gt;scores.csv&lt;/b&gt;" in page and "21 of 21 indicator values shown are synthetic" in page
    assert 'id="about-values"' in page
    top = card.summary_html(h, chart_uri="data:image/png;base64,AA", chart_alt="<x>")
    assert "1 of 6" in top and "published" in top and 'href="#about-values"' in top and 'alt="&lt;x&gt;"' in top


def test_first_actions_say_which_scores_are_synthetic_inside_one_pair_of_brackets(data):
    actions = pd.DataFrame({"indicator": ["1.a", "2.b"], "name": ["Policy <draft>", "Officer"],
                            "score": [25.0, 10.0], "max_score": [30.0, 20.0], "source": ["synthetic", "report_card"],
                            "recommendation": ["Draft it. Then adopt it.", "Appoint one."]})
    out = card.first_actions_html(actions)
    assert "<strong>1.a Policy &lt;draft&gt;</strong> (25 / 30, synthetic): Draft it.</li>" in out
    assert "<strong>2.b Officer</strong> (10 / 20): Appoint one.</li>" in out
    assert "))" not in out and card.first_actions_html(actions.iloc[:0]) == ""


def test_section_html_gives_heading_anchor_note_and_parts_in_order():
    out = card.section_html("peers", "<p>first</p>", "", "<table>second</table>")
    assert out.startswith('<h2 id="Peers">Peers</h2><p>The city (in bold)')
    assert "<em>Difference</em>" in out
    assert out.index("<p>first</p>") < out.index("<table>second</table>")
    # a section without a note is its heading and its parts only; ids read like nbconvert's heading anchors
    assert card.section_html("path", "<p>x</p>") == (
        '<h2 id="Path-to-the-next-certification-level">Path to the next certification level</h2><p>x</p>')
    assert card.section_html("about") == '<h2 id="About-this-report-card">About this report card</h2>'
    for key, (title, note) in card.CARD_SECTIONS.items():
        assert f">{title}</h2>" in card.section_html(key) and "<script" not in note


@pytest.mark.parametrize("key", ["Peers", "", None, "peers ", ["peers"]])
def test_section_html_refuses_unknown_sections_and_names_the_known_ones(key):
    with pytest.raises(DmafError, match="no card section .*the sections are: components, beside, strengths"):
        card.section_html(key)


def test_numbers_print_like_a_report_card():
    assert [format_number(x) for x in [30.0, 27.5, 27.333, -0.04, float("nan"), None]] == \
        ["30", "27.5", "27.3", "0", "–", "–"]


def test_section_renderers_produce_every_section(data):
    path = card.path_to_next_level(data, city="Ludhiana")
    assert "1.c&amp;d" in card.path_html(path) and "part of the gap" in card.path_html(path)
    assert "Kohima was not assessed" in card.change_html(card.change_since_previous(data, city="Kohima"))
    assert "percentile 50" in card.engagement_html(card.engagement_comparison(data, city="Ludhiana"))
    assert card.recommendations_html(card.recommendations(data, city="Surat")).count("<tr>") == 22
    sections = card.sections_html(card.component_comparison(data, city="Ludhiana"),
                                  card.indicator_scores(data, city="Ludhiana"),
                                  card.recommendations(data, city="Ludhiana"))
    assert sections.count('class="dmaf-component"') == 5 and sections.count("not on record (0–") == 15
    peers = card.peers_html(card.peer_comparison(data, city="Ludhiana"))
    assert peers.count("font-weight:bold") == 2


def test_figures_render_small_pngs(data):
    comp = card.component_comparison(data, city="Ludhiana")
    img = card.png(card.plot_components(comp, city="Ludhiana"))
    assert img.data[:8] == b"\x89PNG\r\n\x1a\n" and len(img.data) < 60_000
    dist = card.engagement_distribution(data, city="Ludhiana")
    ax = card.plot_engagement(dist)
    assert [t.get_text() for t in ax.texts] == ["Ludhiana"]
    assert ax.lines[0].get_xdata()[0] == 60
    card.png(ax)
    import matplotlib.pyplot as plt
    assert plt.get_fignums() == []  # png() closes what it renders


# --------------------------------------------------------------------- inline SVG charts
def _svg_rects(svg: str) -> list[dict]:
    return [dict(re.findall(r'([\w-]+)="([^"]*)"', m)) for m in re.findall(r"<rect ([^>]*)/>", svg)]


def test_component_chart_is_svg_drawn_from_the_numbers(data):
    # Ludhiana's card shows ranges (values not on record); without its bounds columns the chart draws bars only
    comp = card.component_comparison(data, city="Ludhiana").drop(columns=["score_low", "score_high"])
    svg = card.components_svg(comp, city="Ludhiana")
    assert svg.startswith('<svg class="dmaf-chart"') and svg.endswith("</svg>")
    assert "<script" not in svg and "href" not in svg.replace('fill="url(#dmaf-synthetic-hatch)"', "")
    # three bars per component (city, national median, top-10 mean), each labelled with its value
    bars = [r for r in _svg_rects(svg) if r.get("fill") in (render.CITY, render.REFERENCE, render.HIGHLIGHT)
            and float(r["width"]) > 15]
    assert len(bars) == 3 * len(comp)
    labels = re.findall(r'text-anchor="middle"(?: font-size="\d+")?>(\d+)</text>', svg)
    assert labels[:3] == [f"{comp.loc[0, c]:.0f}" for c in ("score", "national_median", "top10_mean")]
    # the bar heights are proportional to the values (0-108 drawn over the plot height)
    city_bars = [float(r["height"]) for r in bars if r["fill"] == render.CITY]
    scores = comp["score"].to_numpy(float)
    ratios = [h / v for h, v in zip(city_bars, scores) if v > 0]
    assert max(ratios) == pytest.approx(min(ratios), abs=0.02)
    # its synthetic values score 0 points: no hatched part; no range without score_low/score_high
    assert not (comp["synthetic_points"] > 0).any() and "synthetic part" not in svg and "hatch" not in svg
    assert "range (values not known)" not in svg
    # the same numbers give the same bytes (no ids, dates or jitter)
    assert card.components_svg(comp.copy(), city="Ludhiana") == svg


def test_component_chart_draws_a_range_as_a_range(data):
    comp = card.component_comparison(data, city="Surat").assign(synthetic_points=0.0)
    exact = card.components_svg(comp.assign(score_low=comp["score"], score_high=comp["score"]), city="Surat")
    assert "range (values not known)" not in exact and "synthetic part" not in exact
    assert exact == card.components_svg(comp, city="Surat")  # equal bounds: drawn as without them
    low, high = comp["score"] - 10, comp["score"] + 5
    ranged = comp.assign(score_low=low, score_high=high)
    ranged.loc[1, ["score_low", "score_high"]] = comp.loc[1, "score"]  # one component known exactly
    svg = card.components_svg(ranged, city="Surat")
    assert "range (values not known)" in svg
    outlines = [r for r in _svg_rects(svg) if r.get("fill") == "#ffffff" and r.get("stroke") == render.CITY
                and "stroke-width" in r and float(r["height"]) > 0]
    assert len(outlines) == len(comp) - 1 + 1  # one per ranged component, and the legend's swatch
    solid = [float(r["height"]) for r in _svg_rects(svg) if r.get("fill") == render.CITY and float(r["width"]) > 15]
    exact_solid = [float(r["height"]) for r in _svg_rects(exact) if r.get("fill") == render.CITY
                   and float(r["width"]) > 15]
    assert solid[0] < exact_solid[0] and solid[1] == exact_solid[1]  # solid up to score_low only
    assert f"{low[0]:.0f}\u2013{high[0]:.0f}" in svg
    assert f"between {low[0]:.0f} and {high[0]:.0f}" in card.components_alt_text(ranged, city="Surat")


def test_component_chart_hatches_synthetic_part_of_the_known_part(data):
    comp = card.component_comparison(data, city="Surat")
    comp = comp.assign(synthetic_points=[10.0] + [0.0] * (len(comp) - 1), score_low=comp["score"] - 20,
                       score_high=comp["score"])
    svg = card.components_svg(comp, city="Surat")
    assert "synthetic part" in svg and "range (values not known)" in svg
    hatch = [r for r in _svg_rects(svg) if r.get("fill") == "url(#dmaf-synthetic-hatch)" and float(r["width"]) > 15]
    assert len(hatch) == 1
    solid = next(r for r in _svg_rects(svg) if r.get("fill") == render.CITY and float(r["width"]) > 15)
    assert float(hatch[0]["y"]) == float(solid["y"])  # the top of the known part


def test_chart_text_from_data_is_escaped_and_engagement_marks_the_city(data):
    comp = card.component_comparison(data, city="Ludhiana").assign(name=["<b>Budget</b> ($)", "A & B", "C",
                                                                         "D", "E"])
    svg = card.components_svg(comp, city="<script>x</script>")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "&lt;b&gt;Budget&lt;/b&gt; ($)" in svg
    dist = card.engagement_distribution(data, city="Ludhiana")
    svg = card.engagement_svg(dist)
    assert "Ludhiana (60)" in svg and "Ludhiana scores 60, marked by a line." in svg
    # bins of 10 points: 30, 50, 60, 70, 90 -> one city in each of five bins
    assert "1 from 30 to 40" in svg and "0 from 40 to 50" in svg and "1 from 90 to 100" in svg
    assert len([r for r in _svg_rects(svg) if r.get("fill") == render.REFERENCE]) == 5
    assert card.engagement_svg(dist) == svg
    empty = card.engagement_svg(dist.iloc[0:0])
    assert "No engagement scores in the data" in empty
    html = card.components_chart_html(comp, city="X")
    assert html.startswith("<figure") and "max-width:640px" in html and "@media print" in html


def test_report_functions_run_on_a_hundred_cities():
    # their speed (the per-cycle cache against no cache) is measured in benchmarks/bench_report.py
    cities = load_cities()["city"].tolist()
    rng = np.random.default_rng(7)
    rows = [{"cycle": 2, "city": c, "indicator": i, "score": float(5 * rng.integers(0, m // 5 + 1)),
             "source": "synthetic"} for c in cities for i, m in MAX2.items()]
    big = make_dataset(rows)
    for city in ("Ludhiana", "Surat", "Kohima"):
        card.report_headline(big, city=city)
        card.component_comparison(big, city=city)
        card.indicator_scores(big, city=city)
        card.strengths_and_weaknesses(big, city=city)
        card.recommendations(big, city=city)
        card.path_to_next_level(big, city=city)
        card.peer_comparison(big, city=city)
        card.change_since_previous(big, city=city)
        card.engagement_comparison(big, city=city)
        assert len(card.indicator_scores(big, city=city)) == len(MAX2)


def test_figures_draw_names_with_dollar_signs_literally():
    import matplotlib
    matplotlib.use("Agg")
    from dmaf_analysis import card
    from dmaf_analysis._util.escaping import chart_text as plain_text

    assert plain_text("A $\\frac$ City") == "A \\$\\frac\\$ City"
    comparison = pd.DataFrame({"component": ["policy"], "name": ["Policy"], "score": [10.0],
                               "national_median": [20.0], "top10_mean": [60.0]})
    ax = card.plot_components(comparison, city="A $\\frac$ City")
    card.png(ax)  # drawing must not fail on the math parser


def test_synthetic_values_are_marked_in_strengths_and_recommendations():
    from dmaf_analysis import card
    strengths = pd.DataFrame({"kind": ["strength", "weakness"], "indicator": ["2.b", "1.a"],
                              "component": ["people", "policy"], "name": ["Data coordinators", "Policy"],
                              "score": [20.0, 0.0], "max_score": [20.0, 30.0], "national_median": [5.0, 10.0],
                              "percentile": [97.0, 6.0], "source": ["synthetic", "report_card"]})
    page = card.strengths_html(strengths)
    assert "20 / 20 (synthetic), national median 5" in page
    assert "0 / 30, national median 10" in page  # the report-card value carries no mark
    recs = pd.DataFrame({"priority": [1], "indicator": ["1.b"], "component": ["policy"], "name": ["Parts"],
                         "score": [10.0], "max_score": [40.0], "points_available": [30.0],
                         "overall_gain": [6.0], "recommendation": ["Do it."], "source": ["synthetic"]})
    assert "10 / 40 (synthetic)" in card.recommendations_html(recs)


def test_card_tables_show_words_names_and_one_decimal(data):
    # Six ranked cities: the "top-10" mean is the mean of all six, rounded like the other scores.
    comp = card.component_comparison(data, city="Ludhiana")
    page = card.components_html(comp)
    assert "Mean of all 6 ranked cities" in page and "Top-10" not in page and "ties at 10th" not in page
    for v in comp["top10_mean"]:
        assert f">{format_number(v, 1)}</td>" in page
    assert any(round(v, 2) != round(v, 1) for v in comp["top10_mean"])  # the test can fail
    assert not any(f">{format_number(v, 2)}</td>" in page for v in comp["top10_mean"]
                   if round(v, 2) != round(v, 1))
    assert card.top10_heading(10) == "Top-10 mean"
    assert card.top10_heading(11) == "Top-10 mean (11 cities, ties at 10th)"
    assert card.top10_heading(1) == "Score of the only ranked city"
    assert card.top10_heading(0) == "Top-10 mean"
    indicators = card.indicator_scores(data, city="Ludhiana")
    page = card.indicators_html(indicators)
    words = {card.MAX_PROVENANCE_WORDS[v] for v in indicators["max_provenance"]}
    assert all(f">{w}</td>" in page for w in words)
    assert not any(f">{code}</td>" in page for code in ("seen", "seen_order", "inferred_x"))


COMPONENTS_INTRO = ("Each component of the framework is scored out of 100. The bars set the city beside the median "
                    "of all cities in the cycle")
PATH_INTRO = ("The fewest indicator improvements that would lift the overall score over the next level's threshold: "
              "the indicators whose full improvement adds most to the overall score come first, and the last one "
              "is raised only as far as needed. A city already at the highest level the framework defines gets "
              "instead the fewest improvements that would move it ")


def test_section_intros_give_the_real_number_of_cities_in_a_five_city_data_set():
    five = make_dataset([r for r in hand_rows() if r["cycle"] == 2 and r["city"] in SHARES_2])
    comp = card.component_comparison(five, city="Pune")
    assert (comp["n_top_cities"] == 5).all()
    assert card.components_intro(comp) == COMPONENTS_INTRO + " and the mean of all 5 ranked cities."
    headline = card.report_headline(five, city="Pune")
    assert headline.n_ranked == 5
    assert card.path_intro(headline.n_ranked) == (
        PATH_INTRO + "one place up the ranking, the other cities' scores unchanged.")
    assert "top 10" not in card.components_intro(comp) + card.path_intro(headline.n_ranked)
    assert card.paragraph(card.path_intro(5)).startswith(
        "<p>The fewest indicator improvements that would lift the overall score over the next level&#x27;s")


def test_section_intros_keep_the_top_10_wording_when_ten_or_more_cities_are_ranked():
    top10 = " and the mean of the cities ranked in the top 10 overall."
    into_top10 = "up the ranking (into the top 10, or one place up from inside it), the other cities' scores unchanged."
    # the bundled panel: 100 ranked cities in Cycle 2, 12 of them ranked 10th or better (a tie at 10th)
    bundled = card.load_report_data()
    comp = card.component_comparison(bundled, city="Ludhiana", cycle=2)
    assert (comp["n_top_cities"] == 12).all()
    assert card.components_intro(comp) == COMPONENTS_INTRO + top10
    assert card.path_intro(card.report_headline(bundled, city="Ludhiana", cycle=2).n_ranked) == (
        PATH_INTRO + into_top10)
    # exactly 10 cities in the mean; 11 ranked cities (so the top 10 is not all of them)
    assert card.components_intro(pd.DataFrame({"n_top_cities": [10]})) == COMPONENTS_INTRO + top10
    assert card.path_intro(11) == PATH_INTRO + into_top10
    assert card.path_intro(10) == PATH_INTRO + "one place up the ranking, the other cities' scores unchanged."
    # one ranked city, or none
    assert card.path_intro(1).endswith("has no other ranked city to overtake here, so nothing is listed "
                                       "for it.")
    assert "one place up" not in card.path_intro(0)
    assert card.components_intro(pd.DataFrame({"n_top_cities": [1]})) == (
        COMPONENTS_INTRO + " and the score of the only ranked city.")
    assert card.components_intro(pd.DataFrame({"n_top_cities": []})) == (
        COMPONENTS_INTRO + "; no city has an overall score in this cycle, so there is no mean of the best-ranked "
        "cities.")


def test_change_table_names_the_earlier_components():
    change = _many_to_one_change()
    table = change.table.set_index("measure")
    assert table.loc["policy", "previous_names"] == "Old <X>, Old Y"
    assert table.loc["process", "previous_names"] == "none"
    page = card.change_html(change)
    assert "Old &lt;X&gt;, Old Y" in page and ">Overall</td>" in page
    assert ">x;y<" not in page and ">overall<" not in page


def test_rows_left_out_of_print_name_the_html_page():
    frame = pd.DataFrame({"v": [1.0, 2.0, 3.0]})
    out = card.html_table(frame, print_rows=[True, False, False], html_name="cycle-2.html")
    assert '2 more rows in <a href="cycle-2.html">cycle-2.html</a>, the HTML version of this card' in out
    plain = card.html_table(frame, print_rows=[True, True, False])
    assert "1 more row in the HTML version of this card" in plain


def test_html_table_of_column_lists_marks_only_true_rows():
    page = card.html_table({"city": ["A", "B", "C", "D"], "mine": [True, pd.NA, None, False]},
                           columns={"city": "City"}, highlight="mine")
    assert page.count("font-weight:bold") == 1 and page.index("font-weight:bold") < page.index(">A<")
