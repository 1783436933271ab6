"""Two or more cities side by side in one cycle: the tables and a self-contained HTML page.

:func:`compare_summary` and :func:`compare_indicators` return the numbers;
:func:`comparison_html` lays them out as one page (every piece of text from the data
escaped, the chart embedded as a PNG) and :func:`render_comparison` writes it
atomically under ``<output_dir>/compare/``. Components, indicators and levels come
from the cycle's framework, whatever their number or names.
"""
from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .dataset import Dataset
from .errors import ArgumentError, DmafError
from .escaping import chart_text
from .fileio import write_text_atomic
from .batch.slug import slugify
from .data_contract import is_synthetic
from .scoring import indicator_matrix

__all__ = ["compare_indicators", "compare_summary", "comparison_html", "comparison_path", "plot_comparison",
           "render_comparison", "resolve_cities"]

SUMMARY_COLUMNS = ["city", "state", "overall", "level", "certified", "rank", "n_ranked", "n_values",
                   "n_synthetic"]
INDICATOR_COLUMNS = ["indicator", "component", "component_name", "name", "max_score", "national_median",
                     "city", "score", "source"]


def resolve_cities(data: Dataset, cities: Sequence[str], *, cycle: int = 0) -> tuple[list[str], int]:
    """Canonical names of ``cities`` (two or more different ones, each assessed in the cycle) and the cycle.

    Every unknown or unassessed city is reported at once, with the closest names.
    """
    from .report import resolve_report_city

    names = [str(c) for c in cities]
    if len(names) < 2:
        raise ArgumentError(f"compare needs two or more cities, got {len(names)}")
    resolved, problems = [], []
    c = data.resolve_cycle(cycle)
    for name in names:
        try:
            resolved.append(resolve_report_city(data, city=name, cycle=c)[0])
        except DmafError as exc:
            problems.append(str(exc))
    if problems:
        raise ArgumentError("cannot compare:\n" + "\n".join(f"  - {p}" for p in problems))
    repeated = sorted({n for n in resolved if resolved.count(n) > 1})
    if repeated:
        raise ArgumentError(f"a city is named more than once: {', '.join(repeated)}; give different cities")
    return resolved, c


def compare_summary(data: Dataset, *, cities: Sequence[str], cycle: int = 0) -> pd.DataFrame:
    """One row per city, in the order given: headline figures and component scores.

    Returns
    -------
    DataFrame
        Columns ``city, state, overall, level, certified, rank, n_ranked,
        n_values, n_synthetic`` followed by one column per component id of the
        cycle's framework (0-100). ``n_ranked`` is the number of ranked cities
        of the cycle, ``n_values`` the city's indicator values present and
        ``n_synthetic`` how many of them are synthetic.
    """
    names, c = resolve_cities(data, cities, cycle=cycle)
    fw = data.frameworks[c]
    scored = data.scored[data.scored["cycle"] == c].set_index("city", drop=False)
    rows = data.scores[(data.scores["cycle"] == c) & data.scores["city"].isin(names)]
    present = rows["score"].notna()
    n_values = present.groupby(rows["city"]).sum()
    synthetic = (present & is_synthetic(rows["source"])).groupby(rows["city"]).sum()
    out = scored.loc[names, ["city", "state", "overall", "level", "certified", "rank", *fw.component_ids]]
    out = out.reset_index(drop=True)
    out.insert(6, "n_ranked", int(scored["rank"].notna().sum()))
    out.insert(7, "n_values", [int(n_values.get(n, 0)) for n in names])
    out.insert(8, "n_synthetic", [int(synthetic.get(n, 0)) for n in names])
    out["rank"] = out["rank"].astype("Int64")
    return out[SUMMARY_COLUMNS + fw.component_ids]


def compare_indicators(data: Dataset, *, cities: Sequence[str], cycle: int = 0) -> pd.DataFrame:
    """Every indicator of every compared city (long table, framework order, cities in the order given).

    Returns
    -------
    DataFrame
        Columns ``indicator, component, component_name, name, max_score,
        national_median`` (median over the cycle's cities with a value),
        ``city``, ``score`` (NaN when missing) and ``source`` (provenance of the
        value, "" when missing).
    """
    names, c = resolve_cities(data, cities, cycle=cycle)
    fw = data.frameworks[c]
    rows = data.scores[data.scores["cycle"] == c]
    wide = indicator_matrix(rows, fw)
    median = wide.median(axis=0, skipna=True)
    mine = rows[rows["city"].isin(names)]
    source = mine.assign(source=mine["source"].fillna("").astype(str)).set_index(["city", "indicator"])["source"]
    comp_names = fw.components.set_index("component")["name"]
    ind = fw.indicators
    parts = []
    for name in names:
        values = wide.loc[name] if name in wide.index else pd.Series(np.nan, index=fw.indicator_ids)
        parts.append(pd.DataFrame({
            "indicator": ind["indicator"].to_numpy(), "component": ind["component"].to_numpy(),
            "component_name": ind["component"].map(comp_names).to_numpy(), "name": ind["name"].to_numpy(),
            "max_score": ind["max_score"].astype(float).to_numpy(),
            "national_median": median.reindex(fw.indicator_ids).to_numpy(dtype=float),
            "city": name, "score": values.reindex(fw.indicator_ids).to_numpy(dtype=float),
            "source": [source.get((name, i), "") if pd.notna(v) else ""
                       for i, v in zip(fw.indicator_ids, values.reindex(fw.indicator_ids))],
        }))
    return pd.concat(parts, ignore_index=True)[INDICATOR_COLUMNS]


def plot_comparison(summary: pd.DataFrame, *, components: pd.DataFrame, ax=None):
    """Grouped bars: each city's component scores (and overall) side by side.

    Parameters
    ----------
    summary : DataFrame
        Output of :func:`compare_summary`.
    components : DataFrame
        The framework's ``components`` table (``component, name``), giving the
        bar labels and their order.
    """
    import matplotlib.pyplot as plt

    ids = components["component"].tolist() + ["overall"]
    labels = [chart_text(n) for n in components["name"]] + ["Overall"]
    if ax is None:
        _, ax = plt.subplots(figsize=(max(6.4, 0.9 * len(ids) + 2), 3.2), dpi=85)
    n = len(summary)
    width = 0.8 / max(n, 1)
    x = np.arange(len(ids))
    colours = plt.get_cmap("tab10")
    for k, row in enumerate(summary.itertuples(index=False)):
        values = [float(row.overall if i == "overall" else summary.iloc[k][i]) for i in ids]
        ax.bar(x - 0.4 + width * (k + 0.5), values, width=width, color=colours(k % 10),
               label=chart_text(row.city))
    ax.set_xticks(x, labels, rotation=20 if len(ids) > 6 else 0, ha="right" if len(ids) > 6 else "center")
    ax.set_ylim(0, 100)
    ax.set_ylabel("Score (out of 100)")
    ax.legend(fontsize=8, ncols=min(n, 4), loc="upper center", bbox_to_anchor=(0.5, 1.2), frameon=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax


_STYLE = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;color:#222}"
          "table{border-collapse:collapse;margin:0.5rem 0;font-size:0.9rem}"
          "th,td{border-bottom:1px solid #ddd;padding:0.2rem 0.5rem;text-align:right}"
          "th:first-child,td:first-child{text-align:left}.notice{border:2px solid #c77c02;"
          "background:#fff6e5;padding:0.5em 0.8em}img{max-width:100%}"
          ".wrap{overflow-x:auto}")


def comparison_html(data: Dataset, *, cities: Sequence[str], cycle: int = 0, figure: bool = True) -> str:
    """A self-contained HTML page setting two or more cities side by side.

    The title uses the framework's name; values that are synthetic are marked with
    an asterisk and a notice says how many there are. ``figure=False`` leaves the
    chart out (faster, for tests).
    """
    from .report import framework_title
    from .report_plots import number, png_data_uri

    e = html.escape
    summary = compare_summary(data, cities=cities, cycle=cycle)
    names = summary["city"].tolist()
    c = data.resolve_cycle(cycle)
    fw = data.frameworks[c]
    indicators = compare_indicators(data, cities=names, cycle=c)
    title = f"{framework_title(fw.name, c)}: {', '.join(names[:-1])} and {names[-1]} compared"
    parts = [f"<h1>{e(title)}</h1>"]
    n_syn, n_val = int(summary["n_synthetic"].sum()), int(summary["n_values"].sum())
    notes = []
    if n_syn:
        notes.append(f"{n_syn} of the {n_val} indicator values shown are synthetic (generated for illustration, "
                     "not measured); they are marked *.")
    if (fw.levels["provenance"].astype(str) != "seen").any():
        notes.append("Certification thresholds are illustrative.")
    if fw.weights_provenance != "seen":
        notes.append("The component weights are assumed, not on record; overall scores and ranks depend on them.")
    if notes:
        parts.append(f"<p class='notice'>{e(' '.join(notes))}</p>")
    head = "".join(f"<th>{e(n)}</th>" for n in names)

    def row(label, values):
        return f"<tr><th>{e(label)}</th>{''.join(f'<td>{e(v)}</td>' for v in values)}</tr>"

    rank_text = [("–" if pd.isna(r) else f"{int(r)} of {n}") for r, n in zip(summary["rank"], summary["n_ranked"])]
    body = [row("State", [s if isinstance(s, str) and s else "–" for s in summary["state"]]),
            row("Overall score (of 100)", [number(v) for v in summary["overall"]]),
            row("Rank", rank_text),
            row("Level", [lv if isinstance(lv, str) else "–" for lv in summary["level"]])]
    for cid, cname, weight in zip(fw.components["component"], fw.components["name"], fw.components["weight"]):
        body.append(row(f"{cname} (weight {number(weight, 3)})", [number(v) for v in summary[cid]]))
    parts.append(f"<h2>Summary, cycle {c}</h2><div class='wrap'><table><thead><tr><th></th>{head}</tr></thead>"
                 f"<tbody>{''.join(body)}</tbody></table></div>")
    if figure:
        uri = png_data_uri(plot_comparison(summary, components=fw.components))
        parts.append(f"<p><img alt='Component and overall scores of each city' src='{e(uri)}'></p>")
    ind_rows = []
    for (ind, comp, name, top, med), part in indicators.groupby(
            ["indicator", "component_name", "name", "max_score", "national_median"], sort=False, dropna=False):
        cells = [f"{number(s)}{'*' if str(src).lower() == 'synthetic' else ''}"
                 for s, src in zip(part["score"], part["source"])]
        ind_rows.append(f"<tr><td>{e(f'{ind} {name}')}</td><td style='text-align:left'>{e(str(comp))}</td>"
                        f"<td>{e(number(top))}</td><td>{e(number(med))}</td>"
                        + "".join(f"<td>{e(x)}</td>" for x in cells) + "</tr>")
    parts.append("<h2>Indicators</h2><p>Points of each city out of the indicator's maximum, beside the median of "
                 "all cities of the cycle.</p><div class='wrap'><table><thead><tr><th>Indicator</th>"
                 f"<th style='text-align:left'>Component</th><th>Max</th><th>National median</th>{head}</tr></thead>"
                 f"<tbody>{''.join(ind_rows)}</tbody></table></div>")
    parts.append("<p style='font-size:small;color:#555'>Made with dmaf-analysis; not an official document. "
                 "Ranks are competition ranks within the cycle (ties share a rank).</p>")
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{e(title)}</title>"
            f"<style>{_STYLE}</style></head><body>{''.join(parts)}</body></html>")


def comparison_path(output_dir: str | Path, cities: Sequence[str], cycle: int) -> Path:
    """``<output_dir>/compare/cycle-<N>/<slug of the city names>.html`` (a safe file name)."""
    stem = slugify("-vs-".join(slugify(c) for c in cities), max_length=120, fallback="comparison")
    return Path(output_dir) / "compare" / f"cycle-{int(cycle)}" / f"{stem}.html"


def render_comparison(data: Dataset, *, cities: Sequence[str], cycle: int = 0,
                      output_dir: str | Path = "outputs") -> Path:
    """Write :func:`comparison_html` atomically to :func:`comparison_path`; returns the path."""
    names, c = resolve_cities(data, cities, cycle=cycle)
    page = comparison_html(data, cities=names, cycle=c)
    return write_text_atomic(comparison_path(output_dir, names, c), page)
