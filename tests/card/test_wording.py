"""The card's computed sentences: each says only what the framework and the values say."""
from __future__ import annotations

import dataclasses

import pandas as pd

from dmaf_analysis import card
from dmaf_analysis.framework import load_frameworks


def _indicators(sources, provenance, placed=None):
    n = len(sources)
    return pd.DataFrame({"score": [1.0] * n, "source": sources, "max_provenance": provenance,
                         "placed_by": placed or [""] * n})


def test_indicators_intro_names_the_sources_and_maxima_shown():
    text = card.indicators_intro(_indicators(["survey2025", "survey2025"], ["seen", "seen"]))
    assert "'survey2025'" in text and "Every indicator maximum is on record." in text
    assert "report card" not in text and "synthetic" not in text and "text order" not in text
    text = card.indicators_intro(_indicators(["report_card", "synthetic"], ["seen_order", "inferred"],
                                             ["order", ""]))
    assert "'report card'" in text and "synthetic (generated" in text and "placed by text order" in text
    assert "'on record (matched by position)'" in text and "'inferred' (so that" in text
    assert "printed" not in text


def test_sections_intro_says_only_what_the_section_shows():
    full = _indicators(["survey2025", "survey2025"], ["seen", "seen"]).assign(status="on record")
    recs = pd.DataFrame({"indicator": ["1.a"], "recommendation": ["Do it."]})
    text = card.sections_intro(full, recs)
    assert text.endswith("they are not official guidance.") and ", and its recommendation." in text
    assert "not on record" not in text and "'survey2025'" in text and "Every indicator maximum is on record." in text
    bare = card.sections_intro(full, None)
    assert "recommendation" not in bare and bare.startswith("Each component with its score out of 100")
    assert card.sections_intro(full, recs.iloc[0:0]) == bare
    partial = full.assign(score=[1.0, float("nan")], status=["on record", "not on record"])
    text = card.sections_intro(partial, None)
    assert "A value not on record is shown with the range it could take (0 to its maximum)" in text
    assert card.sections_intro(full.iloc[0:0], None).startswith("Each component")  # no indicators: no sources


def test_about_text_uses_the_framework_credit_and_what_is_on_record():
    data = card.load_report_data()
    text = card.about_text(data, cycle=2)
    fw = data.frameworks[2]
    assert fw.publisher in text and fw.about[:40] in text  # the bundled file credits DMAF itself
    assert f"{fw.n_maxima_not_on_record} of the 21 indicator maxima are not on record" in text
    assert "Values marked synthetic" in text  # the bundled panel is synthetic


def test_change_caveat_says_only_what_holds():
    fws = load_frameworks()
    one, two = fws[1], fws[2]
    text = card.change_caveat(one, two)
    assert "different frameworks" in text and "Cycle 1 is an illustrative placeholder" in text
    assert "thresholds are illustrative" in text
    seen_levels = two.levels.assign(provenance="seen")
    same = dataclasses.replace(two, cycle=1, levels=seen_levels, provenance="seen")
    now = dataclasses.replace(two, levels=seen_levels, provenance="seen")
    assert card.change_caveat(same, now) == ""
