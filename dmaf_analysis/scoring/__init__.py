"""Points -> components -> overall -> level -> rank, and what the known values allow.

* :func:`score_cities` and its steps (:func:`component_scores`,
  :func:`overall_scores`, :func:`rank_within_cycle`), :func:`group_summary`
  (by any column of the cities or attribute table: :func:`group_values`);
* :class:`Dataset` / :func:`load_dataset`: one loaded, scored data set, which
  resolves a city name (:meth:`Dataset.resolve_city`) and a cycle
  (:meth:`Dataset.resolve_cycle`, :func:`resolve_cycle_pair`) for every caller;
* :func:`score_bounds`, :func:`add_bounds`: the range the values on record allow;
* :func:`what_if`: a city's scores if some indicators had other points.

The parts: ``_scoring``, ``_dataset``, ``_bounds``, ``_whatif``.
"""
from __future__ import annotations

from ._bounds import add_bounds, BOUND_COLUMNS, BOUNDS_TABLE_COLUMNS, range_sentence, score_bounds, unknown_mask
from ._dataset import (Dataset, dataset_digest, dataset_key, load_dataset, lookup_key, match_key, resolve_cycle,
                       resolve_cycle_pair)
from ._scoring import (all_component_ids, checked_weights, component_scores, group_summary, group_values,
                       grouping_columns, ID_COLUMNS,
                       indicator_matrix, level_order, OVERALL_DECIMALS, overall_scores, rank_within_cycle,
                       RESULT_COLUMNS, score_cities, score_columns)
from ._whatif import check_changes, describe_changes, parse_assignments, what_if, WHATIF_SOURCE

__all__ = [
    "add_bounds", "all_component_ids", "BOUND_COLUMNS", "BOUNDS_TABLE_COLUMNS", "check_changes", "checked_weights",
    "component_scores", "Dataset", "dataset_digest", "dataset_key", "describe_changes", "group_summary",
    "group_values", "grouping_columns", "ID_COLUMNS", "indicator_matrix", "level_order", "load_dataset", "lookup_key",
    "match_key",
    "OVERALL_DECIMALS", "overall_scores", "parse_assignments", "range_sentence",
    "rank_within_cycle", "resolve_cycle", "resolve_cycle_pair", "RESULT_COLUMNS", "score_bounds", "score_cities",
    "score_columns", "unknown_mask", "what_if", "WHATIF_SOURCE"
]
