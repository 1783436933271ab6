"""The one plotting style of the toolkit: fonts, colours, sizes and resolution, set here only.

Every chart of the national reports (:mod:`~dmaf_analysis.national`) and of the city
cards (:mod:`~dmaf_analysis.card`) takes its colours and sizes from this
module, and :func:`apply` sets matplotlib's defaults to match.

* **Colours**: the Okabe-Ito palette, distinguishable with the common forms of
  colour blindness; gains are blue and losses vermillion, and every chart also
  shows direction by sign, position or marker shape, never by colour alone.
  Sequential scales use ``cividis``, diverging ones ``PuOr``.
* **Text**: :data:`FONT_SIZE` points for labels and :data:`SMALL_SIZE` for the
  smallest text (tick labels, annotations); at :data:`DPI` dots per inch and the
  figure's natural size this is at least the pages' small print (12 px).
* **Sizes**: figures are :data:`PAGE_WIDTH` inches wide, the width of the report
  column; charts with one row per city or indicator grow with the number of rows
  (:func:`rows_height`).
"""
from __future__ import annotations

from ._alt import describe_figures

__all__ = [
    "CERTIFIED", "CITY", "DIVERGING", "DPI", "FONT_SIZE", "GAIN", "HIGHLIGHT", "LIST_LIMIT", "LOSS",
    "NEUTRAL", "NOT_CERTIFIED", "OKABE_ITO", "PAGE_WIDTH", "PALETTE", "REFERENCE", "ROW_HEIGHT",
    "SEQUENTIAL", "SHARES", "SMALL_SIZE", "TITLE_SIZE", "apply", "label_bars", "rc_params", "rows_height",
    "use_report_style", "zero_line",
]

#: The eight Okabe-Ito colours.
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish_purple": "#CC79A7",
}
#: Colour cycle for categories (black last: it is kept for reference lines).
PALETTE = [OKABE_ITO[k] for k in ("blue", "orange", "bluish_green", "vermillion", "sky_blue",
                                  "reddish_purple", "yellow")]
GAIN = OKABE_ITO["blue"]
LOSS = OKABE_ITO["vermillion"]
NEUTRAL = "#8c8c8c"
#: The report city, the national median and the top-10 mean on the city card.
CITY = OKABE_ITO["blue"]
REFERENCE = "#8c8c8c"
HIGHLIGHT = OKABE_ITO["orange"]
#: Certified and not certified levels.
CERTIFIED = OKABE_ITO["blue"]
NOT_CERTIFIED = "#b0b0b0"
SEQUENTIAL = "cividis"
DIVERGING = "PuOr"
#: Stacked shares: at 0, partial, full marks.
SHARES = (OKABE_ITO["vermillion"], OKABE_ITO["sky_blue"], OKABE_ITO["blue"])

FONT_FAMILY = ["DejaVu Sans", "Arial", "Helvetica", "sans-serif"]
FONT_SIZE = 10.0
SMALL_SIZE = 9.0
TITLE_SIZE = 11.0
#: Resolution of every figure (at 100 dpi, 9 pt is 12.5 px).
DPI = 100
#: Width of a full-width figure, in inches (the report column is about 760 px).
PAGE_WIDTH = 7.4
#: Height of one row (city, indicator, group) in charts that list them, in inches.
ROW_HEIGHT = 0.2
#: Charts listing more cities than this show the top and bottom ``LIST_LIMIT // 2`` and say so.
LIST_LIMIT = 40


def rc_params(dpi: int = DPI) -> dict:
    """The matplotlib settings of the toolkit's style (a new dict)."""
    from cycler import cycler

    return {
        "figure.dpi": dpi, "savefig.dpi": dpi, "figure.figsize": (PAGE_WIDTH, 3.6),
        "figure.facecolor": "white", "savefig.facecolor": "white", "savefig.bbox": "tight",
        "font.family": "sans-serif", "font.sans-serif": FONT_FAMILY, "font.size": FONT_SIZE,
        "axes.titlesize": TITLE_SIZE, "axes.titleweight": "bold", "axes.labelsize": FONT_SIZE,
        "xtick.labelsize": SMALL_SIZE, "ytick.labelsize": SMALL_SIZE, "legend.fontsize": SMALL_SIZE,
        "legend.title_fontsize": SMALL_SIZE, "axes.prop_cycle": cycler(color=PALETTE),
        "axes.edgecolor": "#444444", "axes.labelcolor": "#222222", "text.color": "#222222",
        "xtick.color": "#333333", "ytick.color": "#333333", "axes.grid": True, "grid.color": "#e4e4e4",
        "grid.linewidth": 0.6, "axes.axisbelow": True, "axes.spines.top": False, "axes.spines.right": False,
        "image.cmap": SEQUENTIAL, "svg.fonttype": "none", "hatch.color": "#333333",
    }


def apply(dpi: int = DPI) -> None:
    """Set the toolkit's style as matplotlib's (and seaborn's) defaults."""
    import matplotlib as mpl
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook", palette=PALETTE)
    mpl.rcParams.update(rc_params(dpi))


def use_report_style(dpi: int = DPI) -> None:
    """:func:`apply`, plus sharp figures in notebooks (PNG at twice the pixels, shown at natural size) that
    carry alternative text (:func:`~dmaf_analysis.render.figure_alt`)."""
    apply(dpi)
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # pragma: no cover - not in a notebook environment
        return
    set_matplotlib_formats("retina")
    describe_figures()


def rows_height(n_rows: int, *, per_row: float = ROW_HEIGHT, extra: float = 1.2, minimum: float = 2.4) -> float:
    """Height (inches) of a chart with one row per item: grows with ``n_rows``."""
    return max(float(minimum), per_row * max(int(n_rows), 0) + extra)


def label_bars(ax, bars, values, *, fmt: str = "{:.0f}", horizontal: bool = False, inside_min: float | None = None,
               fontsize: float = SMALL_SIZE) -> None:
    """Write each bar's value at its end (outside); a zero-length bar still gets its ``0``."""
    for bar, value in zip(bars, values):
        if value is None or value != value:  # NaN
            continue
        text = fmt.format(value)
        if horizontal:
            x = bar.get_x() + bar.get_width()
            y = bar.get_y() + bar.get_height() / 2
            ax.annotate(text, (x, y), xytext=(3 if value >= 0 else -3, 0), textcoords="offset points",
                        ha="left" if value >= 0 else "right", va="center", fontsize=fontsize)
        else:
            x = bar.get_x() + bar.get_width() / 2
            y = bar.get_y() + bar.get_height()
            ax.annotate(text, (x, y), xytext=(0, 2 if value >= 0 else -2), textcoords="offset points",
                        ha="center", va="bottom" if value >= 0 else "top", fontsize=fontsize)


def zero_line(ax, *, axis: str = "y") -> None:
    """A visible zero line (so a zero bar reads as zero, not as missing)."""
    if axis == "y":
        ax.axhline(0, color="#333333", linewidth=1.0, zorder=3)
    else:
        ax.axvline(0, color="#333333", linewidth=1.0, zorder=3)
