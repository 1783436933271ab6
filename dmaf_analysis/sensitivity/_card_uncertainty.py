"""How sure a city's certification level is, as one sentence on its report card.

The certification thresholds and some indicator maxima of DMAF are not
published. :func:`level_uncertainty` runs
:func:`~dmaf_analysis.sensitivity.uncertainty_analysis` with only the
``thresholds`` and ``maxima`` groups of the framework's spec varying and says
how often a city keeps its level; :func:`card_level_uncertainty` keeps the
table of all cities for a loaded data set, so a batch of cards pays for it once,
and :func:`level_uncertainty_html` is the card's paragraph.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..framework import Framework, frameworks_or_bundled
from ..io import expects_table
from ..scoring import resolve_cycle
from . import _robustness as rb
from ._assumptions import load_spec
from ._uncertainty import uncertainty_analysis

__all__ = ["CARD_CERTAINTY", "LevelUncertainty", "card_level_uncertainty", "card_table", "level_uncertainty",
           "level_uncertainty_html"]

_CARD_CACHE: dict = {}  # (id of a scores table, cycle, draws, seed) -> (that table, per-city table)
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
    """

    city: str
    level: str | None
    p_level: float
    probabilities: dict
    n_draws: int
    matters: bool

    def statement(self) -> str:
        """One plain sentence (empty when the level is not in doubt)."""
        if not self.matters or self.level is None:
            return ""
        others = [f"{name} in {p:.0%}" for name, p in self.probabilities.items() if name != self.level and p > 0]
        rest = f"; otherwise {', '.join(others)}" if others else ""
        return (f"The certification thresholds and some indicator maxima are not published. Over "
                f"{self.n_draws:,} plausible values of them, {self.city} stays at {self.level} in "
                f"{self.p_level:.0%} of cases{rest}.")


def card_table(scores, *, cycle, frameworks, cities, n_draws, seed) -> pd.DataFrame:
    """Per-city uncertainty (as :func:`uncertainty_analysis`) with only the framework spec's
    ``thresholds`` and ``maxima`` groups varying; an empty table when neither varies."""
    aspec = load_spec(frameworks[cycle]).only("thresholds", "maxima")
    if not aspec.assumptions:
        return pd.DataFrame(columns=["city"])
    return uncertainty_analysis(scores, cycle=cycle, frameworks=frameworks, cities=cities, spec=aspec,
                                n_draws=n_draws, seed=seed).cities


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
    return LevelUncertainty(str(city), level, p_level, probs, int(n_draws), bool(matters))


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

    The table of all cities is computed once per data set and kept while the
    same ``data.scores`` object is in use, so a batch of cards rendered in one
    kernel pays for it once.
    """
    c = resolve_cycle(data.cycles, cycle)
    key = (id(data.scores), c, int(n_draws), int(seed))
    held = _CARD_CACHE.get(key)
    if held is None or held[0] is not data.scores:
        table = card_table(data.scores, cycle=c, frameworks=data.frameworks, cities=data.cities,
                            n_draws=n_draws, seed=seed)
        if len(_CARD_CACHE) >= 8:
            _CARD_CACHE.clear()
        held = _CARD_CACHE[key] = (data.scores, table)
    return _from_table(held[1], city, data.frameworks[c], n_draws)


def level_uncertainty_html(data, *, city: str, cycle: int = 0) -> str:
    """The card's sentence on how likely the city's level is, as an HTML paragraph ("" when not in doubt)."""
    import html

    text = card_level_uncertainty(data, city=city, cycle=cycle).statement()
    if not text:
        return ""
    return f'<p class="dmaf-level-uncertainty"><strong>How sure is this level?</strong> {html.escape(text)}</p>'
