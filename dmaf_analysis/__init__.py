"""dmaf-analysis: score, compare and report on DMAF, the Data Maturity Assessment
Framework of India's Smart Cities Mission.

The public functions are re-exported here; each lives in the module of its task.
The modules form layers, each building on the ones above it (a few analyses also
use a presentation helper, e.g. ``compare`` draws its page with ``report_plots``):

1. Foundations: ``errors`` (every exception), ``numeric`` (tolerances, number
   formatting, summary statistics), ``fileio`` (input checks, atomic writes,
   safe YAML), ``escaping`` (text for charts and terminals), ``slug`` (safe
   file names and identifiers from names in data), ``problem_summary`` (many
   validation problems as a short message), ``_paths``.
2. Data: ``framework`` (the framework as data, level rules), ``cities`` (the
   Smart Cities and their aliases), ``data_contract`` (reading and validating
   score tables; ``dmaf_analysis.io`` is the old name of it), ``table_kinds``
   (which table a function was given), ``recommendations``.
3. Scoring: ``scoring`` (points -> components -> overall -> level -> rank),
   ``dataset`` (one loaded, scored data set), ``bounds``, ``ranking``; the
   synthetic panel: ``synth`` (its public face), ``synth_random``,
   ``synth_published`` (the published facts it holds to), ``synth_indicators``.
4. Analyses:

   * one city's card: ``report`` (its public face, re-exporting the parts),
     ``report_context`` (loading, the per-cycle cache), ``headline``,
     ``report_indicators``, ``level_path``, ``cycle_change``; and ``compare``,
     ``whatif``;
   * national: ``stats`` (re-exporting ``stats_common``,
     ``stats_distributions``, ``stats_audit``, ``stats_groups``), ``trends``,
     ``robustness``, ``national`` (every table of a national report);
   * sensitivity: ``assumptions`` (the declared assumptions, re-exporting
     ``model_settings``), ``sensitivity`` (its public face, re-exporting
     ``model_runs``, ``sobol``, ``uncertainty``, ``leave_one_out``,
     ``card_uncertainty``).
5. Presentation: ``report_figures`` and ``report_html`` (re-exported together by
   ``report_plots``), ``reporting`` (national tables and findings, re-exporting
   ``reporting_format``, ``reporting_tables``, ``reporting_findings``,
   ``reporting_page``), ``style``, ``plots`` (national charts), ``excel``,
   ``pdf``.
6. Input and output at scale: the ``ingest`` package (report cards -> score
   table) and the ``batch`` package (every report notebook, the index page;
   ``kernels`` and ``index_page`` at the top level are their old import paths).
7. Command line: ``cli`` (the ``dmaf`` entry point), ``cli_args`` (flag checks)
   and one module per group of sub-commands: ``cli_core`` (validate, score,
   summary), ``cli_single`` (national, trends, compare, whatif), ``cli_reports``
   (report, batch), ``cli_ingest``, ``cli_synth``, ``cli_sensitivity``.

Import a public name from the module that is the face of its task (``report``,
``stats``, ``sensitivity``, ``reporting``, ``synth``, ``data_contract``); the
modules behind a face may be reorganised.
"""
import functools as _functools
import pkgutil as _pkgutil
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

# Every other module loads on first use (dmaf_analysis.stats, .report, ...): importing the
# package stays light.
@_functools.cache
def _submodules() -> frozenset[str]:
    return frozenset(m.name for m in _pkgutil.iter_modules(__path__))


def __getattr__(name):
    if not name.startswith("_") and name in _submodules():
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
