"""HTML pieces of the city report card.

Each function turns a table or result from the report functions of :mod:`dmaf_analysis.card` into a
small piece of HTML for the notebook to display; every piece of text that comes
from data is escaped.
"""
from __future__ import annotations

import html
import math

import pandas as pd

from .._util.numeric import TOLERANCE, format_number
from ..errors import ArgumentError
from ..framework import PROVENANCE_WORDS
from ..io import is_synthetic
from ._rank_path import TOP_RANK

__all__ = ["CARD_SECTIONS", "MAX_PROVENANCE_WORDS", "N_FIRST_ACTIONS", "RECOMMENDATIONS_INTRO", "caveat_line",
           "change_html",
           "component_score_text", "components_html", "components_intro", "first_actions", "first_actions_html",
           "indicator_score_text",
           "provenance_html", "sections_html", "summary_html",
           "engagement_html", "headline_html", "html_table", "indicators_html", "n_top_cities", "paragraph",
           "path_html", "path_intro", "peers_html", "recommendations_html", "recommendations_section_html",
           "section_html", "strengths_html", "top10_heading"]


#: A number as the card prints it: ``30``, ``27.5``, ``-3.3``; ``–`` when missing.
number = format_number


def html_table(frame, *, columns: dict[str, str] | None = None, digits: int = 1,
               highlight: str | None = None, print_rows=None, column_digits: dict[str, int] | None = None,
               html_name: str = "") -> str:
    """An escaped HTML table of ``frame``.

    Parameters
    ----------
    frame : DataFrame or mapping
        The rows: a DataFrame, or a mapping of column name to a list of values
        (all of one length), which saves building a DataFrame for a few rows.
    columns : dict, optional
        Column -> header, in display order (default: every column, as named).
    digits : int
        Decimals of floating-point cells (trailing zeros dropped).
    column_digits : dict, optional
        Column -> decimals, for columns that differ from ``digits``.
    highlight : str, optional
        A boolean column; rows where it is True are shown in bold (the column
        itself is not shown unless listed in ``columns``).
    print_rows : sequence of bool, optional
        Rows to keep in print (the PDF); the others are shown on screen only and
        a last row, in print only, says how many are in the HTML version
        (``html_name``: that page's file name, linked relatively, when given).
    """
    if not isinstance(frame, pd.DataFrame):
        frame = {str(c): list(v) for c, v in frame.items()}
        n_rows = len(next(iter(frame.values()), []))
        columns = columns or {c: c for c in frame}
        marks = ([m is not None and m is not pd.NA and m == m and bool(m) for m in frame[highlight]] if highlight
                 else [False] * n_rows)
        values = [frame[col] for col in columns]
    else:
        n_rows = len(frame)
        columns = columns or {c: c for c in frame.columns}
        marks = frame[highlight].fillna(False).astype(bool).tolist() if highlight else [False] * n_rows
        # column by column as Python values (iterrows would build a Series per row)
        values = [frame[col].tolist() for col in columns]
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in columns.values())
    labels = [html.escape(str(h), quote=True) for h in columns.values()]
    body = []
    for mark, row in zip(marks, zip(*values) if values else [()] * n_rows):
        cells = []
        for label, col, value in zip(labels, columns, row):
            if isinstance(value, bool):
                text, align = ("yes" if value else ""), ""
            elif isinstance(value, (int, float)) or value is pd.NA or value is None:
                text, align = number(value, (column_digits or {}).get(col, digits)), ""
            else:  # text reads better left-aligned (notebook tables right-align by default)
                text, align = str(value), ' style="text-align:left"'
            cells.append(f'<td data-label="{label}"{align}>{html.escape(text)}</td>')
        style = ' style="font-weight:bold;background:#eef5f8"' if mark else ""
        body.append(f"<tr{style}>{''.join(cells)}</tr>")
    if print_rows is not None:
        keep = [bool(k) for k in print_rows]
        body = [row if k else row.replace("<tr", '<tr class="dmaf-screen-only"', 1) for row, k in zip(body, keep)]
        hidden = keep.count(False)
        if hidden:
            where = (f'<a href="{html.escape(html_name, quote=True)}">{html.escape(html_name)}</a>, '
                     "the HTML version of this card" if html_name else "the HTML version of this card")
            body.append(f'<tr class="dmaf-print-only"><td colspan="{len(columns)}">{hidden} more '
                        f"row{'s' if hidden != 1 else ''} in {where}</td></tr>")
    return (f'<table class="dmaf-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def paragraph(text: str) -> str:
    """``text`` as an escaped HTML paragraph."""
    return f"<p>{html.escape(str(text))}</p>"


#: The card's sections after page 1: key -> (heading, note). The note is fixed text of the package (HTML, no
#: data in it) saying how to read the section; "" for none. :func:`section_html` puts them on the card.
CARD_SECTIONS = {
    "components": ("Component by component", ""),
    "beside": ("Components beside other cities", ""),
    "strengths": ("Strengths and weaknesses",
                  "Indicators where the city stands furthest above (strengths) or below (weaknesses) the national "
                  "median, judged by its percentile among all cities. When the city has values on record, only "
                  "those are considered: a synthetic value is never presented as a strength or weakness of a city "
                  "with real data."),
    "path": ("Path to the next certification level", ""),
    "peers": ("Peers",
              "The city (in bold) beside the cities ranked nearest to it in its state and in its selection round "
              "(when the cities table gives one), and each group&#x27;s median (in italics). <em>Difference</em> "
              "is each city&#x27;s overall score minus this city&#x27;s."),
    "change": ("Change since the previous cycle",
               "Components are matched across cycles through the framework crosswalk (the framework files), or by "
               "their ids when the frameworks share them."),
    "engagement": ("City Engagement Score",
                   "The city&#x27;s engagement score (out of 100) against the scores of all cities in the cycle."),
    "about": ("About this report card", ""),
}


def _section_id(title: str) -> str:
    """The anchor of a section heading, as nbconvert gives a markdown heading: its words joined by "-"."""
    return "-".join(str(title).split())


def section_html(key: str, *parts: str) -> str:
    """One section of the card: its heading, its fixed note, then ``parts`` in order.

    A card notebook shows everything after page 1 in one output (one HTML piece per
    section) instead of a markdown cell and a code cell per section: every cell of a
    notebook costs the kernel and the batch engine a few milliseconds.

    Parameters
    ----------
    key : str
        One of :data:`CARD_SECTIONS` (``"components"``, ``"peers"``...).
    *parts : str
        HTML pieces from the other ``*_html`` functions, already escaped; empty ones add nothing.

    Returns
    -------
    str
        An ``<h2>`` (whose id is :func:`_section_id` of the heading), the note, then the parts.

    Raises
    ------
    ArgumentError
        ``key`` is not a section of the card.
    """
    try:
        title, note = CARD_SECTIONS[key]
    except (KeyError, TypeError):
        raise ArgumentError(f"no card section {key!r}; the sections are: {', '.join(CARD_SECTIONS)}") from None
    head = f'<h2 id="{html.escape(_section_id(title), quote=True)}">{html.escape(title)}</h2>'
    body = "".join(str(part) for part in parts if part)
    # no <section> wrapper: the page's styles address the tables as children of the output itself
    return f"{head}{f'<p>{note}</p>' if note else ''}{body}"


def headline_html(headline, *, data_label: str = "") -> str:
    """The card's title block: title, provenance notice, and the headline figures.

    Parameters
    ----------
    headline : ReportHeadline
        From :func:`dmaf_analysis.card.report_headline`.
    data_label : str
        Where the data came from (a file name), shown in small print.
    """
    e = html.escape
    h = headline
    if math.isnan(h.engagement_score):
        engagement = "not in the data"
    else:
        engagement = f"{number(h.engagement_score)} / 100"
    overall, rank, level = f"{number(h.overall)} / 100", h.rank_text, h.level_text
    if getattr(h, "fully_synthetic", False):
        overall += " (synthetic values only)"
        rank += " (synthetic values only)"
        level += " (synthetic values only)"
    elif getattr(h, "range_text", ""):
        overall += f" with the panel's values; {h.range_text} on the values on record"
        if h.rank_best is not None:
            rank += f"; anywhere from {h.rank_best} to {h.rank_worst} on the values on record"
        level += f"; {h.level_range_text} on the values on record"
    rows = [
        ("City", h.city), ("State", h.state), ("Cycle", str(h.cycle)), ("Framework", h.framework_name),
        ("Selection round", h.selection_round),
        ("Overall score", overall), ("Rank", rank),
        ("Certification level", level), ("City Engagement Score", engagement),
    ]
    table = "".join(f"<tr><th style='text-align:left;padding-right:1em'>{e(k)}</th><td>{e(str(v))}</td></tr>"
                    for k, v in rows if str(v).strip())  # what the cities table does not give is left out
    source = f"<p style='font-size:small;color:#555'>Data: {e(data_label)}</p>" if data_label else ""
    notice = (f"<div class='dmaf-notice' style='border:2px solid #c77c02;background:#fff6e5;"
              f"padding:0.5em 0.8em;margin:0.6em 0'><strong>About these values:</strong> "
              f"{e(h.provenance_notice)}</div>")
    statement = getattr(h, "known_statement", "")
    known = (f"<p class='dmaf-known' style='font-size:1.15em;font-weight:bold;border-left:6px solid #c77c02;"
             f"padding:0.3em 0.7em;margin:0.6em 0'>{e(statement)}</p>" if statement else "")
    return f"<h1>{e(h.title)}</h1>{known}{notice}<table class='dmaf-headline'>{table}</table>{source}"


# ------------------------------------------------------------- report card sections
def _score_of(score, max_score) -> str:
    return f"{number(score)} / {number(max_score)}"


def component_score_text(row) -> str:
    """A component's score as the card prints it: ``45``, ``15–50`` (a range), ``97 (published)``."""
    low, high = row.get("score_low", row["score"]), row.get("score_high", row["score"])
    basis = row.get("basis", "")
    if low == low and high == high and abs(high - low) > TOLERANCE:
        return f"{number(low)}–{number(high)}"
    text = number(row["score"])
    if basis == "published":
        text += " (published)"
    return text


def _others_note(comparison: pd.DataFrame) -> str:
    return (" (synthetic values)" if "others_synthetic" in comparison.columns and len(comparison)
            and bool(comparison["others_synthetic"].iloc[0]) else "")


def components_html(comparison: pd.DataFrame) -> str:
    """Table of :func:`~dmaf_analysis.card.component_comparison`.

    A range prints as ``15–50``, a published total as ``97 (published)``; when the
    other cities' values are synthetic the comparison columns say so.
    """
    others = _others_note(comparison)
    top = top10_heading(n_top_cities(comparison)) + others
    view = comparison.assign(score_text=[component_score_text(r) for _, r in comparison.iterrows()])
    columns = {"name": "Component", "weight": "Weight", "score_text": "Score"}
    if "synthetic_points" in comparison.columns and (comparison["synthetic_points"] > 0).any():
        basis = comparison["basis"] if "basis" in comparison.columns else pd.Series("", index=comparison.index)
        view["synthetic_text"] = [
            "none (published total)" if b == "published" else
            "all synthetic" if p > 0 and abs(p - s) < TOLERANCE else f"{number(p, 2)} synthetic" if p > 0 else "none"
            for p, s, b in zip(comparison["synthetic_points"], comparison["score"], basis)]
        columns["synthetic_text"] = "Of which synthetic"
    columns |= {"national_median": "National median" + others, "top10_mean": top, "gap_to_median": "Score − median",
                "gap_to_max": "Gap to 100"}
    return html_table(view, columns=columns, digits=2, column_digits={"top10_mean": 1})


def n_top_cities(comparison: pd.DataFrame) -> int:
    """How many cities the top-10 mean of a :func:`~dmaf_analysis.card.component_comparison` covers (0 if none)."""
    if "n_top_cities" not in comparison.columns or not len(comparison):
        return 0
    return int(comparison["n_top_cities"].iloc[0])


def components_intro(comparison: pd.DataFrame) -> str:
    """The sentences opening the card's components section: what the bars set the city beside.

    The second comparison is the mean of the cities ranked in the top 10; when the
    data rank fewer than 10 cities that mean covers all of them, and the sentence
    gives their number instead (as :func:`top10_heading` does for the column).
    """
    n_top = n_top_cities(comparison)
    text = ("Each component of the framework is scored out of 100. The bars set the city beside the median of "
            "all cities in the cycle")
    if n_top <= 0:
        return text + "; no city has an overall score in this cycle, so there is no mean of the best-ranked cities."
    if n_top == 1:
        return text + " and the score of the only ranked city."
    if n_top < TOP_RANK:
        return text + f" and the mean of all {n_top} ranked cities."
    return text + f" and the mean of the cities ranked in the top {TOP_RANK} overall."


def path_intro(n_ranked: int) -> str:
    """The sentences opening the card's path-to-the-next-level section.

    ``n_ranked`` is the number of ranked cities in the cycle (the headline's
    ``n_ranked``): when it is 10 or fewer every city is already in the top 10, so a
    city at the highest level can only be moved one place up the ranking, and the
    text says so without naming a top 10.
    """
    if n_ranked <= 1:
        return ("The fewest indicator improvements that would lift the overall score over the next level's "
                "threshold: the indicators whose full improvement adds most to the overall score come first, and "
                "the last one is raised only as far as needed. A city already at the highest level the framework "
                "defines has no other ranked city to overtake here, so nothing is listed for it.")
    move = ("one place up the ranking" if n_ranked <= TOP_RANK else
            f"up the ranking (into the top {TOP_RANK}, or one place up from inside it)")
    return ("The fewest indicator improvements that would lift the overall score over the next level's threshold: "
            "the indicators whose full improvement adds most to the overall score come first, and the last one is "
            "raised only as far as needed. A city already at the highest level the framework defines gets instead "
            f"the fewest improvements that would move it {move}, the other cities' scores unchanged.")


def top10_heading(n_top: int) -> str:
    """Header of the top-10 mean column: what the mean covers when it is not exactly ten cities.

    ``n_top`` cities are ranked 10th or better (competition ranks): more than 10
    means ties at 10th; fewer than 10 means the panel ranks fewer than 10 cities,
    so the mean is over all of them.
    """
    if n_top in (0, TOP_RANK):
        return f"Top-{TOP_RANK} mean"
    if n_top == 1:
        return "Score of the only ranked city"
    if n_top < TOP_RANK:
        return f"Mean of all {n_top} ranked cities"
    return f"Top-{TOP_RANK} mean ({n_top} cities, ties at {TOP_RANK}th)"


#: How the maximum of an indicator is known (the framework's ``max_provenance`` codes), in words.
MAX_PROVENANCE_WORDS = dict(PROVENANCE_WORDS)


def _source_text(source: str, placed_by: str) -> str:
    text = "report card" if source == "report_card" else source
    if placed_by and placed_by != "heading":
        text += f" (placed by {'text order' if placed_by == 'order' else placed_by})"
    return text


def indicators_html(indicators: pd.DataFrame) -> str:
    """Table of :func:`~dmaf_analysis.card.indicator_scores`."""
    view = indicators.assign(
        score_text=[indicator_score_text(s, m, src, st) for s, m, src, st in
                    zip(indicators["score"], indicators["max_score"], indicators["source"],
                        indicators["status"] if "status" in indicators.columns else [""] * len(indicators))],
        label=indicators["indicator"] + " " + indicators["name"],
        source_text=[_source_text(s, p) for s, p in zip(indicators["source"], indicators["placed_by"])],
        max_text=[MAX_PROVENANCE_WORDS.get(str(v), str(v)) for v in indicators["max_provenance"]])
    n_state = int(indicators["n_state_cities"].iloc[0]) if len(indicators) else 0
    columns = {
        "label": "Indicator", "component_name": "Component", "score_text": "Score / max",
        "national_median": "National median" + _others_synthetic(indicators),
        "state_median": f"State median ({n_state} cities)",
        "gap_to_max": "Gap to max", "percentile": "Percentile", "source_text": "Source of value",
        "max_text": "Max known from"}
    if n_state == 0:  # the city has no state in the cities table
        del columns["state_median"]
    return html_table(view, columns=columns)


def _others_synthetic(indicators: pd.DataFrame) -> str:
    """" (synthetic values)" when the city's own values are on record: the medians it is set beside are not."""
    if "status" in indicators.columns and (indicators["status"] == "on record").any():
        return " (synthetic values)"
    return ""


def _synthetic_mark(source) -> str:
    """" (synthetic)" after a value whose source is synthetic, so it is never read as a real score."""
    return " (synthetic)" if is_synthetic(source) else ""


def strengths_html(table: pd.DataFrame) -> str:
    """Two short lists from :func:`~dmaf_analysis.card.strengths_and_weaknesses`."""
    e = html.escape
    out = []
    for kind, title, empty in (("strength", "Strengths", "No indicator is above the national median."),
                               ("weakness", "Weaknesses", "No indicator is below the national median.")):
        part = table[table["kind"] == kind]
        out.append(f"<h3>{title}</h3>")
        if part.empty:
            out.append(paragraph(empty))
            continue
        items = "".join(
            f"<li><strong>{e(r.indicator)} {e(r.name)}</strong>: {e(_score_of(r.score, r.max_score))}"
            f"{e(_synthetic_mark(r.source))}, national median {e(number(r.national_median))}; percentile "
            f"{e(number(r.percentile, 0))} among all cities</li>"
            for r in part.itertuples())
        out.append(f"<ul>{items}</ul>")
    return "".join(out)


def recommendations_html(table: pd.DataFrame, *, html_name: str = "") -> str:
    """Table of :func:`~dmaf_analysis.card.recommendations`, every row, in framework order.

    (``html_name`` is accepted for compatibility and no longer used: the printed
    card holds every row.)"""
    if table.empty:
        return paragraph("The recommendations file has no text for this cycle's indicators.")
    view = table.assign(label=table["indicator"] + " " + table["name"],
                        score_text=[indicator_score_text(s, m, src, st) for s, m, src, st in
                                    zip(table["score"], table["max_score"], table["source"],
                                        table["status"] if "status" in table.columns else [""] * len(table))])
    return html_table(view, columns={
        "priority": "Priority", "label": "Indicator", "score_text": "Score / max",
        "points_available": "Points available", "overall_gain": "Overall gain at max",
        "recommendation": "What the city can do"}, digits=2)


RECOMMENDATIONS_INTRO = (
    "One suggestion for every indicator the recommendations file has a text for, component by component as "
    "DMAF's report card gives them (an indicator at its maximum or not on record included); the first actions "
    "on page 1 are those with the most to gain. The texts come from the recommendations file of "
    "the data folder (the bundled one is written by the dmaf-analysis project); they are not official "
    "guidance.")


def recommendations_section_html(table: pd.DataFrame, *, available: bool = True, html_name: str = "") -> str:
    """The whole recommendations section (heading, introduction, table), or "" when ``available`` is False.

    ``available`` is :func:`~dmaf_analysis.card.has_recommendations`: without
    any text for the cycle the report card leaves the section out.
    """
    if not available:
        return ""
    return (f"<h2>Recommendations</h2>{paragraph(RECOMMENDATIONS_INTRO)}"
            f"{recommendations_html(table, html_name=html_name)}")


def path_html(path) -> str:
    """Statement and steps of a :class:`~dmaf_analysis.card.LevelPath`.

    At the highest level the steps are those of its ``rank_move`` (the fewest
    improvements that move the city up the ranking).
    """
    out = paragraph(path.statement)
    steps = path.steps
    move = getattr(path, "rank_move", None)
    if not len(steps) and move is not None:
        steps = move.steps
    if len(steps):
        view = steps.assign(label=steps["indicator"] + " " + steps["name"],
                            raise_text=[f"{number(a)} → {number(b)} / {number(m)}" for a, b, m in
                                        zip(steps["score"], steps["new_score"], steps["max_score"])],
                            how=["part of the gap" if p else "to the maximum" for p in steps["partial"]])
        out += html_table(view, columns={
            "step": "Step", "label": "Indicator", "raise_text": "Score", "points_gained": "Points gained",
            "how": "Raise", "overall_gain": "Overall gain", "overall_after": "Overall after"}, digits=2)
    return out


def _median_label(cols: dict[str, list], k: int) -> str:
    """The city cell of row ``k``, a group's median: how many cities it is taken over, in words.

    ``cols`` holds the peers table's columns as lists (``Series.tolist()``).
    """
    n_rows = len(cols["peer_group"])
    counted = cols["n_in_median"][k] if "n_in_median" in cols else None
    if counted is None or counted != counted:
        n = cols["n_in_group"][k] if "n_in_group" in cols else None
        return "Median of the group" if n is None or n != n else f"Median of the group ({int(n)} {_cities(int(n))})"
    counted = int(counted)
    group = cols["peer_group"][k]
    ranges = cols.get("overall_range", [""] * n_rows)
    ranged = any(g == group and bool(mine) and _as_text(r) != ""
                 for g, mine, r in zip(cols["peer_group"], cols["is_report_city"], ranges))
    if ranged:  # the report city, shown by its range, takes no part
        return f"Median of the {counted} other {_cities(counted)}"
    n_group = cols["n_in_group"][k] if "n_in_group" in cols else counted
    if n_group == n_group and counted < int(n_group):  # some cities of the group have no score
        return f"Median of the {counted} {_cities(counted)} with a score"
    return f"Median of the group ({counted} {_cities(counted)})"


def _is_missing(value) -> bool:
    """None, ``pd.NA`` or NaN."""
    return value is None or value is pd.NA or value != value


def _as_text(value, missing="nan"):
    """A cell as ``Series.astype(str)`` gives it: its text, or ``missing`` for a missing one (None, NA, NaN)."""
    return missing if _is_missing(value) else str(value)


def _cities(n: int) -> str:
    return "city" if n == 1 else "cities"


def peers_html(peers: pd.DataFrame, *, html_name: str = "") -> str:
    """Table of :func:`~dmaf_analysis.card.peer_comparison`: the report city in bold, each group's median in italics.

    A line under the table says, for each group larger than the rows shown, how
    many cities it has and where the whole group is listed (the national
    overview's leaderboard). The table is as long on paper as on screen (it has a
    bounded number of rows); ``html_name`` is accepted for compatibility and unused.
    """
    if peers.empty:
        return paragraph("No peer group is known for this city.")
    cols = {c: peers[c].tolist() for c in peers.columns}  # plain Python values: a few dozen rows, read once
    n_rows = len(peers)
    names = {"state": "State", "selection_round": "Selection round"}
    is_median = ([not _is_missing(m) and bool(m) for m in cols["is_group_median"]] if "is_group_median" in cols
                 else [False] * n_rows)
    n_group = cols.get("n_in_group", [None] * n_rows)
    groups = [f"{names.get(g, 'Group')}: {v}" for g, v in zip(cols["peer_group"], cols["group_name"])]
    view = {
        "group": groups,
        "city": [_median_label(cols, k) if m else _as_text(c, missing=math.nan)
                 for k, (m, c) in enumerate(zip(is_median, cols["city"]))],
        "overall": _range_or(cols, "overall_range", "overall"), "rank_in_group": cols["rank_in_group"],
        "rank": _range_or(cols, "rank_range", "rank"),
        "level": cols["level"], "gap_to_report_city": cols["gap_to_report_city"],
        "is_report_city": cols["is_report_city"]}
    columns = {"group": "Peer group", "city": "City", "overall": "Overall", "rank_in_group": "Rank in group",
               "rank": "National rank", "level": "Level", "gap_to_report_city": "Difference"}
    synthetic = cols.get("n_synthetic", [])
    if any(k > 0 for k, m in zip(synthetic, is_median) if not m):
        ranged = ([not _is_missing(r) and str(r) != "" for r in cols["overall_range"]] if "overall_range" in cols
                  else [False] * n_rows)
        view["values_text"] = [("" if m else "range of the values on record" if r else _values_text(k, n))
                               for m, r, k, n in zip(is_median, ranged, synthetic, cols["n_indicators"])]
        columns["values_text"] = "Values"
    table = _italic_rows(html_table(view, columns=columns, highlight="is_report_city"), is_median)
    shown: dict[str, list] = {}
    for g, m, n in zip(groups, is_median, n_group):
        if not m and n is not None:
            shown.setdefault(g, [0, int(n)])[0] += 1
    notes = [f"{g}: the {k} cities ranked nearest of {total}." for g, (k, total) in shown.items() if total > k]
    if notes:
        table += paragraph(" ".join(notes) + " Every city is listed in the national overview's leaderboard.")
    return table


def _range_or(cols: dict[str, list], range_column: str, column: str) -> list:
    """``cols[column]``, with the text of ``range_column`` where it is given (a city shown by its range)."""
    if range_column not in cols:
        return cols[column]
    texts = ["" if _is_missing(t) else str(t) for t in cols[range_column]]
    return [v if t == "" else t for v, t in zip(cols[column], texts)]


def _italic_rows(table: str, flags: list[bool]) -> str:
    """Set the body rows of an :func:`html_table` whose flag is True in italics."""
    head, sep, body = table.partition("<tbody>")
    rows = body.split("<tr")
    out = [rows[0]]
    for flag, row in zip(flags, rows[1:]):
        out.append((' style="font-style:italic"' + row) if flag and row.startswith(">") else row)
    out += rows[1 + len(flags):]
    return head + sep + "<tr".join(out)


def _values_text(n_synthetic, n_indicators) -> str:
    """"synthetic", "6 of 21 synthetic" or "on record"."""
    k, n = int(n_synthetic), int(n_indicators)
    if k <= 0:
        return "on record"
    return "synthetic" if k >= n else f"{k} of {n} synthetic"


#: In print, the card keeps its first recommendations (the rest stay in the HTML).
PRINT_RECOMMENDATIONS = 6


def change_html(change) -> str:
    """Statement and table of a :class:`~dmaf_analysis.card.CycleChange`."""
    out = paragraph(change.statement)
    if change.assessed_before and len(change.table):
        out += html_table(change.table, columns={
            "name": "Measure", "previous_names": f"Cycle {change.previous_cycle} counterpart",
            "previous_score": f"Cycle {change.previous_cycle}" + _earlier_mark(change),
            "current_score": f"Cycle {change.cycle}",
            "change": "Change"})
    return out


def _earlier_mark(change) -> str:
    k, n = getattr(change, "previous_n_synthetic", 0), getattr(change, "previous_n_values", 0)
    if k <= 0 or n <= 0:
        return ""
    return " (synthetic)" if k >= n else " (partly synthetic)"


def engagement_html(summary: pd.DataFrame) -> str:
    """One paragraph from :func:`~dmaf_analysis.card.engagement_comparison`."""
    r = summary.iloc[0]
    if int(r["n_cities"]) == 0:
        return paragraph("The data set holds no City Engagement Scores for this cycle.")
    spread = (f"The national median is {number(r['national_median'])} (half of the {int(r['n_cities'])} "
              f"cities score between {number(r['q1'])} and {number(r['q3'])}; range "
              f"{number(r['min'])} to {number(r['max'])}).")
    n_syn = int(r["n_synthetic"]) if "n_synthetic" in r.index and pd.notna(r["n_synthetic"]) else 0
    if n_syn:
        spread += f" {n_syn} of these {int(r['n_cities'])} scores are synthetic."
    if pd.isna(r["engagement_score"]):
        return paragraph(f"{r['city']} has no City Engagement Score in the data. {spread}")
    return paragraph(f"{r['city']}'s City Engagement Score is {number(r['engagement_score'])} out of 100, "
                     f"percentile {number(r['percentile'], 0)} among all cities. {spread}")


# ------------------------------------------------------------------ the card's summary page
def _tile(label: str, value: str, note: str) -> str:
    e = html.escape
    small = f'<span class="dmaf-tile-note">{e(note)}</span>' if note else ""
    return (f'<div class="dmaf-tile"><span class="dmaf-tile-label">{e(label)}</span>'
            f'<span class="dmaf-tile-value">{e(value)}</span>{small}</div>')


#: How many recommendations page 1 lists as the first actions.
N_FIRST_ACTIONS = 3


def first_actions(recs: pd.DataFrame, *, n: int = N_FIRST_ACTIONS) -> pd.DataFrame:
    """The recommendations page 1 lists: the ``n`` with the most to gain, among values known below their maximum.

    ``recs`` is :func:`~dmaf_analysis.card.recommendations`; rows whose value is
    unknown or at its maximum are never first actions.
    """
    if recs.empty:
        return recs
    useful = recs[recs["points_available"].fillna(0) > TOLERANCE]
    return useful.sort_values("priority").head(n)


def summary_html(headline, *, chart_uri: str = "", actions: pd.DataFrame | None = None,
                 chart_alt: str = "") -> str:
    """Page 1 of the card: title, tiles (overall, level, rank, engagement), caveat line, chart, first actions.

    Parameters
    ----------
    headline : ReportHeadline
    chart_uri : str
        The component chart as a ``data:`` URI (:func:`~dmaf_analysis.card.png_data_uri`); left out when "".
    actions : DataFrame, optional
        :func:`first_actions` of the city's recommendations.
    chart_alt : str
        Alternative text of the chart.
    """
    e = html.escape
    h = headline
    tiles = "".join([_tile("Overall score", *h.overall_tile), _tile("Certification level", *h.level_tile),
                     _tile("Rank", *h.rank_tile), _tile("City Engagement Score", *h.engagement_tile)])
    out = [f"<h1>{e(h.title)}</h1>", f'<div class="dmaf-tiles">{tiles}</div>',
           f'<p class="dmaf-caveat">{e(caveat_line(h))} '
           f'<a href="#about-values">How sure each value is</a>.</p>']
    if chart_uri:
        out.append(f'<img class="dmaf-chart" src="{e(chart_uri, quote=True)}" alt="{e(chart_alt, quote=True)}">')
    if actions is not None:
        out.append(first_actions_html(actions))
    return "".join(out)


def first_actions_html(actions: pd.DataFrame) -> str:
    """The "First actions" list of page 1 (:func:`first_actions`): each indicator, its score and the first
    sentence of its recommendation; "" when there is none."""
    e = html.escape
    if actions is None or not len(actions):
        return ""
    items = "".join(
        f"<li><strong>{e(str(r.indicator))} {e(str(r.name))}</strong> ({e(_score_of(r.score, r.max_score))}"
        f"{', synthetic' if is_synthetic(r.source) else ''}): {e(_first_sentence(str(r.recommendation)))}</li>"
        for r in actions.itertuples())
    return f'<h2 class="dmaf-actions-title">First actions</h2><ol class="dmaf-actions">{items}</ol>'


def _first_sentence(text: str) -> str:
    """The first sentence of a recommendation (page 1 keeps it short; the full text follows in its section)."""
    end = text.find(". ")
    return text if end < 0 else text[:end + 1]


def caveat_line(headline) -> str:
    """One short line under the tiles saying what the values rest on."""
    h = headline
    if h.shows_range:
        n = h.n_unknown
        return (f"{h.n_indicators - n} of {h.n_indicators} indicator values are on record; the other {n} are not, "
                f"so score, level and rank are shown as the ranges they allow. Other cities' values are synthetic."
                if h.data_synthetic_share > 0 else
                f"{n} of {h.n_indicators} indicator values are not on record: ranges are shown.")
    if h.fully_synthetic:
        pub = f" ({h.published_words} are published)" if h.published_words else ""
        return f"Every indicator value on this card is synthetic, for illustration only{pub}."
    if h.n_synthetic:
        return f"{h.n_synthetic} of {h.n_values} indicator values are synthetic."
    if h.data_synthetic_share > 0:
        return "Every value of this city is on record; other cities' values are synthetic."
    return "Every value on this card comes from the data."


def provenance_html(headline, *, data_label: str = "") -> str:
    """The card's note on where its values come from (anchor ``about-values``, linked from page 1)."""
    e = html.escape
    h = headline
    parts = ['<h2 id="about-values">About these values</h2>']
    statement = h.known_statement
    if statement:
        parts.append(paragraph(statement))
    parts.append(paragraph(h.provenance_notice))
    if h.published_rank is not None or h.published_level or h.engagement_published:
        parts.append(paragraph("Values marked (published) come from the published record of the results "
                               "(the data folder's published_record.csv), not from the score panel."))
    if data_label:
        parts.append(f"<p class='small'>Data: {e(data_label)}</p>")
    return "".join(parts)


def indicator_score_text(score, max_score, source="", status="") -> str:
    """An indicator's score as the card prints it: ``10 / 30``, ``not on record (0–20)``, ``15 / 20 (synthetic)``."""
    if status == "not on record" or (score != score and max_score == max_score):
        return f"not on record (0–{number(max_score)})"
    return _score_of(score, max_score) + _synthetic_mark(source)


def _label_note(placed_by: str, max_provenance: str) -> str:
    """" (placed by text order; max inferred)": what is less than sure about an indicator's row ("" when nothing)."""
    notes = []
    if placed_by == "order":
        notes.append("value placed by text order")
    if max_provenance and max_provenance != "seen":
        notes.append(f"max {MAX_PROVENANCE_WORDS.get(str(max_provenance), str(max_provenance))}")
    return f" ({'; '.join(notes)})" if notes else ""


def sections_html(components: pd.DataFrame, indicators: pd.DataFrame, recs: pd.DataFrame) -> str:
    """Component by component, as DMAF's report card: its score, then each indicator with score and recommendation.

    Parameters
    ----------
    components : DataFrame
        :func:`~dmaf_analysis.card.component_comparison`.
    indicators : DataFrame
        :func:`~dmaf_analysis.card.indicator_scores`.
    recs : DataFrame
        :func:`~dmaf_analysis.card.recommendations` (may be empty: the column is then left out).
    """
    e = html.escape
    text = dict(zip(recs["indicator"], recs["recommendation"])) if len(recs) else {}
    others = _others_note(components)
    ind = indicators.to_dict("list")  # plain lists: a few dozen rows, read once
    status = ind["status"] if "status" in ind else [""] * len(indicators)
    out = []
    for comp in components.to_dict("records"):
        rows = [k for k, c in enumerate(ind["component"]) if c == comp["component"]]
        basis = comp.get("basis", "")
        words = {"range": "range on the values on record", "published": "published total",
                 "synthetic": "from synthetic values", "on record": "on record"}.get(basis, "")
        median = number(comp["national_median"])
        out.append(f'<h3 class="dmaf-component">{e(str(comp["name"]))}: {e(component_score_text(comp))} / 100'
                   f'<span class="dmaf-basis"> {e(words)}; national median {e(median)}{e(others)}</span></h3>')
        view = {
            "label": [f"{ind['indicator'][k]} {ind['name'][k]}"
                      f"{_label_note(ind['placed_by'][k], ind['max_provenance'][k])}" for k in rows],
            "score_text": [indicator_score_text(ind["score"][k], ind["max_score"][k], ind["source"][k], status[k])
                           for k in rows],
            "national_median": [ind["national_median"][k] for k in rows],
            "state_median": [ind["state_median"][k] for k in rows],
            "rec": [text.get(ind["indicator"][k], "") for k in rows],
        }
        columns = {"label": "Indicator", "score_text": "Score / max",
                   "national_median": "National median" + others.replace(" values", "")}
        n_state = int(ind["n_state_cities"][rows[0]]) if rows else 0
        if n_state > 1:
            columns["state_median"] = f"State median ({n_state} cities)"
        if text:
            columns["rec"] = "Recommendation"
        out.append(html_table(view, columns=columns).replace('class="dmaf-table"', 'class="dmaf-table dmaf-seed"', 1))
    return "".join(out)
