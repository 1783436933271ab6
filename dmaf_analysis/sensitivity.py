"""Which assumption moves a city's rank and level: uncertainty and variance-based sensitivity analysis.

The assumptions that may vary are declared in a spec (:mod:`~dmaf_analysis.assumptions`):
component weights, aggregation, certification thresholds, inferred indicator
maxima and the treatment of missing values, each one *group*. This module is the
one place to import the analyses from; each part lives in the module of its task:

* :mod:`~dmaf_analysis.model_runs`: the scoring chain (points -> components ->
  overall -> rank -> level) for many settings of the assumptions at once,
  vectorised (:func:`model_data`, :func:`run_model`, :func:`nominal_run`).
* :mod:`~dmaf_analysis.sobol`: the first-order and total Sobol indices of many
  outputs at once, with bootstrap intervals (:func:`sobol_indices`).
* :mod:`~dmaf_analysis.uncertainty`: the analyses themselves,
  :func:`sensitivity_analysis` (SALib's Sobol' design, ``N * (groups + 2)``
  runs, indices of ``mean_rank_shift``, ``n_certified`` and each city's rank and
  certification), :func:`uncertainty_analysis` (plain Monte Carlo, no indices)
  and :func:`city_drivers` (the assumption that matters most for each city).
* :mod:`~dmaf_analysis.leave_one_out`: rank shifts when one component or one
  indicator is dropped (:func:`leave_one_out`, JRC audit practice).
* :mod:`~dmaf_analysis.card_uncertainty`: how sure a city's level is under the
  unpublished thresholds and maxima, as the sentence on its card
  (:func:`level_uncertainty`, :func:`card_level_uncertainty`,
  :func:`level_uncertainty_html`).
"""
from __future__ import annotations

from .card_uncertainty import (CARD_CERTAINTY, LevelUncertainty, card_level_uncertainty, card_table,
                               level_uncertainty, level_uncertainty_html)
from .leave_one_out import LeaveOneOut, leave_one_out
from .model_runs import ModelData, ModelRuns, model_data, nominal_run, run_model
from .sobol import CONF_LEVEL, N_RESAMPLES, sobol_indices
from .uncertainty import (INDEX_COLUMNS, N_SAMPLES, SensitivityResult, city_drivers, sensitivity_analysis,
                          uncertainty_analysis)

__all__ = ["CARD_CERTAINTY", "CONF_LEVEL", "INDEX_COLUMNS", "LeaveOneOut", "LevelUncertainty", "ModelData",
           "ModelRuns", "N_RESAMPLES", "N_SAMPLES", "SensitivityResult", "card_level_uncertainty", "card_table",
           "city_drivers", "leave_one_out", "level_uncertainty", "level_uncertainty_html", "model_data", "nominal_run",
           "run_model", "sensitivity_analysis", "sobol_indices", "uncertainty_analysis"]
