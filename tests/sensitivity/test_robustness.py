"""Tests of dmaf_analysis.robustness: the Monte Carlo rank uncertainty analysis."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from dmaf_analysis.sensitivity import _robustness as rb
from dmaf_analysis.framework import load_frameworks
from dmaf_analysis.scoring import rank_within_cycle

COMPONENTS = ["policy", "people", "process", "technology", "outcomes"]
FRAMEWORKS = load_frameworks()
LEVEL_COLUMNS = ["p_not_certified", "p_enabled"]


def scored_table(n: int = 12, seed: int = 0, cycle: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.choice([0.0, 10, 20, 25, 40, 55, 60, 75, 90, 100], size=(n, 5))
    frame = pd.DataFrame(x, columns=COMPONENTS)
    frame.insert(0, "city", [f"City {i:03d}" for i in range(n)])
    frame.insert(0, "cycle", cycle)
    frame["state"] = "S"
    frame["region"] = "R"
    frame["overall"] = (frame[COMPONENTS] * 0.2).sum(axis=1).round(9)
    frame["level"] = FRAMEWORKS[cycle].levels_for(frame["overall"])
    frame["rank"] = rank_within_cycle(frame["overall"], frame["cycle"])
    return frame


def test_competition_ranks_match_scipy_min_ranks():
    s = np.random.default_rng(1).integers(0, 6, size=(40, 25)).astype(float)
    assert np.array_equal(rb.competition_ranks(s), sps.rankdata(-s, method="min", axis=1))
    assert rb.competition_ranks(np.array([3.0, 5, 5, 1, 3])).tolist() == [3, 1, 1, 5, 3]


def test_level_index_matches_framework_levels():
    fw = FRAMEWORKS[2]
    values = np.array([0, 29.999, 30, 59.9999999999, 60, 79, 80, 100.0])
    names = np.asarray(fw.levels["level"])[rb.level_index(values, fw.levels["min_score"])]
    assert names.tolist() == list(fw.levels_for(values))


def test_draw_weights_sum_to_one_and_stay_within_the_band():
    rng = np.random.default_rng(0)
    w0 = np.array([0.4, 0.3, 0.1, 0.1, 0.1])
    w = rb.draw_weights(w0, n_draws=5000, perturbation=0.25, rng=rng)
    assert w.shape == (5000, 5)
    assert np.allclose(w.sum(axis=1), 1)
    ratio = (w / w0) / (w / w0).max(axis=1, keepdims=True)  # relative factors
    assert ratio.min() >= 0.75 / 1.25 - 1e-12
    assert np.allclose(rb.draw_weights(w0, n_draws=3, perturbation=0.0, rng=rng), w0)
    with pytest.raises(ValueError, match=r"perturbation must be in \[0, 1\)"):
        rb.draw_weights(w0, n_draws=3, perturbation=1.5, rng=rng)


def test_geometric_mean_zero_rule():
    x = np.array([[40.0, 40, 40, 40, 40], [0, 100, 100, 100, 100], [0, 0, 0, 0, 0], [10, 20, 30, 40, 50]])
    w = np.full((1, 5), 0.2)
    geo = rb.aggregate(x, w, np.array([0]), ("geometric",), offset=1.0)[0]
    ari = rb.aggregate(x, w, np.array([0]), ("arithmetic",))[0]
    assert geo[0] == pytest.approx(40.0)  # equal components: their value
    assert geo[2] == pytest.approx(0.0)  # all zero stays 0
    # by hand: exp(0.2 * log(1) + 0.8 * log(101)) - 1
    assert geo[1] == pytest.approx(np.exp(0.8 * np.log(101)) - 1)
    assert geo[3] == pytest.approx(np.exp(np.mean(np.log(np.array([11, 21, 31, 41, 51])))) - 1)
    assert (geo <= ari + 1e-9).all()
    assert ari[1] == pytest.approx(80.0)


def test_zero_perturbation_reproduces_the_nominal_ranking():
    scored = scored_table(30, seed=3)
    res = rb.rank_robustness(scored, n_draws=200, perturbation=0.0, aggregations=("arithmetic",),
                             frameworks=FRAMEWORKS, seed=1)
    c = res.cities.set_index("city")
    assert (c["median_rank"] == c["nominal_rank"]).all()
    assert (c["rank_p05"] == c["nominal_rank"]).all() and (c["rank_p95"] == c["nominal_rank"]).all()
    published = scored.set_index("city")["rank"].astype(int)
    assert (c["nominal_rank"] == published.reindex(c.index)).all()
    assert c["nominal_score"].to_numpy() == pytest.approx(scored.set_index("city").loc[c.index, "overall"])
    probs = c[LEVEL_COLUMNS].to_numpy()
    assert set(np.unique(probs)) <= {0.0, 1.0}
    for _, row in c.iterrows():
        assert row[f"p_{rb.level_slug(row['nominal_level'])}"] == 1.0
        assert row["modal_level"] == row["nominal_level"]
    assert (c["nominal_level"] == scored.set_index("city")["level"].reindex(c.index)).all()


def test_seeds_are_reproducible():
    scored = scored_table(20, seed=4)
    a = rb.rank_robustness(scored, n_draws=500, seed=7, frameworks=FRAMEWORKS)
    b = rb.rank_robustness(scored, n_draws=500, seed=7, frameworks=FRAMEWORKS)
    c = rb.rank_robustness(scored, n_draws=500, seed=8, frameworks=FRAMEWORKS)
    pd.testing.assert_frame_equal(a.cities, b.cities)
    pd.testing.assert_frame_equal(a.level_probabilities, b.level_probabilities)
    assert not np.allclose(a.cities["mean_score"], c.cities["mean_score"])


def test_tables_are_consistent():
    res = rb.rank_robustness(scored_table(15, seed=5), n_draws=400, seed=2, frameworks=FRAMEWORKS)
    c = res.cities
    assert np.allclose(c[LEVEL_COLUMNS].sum(axis=1), 1.0)
    assert np.allclose(c["p_certified"], c["p_enabled"])
    assert (c["rank_p05"] <= c["median_rank"]).all() and (c["median_rank"] <= c["rank_p95"]).all()
    assert (c["rank_interval_width"] == c["rank_p95"] - c["rank_p05"]).all()
    long = res.level_probabilities
    assert len(long) == len(LEVEL_COLUMNS) * len(c)
    wide_from_long = long.pivot(index="city", columns="level", values="probability")
    for level, col in zip(FRAMEWORKS[2].levels["level"], LEVEL_COLUMNS):
        assert np.allclose(wide_from_long.loc[c["city"], level], c[col])
    s = res.settings.iloc[0]
    settings = (s["n_draws"], s["perturbation"], s["aggregations"], s["n_cities"])
    assert settings == (400, 0.25, "arithmetic+geometric", 15)


def _loop_reference(scored, *, n_draws, seed, perturbation=0.25, aggregations=("arithmetic", "geometric"),
                    offset=1.0):
    """Independent per-draw pandas computation on the same random draws."""
    fw = FRAMEWORKS[2]
    rng = np.random.default_rng(seed)
    w0 = fw.weights.to_numpy(float)
    weights = rb.draw_weights(w0, n_draws=n_draws, perturbation=perturbation, rng=rng)
    choice = rb.draw_aggregations(n_draws=n_draws, n_choices=len(aggregations), rng=rng)
    comp = scored.set_index("city")[COMPONENTS]
    ranks, levels = [], []
    for d in range(n_draws):
        w = pd.Series(weights[d], index=COMPONENTS)
        if aggregations[choice[d]] == "arithmetic":
            score = (comp * w).sum(axis=1)
        else:
            score = np.exp((np.log(comp + offset) * w).sum(axis=1)) - offset
        score = score.round(9)
        ranks.append(score.rank(method="min", ascending=False).astype(int))
        levels.append(pd.Series([fw.level_for(v) for v in score], index=score.index))
    return pd.concat(ranks, axis=1), pd.concat(levels, axis=1)


def test_vectorised_result_matches_a_per_draw_loop():
    scored = scored_table(10, seed=6)
    res = rb.rank_robustness(scored, n_draws=150, seed=9, frameworks=FRAMEWORKS)
    ranks, levels = _loop_reference(scored, n_draws=150, seed=9)
    c = res.cities.set_index("city")
    for city in c.index:
        r = np.sort(ranks.loc[city].to_numpy())
        assert c.loc[city, "rank_p05"] == r[int(np.ceil(0.05 * 150)) - 1]
        assert c.loc[city, "median_rank"] == r[int(np.ceil(0.5 * 150)) - 1]
        assert c.loc[city, "rank_p95"] == r[int(np.ceil(0.95 * 150)) - 1]
        shares = levels.loc[city].value_counts(normalize=True)
        for level, col in zip(FRAMEWORKS[2].levels["level"], LEVEL_COLUMNS):
            assert c.loc[city, col] == pytest.approx(shares.get(level, 0.0))


def test_cities_with_a_missing_component_are_counted_not_ranked():
    scored = scored_table(8)
    scored.loc[2, "people"] = np.nan
    res = rb.rank_robustness(scored, n_draws=50, frameworks=FRAMEWORKS)
    assert len(res.cities) == 7 and res.settings.iloc[0]["n_excluded"] == 1
    assert scored.loc[2, "city"] not in set(res.cities["city"])


def test_bad_settings_are_rejected():
    scored = scored_table(5)
    with pytest.raises(ValueError, match="aggregations must be drawn from"):
        rb.rank_robustness(scored, aggregations=("median",), frameworks=FRAMEWORKS)
    with pytest.raises(ValueError, match="n_draws must be at least 1"):
        rb.rank_robustness(scored, n_draws=0, frameworks=FRAMEWORKS)


def test_level_slug():
    assert rb.level_slug("Not certified") == "not_certified"
    assert rb.level_slug("Level 2 / Higher!") == "level_2_higher"


def test_ten_thousand_draws_for_100_cities():
    # the time this takes is measured in benchmarks/bench_robustness.py, not here
    scored = scored_table(100, seed=11)
    res = rb.rank_robustness(scored, n_draws=10_000, frameworks=FRAMEWORKS)
    assert len(res.cities) == 100
