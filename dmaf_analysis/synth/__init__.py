"""The seeded synthetic panel: plausible scores for every city, held to the published facts.

:func:`synthesize_panel` draws a panel of any size from a seed; the published
national results (and the one real report card) are kept exactly, every other
value is marked ``synthetic``. :func:`write_panel` writes it beside its attribute
and cities tables.

The parts: ``_panel`` (the panel), ``_published`` (the published facts it keeps),
``_indicators`` (splitting totals into indicator points), ``_random`` (seeded
streams and integer draws).
"""
from __future__ import annotations

from ._panel import (ATTRIBUTE_TABLE_COLUMNS, DEFAULT_SEED, panel_cities, SCORE_TABLE_COLUMNS, sibling_paths,
                     synthesize_panel, synthetic_cities, write_panel)
from ._published import (ABSENT_FROM_CYCLE_1, KOHIMA, KOHIMA_PLACES, KOHIMA_POLICY, KOHIMA_PROCESS, LUDHIANA,
                         LUDHIANA_ENGAGEMENT, LUDHIANA_REPORT_CARD, POINT_STEP, PUBLISHED_CERTIFIED,
                         PUBLISHED_COMPONENTS, PUBLISHED_CYCLE, PUBLISHED_ENABLED, PUBLISHED_NATIONAL_MEAN,
                         PUBLISHED_NONZERO_COUNTS, PUBLISHED_REGION, PUBLISHED_REGION_CERTIFIED,
                         PUBLISHED_REGION_CITIES, PUBLISHED_REGION_MEAN, PUBLISHED_TIE_LEVEL, PUBLISHED_TIED_TENTH,
                         PUBLISHED_TOP_NINE)

__all__ = [
    "ABSENT_FROM_CYCLE_1", "ATTRIBUTE_TABLE_COLUMNS", "DEFAULT_SEED", "KOHIMA", "KOHIMA_PLACES", "KOHIMA_POLICY",
    "KOHIMA_PROCESS", "LUDHIANA", "LUDHIANA_ENGAGEMENT", "LUDHIANA_REPORT_CARD", "panel_cities", "POINT_STEP",
    "PUBLISHED_CERTIFIED", "PUBLISHED_COMPONENTS", "PUBLISHED_CYCLE", "PUBLISHED_ENABLED", "PUBLISHED_NATIONAL_MEAN",
    "PUBLISHED_NONZERO_COUNTS", "PUBLISHED_REGION", "PUBLISHED_REGION_CERTIFIED", "PUBLISHED_REGION_CITIES",
    "PUBLISHED_REGION_MEAN", "PUBLISHED_TIE_LEVEL", "PUBLISHED_TIED_TENTH", "PUBLISHED_TOP_NINE",
    "SCORE_TABLE_COLUMNS", "sibling_paths", "synthesize_panel", "synthetic_cities", "write_panel"
]
