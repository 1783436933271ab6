"""dmaf-analysis: score, compare and report on DMAF, the Data Maturity Assessment
Framework of India's Smart Cities Mission.

The public functions are re-exported here; each lives in the module of its task.
The modules form layers, each building on the ones above it (a few analyses also
use a presentation helper, e.g. ``compare`` draws its page with ``report_plots``):

1. Foundations: ``errors`` (every exception), ``numeric`` (tolerances, number
   formatting, summary statistics), ``fileio`` (input checks, atomic writes,
   safe YAML), ``escaping`` (text for charts and terminals), ``slug`` (safe
   file names and identifiers from names in data), ``_paths``.
2. Data: ``framework`` (the framework as data, level rules), ``cities`` (the
   Smart Cities and their aliases), ``data_contract`` (reading and validating
   score tables; ``dmaf_analysis.io`` is the old name of it), ``recommendations``.
3. Scoring: ``scoring`` (points -> components -> overall -> level -> rank),
   ``dataset`` (one loaded, scored data set), ``bounds``, ``ranking``, ``synth``.
4. Analyses: ``report`` (one city's card), ``compare``, ``whatif``, ``stats``,
   ``trends``, ``robustness``, ``assumptions`` and ``sensitivity``, ``national``.
5. Presentation: ``report_figures`` and ``report_html`` (re-exported together by
   ``report_plots``), ``plots`` (national charts), ``excel``.
6. Input and output at scale: the ``ingest`` package (report cards -> score
   table) and the ``batch`` package (every report notebook, the index page).
7. Command line: ``cli`` (the ``dmaf`` entry point), ``cli_args`` (flag checks)
   and one ``cli_*`` module per group of sub-commands.
"""
import sys as _sys

from . import data_contract as io
from .cities import CityMatcher, load_cities, normalise_city_name, resolve_city
from .dataset import Dataset, load_dataset
from .errors import DataValidationError, DmafError, FrameworkError, Problem, UnknownCityError
from .data_contract import read_city_attributes, read_scores, validate_scores, write_table
from .framework import Framework, indicator_table, load_framework, load_frameworks, read_framework
from .scoring import component_scores, group_summary, overall_scores, rank_within_cycle, score_cities
from .synth import panel_cities, synthesize_panel

# The data contract used to live in dmaf_analysis.io: that import path keeps working.
_sys.modules[f"{__name__}.io"] = io

__version__ = "0.1.0"

# Task modules with heavier imports load on first use: dmaf_analysis.stats, .trends, ...
_LAZY_MODULES = {"stats", "trends", "robustness", "national", "plots", "report", "report_plots", "report_figures",
                 "report_html", "recommendations",
                 "ingest", "batch", "synth"}


def __getattr__(name):
    if name in _LAZY_MODULES:
        import importlib
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CityMatcher", "DataValidationError", "Dataset", "DmafError", "Framework", "FrameworkError",
    "Problem", "UnknownCityError", "component_scores", "group_summary", "indicator_table",
    "load_cities", "load_dataset", "load_framework", "load_frameworks", "normalise_city_name",
    "overall_scores", "rank_within_cycle", "read_city_attributes", "read_framework", "read_scores",
    "panel_cities", "resolve_city", "score_cities", "synthesize_panel", "validate_scores", "write_table",
]
