"""Which assumption moves a city's rank and level: robustness, uncertainty and sensitivity analysis.

The assumptions that may vary are declared in a spec (:func:`load_spec`,
:class:`AssumptionSpec`): component weights, aggregation, certification
thresholds, inferred indicator maxima and the treatment of missing values, each
one *group*. The parts:

* ``_assumptions``: the spec, its checks and the decoding of draws into model
  settings; ``_settings``: :class:`Settings` and the framework as published;
* ``_model_runs``: the scoring chain for many settings at once, vectorised
  (:func:`model_data`, :func:`run_model`, :func:`nominal_run`);
* ``_robustness``: ranks under random weights and aggregations
  (:func:`rank_robustness`);
* ``_sobol``: first-order and total Sobol indices with bootstrap intervals,
  from sums over the base rows added a chunk at a time;
* ``_uncertainty``: :func:`sensitivity_analysis` (SALib's Sobol' design,
  ``N * (groups + 2)`` runs, made and reduced a chunk at a time, so memory
  hardly grows with ``N``), :func:`uncertainty_analysis` and
  :func:`city_drivers`;
* ``_leave_one_out``: rank shifts when one component or indicator is dropped;
* ``_card_uncertainty``: how sure a city's level is, as the sentence on its card.
"""
from __future__ import annotations

from ._assumptions import (Assumption, AssumptionSpec, decode, DEFAULT_ASSUMPTIONS, KINDS, load_spec, parse_spec,
                           problem, read_spec_file, spec_path, SPEC_SUFFIX)
from ._card_uncertainty import (CARD_CERTAINTY, card_level_uncertainty, card_table, level_uncertainty,
                                level_uncertainty_html, LevelUncertainty)
from ._leave_one_out import leave_one_out, LeaveOneOut
from ._model_runs import model_data, ModelData, ModelRuns, nominal_run, run_model
from ._robustness import (aggregate, AGGREGATIONS, competition_ranks, draw_aggregations, draw_weights,
                          GEOMETRIC_OFFSET, level_slug, N_DRAWS, PERTURBATION, rank_robustness, RankRobustness,
                          summarise_draws)
from ._settings import AGGREGATION_CHOICES, MISSING_CHOICES, nominal_settings, Settings
from ._sobol import CONF_LEVEL, N_RESAMPLES, sobol_indices
from ._uncertainty import (city_drivers, INDEX_COLUMNS, N_SAMPLES, sensitivity_analysis, SensitivityResult,
                           uncertainty_analysis)

__all__ = [
    "aggregate", "AGGREGATION_CHOICES", "AGGREGATIONS", "Assumption", "AssumptionSpec", "CARD_CERTAINTY",
    "card_level_uncertainty", "card_table", "city_drivers", "competition_ranks", "CONF_LEVEL", "decode",
    "DEFAULT_ASSUMPTIONS", "draw_aggregations", "draw_weights", "GEOMETRIC_OFFSET", "INDEX_COLUMNS", "KINDS",
    "leave_one_out", "LeaveOneOut", "level_slug", "level_uncertainty", "level_uncertainty_html", "LevelUncertainty",
    "load_spec", "MISSING_CHOICES", "model_data", "ModelData", "ModelRuns", "N_DRAWS", "N_RESAMPLES", "N_SAMPLES",
    "nominal_run", "nominal_settings", "parse_spec", "PERTURBATION", "problem", "rank_robustness", "RankRobustness",
    "read_spec_file", "run_model", "sensitivity_analysis", "SensitivityResult", "Settings", "sobol_indices",
    "spec_path", "SPEC_SUFFIX", "summarise_draws", "uncertainty_analysis"
]
