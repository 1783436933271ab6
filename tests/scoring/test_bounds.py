"""Bounds: the range of overall score, level and rank that the known values allow.

Checked against a brute-force enumeration: every unknown value of every city takes
each value of a grid from 0 to its maximum (the grid holds both ends), all
combinations are scored with ``score_cities``, and the extremes of the overall
score, level and rank are compared with ``score_bounds``.
"""
from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import rankdata

from dmaf_analysis.cli import main
from dmaf_analysis.framework import parse_framework
from dmaf_analysis.io import read_scores
from dmaf_analysis.scoring import (
    BOUNDS_TABLE_COLUMNS,
    add_bounds,
    range_sentence,
    score_bounds,
    score_cities,
    unknown_mask,
)

DATA = Path(__file__).resolve().parents[2] / "data"

SMALL = parse_framework({
    "cycle": 1, "name": "Small",
    "components": [{"id": "a", "weight": 0.6}, {"id": "b", "weight": 0.4}],
    "indicators": [{"id": "a1", "component": "a", "max": 60}, {"id": "a2", "component": "a", "max": 40},
                   {"id": "b1", "component": "b", "max": 100}],
    "levels": [{"name": "Low", "min_score": 0, "certified": False}, {"name": "Mid", "min_score": 40},
               {"name": "High", "min_score": 70}],
}, source="small.yaml")
FWS = {1: SMALL}
MAXIMA = SMALL.max_scores.to_dict()


def random_panel(seed: int, n_cities: int = 4, p_unknown: float = 0.3) -> pd.DataFrame:
    """A small cycle-1 table: known values, synthetic values, empty scores and absent rows."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n_cities):
        for ind, mx in MAXIMA.items():
            kind = rng.choice(["known", "synthetic", "empty", "absent"],
                              p=[1 - p_unknown, p_unknown / 2, p_unknown / 4, p_unknown / 4])
            if kind == "absent":
                continue
            score = np.nan if kind == "empty" else float(rng.integers(0, 5) * mx / 4)
            rows.append({"cycle": 1, "city": f"C{c}", "indicator": ind, "score": score,
                         "source": "synthetic" if kind == "synthetic" else "report_card"})
    frame = pd.DataFrame(rows)
    # every city keeps at least one row so that it exists in the cycle
    present = set(frame["city"]) if len(frame) else set()
    extra = [{"cycle": 1, "city": f"C{c}", "indicator": "a1", "score": 30.0, "source": "report_card"}
             for c in range(n_cities) if f"C{c}" not in present]
    return pd.concat([frame, pd.DataFrame(extra)], ignore_index=True) if extra else frame


def brute_force(panel: pd.DataFrame, grid_points: int = 3) -> pd.DataFrame:
    """Extremes over every filling of the unknown values with a grid 0 .. max.

    Overall scores by hand (0.6 x (a1 + a2) + 0.4 x b1), competition ranks by
    ``scipy.stats.rankdata(method="min")``, levels by the thresholds 40 and 70.
    """
    cities = list(dict.fromkeys(panel["city"]))
    inds = list(MAXIMA)
    full = pd.MultiIndex.from_product([cities, inds], names=["city", "indicator"])
    table = panel.set_index(["city", "indicator"])[["score", "source"]].reindex(full)
    unknown = (table["score"].isna() | (table["source"] == "synthetic")).to_numpy().reshape(len(cities), 3)
    base = table["score"].to_numpy(dtype=float).reshape(len(cities), 3)
    slots = list(zip(*np.nonzero(unknown)))
    grids = [np.linspace(0, MAXIMA[inds[j]], grid_points) for _, j in slots]
    overall, rank, level = [], [], []
    for combo in itertools.product(*grids):
        values = base.copy()
        for (i, j), v in zip(slots, combo):
            values[i, j] = v
        o = 0.6 * (values[:, 0] + values[:, 1]) + 0.4 * values[:, 2]
        overall.append(o)
        rank.append(rankdata(-np.round(o, 9), method="min"))
        level.append(np.searchsorted([0, 40, 70], o + 1e-9, side="right") - 1)
    overall, rank, level = np.array(overall), np.array(rank), np.array(level)
    names = SMALL.levels["level"].tolist()
    return pd.DataFrame({
        "city": cities, "overall_low": overall.min(axis=0), "overall_high": overall.max(axis=0),
        "level_low": [names[k] for k in level.min(axis=0)], "level_high": [names[k] for k in level.max(axis=0)],
        "rank_best": rank.min(axis=0), "rank_worst": rank.max(axis=0),
    }).set_index("city")


@pytest.mark.parametrize("seed", range(12))
def test_bounds_match_brute_force_enumeration(seed):
    panel = random_panel(seed)
    got = score_bounds(panel, frameworks=FWS).set_index("city")
    want = brute_force(panel)
    for col in ["overall_low", "overall_high", "rank_best", "rank_worst"]:
        assert got[col].to_numpy(dtype=float) == pytest.approx(want.loc[got.index, col].to_numpy(dtype=float)), col
    assert got["level_low"].tolist() == want.loc[got.index, "level_low"].tolist()
    assert got["level_high"].tolist() == want.loc[got.index, "level_high"].tolist()


def test_bounds_by_hand_on_one_small_case():
    rows = [  # C0: a1 known 30, a2 synthetic 20, b1 absent; C1: everything known
        {"cycle": 1, "city": "C0", "indicator": "a1", "score": 30.0, "source": "report_card"},
        {"cycle": 1, "city": "C0", "indicator": "a2", "score": 20.0, "source": "synthetic"},
        {"cycle": 1, "city": "C1", "indicator": "a1", "score": 60.0, "source": "report_card"},
        {"cycle": 1, "city": "C1", "indicator": "a2", "score": 0.0, "source": "report_card"},
        {"cycle": 1, "city": "C1", "indicator": "b1", "score": 50.0, "source": "report_card"},
    ]
    got = score_bounds(pd.DataFrame(rows), frameworks=FWS).set_index("city")
    # C0 low: 0.6 * 30 + 0.4 * 0 = 18; high: 0.6 * (30 + 40) + 0.4 * 100 = 82
    assert got.loc["C0", "overall_low"] == pytest.approx(18.0)
    assert got.loc["C0", "overall_high"] == pytest.approx(82.0)
    assert (got.loc["C0", "level_low"], got.loc["C0", "level_high"]) == ("Low", "High")
    # C1: 0.6 * 60 + 0.4 * 50 = 56 whatever happens
    assert got.loc["C1", "overall_low"] == got.loc["C1", "overall_high"] == pytest.approx(56.0)
    assert (got.loc["C0", "rank_best"], got.loc["C0", "rank_worst"]) == (1, 2)
    assert (got.loc["C1", "rank_best"], got.loc["C1", "rank_worst"]) == (1, 2)
    assert got.loc["C0", ["n_unknown", "n_missing", "n_synthetic"]].tolist() == [2, 1, 1]
    assert got.loc["C1", "n_unknown"] == 0


def test_without_a_source_column_only_empty_values_are_unknown():
    rows = pd.DataFrame([{"cycle": 1, "city": "C0", "indicator": i, "score": 10.0} for i in ("a1", "a2")])
    got = score_bounds(rows, frameworks=FWS).iloc[0]
    assert got["n_unknown"] == 1 and got["overall_low"] == pytest.approx(12.0)
    assert got["overall_high"] == pytest.approx(52.0)
    assert unknown_mask(rows).tolist() == [False, False]


def test_score_bounds_does_not_modify_its_input_and_has_its_columns():
    panel = random_panel(3)
    before = panel.copy()
    out = score_bounds(panel, frameworks=FWS)
    pd.testing.assert_frame_equal(panel, before)
    assert out.columns.tolist() == BOUNDS_TABLE_COLUMNS


# ---------------------------------------------------------------- bundled panel
@pytest.fixture(scope="module")
def bundled_bounds():
    return score_bounds(read_scores(DATA / "scores.csv")).set_index(["cycle", "city"])


def test_ludhiana_on_the_values_on_record_scores_10_to_35(bundled_bounds):
    row = bundled_bounds.loc[(2, "Ludhiana")]
    # by hand: the 15 report-card values add up to 50 points = 10 overall; the six
    # synthetic indicators (2.b 20, 2.e 15, 3.b 20, 3.d 20, 4.a 20, 4.e 30) add 125 more
    assert row["overall_low"] == 10 and row["overall_high"] == 35
    assert (row["level_low"], row["level_high"]) == ("Not certified", "Enabled")
    assert row["n_unknown"] == 6 and row["n_synthetic"] == 6


def test_fully_synthetic_cities_range_over_everything(bundled_bounds):
    row = bundled_bounds.loc[(2, "Surat")]
    assert (row["overall_low"], row["overall_high"]) == (0, 100)
    assert (row["rank_best"], row["rank_worst"]) == (1, 100)


def test_range_sentence_in_plain_words():
    text = range_sentence("Ludhiana", overall=24, overall_low=10, overall_high=35, level_low="Not certified",
                          level_high="Enabled", n_unknown=6, n_indicators=21)
    assert text.startswith("On the values on record, Ludhiana scores between 10 and 35 "
                           "(Not certified or Enabled); the panel's synthetic values give 24.")
    assert range_sentence("X", overall=5, overall_low=5, overall_high=5, level_low="A", level_high="A",
                          n_unknown=0, n_indicators=3) == ""


# ------------------------------------------------------------------------- CLI
def test_dmaf_score_bounds_adds_the_columns(tmp_path, capsys):
    out = tmp_path / "scored.csv"
    assert main(["score", str(DATA / "scores.csv"), "--bounds", "-o", str(out)]) == 0
    table = pd.read_csv(out)
    for col in ["overall_low", "overall_high", "level_low", "level_high", "rank_best", "rank_worst"]:
        assert col in table.columns
    lud = table[(table["cycle"] == 2) & (table["city"] == "Ludhiana")].iloc[0]
    assert (lud["overall_low"], lud["overall_high"], lud["level_low"], lud["level_high"]) == (
        10, 35, "Not certified", "Enabled")
    assert (table["overall_low"] <= table["overall"]).all() and (table["overall"] <= table["overall_high"]).all()
    assert (table["rank_best"] <= table["rank"]).all() and (table["rank"] <= table["rank_worst"]).all()
    assert main(["score", str(DATA / "scores.csv"), "-o", str(tmp_path / "plain.csv")]) == 0
    assert "overall_low" not in pd.read_csv(tmp_path / "plain.csv").columns


def test_add_bounds_keeps_the_scored_rows_in_order():
    scores = read_scores(DATA / "scores.csv")
    scored = score_cities(scores)
    out = add_bounds(scored, scores)
    assert out[["cycle", "city"]].equals(scored[["cycle", "city"]])
    assert len(out.columns) == len(scored.columns) + 7


# ------------------------------------------------------------ with the published record
@pytest.fixture(scope="module")
def recorded_bounds():
    from dmaf_analysis.record import load_record

    return score_bounds(read_scores(DATA / "scores.csv"), record=load_record(DATA / "published_record.csv")) \
        .set_index(["cycle", "city"])


def test_published_component_totals_narrow_the_range(recorded_bounds, bundled_bounds):
    # Kohima: Policy 97 and Process 45 published, the other three 0-100 each, equal weights:
    # (97 + 45) / 5 = 28.4 to (97 + 45 + 300) / 5 = 88.4
    row = recorded_bounds.loc[(2, "Kohima")]
    assert (row["overall_low"], row["overall_high"]) == (28.4, 88.4)
    assert bundled_bounds.loc[(2, "Kohima"), "overall_low"] == 0  # the test can fail: without the record 0-100
    # Ludhiana's printed totals agree with its report-card values: the range stays 10-35
    lud = recorded_bounds.loc[(2, "Ludhiana")]
    assert (lud["overall_low"], lud["overall_high"]) == (10, 35)


def test_published_ranks_and_levels_fix_and_bound_the_ranks(recorded_bounds):
    # a published rank is the rank; the 12 cities ranked 1-10 (three share 10th) push every other city to 13 or below
    assert recorded_bounds.loc[(2, "Surat"), ["rank_best", "rank_worst"]].tolist() == [1, 1]
    assert recorded_bounds.loc[(2, "Thane"), ["rank_best", "rank_worst"]].tolist() == [10, 10]
    assert recorded_bounds.loc[(2, "Ludhiana"), "rank_best"] == 13
    assert recorded_bounds.loc[(2, "Kohima"), ["level_low", "level_high"]].tolist() == ["Enabled", "Enabled"]
    # cycle 1 has no published rank: nothing changes there
    assert recorded_bounds.loc[(1, "Surat"), "rank_best"] == 1
