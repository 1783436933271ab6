"""National charts (seaborn / matplotlib).

Every function takes its data first (a table returned by :mod:`~dmaf_analysis.stats`,
:mod:`~dmaf_analysis.stats` or :mod:`~dmaf_analysis.sensitivity`), draws on ``ax``
(a new figure, sized for the report column, when ``ax`` is None) and returns the
Axes. Colours, fonts and sizes come from :mod:`~dmaf_analysis.render`, the one
style of the toolkit; direction (gain or loss) is shown by sign, position or
marker as well as by colour. Charts of an empty table say so instead of failing.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

import functools

from .. import render
from .._util.escaping import chart_labels, chart_text
from ..errors import ArgumentError
from ..framework import Framework, frameworks_or_bundled
from ._formats import format_p

__all__ = ["JITTER_SEED", "LIGHT_DPI", "SVG_HASH_SALT", "use_light_style", "component_distribution_plot",
           "overall_ecdf_plot", "floor_ceiling_plot", "group_heatmap", "level_counts_plot", "correlation_heatmap",
           "effective_weights_plot", "rank_interval_plot", "certification_probability_plot", "engagement_plot",
           "slope_plot", "change_distribution_plot", "transition_heatmap", "rank_mobility_plot",
           "most_changed_plot", "sensitivity_plot"]

#: Seed of the sideways jitter of :func:`change_distribution_plot` (a chart is the same on every run).
JITTER_SEED = 0
#: Resolution of figures drawn after :func:`use_light_style` (the toolkit's style).
LIGHT_DPI = render.DPI
_GREY = render.NEUTRAL
_UP, _DOWN = render.GAIN, render.LOSS
_SMALL = render.SMALL_SIZE


#: The one escaping helper for chart text (see :mod:`dmaf_analysis._util.escaping`); kept under its old name.
plain_text = chart_text


#: Salt of the ids matplotlib writes into SVG files: a chart is byte-for-byte the same on every run.
SVG_HASH_SALT = "dmaf-analysis"


def _takes(table: str, *columns: str):
    """Decorator: the chart's first argument must be a DataFrame with ``columns``, the table named ``table``.

    Anything else (a list, a Dataset, another table of the report) raises
    :class:`~dmaf_analysis.errors.ArgumentError` naming the table to pass.
    """
    def decorate(func):
        @functools.wraps(func)
        def checked(data, *args, **kwargs):
            fix = f"pass {table}"
            if not isinstance(data, pd.DataFrame):
                raise ArgumentError(f"{func.__name__} takes a table (DataFrame), got {type(data).__name__}; {fix}")
            lacking = [c for c in columns if c not in data.columns]
            if lacking:
                raise ArgumentError(f"{func.__name__} got a table without the column(s) {', '.join(lacking)}: "
                                    f"it is not the table this chart draws; {fix}")
            return func(data, *args, **kwargs)
        return checked
    return decorate

def use_light_style(dpi: int = LIGHT_DPI) -> None:
    """The toolkit's style (:func:`dmaf_analysis.render.use_report_style`), with figures shown as SVG.

    In a notebook, figures are then embedded as SVG (vector: sharp in print and when
    zoomed, a third of the weight of the PNG at twice the pixels and quicker to
    draw), without a date and with fixed ids, so the same data give the same page.
    """
    import matplotlib as mpl

    render.use_report_style(dpi)
    mpl.rcParams["svg.hashsalt"] = SVG_HASH_SALT
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # pragma: no cover - not in a notebook environment
        return
    set_matplotlib_formats("svg", metadata={"Date": None})
    render.describe_figures()  # the SVG figures carry their alternative text too


def _axes(ax, figsize=(render.PAGE_WIDTH, 3.6)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _empty(ax, message: str = "No data to show"):
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color=_GREY)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def _framework(cycle: int, frameworks: dict[int, Framework] | None) -> Framework:
    return frameworks_or_bundled(frameworks)[int(cycle)]


def _names(fw: Framework) -> dict[str, str]:
    """Component id -> display name, escaped for charts."""
    return dict(zip(fw.components["component"], chart_labels(fw.components["name"].astype(str))))


# ------------------------------------------------------------------------- one cycle
@_takes("the scored table (Dataset.scored)", "cycle", "city", "overall")
def component_distribution_plot(scored: pd.DataFrame, *, cycle: int, kind: str = "violin",
                                frameworks: dict[int, Framework] | None = None, ax=None):
    """Violin (or box) plot of every component score of one cycle, overall last."""
    ax = _axes(ax)
    fw = _framework(cycle, frameworks)
    part = scored[scored["cycle"] == int(cycle)]
    measures = fw.component_ids + ["overall"]
    long = part.melt(value_vars=measures, var_name="measure", value_name="score").dropna(subset=["score"])
    if long.empty:
        return _empty(ax)
    labels = {**_names(fw), "overall": "Overall"}
    long["measure"] = pd.Categorical(long["measure"].map(labels), [labels[m] for m in measures])
    long["score"] = long["score"].astype(float)
    if kind == "violin":
        sns.violinplot(data=long, x="measure", y="score", cut=0, inner="quartile", color=render.OKABE_ITO["sky_blue"],
                       linewidth=0.8, density_norm="width", ax=ax)
    elif kind == "box":
        groups = [(str(k), g["score"].to_numpy(float))
                  for k, g in long.groupby("measure", observed=True, sort=True)]
        ax.boxplot([g for _, g in groups], orientation="vertical", widths=0.6, patch_artist=True,
                   boxprops={"facecolor": render.OKABE_ITO["sky_blue"], "linewidth": 0.8},
                   medianprops={"color": "black"}, flierprops={"markersize": 2})
        ax.set_xticks(range(1, len(groups) + 1), [k for k, _ in groups])
    else:
        raise ValueError(f"kind must be 'violin' or 'box', got {kind!r}")
    ax.set(xlabel="", ylabel="Score (out of 100)", ylim=(-2, 102), title=f"Score distributions, cycle {cycle}")
    return ax


@_takes("the scored table (Dataset.scored)", "cycle", "city", "overall")
def overall_ecdf_plot(scored: pd.DataFrame, *, cycle: int, frameworks: dict[int, Framework] | None = None,
                      ax=None):
    """Empirical CDF of the overall score, with the certification thresholds marked."""
    ax = _axes(ax)
    fw = _framework(cycle, frameworks)
    values = scored.loc[scored["cycle"] == int(cycle), "overall"].dropna().astype(float)
    if values.empty:
        return _empty(ax)
    sns.ecdfplot(x=values.to_numpy(), ax=ax, color=render.CITY, linewidth=1.8)
    for lev in fw.levels.itertuples(index=False):
        if lev.min_score > 0:
            ax.axvline(lev.min_score, color=_GREY, ls="--", lw=0.8)
            ax.text(lev.min_score, 0.02, " " + chart_text(lev.level), transform=ax.get_xaxis_transform(),
                    fontsize=_SMALL, color="#333333", va="bottom", ha="left")
    ax.set(xlabel="Overall score", ylabel="Share of cities at or below", xlim=(0, 100),
           title=f"Overall score ECDF, cycle {cycle}")
    return ax


@_takes('tables["indicator_distribution"]', "indicator", "n", "share_zero", "share_full")
def floor_ceiling_plot(indicator_table: pd.DataFrame, *, ax=None):
    """Stacked bars: share of cities scoring 0, partial and full marks on each indicator.

    ``indicator_table`` is :func:`~dmaf_analysis.stats.indicator_distribution` for one cycle.
    """
    data = indicator_table[indicator_table["n"] > 0]
    ax = _axes(ax, figsize=(render.PAGE_WIDTH, render.rows_height(len(data), per_row=0.26)))
    if data.empty:
        return _empty(ax)
    labels = chart_labels(data["indicator"].astype(str)).to_numpy()
    y = np.arange(len(data))
    left = np.zeros(len(data))
    for (col, name), colour in zip((("share_zero", "0 points"), ("share_partial", "partial"),
                                    ("share_full", "full marks")), render.SHARES):
        vals = data[col].to_numpy(float)
        ax.barh(y, vals, left=left, color=colour, label=name, height=0.75)
        left += vals
    zero = data["share_zero"].to_numpy(float)
    for yi, share in zip(y, zero):
        if share >= 0.08:
            ax.text(share / 2, yi, f"{share:.0%}", ha="center", va="center", color="white", fontsize=_SMALL)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set(xlim=(0, 1), xlabel="Share of cities (label: share at 0 points)", ylabel="Indicator")
    ax.set_title("Floor and ceiling effects by indicator", pad=28)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)
    return ax


@_takes('a group table such as tables["group_medians_region"]', "grouping", "measure", "group")
def group_heatmap(group_table: pd.DataFrame, *, value: str = "median", labels: dict | None = None, ax=None):
    """Heatmap of a statistic (default the median) by group and measure.

    ``group_table`` is :func:`~dmaf_analysis.stats.group_medians` for one cycle and grouping;
    ``labels`` maps measure ids to the names shown on the columns (e.g.
    :func:`~dmaf_analysis.national.component_labels`).
    """
    if group_table.empty:
        return _empty(_axes(ax))
    measures = list(dict.fromkeys(group_table["measure"]))
    grid = group_table.pivot(index="group", columns="measure", values=value).reindex(columns=measures)
    grid = grid.rename(columns=lambda m: (labels or {}).get(m, m))
    grid.index, grid.columns = chart_labels(grid.index.astype(str)), chart_labels(grid.columns.astype(str))
    ax = _axes(ax, figsize=(render.PAGE_WIDTH, render.rows_height(len(grid), per_row=0.27)))
    sns.heatmap(grid.astype(float), annot=True, fmt=".0f", vmin=0, vmax=100, cmap=render.SEQUENTIAL, cbar=False,
                annot_kws={"fontsize": _SMALL}, linewidths=0.5, linecolor="white", ax=ax)
    ax.set_yticks(np.arange(len(grid)) + 0.5, list(grid.index), rotation=0)
    grouping = chart_text(str(group_table["grouping"].iloc[0]).replace("_", " "))
    ax.set(xlabel="", ylabel="", title=f"{value.capitalize()} score by {grouping}")
    ax.tick_params(axis="both", labelsize=_SMALL)
    return ax


@_takes('tables["level_counts"]', "level", "n", "certified")
def level_counts_plot(level_table: pd.DataFrame, *, ax=None):
    """Bar chart of the number of cities at each certification level (``stats.level_counts``)."""
    ax = _axes(ax, figsize=(render.PAGE_WIDTH, 3))
    if level_table.empty:
        return _empty(ax)
    certified = level_table["certified"].astype(bool).to_numpy()
    colours = [render.CERTIFIED if c else render.NOT_CERTIFIED for c in certified]
    x = np.arange(len(level_table))
    counts = level_table["n"].to_numpy(int)
    bars = ax.bar(x, counts, color=colours, edgecolor="#333333", linewidth=0.6)
    render.label_bars(ax, bars, counts, fmt="{:d}")
    render.zero_line(ax)
    ax.set_xticks(x, [f"{chart_text(lev)}\n({'certified' if c else 'not certified'})"
                      for lev, c in zip(level_table["level"].astype(str), certified)])
    ax.set_ylim(0, max(1, counts.max()) * 1.15)
    ax.set(ylabel="Cities", title="Certification levels")
    return ax


@_takes('tables["correlations"]', "measure_a", "measure_b", "rho")
def correlation_heatmap(correlations: pd.DataFrame, *, labels: dict | None = None, ax=None):
    """Heatmap of Spearman correlations (``stats.component_correlations`` for one cycle); ``labels``
    maps measure ids to the names shown."""
    ax = _axes(ax, figsize=(render.PAGE_WIDTH, 4.8))
    if correlations.empty:
        return _empty(ax)
    order = list(dict.fromkeys(correlations["measure_a"]))
    grid = correlations.pivot(index="measure_a", columns="measure_b", values="rho").reindex(index=order,
                                                                                          columns=order)
    grid = grid.rename(index=lambda m: (labels or {}).get(m, m), columns=lambda m: (labels or {}).get(m, m))
    grid.index, grid.columns = chart_labels(grid.index.astype(str)), chart_labels(grid.columns.astype(str))
    sns.heatmap(grid.astype(float), annot=True, fmt=".2f", vmin=-1, vmax=1, cmap=render.DIVERGING, cbar=False,
                annot_kws={"fontsize": _SMALL}, linewidths=0.5, linecolor="white", ax=ax)
    ax.tick_params(axis="both", labelsize=_SMALL)
    ax.set(xlabel="", ylabel="", title="Spearman correlations")
    return ax


@_takes('tables["effective_weights"]', "level", "item", "nominal_weight", "effective_weight")
def effective_weights_plot(weights_table: pd.DataFrame, *, level: str = "component", ax=None):
    """Nominal against effective weights (``stats.effective_weights`` for one cycle)."""
    data = weights_table[weights_table["level"] == level]
    ax = _axes(ax, figsize=(render.PAGE_WIDTH, 3.4 if level == "component" else 4.5))
    if data.empty:
        return _empty(ax)
    long = data.melt(id_vars=["item"], value_vars=["nominal_weight", "effective_weight"], var_name="weight",
                     value_name="share")
    long["weight"] = long["weight"].map({"nominal_weight": "nominal", "effective_weight": "effective"})
    long["item"] = chart_labels(long["item"].astype(str))
    sns.barplot(data=long, x="item", y="share", hue="weight", palette=[render.NOT_CERTIFIED, render.CITY], ax=ax)
    if level == "component":
        for container in ax.containers:
            render.label_bars(ax, container, [b.get_height() for b in container], fmt="{:.0%}")
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set(xlabel="", ylabel="Share of the overall", title=f"Nominal and effective weights ({level}s)")
    if level != "component":
        ax.tick_params(axis="x", labelrotation=90, labelsize=_SMALL)
    ax.legend(title=None, frameon=False)
    return ax


@_takes('tables["robustness_cities"] or tables["uncertainty_cities"]', "city", "nominal_rank")
def rank_interval_plot(robust_cities: pd.DataFrame, *, top: int | None = None,
                       limit: int | None = render.LIST_LIMIT, ax=None):
    """Rank intervals (5th-95th percentile) of the cities, coloured by P(certified).

    ``robust_cities`` is :attr:`~dmaf_analysis.sensitivity.RankRobustness.cities`.
    The cross marks the nominal rank and the dot the median rank. ``top`` keeps
    the cities ranked ``top`` or better; beyond ``limit`` cities, only the top
    and bottom ``limit // 2`` are drawn (the title says so), so that every name
    stays readable. The chart grows with the number of cities drawn.
    """
    data = robust_cities.sort_values(["nominal_rank", "city"])
    if top is not None:
        data = data[data["nominal_rank"] <= int(top)]
    total = len(data)
    cut = limit is not None and total > int(limit)
    if cut:
        half = max(1, int(limit) // 2)
        data = pd.concat([data.head(half), data.tail(half)])
    ax = _axes(ax, figsize=(render.PAGE_WIDTH, render.rows_height(len(data) + (1 if cut else 0))))
    if data.empty:
        return _empty(ax)
    y = np.arange(len(data), dtype=float)
    if cut:
        y[half:] += 1  # a gap row between the top and the bottom
        ax.text(0.5, half, f"\u22ee {total - 2 * half} cities not shown", transform=ax.get_yaxis_transform(),
                ha="center", va="center", color="#333333", fontsize=_SMALL)
    cmap = plt.get_cmap(render.SEQUENTIAL)
    colours = cmap(data["p_certified"].to_numpy(float))
    ax.hlines(y, data["rank_p05"], data["rank_p95"], colors=colours, lw=3)
    ax.scatter(data["median_rank"], y, c=colours, s=22, edgecolors="#333333", linewidths=0.5, zorder=3,
               label="median rank")
    ax.scatter(data["nominal_rank"], y, marker="x", c="black", s=18, lw=1, zorder=4, label="nominal rank")
    ax.set_yticks(y, chart_labels(data["city"]))
    ax.invert_yaxis()
    title = "How certain is each rank?"
    if cut:
        title += f" (top and bottom {half} of {total})"
    ax.set(xlabel="Rank (line: 5th to 95th percentile over the draws)", ylabel="", title=title)
    ax.legend(loc="lower left", frameon=True, framealpha=0.9)
    sm = plt.cm.ScalarMappable(cmap=cmap, norm=plt.Normalize(0, 1))
    ax.figure.colorbar(sm, ax=ax, fraction=0.04, pad=0.02, label="P(certified)")
    return ax


@_takes('tables["robustness_cities"]', "city", "p_certified")
def certification_probability_plot(robust_cities: pd.DataFrame, *, frameworks: dict[int, Framework] | None = None,
                                   ax=None):
    """Probability of being certified against the nominal overall score."""
    ax = _axes(ax, figsize=(render.PAGE_WIDTH, 3.4))
    if robust_cities.empty:
        return _empty(ax)
    sns.scatterplot(data=robust_cities, x="nominal_score", y="p_certified", s=22, color=render.CITY,
                    edgecolor="none", ax=ax)
    fw = _framework(int(robust_cities["cycle"].iloc[0]), frameworks)
    certified = fw.levels[fw.levels["certified"]]
    if len(certified):
        ax.axvline(float(certified["min_score"].min()), color=_GREY, ls="--", lw=0.8)
    ax.set(xlabel="Nominal overall score", ylabel="P(certified)", ylim=(-0.03, 1.03),
           title="Probability of being certified")
    return ax


@_takes('tables["engagement"]', "engagement_score", "overall")
def engagement_plot(engagement: pd.DataFrame, *, ax=None):
    """City Engagement Score against the overall maturity score (``stats.engagement_table``)."""
    ax = _axes(ax, figsize=(render.PAGE_WIDTH, 4))
    if engagement.empty:
        return _empty(ax, "No engagement scores in this data set")
    sns.scatterplot(data=engagement, x="engagement_score", y="overall", s=22, color=render.CITY,
                    edgecolor="none", ax=ax)
    ax.set(xlabel="City Engagement Score", ylabel="Overall maturity score", xlim=(-2, 102), ylim=(-2, 102),
           title="Engagement and maturity")
    return ax


# ----------------------------------------------------------------------- two cycles
@_takes('tables["city_changes"]', "city", "change", "overall_from", "overall_to")
def slope_plot(changes: pd.DataFrame, *, highlight: int = 5, ax=None):
    """Slope chart of every paired city's overall score (``trends.city_changes``).

    The ``highlight`` largest gains (solid blue) and falls (dashed vermillion) are
    coloured and labelled.
    """
    ax = _axes(ax, figsize=(render.PAGE_WIDTH, 5.5))
    data = changes.dropna(subset=["overall_from", "overall_to"])
    if data.empty:
        return _empty(ax)
    c_from, c_to = int(data["cycle_from"].iloc[0]), int(data["cycle_to"].iloc[0])
    ordered = data.sort_values(["change", "city"], ascending=[False, True])
    up = set(ordered[ordered["change"] > 0].head(highlight)["city"])
    down = set(ordered[ordered["change"] < 0].sort_values(["change", "city"]).head(highlight)["city"])
    labels = []
    for row in data.itertuples(index=False):
        colour, lw, z = (_UP, 1.8, 3) if row.city in up else (_DOWN, 1.8, 3) if row.city in down else (_GREY, 0.6, 1)
        ax.plot([0, 1], [row.overall_from, row.overall_to], color=colour, lw=lw, alpha=0.95 if z == 3 else 0.45,
                zorder=z, ls="--" if row.city in down else "-")
        if z == 3:
            labels.append((float(row.overall_to), str(row.city), colour))
    for y, (_, city, colour) in zip(_spread(sorted(labels)), sorted(labels)):
        mark = "\u25b2" if colour == _UP else "\u25bc"
        ax.text(1.03, y, f"{mark} {chart_text(city)}", color=colour, fontsize=_SMALL, va="center")
    ax.set_xticks([0, 1], [f"Cycle {c_from}", f"Cycle {c_to}"])
    ax.set(xlim=(-0.1, 1.5), ylim=(-2, 102), ylabel="Overall score", title="Change in overall score")
    ax.grid(axis="x", visible=False)
    return ax


def _spread(labels, gap: float = 3.6) -> list[float]:
    """Label positions (ascending input) pushed apart to at least ``gap`` points, kept near 0-100."""
    ys = [y for y, *_ in labels]
    for i in range(1, len(ys)):
        ys[i] = max(ys[i], ys[i - 1] + gap)
    overflow = ys[-1] - 102 if ys else 0
    if overflow > 0:
        ys = [y - overflow for y in ys]
        for i in range(len(ys) - 2, -1, -1):
            ys[i] = min(ys[i], ys[i + 1] - gap)
    return ys


@_takes('tables["paired_scores"] (then tables["change_summary"])', "measure", "change")
def change_distribution_plot(paired: pd.DataFrame, summary: pd.DataFrame, *, ax=None):
    """Paired changes per measure (dots) with the mean change and its bootstrap CI.

    ``paired`` is ``trends.paired_scores``, ``summary`` ``trends.change_summary``;
    each tick label carries the Wilcoxon p-value and the rank-biserial r.
    """
    ax = _axes(ax, figsize=(render.PAGE_WIDTH, 4.2))
    data = paired.dropna(subset=["change"])
    if data.empty:
        return _empty(ax)
    order = list(dict.fromkeys(summary["measure"])) or list(dict.fromkeys(data["measure"]))
    # the dots are spread sideways by a seeded jitter: the same data give the same chart on every run
    position = {m: i for i, m in enumerate(order)}
    dots = data[data["measure"].isin(position)]
    jitter = np.random.default_rng(JITTER_SEED).uniform(-0.25, 0.25, len(dots))
    ax.scatter(dots["measure"].map(position).to_numpy(float) + jitter, dots["change"].astype(float), color=_GREY,
               s=9, alpha=0.5, edgecolors="none", zorder=2)
    s = summary.set_index("measure").reindex(order)
    x = np.arange(len(order))
    err = np.vstack([s["mean_change"] - s["mean_change_ci_low"], s["mean_change_ci_high"] - s["mean_change"]])
    ax.errorbar(x, s["mean_change"], yerr=np.abs(err.astype(float)), fmt="o", color="black", ms=4, capsize=3,
                zorder=4)
    render.zero_line(ax)

    labels = [f"{chart_text(m)}\np {format_p(p) if format_p(p).startswith('<') else '= ' + format_p(p)}\nr = {r:.2f}"
              if pd.notna(p) else f"{chart_text(m)}\n(no change)"
              for m, p, r in zip(order, s["p_value"], s["rank_biserial"])]
    ax.set_xticks(x, labels, fontsize=_SMALL)
    ax.set_xlim(-0.5, len(order) - 0.5)
    ax.set(xlabel="", ylabel="Change (points)", title="Changes between cycles: mean and 95% CI")
    return ax


@_takes('tables["transition_matrix"]', "level_from", "level_to", "n")
def transition_heatmap(transitions: pd.DataFrame, *, ax=None):
    """Certification transition matrix as a heatmap (``trends.transition_matrix``)."""
    ax = _axes(ax, figsize=(render.PAGE_WIDTH, 4))
    if transitions.empty:
        return _empty(ax)
    rows = list(dict.fromkeys(transitions.sort_values("from_order")["level_from"]))
    cols = list(dict.fromkeys(transitions.sort_values("to_order")["level_to"]))
    grid = transitions.pivot(index="level_from", columns="level_to", values="n").reindex(index=rows, columns=cols)
    grid.index, grid.columns = chart_labels(grid.index.astype(str)), chart_labels(grid.columns.astype(str))
    sns.heatmap(grid.astype(int), annot=True, fmt="d", cmap=render.SEQUENTIAL, cbar=False, linewidths=0.5,
                linecolor="white", annot_kws={"fontsize": render.FONT_SIZE}, ax=ax)
    ax.tick_params(axis="both", labelsize=_SMALL)
    c_from, c_to = int(transitions["cycle_from"].iloc[0]), int(transitions["cycle_to"].iloc[0])
    ax.set(xlabel=f"Level in cycle {c_to}", ylabel=f"Level in cycle {c_from}", title="Level transitions")
    return ax


@_takes('tables["city_changes"]', "rank_from", "rank_to")
def rank_mobility_plot(changes: pd.DataFrame, *, ax=None):
    """Rank in the first cycle against rank in the second (``trends.city_changes``).

    Cities that moved up are blue triangles pointing up, those that moved down
    vermillion triangles pointing down, the others grey dots.
    """
    ax = _axes(ax, figsize=(render.PAGE_WIDTH, 5))
    data = changes.dropna(subset=["rank_from", "rank_to"])
    if data.empty:
        return _empty(ax)
    x, y = data["rank_from"].astype(float), data["rank_to"].astype(float)
    for mask, colour, marker, name in ((y < x, _UP, "^", "moved up"), (y > x, _DOWN, "v", "moved down"),
                                       (y == x, _GREY, "o", "same rank")):
        if mask.any():
            ax.scatter(x[mask], y[mask], c=colour, marker=marker, s=24, edgecolors="none", label=name)
    ax.legend(loc="lower right", frameon=True, framealpha=0.9)
    top = float(max(x.max(), y.max())) + 1
    ax.plot([1, top], [1, top], color=_GREY, lw=0.8, ls="--")
    ax.set(xlim=(top, 0), ylim=(top, 0), xlabel=f"Rank, cycle {int(data['cycle_from'].iloc[0])}",
           ylabel=f"Rank, cycle {int(data['cycle_to'].iloc[0])}", title="Rank mobility")
    return ax


@_takes('tables["most_changed"]', "direction")
def most_changed_plot(most: pd.DataFrame, *, ax=None):
    """Horizontal bars of the largest gains and falls (``trends.most_changed``)."""
    ax = _axes(ax, figsize=(render.PAGE_WIDTH, render.rows_height(len(most), per_row=0.24)))
    if most.empty:
        return _empty(ax)
    data = pd.concat([most[most["direction"] == "improved"],
                      most[most["direction"] == "declined"].iloc[::-1]], ignore_index=True)
    y = np.arange(len(data))
    change = data["change"].astype(float).to_numpy()
    colours = np.where(change > 0, _UP, _DOWN)
    bars = ax.barh(y, change, color=colours)
    render.label_bars(ax, bars, change, fmt="{:+.0f}", horizontal=True)
    labels = list(chart_labels(data["city"]))
    title = "Most improved and most declined"
    if "earlier_values" in data.columns:
        earlier = data["earlier_values"].astype(str)
        if (earlier == "synthetic").all():
            title += "\n(every earlier value synthetic)"
        else:  # mark the cities whose earlier values are (partly) synthetic
            labels = [f"{c} *" if v != "on record" else c for c, v in zip(labels, earlier)]
            if (earlier != "on record").any():
                title += "\n(* earlier values synthetic)"
    ax.set_yticks(y, labels, fontsize=_SMALL)
    ax.invert_yaxis()
    render.zero_line(ax, axis="x")
    span = float(np.nanmax(np.abs(change))) if len(change) else 1.0
    ax.set_xlim(-span * 1.2 if (change < 0).any() else 0, span * 1.2 if (change > 0).any() else 0)
    ax.set(xlabel="Change in overall score (points)", title=title)
    return ax


# ------------------------------------------------------------------------ sensitivity
_OUTPUT_LABELS = {"mean_rank_shift": "Rank shift", "n_certified": "Number certified"}


@_takes('tables["sensitivity_indices"]', "output", "assumption")
def sensitivity_plot(indices: pd.DataFrame, *, outputs=("mean_rank_shift", "n_certified"), index: str = "ST",
                     ax=None):
    """Total (or first-order) Sobol index of each assumption on each output, with its interval.

    ``indices`` is :attr:`~dmaf_analysis.sensitivity.SensitivityResult.indices`
    (columns ``output, assumption, ST, ST_low, ST_high``, and the same for ``S1``);
    ``index`` is ``"ST"`` or ``"S1"``. One group of bars per assumption, one bar per
    output, the bar's value written beside it.
    """
    if index not in ("ST", "S1"):
        raise ValueError(f"index must be 'ST' or 'S1', got {index!r}")
    data = indices[indices["output"].isin(list(outputs))]
    groups = list(dict.fromkeys(data["assumption"]))
    ax = _axes(ax, figsize=(render.PAGE_WIDTH, max(2.4, 0.55 * len(groups) * max(1, len(outputs)) / 1.6 + 1)))
    if data.empty:
        return _empty(ax)
    present = [o for o in outputs if o in set(data["output"])]
    height = 0.8 / len(present)
    palette = sns.color_palette("colorblind", len(present))
    hatches = ["", "//", "..", "xx"]
    for j, out in enumerate(present):
        part = data[data["output"] == out].set_index("assumption").reindex(groups)
        y = np.arange(len(groups)) + (j - (len(present) - 1) / 2) * height
        value = part[index].to_numpy(float)
        err = np.vstack([np.clip(value - part[f"{index}_low"].to_numpy(float), 0, None),
                         np.clip(part[f"{index}_high"].to_numpy(float) - value, 0, None)])
        ax.barh(y, value, height=height * 0.9, color=palette[j], hatch=hatches[j % len(hatches)],
                edgecolor="white", label=chart_text(_OUTPUT_LABELS.get(out, out)))
        ax.errorbar(value, y, xerr=err, fmt="none", ecolor="black", elinewidth=0.7, capsize=1.5)
        for yy, v, hi in zip(y, value, part[f"{index}_high"].to_numpy(float)):
            ax.text(max(v, hi, 0) + 0.02, yy, f"{v:.2f}", va="center", fontsize=_SMALL)
    ax.set_yticks(np.arange(len(groups)), chart_labels(groups))
    ax.invert_yaxis()
    ax.axvline(0, color="black", lw=0.8)
    name = "Total index ST" if index == "ST" else "First-order index S1"
    ax.set(xlim=(min(0.0, float(data[f"{index}_low"].min())) - 0.02, 1.15), xlabel=f"{name} (95 % interval)",
           ylabel="", title="Which assumption matters?")
    ax.legend(loc="lower right", fontsize=_SMALL, frameon=False)
    return ax
