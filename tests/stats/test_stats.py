"""Tests of dmaf_analysis.stats against scipy, numpy and hand computations."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import FOUR_LEVELS, ONE_LEVEL, frameworks_with_levels
from scipy import stats as sps

from dmaf_analysis import stats
from dmaf_analysis.framework import load_frameworks
from dmaf_analysis.scoring import rank_within_cycle

COMPONENTS = ["policy", "people", "process", "technology", "outcomes"]
FRAMEWORKS = load_frameworks()


def scored_table(values: dict[str, list[float]], *, cycle: int = 2, regions=None, states=None,
                 rounds=None, frameworks=None) -> pd.DataFrame:
    """A score_cities-like table from component scores (overall = equal-weight mean)."""
    n = len(values["policy"])
    frame = pd.DataFrame({c: np.asarray(values[c], dtype=float) for c in COMPONENTS})
    frame.insert(0, "city", [f"City {i:02d}" for i in range(n)])
    frame.insert(0, "cycle", cycle)
    frame["overall"] = frame[COMPONENTS].mean(axis=1).round(9)
    frame["state"] = states if states is not None else ["S"] * n
    frame["region"] = regions if regions is not None else ["R"] * n
    frame["selection_round"] = rounds if rounds is not None else ["Round 1"] * n
    fw = (FRAMEWORKS if frameworks is None else frameworks)[cycle]
    frame["level"] = fw.levels_for(frame["overall"])
    frame["certified"] = [fw.is_certified(x) for x in frame["level"]]
    frame["rank"] = rank_within_cycle(frame["overall"], frame["cycle"])
    return frame


def random_scored(n: int = 30, seed: int = 1, **kw) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    base = rng.uniform(0, 1, n)
    values = {c: np.clip(np.round(100 * (0.6 * base + 0.4 * rng.uniform(0, 1, n))), 0, 100) for c in COMPONENTS}
    values["policy"][:3] = 0.0
    values["technology"][:2] = 100.0
    return scored_table(values, **kw)


def long_scores(wide: pd.DataFrame, cycle: int = 2) -> pd.DataFrame:
    """Long score table from a (city x indicator) frame."""
    long = wide.rename_axis("city").reset_index().melt(id_vars="city", var_name="indicator", value_name="score")
    long.insert(0, "cycle", cycle)
    long["source"] = "synthetic"
    return long


def random_indicator_scores(n: int = 25, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    fw = FRAMEWORKS[2]
    ability = rng.uniform(0, 1, n)
    data = {}
    for ind in fw.indicators.itertuples():
        frac = np.clip(ability + rng.normal(0, 0.3, n), 0, 1)
        data[ind.indicator] = np.round(frac * ind.max_score)
    wide = pd.DataFrame(data, index=[f"City {i:02d}" for i in range(n)])
    return wide


# ------------------------------------------------------------------ basic statistics
def test_skewness_and_kurtosis_match_scipy_bias_corrected():
    rng = np.random.default_rng(0)
    for x in (rng.exponential(size=40), rng.normal(size=15), np.array([0, 0, 0, 1, 5, 9, 30.0])):
        assert stats.skewness(x) == pytest.approx(sps.skew(x, bias=False))
        assert stats.excess_kurtosis(x) == pytest.approx(sps.kurtosis(x, fisher=True, bias=False))


def test_skewness_and_kurtosis_nan_when_undefined():
    assert math.isnan(stats.skewness([1.0, 2.0]))
    assert math.isnan(stats.excess_kurtosis([1.0, 2.0, 3.0]))
    assert math.isnan(stats.skewness([5.0] * 10))
    assert math.isnan(stats.excess_kurtosis([5.0] * 10))


def test_gini_by_hand():
    # one non-zero value among four: (n - 1) / n
    assert stats.gini([0, 0, 0, 10]) == pytest.approx(0.75)
    # [1, 2, 3]: sum over ordered pairs of |xi - xj| = 8, / n^2 = 8/9, / (2 * mean 2) = 2/9
    assert stats.gini([1, 2, 3]) == pytest.approx(2 / 9)
    assert stats.gini([4, 4, 4]) == pytest.approx(0.0)
    assert stats.gini([3, np.nan, 1, 2]) == pytest.approx(2 / 9)


def test_gini_matches_brute_force_mean_absolute_difference():
    x = np.random.default_rng(5).uniform(0, 100, 23)
    mad = np.abs(x[:, None] - x[None, :]).mean()
    assert stats.gini(x) == pytest.approx(mad / (2 * x.mean()))


def test_gini_all_zero_or_empty_is_nan():
    assert math.isnan(stats.gini([0, 0, 0]))
    assert math.isnan(stats.gini([]))


def test_cronbach_alpha_by_hand_3x3():
    items = np.array([[1, 2, 3], [2, 3, 3], [3, 4, 5]], dtype=float)
    # item variances 1, 1, 4/3; totals 6, 8, 12 have variance 28/3
    # alpha = 3/2 * (1 - (10/3) / (28/3)) = 27/28
    assert stats.cronbach_alpha(items) == pytest.approx(27 / 28)


def test_cronbach_alpha_listwise_and_degenerate():
    items = np.array([[1, 2, 3], [2, 3, 3], [3, 4, 5], [np.nan, 1, 1]], dtype=float)
    assert stats.cronbach_alpha(items) == pytest.approx(27 / 28)
    assert math.isnan(stats.cronbach_alpha(np.ones((4, 1))))
    assert math.isnan(stats.cronbach_alpha(np.ones((4, 3))))


def test_bootstrap_ci_is_seeded_and_contains_the_estimate():
    x = np.random.default_rng(2).normal(50, 10, 41)
    a = stats.bootstrap_ci(x, statistic="median", seed=11)
    b = stats.bootstrap_ci(x, statistic="median", seed=11)
    assert a == b
    # median intervals fall on order statistics and may coincide across seeds; means do not
    assert stats.bootstrap_ci(x, statistic="mean", seed=11) != stats.bootstrap_ci(x, statistic="mean", seed=12)
    assert a[0] <= np.median(x) <= a[1]
    lo, hi = stats.bootstrap_ci(x, statistic="mean", seed=3)
    assert lo < x.mean() < hi
    # a 95 % interval of the mean is close to mean +/- 1.96 * se
    se = x.std(ddof=1) / np.sqrt(x.size)
    assert hi - lo == pytest.approx(2 * 1.96 * se, rel=0.2)


def test_bootstrap_ci_edge_cases():
    assert stats.bootstrap_ci([7.0]) == (7.0, 7.0)
    assert all(math.isnan(v) for v in stats.bootstrap_ci([]))
    with pytest.raises(ValueError, match="level must lie between 0 and 1"):
        stats.bootstrap_ci([1.0, 2.0], level=1.5)


# ---------------------------------------------------------------------- distributions
def test_distribution_summary_matches_numpy_and_scipy():
    scored = random_scored(30)
    table = stats.distribution_summary(scored, frameworks=FRAMEWORKS)
    assert list(table["measure"]) == COMPONENTS + ["overall"]
    for row in table.itertuples():
        x = scored[row.measure].to_numpy(float)
        assert row.n == 30
        assert row.mean == pytest.approx(x.mean())
        assert row.median == pytest.approx(np.median(x))
        assert row.sd == pytest.approx(x.std(ddof=1))
        assert (row.q1, row.q3) == pytest.approx(tuple(np.percentile(x, [25, 75])))
        assert row.skew == pytest.approx(sps.skew(x, bias=False))
        assert row.kurtosis == pytest.approx(sps.kurtosis(x, bias=False))
        assert row.share_zero == pytest.approx(np.mean(x == 0))
        assert row.share_full == pytest.approx(np.mean(x == 100))
        assert row.gini == pytest.approx(stats.gini(x))
    policy = table.set_index("measure").loc["policy"]
    assert policy["share_zero"] == pytest.approx(3 / 30)
    assert table.set_index("measure").loc["technology", "share_full"] == pytest.approx(2 / 30)


def test_distribution_flags_follow_the_thresholds():
    values = {c: [10.0] * 19 + [10.0] for c in COMPONENTS}
    values["policy"] = [0.0] * 19 + [100.0]  # one outlier: strongly skewed and peaked
    values["people"] = list(np.linspace(0, 100, 20))  # uniform: no flag
    table = stats.distribution_summary(scored_table(values), frameworks=FRAMEWORKS).set_index("measure")
    assert table.loc["policy", "skew"] > 2 and table.loc["policy", "skew_flag"]
    assert table.loc["policy", "kurtosis"] > 3.5 and table.loc["policy", "kurtosis_flag"]
    assert not table.loc["people", "skew_flag"] and not table.loc["people", "kurtosis_flag"]
    assert math.isnan(table.loc["process", "skew"]) and not table.loc["process", "skew_flag"]


def test_indicator_distribution_shares_by_hand():
    fw = FRAMEWORKS[2]
    wide = pd.DataFrame({ind: [0.0, 0.0, 0.0, 0.0] for ind in fw.indicator_ids},
                        index=["A", "B", "C", "D"])
    wide["1.a"] = [0.0, 15.0, 30.0, 30.0]  # max 30: one zero, one partial, two full
    long = long_scores(wide)
    long.loc[(long["city"] == "D") & (long["indicator"] == "2.c"), "score"] = np.nan
    table = stats.indicator_distribution(long, frameworks=FRAMEWORKS).set_index("indicator")
    assert list(table.index) == fw.indicator_ids
    row = table.loc["1.a"]
    assert (row["share_zero"], row["share_partial"], row["share_full"]) == pytest.approx((0.25, 0.25, 0.5))
    assert row["mean_share"] == pytest.approx(75 / 4 / 30)
    assert table.loc["2.c", "n"] == 3 and table.loc["2.c", "n_missing"] == 1
    assert table.loc["2.c", "share_zero"] == pytest.approx(1.0)
    shares = table[["share_zero", "share_partial", "share_full"]].sum(axis=1)
    assert np.allclose(shares, 1.0)


def test_leaderboard_marks_ties():
    values = {c: [90.0, 80.0, 80.0, 50.0, np.nan] for c in COMPONENTS}
    board = stats.leaderboard(scored_table(values), cycle=2, frameworks=FRAMEWORKS)
    assert board["rank_label"].tolist() == ["1", "2=", "2=", "4", ""]
    assert board["tied"].tolist() == [False, True, True, False, False]
    top = stats.leaderboard(scored_table(values), cycle=2, top=2, frameworks=FRAMEWORKS)
    assert len(top) == 3  # the tie at the cut-off keeps both cities


def test_level_counts_lists_every_level():
    values = {c: [10.0, 20.0, 35.0, 65.0] for c in COMPONENTS}
    counts = stats.level_counts(scored_table(values), frameworks=FRAMEWORKS)
    assert counts["level"].tolist() == ["Not certified", "Enabled"]
    assert counts["n"].tolist() == [2, 2]
    four_fw = frameworks_with_levels(FOUR_LEVELS)
    four = stats.level_counts(scored_table(values, frameworks=four_fw), frameworks=four_fw)
    assert four["level"].tolist() == ["Not certified", "Enabled", "Level 3", "Level 4"]
    assert four["n"].tolist() == [2, 1, 1, 0]
    one_fw = frameworks_with_levels(ONE_LEVEL)
    one = stats.level_counts(scored_table(values, frameworks=one_fw), frameworks=one_fw)
    assert one["level"].tolist() == ["Assessed"] and one["n"].tolist() == [4]
    assert counts["share"].sum() == pytest.approx(1.0) and four["share"].sum() == pytest.approx(1.0)


# ------------------------------------------------------------------------------ audit
def test_component_correlations_match_scipy():
    scored = random_scored(25)
    scored.loc[3, "people"] = np.nan
    table = stats.component_correlations(scored, frameworks=FRAMEWORKS)
    assert len(table) == 36
    grid = table.set_index(["measure_a", "measure_b"])
    for a, b in [("policy", "overall"), ("people", "process"), ("technology", "outcomes")]:
        pair = scored[[a, b]].dropna()
        ref = sps.spearmanr(pair[a], pair[b])
        assert grid.loc[(a, b), "rho"] == pytest.approx(ref.statistic)
        assert grid.loc[(a, b), "p_value"] == pytest.approx(ref.pvalue)
        assert grid.loc[(b, a), "rho"] == pytest.approx(ref.statistic)
    assert grid.loc[("people", "policy"), "n"] == 24
    assert grid.loc[("policy", "policy"), "rho"] == 1.0


def test_component_alphas_match_hand_formula():
    wide = random_indicator_scores()
    table = stats.component_alphas(long_scores(wide), frameworks=FRAMEWORKS).set_index("component")
    fw = FRAMEWORKS[2]
    for comp, inds in fw.indicators.groupby("component")["indicator"]:
        x = wide[inds.tolist()].to_numpy(float)
        k = x.shape[1]
        expected = k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))
        assert table.loc[comp, "alpha"] == pytest.approx(expected)
        assert table.loc[comp, "n_indicators"] == k


def test_pca_matches_numpy_svd():
    scored = random_scored(40, seed=8)
    var = stats.pca_variance(scored, frameworks=FRAMEWORKS)
    load = stats.pca_loadings(scored, frameworks=FRAMEWORKS)
    x = scored[COMPONENTS].to_numpy(float)
    z = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    _, s, vt = np.linalg.svd(z, full_matrices=False)
    eig = s**2 / (len(x) - 1)
    assert var["eigenvalue"].to_numpy() == pytest.approx(eig)
    assert var["eigenvalue"].to_numpy() == pytest.approx(np.sort(np.linalg.eigvalsh(np.corrcoef(x.T)))[::-1])
    assert var["variance_share"].sum() == pytest.approx(1.0)
    assert var["cumulative_share"].iloc[-1] == pytest.approx(1.0)
    coef = load.pivot(index="pc", columns="component", values="coefficient")[COMPONENTS].to_numpy()
    assert np.abs(coef) == pytest.approx(np.abs(vt))
    assert coef.sum(axis=1).min() >= -1e-9  # the sign convention
    # the loading of PC1 is the correlation between the component and the PC1 scores
    pc1 = z @ coef[0]
    loadings = load[load["pc"] == 1].set_index("component")["loading"]
    for j, comp in enumerate(COMPONENTS):
        assert loadings[comp] == pytest.approx(np.corrcoef(x[:, j], pc1)[0, 1])


def test_pca_leaves_out_a_constant_component():
    scored = random_scored(20)
    scored["outcomes"] = 50.0
    load = stats.pca_loadings(scored, frameworks=FRAMEWORKS)
    assert load[load["component"] == "outcomes"]["coefficient"].isna().all()
    assert stats.pca_variance(scored, frameworks=FRAMEWORKS)["pc"].max() == 4


def test_effective_weights_sum_to_one_and_match_hand_covariance():
    wide = random_indicator_scores(30, seed=4)
    fw = FRAMEWORKS[2]
    table = stats.effective_weights(long_scores(wide), frameworks=FRAMEWORKS)
    comps = table[table["level"] == "component"].set_index("item")
    inds = table[table["level"] == "indicator"].set_index("item")
    assert comps["effective_weight"].sum() == pytest.approx(1.0)
    assert inds["effective_weight"].sum() == pytest.approx(1.0)
    assert comps["nominal_weight"].sum() == pytest.approx(1.0)
    assert inds["nominal_weight"].sum() == pytest.approx(1.0)
    comp_scores = {c: wide[g.tolist()].sum(axis=1).to_numpy(float)
                   for c, g in fw.indicators.groupby("component")["indicator"]}
    y = sum(0.2 * comp_scores[c] for c in COMPONENTS)
    for c in COMPONENTS:
        cov = np.sum((comp_scores[c] - comp_scores[c].mean()) * (y - y.mean())) / (len(y) - 1)
        assert comps.loc[c, "effective_weight"] == pytest.approx(0.2 * cov / y.var(ddof=1))
        assert comps.loc[c, "corr_with_overall"] == pytest.approx(np.corrcoef(comp_scores[c], y)[0, 1])
        assert inds[inds["component"] == c]["effective_weight"].sum() == pytest.approx(
            comps.loc[c, "effective_weight"])
    # nominal indicator weight = component weight * share of the component's points
    assert inds.loc["1.b", "nominal_weight"] == pytest.approx(0.2 * 40 / 100)


def test_effective_weights_of_independent_equal_variance_components_equal_nominal():
    # components with identical variance and zero covariance: effective weight = nominal weight
    fw = FRAMEWORKS[1]
    # 8 cities; the rows are mutually orthogonal contrasts summing to zero, so the five
    # component scores (50 + 25 * row) have equal variances and zero covariances
    pattern = np.array([[1, -1, 1, -1, 1, -1, 1, -1],
                        [1, 1, -1, -1, 1, 1, -1, -1],
                        [1, 1, 1, 1, -1, -1, -1, -1],
                        [1, -1, -1, 1, 1, -1, -1, 1],
                        [1, -1, 1, -1, -1, 1, -1, 1]], float)
    data = {}
    for ind in fw.indicators.itertuples():
        comp_row = COMPONENTS.index(ind.component)
        data[ind.indicator] = ind.max_score / 2 + pattern[comp_row] * ind.max_score / 4
    wide = pd.DataFrame(data, index=[f"C{i}" for i in range(8)])
    table = stats.effective_weights(long_scores(wide, cycle=1), frameworks=FRAMEWORKS)
    comps = table[table["level"] == "component"]
    assert comps["effective_weight"].to_numpy() == pytest.approx([0.2] * 5)
    # custom weights are renormalised
    w = {"policy": 2, "people": 1, "process": 1, "technology": 0.5, "outcomes": 0.5}
    table = stats.effective_weights(long_scores(wide, cycle=1), frameworks=FRAMEWORKS, weights=w)
    comps = table[table["level"] == "component"].set_index("item")
    w2 = np.array([2, 1, 1, 0.5, 0.5]) ** 2 / np.sum(np.array([2, 1, 1, 0.5, 0.5]) ** 2)
    assert comps["effective_weight"].to_numpy() == pytest.approx(w2)
    assert comps.loc["policy", "nominal_weight"] == pytest.approx(0.4)


# -------------------------------------------------------------------- group comparisons
def grouped_scored() -> pd.DataFrame:
    scored = random_scored(24, seed=6, regions=["East"] * 6 + ["West"] * 10 + ["South"] * 8,
                           states=["A"] * 12 + ["B"] * 12, rounds=["Round 1", "Round 2"] * 12)
    return scored


def test_group_medians_values_intervals_and_seed():
    scored = grouped_scored()
    table = stats.group_medians(scored, by="region", frameworks=FRAMEWORKS, seed=5)
    assert set(table["group"]) == {"East", "West", "South"}
    west = table[(table["group"] == "West") & (table["measure"] == "overall")].iloc[0]
    x = scored.loc[scored["region"] == "West", "overall"]
    assert west["median"] == pytest.approx(np.median(x))
    assert west["n"] == 10
    assert west["n_certified"] == int(scored.loc[scored["region"] == "West", "certified"].sum())
    assert (table["ci_low"] <= table["median"] + 1e-9).all() and (table["median"] <= table["ci_high"] + 1e-9).all()
    again = stats.group_medians(scored, by="region", frameworks=FRAMEWORKS, seed=5)
    pd.testing.assert_frame_equal(table, again)
    # a cell's interval does not depend on which other groups are present
    alone = stats.group_medians(scored[scored["region"] == "West"], by="region", frameworks=FRAMEWORKS, seed=5)
    pd.testing.assert_frame_equal(alone.reset_index(drop=True),
                                  table[table["group"] == "West"].reset_index(drop=True))
    other = stats.group_medians(scored, by="region", frameworks=FRAMEWORKS, seed=6)
    assert not np.allclose(other["ci_low"], table["ci_low"]) or not np.allclose(other["ci_high"], table["ci_high"])


def test_group_medians_rejects_unknown_grouping():
    with pytest.raises(ValueError, match="cannot group by .* the columns are: state, region"):
        stats.group_medians(grouped_scored(), by="district")


def test_kruskal_matches_scipy_and_hand_value():
    scored = grouped_scored()
    table = stats.kruskal_by_group(scored, by="region", frameworks=FRAMEWORKS).set_index("measure")
    groups = [g["overall"].to_numpy() for _, g in scored.groupby("region")]
    ref = sps.kruskal(*groups)
    assert table.loc["overall", "statistic"] == pytest.approx(ref.statistic)
    assert table.loc["overall", "p_value"] == pytest.approx(ref.pvalue)
    assert table.loc["overall", "n_groups"] == 3
    # by hand: groups {1,2,3} and {4,5,6}: rank sums 6 and 15, N = 6
    # H = 12 / (6 * 7) * (36/3 + 225/3) - 3 * 7 = 27/7
    values = {c: [1.0, 2.0, 3.0, 4.0, 5.0, 6.0] for c in COMPONENTS}
    small = scored_table(values, regions=["a"] * 3 + ["b"] * 3)
    row = stats.kruskal_by_group(small, frameworks=FRAMEWORKS).set_index("measure").loc["overall"]
    assert row["statistic"] == pytest.approx(27 / 7)
    assert row["epsilon_squared"] == pytest.approx(27 / 7 / 5)


def test_kruskal_nan_for_one_group_or_constant():
    values = {c: [5.0] * 6 for c in COMPONENTS}
    table = stats.kruskal_by_group(scored_table(values, regions=["a", "b"] * 3), frameworks=FRAMEWORKS)
    assert table["statistic"].isna().all()
    table = stats.kruskal_by_group(random_scored(10), frameworks=FRAMEWORKS)
    assert (table["n_groups"] == 1).all() and table["p_value"].isna().all()


def test_engagement_association_matches_scipy():
    scored = random_scored(15)
    rng = np.random.default_rng(9)
    attributes = pd.DataFrame({"cycle": 2, "city": scored["city"], "engagement_score": rng.uniform(0, 100, 15)})
    attributes.loc[0, "engagement_score"] = np.nan
    table = stats.engagement_table(scored, attributes, cycle=2)
    assert len(table) == 14
    row = stats.engagement_association(scored, attributes, cycle=2).iloc[0]
    ref = sps.spearmanr(table["engagement_score"], table["overall"])
    assert row["rho"] == pytest.approx(ref.statistic) and row["p_value"] == pytest.approx(ref.pvalue)
    empty = stats.engagement_table(scored, attributes.iloc[0:0], cycle=2)
    assert empty.empty and list(empty.columns)[-1] == "engagement_score"


def test_group_medians_and_kruskal_by_a_column_of_ones_own():
    scored = grouped_scored()
    cities = pd.DataFrame({"city": scored["city"].unique()})
    cities["size"] = ["large" if i % 3 else "small" for i in range(len(cities))]
    table = stats.group_medians(scored, by="size", frameworks=FRAMEWORKS, seed=1, cities=cities)
    assert set(table["group"]) == {"large", "small"} and (table["grouping"] == "size").all()
    small = scored[scored["city"].isin(cities.loc[cities["size"] == "small", "city"])]
    row = table[(table["group"] == "small") & (table["measure"] == "overall")].iloc[0]
    assert row["n"] == len(small) and row["median"] == pytest.approx(np.median(small["overall"]))
    kw = stats.kruskal_by_group(scored, by="size", frameworks=FRAMEWORKS, cities=cities).set_index("measure")
    groups = [g["overall"].to_numpy() for _, g in scored.assign(size=scored["city"].map(
        cities.set_index("city")["size"])).groupby("size")]
    assert kw.loc["overall", "statistic"] == pytest.approx(sps.kruskal(*groups).statistic)
    with pytest.raises(ValueError, match="cannot group by 'sise'.*did you mean 'size'"):
        stats.group_medians(scored, by="sise", cities=cities)


def test_leaderboard_says_what_each_row_rests_on():
    from dmaf_analysis.scoring import load_dataset

    data = load_dataset()
    board = stats.leaderboard(data.scored, cycle=2, frameworks=data.frameworks).set_index("city")
    assert board.loc["Ludhiana", "n_synthetic_values"] == 6 and board.loc["Surat", "n_synthetic_values"] == 21
    assert (board["n_missing_values"] == 0).all()
    plain = stats.leaderboard(data.scored.drop(columns=["n_synthetic", "n_missing"]), cycle=2,
                              frameworks=data.frameworks)
    assert "n_synthetic_values" not in plain.columns
    from dmaf_analysis.io import worded_heading

    assert worded_heading("n_synthetic_values") == "Synthetic indicator values"
