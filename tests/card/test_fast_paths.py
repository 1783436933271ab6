"""The card's array-based paths give exactly what the straightforward pandas computation gives.

``path_to_next_level``, ``report_headline`` and ``strengths_and_weaknesses`` read
arrays computed once per cycle; here each is checked, value for value and dtype for
dtype, against a plain computation on the city's indicator table (the way the card
computed them before, kept below as the reference). The made-up towns cover a city
with values on record and some synthetic, one fully on record with mixed-case source
labels, synthetic cities with a missing value, exact ties (equal scores, percentiles
and gains) and two cities sharing the top rank.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import dataset_of
from test_on_record import RAW  # the four-indicator framework of the made-up towns

from dmaf_analysis import card
from dmaf_analysis.card._context import cycle_context, is_on_record
from dmaf_analysis.card._rank_path import STEP_COLUMNS, empty_steps, fewest_raises, weighted_indicators
from dmaf_analysis.framework import parse_framework
from dmaf_analysis.io import is_synthetic
from dmaf_analysis.scoring import OVERALL_DECIMALS

TOL = 1e-9
#: town -> indicator -> (points, source); an absent indicator has no value.
TOWNS = {
    "Avalon": {"a1": (30.0, "report_card"), "a2": (60.0, "synthetic"), "b1": (20.0, "survey"),
               "b2": (50.0, "synthetic")},
    "Brigadoon": {i: (m, "synthetic") for i, m in (("a1", 40.0), ("a2", 60.0), ("b1", 50.0), ("b2", 45.0))},
    "Gondor": {i: (m, "synthetic") for i, m in (("a1", 40.0), ("a2", 60.0), ("b1", 50.0), ("b2", 45.0))},
    "Camelot": {i: (v, "synthetic") for i, v in (("a1", 20.0), ("a2", 30.0), ("b1", 25.0), ("b2", 25.0))},
    "Lilliput": {i: (v, "synthetic") for i, v in (("a1", 20.0), ("a2", 30.0), ("b1", 25.0), ("b2", 25.0))},
    "Dunsinane": {"a1": (10.0, "synthetic"), "a2": (5.0, " Synthetic "), "b1": (45.0, "synthetic")},
    "Erewhon": {"a1": (35.0, "report_card"), "a2": (0.0, "Survey"), "b1": (10.0, "survey"),
                "b2": (25.0, "REPORT_CARD")},
    "Xanadu": {i: (v, "synthetic") for i, v in (("a1", 0.0), ("a2", 0.0), ("b1", 5.0), ("b2", 0.0))},
}
STATES = {"Avalon": "Somerset", "Brigadoon": "Highland", "Gondor": "Highland", "Camelot": "Somerset",
          "Lilliput": "Somerset", "Dunsinane": "Highland", "Erewhon": "Nowhere", "Xanadu": "Nowhere"}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fast-paths")  # a data folder without a published record
    cities_file = folder / "towns.csv"
    cities_file.write_text("city,state\n" + "".join(f"{c},{s}\n" for c, s in STATES.items()))
    mp = pytest.MonkeyPatch()
    mp.setenv("DMAF_DATA_DIR", str(folder))
    fws = {2: parse_framework(RAW)}
    rows = [{"cycle": 2, "city": town, "indicator": i, "score": v, "source": s}
            for town, values in TOWNS.items() for i, (v, s) in values.items()]
    attrs = pd.DataFrame({"cycle": [2, 2, 2], "city": ["Avalon", "Camelot", "Xanadu"],
                          "engagement_score": [55.0, 40.0, np.nan],
                          "source": ["report_card", "synthetic", "synthetic"]})
    yield dataset_of(rows, frameworks=fws, cities_file=cities_file, attributes=attrs)
    mp.undo()


# ------------------------------------------------------------------ the reference computations
def reference_strengths(data, city: str, n: int) -> pd.DataFrame:
    table = card.indicator_scores(data, city=city).reset_index(drop=True)
    table["order"] = np.arange(len(table))
    real = table["score"].notna() & ~is_synthetic(table["source"])
    if real.any():
        table = table[real]
    strong = table[table["score"] > table["national_median"]].sort_values(
        ["percentile", "share_of_max", "order"], ascending=[False, False, True]).head(n)
    weak = table[table["score"] < table["national_median"]].sort_values(
        ["percentile", "gap_to_max", "order"], ascending=[True, False, True]).head(n)
    out = pd.concat([strong.assign(kind="strength"), weak.assign(kind="weakness")], ignore_index=True)
    return out[card.STRENGTH_COLUMNS]


def reference_raises(table: pd.DataFrame, *, overall: float, target: float, granularity: float = 5.0):
    """The raise search on a pandas table, row by row."""
    scores = table["score"].astype(float)
    work = table.assign(room=(table["max_score"].astype(float) - scores).clip(lower=0))
    work["full_gain"] = work["room"] * work["weight"]
    order = work[work["full_gain"] > TOL].sort_values(["full_gain", "order"], ascending=[False, True])
    steps, total = [], overall
    for row in order.itertuples():
        remaining = target - total
        if remaining <= TOL:
            break
        if row.full_gain >= remaining - TOL:
            exact = remaining / row.weight
            points = math.ceil(exact / granularity - TOL) * granularity if granularity > 0 else exact
            points = min(points, row.room)
        else:
            points = row.room
        gain = points * row.weight
        total = round(total + gain, OVERALL_DECIMALS)
        steps.append({"step": len(steps) + 1, "indicator": row.indicator, "component": row.component,
                      "name": row.name, "score": float(row.score), "max_score": float(row.max_score),
                      "points_gained": float(points), "new_score": float(row.score + points),
                      "partial": bool(points < row.room - TOL), "overall_gain": float(gain),
                      "overall_after": float(total)})
    return (pd.DataFrame(steps, columns=STEP_COLUMNS) if steps else empty_steps()), float(total)


def reference_path(data, city: str) -> dict:
    """Overall, level, target and steps of the city's path, from its indicator table."""
    fw = data.frameworks[2]
    table = card.indicator_scores(data, city=city)
    unknown = table["score"].isna()
    if not table["score"].notna().all() and is_on_record(cycle_context(data, 2), city):
        table = table.assign(score=table["score"].where(~unknown, 0.0),
                             max_score=table["max_score"].where(~unknown, 0.0))
    weighted = weighted_indicators(table, fw)
    scores = weighted["score"].astype(float)
    if scores.isna().any():
        return {"overall": math.nan, "level": None, "steps": empty_steps()}
    overall = round(float((scores * weighted["weight"]).sum()), OVERALL_DECIMALS)
    level = fw.level_for(overall)
    nxt = fw.next_level(level)
    if nxt is None:
        return {"overall": overall, "level": level, "steps": empty_steps()}
    steps, total = reference_raises(weighted, overall=overall, target=nxt[1])
    return {"overall": overall, "level": level, "steps": steps, "resulting_overall": total,
            "resulting_level": fw.level_for(total)}


# ------------------------------------------------------------------ the checks
@pytest.mark.parametrize("city", sorted(TOWNS))
@pytest.mark.parametrize("n", [0, 1, 3, 10])
def test_strengths_and_weaknesses_equal_the_table_computation(data, city, n):
    got = card.strengths_and_weaknesses(data, city=city, n=n)
    pd.testing.assert_frame_equal(got, reference_strengths(data, city, n), check_exact=True)


@pytest.mark.parametrize("city", sorted(TOWNS))
def test_path_equals_the_table_computation(data, city):
    path = card.path_to_next_level(data, city=city)
    ref = reference_path(data, city)
    assert (path.current_level, path.current_overall) == (ref["level"], ref["overall"]) or (
        path.current_level is None and math.isnan(path.current_overall) and math.isnan(ref["overall"]))
    pd.testing.assert_frame_equal(path.steps, ref["steps"], check_exact=True)
    if "resulting_overall" in ref:
        assert (path.resulting_overall, path.resulting_level) == (ref["resulting_overall"], ref["resulting_level"])
    if path.rank_move is not None:  # the top level: the move up the ranking, from the public function
        table = card.indicator_scores(data, city=city)
        others = data.scored.loc[data.scored["city"] != city, "overall"].to_numpy(dtype=float)
        move = card.plan_rank_move(table, framework=data.frameworks[2], others=others, city=city)
        assert move.statement == path.rank_move.statement
        pd.testing.assert_frame_equal(move.steps, path.rank_move.steps, check_exact=True)


@pytest.mark.parametrize("city", sorted(TOWNS))
def test_headline_counts_equal_the_table_computation(data, city):
    h = card.report_headline(data, city=city)
    table = card.indicator_scores(data, city=city)
    present = table["score"].notna()
    labels = table.loc[present, "source"].astype(str)
    lower = labels.str.lower()
    others = labels[~lower.isin(["synthetic", "report_card"])]
    assert h.n_values == int(present.sum()) and h.n_missing == int((~present).sum())
    assert h.n_synthetic == int(is_synthetic(labels).sum())
    assert h.n_report_card == int((lower == "report_card").sum())
    assert h.other_sources == tuple((str(lbl), int(c)) for lbl, c in others.value_counts().sort_index().items())
    scored = data.scored.set_index("city")
    rank = scored.loc[city, "rank"]
    if h.rank is not None:
        assert h.rank == int(rank) and h.n_tied == int((scored["rank"] == rank).sum()) - 1
    attrs = data.attributes[data.attributes["city"] == city]
    if len(attrs):
        assert h.engagement_source == attrs["source"].iloc[0]
        assert (h.engagement_score == attrs["engagement_score"].iloc[0]
                or (math.isnan(h.engagement_score) and math.isnan(attrs["engagement_score"].iloc[0])))
    else:
        assert math.isnan(h.engagement_score) and h.engagement_source == ""


def test_the_cases_are_there(data):
    """The made-up towns do hit the cases the checks above are about."""
    assert card.report_headline(data, city="Brigadoon").n_tied == 1  # shares the top rank with Gondor
    assert card.path_to_next_level(data, city="Brigadoon").rank_move is not None
    assert card.report_headline(data, city="Erewhon").other_sources == (("Survey", 1), ("survey", 1))
    assert card.report_headline(data, city="Dunsinane").n_missing == 1
    assert card.report_headline(data, city="Avalon").on_record


@pytest.mark.parametrize("seed", range(30))
def test_fewest_raises_equal_the_row_by_row_search(seed):
    """Ties in gains (equal rooms and weights), missing weights and exact targets, on random tables."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 9))
    maxima = rng.choice([10.0, 20.0, 25.0], size=n)
    table = pd.DataFrame({"indicator": [f"i{j}" for j in range(n)], "component": rng.choice(["a", "b", "c"], size=n),
                          "name": [f"Indicator {j}" if j % 3 else np.nan for j in range(n)],
                          "score": rng.integers(0, 3, size=n) * maxima / 2, "max_score": maxima})
    table["order"] = np.arange(n)
    table["weight"] = table["component"].map({"a": 0.25, "b": 0.25, "c": np.nan}).astype(float)
    overall = round(float((table["score"] * table["weight"]).sum()), OVERALL_DECIMALS)
    for target in (overall, overall + 1.0, overall + 2.5, 100.0):
        for granularity in (5.0, 0.0):
            got = fewest_raises(table, overall=overall, target=target, granularity=granularity)
            want = reference_raises(table, overall=overall, target=target, granularity=granularity)
            pd.testing.assert_frame_equal(got[0], want[0], check_exact=True)
            assert got[1] == want[1]


def test_the_per_cycle_arrays_every_card_shares_cannot_be_written(data):
    from dmaf_analysis.card._indicators import cycle_arrays

    arrays = cycle_arrays(cycle_context(data, 2))
    for key in ("values", "percentile", "state_median", "synthetic", "max_score", "sources"):
        with pytest.raises(ValueError, match="read-only"):
            arrays[key][0] = arrays[key][0]
    with pytest.raises(ValueError, match="read-only"):
        arrays["members"][0][0] = 0
