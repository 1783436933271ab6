"""The national reports' tables: which columns each shows, under which headings.

:data:`OVERVIEW_COLUMNS` and :data:`TRENDS_COLUMNS` hold the column choices and
headings of every table of the overview and trends reports;
:func:`prepare_overview_table` / :func:`prepare_trends_table` add the derived
columns they show (a middle half, a rank range, a reading of Cronbach's alpha...),
:func:`group_table` orders a grouping's medians, and :func:`overview_table` /
:func:`trends_table` render one table by name as HTML (with
:func:`~dmaf_analysis.national.table_html`) linking to its full CSV.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..framework import provenance_words
from ._formats import (
    TOP_BOTTOM,
    Column,
    effect_words,
    format_number,
    format_signed,
    format_span,
    is_missing,
    table_html,
)

__all__ = [
    "OVERVIEW_COLUMNS", "SMALL_GROUP", "TRENDS_COLUMNS", "group_table", "overview_table", "prepare_overview_table",
    "prepare_trends_table", "trends_table",
]


def _c(name, heading, kind="text", digits=1, **kw) -> Column:
    return Column(name, heading, kind, digits, **kw)


#: Columns and headings of the overview's tables (as prepared by :func:`prepare_overview_table`).
OVERVIEW_COLUMNS: dict[str, list[Column]] = {
    "provenance": [_c("cycle", "Cycle", "int"), _c("n_cities", "Cities", "int"),
                   _c("synthetic_share", "Synthetic values", "share"),
                   _c("framework_provenance", "Framework"),
                   _c("weights_illustrative", "Component weights", "bool", yes="assumed", no="on record"),
                   _c("thresholds_illustrative", "Level thresholds", "bool", yes="illustrative", no="on record"),
                   _c("maxima_text", "Maxima on record"), _c("scores_file", "Score file")],
    "distributions": [_c("measure", "Score", "label"), _c("n", "Cities", "int"), _c("mean", "Mean", "number"),
                      _c("median", "Median", "number"), _c("sd", "SD", "number"),
                      _c("middle_half", "Middle half (Q1\u2013Q3)"), _c("range", "Range"),
                      _c("share_zero", "At 0", "share"), _c("share_full", "At 100", "share"),
                      _c("skew", "Skewness", "number", 2), _c("gini", "Gini", "number", 2),
                      _c("flag", "Audit flag")],
    "leaderboard": [_c("rank_label", "Rank"), _c("city", "City"), _c("state", "State"),
                    _c("overall", "Overall", "number"), _c("level", "Level"), _c("published", "Published")],
    "indicator_distribution": [_c("indicator", "Id"), _c("name", "Indicator"), _c("max_score", "Max", "int"),
                               _c("n", "Cities", "int"), _c("share_zero", "At 0", "share"),
                               _c("share_partial", "Partial", "share"), _c("share_full", "Full marks", "share"),
                               _c("mean", "Mean points", "number")],
    "kruskal_wallis": [_c("grouping", "Grouping"), _c("measure", "Score", "label"),
                       _c("n_groups", "Groups", "int"), _c("n", "Cities", "int"),
                       _c("statistic", "H", "number", 2), _c("p_value", "p-value", "p"),
                       _c("epsilon_squared", "Effect size \u03b5\u00b2", "number", 2)],
    "groups": [_c("group", "Group"), _c("n", "Cities", "int"), _c("median", "Median overall", "number"),
               _c("interval", "95 % interval"), _c("mean", "Mean overall", "number"),
               _c("share_certified", "Certified", "share"),
               _c("note", "Note")],
    "level_counts": [_c("level", "Level"), _c("min_score", "From score", "int"),
                     _c("certified", "Certified", "bool", yes="\u2713 yes", no="\u2013 no"),
                     _c("n", "Cities", "int"), _c("share", "Share", "share")],
    "cronbach_alpha": [_c("component", "Component", "label"), _c("n_indicators", "Indicators", "int"),
                       _c("n_cities", "Cities", "int"), _c("alpha", "Cronbach's \u03b1", "number", 2),
                       _c("reading", "Reading")],
    "pca_variance": [_c("pc", "Principal component", "int"), _c("eigenvalue", "Eigenvalue", "number", 2),
                     _c("variance_share", "Share of variance", "share", 1),
                     _c("cumulative_share", "Cumulative", "share", 1)],
    "effective_weights": [_c("item", "Component", "label"), _c("nominal_weight", "Nominal weight", "share"),
                          _c("effective_weight", "Effective weight", "share"),
                          _c("corr_with_overall", "Correlation with overall", "number", 2)],
    "robustness_cities": [_c("nominal_rank", "Rank", "int"), _c("city", "City"),
                          _c("nominal_score", "Overall", "number"), _c("median_rank", "Median rank", "int"),
                          _c("rank_range", "Rank, 5\u201395 %"), _c("p_certified", "P(certified)", "share"),
                          _c("modal_level", "Most likely level")],
    "engagement_association": [_c("n", "Cities", "int"), _c("rho", "Spearman \u03c1", "number", 2),
                               _c("p_value", "p-value", "p"), _c("strength", "Strength")],
    "sensitivity_assumptions": [_c("assumption", "Assumption"), _c("n_variables", "Inputs varied", "int"),
                                _c("description", "How it varies")],
    "leave_one_out": [_c("left", "Left out"), _c("mean_abs_shift", "Mean places moved", "number", 1),
                      _c("max_abs_shift", "Largest move", "int"), _c("n_moved", "Cities moved", "int"),
                      _c("most_moved", "Moved most"), _c("most_moved_shift", "Its rank change", "int")],
}

#: Columns and headings of the trends report's tables (as prepared by :func:`prepare_trends_table`).
TRENDS_COLUMNS: dict[str, list[Column]] = {
    "provenance": OVERVIEW_COLUMNS["provenance"],
    "component_map": [_c("component_from", "Earlier component", "label"),
                      _c("component_to", "Compared with", "label")],
    "change_summary": [_c("measure", "Score", "label"), _c("n", "Cities", "int"),
                       _c("mean_from", "Mean before", "number"), _c("mean_to", "Mean after", "number"),
                       _c("mean_change", "Mean change", "signed"), _c("interval", "95 % interval"),
                       _c("n_improved", "Up", "int"), _c("n_declined", "Down", "int"),
                       _c("p_value", "p-value", "p"), _c("rank_biserial", "Effect r", "number", 2)],
    "rank_mobility": [_c("n", "Cities", "int"), _c("spearman_rho", "Spearman \u03c1", "number", 2),
                      _c("kendall_tau", "Kendall \u03c4", "number", 2),
                      _c("mean_abs_rank_change", "Mean places moved", "number"),
                      _c("n_moved_up", "Moved up", "int"), _c("n_moved_down", "Moved down", "int"),
                      _c("n_same_rank", "Same rank", "int")],
    "most_changed": [_c("city", "City"), _c("state", "State"), _c("overall_from", "Before", "number"),
                     _c("overall_to", "After", "number"), _c("change", "Change", "signed"),
                     _c("ranks", "Rank before \u2192 after")],
    "city_changes": [_c("city", "City"), _c("state", "State"), _c("overall_from", "Before", "number"),
                     _c("overall_to", "After", "number"), _c("change", "Change", "signed"),
                     _c("ranks", "Rank before \u2192 after"), _c("levels", "Level before \u2192 after")],
    "unpaired_cities": [_c("city", "City"), _c("state", "State"), _c("present_in", "Assessed in cycle", "int"),
                        _c("overall", "Overall", "number"), _c("level", "Level")],
}


def _alpha_reading(alpha) -> str:
    if is_missing(alpha):
        return "not computable"
    a = float(alpha)
    return ("high (\u2265 0.9)" if a >= 0.9 else "good (0.7\u20130.9)" if a >= 0.7
            else "questionable (0.5\u20130.7)" if a >= 0.5 else "low (< 0.5)")


#: Groups with fewer cities than this get a note that their interval says little.
SMALL_GROUP = 3


def group_table(group_medians: pd.DataFrame, *, measure: str = "overall") -> pd.DataFrame:
    """One row per group for one measure of :func:`stats.group_medians`, largest median first.

    Returns
    -------
    DataFrame
        Columns ``group, n, median, ci_low, ci_high, interval, mean,
        share_certified, note`` (``mean``: the mean, which published figures
        often give instead of the median; ``note`` says when a group is too
        small to say much).
    """
    part = group_medians[group_medians["measure"] == measure]
    cols = ["group", "n", "median", "ci_low", "ci_high", "share_certified"] + (["mean"] if "mean" in part else [])
    out = part[cols].copy()
    if "mean" not in out:
        out["mean"] = np.nan
    out["interval"] = [format_span(lo, hi) for lo, hi in zip(out["ci_low"], out["ci_high"])]
    out["note"] = np.where(out["n"] < SMALL_GROUP, "too few cities to say", "")
    out = out.sort_values(["median", "group"], ascending=[False, True], kind="mergesort")
    return out[["group", "n", "median", "ci_low", "ci_high", "interval", "mean", "share_certified", "note"]] \
        .reset_index(drop=True)


def _provenance_words(t: pd.DataFrame) -> pd.DataFrame:
    """The provenance table with its codes in words ("on record") and the maxima as ``"15 of 21"``."""
    if "framework_provenance" in t.columns:
        t["framework_provenance"] = t["framework_provenance"].map(provenance_words)
    if {"n_maxima", "n_maxima_on_record"} <= set(t.columns):
        t["maxima_text"] = [f"{int(a)} of {int(b)}" for a, b in zip(t["n_maxima_on_record"], t["n_maxima"])]
    return t


def prepare_overview_table(tables: dict[str, pd.DataFrame], name: str) -> pd.DataFrame:
    """The table ``name`` of :func:`national.national_tables`, with the derived columns the overview shows.

    ``groups_<grouping>`` gives :func:`group_table` of ``group_medians_<grouping>``;
    other names return a new table with columns such as ``middle_half``, ``flag``
    or ``rank_range`` added where :data:`OVERVIEW_COLUMNS` needs them.
    """
    if name.startswith("groups_"):
        return group_table(tables[f"group_medians_{name[len('groups_'):]}"])
    t = tables[name].copy()
    if name == "provenance":
        t = _provenance_words(t)
    if name == "distributions":
        t["middle_half"] = [format_span(a, b) for a, b in zip(t["q1"], t["q3"])]
        t["range"] = [format_span(a, b) for a, b in zip(t["min"], t["max"])]
        flags = []
        for s, k in zip(t["skew_flag"], t["kurtosis_flag"]):
            words = [w for w, f in (("skewed", s), ("heavy tails", k)) if bool(f)]
            flags.append(", ".join(words) if words else "none")
        t["flag"] = flags
    elif name == "cronbach_alpha":
        t["reading"] = [_alpha_reading(a) for a in t["alpha"]]
    elif name == "effective_weights":
        t = t[t["level"] == "component"].reset_index(drop=True)
    elif name == "robustness_cities":
        t = t.sort_values(["nominal_rank", "city"], kind="mergesort").reset_index(drop=True)
        t["rank_range"] = [format_span(a, b) for a, b in zip(t["rank_p05"], t["rank_p95"])]
    elif name == "leave_one_out":
        t["left"] = [f"{k}: {n}" for k, n in zip(t["left_out_kind"], t["name"])]
        t = t.sort_values(["mean_abs_shift", "left"], ascending=[False, True], kind="mergesort").reset_index(drop=True)
    elif name == "engagement_association":
        t["strength"] = [effect_words(r) if not is_missing(r) else "\u2013" for r in t["rho"]]
    elif name == "kruskal_wallis":
        t["grouping"] = t["grouping"].astype(str).str.replace("_", " ").str.capitalize()
    return t


def prepare_trends_table(tables: dict[str, pd.DataFrame], name: str) -> pd.DataFrame:
    """The table ``name`` of :func:`national.trend_tables` with the derived columns the report shows."""
    t = tables[name].copy()
    if name == "provenance":
        t = _provenance_words(t)
    if name == "change_summary":
        t["interval"] = [f"{format_signed(a, marks=False)} to {format_signed(b, marks=False)}"
                         for a, b in zip(t["mean_change_ci_low"], t["mean_change_ci_high"])]
    if name in {"most_changed", "city_changes"}:
        t["ranks"] = [f"{format_number(a, 0)} \u2192 {format_number(b, 0)}"
                      for a, b in zip(t["rank_from"], t["rank_to"])]
    if name == "city_changes":
        t["levels"] = [f"{a} \u2192 {b}" if a != b else f"{a} (same)" for a, b in zip(t["level_from"], t["level_to"])]
        t = t.sort_values(["change", "city"], ascending=[False, True], kind="mergesort").reset_index(drop=True)
    return t


def overview_table(tables: dict[str, pd.DataFrame], name: str, *, labels: dict | None = None,
                   csv_folder: str | None = None, limit: int | None = TOP_BOTTOM,
                   columns: list[Column] | None = None) -> str:
    """HTML of one overview table (``name`` as in :data:`OVERVIEW_COLUMNS` or ``groups_<grouping>``).

    ``csv_folder`` is the folder, relative to the page, holding the full tables
    (``national.cycle_folder(cycle)``); the link names the table's CSV file.
    """
    key = "groups" if name.startswith("groups_") else name
    source = f"group_medians_{name[len('groups_'):]}" if name.startswith("groups_") else name
    data = prepare_overview_table(tables, name)
    href = f"{csv_folder}/{source}.csv" if csv_folder else None
    return table_html(data, columns or OVERVIEW_COLUMNS[key], labels=labels, limit=limit, csv_href=href)


def trends_table(tables: dict[str, pd.DataFrame], name: str, *, labels: dict | None = None,
                 csv_folder: str | None = None, limit: int | None = TOP_BOTTOM,
                 columns: list[Column] | None = None) -> str:
    """HTML of one trends table (``name`` as in :data:`TRENDS_COLUMNS`)."""
    data = prepare_trends_table(tables, name)
    href = f"{csv_folder}/{name}.csv" if csv_folder else None
    return table_html(data, columns or TRENDS_COLUMNS[name], labels=labels, limit=limit, csv_href=href)

