"""Tests of the declared assumptions, the sensitivity engine, leave-one-out and the JRC joint flag."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from dmaf_analysis import sensitivity
from dmaf_analysis.errors import SpecError
from dmaf_analysis import stats
from dmaf_analysis.cli import main
from dmaf_analysis.framework import load_frameworks, parse_framework
from dmaf_analysis.scoring import score_cities
from dmaf_analysis.sensitivity import _card_uncertainty as card_uncertainty

FRAMEWORKS = load_frameworks()


# ---------------------------------------------------------------------------- helpers
def toy_framework(levels=None, prov=("seen", "inferred", "inferred", "seen")) -> dict:
    """Two components (a: 2 indicators, b: 2 indicators), certification at 50 (illustrative)."""
    return parse_framework({
        "cycle": 2, "name": "Toy", "components": [{"id": "a", "weight": 0.5}, {"id": "b", "weight": 0.5}],
        "indicators": [{"id": "a1", "component": "a", "max": 40, "max_provenance": prov[0]},
                       {"id": "a2", "component": "a", "max": 60, "max_provenance": prov[1]},
                       {"id": "b1", "component": "b", "max": 50, "max_provenance": prov[2]},
                       {"id": "b2", "component": "b", "max": 50, "max_provenance": prov[3]}],
        "levels": levels or [{"name": "Not certified", "min_score": 0, "certified": False},
                             {"name": "Enabled", "min_score": 50, "certified": True}],
    }, source="toy.yaml")


def toy_scores(points: dict[str, list], cycle: int = 2) -> pd.DataFrame:
    rows = []
    for city, values in points.items():
        for ind, v in zip(["a1", "a2", "b1", "b2"], values):
            rows.append({"cycle": cycle, "city": city, "indicator": ind,
                         "score": np.nan if v is None else float(v), "source": "synthetic"})
    return pd.DataFrame(rows)


def random_panel(n: int = 30, seed: int = 0, missing: float = 0.0) -> pd.DataFrame:
    from dmaf_analysis.cities import load_cities

    rng = np.random.default_rng(seed)
    fw = FRAMEWORKS[2]
    names = load_cities()["city"].tolist()[:n]
    rows = []
    for city in names:
        ability = rng.uniform(0.05, 0.95)
        for ind in fw.indicators.itertuples():
            score = float(np.round(np.clip(ability + rng.normal(0, 0.25), 0, 1) * ind.max_score / 5) * 5)
            if rng.uniform() < missing:
                score = np.nan
            rows.append({"cycle": 2, "city": city, "indicator": ind.indicator, "score": score,
                         "source": "synthetic"})
    return pd.DataFrame(rows)


def ishigami_design(n: int, seed: int = 1):
    from SALib.sample import sobol as sobol_sample
    from SALib.test_functions import Ishigami

    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    x = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    return problem, Ishigami.evaluate(x)


# -------------------------------------------------------------------------- estimator
def test_estimator_recovers_the_analytic_ishigami_indices():
    # a = 7, b = 0.1: S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437)
    _, y = ishigami_design(2 ** 13)
    est = sensitivity.sobol_indices(y, 3, seed=3)
    assert est["S1"] == pytest.approx([0.3139, 0.4424, 0.0], abs=0.03)
    assert est["ST"] == pytest.approx([0.5576, 0.4424, 0.2437], abs=0.03)
    assert np.all(est["S1_low"] <= est["S1"] + 1e-12) and np.all(est["S1"] <= est["S1_high"] + 1e-12)
    assert np.all(est["ST_low"] <= est["ST_high"])


def test_estimator_reproduces_salib_analyze_for_every_output_at_once():
    from SALib.analyze import sobol

    problem, y = ishigami_design(512)
    ys = np.column_stack([y, y ** 2, np.sin(y)])
    est = sensitivity.sobol_indices(ys, 3, n_resamples=50, seed=7)
    for j in range(ys.shape[1]):
        ref = sobol.analyze(problem, ys[:, j], calc_second_order=False, num_resamples=50, seed=7,
                            keep_resamples=True)
        assert est["S1"][:, j] == pytest.approx(ref["S1"], abs=1e-10)
        assert est["ST"][:, j] == pytest.approx(ref["ST"], abs=1e-10)
        # the same resamples as SALib: every bootstrap estimate agrees
        assert np.allclose(est["S1_boot"][:, :, j], ref["S1_conf_all"], atol=1e-9)
        assert np.allclose(est["ST_boot"][:, :, j], ref["ST_conf_all"], atol=1e-9)


def test_an_input_without_effect_gets_a_total_index_near_zero():
    from SALib.sample import sobol as sobol_sample

    problem = {"num_vars": 3, "names": ["x", "y", "dummy"], "bounds": [[0, 1]] * 3}
    x = sobol_sample.sample(problem, 2 ** 12, calc_second_order=False, seed=2)
    est = sensitivity.sobol_indices(x[:, 0] + 2 * x[:, 1] ** 2, 3, seed=1)
    assert abs(est["ST"][2]) < 0.01 and abs(est["S1"][2]) < 0.01
    assert est["ST"][1] > est["ST"][0] > 0.1


def test_constant_output_gets_zero_indices():
    est = sensitivity.sobol_indices(np.ones(5 * 64), 3)
    assert np.all(est["S1"] == 0) and np.all(est["ST_high"] == 0)
    with pytest.raises(ValueError, match="7 runs is not a multiple of groups"):
        sensitivity.sobol_indices(np.ones(7), 3)


# ------------------------------------------------------------------------------ model
def test_nominal_run_reproduces_score_cities():
    scores = random_panel(40, seed=4, missing=0.05)
    scored = score_cities(scores, frameworks=FRAMEWORKS).set_index("city")
    data = sensitivity.model_data(scores, frameworks=FRAMEWORKS)
    nom = sensitivity.nominal_run(data)
    ref = scored.loc[data.info["city"]]
    assert np.allclose(nom.scores[0], ref["overall"].to_numpy(float), equal_nan=True)
    assert np.array_equal(np.nan_to_num(nom.ranks[0], nan=-1),
                          ref["rank"].astype("Float64").fillna(-1).to_numpy(float))
    assert nom.certified[0].tolist() == ref["certified"].tolist()
    names = np.asarray(FRAMEWORKS[2].levels["level"], dtype=object)
    got = [names[i] if i >= 0 else None for i in nom.levels[0]]
    assert got == [x if isinstance(x, str) else None for x in ref["level"]]


def test_missing_value_treatments_by_hand():
    fw = toy_framework()
    scores = toy_scores({"P": [20, None, 25, 25], "Q": [40, 60, 0, 0]})
    data = sensitivity.model_data(scores, frameworks={2: fw})
    s = sensitivity.nominal_settings(fw, 3)
    s = sensitivity.Settings(s.weights, s.aggregation, s.aggregations, s.thresholds, s.factors, np.array([0, 1, 2]))
    runs = sensitivity.run_model(data, s)
    p = list(data.info["city"]).index("P")
    # missing: P unscored; zero: a = 20, b = 50 -> 35; mean: a1 is half of 40, so a2 = 30 -> a = 50, overall 50
    assert np.isnan(runs.scores[0, p]) and np.isnan(runs.ranks[0, p]) and runs.levels[0, p] == -1
    assert runs.scores[1, p] == pytest.approx(35.0)
    assert runs.scores[2, p] == pytest.approx(50.0)
    assert runs.certified[:, p].tolist() == [False, False, True]
    assert runs.ranks[1].tolist() == [2.0, 1.0] and runs.ranks[2].tolist() == [1.0, 1.0]


def test_maxima_rescaling_keeps_components_out_of_100_by_hand():
    fw = toy_framework()
    spec = sensitivity.parse_spec({"assumptions": [{"name": "max", "kind": "maxima",
                                                    "ranges": {"a1": [20, 60], "a2": [30, 90]}}]}, fw)
    settings = sensitivity.decode(spec, fw, np.array([[0.5, 0.0]]))  # a1 = 40, a2 = 30 -> rescaled to 57.1 / 42.9
    new_max = settings.factors[0] * fw.max_scores.to_numpy()
    assert new_max[:2].sum() == pytest.approx(100)
    assert new_max[0] == pytest.approx(100 * 40 / 70) and new_max[1] == pytest.approx(100 * 30 / 70)
    data = sensitivity.model_data(toy_scores({"P": [40, 0, 0, 0], "Q": [0, 60, 0, 0]}), frameworks={2: fw})
    runs = sensitivity.run_model(data, settings)
    # P has all of a1: its share 1 x 57.14 points; Q all of a2: 42.86; b = 0; overall = a / 2
    assert runs.scores[0].tolist() == pytest.approx([100 * 40 / 70 / 2, 100 * 30 / 70 / 2])


def test_decode_ranges_weights_and_choices():
    fw = FRAMEWORKS[2]
    spec = sensitivity.load_spec(fw)
    u = np.random.default_rng(0).random((2000, sensitivity.problem(spec)["num_vars"]))
    s = sensitivity.decode(spec, fw, u)
    assert np.allclose(s.weights.sum(axis=1), 1)
    ratio = s.weights / s.weights.max(axis=1, keepdims=True)
    assert ratio.min() >= 0.75 / 1.25 - 1e-12
    assert set(np.unique(s.aggregation)) == {0, 1} and set(np.unique(s.missing)) == {0, 1, 2}
    assert np.all(np.diff(s.thresholds, axis=1) > 0) and np.all(s.thresholds[:, 0] == 0)
    maxima = s.factors * fw.max_scores.to_numpy()
    by_comp = pd.DataFrame(maxima, columns=fw.indicator_ids).T.groupby(fw.indicators["component"].to_numpy()).sum()
    assert np.allclose(by_comp.to_numpy(), 100)
    seen = fw.indicators["max_provenance"].isin(["seen", "seen_order"]).to_numpy()
    assert np.allclose(s.factors[:, seen], 1)


# -------------------------------------------------------------------------- the spec
def test_bundled_spec_loads_and_drives_the_default():
    fw = FRAMEWORKS[2]
    path = sensitivity.spec_path(fw)
    assert path.name == "dmaf-cycle-2.sensitivity.yaml" and path.is_file()
    spec = sensitivity.load_spec(fw)
    assert [a.kind for a in spec.assumptions] == ["weights", "aggregation", "thresholds", "maxima", "missing"]
    maxima = spec.assumptions[3].params["indicators"]
    inferred = fw.indicators.loc[fw.indicators["max_provenance"] == "inferred", "indicator"].tolist()
    assert maxima == inferred


def test_spec_errors_name_the_file_and_list_every_problem(tmp_path, monkeypatch):
    fw = toy_framework()
    bad = tmp_path / "bad.sensitivity.yaml"
    bad.write_text("assumptions:\n"
                   "  - {name: w, kind: weights, perturbation: 2, components: [a, zz]}\n"
                   "  - {name: t, kind: thresholds, ranges: {Gold: [1, 2]}}\n"
                   "  - {name: m, kind: maxima, ranges: {a1: [10, 50]}}\n"
                   "  - {name: x, kind: mystery}\n"
                   "  - {name: w, kind: missing, choices: [zero, guess]}\n")
    with pytest.raises(SpecError, match="7 problems in the sensitivity spec") as err:
        sensitivity.load_spec(fw, bad)
    text = str(err.value)
    assert text.startswith(str(bad))
    for part in ["'perturbation'", "zz", "'Gold'", "a1 is the only varied maximum", "'mystery'", "used twice",
                 "'guess'"]:
        assert part in text
    (tmp_path / "v2.yaml").write_text("schema_version: 2\nassumptions: [{name: w, kind: weights}]\n")
    with pytest.raises(SpecError, match="schema_version"):
        sensitivity.load_spec(fw, tmp_path / "v2.yaml")
    (tmp_path / "list.yaml").write_text("- 1\n- 2\n")
    with pytest.raises(SpecError, match="list.yaml: the file must hold a mapping"):
        sensitivity.load_spec(fw, tmp_path / "list.yaml")
    (tmp_path / "broken.yaml").write_text("assumptions: [\n")
    with pytest.raises(SpecError, match="not valid YAML"):
        sensitivity.load_spec(fw, tmp_path / "broken.yaml")
    monkeypatch.setenv("DMAF_MAX_YAML_MB", "1")
    (tmp_path / "big.yaml").write_text("#" * (2 ** 20 + 1))
    with pytest.raises(SpecError, match="big.yaml"):
        sensitivity.load_spec(fw, tmp_path / "big.yaml")
    with pytest.raises(SpecError, match="absent.yaml"):
        sensitivity.load_spec(fw, tmp_path / "absent.yaml")
    (tmp_path / "python.yaml").write_text("assumptions: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(SpecError, match="not valid YAML"):
        sensitivity.load_spec(fw, tmp_path / "python.yaml")


def test_overlapping_threshold_ranges_are_refused():
    levels = [{"name": "Not certified", "min_score": 0, "certified": False},
              {"name": "Enabled", "min_score": 30}, {"name": "Higher", "min_score": 60}]
    fw = toy_framework(levels=levels)
    with pytest.raises(SpecError, match="overlap"):
        sensitivity.parse_spec({"assumptions": [{"name": "t", "kind": "thresholds",
                                                 "ranges": {"Enabled": [20, 65], "Higher": [50, 70]}}]}, fw)
    # a spread stops half-way to the neighbouring threshold
    spec = sensitivity.parse_spec({"assumptions": [{"name": "t", "kind": "thresholds", "spread": 20}]}, fw)
    p = spec.assumptions[0].params
    assert p["levels"] == ["Enabled", "Higher"]
    assert p["high"][0] < 45 < p["low"][1] and p["low"][0] == pytest.approx(15) and p["high"][1] == 80


def test_adding_and_dropping_assumptions_needs_no_code(tmp_path):
    fw = toy_framework()
    scores = toy_scores({f"C{i}": [i * 4 % 41, i * 7 % 61, i * 5 % 51, i * 3 % 51] for i in range(12)})
    spec = tmp_path / "s.yaml"
    spec.write_text("assumptions:\n"
                    "  - {name: weight of a, kind: weights, components: [a]}\n"
                    "  - {name: weight of b, kind: weights, components: [b], perturbation: 0.1}\n"
                    "  - {name: cut-off, kind: thresholds, ranges: {Enabled: [40, 60]}}\n")
    res = sensitivity.sensitivity_analysis(scores, frameworks={2: fw}, spec=spec, n_samples=64)
    assert res.indices["assumption"].unique().tolist() == ["weight of a", "weight of b", "cut-off"]
    assert res.settings.iloc[0]["n_runs"] == 64 * 5
    assert list(res.indices.columns) == sensitivity.INDEX_COLUMNS


# --------------------------------------------------------------------- the analysis
@pytest.fixture(scope="module")
def panel_result():
    scores = random_panel(30, seed=1)
    return scores, sensitivity.sensitivity_analysis(scores, frameworks=FRAMEWORKS, n_samples=256, seed=3)


def test_sensitivity_tables_shape_and_sense(panel_result):
    scores, res = panel_result
    # no value is missing: the treatment of missing values changes nothing, so it is left out with a note
    assert scores["score"].notna().all()
    groups = ["weights", "aggregation", "thresholds", "maxima"]
    assert res.indices["assumption"].unique().tolist() == groups
    assert res.assumptions["kind"].tolist() == groups
    assert "no indicator value is missing" in res.settings.iloc[0]["notes"]
    n_cities = scores["city"].nunique()
    assert len(res.indices) == (2 + 2 * n_cities) * len(groups)
    assert res.settings.iloc[0]["n_runs"] == 256 * 6 and len(res.runs) == 256 * 6
    idx = res.indices.set_index(["output", "assumption"])
    # thresholds cannot move a rank: exactly 0
    assert idx.loc[("mean_rank_shift", "thresholds"), "ST"] == 0
    assert idx.loc[("n_certified", "thresholds"), "ST"] > 0.2
    assert (idx["S1_low"] <= idx["S1_high"]).all() and (idx["ST_low"] <= idx["ST_high"]).all()
    # per-run outputs by hand for the first run
    cities = res.cities
    assert cities["p_unscored"].eq(0).all()
    level_cols = [c for c in cities.columns if c.startswith("p_") and c not in ("p_certified", "p_unscored")]
    assert np.allclose(cities[level_cols].sum(axis=1), 1)
    assert (cities["rank_p05"] <= cities["median_rank"]).all() and (cities["median_rank"] <= cities["rank_p95"]).all()
    assert res.runs["n_certified"].between(0, n_cities).all()


def test_runs_table_matches_a_direct_computation(panel_result):
    scores, res = panel_result
    from SALib.sample import sobol as sobol_sample

    data = sensitivity.model_data(scores, frameworks=FRAMEWORKS)
    spec = sensitivity.load_spec(data.framework).for_data(has_missing=data.has_missing)
    x = sobol_sample.sample(sensitivity.problem(spec), 256, calc_second_order=False, seed=3)
    s = sensitivity.decode(spec, data.framework, x[:5])
    runs = sensitivity.run_model(data, s)
    nominal = score_cities(scores, frameworks=FRAMEWORKS).set_index("city").loc[data.info["city"], "rank"]
    for r in range(5):
        assert res.runs.loc[r, "n_certified"] == runs.certified[r].sum()
        assert res.runs.loc[r, "mean_rank_shift"] == pytest.approx(
            np.mean(np.abs(runs.ranks[r] - nominal.to_numpy(float))))


def test_sensitivity_with_missing_values_counts_unscored_runs():
    scores = random_panel(20, seed=5, missing=0.04)
    res = sensitivity.sensitivity_analysis(scores, frameworks=FRAMEWORKS, n_samples=128,
                                           spec=sensitivity.parse_spec({"assumptions": [
                                      {"name": "missing", "kind": "missing"},
                                      {"name": "weights", "kind": "weights"}]}, FRAMEWORKS[2]))
    incomplete = score_cities(scores, frameworks=FRAMEWORKS).query("overall != overall")["city"]
    assert len(incomplete)
    cities = res.cities.set_index("city")
    # 'missing' is drawn in a third of the runs; a city missing a whole component stays unscored more often
    assert (cities.loc[incomplete, "p_unscored"] > 0.2).all()
    idx = res.indices.set_index(["output", "assumption"])
    assert idx.loc[(f"rank: {incomplete.iloc[0]}", "missing"), "ST"] > 0.3


def test_uncertainty_without_assumptions_is_the_nominal_ranking():
    scores = random_panel(15, seed=2)
    res = sensitivity.uncertainty_analysis(scores, frameworks=FRAMEWORKS, kinds=(), n_draws=20)
    c = res.cities
    assert (c["median_rank"] == c["nominal_rank"]).all() and (c["rank_interval_width"] == 0).all()
    assert np.allclose(c["score_p05"], c["nominal_score"]) and set(c["p_certified"]) <= {0.0, 1.0}


def test_weights_and_aggregation_only_match_rank_robustness_in_distribution():
    scores = random_panel(25, seed=8)
    scored = score_cities(scores, frameworks=FRAMEWORKS)
    a = sensitivity.uncertainty_analysis(scores, frameworks=FRAMEWORKS, kinds=("weights", "aggregation"), n_draws=4000,
                                         seed=1).cities.set_index("city")
    b = sensitivity.rank_robustness(scored, n_draws=4000, seed=2).cities.set_index("city").loc[a.index]
    assert (a["nominal_rank"] == b["nominal_rank"]).all()
    assert np.abs(a["p_certified"] - b["p_certified"]).max() < 0.05
    assert np.abs(a["median_rank"] - b["median_rank"]).max() <= 1


def test_generic_framework_with_two_levels_and_three_components():
    fw = parse_framework({
        "cycle": 2, "name": "Made up", "components": [{"id": "x", "weight": 0.5}, {"id": "y", "weight": 0.3},
                                                      {"id": "z", "weight": 0.2}],
        "indicators": [{"id": "x1", "component": "x", "max": 100},
                       {"id": "y1", "component": "y", "max": 50, "max_provenance": "inferred"},
                       {"id": "y2", "component": "y", "max": 50, "max_provenance": "inferred"},
                       {"id": "z1", "component": "z", "max": 100}],
        "levels": [{"name": "Not certified", "min_score": 0, "certified": False},
                   {"name": "Enabled", "min_score": 40, "certified": True}]}, source="")
    rng = np.random.default_rng(0)
    rows = [{"cycle": 2, "city": f"T{i}", "indicator": ind, "score": float(rng.integers(0, m + 1))}
            for i in range(15) for ind, m in [("x1", 100), ("y1", 50), ("y2", 50), ("z1", 100)]]
    res = sensitivity.sensitivity_analysis(pd.DataFrame(rows), frameworks={2: fw}, n_samples=64)
    # complete data: the treatment of missing values is left out (it changes nothing)
    assert res.assumptions["assumption"].tolist() == ["weights", "aggregation", "thresholds", "maxima"]
    rows[0]["score"] = np.nan
    res = sensitivity.sensitivity_analysis(pd.DataFrame(rows), frameworks={2: fw}, n_samples=64)
    assert res.assumptions["assumption"].tolist() == ["weights", "aggregation", "thresholds", "maxima", "missing"]
    assert {"p_not_certified", "p_enabled"} <= set(res.cities.columns)
    assert res.cities["state"].isna().all()


# ---------------------------------------------------------------------- leave one out
def test_leave_one_out_by_hand():
    fw = toy_framework()
    # points (a1/40, a2/60, b1/50, b2/50); a and b scores, overall = mean
    scores = toy_scores({"P": [40, 60, 0, 0],    # a 100, b 0   -> 50
                         "Q": [0, 30, 50, 50],   # a 30,  b 100 -> 65
                         "R": [20, 30, 25, 25],  # a 50,  b 50  -> 50
                         "S": [40, 0, 50, 0]})   # a 40,  b 50  -> 45
    loo = sensitivity.leave_one_out(scores, frameworks={2: fw})
    ranks = loo.cities.pivot(index="left_out", columns="city", values="rank")
    nominal = loo.cities.drop_duplicates("city").set_index("city")["nominal_rank"]
    assert nominal.to_dict() == {"P": 2, "Q": 1, "R": 2, "S": 4}
    # without a: b alone -> Q 100, R 50, S 50, P 0
    assert ranks.loc["a"].to_dict() == {"P": 4, "Q": 1, "R": 2, "S": 2}
    # without b: a alone -> P 100, R 50, S 40, Q 30
    assert ranks.loc["b"].to_dict() == {"P": 1, "Q": 4, "R": 2, "S": 3}
    # without a1: a = a2 points x 100/60 -> P 100, Q 50, R 50, S 0; overall P 50, Q 75, R 50, S 25
    assert ranks.loc["a1"].to_dict() == {"P": 2, "Q": 1, "R": 2, "S": 4}
    # without b2: b = b1 x 2 -> P 0, Q 100, R 50, S 100; overall P 50, Q 65, R 50, S 70
    assert ranks.loc["b2"].to_dict() == {"P": 3, "Q": 2, "R": 3, "S": 1}
    summary = loo.summary.set_index("left_out")
    assert summary.loc["b2", "mean_abs_shift"] == pytest.approx((1 + 1 + 1 + 3) / 4)
    assert summary.loc["b2", "max_abs_shift"] == 3 and summary.loc["b2", "most_moved"] == "S"
    assert summary.loc["b2", "most_moved_shift"] == -3 and summary.loc["b2", "n_moved"] == 4
    assert summary.loc["a1", "n_moved"] == 0 and pd.isna(summary.loc["a1", "most_moved"])
    assert summary.loc["a", "left_out_kind"] == "component" and summary.loc["b1", "component"] == "b"
    assert len(summary) == 2 + 4


# ------------------------------------------------------------------------- JRC flag
def test_jrc_joint_outlier_flag_needs_both_conditions():
    # a few hundreds among zeros: skewed (> 2) but not peaked enough (<= 3.5): separate flag only
    x = np.array([0.0] * 43 + [100.0] * 7)
    sk, ku = sps.skew(x, bias=False), sps.kurtosis(x, bias=False)
    assert sk > 2 and ku <= 3.5
    assert stats.outlier_flags(sk, ku) == {"skew_flag": True, "kurtosis_flag": False, "outlier_flag": False}
    y = np.array([0.0] * 49 + [100.0])
    assert stats.outlier_flags(sps.skew(y, bias=False), sps.kurtosis(y, bias=False))["outlier_flag"]
    assert stats.outlier_flags(float("nan"), 9.0) == {"skew_flag": False, "kurtosis_flag": True,
                                                      "outlier_flag": False}
    comps = FRAMEWORKS[2].component_ids
    frame = pd.DataFrame({c: y if c == "policy" else x for c in comps})
    frame["cycle"], frame["overall"] = 2, frame[comps].mean(axis=1)
    table = stats.distribution_summary(frame, frameworks=FRAMEWORKS).set_index("measure")
    assert table.loc["policy", "outlier_flag"] and not table.loc["people", "outlier_flag"]
    assert table.loc["people", "skew_flag"]


# ----------------------------------------------------------------------- city cards
def test_level_uncertainty_statement():
    fw = toy_framework()
    scores = toy_scores({"Edge": [20, 30, 25, 25], "Sure": [40, 60, 50, 50], "Low": [0, 0, 5, 0]})
    edge = sensitivity.level_uncertainty(scores, city="Edge", frameworks={2: fw}, n_draws=500)
    assert edge.level == "Enabled" and edge.matters and 0 < edge.p_level < 0.95
    assert "stays at Enabled in" in edge.statement() and "Not certified in" in edge.statement()
    sure = sensitivity.level_uncertainty(scores, city="Sure", frameworks={2: fw}, n_draws=500)
    assert sure.p_level == 1 and not sure.matters and sure.statement() == ""
    assert sensitivity.level_uncertainty(scores, city="Nowhere", frameworks={2: fw}).level is None


# ------------------------------------------------------------------------------ CLI
def test_cli_writes_the_indices_table(tmp_path, capsys):
    out = tmp_path / "indices.csv"
    assert main(["sensitivity", "--samples", "32", "--no-cities", "-o", str(out)]) == 0
    table = pd.read_csv(out)
    assert list(table.columns) == sensitivity.INDEX_COLUMNS
    assert table["output"].unique().tolist() == ["mean_rank_shift", "n_certified"]
    with pytest.raises(SystemExit, match="^2$") as exc:  # a usage error: argparse refuses the flag, exit status 2
        main(["sensitivity", "--samples", "100"])
    assert exc.value.code == 2
    assert "power of 2" in capsys.readouterr().err
    bad = tmp_path / "spec.yaml"
    bad.write_text("assumptions: []\n")
    assert main(["sensitivity", "--samples", "16", "--spec", str(bad)]) == 1
    assert str(bad) in capsys.readouterr().err


def test_card_level_uncertainty_is_computed_once_per_data_set_and_escaped(monkeypatch):
    from types import SimpleNamespace

    fw = toy_framework()
    scores = toy_scores({"<Edge & co>": [20, 30, 25, 25], "Sure": [40, 60, 50, 50]})
    data = SimpleNamespace(scores=scores, frameworks={2: fw}, cities=None, cycles=[2])
    calls = []
    real = card_uncertainty.card_table
    monkeypatch.setattr(card_uncertainty, "card_table", lambda *a, **k: calls.append(1) or real(*a, **k))
    html = sensitivity.level_uncertainty_html(data, city="<Edge & co>")
    assert "&lt;Edge &amp; co&gt; stays at Enabled in" in html and "<Edge" not in html
    assert sensitivity.level_uncertainty_html(data, city="Sure") == ""
    assert len(calls) == 1
    same = SimpleNamespace(scores=scores.copy(), frameworks={2: fw}, cities=None, cycles=[2])
    sensitivity.card_level_uncertainty(same, city="Sure")
    assert len(calls) == 1  # a copy with the same content (as load_dataset hands out) finds the table
    changed = scores.copy()
    changed.loc[0, "score"] = changed.loc[0, "score"] + 1
    other = SimpleNamespace(scores=changed, frameworks={2: fw}, cities=None, cycles=[2])
    sensitivity.card_level_uncertainty(other, city="Sure")
    assert len(calls) == 2


def test_sensitivity_plot_draws_one_bar_per_assumption_and_output():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from dmaf_analysis import national

    indices = pd.DataFrame({"output": ["mean_rank_shift"] * 3 + ["n_certified"] * 3 + ["rank: X"] * 3,
                            "assumption": ["w", "<t>", "m"] * 3, "S1": 0.1, "S1_low": 0.0, "S1_high": 0.2,
                            "ST": [0.5, 0.0, 0.2, 0.1, 0.9, 0.0, 0.3, 0.3, 0.3], "ST_low": 0.0, "ST_high": 0.95})
    ax = national.sensitivity_plot(indices)
    assert len(ax.patches) == 6
    widths = sorted(round(p.get_width(), 3) for p in ax.patches)
    assert widths == [0.0, 0.0, 0.1, 0.2, 0.5, 0.9]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["w", "<t>", "m"]
    plt.close(ax.figure)
    ax = national.sensitivity_plot(indices.iloc[0:0])
    assert "No data" in ax.texts[0].get_text()
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="index must be 'ST' or 'S1'"):
        national.sensitivity_plot(indices, index="S2")


def test_city_drivers_pick_the_largest_total_index():
    indices = pd.DataFrame({
        "output": ["mean_rank_shift", "rank: A", "rank: A", "certified: A", "certified: A",
                   "rank: B", "rank: B", "certified: B", "certified: B"],
        "assumption": ["w", "w", "t", "w", "t", "w", "t", "w", "t"],
        "ST": [0.9, 0.7, 0.0, 0.1, 0.8, 0.2, 0.3, 0.0, 0.0]})
    drivers = sensitivity.city_drivers(indices).set_index("city")
    assert drivers.loc["A", ["rank_driver", "certified_driver"]].tolist() == ["w", "t"]
    assert drivers.loc["B", "rank_driver"] == "t" and drivers.loc["B", "rank_ST"] == pytest.approx(0.3)
    assert pd.isna(drivers.loc["B", "certified_driver"]) and drivers.loc["B", "certified_ST"] == 0
    assert sensitivity.city_drivers(indices.iloc[:1]).empty


def test_city_drivers_on_a_real_analysis(panel_result):
    _, res = panel_result
    drivers = sensitivity.city_drivers(res.indices)
    assert len(drivers) == res.cities["city"].nunique()
    # thresholds never move a rank, so they never drive one
    assert "thresholds" not in set(drivers["rank_driver"].dropna())
