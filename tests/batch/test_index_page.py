"""The index page marks published ranks and levels and shows a partly known city by its ranges."""
from __future__ import annotations

from dmaf_analysis.batch._index_page import _record_marks, build_index_rows
from dmaf_analysis.scoring import load_dataset


def _row(**extra):
    base = {"city": "Surat", "state": "Gujarat", "overall": 94.0, "rank": 1, "level": "Enabled", "status": "ok",
            "href": "cities/surat/cycle-2.html"}
    return build_index_rows([base | extra])[0]


def test_published_marks_and_ranges_in_rows():
    assert _row()["rank_text"] == "1" and _row()["level"] == "Enabled"
    marked = _row(rank_published=True, level_published=True)
    assert marked["rank_text"] == "1 (published)" and marked["level"] == "Enabled (published)"
    ranged = _row(overall_range="10.0–35.0", rank_range="13–100", level_range="Not certified or Enabled")
    assert (ranged["overall_text"], ranged["rank_text"], ranged["level"]) == \
        ("10.0–35.0", "13–100", "Not certified or Enabled")
    assert ranged["overall_value"] == "94"  # sorting still works on a number


def test_record_marks_of_the_bundled_data():
    marks = _record_marks(load_dataset(), 2)
    assert marks["Surat"] == {"rank_published": True, "level_published": False}
    assert marks["Kohima"]["level_published"] and marks["New Town Kolkata"]["rank_published"]
    lud = marks["Ludhiana"]
    assert lud["overall_range"] == "10.0–35.0" and lud["rank_range"].startswith("13–")
    assert lud["level_range"] == "Not certified or Enabled"
    assert (lud["overall"], lud["rank"]) == (10, 13)  # sort keys from the record, not the panel's 20 and 81
    assert "Agra" not in marks and _record_marks(load_dataset(), 1) == {}
