"""dmaf-analysis: score, compare and report on DMAF, the Data Maturity Assessment
Framework of India's Smart Cities Mission, or on any framework laid out like it.

The names below are the getting-started ones; everything else lives in the
subpackage of its concern, each with a public face (its ``__init__`` and
``__all__``) and private ``_modules`` behind it. From the bottom layer up (a layer
imports only layers below it):

1. ``_util`` (no DMAF knowledge: numbers, files, slugs, escaping, paths),
   ``errors`` (every exception and the validation problems), ``_version``;
2. ``framework`` (the framework as data), ``cities`` (the cities table, name
   matching), ``render`` (chart style, templates, page metadata, PDFs);
3. ``io`` (score tables in and out), ``ingest`` (report cards -> score table);
4. ``scoring`` (points -> components -> overall -> level -> rank, ``Dataset``,
   bounds, what-if), ``synth`` (the seeded synthetic panel);
5. ``stats`` (national statistics, trends), ``sensitivity`` (assumptions,
   robustness, Sobol indices, uncertainty);
6. ``card`` (one city's report card, the comparison page), ``national`` (the
   national overview and trends reports), ``explore`` (the explorer page of
   every city, its charts for notebooks, scenarios);
7. ``batch`` (the notebook engine), then ``cli`` (the ``dmaf`` command).

``stats`` and ``sensitivity`` do not import each other, nor do ``card``,
``national`` and ``explore``; ``tests/system/test_layers.py`` checks the rule.
"""
import importlib as _importlib

from ._version import __version__
from .cities import CityMatcher, load_cities, normalise_city_name, resolve_city
from .errors import DataValidationError, DmafError, FrameworkError, Problem, UnknownCityError
from .framework import Framework, indicator_table, load_framework, load_frameworks, read_framework
from .io import read_city_attributes, read_scores, validate_scores, write_table
from .scoring import (
    Dataset,
    component_scores,
    group_summary,
    load_dataset,
    overall_scores,
    rank_within_cycle,
    score_cities,
)
from .synth import panel_cities, synthesize_panel

#: The subpackages, loaded on first use (``dmaf_analysis.stats``...), so that importing the package stays light.
SUBPACKAGES = ("batch", "card", "cli", "explore", "ingest", "io", "national", "render", "scoring", "sensitivity",
               "stats", "synth")


def __getattr__(name):
    if name in SUBPACKAGES:
        return _importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CityMatcher", "DataValidationError", "Dataset", "DmafError", "Framework", "FrameworkError",
    "Problem", "UnknownCityError", "__version__", "component_scores", "group_summary", "indicator_table",
    "load_cities", "load_dataset", "load_framework", "load_frameworks", "normalise_city_name",
    "overall_scores", "panel_cities", "rank_within_cycle", "read_city_attributes", "read_framework", "read_scores",
    "resolve_city", "score_cities", "synthesize_panel", "validate_scores", "write_table",
]
