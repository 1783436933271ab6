"""How sure a city's certification level is, as one sentence on its report card.

A framework may leave its certification thresholds or some indicator maxima
off the record. :func:`level_uncertainty` runs
:func:`~dmaf_analysis.sensitivity.uncertainty_analysis` with only the
``thresholds`` and ``maxima`` groups of the framework's spec varying and says
how often a city keeps its level; :func:`card_level_uncertainty` keeps the
table of all cities for a loaded data set, so a batch of cards pays for it once,
and :func:`level_uncertainty_html` is the card's paragraph.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd

from ..framework import Framework, frameworks_or_bundled
from ..io import expects_table
from ..scoring import dataset_key, resolve_cycle
from . import _robustness as rb
from ._assumptions import load_spec
from ._uncertainty import uncertainty_analysis

__all__ = ["CARD_CERTAINTY", "LevelUncertainty", "card_level_uncertainty", "card_table", "level_uncertainty",
           "level_uncertainty_html"]

_CARD_CACHE: dict = {}  # (content fingerprint, cycle, draws, seed) -> (None, per-city table)
#: A card speaks of the level's uncertainty only when the city keeps it in fewer runs than this.
CARD_CERTAINTY = 0.95


@dataclass(frozen=True, eq=False)
class LevelUncertainty:
    """How likely a city's level is under the unknown thresholds and maxima.

    Attributes
    ----------
    city : str
    level : str or None
        The level with the framework's values.
    p_level : float
        Share of draws in which the city keeps that level.
    probabilities : dict
        Level -> share of draws (levels with a share above 0), plus
        ``"no score"`` when some draws leave the city unscored.
    n_draws : int
    matters : bool
        ``p_level``, as a whole percentage, below :data:`CARD_CERTAINTY`: the card should say so.
    varied : tuple
        What varied, as ``(kind, count)`` pairs (``("thresholds", 1)``, ``("maxima", 6)``).
    """

    city: str
    level: str | None
    p_level: float
    probabilities: dict
    n_draws: int
    matters: bool
    varied: tuple = ()

    @property
    def varied_words(self) -> str:
        """What is not on record, in words: "the certification thresholds and 6 indicator maxima"."""
        parts = []
        for kind, count in self.varied:
            if kind == "thresholds":
                parts.append("the certification thresholds" if count != 1 else "a certification threshold")
            elif kind == "maxima":
                parts.append(f"{count} indicator maxim{'um' if count == 1 else 'a'}")
        return " and ".join(parts)

    def statement(self) -> str:
        """One plain sentence (empty when the level is not in doubt)."""
        if not self.matters or self.level is None:
            return ""
        others = [f"{name} in {p:.0%}" for name, p in self.probabilities.items() if name != self.level and p > 0]
        rest = f"; otherwise {', '.join(others)}" if others else ""
        what = self.varied_words or "some values of the framework"
        plural = what.startswith("the ") or " and " in what or not what.startswith(("a ", "1 "))
        return (f"{what[0].upper()}{what[1:]} {'are' if plural else 'is'} not on record. Over "
                f"{self.n_draws:,} plausible values of {'them' if plural else 'it'}, {self.city} stays at "
                f"{self.level} in {self.p_level:.0%} of cases{rest}.")


def card_table(scores, *, cycle, frameworks, cities, n_draws, seed) -> pd.DataFrame:
    """Per-city uncertainty (as :func:`uncertainty_analysis`) with only the framework spec's
    ``thresholds`` and ``maxima`` groups varying; an empty table when neither varies."""
    aspec = load_spec(frameworks[cycle]).only("thresholds", "maxima")
    if not aspec.assumptions:
        return pd.DataFrame(columns=["city"])
    table = uncertainty_analysis(scores, cycle=cycle, frameworks=frameworks, cities=cities, spec=aspec,
                                 n_draws=n_draws, seed=seed).cities
    table.attrs["varied"] = tuple((a.kind, len(a.variables)) for a in aspec.assumptions)
    return table


def _from_table(table: pd.DataFrame, city: str, framework: Framework, n_draws: int) -> LevelUncertainty:
    row = table[table["city"] == city]
    if row.empty:
        return LevelUncertainty(str(city), None, float("nan"), {}, int(n_draws), False)
    row = row.iloc[0]
    level = row["nominal_level"] if isinstance(row["nominal_level"], str) else None
    probs = {}
    for name in framework.levels["level"]:
        p = float(row.get(f"p_{rb.level_slug(name)}", 0.0))
        if p > 0:
            probs[name] = p
    if float(row.get("p_unscored", 0.0)) > 0:
        probs["no score"] = float(row["p_unscored"])
    p_level = probs.get(level, 0.0) if level else float("nan")
    # judged on the percentage the card prints, so a card never says "stays ... in 95 %" as a doubt
    matters = level is not None and round(100 * p_level) < round(100 * CARD_CERTAINTY)
    return LevelUncertainty(str(city), level, p_level, probs, int(n_draws), bool(matters),
                            tuple(table.attrs.get("varied", ())))


@expects_table("scores")
def level_uncertainty(scores: pd.DataFrame, *, city: str, cycle: int = 0,
                      frameworks: dict[int, Framework] | None = None, cities: pd.DataFrame | None = None,
                      n_draws: int = 2000, seed: int = 0) -> LevelUncertainty:
    """The probability of a city's level when only the thresholds and maxima vary.

    Runs :func:`uncertainty_analysis` with the ``thresholds`` and ``maxima``
    groups of the framework's spec, for every city at once (see
    :func:`card_level_uncertainty` for the cached version the cards use).
    """
    frameworks = frameworks_or_bundled(frameworks)
    c = resolve_cycle(pd.unique(scores["cycle"]), cycle)
    table = card_table(scores, cycle=c, frameworks=frameworks, cities=cities, n_draws=n_draws, seed=seed)
    return _from_table(table, city, frameworks[c], n_draws)


def card_level_uncertainty(data, *, city: str, cycle: int = 0, n_draws: int = 2000, seed: int = 0) -> LevelUncertainty:
    """:func:`level_uncertainty` of one city of a loaded :class:`~dmaf_analysis.scoring.Dataset`.

    The table of all cities is computed once per content of the data set
    (:func:`~dmaf_analysis.scoring.dataset_key`, or a fingerprint of the scores
    and the framework when the data set has no digest), so that a copy of the data
    set, as :func:`~dmaf_analysis.scoring.load_dataset` hands out, finds it, and a
    batch of cards rendered in one kernel pays for it once.
    """
    c = resolve_cycle(data.cycles, cycle)
    key = (dataset_key(data) or _fingerprint(data.scores, data.frameworks[c]), c, int(n_draws), int(seed))
    held = _CARD_CACHE.get(key)
    if held is None:
        table = card_table(data.scores, cycle=c, frameworks=data.frameworks, cities=data.cities,
                           n_draws=n_draws, seed=seed)
        if len(_CARD_CACHE) >= 8:
            _CARD_CACHE.clear()
        held = _CARD_CACHE[key] = (None, table)
    return _from_table(held[1], city, data.frameworks[c], n_draws)


def _fingerprint(scores: pd.DataFrame, framework: Framework) -> tuple:
    """What the card's uncertainty table depends on, by content (each card's data set is a fresh copy)."""
    def digest(frame: pd.DataFrame) -> str:
        return hashlib.sha1(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()).hexdigest()
    cols = [c for c in ("cycle", "city", "indicator", "score", "source") if c in scores.columns]
    return (digest(scores[cols].astype({"score": float}) if "score" in cols else scores[cols]),
            digest(framework.indicators[["indicator", "component", "max_score", "max_provenance"]]),
            digest(framework.levels[["level", "min_score", "certified", "provenance"]]), framework.source)


def level_uncertainty_html(data, *, city: str, cycle: int = 0) -> str:
    """The card's sentence on how likely the city's level is, as an HTML paragraph ("" when not in doubt)."""
    import html

    text = card_level_uncertainty(data, city=city, cycle=cycle).statement()
    if not text:
        return ""
    return f'<p class="dmaf-level-uncertainty"><strong>How sure is this level?</strong> {html.escape(text)}</p>'
