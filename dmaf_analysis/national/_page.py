"""The page around the national reports' tables: findings box, contents, labels, files note.

:func:`findings_html` boxes the key findings, :func:`toc_html` links to the
sections listed in :data:`OVERVIEW_SECTIONS` / :data:`TRENDS_SECTIONS` by the ids
nbconvert gives their headings (:func:`slug_id`), :func:`files_note_html` points to
the folder of full tables, and :func:`component_labels` /
:func:`certified_levels` read the names a page shows from the frameworks. Every
piece of text is HTML-escaped.
"""
from __future__ import annotations

import html

__all__ = [
    "OVERVIEW_SECTIONS", "TRENDS_SECTIONS", "certified_levels", "component_labels", "files_note_html",
    "findings_html", "sentence_html", "slug_id", "toc_html",
]


def findings_html(sentences: list[str], *, title: str = "Key findings", synthetic_share: float = 0.0) -> str:
    """The findings as an escaped list in a box, headed ``title`` (an ``h2`` with id ``key-findings``).

    When ``synthetic_share`` (the share of the values that are synthetic) is above 0
    the box opens with a line saying the findings rest on synthetic values.
    """
    items = "".join(f"<li>{html.escape(s)}</li>" for s in sentences)
    caveat = ""
    if synthetic_share > 0:
        share = "all" if synthetic_share >= 1 else f"{100 * synthetic_share:.0f} %".replace("100 %", "over 99 %")
        caveat = (f'<p class="dmaf-findings-caveat"><strong>These findings rest on synthetic values</strong> '
                  f"({html.escape(share)} of the values are synthetic): they demonstrate the analysis and are not "
                  f"results about the cities.</p>")
    return (f'<section class="dmaf-findings"><h2 id="key-findings">{html.escape(title)}</h2>'
            f"{caveat}<ul>{items}</ul></section>")


def sentence_html(text: str) -> str:
    """A computed sentence (:func:`~dmaf_analysis.national.distribution_sentence` ...) as an escaped paragraph;
    "" when there is nothing to say."""
    return f"<p>{html.escape(text)}</p>" if text else ""


def slug_id(title: str) -> str:
    """The id nbconvert gives a markdown heading ``title``: spaces become hyphens, the rest URL-quoted."""
    from urllib.parse import quote

    return quote(str(title).replace(" ", "-"), safe="?/:@!$&'()*+,;=")


#: Section headings of the national overview and trends notebooks (their ``##`` headings, in order).
OVERVIEW_SECTIONS = ["Ranking", "Distributions", "Certification", "Floor and ceiling effects",
                     "States, regions and rounds", "How robust is the ranking", "Sensitivity: which assumption matters",
                     "Engagement and maturity",
                     "Method: statistical audit", "Checks against the published record", "Data and provenance"]
TRENDS_SECTIONS = ["Every city's change", "How much scores changed", "Certification transitions", "Rank mobility",
                   "Most improved and most declined", "Cities assessed in only one cycle", "All paired cities",
                   "Data and provenance"]


def toc_html(sections: list[str], *, title: str = "Contents") -> str:
    """A table of contents linking to the heading ids nbconvert gives ``sections`` (:func:`slug_id`)."""
    items = "".join(f'<li><a href="#{html.escape(slug_id(s), quote=True)}">{html.escape(s)}</a></li>'
                    for s in sections)
    return f'<nav class="dmaf-toc"><h2>{html.escape(title)}</h2><ol>{items}</ol></nav>'


def certified_levels(frameworks, cycles) -> list[str]:
    """Names of the levels that count as certified in any of ``cycles`` (from their frameworks)."""
    names: list[str] = []
    for c in cycles:
        levels = frameworks[int(c)].levels
        for name in levels.loc[levels["certified"].astype(bool), "level"]:
            if name not in names:
                names.append(str(name))
    return names


def component_labels(framework) -> dict[str, str]:
    """``{component id: name, "overall": "Overall"}`` from a framework."""
    return {**dict(zip(framework.components["component"], framework.components["name"])), "overall": "Overall"}


def files_note_html(folder: str, *, formats: str = "CSV, Parquet and one Excel workbook") -> str:
    """A line saying that every table is in ``folder`` beside the page (a relative link; no local path)."""
    href = html.escape(folder.rstrip("/") + "/", quote=True)
    return (f'<p class="dmaf-files">Every table of this report, in full, is in the folder '
            f'<a href="{href}">{html.escape(folder)}/</a> beside this page ({html.escape(formats)}).</p>')
