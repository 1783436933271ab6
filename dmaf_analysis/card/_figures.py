"""Figures of the city report card.

Plot functions take a table from the report functions of :mod:`dmaf_analysis.card`, draw on ``ax`` (a
new figure, in the toolkit's one style from :mod:`dmaf_analysis.render`, when
``ax`` is None) and return the Axes. Bars carry their values and zero is drawn.
:func:`png` turns a figure into an embeddable, optimised PNG (drawn at twice its
display size, so it stays sharp on screen and in print) and closes it, so a warm
kernel rendering many cards does not accumulate figures. Text from data reaches
the charts through :mod:`dmaf_analysis._util.escaping`.
"""
from __future__ import annotations

import base64
import io
import textwrap

import pandas as pd

from .. import render
from .._util.escaping import chart_labels, chart_text
from ._html import n_top_cities, top10_heading

__all__ = ["FIGURE_DPI", "SCALE", "plot_components", "plot_engagement", "png", "png_bytes", "png_data_uri"]

#: Resolution of the card's figures (the toolkit's one style, :mod:`dmaf_analysis.render`).
FIGURE_DPI = render.DPI
_CITY_COLOUR = render.CITY
_PALETTE = {"city": _CITY_COLOUR, "National median": render.REFERENCE, "Top-10 mean": render.HIGHLIGHT}


_styled = False


def _new_axes(ax, size):
    global _styled
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    if not _styled:  # the toolkit's style, once per kernel
        render.apply()
        _styled = True
    _, ax = plt.subplots(figsize=size, dpi=FIGURE_DPI)
    return ax


# ---------------------------------------------------------------------------- figures
def plot_components(comparison: pd.DataFrame, *, city: str = "City", ax=None):
    """Grouped bars: the city's component scores, the national median, the top-10 mean.

    The part of each city bar that comes from synthetic values (``synthetic_points``)
    is drawn pale and hatched, with a legend entry "synthetic part".

    Parameters
    ----------
    comparison : DataFrame
        Output of :func:`dmaf_analysis.card.component_comparison`.
    city : str
        Legend label of the city's bars.
    """
    import seaborn as sns

    ax = _new_axes(ax, (render.PAGE_WIDTH, 3.1))
    long = comparison.melt(id_vars=["name"], value_vars=["score", "national_median", "top10_mean"],
                           var_name="series", value_name="value")
    # more than five components (any framework): wrap the names so neighbouring labels do not overlap
    width = 100 if len(comparison) <= 5 else 11
    long["name"] = [textwrap.fill(t, width, break_long_words=False) for t in chart_labels(long["name"].astype(str))]
    n_top = n_top_cities(comparison)
    top = top10_heading(n_top) if 0 < n_top < 10 else "Top-10 mean"
    labels = {"score": chart_text(city), "national_median": "National median", "top10_mean": top}
    long["series"] = long["series"].map(labels)
    palette = {labels["score"]: _CITY_COLOUR, "National median": _PALETTE["National median"],
               top: _PALETTE["Top-10 mean"]}
    sns.barplot(data=long, x="name", y="value", hue="series", hue_order=list(labels.values()),
                palette=palette, ax=ax)
    for container in ax.containers:
        render.label_bars(ax, container, [b.get_height() for b in container], fmt="{:.0f}",
                          fontsize=render.SMALL_SIZE - 1)
    render.zero_line(ax)
    ax.set_ylim(0, 108)
    ax.set_xlabel("")
    ax.set_ylabel("Score (out of 100)")
    handles, names = ax.get_legend_handles_labels()
    if _hatch_synthetic(ax, comparison):
        from matplotlib.patches import Patch

        handles.append(Patch(facecolor=_SYNTHETIC_FACE, edgecolor=_CITY_COLOUR, hatch=_SYNTHETIC_HATCH, lw=0))
        names.append("synthetic part")
    if _outline_ranges(ax, comparison):
        from matplotlib.patches import Patch

        handles.append(Patch(facecolor="none", edgecolor=_CITY_COLOUR, linestyle="--", lw=1))
        names.append("not on record (up to the maximum)")
    ax.legend(handles, names, title="", fontsize=render.SMALL_SIZE, ncols=len(handles), loc="upper center",
              bbox_to_anchor=(0.5, 1.2), frameon=False)
    ax.tick_params(labelsize=render.SMALL_SIZE)
    sns.despine(ax=ax)
    return ax


def _outline_ranges(ax, comparison: pd.DataFrame) -> bool:
    """Draw each range of the city's bars (``score`` to ``score_high``) as a dashed outline; relabel the bar."""
    if "score_high" not in comparison.columns or not ax.containers:
        return False
    from matplotlib.patches import Rectangle

    drawn = False
    for bar, score, high in zip(ax.containers[0].patches, comparison["score"], comparison["score_high"]):
        score, high = float(score), float(high)
        if not high > score:
            continue
        ax.add_patch(Rectangle((bar.get_x(), score), bar.get_width(), high - score, facecolor="none",
                               edgecolor=_CITY_COLOUR, linestyle="--", linewidth=1, zorder=bar.get_zorder() + 0.1))
        ax.annotate(f"{score:.0f}–{high:.0f}", (bar.get_x() + bar.get_width() / 2, high), ha="center", va="bottom",
                    fontsize=render.SMALL_SIZE - 1, xytext=(0, 1), textcoords="offset points")
        drawn = True
    return drawn


_SYNTHETIC_HATCH = "////"
_SYNTHETIC_FACE = (1.0, 1.0, 1.0, 0.6)  # pale: the bar's colour shows through at 40 %


def _hatch_synthetic(ax, comparison: pd.DataFrame) -> bool:
    """Draw the synthetic share of the city's bars (its first bar group) pale and hatched.

    ``comparison`` needs ``score`` and ``synthetic_points`` (points of the score
    that come from synthetic values); the top ``synthetic_points`` of each bar are
    covered. Returns whether anything was drawn (so the legend can explain it).
    """
    if "synthetic_points" not in comparison.columns or not ax.containers:
        return False
    from matplotlib.patches import Rectangle

    drawn = False
    for bar, score, synthetic in zip(ax.containers[0].patches, comparison["score"], comparison["synthetic_points"]):
        score, synthetic = float(score), float(synthetic)
        if not (synthetic > 0 and score == score):
            continue
        ax.add_patch(Rectangle((bar.get_x(), score - synthetic), bar.get_width(), synthetic,
                               facecolor=_SYNTHETIC_FACE, edgecolor=_CITY_COLOUR, hatch=_SYNTHETIC_HATCH,
                               linewidth=0, zorder=bar.get_zorder() + 0.1))
        drawn = True
    return drawn


def plot_engagement(distribution: pd.DataFrame, *, ax=None):
    """Histogram of the cycle's engagement scores with the report city marked.

    Parameters
    ----------
    distribution : DataFrame
        Output of :func:`dmaf_analysis.card.engagement_distribution`.
    """
    import seaborn as sns

    ax = _new_axes(ax, (render.PAGE_WIDTH, 2.3))
    values = distribution["engagement_score"].astype(float)
    if values.empty:
        ax.text(0.5, 0.5, "No engagement scores in the data", ha="center", va="center",
                transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    sns.histplot(x=values, bins=list(range(0, 101, 10)), color=_PALETTE["National median"], ax=ax)
    mine = distribution.loc[distribution["is_report_city"], ["city", "engagement_score"]]
    if len(mine):
        x = float(mine["engagement_score"].iloc[0])
        ax.axvline(x, color=_CITY_COLOUR, linewidth=2.5)
        right = x > 70
        ax.annotate(chart_text(mine["city"].iloc[0]), (x, 1), xycoords=("data", "axes fraction"),
                    xytext=(-4 if right else 4, -12), textcoords="offset points",
                    ha="right" if right else "left", color=_CITY_COLOUR, fontsize=render.FONT_SIZE)
    ax.set_xlim(0, 100)
    ax.set_xlabel("City Engagement Score (out of 100)")
    ax.set_ylabel("Cities")
    ax.tick_params(labelsize=render.SMALL_SIZE)
    sns.despine(ax=ax)
    return ax


#: Pixels per figure pixel: figures are drawn at twice their display size (sharp on screens and in print).
SCALE = 2


def png_bytes(ax_or_figure, *, dpi: int = FIGURE_DPI, scale: int = SCALE) -> tuple[bytes, int]:
    """The figure as an optimised PNG (palette of 256 colours) and its display width in pixels; closes it."""
    import matplotlib.pyplot as plt
    from PIL import Image as PILImage

    fig = getattr(ax_or_figure, "figure", ax_or_figure)
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format="png", dpi=dpi * scale, bbox_inches="tight")
    finally:
        plt.close(fig)
    image = PILImage.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    small = image.quantize(colors=256, method=PILImage.Quantize.FASTOCTREE)
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True)
    return out.getvalue(), max(1, round(image.width / scale))


def png(ax_or_figure, *, dpi: int = FIGURE_DPI, scale: int = SCALE):
    """Render a figure to an ``IPython.display.Image`` (optimised PNG, shown at its natural size); closes it."""
    from IPython.display import Image

    data, width = png_bytes(ax_or_figure, dpi=dpi, scale=scale)
    return Image(data=data, format="png", width=width)


def png_data_uri(ax_or_figure, *, dpi: int = FIGURE_DPI) -> str:
    """The figure as a ``data:image/png;base64,...`` URI (and close it)."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(ax_or_figure, dpi=dpi)[0]).decode("ascii")
