"""The national overview against the published record: one row per published fact.

:func:`record_checks` sets every fact of the published record
(:mod:`dmaf_analysis.record`) about one cycle beside the value the data give, and
says whether they agree; :func:`record_checks_html` is the overview's section
"Checks against the published record". :func:`engagement_source_html` says where
the engagement scores of a cycle come from, counted from their source labels.
"""
from __future__ import annotations

import html
import math

import pandas as pd

from ..io import is_synthetic
from ..record import CityFacts, QUANTITIES, city_facts, load_record
from ..scoring import Dataset
from .._util.numeric import format_number

__all__ = ["RECORD_CHECK_COLUMNS", "RECORD_SECTION", "engagement_source_html", "mark_published", "record_checks",
           "record_checks_html"]

RECORD_CHECK_COLUMNS = ["fact", "published", "panel", "agree", "source", "certainty"]
#: The section's heading (also listed in :data:`~dmaf_analysis.national.OVERVIEW_SECTIONS`).
RECORD_SECTION = "Checks against the published record"
#: Published means and scores are printed as whole numbers: a panel value within half a point agrees.
ROUNDING = 0.5


def record_checks(dataset: Dataset, *, cycle: int, record: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every published fact of ``cycle`` beside the data's value.

    Parameters
    ----------
    dataset : Dataset
    cycle : int
        An actual cycle of the data.
    record : DataFrame, optional
        The published record (:func:`~dmaf_analysis.record.load_record`); default the data folder's.

    Returns
    -------
    DataFrame
        One row per fact of the cycle, in record order, columns ``fact`` (what it
        is about, in words), ``published`` (the published value, as text),
        ``panel`` (the data's value, as text; "–" when the data cannot give it),
        ``agree`` (``yes``, ``no``, or ``not comparable`` when the data hold
        nothing to compare), ``source`` and ``certainty`` (from the record).
        Numbers agree when they differ by less than half a point (the record
        prints whole numbers). Empty when the record has no fact of the cycle.
    """
    record = load_record() if record is None else record
    part = record[record["cycle"] == int(cycle)]
    scored = dataset.scored[dataset.scored["cycle"] == int(cycle)]
    rows = []
    for r in part.itertuples(index=False):
        value = _panel_value(dataset, scored, r, int(cycle))
        published = r.value if r.quantity == "level" else format_number(r.number)
        if value is None:
            panel, agree = "–", "not comparable"
        elif isinstance(value, str):
            panel, agree = value, "yes" if value == r.value else "no"
        elif math.isnan(value):
            panel, agree = "–", "not comparable"
        else:
            panel = format_number(value)
            agree = "yes" if abs(value - float(r.number)) < ROUNDING else "no"
        rows.append({"fact": _fact_words(r, dataset, int(cycle)), "published": published, "panel": panel,
                     "agree": agree, "source": r.source, "certainty": r.certainty})
    return pd.DataFrame(rows, columns=RECORD_CHECK_COLUMNS)


def _fact_words(r, dataset: Dataset, cycle: int) -> str:
    words = QUANTITIES[r.quantity].words
    if r.component:
        names = dict(zip(dataset.frameworks[cycle].components["component"],
                         dataset.frameworks[cycle].components["name"])) if cycle in dataset.frameworks else {}
        words += f" ({names.get(r.component, r.component)})"
    if r.indicator:
        words += f" ({r.indicator})"
    who = "All cities" if r.scope == "national" else r.subject
    return f"{who}: {words}"


def _panel_value(dataset: Dataset, scored: pd.DataFrame, r, cycle: int):
    """The data's value of one fact: a number, a level name, or None when the data cannot give it."""
    q = r.quantity
    if r.scope == "region":
        if "region" not in scored.columns:
            return None
        group = scored[scored["region"] == r.subject]
    else:
        group = scored
    if r.scope in ("national", "region"):
        if not len(group):
            return None
        if q == "n_cities":
            return float(len(group))
        if q == "mean_overall":
            return float(group["overall"].mean())
        if q == "median_overall":
            return float(group["overall"].median())
        if q == "n_certified":
            return float(group["certified"].astype(bool).sum())
        if q == "n_cities_nonzero":
            rows = dataset.scores[(dataset.scores["cycle"] == cycle) & (dataset.scores["indicator"] == r.indicator)
                                  & dataset.scores["city"].isin(set(group["city"]))]
            return float((rows["score"] > 0).sum()) if len(rows) else None
        return None
    me = scored[scored["city"] == r.subject]
    if not len(me):
        return None
    row = me.iloc[0]
    if q == "rank":
        return float(row["rank"]) if pd.notna(row["rank"]) else math.nan
    if q == "level":
        return str(row["level"]) if isinstance(row["level"], str) else None
    if q == "overall":
        return float(row["overall"])
    if q == "component_score":
        return float(row[r.component]) if r.component in row.index else None
    if q == "place_in_top10":
        top = scored[scored["rank"].notna() & (scored["rank"] <= 10)]
        if r.subject not in set(top["city"]) or r.component not in top.columns:
            return None
        return float(1 + (top[r.component] > row[r.component]).sum())
    if q == "engagement_score":
        attrs = dataset.attributes
        hit = attrs[(attrs["cycle"] == cycle) & (attrs["city"] == r.subject)] if len(attrs) else attrs
        return float(hit["engagement_score"].iloc[0]) if len(hit) else None
    return None


def record_checks_html(checks: pd.DataFrame, *, synthetic_share: float = 0.0) -> str:
    """The overview's section below its heading: a short introduction and the table.

    ``synthetic_share`` (the share of the cycle's values that are synthetic) decides
    whether the introduction says the panel was drawn to meet the facts. (The
    notebook gives the heading, :data:`RECORD_SECTION`, as a markdown cell, so the
    contents link to it.)
    """
    e = html.escape
    head = ""
    if checks.empty:
        return head + "<p>The data folder holds no published record for this cycle, so nothing is checked.</p>"
    n_yes = int((checks["agree"] == "yes").sum())
    n_no = int((checks["agree"] == "no").sum())
    n_other = len(checks) - n_yes - n_no
    intro = (f"Each published fact of this cycle beside the value these data give: {n_yes} agree, {n_no} do not"
             + (f" and {n_other} cannot be compared (the data hold nothing to set against them)" if n_other else "")
             + ". Published means and scores are whole numbers, so a value within half a point agrees.")
    if synthetic_share > 0:
        intro += (" The synthetic values were drawn so that the published facts hold; agreement here shows that "
                  "they do, not that the other values are real.")
    names = {"fact": "Published fact", "published": "Published value", "panel": "Value in these data",
             "agree": "Agree?", "source": "Source", "certainty": "Certainty"}
    # each distinct source once, under the table, and its number in the rows: the rows stay one line high
    sources = list(dict.fromkeys(str(s) for s in checks["source"]))
    number = {s: f"[{i}]" for i, s in enumerate(sources, 1)}
    header = "".join(f"<th>{e(v)}</th>" for v in names.values())
    body = "".join("<tr>" + "".join(f'<td data-label="{e(names[c], quote=True)}">'
                                    f'{e(number[str(r[c])] if c == "source" else str(r[c]))}</td>'
                                    for c in names) + "</tr>" for _, r in checks.iterrows())
    notes = "; ".join(f"{number[s]} {s}" for s in sources)
    return (f"{head}<p>{e(intro)}</p><table class=\"dmaf-table dmaf-record\"><thead><tr>{header}</tr></thead>"
            f"<tbody>{body}</tbody></table><p class=\"dmaf-caption\">Sources: {e(notes)}.</p>")


def engagement_source_html(dataset: Dataset, *, cycle: int) -> str:
    """Where the cycle's engagement scores come from, counted from their source labels, as a paragraph."""
    attrs = dataset.attributes
    part = attrs[(attrs["cycle"] == int(cycle)) & attrs["engagement_score"].notna()] if len(attrs) else attrs
    if not len(part):
        return "<p>The data hold no City Engagement Score for this cycle.</p>"
    if "source" not in part.columns:
        return (f"<p>The data hold {len(part)} City Engagement Scores; the attribute table does not say where "
                f"they come from.</p>")
    labels = part["source"].fillna("").astype(str)
    synthetic = is_synthetic(labels)
    n_syn = int(synthetic.sum())
    other = labels[~synthetic]
    parts = [f"{n_syn} of the {len(part)} City Engagement Scores are synthetic (generated, not measured)"]
    for label, count in other.value_counts().sort_index().items():
        who = ", ".join(part.loc[other.index[other == label], "city"].astype(str).head(3))
        word = "report card" if label == "report_card" else label or "an unlabelled source"
        parts.append(f"{count} {'comes' if count == 1 else 'come'} from {'a ' if label == 'report_card' else ''}"
                     f"{word}{'s' if label == 'report_card' and count > 1 else ''} ({who})")
    return f"<p>{html.escape('; '.join(parts))}.</p>"


def mark_published(leaderboard: pd.DataFrame, *, cycle: int, record: pd.DataFrame | None = None) -> pd.DataFrame:
    """The leaderboard with a column ``published``: what of each row is the published result.

    Returns
    -------
    DataFrame
        A new table: ``leaderboard``'s columns, then ``published`` ("rank",
        "level", "rank and level" or ""): the row's rank or level equals the one
        the published record gives the city in ``cycle``.
    """
    record = load_record() if record is None else record
    record = record[(record["cycle"] == int(cycle)) & (record["scope"] == "city")]
    on_record = set(record["subject"].astype(str))
    nothing = CityFacts(city="", cycle=int(cycle))
    marks = []
    for city, rank, level in zip(leaderboard["city"], leaderboard["rank"], leaderboard["level"]):
        # only the cities the record names are looked up (a lookup filters the whole record)
        facts = city_facts(record, city=str(city), cycle=int(cycle)) if str(city) in on_record else nothing
        parts = []
        if facts.rank is not None and pd.notna(rank) and int(rank) == facts.rank:
            parts.append("rank")
        if facts.level is not None and level == facts.level:
            parts.append("level")
        marks.append(" and ".join(parts))
    return leaderboard.assign(published=marks)
