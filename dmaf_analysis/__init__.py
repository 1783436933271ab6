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
from .errors import DataValidationError, DmafError, FrameworkError, Problem, UnknownCityError

#: The subpackages, loaded on first use (``dmaf_analysis.stats``...), so that importing the package stays light.
SUBPACKAGES = ("batch", "card", "cli", "explore", "ingest", "io", "national", "render", "scoring", "sensitivity",
               "stats", "synth")

#: The getting-started names, each loaded from its module on first use: ``import dmaf_analysis``
#: (and so ``dmaf --help``) imports neither pandas nor numpy.
_LAZY_NAMES = {
    **dict.fromkeys(("CityMatcher", "load_cities", "normalise_city_name", "resolve_city"), "cities"),
    **dict.fromkeys(("Framework", "indicator_table", "load_framework", "load_frameworks", "read_framework"),
                    "framework"),
    **dict.fromkeys(("read_city_attributes", "read_scores", "validate_scores", "write_table"), "io"),
    **dict.fromkeys(("Dataset", "component_scores", "group_summary", "load_dataset", "overall_scores",
                     "rank_within_cycle", "score_cities"), "scoring"),
    **dict.fromkeys(("panel_cities", "synthesize_panel"), "synth"),
}


def __getattr__(name):
    if name in SUBPACKAGES:
        return _importlib.import_module(f".{name}", __name__)
    if name in _LAZY_NAMES:
        value = getattr(_importlib.import_module(f".{_LAZY_NAMES[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY_NAMES) | set(SUBPACKAGES))


__all__ = [
    "CityMatcher", "DataValidationError", "Dataset", "DmafError", "Framework", "FrameworkError",
    "Problem", "UnknownCityError", "__version__", "component_scores", "group_summary", "indicator_table",
    "load_cities", "load_dataset", "load_framework", "load_frameworks", "normalise_city_name",
    "overall_scores", "panel_cities", "rank_within_cycle", "read_city_attributes", "read_framework", "read_scores",
    "resolve_city", "score_cities", "synthesize_panel", "validate_scores", "write_table",
]
