"""The national sentences on made-up tables where each fact comes out one way and then the other."""
from __future__ import annotations

import pandas as pd
import pytest

from dmaf_analysis import national


def _board(values):
    return {"leaderboard": pd.DataFrame({"city": [f"C{i}" for i in range(len(values))], "overall": values})}


@pytest.mark.parametrize(("values", "expected"), [
    ([10, 20, 30, 60], "Most cities (3 of 4) score below 50, in the lower half of the scale (median overall 25)."),
    ([60, 70, 80, 40], "Most cities (3 of 4) score above 50, in the upper half of the scale (median overall 65)."),
    ([60, 70], "All 2 cities score above 50, in the upper half of the scale (median overall 65)."),
    ([40, 60], "The cities split about evenly around 50 (1 of 2 below, 1 above) (median overall 50)."),
])
def test_where_most_cities_sit(values, expected):
    assert national.distribution_sentence(_board(values)) == expected
    assert national.distribution_sentence({}) == ""


def _corr(pairs):
    rows = []
    for (a, b), rho in pairs.items():
        rows += [{"measure_a": a, "measure_b": b, "rho": rho}, {"measure_a": b, "measure_b": a, "rho": rho}]
    for m in {x for p in pairs for x in p}:
        rows.append({"measure_a": m, "measure_b": m, "rho": 1.0})
    rows.append({"measure_a": "overall", "measure_b": "a", "rho": -0.9})  # never counted
    return {"correlations": pd.DataFrame(rows)}


def test_correlation_signs_name_the_negative_pairs():
    labels = {"a": "Alpha", "b": "Beta", "c": "Gamma"}
    positive = national.correlation_sentence(_corr({("a", "b"): 0.5, ("a", "c"): 0.2, ("b", "c"): 0.1}),
                                             labels=labels)
    assert positive == "All 3 correlations between components are positive: the components pull the same way."
    mixed = national.correlation_sentence(_corr({("a", "b"): -0.7, ("a", "c"): 0.2, ("b", "c"): -0.1}),
                                          labels=labels)
    assert mixed.startswith("2 of the 3 correlations between components are negative: Alpha and Beta "
                            "(Spearman \u03c1 = \u22120.70); Beta and Gamma (Spearman \u03c1 = \u22120.10).")
    assert "same way" not in mixed
    one = national.correlation_sentence(_corr({("a", "b"): -0.4}), labels=labels)
    assert one.startswith("The two components correlate negatively: Alpha and Beta")


def test_slope_sentence_counts_rises_and_falls():
    def t(changes):
        return {"city_changes": pd.DataFrame({"change": changes})}
    assert national.slope_sentence(t([1, 2, 3, -1])) == "Most lines rise: 3 of 4 cities gained, 1 fell."
    assert national.slope_sentence(t([-1, -2, 0, 1])) == ("Rises and falls are about even: 1 of 4 cities gained, "
                                                          "2 fell and 1 stayed level.")
    assert national.slope_sentence(t([-1, -2, -3, 0])) == ("Most lines fall: 3 of 4 cities lost ground, 0 rose "
                                                           "and 1 stayed level.")


def test_record_sentence_says_what_is_on_record():
    def prov(**kw):
        row = {"framework_provenance": "seen", "n_maxima": 5, "n_maxima_on_record": 5,
               "weights_illustrative": False, "thresholds_illustrative": False, **kw}
        return {"provenance": pd.DataFrame([row])}
    assert national.record_sentence(prov()) == ("Every indicator maximum (5) is on record; the component weights "
                                                "are on record and the level thresholds on record.")
    assert national.record_sentence(prov(n_maxima_on_record=3, weights_illustrative=True,
                                         thresholds_illustrative=True)) == (
        "3 of the 5 indicator maxima are on record (2 inferred or illustrative); the component weights are "
        "assumed and the level thresholds illustrative.")
    assert "placeholder" in national.record_sentence(prov(framework_provenance="illustrative"))
