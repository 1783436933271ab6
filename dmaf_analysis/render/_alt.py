"""Alternative text for the charts of the report pages.

A chart shown by a notebook cell becomes an ``<img>`` of the page; its ``alt``
text is :func:`figure_alt` of the matplotlib figure: the figure's label when
the code that drew it set one (``fig.set_label("...")``: the best description,
written where the chart is made), otherwise a sentence built from what the
chart says about itself (its titles and axis labels). :func:`describe_figures`
makes the notebook's PNG output carry that text (as the output's ``alt``
metadata, which the page template writes into the ``<img>``).
"""
from __future__ import annotations

__all__ = ["describe_figures", "figure_alt"]


def _clean(text: str) -> str:
    return " ".join(str(text).replace("\\$", "$").split())


def figure_alt(fig) -> str:
    """A sentence describing ``fig`` for a screen reader: its label, or its titles and axis labels."""
    label = _clean(fig.get_label() or "")
    if label:
        return label
    titles, axes_words = [], []
    suptitle = fig.get_suptitle() if hasattr(fig, "get_suptitle") else ""
    if suptitle.strip():
        titles.append(_clean(suptitle))
    for ax in fig.get_axes():
        if ax.get_title().strip():
            titles.append(_clean(ax.get_title()))
        x, y = _clean(ax.get_xlabel()), _clean(ax.get_ylabel())
        words = "; ".join(p for p in (f"across: {x}" if x else "", f"up: {y}" if y else "") if p)
        if words and words not in axes_words:
            axes_words.append(words)
    head = "Chart: " + ("; ".join(dict.fromkeys(titles)) if titles else "untitled")
    return head + (f" ({' / '.join(axes_words)})" if axes_words else "") + "."


def describe_figures() -> None:
    """In a notebook: every matplotlib figure shown as PNG or SVG carries :func:`figure_alt` as its ``alt`` metadata.

    An SVG figure also carries ``tall`` (True when, drawn at the width of an A4 text
    column, it would print taller than about 140 mm), which the page template turns
    into the ``dmaf-tall`` class. Call after the formats are chosen
    (``set_matplotlib_formats``); outside IPython it does nothing.
    """
    try:
        from IPython import get_ipython
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover - IPython is a dependency of the notebooks
        return
    shell = get_ipython()
    if shell is None:
        return
    for mime in ("image/png", "image/svg+xml"):
        formatter = shell.display_formatter.formatters[mime]
        try:
            inner = formatter.lookup_by_type(Figure)
        except KeyError:
            continue
        formatter.for_type(Figure, _with_alt(getattr(inner, "dmaf_inner", inner), svg=mime == "image/svg+xml"))


def _with_alt(inner, *, svg: bool):
    """``inner`` (a figure formatter) returning its data with the figure's ``alt`` (and, for SVG, ``tall``)."""
    def formatted(fig):
        out = inner(fig)
        if out is None:
            return None
        data, meta = out if isinstance(out, tuple) else (out, {})
        extra = {"alt": figure_alt(fig)}
        if svg:
            width, height = fig.get_size_inches()
            extra["tall"] = bool(width > 0 and height / width * 707 > 530)
        return data, {**(meta or {}), **extra}

    formatted.dmaf_inner = inner
    return formatted
