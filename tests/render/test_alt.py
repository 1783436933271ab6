"""Alternative text of charts (dmaf_analysis.render.figure_alt)."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from dmaf_analysis import render  # noqa: E402


def test_alt_text_from_titles_and_axes_or_the_label():
    fig, ax = plt.subplots()
    ax.set_title(r"Budget (\$) by city")
    ax.set_xlabel("Overall score")
    ax.set_ylabel("Cities")
    try:
        assert render.figure_alt(fig) == "Chart: Budget ($) by city (across: Overall score; up: Cities)."
        fig.set_label("Bars of the number of cities at each level: 58 not certified, 42 enabled.")
        assert render.figure_alt(fig).startswith("Bars of the number of cities")
    finally:
        plt.close(fig)
    bare, _ = plt.subplots()
    try:
        assert render.figure_alt(bare) == "Chart: untitled."
    finally:
        plt.close(bare)


def test_describe_figures_outside_a_notebook_does_nothing():
    render.describe_figures()   # no IPython shell: no error, nothing registered
