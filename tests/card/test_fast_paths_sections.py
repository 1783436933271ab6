"""The card sections' per-cycle fast paths (change, components, recommendations, peers, engagement) are exact.

Each ``reference_*`` function below is the plain pandas computation the card once did
per call (masks on the cycle's tables, a frame per step, a sort per card). The card now
precomputes per cycle context and works on arrays; on a small made-up panel with ties,
towns without a state or selection round, a town with values on record beside
synthetic ones, a published component total and a town absent from the previous
cycle, every table must be equal to the reference, value for value and type for type.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import dataset_of, own_data_folder

from dmaf_analysis import card
from dmaf_analysis._util.numeric import TOLERANCE, summary_statistics
from dmaf_analysis.card._context import city_context, component_reference, cycle_context, facts_of, is_on_record
from dmaf_analysis.card._cycle_change import CHANGE_COLUMNS
from dmaf_analysis.card._report import (COMPONENT_COLUMNS, ENGAGEMENT_COLUMNS, PEER_COLUMNS, RECOMMENDATION_COLUMNS,
                                        _component_values, _synthetic_points)
from dmaf_analysis.framework import component_map, parse_framework
from dmaf_analysis.io import is_synthetic

CURRENT = {"cycle": 2, "components": [{"id": "a", "name": "Alpha", "weight": 0.5},
                                      {"id": "b", "name": "Beta", "weight": 0.3},
                                      {"id": "c", "name": "Gamma", "weight": 0.2}],
           "indicators": [{"id": "a1", "component": "a", "max": 40}, {"id": "a2", "component": "a", "max": 60},
                          {"id": "b1", "component": "b", "max": 50}, {"id": "b2", "component": "b", "max": 50},
                          {"id": "c1", "component": "c", "max": 100}],
           "levels": [{"name": "Low", "min_score": 0}, {"name": "Mid", "min_score": 40, "certified": True},
                      {"name": "High", "min_score": 70, "certified": True}]}
PREVIOUS = {"cycle": 1, "components": [{"id": "a", "name": "Alpha", "weight": 0.5},
                                       {"id": "b", "name": "Beta then", "weight": 0.5}],
            "indicators": [{"id": "a1", "component": "a", "max": 100}, {"id": "b1", "component": "b", "max": 100}],
            "levels": [{"name": "Low", "min_score": 0}, {"name": "Mid", "min_score": 40, "certified": True}]}
#: Town -> share of every maximum in cycle 2 (ties: Dunsinane and Xanadu in Highland, Camelot and Xanadu in
#: Round 2).
SHARES = {"Brigadoon": 0.9, "Camelot": 0.5, "Dunsinane": 0.5, "Erewhon": 0.2, "Lyonesse": 0.7, "Sarras": 0.7,
          "Xanadu": 0.5}
#: Avalon's cycle-2 values: a1 and b1 on record, the others synthetic (never shown on its card).
AVALON = {"a1": (30.0, "report_card"), "a2": (60.0, "synthetic"), "b1": (20.0, "survey"), "b2": (50.0, "synthetic"),
          "c1": (10.0, "synthetic")}
TOWNS = """city,state,selection_round
Avalon,Somerset,Round 1
Brigadoon,Highland,Round 1
Camelot,Somerset,Round 2
Dunsinane,Highland,
Erewhon,,Round 2
Lyonesse,Somerset,Round 1
Sarras,,
Xanadu,Highland,Round 2
"""
RECORD = """cycle,scope,subject,quantity,component,indicator,value,source,certainty,note
2,city,Camelot,component_score,b,,80,a made-up outlet,medium,
"""
TEXTS = pd.DataFrame({"cycle": [2] * 4, "indicator": ["a1", "a2", "b2", "c1"],
                      "recommendation": ["Raise a1.", "Raise a2.", "Raise b2.", "Raise c1."]})
ENGAGEMENT = {"Avalon": 55.0, "Brigadoon": 70.0, "Camelot": 55.0, "Dunsinane": None, "Erewhon": 20.0, "Sarras": 55.0}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder, mp = own_data_folder(tmp_path_factory, "fast-paths", files={"published_record.csv": RECORD,
                                                                        "towns.csv": TOWNS})
    fws = {1: parse_framework(PREVIOUS), 2: parse_framework(CURRENT)}
    rows = [{"cycle": 2, "city": "Avalon", "indicator": i, "score": v, "source": s} for i, (v, s) in AVALON.items()]
    for town, share in SHARES.items():
        rows += [{"cycle": 2, "city": town, "indicator": i, "score": share * m, "source": "synthetic"}
                 for i, m in fws[2].max_scores.items()]
    # cycle 1: Avalon (synthetic), Brigadoon and Camelot (on record); Erewhon without b1; the others absent
    for town, share, source in (("Avalon", 0.5, "synthetic"), ("Brigadoon", 0.8, "report_card"),
                                ("Camelot", 0.4, "report_card"), ("Erewhon", 0.1, "synthetic")):
        rows += [{"cycle": 1, "city": town, "indicator": i, "score": share * 100, "source": source}
                 for i in (("a1",) if town == "Erewhon" else ("a1", "b1"))]
    attrs = pd.DataFrame({"cycle": [2] * len(ENGAGEMENT), "city": list(ENGAGEMENT),
                          "engagement_score": [math.nan if v is None else v for v in ENGAGEMENT.values()],
                          "source": ["report_card"] + ["synthetic"] * (len(ENGAGEMENT) - 1)})
    yield dataset_of(rows, frameworks=fws, cities_file=folder / "towns.csv", attributes=attrs)
    mp.undo()


def cities_of(data, cycle):
    return sorted(data.scored.loc[data.scored["cycle"] == cycle, "city"])


# ----------------------------------------------------------------- straightforward computations
def reference_components(data, city, cycle):
    name, ctx = city_context(data, city, cycle)
    comps = ctx.framework.component_ids
    score, low, high, basis = _component_values(ctx, name)
    synthetic = np.zeros(len(comps)) if is_on_record(ctx, name) else _synthetic_points(ctx, name)
    synthetic = np.where(np.array(basis) == "published", 0.0, synthetic)
    ref = component_reference(ctx)
    if is_on_record(ctx, name):
        med = ctx.scored[comps].astype(float).drop(index=name).median(axis=0, skipna=True).to_numpy()
    else:
        med = ref["national_median"].to_numpy(dtype=float)
    out = pd.DataFrame({"component": comps, "name": ctx.framework.components["name"].tolist(),
                        "weight": ctx.framework.components["weight"].astype(float).to_numpy(),
                        "score": score, "score_low": low, "score_high": high, "basis": basis,
                        "synthetic_points": synthetic, "national_median": med,
                        "top10_mean": ref["top10_mean"].to_numpy(dtype=float),
                        "n_top_cities": int(ref["n_top_cities"].iloc[0]) if len(ref) else 0})
    exact = out["score_low"] == out["score_high"]
    out["gap_to_median"] = (out["score"] - out["national_median"]).where(exact)
    out["gap_to_max"] = (100.0 - out["score"]).where(exact)
    out["others_synthetic"] = bool(ctx.synthetic_share > 0)
    return out[COMPONENT_COLUMNS]


def reference_recommendations(data, city, cycle, texts):
    name, ctx = city_context(data, city, cycle)
    fw = ctx.framework
    lookup = {(int(c), str(i)): str(t) for c, i, t in zip(texts["cycle"], texts["indicator"], texts["recommendation"])}
    table = card.indicator_scores(data, city=name, cycle=ctx.cycle)
    weights = fw.weights / fw.weights.sum()
    table["order"] = np.arange(len(table))
    table["points_available"] = table["gap_to_max"]
    table["overall_gain"] = table["points_available"] * table["component"].map(weights).astype(float)
    table["recommendation"] = [lookup.get((ctx.cycle, i)) for i in table["indicator"]]
    keep = table[table["recommendation"].notna()].copy()
    ranked = keep.assign(_useful=~(keep["points_available"] > TOLERANCE)).sort_values(
        ["_useful", "overall_gain", "points_available", "order"], ascending=[True, False, False, True],
        na_position="last", kind="mergesort")
    keep.loc[ranked.index, "priority"] = np.arange(1, len(ranked) + 1)
    keep["priority"] = keep["priority"].astype("int64")
    return keep[RECOMMENDATION_COLUMNS].reset_index(drop=True)


def reference_peer_group(ctx, group, value):
    part = ctx.scored[ctx.scored[group] == value]
    overall = part["overall"].to_numpy(dtype=float)
    table = pd.DataFrame({
        "city": part["city"].to_numpy(dtype=object), "state": part["state"].to_numpy(dtype=object),
        "overall": overall, "rank": part["rank"].astype("Int64").to_numpy(),
        "rank_in_group": part["overall"].rank(method="min", ascending=False).astype("Int64").to_numpy(),
        "level": part["level"].to_numpy(dtype=object), "n_synthetic": part["n_synthetic"].to_numpy(dtype=int),
    }).sort_values(["rank_in_group", "city"], na_position="last", kind="mergesort")
    common = {"peer_group": group, "group_name": value, "n_indicators": len(ctx.framework.indicator_ids),
              "n_in_group": len(part), "n_in_median": int(np.isfinite(overall).sum())}
    rows = [{**common, **r, "overall": float(r["overall"]), "n_synthetic": int(r["n_synthetic"]),
             "is_group_median": False} for r in table.to_dict("records")]
    med = float(np.nanmedian(overall)) if np.isfinite(overall).any() else math.nan
    return rows, {**common, "city": "", "state": "", "overall": med, "rank": pd.NA, "rank_in_group": pd.NA,
                  "level": "", "n_synthetic": 0, "is_group_median": True}


def reference_peers(data, city, cycle, around):
    from dmaf_analysis.card._report import _on_record_range, _place_by_range

    name, ctx = city_context(data, city, cycle)
    me = ctx.scored.loc[name]
    ranged = _on_record_range(ctx, name)
    mine = math.nan if ranged else float(me["overall"])
    parts = []
    for group in ("state", "selection_round"):
        value = me[group]
        if not isinstance(value, str) or not value:
            continue
        rows, median = reference_peer_group(ctx, group, value)
        if ranged:
            rows, median = _place_by_range(rows, median, name, ranged)
        at = next(i for i, r in enumerate(rows) if r["city"] == name)
        for r in rows[max(0, at - around):at + around + 1] + [median]:
            parts.append({"overall_range": "", "rank_range": "", **r, "is_report_city": r["city"] == name,
                          "gap_to_report_city": r["overall"] - mine})
    out = pd.DataFrame(parts, columns=PEER_COLUMNS)
    for col in ("rank", "rank_in_group"):
        out[col] = out[col].astype("Int64")
    return out.astype({"overall": float, "gap_to_report_city": float, "is_report_city": bool, "is_group_median": bool,
                       "n_synthetic": int, "n_indicators": int, "n_in_group": int, "n_in_median": int,
                       "overall_range": str, "rank_range": str})


def reference_engagement(data, city, cycle):
    name, ctx = city_context(data, city, cycle)
    attrs = data.attributes
    part = attrs[(attrs["cycle"] == ctx.cycle) & attrs["engagement_score"].notna()]
    dist = pd.DataFrame({"city": part["city"].to_numpy(dtype=object),
                         "engagement_score": part["engagement_score"].to_numpy(dtype=float)}).sort_values(
        ["engagement_score", "city"], ascending=[False, True]).reset_index(drop=True)
    values = dist["engagement_score"].to_numpy(dtype=float)
    mine = dist.loc[dist["city"] == name, "engagement_score"]
    score = float(mine.iloc[0]) if len(mine) else math.nan
    s = summary_statistics(values)
    pct = (100.0 * ((values < score).sum() + 0.5 * (values == score).sum()) / len(values)
           if len(values) and not math.isnan(score) else math.nan)
    row = {"city": name, "cycle": ctx.cycle, "engagement_score": score, "national_median": s["median"],
           "national_mean": s["mean"], "q1": s["q1"], "q3": s["q3"], "min": s["min"], "max": s["max"],
           "n_cities": len(values), "percentile": pct,
           "n_synthetic": int(is_synthetic(part["source"].fillna("")).sum())}
    return pd.DataFrame([row], columns=ENGAGEMENT_COLUMNS)


def reference_change_table(data, city, cycle):
    """The change table, or None when the card states no change."""
    name, ctx = city_context(data, city, cycle)
    earlier = [c for c in data.cycles if c < ctx.cycle]
    if not earlier or name not in cycle_context(data, earlier[-1]).scored.index:
        return None
    pctx = cycle_context(data, earlier[-1])
    if is_on_record(ctx, name) and ctx.wide.loc[name].isna().any():
        return None
    me, old = ctx.scored.loc[name], pctx.scored.loc[name]
    fw, pfw = ctx.framework, pctx.framework
    crosswalk = {c: [] for c in fw.component_ids}
    for o, n in component_map(pctx.cycle, ctx.cycle, frameworks=data.frameworks).items():
        crosswalk[n].append(o)
    names = dict(zip(fw.components["component"], fw.components["name"]))
    prev_names = dict(zip(pfw.components["component"], pfw.components["name"]))
    rows = [{"measure": comp, "name": names[comp], "previous_measures": ";".join(olds),
             "previous_names": ", ".join(str(prev_names.get(o, o)) for o in olds) or "none",
             "previous_score": float(np.mean([float(old[o]) for o in olds])) if olds else math.nan,
             "current_score": float(me[comp])} for comp, olds in crosswalk.items()]
    rows.append({"measure": "overall", "name": "Overall", "previous_measures": "overall", "previous_names": "Overall",
                 "previous_score": float(old["overall"]), "current_score": float(me["overall"])})
    table = pd.DataFrame(rows)
    table["change"] = table["current_score"] - table["previous_score"]
    return table[CHANGE_COLUMNS]


# ------------------------------------------------------------------------------------- tests
@pytest.mark.parametrize("cycle", [1, 2])
def test_component_comparison_equals_the_straightforward_computation(data, cycle):
    for city in cities_of(data, cycle):
        pd.testing.assert_frame_equal(card.component_comparison(data, city=city, cycle=cycle),
                                      reference_components(data, city, cycle), check_exact=True)
    assert facts_of(cycle_context(data, 2), "Camelot").component_totals == {"b": 80.0}  # the published total is used


@pytest.mark.parametrize("texts", [TEXTS, TEXTS.iloc[:0]], ids=["some texts", "no text"])
def test_recommendations_equal_the_straightforward_computation(data, texts):
    for city in cities_of(data, 2):
        pd.testing.assert_frame_equal(card.recommendations(data, city=city, cycle=2, texts=texts),
                                      reference_recommendations(data, city, 2, texts), check_exact=True)


@pytest.mark.parametrize("around", [0, 1, 4])
@pytest.mark.parametrize("cycle", [1, 2])
def test_peer_comparison_and_its_html_equal_the_straightforward_computation(data, cycle, around):
    for city in cities_of(data, cycle):
        fast = card.peer_comparison(data, city=city, cycle=cycle, around=around)
        pd.testing.assert_frame_equal(fast, reference_peers(data, city, cycle, around), check_exact=True)
        assert card.peers_html(fast) == card.peers_html(reference_peers(data, city, cycle, around))
    avalon = card.peer_comparison(data, city="Avalon", cycle=2)
    somerset = avalon[(avalon["peer_group"] == "state") & ~avalon["is_group_median"]]
    assert somerset["city"].tolist() == ["Lyonesse", "Camelot", "Avalon"]  # Avalon by the low end of its range
    highland = card.peer_comparison(data, city="Xanadu", cycle=2)
    highland = highland[(highland["peer_group"] == "state") & ~highland["is_group_median"]]
    assert highland["rank_in_group"].tolist() == [1, 2, 2]  # a tie shares its rank, then city order
    assert highland["city"].tolist() == ["Brigadoon", "Dunsinane", "Xanadu"]
    assert card.peer_comparison(data, city="Sarras", cycle=2).empty  # neither state nor selection round


def test_engagement_comparison_equals_the_straightforward_computation(data):
    for city in cities_of(data, 2) + cities_of(data, 1):
        cycle = 2 if city in cities_of(data, 2) else 1
        pd.testing.assert_frame_equal(card.engagement_comparison(data, city=city, cycle=cycle),
                                      reference_engagement(data, city, cycle), check_exact=True)
    dist = card.engagement_distribution(data, city="Camelot", cycle=2)
    assert dist.loc[dist["is_report_city"], "city"].tolist() == ["Camelot"]


def test_change_since_previous_equals_the_straightforward_computation(data):
    for city in cities_of(data, 2):
        change = card.change_since_previous(data, city=city, cycle=2)
        expected = reference_change_table(data, city, 2)
        if expected is None:
            assert change.table.empty and list(change.table.columns) == CHANGE_COLUMNS
        else:
            pd.testing.assert_frame_equal(change.table, expected, check_exact=True)
    assert not card.change_since_previous(data, city="Sarras", cycle=2).assessed_before  # absent from cycle 1
    erewhon = card.change_since_previous(data, city="Erewhon", cycle=2)
    assert (erewhon.previous_n_values, erewhon.previous_n_synthetic) == (1, 1)
    assert card.change_since_previous(data, city="Avalon", cycle=2).note  # only a range now: no change stated


def test_the_tables_handed_out_are_new_frames(data):
    for fn in (card.component_comparison, card.recommendations, card.peer_comparison, card.engagement_comparison,
               card.engagement_distribution):
        first = fn(data, city="Brigadoon", cycle=2)
        before = first.copy()
        for col in first.columns:
            if pd.api.types.is_float_dtype(first[col]):
                first[col] = -1.0
        pd.testing.assert_frame_equal(fn(data, city="Brigadoon", cycle=2), before)
