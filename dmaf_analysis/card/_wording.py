"""The card's sentences that describe the data, each computed from it: :func:`indicators_intro`,
:func:`about_text` (the About box), :func:`change_caveat` and :func:`source_words`.

Nothing here names a framework, a publisher or a source the data do not name: the
framework's own ``about`` and ``publisher`` give the credit, a value's ``source`` is
shown as the score table gives it, and which maxima, weights and thresholds are on
record comes from the framework file. Re-exported by :mod:`dmaf_analysis.card`.
"""
from __future__ import annotations

import html

import pandas as pd

from ..framework import Framework, framework_credit, provenance_words
from ..io import is_synthetic
from ..scoring import Dataset

__all__ = ["about_html", "about_text", "change_caveat", "indicators_intro", "sections_intro", "source_words"]


def _join(parts: list[str]) -> str:
    parts = [p for p in parts if p]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def source_words(source) -> str:
    """A value's source as the data give it; the ingest label ``report_card`` reads "report card"."""
    text = str(source)
    return "report card" if text == "report_card" else text


def indicators_intro(indicators: pd.DataFrame) -> str:
    """The paragraph explaining the indicator table, naming only the sources and maxima it shows.

    ``indicators`` is :func:`~dmaf_analysis.card.indicator_scores`.
    """
    text = ("Every indicator with the city's points out of the indicator's maximum, the medians of all cities and "
            "of the cities of the same state, and the points still missing. Percentile places the city among all "
            "cities (0 = lowest, 100 = highest, ties counted half).")
    return text + _values_and_maxima(indicators, source_lead="Source of value gives where each value comes from",
                                     maxima_lead="Max known from says how each maximum is known")


def sections_intro(indicators: pd.DataFrame, recommendations: pd.DataFrame | None = None) -> str:
    """The paragraph opening the component-by-component part of the card, true of what it shows.

    ``indicators`` is :func:`~dmaf_analysis.card.indicator_scores` and
    ``recommendations`` :func:`~dmaf_analysis.card.recommendations` (``None`` or
    empty: the part has no recommendation texts, and the paragraph says none).
    The sentence about values not on record appears only when the city has such
    values; those on sources, text order and maxima only when they apply.
    """
    has_recs = recommendations is not None and len(recommendations) > 0
    text = ("Each component with its score out of 100, then each indicator with its score out of the indicator's "
            "maximum and the medians of all cities and of the cities of the same state"
            + (", and its recommendation." if has_recs else "."))
    if len(indicators) and "status" in indicators.columns and (indicators["status"] == "not on record").any():
        text += (" A value not on record is shown with the range it could take (0 to its maximum), and a component "
                 "with such a value as its range.")
    text += _values_and_maxima(indicators, source_lead="The values shown come from", maxima_lead="The maxima are")
    if has_recs:
        text += " The recommendations come from the data folder's recommendations file; they are not official guidance."
    return text


def _values_and_maxima(indicators: pd.DataFrame, *, source_lead: str, maxima_lead: str) -> str:
    """Sentences on where the shown values come from and how the maxima are known ("" for no indicators)."""
    text = ""
    if not len(indicators):
        return text
    present = indicators[indicators["score"].notna()]
    sources = list(dict.fromkeys(source_words(s) for s in present["source"].astype(str)))
    if sources:
        synthetic = [s for s in sources if is_synthetic(s)]
        named = [f"'{s}'" for s in sources if not is_synthetic(s)]
        where = _join(named + (["synthetic (generated for illustration, not measured)"] if synthetic else []))
        text += f" {source_lead}, as the data label it: {where}."
    placed = present["placed_by"].astype(str) if "placed_by" in present.columns else pd.Series(dtype=str)
    if (placed == "order").any():
        text += (" A value placed by text order was matched to its indicator by the order of the extracted text, "
                 "not by its heading.")
    kinds = list(dict.fromkeys(indicators["max_provenance"].astype(str)))
    if kinds == ["seen"]:
        text += " Every indicator maximum is on record."
    else:
        explain = {"seen": "published", "seen_order": "published, attached to its indicator by the order of "
                                                      "the source text",
                   "inferred": "so that the component adds up to 100", "illustrative": "chosen without a source"}
        text += (f" {maxima_lead}: "
                 + _join([f"'{provenance_words(k)}' ({explain[k]})" if k in explain else f"'{k}'"
                          for k in kinds]) + ".")
    return text


def _record_words(fw: Framework) -> str:
    """Which maxima, weights and thresholds of ``fw`` are on record, as one sentence."""
    n = len(fw.indicator_ids)
    unsure = fw.n_maxima_not_on_record
    maxima = ("every indicator maximum is on record" if unsure == 0 else
              f"{unsure} of the {n} indicator maxima {'is' if unsure == 1 else 'are'} not on record")
    weights = "the component weights are on record" if fw.weights_provenance == "seen" else \
        "the component weights are assumed"
    thresholds = ("the level thresholds are illustrative" if fw.thresholds_illustrative
                  else "the level thresholds are on record")
    if fw.provenance == "illustrative":
        return ("The framework of this cycle is an illustrative placeholder: its indicators, maxima, weights and "
                "thresholds are not on record.")
    sentence = f"In this framework {maxima}, {weights} and {thresholds}."
    return sentence


def about_text(data: Dataset, *, cycle: int = 0) -> str:
    """The About box of a card: what produced it, the framework's own credit, the method, what is on record.

    The credit is the framework file's ``about`` and ``publisher``
    (:func:`~dmaf_analysis.framework.framework_credit`); the synthetic-values
    sentence appears only when the cycle holds synthetic values.
    """
    c = data.resolve_cycle(cycle)
    fw = data.frameworks[c]
    parts = ["Produced by dmaf-analysis, an open-source toolkit; this card is not an official document."]
    credit = framework_credit(fw)
    if credit:
        parts.append(credit)
    parts.append("Component scores are sums of indicator points; the overall score is the weighted mean of the "
                 "components; ranks are competition ranks (equal scores share a rank).")
    parts.append(_record_words(fw))
    if data.synthetic_share(c) > 0:
        parts.append("Values marked synthetic were generated for illustration and describe no real city.")
    parts.append("See docs/report.md for where each number comes from.")
    return " ".join(parts)


def about_html(data: Dataset, *, cycle: int = 0) -> str:
    """:func:`about_text` under an "About this report card" heading (escaped)."""
    return f"<h2>About this report card</h2><p>{html.escape(about_text(data, cycle=cycle))}</p>"


def change_caveat(previous: Framework, current: Framework) -> str:
    """The caveat under a change between two cycles: only what is true of the two frameworks ("" if none).

    Says that the frameworks differ only when their definitions do
    (:meth:`~dmaf_analysis.framework.Framework.same_definition`), that one is a
    placeholder only when its file says so, and that the levels rest on
    illustrative thresholds only when they do.
    """
    notes = []
    if not previous.same_definition(current):
        notes.append("The cycles use different frameworks, so read the change as approximate.")
    placeholders = [f"Cycle {fw.cycle}" for fw in (previous, current) if fw.provenance == "illustrative"]
    if placeholders:
        whose = _join(placeholders)
        notes.append(f"The framework of {whose} is an illustrative placeholder.")
    if previous.thresholds_illustrative or current.thresholds_illustrative:
        notes.append("The level thresholds are illustrative, so a change of level is indicative only.")
    return " ".join(notes)
