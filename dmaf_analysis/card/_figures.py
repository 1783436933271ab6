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
import html as _html
import io
import textwrap
from functools import lru_cache

import pandas as pd

from .. import render
from .._util.escaping import chart_labels, chart_text, terminal_text
from ._html import n_top_cities, top10_heading

__all__ = ["CHART_MAX_PX", "CHART_PRINT_MM", "CHART_WIDTH", "ENGAGEMENT_BINS", "FIGURE_DPI", "SCALE", "chart_html",
           "components_alt_text", "components_chart_html", "components_svg", "engagement_chart_html", "engagement_svg",
           "plot_components", "plot_engagement", "png", "png_bytes", "png_data_uri"]

#: Resolution of the card's figures (the toolkit's one style, :mod:`dmaf_analysis.render`).
FIGURE_DPI = render.DPI
_CITY_COLOUR = render.CITY
_PALETTE = {"city": _CITY_COLOUR, "National median": render.REFERENCE, "Top-10 mean": render.HIGHLIGHT}


def _new_axes(ax, size):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    # the toolkit's style for every new figure: a batch kernel restores matplotlib's settings between
    # reports, so a style applied "once per kernel" was on the first card of each kernel only, and
    # cards drawn by a warm kernel differed from the same card drawn alone
    render.apply()
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


# ------------------------------------------------------------------ inline SVG charts
# The card's two charts are drawn here from the numbers as inline SVG: vector (sharp on
# screen, in print and when zoomed), a few kilobytes, no matplotlib and no raster pass,
# and byte-for-byte the same for the same numbers (no ids, dates or random jitter).
# Sizes are in the SVG's own units: the drawing is CHART_WIDTH units wide and is shown at
# the column's width up to CHART_MAX_PX pixels on screen (at least 560 px on a 1280 px
# screen), CHART_PRINT_MM wide on paper (14 units then print at about 8 pt) and at the
# phone's width on a phone (14 units are then about 9.5 px).
CHART_WIDTH = 540
CHART_MAX_PX = 640
CHART_PRINT_MM = 110
_FONT = 14          # tick labels, bar values, component names
_FONT_LABEL = 15    # axis titles, legend, annotations
_TEXT_COLOUR = "#222222"
_GRID = "#e4e4e4"
_AXIS = "#444444"

_CHART_STYLE = (
    "<style>.dmaf-chart{display:block;width:100%;max-width:" + str(CHART_MAX_PX) + "px;height:auto;margin:0.4em 0}"
    "@media print{.dmaf-chart{max-width:" + str(CHART_PRINT_MM) + "mm;break-inside:avoid;page-break-inside:avoid}}"
    "</style>")


def _x(text) -> str:
    """Text from data made safe for SVG (control characters shown as escapes, markup escaped)."""
    return _html.escape(terminal_text(str(text)), quote=True)


def _n(value: float) -> str:
    """A coordinate with at most one decimal (short and stable output)."""
    text = f"{float(value):.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text_width(text: str, size: float) -> float:
    """Rough width of ``text`` in DejaVu Sans at ``size`` (0.6 em per character: errs wide)."""
    return 0.6 * size * len(text)


def _wrap(text: str, width_units: float, size: float) -> list[str]:
    """``text`` wrapped into lines that fit ``width_units`` (long words are kept whole)."""
    chars = max(4, int(width_units / (0.6 * size)))
    return textwrap.wrap(text, chars, break_long_words=False) or [""]


def _svg(width: float, height: float, body: list[str], *, label: str) -> str:
    """An ``<svg>`` element: scalable (viewBox), described for screen readers (``label``)."""
    return (f'<svg class="dmaf-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(width)} {_n(height)}" '
            f'width="{_n(width)}" height="{_n(height)}" role="img" aria-label="{_x(label)}" '
            f'font-family="DejaVu Sans, Segoe UI, Roboto, Helvetica, Arial, sans-serif" font-size="{_FONT}" '
            f'fill="{_TEXT_COLOUR}"><title>{_x(label)}</title>{"".join(body)}</svg>')


def _legend(entries: list[tuple[str, str]], *, y: float, width: float) -> tuple[list[str], float]:
    """Legend swatches (``(swatch_svg_attrs, text)``) in rows centred in ``width``; the parts and the height used."""
    size, box, gap = _FONT_LABEL, 12, 16
    items = [(attrs, text, box + 5 + _text_width(text, size)) for attrs, text in entries]
    rows: list[list] = [[]]
    used = 0.0
    for item in items:
        if rows[-1] and used + gap + item[2] > width:
            rows.append([])
            used = 0.0
        used += (gap if rows[-1] else 0) + item[2]
        rows[-1].append(item)
    out = []
    for r, row in enumerate(rows):
        total = sum(i[2] for i in row) + gap * (len(row) - 1)
        x = (width - total) / 2
        cy = y + r * (size + 8)
        for attrs, text, w in row:
            out.append(f'<rect x="{_n(x)}" y="{_n(cy - box + 2)}" width="{box}" height="{box}" {attrs}/>')
            out.append(f'<text x="{_n(x + box + 5)}" y="{_n(cy + 1)}" font-size="{size}">{_x(text)}</text>')
            x += w + gap
    return out, len(rows) * (size + 8)


_HATCH_DEF = ('<defs><pattern id="dmaf-synthetic-hatch" patternUnits="userSpaceOnUse" width="6" height="6" '
              'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff" fill-opacity="0.6"/>'
              '<line x1="0" y1="0" x2="0" y2="6" stroke="#333333" stroke-width="1.4"/></pattern></defs>')
_HATCH_FILL = 'fill="url(#dmaf-synthetic-hatch)"'


def _fmt0(value: float) -> str:
    return f"{value:.0f}"


def components_svg(comparison: pd.DataFrame, *, city: str = "City") -> str:
    """Grouped bars as inline SVG: the city's component scores, the national median, the top-10 mean.

    What :func:`plot_components` shows, drawn from the numbers. The part of each
    city bar that comes from synthetic values (``synthetic_points``) is hatched,
    and when ``comparison`` has ``score_low`` and ``score_high`` (the component's
    score with the unknown values at their minimum and at their maximum) and they
    differ, the bar is solid up to ``score_low`` and an outline from there up to
    ``score_high``: the range that is not known. Each extra mark has a legend entry.

    Parameters
    ----------
    comparison : DataFrame
        Output of :func:`dmaf_analysis.card.component_comparison`.
    city : str
        Legend label of the city's bars.

    Returns
    -------
    str
        An ``<svg>`` element (no script, no external reference) with a text
        description for screen readers.
    """
    n = len(comparison)
    width = float(CHART_WIDTH)
    n_top = n_top_cities(comparison)
    top_label = top10_heading(n_top) if 0 < n_top < 10 else "Top-10 mean"
    score = comparison["score"].astype(float).to_numpy() if n else []
    low = (comparison["score_low"].astype(float).to_numpy() if "score_low" in comparison.columns else score)
    high = (comparison["score_high"].astype(float).to_numpy() if "score_high" in comparison.columns else score)
    synthetic = (comparison["synthetic_points"].astype(float).fillna(0.0).to_numpy()
                 if "synthetic_points" in comparison.columns else [0.0] * n)
    median = comparison["national_median"].astype(float).to_numpy() if n else []
    top = comparison["top10_mean"].astype(float).to_numpy() if n else []
    names = [str(v) for v in comparison["name"]] if n else []

    ranged = [not (lo != lo or hi != hi) and hi > lo + 1e-9 for lo, hi in zip(low, high)]
    hatched = [s > 0 and lo == lo for s, lo in zip(synthetic, low)]
    entries = [(f'fill="{_CITY_COLOUR}"', str(city)), (f'fill="{render.REFERENCE}"', "National median"),
               (f'fill="{render.HIGHLIGHT}"', top_label)]
    if any(hatched):
        entries.append((f'fill="{_CITY_COLOUR}" stroke="{_CITY_COLOUR}"', "synthetic part"))
    if any(ranged):
        entries.append((f'fill="#ffffff" stroke="{_CITY_COLOUR}" stroke-width="1.5"', "range (values not known)"))
    body = [_HATCH_DEF] if any(hatched) else []
    legend, legend_h = _legend(entries, y=16, width=width)
    if any(hatched):  # the hatch swatch: the city's colour under the hatch, as on the bars
        i = next(k for k, (_, t) in enumerate(entries) if t == "synthetic part")
        swatch = legend[2 * i]
        legend.insert(2 * i + 1, swatch.replace(f'fill="{_CITY_COLOUR}" stroke="{_CITY_COLOUR}"', _HATCH_FILL))
    body += legend

    left, right = 52.0, 8.0
    top_y = 16 + legend_h + 10
    plot_h = 190.0
    plot_w = width - left - right
    group_w = plot_w / max(n, 1)
    label_lines = [_wrap(name, group_w - 6, _FONT) for name in names]
    n_lines = max((len(lines) for lines in label_lines), default=1)
    height = top_y + plot_h + 8 + n_lines * (_FONT + 3) + 6

    def y_of(v: float) -> float:
        return top_y + plot_h * (1 - max(0.0, min(float(v), 108.0)) / 108.0)

    # grid, y axis, its title
    for tick in range(0, 101, 20):
        y = y_of(tick)
        body.append(f'<line x1="{_n(left)}" x2="{_n(width - right)}" y1="{_n(y)}" y2="{_n(y)}" '
                    f'stroke="{_GRID}" stroke-width="0.8"/>')
        body.append(f'<text x="{_n(left - 5)}" y="{_n(y + 4.5)}" text-anchor="end">{tick}</text>')
    body.append(f'<text transform="translate(14 {_n(top_y + plot_h / 2)}) rotate(-90)" text-anchor="middle" '
                f'font-size="{_FONT_LABEL}">Score (out of 100)</text>')

    bar_w = group_w * 0.8 / 3
    for i in range(n):
        x0 = left + i * group_w + group_w * 0.1
        series = [(low[i], _CITY_COLOUR), (median[i], render.REFERENCE), (top[i], render.HIGHLIGHT)]
        for j, (value, colour) in enumerate(series):
            x = x0 + j * bar_w
            if value != value:
                continue
            body.append(f'<rect x="{_n(x)}" y="{_n(y_of(value))}" width="{_n(bar_w)}" '
                        f'height="{_n(y_of(0) - y_of(value))}" fill="{colour}"/>')
            label_value, label_top = _fmt0(value), value
            if j == 0 and hatched[i]:
                part = min(synthetic[i], value)
                body.append(f'<rect x="{_n(x)}" y="{_n(y_of(value))}" width="{_n(bar_w)}" '
                            f'height="{_n(y_of(value - part) - y_of(value))}" {_HATCH_FILL}/>')
            if j == 0 and ranged[i]:
                body.append(f'<rect x="{_n(x + 0.75)}" y="{_n(y_of(high[i]))}" width="{_n(bar_w - 1.5)}" '
                            f'height="{_n(y_of(value) - y_of(high[i]))}" fill="#ffffff" stroke="{colour}" '
                            f'stroke-width="1.5"/>')
                label_value, label_top = f"{_fmt0(value)}\u2013{_fmt0(high[i])}", high[i]
            size = _FONT if _text_width(label_value, _FONT) <= bar_w + 10 else _FONT - 2
            body.append(f'<text x="{_n(x + bar_w / 2)}" y="{_n(y_of(label_top) - 3)}" text-anchor="middle" '
                        f'font-size="{size}">{_x(label_value)}</text>')
        if low[i] != low[i]:  # no score: say so rather than draw nothing
            body.append(f'<text x="{_n(x0 + bar_w / 2)}" y="{_n(y_of(0) - 3)}" text-anchor="middle">n/a</text>')
        for k, line in enumerate(label_lines[i]):
            body.append(f'<text x="{_n(left + (i + 0.5) * group_w)}" y="{_n(y_of(0) + 8 + (k + 1) * (_FONT + 3) - 3)}" '
                        f'text-anchor="middle">{_x(line)}</text>')
    body.append(f'<line x1="{_n(left)}" x2="{_n(width - right)}" y1="{_n(y_of(0))}" y2="{_n(y_of(0))}" '
                f'stroke="#333333" stroke-width="1.2"/>')
    body.append(f'<line x1="{_n(left)}" x2="{_n(left)}" y1="{_n(top_y)}" y2="{_n(y_of(0))}" '
                f'stroke="{_AXIS}" stroke-width="0.8"/>')
    return _svg(width, height, body, label=components_alt_text(comparison, city=city))


def components_alt_text(comparison: pd.DataFrame, *, city: str = "City") -> str:
    """A sentence per component for screen readers: the city's score (or range), the median and the top-10 mean."""
    if comparison.empty:
        return f"Component scores of {city}: no components to show."
    parts = []
    has_range = {"score_low", "score_high"} <= set(comparison.columns)
    for _, row in comparison.iterrows():
        score = float(row["score"])
        text = "no score" if score != score else f"{score:.0f}"
        if has_range and float(row["score_high"]) > float(row["score_low"]) + 1e-9:
            text = f"between {float(row['score_low']):.0f} and {float(row['score_high']):.0f}"
        synthetic = float(row.get("synthetic_points", 0.0) or 0.0)
        if synthetic > 0:
            text += f" ({synthetic:.0f} points from synthetic values)"
        parts.append(f"{row['name']}: {text}, national median {_num(row['national_median'])}, "
                     f"top-10 mean {_num(row['top10_mean'])}")
    return f"Component scores of {city} out of 100. " + "; ".join(parts) + "."


def _num(value) -> str:
    v = float(value)
    return "not available" if v != v else f"{v:.0f}"


#: Bins of the engagement histogram: 0-10, 10-20, ..., 90-100 (100 falls in the last).
ENGAGEMENT_BINS = tuple(range(0, 101, 10))


@lru_cache(maxsize=32)
def _histogram(values: tuple[float, ...]) -> tuple[int, ...]:
    """Counts per :data:`ENGAGEMENT_BINS` bin (computed once per cycle: every card of a cycle asks the same)."""
    counts = [0] * (len(ENGAGEMENT_BINS) - 1)
    for v in values:
        if v != v:
            continue
        k = min(max(int(v // 10), 0), len(counts) - 1)
        counts[k] += 1
    return tuple(counts)


def engagement_svg(distribution: pd.DataFrame) -> str:
    """Histogram of the cycle's engagement scores as inline SVG, the report city marked by a line.

    What :func:`plot_engagement` shows, drawn from the numbers; the bars are the
    same for every city of a cycle and computed once.

    Parameters
    ----------
    distribution : DataFrame
        Output of :func:`dmaf_analysis.card.engagement_distribution`.

    Returns
    -------
    str
        An ``<svg>`` element with a text description for screen readers.
    """
    width = float(CHART_WIDTH)
    values = tuple(float(v) for v in distribution["engagement_score"])
    if not values:
        body = [f'<text x="{_n(width / 2)}" y="40" text-anchor="middle" font-size="{_FONT_LABEL}">'
                "No engagement scores in the data</text>"]
        return _svg(width, 70, body, label="No engagement scores in the data.")
    counts = _histogram(values)
    left, right, top_y, plot_h = 52.0, 12.0, 12.0, 150.0
    plot_w = width - left - right
    peak = max(max(counts), 1)
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10**4, 10**5, 10**6,
                            10**9) if peak / s <= 6)
    y_max = step * (-(-peak // step))

    def x_of(v: float) -> float:
        return left + plot_w * max(0.0, min(float(v), 100.0)) / 100.0

    def y_of(c: float) -> float:
        return top_y + plot_h * (1 - c / (y_max * 1.08))

    body = []
    for tick in range(0, y_max + 1, step):
        y = y_of(tick)
        body.append(f'<line x1="{_n(left)}" x2="{_n(width - right)}" y1="{_n(y)}" y2="{_n(y)}" stroke="{_GRID}" '
                    f'stroke-width="0.8"/>')
        body.append(f'<text x="{_n(left - 5)}" y="{_n(y + 4.5)}" text-anchor="end">{tick}</text>')
    for k, c in enumerate(counts):
        if c:
            x0, x1 = x_of(ENGAGEMENT_BINS[k]), x_of(ENGAGEMENT_BINS[k + 1])
            body.append(f'<rect x="{_n(x0 + 0.5)}" y="{_n(y_of(c))}" width="{_n(x1 - x0 - 1)}" '
                        f'height="{_n(y_of(0) - y_of(c))}" fill="{render.REFERENCE}"/>')
    for tick in range(0, 101, 20):
        body.append(f'<text x="{_n(x_of(tick))}" y="{_n(y_of(0) + _FONT + 4)}" text-anchor="middle">{tick}</text>')
    body.append(f'<line x1="{_n(left)}" x2="{_n(width - right)}" y1="{_n(y_of(0))}" y2="{_n(y_of(0))}" '
                f'stroke="#333333" stroke-width="1.2"/>')
    body.append(f'<text x="{_n(left + plot_w / 2)}" y="{_n(y_of(0) + 2 * _FONT + 12)}" text-anchor="middle" '
                f'font-size="{_FONT_LABEL}">City Engagement Score (out of 100)</text>')
    body.append(f'<text transform="translate(14 {_n(top_y + plot_h / 2)}) rotate(-90)" text-anchor="middle" '
                f'font-size="{_FONT_LABEL}">Cities</text>')
    mine = distribution.loc[distribution["is_report_city"].astype(bool), ["city", "engagement_score"]]
    label = (f"Histogram of the City Engagement Scores of {len(values)} cities in bins of 10 points: "
             + ", ".join(f"{c} from {a} to {b}" for a, b, c in zip(ENGAGEMENT_BINS, ENGAGEMENT_BINS[1:], counts))
             + ".")
    if len(mine) and float(mine["engagement_score"].iloc[0]) == float(mine["engagement_score"].iloc[0]):
        x_val = float(mine["engagement_score"].iloc[0])
        name = str(mine["city"].iloc[0])
        x = x_of(x_val)
        body.append(f'<line x1="{_n(x)}" x2="{_n(x)}" y1="{_n(top_y)}" y2="{_n(y_of(0))}" stroke="{_CITY_COLOUR}" '
                    f'stroke-width="3"/>')
        right_side = x_val > 70
        body.append(f'<text x="{_n(x - 6 if right_side else x + 6)}" y="{_n(top_y + _FONT_LABEL)}" '
                    f'text-anchor="{"end" if right_side else "start"}" font-size="{_FONT_LABEL}" '
                    f'fill="{_CITY_COLOUR}" font-weight="bold">{_x(name)} ({x_val:.0f})</text>')
        label += f" {name} scores {x_val:.0f}, marked by a line."
    height = y_of(0) + 2 * _FONT + 20
    return _svg(width, height, body, label=label)


def chart_html(svg: str, *, caption: str = "") -> str:
    """An inline SVG chart (:func:`components_svg`, :func:`engagement_svg`) ready for the card.

    The chart is shown at the column's width up to :data:`CHART_MAX_PX` pixels,
    :data:`CHART_PRINT_MM` millimetres wide on paper, and keeps its proportions on
    a phone; ``caption`` (escaped) is set below it.
    """
    cap = f'<p class="dmaf-caption">{_html.escape(caption)}</p>' if caption else ""
    return f"<figure style=\"margin:0\">{_CHART_STYLE}{svg}{cap}</figure>"


def components_chart_html(comparison: pd.DataFrame, *, city: str = "City") -> str:
    """The card's component chart, embedded (:func:`components_svg` in :func:`chart_html`)."""
    return chart_html(components_svg(comparison, city=city))


def engagement_chart_html(distribution: pd.DataFrame) -> str:
    """The card's engagement chart, embedded (:func:`engagement_svg` in :func:`chart_html`)."""
    return chart_html(engagement_svg(distribution))
