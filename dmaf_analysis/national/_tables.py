"""Orchestration of the national analyses: every table of a cycle or a pair of cycles.

:func:`national_tables` and :func:`trend_tables` call the functions of
:mod:`~dmaf_analysis.stats`, :mod:`~dmaf_analysis.stats` and
:mod:`~dmaf_analysis.sensitivity` on a loaded :class:`~dmaf_analysis.scoring.Dataset`
and return a dict of named tables; :func:`write_tables` writes them as CSV
(spreadsheet-safe) and Parquet, each file atomically. The notebooks
``national_overview.ipynb`` and ``national_trends.ipynb`` are thin wrappers around
these functions.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .. import sensitivity, stats
from .._util.numeric import is_whole_share, share_words
from .._util.paths import default_output_root
from ..framework import component_map, framework_credit, framework_title
from ..io import value_sources, WorkbookAbout, write_table, write_workbook
from ..scoring import Dataset, resolve_cycle, resolve_cycle_pair
from . import _charts
from ._columns import overview_table
from ._record import mark_published

__all__ = ["DEFAULT_OUTPUT_DIR", "GROUPING_WORDS", "cycle_folder", "data_notice", "data_notice_html",
           "group_heatmap", "groups_intro_html", "groups_table_html", "missing_groupings",
           "national_output_dir", "national_tables", "provenance_table", "report_title", "report_title_html",
           "run_national", "run_trends", "trend_folder", "trend_tables",
           "workbook_about", "workbook_name", "write_tables"]

#: Kept for compatibility: the national tables' folder relative to a project folder.
DEFAULT_OUTPUT_DIR = "outputs/national"
#: Base samples of the national report's sensitivity analysis (1,024 x 7 = 7,168 model runs);
#: ``dmaf sensitivity`` uses 4,096 by default.
SENSITIVITY_SAMPLES = 1024


def national_output_dir(output_dir: str | Path | None = "") -> Path:
    """``output_dir`` itself, or, when empty, ``national/`` under :func:`default_output_root`."""
    return Path(output_dir) if output_dir else default_output_root() / "national"


# ------------------------------------------------------------------------------ cycles
# ------------------------------------------------------------------------------ notice
def provenance_table(dataset: Dataset, cycles) -> pd.DataFrame:
    """Where the numbers come from, per cycle.

    Returns
    -------
    DataFrame
        Columns ``cycle, n_cities, synthetic_share, framework_provenance,
        weights_illustrative, thresholds_illustrative, n_maxima, n_maxima_on_record,
        scores_file``:
        ``synthetic_share`` is the share of indicator values whose source is
        ``synthetic``; ``weights_illustrative`` and ``thresholds_illustrative``
        say whether the component weights / a level threshold are not on
        record; ``n_maxima`` counts the indicators and ``n_maxima_on_record``
        those whose maximum is on record; ``scores_file`` is the score table's file name (no folders, so
        published tables do not reveal local paths).
    """
    rows = []
    for c in sorted(int(x) for x in cycles):
        fw = dataset.frameworks[c]
        rows.append({"cycle": c, "n_cities": int((dataset.scored["cycle"] == c).sum()),
                     "synthetic_share": float(dataset.synthetic_share(c)),
                     "framework_provenance": fw.provenance,
                     "weights_illustrative": fw.weights_provenance != "seen",
                     "thresholds_illustrative": fw.thresholds_illustrative,
                     "n_maxima": len(fw.indicator_ids),
                     "n_maxima_on_record": len(fw.indicator_ids) - fw.n_maxima_not_on_record,
                     "scores_file": Path(dataset.scores_path).name if dataset.scores_path else ""})
    return pd.DataFrame(rows, columns=["cycle", "n_cities", "synthetic_share", "framework_provenance",
                                       "weights_illustrative", "thresholds_illustrative", "n_maxima",
                                       "n_maxima_on_record", "scores_file"])


def _nothing_to_show(dataset: Dataset, cycles: list[int]) -> list[str]:
    """A note for each cycle in which no city has an overall score: its tables and charts are empty."""
    notes = []
    scored, scores = dataset.scored, dataset.scores
    for c in cycles:
        part = scored[scored["cycle"] == c]
        if len(part) and not part["overall"].notna().any():
            values = scores.loc[scores["cycle"] == c, "score"]
            notes.append(f"Cycle {c}: no city has an overall score ({int(values.isna().sum()):,} of {len(values):,} "
                         f"indicator values are missing, and each of the {len(part):,} cities lacks at least one), "
                         "so there is nothing to rank, summarise or compare: the tables and charts below are empty.")
    return notes


def data_notice(dataset: Dataset, cycles) -> list[str]:
    """Plain-text warnings about synthetic data and illustrative framework parts (may be empty)."""
    cycles = [int(c) for c in cycles]
    notes = _nothing_to_show(dataset, cycles)
    if len(cycles) == 2:
        earlier = dataset.synthetic_share(min(cycles))
        if earlier > 0:
            amount = "Every" if is_whole_share(earlier) else f"{share_words(earlier).capitalize()} of the"
            notes.append(f"{amount} Cycle {min(cycles)} value{'' if amount == 'Every' else 's'} "
                         f"{'is' if amount == 'Every' else 'are'} SYNTHETIC: every change, transition and "
                         "most-improved or most-declined city below compares with invented earlier values, "
                         "not with a measured result.")
    for row in provenance_table(dataset, cycles).itertuples(index=False):
        share = row.synthetic_share
        if is_whole_share(share):
            notes.append(f"Cycle {row.cycle}: every indicator value is SYNTHETIC (generated for demonstration). "
                         "These are not published results and must not be cited as such.")
        elif share > 0:
            notes.append(f"Cycle {row.cycle}: {share_words(share)} of the indicator values are SYNTHETIC "
                         "(generated for demonstration); figures mixing them are not published results.")
        if row.framework_provenance == "illustrative":
            notes.append(f"Cycle {row.cycle}: the framework (indicators, maxima, weights) is an illustrative "
                         "placeholder, not the official one.")
        if row.weights_illustrative and row.framework_provenance != "illustrative":
            fw = dataset.frameworks[int(row.cycle)]
            equal = bool(np.allclose(fw.weights.to_numpy(dtype=float), 1.0 / len(fw.component_ids)))
            kind = "equal component weights are" if equal else "the component weights of the framework file are"
            notes.append(f"Cycle {row.cycle}: {kind} assumed (the framework's own weights are not on "
                         "record); overall scores and ranks depend on that choice, see the robustness section.")
        unsure = int(row.n_maxima - row.n_maxima_on_record)
        if unsure and row.framework_provenance != "illustrative":
            notes.append(f"Cycle {row.cycle}: {unsure} of the {int(row.n_maxima)} indicator maxima "
                         f"{'is' if unsure == 1 else 'are'} not on record (inferred or illustrative).")
        if row.thresholds_illustrative:
            notes.append(f"Cycle {row.cycle}: the certification thresholds are illustrative; the official "
                         "ones are not on record, so levels and certification counts are indicative only.")
    return notes


def data_notice_html(dataset: Dataset, cycles) -> str:
    """:func:`data_notice` as an HTML box (text escaped) for the top of a report; "" when nothing to say."""
    notes = data_notice(dataset, cycles)
    if not notes:
        return ""
    synthetic = any("SYNTHETIC" in n for n in notes)
    title = "Synthetic data: not published results" if synthetic else "Read with care"
    items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    return ('<div style="border:2px solid #b2182b;background:#fff5f0;padding:8px 12px;margin:8px 0;'
            f'border-radius:4px"><strong>{html.escape(title)}</strong><ul style="margin:4px 0">{items}</ul></div>')


def report_title(dataset: Dataset, cycles) -> str:
    """Title of a national report from the framework's name: overview of one cycle, or change between two."""
    cycles = [int(c) for c in cycles]
    fw = dataset.frameworks[cycles[-1]]
    if len(cycles) == 1:
        return f"{framework_title(fw.name, cycles[0])}: national overview"
    return f"{fw.name}: change from cycle {cycles[0]} to cycle {cycles[-1]}"


def report_title_html(dataset: Dataset, cycles) -> str:
    """:func:`report_title` as an escaped HTML heading, then the framework's own description and publisher
    (:func:`~dmaf_analysis.framework.framework_credit`) when its file gives them."""
    fw = dataset.frameworks[[int(c) for c in cycles][-1]]
    credit = framework_credit(fw)
    about = f'<p class="dmaf-about">{html.escape(credit)}</p>' if credit else ""
    return f"<h2>{html.escape(report_title(dataset, cycles))}</h2>{about}"


# ------------------------------------------------------------------------------ tables
def _with_values(distributions: pd.DataFrame) -> pd.DataFrame:
    """The rows of measures that some city has (``n`` above 0): a measure without any value has no
    mean, median or spread to report (on data whose scores are all missing, none is left)."""
    return distributions[distributions["n"] > 0].reset_index(drop=True) if "n" in distributions else distributions


def national_tables(dataset: Dataset, *, cycle: int = 0, n_draws: int = sensitivity.N_DRAWS, seed: int = 0,
                    n_boot: int = stats.N_BOOT, level: float = stats.CI_LEVEL,
                    n_samples: int = SENSITIVITY_SAMPLES, spec=None) -> dict[str, pd.DataFrame]:
    """Every national table of one cycle (``cycle=0``: the latest).

    Returns
    -------
    dict
        Name -> DataFrame, in this order: ``provenance``, ``distributions``
        (:func:`stats.distribution_summary`), ``indicator_distribution``,
        ``leaderboard``, ``level_counts``, ``correlations``,
        ``cronbach_alpha``, ``pca_variance``, ``pca_loadings``,
        ``effective_weights``, ``group_medians_state``,
        ``group_medians_region``, ``group_medians_selection_round``,
        ``kruskal_wallis`` (all three groupings), ``engagement``,
        ``engagement_association``, ``robustness_cities``,
        ``robustness_levels``, ``robustness_settings`` (weights and
        aggregation only, as before), then the analysis of every declared
        assumption (:func:`sensitivity.sensitivity_analysis` with ``n_samples``
        base samples and the framework's spec, or ``spec``):
        ``uncertainty_cities``, ``uncertainty_levels``, ``uncertainty_runs``,
        ``sensitivity_indices``, ``sensitivity_assumptions``,
        ``sensitivity_settings``, ``sensitivity_cities``
        (:func:`sensitivity.city_drivers`), and ``leave_one_out``,
        ``leave_one_out_cities`` (:func:`sensitivity.leave_one_out`). See the
        functions' docstrings and ``docs/national.md`` for the columns.
    """
    c = resolve_cycle(dataset.cycles, cycle)
    fws, scored, scores = dataset.frameworks, dataset.scored, dataset.scores
    tables: dict[str, pd.DataFrame] = {
        "provenance": provenance_table(dataset, [c]),
        "distributions": _with_values(stats.distribution_summary(scored, cycle=c, frameworks=fws)),
        "indicator_distribution": stats.indicator_distribution(scores, cycle=c, frameworks=fws),
        "leaderboard": mark_published(stats.leaderboard(scored, cycle=c, frameworks=fws), cycle=c),
        "level_counts": stats.level_counts(scored, cycle=c, frameworks=fws),
        "correlations": stats.component_correlations(scored, cycle=c, frameworks=fws),
        "cronbach_alpha": stats.component_alphas(scores, cycle=c, frameworks=fws),
        "pca_variance": stats.pca_variance(scored, cycle=c, frameworks=fws),
        "pca_loadings": stats.pca_loadings(scored, cycle=c, frameworks=fws),
        "effective_weights": stats.effective_weights(scores, cycle=c, frameworks=fws),
    }
    for by in stats.GROUPINGS:
        tables[f"group_medians_{by}"] = stats.group_medians(scored, by=by, cycle=c, frameworks=fws,
                                                            n_boot=n_boot, level=level, seed=seed)
    tables["kruskal_wallis"] = pd.concat(
        [stats.kruskal_by_group(scored, by=by, cycle=c, frameworks=fws) for by in stats.GROUPINGS],
        ignore_index=True)
    tables["engagement"] = stats.engagement_table(scored, dataset.attributes, cycle=c)
    tables["engagement_association"] = stats.engagement_association(scored, dataset.attributes, cycle=c)
    robust = sensitivity.rank_robustness(scored, cycle=c, frameworks=fws, n_draws=n_draws, seed=seed)
    tables["robustness_cities"] = robust.cities
    tables["robustness_levels"] = robust.level_probabilities
    tables["robustness_settings"] = robust.settings
    sens = sensitivity.sensitivity_analysis(scores, cycle=c, frameworks=fws, cities=dataset.cities, spec=spec,
                                            n_samples=n_samples, seed=seed)
    tables["uncertainty_cities"] = sens.cities
    tables["uncertainty_levels"] = sens.level_probabilities
    tables["uncertainty_runs"] = sens.runs
    tables["sensitivity_indices"] = sens.indices
    tables["sensitivity_assumptions"] = sens.assumptions
    tables["sensitivity_settings"] = sens.settings
    tables["sensitivity_cities"] = sensitivity.city_drivers(sens.indices)
    loo = sensitivity.leave_one_out(scores, cycle=c, frameworks=fws, cities=dataset.cities)
    tables["leave_one_out"] = loo.summary
    tables["leave_one_out_cities"] = loo.cities
    return tables


def trend_tables(dataset: Dataset, *, cycle_from: int = 0, cycle_to: int = 0, n_most: int = 10,
                 seed: int = 0, n_boot: int = stats.N_BOOT, level: float = stats.CI_LEVEL) -> dict[str, pd.DataFrame]:
    """Every cycle-to-cycle table (``0`` = second-latest / latest cycle).

    Returns
    -------
    dict
        Name -> DataFrame: ``provenance``, ``component_map`` (``component_from,
        component_to``), ``paired_scores``, ``change_summary``,
        ``city_changes``, ``most_changed``, ``transition_matrix``,
        ``rank_mobility``, ``unpaired_cities`` (see :mod:`~dmaf_analysis.stats`).
    """
    a, b = resolve_cycle_pair(dataset.cycles, cycle_from, cycle_to)
    fws, scored = dataset.frameworks, dataset.scored
    mapping = component_map(a, b, frameworks=fws)
    changes = stats.city_changes(scored, cycle_from=a, cycle_to=b, frameworks=fws)
    return {
        "provenance": provenance_table(dataset, [a, b]),
        "component_map": pd.DataFrame({"cycle_from": a, "cycle_to": b, "component_from": list(mapping),
                                       "component_to": list(mapping.values())}),
        "paired_scores": stats.paired_scores(scored, cycle_from=a, cycle_to=b, frameworks=fws),
        "change_summary": stats.change_summary(scored, cycle_from=a, cycle_to=b, frameworks=fws,
                                                n_boot=n_boot, level=level, seed=seed),
        "city_changes": changes,
        "most_changed": stats.most_changed(changes, n=n_most),
        "transition_matrix": stats.transition_matrix(scored, cycle_from=a, cycle_to=b, frameworks=fws),
        "rank_mobility": stats.rank_mobility(scored, cycle_from=a, cycle_to=b, frameworks=fws),
        "unpaired_cities": stats.unpaired_cities(scored, cycle_from=a, cycle_to=b),
    }


_SAFE = re.compile(r"[^0-9A-Za-z_.-]+")


def _safe_name(name: str) -> str:
    slug = _SAFE.sub("_", str(name)).strip("._")
    if not slug:
        raise ValueError(f"cannot make a file name from {name!r}")
    return slug


def write_tables(tables: dict[str, pd.DataFrame], output_dir: str | Path, *, folder: str | None = None,
                 formats: tuple[str, ...] = ("csv", "parquet"), workbook: str | None = None,
                 about: WorkbookAbout | None = None, sources: pd.DataFrame | None = None) -> list[Path]:
    """Write every table as ``<output_dir>/<folder>/<name>.csv`` and ``.parquet``, atomically.

    With ``workbook``, every table is also a sheet of ``<output_dir>/<folder>/<workbook>.xlsx``
    (see :func:`dmaf_analysis.io.write_workbook`: valid unique sheet names,
    formula-like text neutralised, an About sheet from ``about``, a "Values from" column from
    ``sources`` on sheets with city rows). Names are reduced to safe file names.
    Returns the written paths in order (the workbook last).
    """
    base = Path(output_dir)
    if folder:
        base = base / _safe_name(folder)
    written = []
    for name, table in tables.items():
        for fmt in formats:
            written.append(write_table(table, base / f"{_safe_name(name)}.{fmt}"))
    if workbook:
        written.append(write_workbook(tables, base / f"{_safe_name(workbook)}.xlsx", about=about, sources=sources))
    return written


def workbook_about(dataset: Dataset, cycles, *, title: str, holds: str) -> WorkbookAbout:
    """The About sheet of a national workbook: its title, the framework of each cycle and the data notice."""
    cycles = sorted(int(c) for c in cycles)
    framework = "; ".join(framework_title(dataset.frameworks[c].name, c) for c in cycles)
    notes = data_notice(dataset, cycles)
    provenance = " ".join(notes) if notes else "Every indicator value comes from the score table as given."
    scores = Path(dataset.scores_path).name if dataset.scores_path else "the bundled score table"
    return WorkbookAbout(title=title, holds=holds, framework=framework,
                         provenance=f"{provenance} Scores file: {scores}.")


def _sources(dataset: Dataset, cycles) -> pd.DataFrame:
    return value_sources(dataset.scores[dataset.scores["cycle"].isin([int(c) for c in cycles])])


def workbook_name(kind: str, folder: str) -> str:
    """Stem of a national report's workbook: ``overview-cycle-2``, ``trends-cycle-1-to-2``."""
    return f"{kind}-{folder}"


def cycle_folder(cycle: int) -> str:
    """Sub-folder of the output folder for one cycle's tables: ``cycle-2``."""
    return f"cycle-{int(cycle)}"


def trend_folder(cycle_from: int, cycle_to: int) -> str:
    """Sub-folder for a comparison's tables: ``cycle-1-to-2``."""
    return f"cycle-{int(cycle_from)}-to-{int(cycle_to)}"


def run_national(dataset: Dataset, *, cycle: int = 0, output_dir: str | Path | None = None,
                 **options) -> dict[str, pd.DataFrame]:
    """:func:`national_tables` written under ``<output_dir>/cycle-<n>/``; returns the tables.

    Each table is a CSV and a Parquet file, and a sheet of ``overview-cycle-<n>.xlsx``.

    ``output_dir`` defaults to :func:`national_output_dir` (where the batch writes).
    """
    c = resolve_cycle(dataset.cycles, cycle)
    tables = national_tables(dataset, cycle=c, **options)
    about = workbook_about(dataset, [c], title=f"National overview, cycle {c}: tables",
                           holds=f"Every table of the national overview of cycle {c}, one per sheet.")
    write_tables(tables, national_output_dir(output_dir), folder=cycle_folder(c),
                 workbook=workbook_name("overview", cycle_folder(c)), about=about, sources=_sources(dataset, [c]))
    return tables


def run_trends(dataset: Dataset, *, cycle_from: int = 0, cycle_to: int = 0,
               output_dir: str | Path | None = None, **options) -> dict[str, pd.DataFrame]:
    """:func:`trend_tables` written under ``<output_dir>/cycle-<a>-to-<b>/``; returns the tables.

    Each table is a CSV and a Parquet file, and a sheet of ``trends-cycle-<a>-to-<b>.xlsx``.

    ``output_dir`` defaults to :func:`national_output_dir` (where the batch writes).
    """
    a, b = resolve_cycle_pair(dataset.cycles, cycle_from, cycle_to)
    tables = trend_tables(dataset, cycle_from=a, cycle_to=b, **options)
    about = workbook_about(dataset, [a, b], title=f"Change from cycle {a} to cycle {b}: tables",
                           holds=f"Every table of the trends report from cycle {a} to cycle {b}, one per sheet.")
    write_tables(tables, national_output_dir(output_dir), folder=trend_folder(a, b),
                 workbook=workbook_name("trends", trend_folder(a, b)), about=about, sources=_sources(dataset, [a, b]))
    return tables


# ------------------------------------------------------------------ the groups section
#: How a grouping is named in sentences.
GROUPING_WORDS = {"state": "state", "region": "region", "selection_round": "selection round"}


def missing_groupings(tables: dict[str, pd.DataFrame]) -> list[str]:
    """The groupings of :data:`stats.GROUPINGS` with no groups: the cities table has no such column, or it is empty.

    ``tables`` is :func:`national_tables`'s; a grouping is missing when its
    ``group_medians_<grouping>`` table has no rows.
    """
    return [by for by in stats.GROUPINGS if tables.get(f"group_medians_{by}", pd.DataFrame()).empty]


def _words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def groups_intro_html(tables: dict[str, pd.DataFrame], *, cities: pd.DataFrame | None = None,
                      n_boot: int = stats.N_BOOT) -> str:
    """The text opening the overview's "States, regions and rounds" section, as escaped HTML.

    It describes only the groupings the cities table gives; for the others it
    says, in one sentence, that the cities table has no such column. With none
    of them, that sentence is the whole section (the heading stays, so the
    table of contents, :data:`OVERVIEW_SECTIONS`, still matches).
    ``n_boot`` is the number of bootstrap resamples the tables were made with
    (that of :func:`national_tables` by default). ``cities`` is the cities
    table the tables were made with: the intro says that regions are inferred
    only when its ``region_provenance`` column says so (without ``cities``, it
    says so of the bundled table).
    """
    missing = missing_groupings(tables)
    present = [by for by in stats.GROUPINGS if by not in missing]
    absent = ""
    if missing:
        absent = (f"The cities table has no {_words(missing)} column (or leaves it empty), so the cities are "
                  f"not grouped by {_words([GROUPING_WORDS[by] for by in missing])} here.")
    if not present:
        return f"<p>{html.escape(absent)}</p>"
    text = ["Median scores per group with 95 % percentile-bootstrap intervals "
            f"({int(n_boot):,} resamples, seeded); groups of one or two cities say little and are marked."]
    if "region" in present and _regions_inferred(cities):
        text.append("The region grouping of the bundled cities table is inferred by this project, not an "
                    "official one." if cities is None else
                    "The regions of this cities table are inferred, not an official grouping.")
    text.append("The Kruskal-Wallis test asks whether the groups' scores differ; its effect size ε² runs from 0 "
                "(no difference) to 1.")
    if "state" in present:
        text.append("The last chart gives the medians of every score by state; states with few cities are "
                    "included, so read them with the counts of the full table in mind.")
    paragraphs = [" ".join(text)] + ([absent] if absent else [])
    return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)


def _regions_inferred(cities: pd.DataFrame | None) -> bool:
    if cities is None:
        return True
    if "region_provenance" not in cities.columns:
        return False
    return bool(cities["region_provenance"].astype(str).str.strip().str.casefold().eq("inferred").any())


def groups_table_html(tables: dict[str, pd.DataFrame], name: str, *, labels: dict | None = None,
                      csv_folder: str | None = None) -> str:
    """:func:`overview_table` of a group table (``groups_<grouping>`` or ``kruskal_wallis``), or ``""``.

    Nothing is shown for a grouping the cities table does not give (see
    :func:`groups_intro_html`, which says so) or when no grouping gives a test.
    """
    source = f"group_medians_{name[len('groups_'):]}" if name.startswith("groups_") else name
    if tables.get(source, pd.DataFrame()).empty:
        return ""
    return overview_table(tables, name, labels=labels, csv_folder=csv_folder)


def group_heatmap(tables: dict[str, pd.DataFrame], by: str, *, labels: dict | None = None, ax=None):
    """The group heatmap of one grouping; ``None`` (no chart drawn) when the cities table does not give it."""
    table = tables.get(f"group_medians_{by}", pd.DataFrame())
    if table.empty:
        return None
    return _charts.group_heatmap(table, labels=labels, ax=ax)
