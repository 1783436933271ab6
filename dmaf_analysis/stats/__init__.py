"""National statistics of one or more cycles: distributions, a statistical audit, groups.

Every function takes the output of :func:`~dmaf_analysis.scoring.score_cities`
(``scored``) or the validated long score table (``scores``) and returns a new tidy
DataFrame with the columns listed in its docstring. Inputs are never modified.

Conventions used throughout (see ``docs/national.md``):

* ``measure`` is a component id (``policy`` ... ``outcomes``) or ``overall``.
* Standard deviations and variances use ``ddof=1`` (sample statistics).
* Quartiles use linear interpolation (``numpy.percentile``'s default).
* Skewness is the adjusted Fisher-Pearson coefficient G1 and kurtosis the
  bias-corrected *excess* kurtosis G2, the same as ``scipy.stats.skew(bias=False)``
  and ``scipy.stats.kurtosis(fisher=True, bias=False)`` (and Excel's ``SKEW`` and
  ``KURT``, which the JRC/OECD audit thresholds were written for). A normal
  distribution has G2 = 0.
* Gini = mean absolute difference / (2 * mean), over all ordered pairs including
  each value with itself; NaN when the mean is 0 (all values 0: inequality is
  undefined) or there are no values.
* Bootstrap confidence intervals are percentile intervals from ``n_boot``
  resamples (default 2,000, level 95 %). Each cell (cycle, group, measure) is
  seeded from ``seed`` and a CRC32 of its own key, so its interval does not
  depend on which other groups are present and repeats exactly for a given seed.

Cycle-to-cycle trends (paired scores, changes, transitions, rank mobility) take
the scored table of two cycles.

The parts: ``_common`` (the cycles and measures of a table, its numbers,
Spearman's rho), ``_distributions`` (shape, floor and ceiling effects, the
leaderboard, level counts), ``_audit`` (correlations, Cronbach's alpha, PCA,
effective weights), ``_groups`` (bootstrap intervals, group medians,
Kruskal-Wallis, engagement) and ``_trends`` (change between two cycles).
"""
from __future__ import annotations

from ._audit import (component_alphas, component_correlations, cronbach_alpha, effective_weights, pca_loadings,
                     pca_variance)
from ._common import measures_for
from ._distributions import (distribution_summary, excess_kurtosis, gini, indicator_distribution, KURTOSIS_LIMIT,
                             leaderboard, level_counts, outlier_flags, SKEW_LIMIT, skewness)
from ._groups import (bootstrap_ci, cell_seed, CI_LEVEL, engagement_association, engagement_table, group_medians,
                      GROUPINGS, kruskal_by_group, N_BOOT)
from ._trends import (change_summary, city_changes, most_changed, paired_scores, rank_biserial, rank_mobility,
                      transition_matrix, unpaired_cities)

__all__ = [
    "bootstrap_ci", "cell_seed", "change_summary", "CI_LEVEL", "city_changes", "component_alphas",
    "component_correlations", "cronbach_alpha", "distribution_summary", "effective_weights", "engagement_association",
    "engagement_table", "excess_kurtosis", "gini", "group_medians", "GROUPINGS", "indicator_distribution",
    "kruskal_by_group", "KURTOSIS_LIMIT", "leaderboard", "level_counts", "measures_for", "most_changed", "N_BOOT",
    "outlier_flags", "paired_scores", "pca_loadings", "pca_variance", "rank_biserial", "rank_mobility", "SKEW_LIMIT",
    "skewness", "transition_matrix", "unpaired_cities"
]
