"""The shared numeric helpers: number formatting, whole shares, summary statistics."""
import math

import numpy as np
import pandas as pd
import pytest

from dmaf_analysis import national
from dmaf_analysis._util import numeric


@pytest.mark.parametrize(("value", "kwargs", "expected"), [
    (30.0, {}, "30"),
    (27.5, {}, "27.5"),
    (-3.25, {}, "-3.2"),                      # round half to even
    (-0.04, {}, "0"),                         # never "-0"
    (27.5, {"fixed": True, "digits": 2}, "27.50"),
    (12345.6, {"digits": 0, "grouping": True}, "12,346"),
    (-3.25, {"fixed": True, "minus": "\u2212"}, "\u22123.2"),
    (-0.01, {"fixed": True, "minus": "\u2212"}, "0.0"),
    (None, {}, "\u2013"),
    (pd.NA, {"missing": "n/a"}, "n/a"),
    (float("nan"), {}, "\u2013"),
    (math.inf, {}, "\u2013"),
    ("n/a", {}, "n/a"),
])
def test_format_number(value, kwargs, expected):
    assert numeric.format_number(value, **kwargs) == expected


def test_table_cells_use_the_fixed_grouped_form_with_a_true_minus():
    for value in (-3.25, 0.992857, 12345.6, -0.01, None):
        assert national.format_number(value, 1) == numeric.format_number(
            value, 1, fixed=True, grouping=True, minus="\u2212")


@pytest.mark.parametrize(("share", "expected"), [(1.0, True), (1 - 1e-12, True), (0.999, False), (0.0, False)])
def test_is_whole_share(share, expected):
    assert numeric.is_whole_share(share) is expected


def test_summary_statistics_against_numpy():
    values = [3.0, np.nan, 1.0, 4.0, 1.0, 5.0]
    out = numeric.summary_statistics(values)
    x = np.array([3.0, 1.0, 4.0, 1.0, 5.0])
    assert out["n"] == 5
    assert out["mean"] == pytest.approx(2.8)
    assert out["median"] == 3.0
    assert (out["q1"], out["q3"]) == (1.0, 4.0)
    assert (out["min"], out["max"]) == (x.min(), x.max())
    empty = numeric.summary_statistics([np.nan])
    assert empty["n"] == 0 and math.isnan(empty["mean"])


@pytest.mark.parametrize(("value", "expected"), [(30.0, "30"), (27.54, "27.5"), (-0.01, "0"), (None, "n/a"),
                                                 (float("nan"), "n/a")])
def test_format_score(value, expected):
    assert numeric.format_score(value) == expected


@pytest.mark.parametrize(("share", "expected"), [
    (1.0, "all"), (1 - 1e-12, "all"), (6285 / 6300, "more than 99%"), (0.991, "more than 99%"), (0.99, "99%"),
    (0.4567, "46%"), (0.01, "1%"), (0.004, "less than 1%"), (0.0, "none"),
])
def test_share_words_never_round_to_a_false_whole_or_nothing(share, expected):
    assert numeric.share_words(share) == expected


def test_nan_last_sorts_like_pandas_in_both_directions():
    values = [3.0, math.nan, -1.0, 3.0, 10.0, math.nan, 0.0]
    for descending in (False, True):
        ours = sorted(range(len(values)), key=lambda i: (numeric.nan_last(values[i], descending=descending), i))
        theirs = pd.Series(values).sort_values(ascending=not descending, na_position="last", kind="mergesort")
        assert ours == theirs.index.tolist()
