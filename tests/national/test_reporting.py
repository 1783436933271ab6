"""Tables for people and key findings (dmaf_analysis.reporting), checked against hand computations."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from dmaf_analysis import national
from dmaf_analysis import render
from dmaf_analysis.national import Column
from dmaf_analysis.scoring import load_dataset


@pytest.fixture(scope="module")
def dataset():
    return load_dataset()


@pytest.fixture(scope="module")
def overview(dataset):
    return national.national_tables(dataset, cycle=2, n_draws=400, n_boot=300)


@pytest.fixture(scope="module")
def trend(dataset):
    return national.trend_tables(dataset, n_boot=300)


# ------------------------------------------------------------------------ formatting
@pytest.mark.parametrize("p, text", [(1e-20, "< 0.001"), (0.0, "< 0.001"), (0.000999, "< 0.001"), (0.001, "0.00100"),
                                     (0.013224, "0.0132"), (0.05, "0.0500"), (0.1224, "0.122"), (0.5, "0.500"),
                                     (1.0, "1.00"), (float("nan"), "\u2013"), (None, "\u2013")])
def test_format_p_one_style(p, text):
    assert national.format_p(p) == text


def test_format_p_refuses_impossible_values():
    with pytest.raises(ValueError, match="between 0 and 1"):
        national.format_p(1.5)


def test_numbers_signs_shares_and_booleans():
    assert national.format_number(0.992857, 1) == "1.0"
    assert national.format_number(-3.25, 1) == "\u22123.2"  # round half to even, true minus
    assert national.format_number(-0.01, 1) == "0.0"        # no "-0.0"
    assert national.format_number(12345.6, 0) == "12,346"
    assert national.format_signed(3.46) == "\u25b2 +3.5"
    assert national.format_signed(-2) == "\u25bc \u22122.0"
    assert national.format_signed(0.01) == "= 0.0"
    assert national.format_signed(-16, marks=False) == "\u221216.0"
    assert national.format_share(0.992857) == "99\u00a0%"
    assert national.format_share(0.0555, 1) == "5.5\u00a0%" or national.format_share(0.0555, 1) == "5.6\u00a0%"
    assert national.format_bool(True) == "Yes" and national.format_bool(np.False_) == "No"
    assert national.format_bool(True, yes="assumed") == "assumed"


def test_format_table_headings_words_no_true_false_and_input_unchanged():
    data = pd.DataFrame({"measure": ["policy", "overall"], "p_value": [1e-9, 0.2345], "flag": [True, False],
                         "score": [27.0, 32.0], "share": [0.07, 0.0]})
    before = data.copy()
    cols = [Column("measure", "Score", "label"), Column("score", "Mean", "number"), Column("share", "At 0", "share"),
            Column("p_value", "p-value", "p"), Column("flag", "Flagged", "bool")]
    out = national.format_table(data, cols, labels={"policy": "Policy", "overall": "Overall"})
    pd.testing.assert_frame_equal(data, before)
    assert list(out.columns) == ["Score", "Mean", "At 0", "p-value", "Flagged"]
    assert out.iloc[0].tolist() == ["Policy", "27", "7\u00a0%", "< 0.001", "Yes"]  # whole numbers: no decimals
    assert out.iloc[1].tolist() == ["Overall", "32", "0\u00a0%", "0.234", "No"]
    assert "True" not in out.to_string() and "False" not in out.to_string()


def test_format_table_names_missing_columns():
    with pytest.raises(KeyError, match="no column.*nope"):
        national.format_table(pd.DataFrame({"a": [1]}), [Column("nope", "Nope")])


def test_table_html_top_and_bottom_with_csv_link_and_escaping():
    data = pd.DataFrame({"rank": range(1, 31), "city": [f"<b>City {i}</b>" for i in range(1, 31)]})
    page = national.table_html(data, [Column("rank", "Rank", "int"), Column("city", "City")],
                               csv_href="cycle-2/leader\"board.csv", limit=10)
    assert page.count("<tr>") == 1 + 20  # header row + 10 + 10 (the gap row has a class)
    assert "10 rows not shown" in page and "City 10" in page and "City 21" in page and "City 15" not in page
    assert "<b>" not in page and "&lt;b&gt;City 1&lt;/b&gt;" in page
    assert 'href="cycle-2/leader&quot;board.csv"' in page
    assert '<th scope="col" class="num">Rank</th>' in page and '<td class="num">1</td>' in page
    assert "<th></th>" not in page  # no index column
    short = national.table_html(data.head(21), [Column("city", "City")], csv_href="x.csv")
    assert "rows not shown" not in short and "Full table" in short


def test_toc_links_match_nbconvert_heading_ids():
    from nbconvert.filters.strings import add_anchor

    for title in national.OVERVIEW_SECTIONS + national.TRENDS_SECTIONS:
        anchored = add_anchor(f"<h2>{title}</h2>")
        assert f'id="{national.slug_id(title)}"' in anchored, title
    assert 'href="#Every-city\'s-change"' in national.toc_html(["Every city's change"]).replace("&#x27;", "'")


def test_every_named_table_renders(overview, trend, dataset):
    labels = national.component_labels(dataset.frameworks[2])
    for name in list(national.OVERVIEW_COLUMNS):
        key = "groups_region" if name == "groups" else name
        page = national.overview_table(overview, key, labels=labels, csv_folder="cycle-2")
        assert not re.search(r">(True|False|nan|NaN|None)<", page), name
    for name in national.TRENDS_COLUMNS:
        page = national.trends_table(trend, name, labels=labels, csv_folder="cycle-1-to-2")
        assert not re.search(r">(True|False|nan|NaN|None)<", page), name
    board = national.overview_table(overview, "leaderboard", csv_folder="cycle-2")
    # Kohima, Raipur and Thane share 10th: all three stay on screen (12 + 10 rows shown)
    assert "78 rows not shown" in board and "cycle-2/leaderboard.csv" in board
    assert all(city in board for city in ("Kohima", "Raipur", "Thane"))


def test_top_bottom_never_splits_a_shared_rank():
    ranks = [1, 2, 3, 3, 3, 6, 7, 8, 9, 10, 11, 11, 13, 14, 15, 15]
    data = pd.DataFrame({"rank": ranks, "city": [f"c{i}" for i in range(len(ranks))]})
    head, tail = national.top_bottom(data, 3, ties_on="rank")
    assert head["rank"].tolist() == [1, 2, 3, 3, 3]      # the 3= tie is kept whole
    assert tail["rank"].tolist() == [14, 15, 15]
    head, tail = national.top_bottom(data, 5, ties_on="rank")
    assert head["rank"].tolist() == [1, 2, 3, 3, 3] and tail["rank"].tolist() == [11, 11, 13, 14, 15, 15]
    plain_head, plain_tail = national.top_bottom(data, 3)
    assert plain_head["rank"].tolist() == [1, 2, 3] and plain_tail["rank"].tolist() == [14, 15, 15]
    # ties that would swallow the gap: the whole table is shown
    everyone = pd.DataFrame({"rank": [1] * 10 + [11, 12], "city": list("abcdefghijkl")})
    head, tail = national.top_bottom(everyone, 2, ties_on="rank")
    assert tail is None and len(head) == 12


def test_group_table_orders_and_marks_small_groups(overview):
    g = national.group_table(overview["group_medians_region"])
    assert list(g["median"]) == sorted(g["median"], reverse=True)
    small = g[g["n"] < national.SMALL_GROUP]
    assert len(small) and (small["note"] != "").all() and (g.loc[g["n"] >= 3, "note"] == "").all()


# --------------------------------------------------------------------------- findings
def test_overview_findings_agree_with_the_data(dataset, overview):
    scored = dataset.scored[dataset.scored["cycle"] == 2]
    labels = national.component_labels(dataset.frameworks[2])
    text = national.overview_findings(overview, labels=labels)
    assert 5 <= len(text) <= 9
    joined = " ".join(text)
    mean = scored["overall"].mean()
    assert f"mean overall score is {mean:.0f} out of 100" in joined
    certified = int(scored["level"].isin(["Enabled", "Advanced", "Leading"]).sum())
    assert f"{certified} of {len(scored)} cities" in joined
    comps = {c: scored[c].mean() for c in dataset.frameworks[2].component_ids}
    best, worst = max(comps, key=comps.get), min(comps, key=comps.get)
    assert f"highest on {labels[best]} (mean {comps[best]:.1f})" in joined
    assert f"lowest on {labels[worst]} (mean {comps[worst]:.1f})" in joined
    kw = overview["kruskal_wallis"].query("grouping == 'region' and measure == 'overall'").iloc[0]
    assert national.format_p(kw["p_value"]) in joined
    rob = overview["robustness_cities"]
    either = int(((rob["p_certified"] > 0.05) & (rob["p_certified"] < 0.95)).sum())
    assert f"{either} cities could fall on either side" in joined
    assert "True" not in joined and "nan" not in joined


def test_trends_findings_agree_with_the_data(dataset, trend):
    from scipy import stats as st

    a = dataset.scored[dataset.scored["cycle"] == 1].set_index("city")["overall"]
    b = dataset.scored[dataset.scored["cycle"] == 2].set_index("city")["overall"]
    both = pd.concat([a, b], axis=1, keys=["a", "b"]).dropna()
    d = both["b"] - both["a"]
    certified = national.certified_levels(dataset.frameworks, [1, 2])
    text = " ".join(national.trends_findings(trend, certified_levels=certified))
    assert f"For the {len(both)} cities assessed in both cycles" in text
    assert f"a change of +{d.mean():.1f} points" in text
    assert f"{int((d > 0).sum())} cities improved, {int((d < 0).sum())} declined and {int((d == 0).sum())} kept" in text
    p = st.wilcoxon(d[d != 0]).pvalue
    assert national.format_p(p) in text
    r = trend["change_summary"].set_index("measure").loc["overall", "rank_biserial"]
    assert f"r = {r:.2f}" in text and national.effect_words(r) in text
    assert "Shillong" in text  # the one unpaired city


def test_findings_of_empty_tables_are_empty():
    assert national.overview_findings({}) == []
    assert national.trends_findings({}) == []


@pytest.mark.parametrize("r, words", [(0.05, "negligible"), (-0.2, "small"), (0.45, "medium"), (-0.83, "large")])
def test_effect_words(r, words):
    assert national.effect_words(r) == words


def test_findings_html_escapes():
    page = national.findings_html(["A <script> city & co"])
    assert "<script>" not in page and "&lt;script&gt;" in page and 'id="key-findings"' in page


# ------------------------------------------------------------------------------ style
def test_one_style_colour_blind_palette_and_readable_text():
    assert set(render.PALETTE) <= set(render.OKABE_ITO.values())
    assert render.GAIN != render.LOSS and {render.GAIN, render.LOSS} <= set(render.OKABE_ITO.values())
    params = render.rc_params()
    # text at the figure's natural size: at least 12 px
    assert min(params["xtick.labelsize"], params["font.size"]) * params["figure.dpi"] / 72 >= 12
    assert render.rows_height(100) > render.rows_height(10) >= render.rows_height(0)


def test_bar_charts_label_values_and_draw_zero():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from dmaf_analysis import national

    render.apply()
    levels = pd.DataFrame({"level": ["Not certified", "Enabled"], "certified": [False, True], "n": [0, 7]})
    ax = national.level_counts_plot(levels)
    texts = [t.get_text() for t in ax.texts]
    assert "0" in texts and "7" in texts  # a zero bar still carries its value
    assert any(abs(line.get_ydata()[0]) < 1e-12 for line in ax.lines)  # the zero line
    plt.close(ax.figure)


def test_trends_findings_name_the_biggest_and_smallest_move_when_scores_fall():
    # A declining panel: Policy fell 4.2 points, Outcomes 9.6; the largest move is Outcomes' fall.
    summary = pd.DataFrame({"measure": ["policy", "outcomes", "people"], "mean_change": [-4.2, -9.6, 1.5]})
    text = " ".join(national.trends_findings({"change_summary": summary},
                                             labels={"policy": "Policy", "outcomes": "Outcomes", "people": "People"}))
    assert "moved most is Outcomes (fall of 9.6 points)" in text
    assert "moved least is People (rise of 1.5 points)" in text
    assert "\u2212" not in text and "-9.6" not in text
    rising = pd.DataFrame({"measure": ["policy", "outcomes"], "mean_change": [4.2, 9.6]})
    text = " ".join(national.trends_findings({"change_summary": rising}, labels={"policy": "Policy"}))
    assert "moved most is outcomes (rise of 9.6 points)" in text and "least is Policy (rise of 4.2 points)" in text


def test_trend_chart_is_the_same_on_every_run_and_charts_are_wide_enough(trend):
    # the change chart's dots were spread by unseeded jitter: two runs drew two different charts
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    render.apply()
    matplotlib.rcParams["svg.hashsalt"] = national.SVG_HASH_SALT

    def svg(draw) -> bytes:
        ax = draw()
        buffer = io.BytesIO()
        ax.figure.savefig(buffer, format="svg", metadata={"Date": None})
        plt.close(ax.figure)
        return buffer.getvalue()

    def change():
        return national.change_distribution_plot(trend["paired_scores"], trend["change_summary"])

    first = svg(change)
    assert svg(change) == first and b"<dc:date>" not in first
    # every chart is drawn at the report column's width (at least 560 px on a 1280 px screen)
    levels = pd.DataFrame({"level": ["Not certified", "Enabled"], "certified": [False, True], "n": [3, 7]})
    for draw in (lambda: national.level_counts_plot(levels), lambda: national.rank_mobility_plot(trend["city_changes"]),
                 lambda: national.transition_heatmap(trend["transition_matrix"]),
                 lambda: national.slope_plot(trend["city_changes"])):
        ax = draw()
        assert ax.figure.get_figwidth() * render.DPI >= 560 / 0.8  # room for a tight crop
        plt.close(ax.figure)
