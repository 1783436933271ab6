"""Moving up the ranking: the fewest indicator improvements, checked against brute force."""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from dmaf_analysis import card
from dmaf_analysis.card import default_target_rank, plan_rank_move
from dmaf_analysis.card._rank_path import rank_given, score_for_rank
from dmaf_analysis.framework import parse_framework

SMALL = parse_framework({
    "cycle": 1, "name": "Small",
    "components": [{"id": "a", "weight": 0.5}, {"id": "b", "weight": 0.5}],
    "indicators": [{"id": "a1", "component": "a", "max": 60}, {"id": "a2", "component": "a", "max": 40},
                   {"id": "b1", "component": "b", "max": 75}, {"id": "b2", "component": "b", "max": 25}],
    "levels": [{"name": "Only", "min_score": 0, "certified": False}],
}, source="small.yaml")
IDS = SMALL.indicator_ids
MAX = SMALL.max_scores.to_numpy(dtype=float)
W = np.array([0.5, 0.5, 0.5, 0.5])


def table(scores) -> pd.DataFrame:
    return pd.DataFrame({"indicator": IDS, "component": SMALL.indicators["component"],
                         "score": np.asarray(scores, dtype=float), "max_score": MAX})


def brute_min_raises(scores, others, target_rank, step=5.0) -> int | None:
    """Fewest indicators changed (each to any 5-point value above its score) reaching target_rank."""
    scores = np.asarray(scores, dtype=float)
    choices = [np.arange(s, m + 1e-9, step) for s, m in zip(scores, MAX)]
    best = None
    for combo in itertools.product(*choices):
        new = np.array(combo)
        changed = int((new > scores + 1e-9).sum())
        if best is not None and changed >= best:
            continue
        if rank_given(round(float(new @ W), 9), others) <= target_rank:
            best = changed
    return best


@pytest.mark.parametrize("seed", range(25))
def test_fewest_raises_to_a_rank_match_brute_force(seed):
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, (MAX // 5) + 1) * 5.0
    others = np.round(rng.uniform(10, 95, size=int(rng.integers(3, 15))), 0)
    overall = float(scores @ W)
    rank = rank_given(overall, others)
    for target in sorted({1, max(1, rank - 1), max(1, rank - 3)}):
        path = plan_rank_move(table(scores), framework=SMALL, others=others, target_rank=target)
        want = brute_min_raises(scores, others, target)
        if rank <= target:
            assert path.n_improvements == 0 and path.reached
            continue
        if want is None:
            assert not path.reached
            continue
        assert path.reached and path.resulting_rank <= target
        assert path.n_improvements == want, (scores, others, target)
        # the steps add up: each raise stays within its maximum, the total is right
        steps = path.steps
        assert (steps["new_score"] <= steps["max_score"] + 1e-9).all()
        assert path.resulting_overall == pytest.approx(overall + steps["overall_gain"].sum())


def test_places_and_default_targets():
    scores = [30, 20, 25, 5]  # overall 0.5 * 80 = 40
    others = np.array([90, 80, 70, 60, 50, 45, 41, 39, 35, 30, 20, 10])
    path = plan_rank_move(table(scores), framework=SMALL, others=others, places=2)
    assert path.current_rank == 8 and path.target_rank == 6 and path.target_overall == 45  # 6th best other
    assert path.resulting_rank <= 6 and "up 2 places, to rank 6" in path.statement
    default = plan_rank_move(table(scores), framework=SMALL, others=others)
    assert default.target_rank == 7 and "up one place" in default.statement
    assert default_target_rank(22) == 10 and default_target_rank(10) == 9 and default_target_rank(1) is None
    with pytest.raises(ValueError, match="give target_rank or places, not both"):
        plan_rank_move(table(scores), framework=SMALL, others=others, places=1, target_rank=2)


def test_score_for_rank_counts_a_shared_rank():
    others = np.array([80, 70, 70, 60])
    assert score_for_rank(others, 2) == 70  # equal to the 2nd best other city is enough
    assert rank_given(70, others) == 2
    assert score_for_rank(others, 9) == -np.inf


def test_first_place_and_missing_scores():
    first = plan_rank_move(table([60, 40, 75, 25]), framework=SMALL, others=np.array([10.0]))
    assert first.current_rank == 1 and first.target_rank is None and "ranked first" in first.statement
    missing = plan_rank_move(table([60, np.nan, 75, 25]), framework=SMALL, others=np.array([10.0]))
    assert missing.current_rank is None and "no overall score" in missing.statement


# ------------------------------------------------------------------ bundled report card
@pytest.fixture(scope="module")
def data():
    return card.load_report_data()


def test_a_city_at_the_highest_level_gets_a_move_up_the_ranking(data):
    path = card.path_to_next_level(data, city="Kohima")
    assert path.at_top_level and path.current_level == "Enabled" and path.steps.empty
    move = path.rank_move
    assert move.current_rank == 10 and move.target_rank == 9
    c2 = data.scored[data.scored["cycle"] == 2].set_index("city")
    assert move.target_overall == c2.loc["Chennai", "overall"]  # the city ranked 9th
    assert move.resulting_rank <= 9 and move.n_improvements >= 1
    assert "up one place, to rank 9" in path.statement


def test_a_city_outside_the_top_10_at_the_highest_level_aims_for_the_top_10(data):
    c2 = data.scored[data.scored["cycle"] == 2]
    city = c2[(c2["level"] == "Enabled") & (c2["rank"] > 12)]["city"].iloc[0]
    move = card.path_to_next_level(data, city=city).rank_move
    assert move.target_rank == 10 and move.resulting_rank <= 10
    assert move.target_overall == c2.loc[c2["rank"] == 10, "overall"].iloc[0]
