"""Two or more cities side by side in one cycle: the tables and a self-contained HTML page.

:func:`compare_summary` and :func:`compare_indicators` return the numbers;
:func:`comparison_html` lays them out as one page (every piece of text from the data
escaped, the chart embedded as a PNG) and :func:`render_comparison` writes it
atomically under ``<output_dir>/compare/``. Components, indicators and levels come
from the cycle's framework, whatever their number or names. The cities to compare are
given as ``names=`` (city names; the former keyword ``cities=`` still works for one
release, with a DeprecationWarning, as ``cities=`` means a cities table elsewhere).
"""
from __future__ import annotations

import functools
import html
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .. import render
from .._util.escaping import chart_text
from .._util.fileio import write_text_atomic
from .._util.slug import slugify
from ..errors import ArgumentError, DmafError, PdfError, RepeatedCityError, bounded_message
from ..framework import framework_credit, framework_title
from ..io import is_synthetic
from ..render import PageInfo, page_meta, write_pdfs
from ..scoring import Dataset, indicator_matrix
from ._context import cycle_context, facts_of, resolve_report_city
from ._figures import png_data_uri
from ._html import number

__all__ = ["compare_indicators", "compare_summary", "comparison_html", "comparison_path", "page_header_html",
           "plot_comparison", "render_comparison", "resolve_cities", "synthetic_parts"]

SUMMARY_COLUMNS = ["city", "state", "overall", "level", "certified", "rank", "n_ranked", "n_values",
                   "n_synthetic"]
INDICATOR_COLUMNS = ["indicator", "component", "component_name", "name", "max_score", "national_median",
                     "city", "score", "source"]


def _names_were_cities(func):
    """Let ``func`` take its former keyword ``cities=`` (the list of names) for ``names=`` for one release.

    ``cities=`` means a cities table everywhere else in the package; here it was
    a list of city names, so it was renamed ``names=``. Passing ``cities=``
    still works until the next release, with a :class:`DeprecationWarning`;
    passing both is an :class:`~dmaf_analysis.errors.ArgumentError`.
    """
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if "cities" in kwargs:
            if "names" in kwargs:
                raise ArgumentError(f"{func.__name__}: give the city names as names= only (cities= is its "
                                    "former name, and means a cities table elsewhere)")
            warnings.warn(f"{func.__name__}(cities=...) is deprecated and will be removed in the next release: "
                          "pass the city names as names=... (cities= means a cities table elsewhere in "
                          "dmaf_analysis)", DeprecationWarning, stacklevel=2)
            kwargs["names"] = kwargs.pop("cities")
        return func(*args, **kwargs)
    return wrapper


@_names_were_cities
def resolve_cities(data: Dataset, names: Sequence[str], *, cycle: int = 0) -> tuple[list[str], int]:
    """Canonical names of the cities ``names`` (two or more different ones, each assessed in the cycle) and the cycle.

    Every unknown or unassessed city is reported at once, with the closest names
    (:class:`~dmaf_analysis.errors.ArgumentError`). One city named twice, even
    spelt differently (``Surat`` and ``surat``, or a name and its alias), raises
    :class:`~dmaf_analysis.errors.RepeatedCityError` naming every spelling
    (``dmaf compare`` turns it into a usage error, exit 2).
    """
    names = [str(c) for c in names]
    if len(names) < 2:
        raise ArgumentError(f"compare needs two or more cities, got {len(names)}")
    resolved, problems = [], []
    spellings: dict[str, list[str]] = {}
    c = data.resolve_cycle(cycle)
    for name in names:
        try:
            canonical = resolve_report_city(data, city=name, cycle=c)[0]
        except DmafError as exc:
            problems.append(str(exc))
            continue
        resolved.append(canonical)
        spellings.setdefault(canonical, []).append(name)
    repeated = {city: given for city, given in spellings.items() if len(given) > 1}
    if problems:
        if repeated:
            problems.append(str(RepeatedCityError(repeated)))
        raise ArgumentError(bounded_message("cannot compare:", problems, source=""))
    if repeated:
        raise RepeatedCityError(repeated)
    return resolved, c


@_names_were_cities
def compare_summary(data: Dataset, *, names: Sequence[str], cycle: int = 0) -> pd.DataFrame:
    """One row per city of ``names`` (city names), in the order given: headline figures and component scores.

    Returns
    -------
    DataFrame
        Columns ``city, state, overall, level, certified, rank, n_ranked,
        n_values, n_synthetic`` followed by one column per component id of the
        cycle's framework (0-100). ``n_ranked`` is the number of ranked cities
        of the cycle, ``n_values`` the city's indicator values present and
        ``n_synthetic`` how many of them are synthetic.
    """
    names, c = resolve_cities(data, names, cycle=cycle)
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


@_names_were_cities
def compare_indicators(data: Dataset, *, names: Sequence[str], cycle: int = 0) -> pd.DataFrame:
    """Every indicator of every city of ``names`` (long table, framework order, cities in the order given).

    Returns
    -------
    DataFrame
        Columns ``indicator, component, component_name, name, max_score,
        national_median`` (median over the cycle's cities with a value),
        ``city``, ``score`` (NaN when missing) and ``source`` (provenance of the
        value, "" when missing).
    """
    names, c = resolve_cities(data, names, cycle=cycle)
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


def synthetic_parts(summary: pd.DataFrame, indicators: pd.DataFrame, *, components: pd.DataFrame) -> pd.DataFrame:
    """How much of each city's component and overall score comes from synthetic values.

    A component's synthetic part is its score times the share of its points (of
    the values present) that are synthetic; the overall score's part is the
    weighted sum of the components' parts scaled to the overall score.

    Returns
    -------
    DataFrame
        Index ``city`` (order of ``summary``), one column per component id and
        ``overall``: points of the score (0-100) that come from synthetic values.
    """
    ids = components["component"].tolist()
    weights = components.set_index("component")["weight"].astype(float)
    present = indicators[indicators["score"].notna()]
    syn = present.assign(syn=np.where(is_synthetic(present["source"]), present["score"], 0.0))
    totals = syn.groupby(["city", "component"])[["score", "syn"]].sum()
    out = pd.DataFrame(0.0, index=pd.Index(summary["city"], name="city"), columns=[*ids, "overall"])
    for row in summary.itertuples(index=False):
        part_sum, score_sum = 0.0, 0.0
        for cid in ids:
            score = float(getattr(row, cid)) if pd.notna(getattr(row, cid)) else float("nan")
            got = totals.loc[(row.city, cid)] if (row.city, cid) in totals.index else None
            share = float(got["syn"] / got["score"]) if got is not None and got["score"] > 0 else 0.0
            if score == score:
                out.loc[row.city, cid] = score * share
                part_sum += weights[cid] * score * share
                score_sum += weights[cid] * score
        overall = float(row.overall) if pd.notna(row.overall) else float("nan")
        out.loc[row.city, "overall"] = overall * part_sum / score_sum if score_sum > 0 and overall == overall else 0.0
    return out


def plot_comparison(summary: pd.DataFrame, *, components: pd.DataFrame, synthetic: pd.DataFrame | None = None,
                    ax=None):
    """Grouped bars: each city's component scores (and overall) side by side, in the toolkit's style.

    Parameters
    ----------
    summary : DataFrame
        Output of :func:`compare_summary`.
    components : DataFrame
        The framework's ``components`` table (``component, name``), giving the
        bar labels and their order.
    synthetic : DataFrame, optional
        :func:`synthetic_parts`: the top part of each bar that comes from
        synthetic values is drawn pale and hatched, as on the city card.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch, Rectangle

    ids = components["component"].tolist() + ["overall"]
    labels = [chart_text(n) for n in components["name"]] + ["Overall"]
    if ax is None:
        with plt.rc_context(render.rc_params()):
            _, ax = plt.subplots(figsize=(render.PAGE_WIDTH, 3.4))
    n = len(summary)
    width = 0.8 / max(n, 1)
    x = np.arange(len(ids))
    handles, names = [], []
    hatched = False
    for k, row in enumerate(summary.itertuples(index=False)):
        colour = render.PALETTE[k % len(render.PALETTE)]
        values = [float(row.overall if i == "overall" else summary.iloc[k][i]) for i in ids]
        bars = ax.bar(x - 0.4 + width * (k + 0.5), values, width=width, color=colour, edgecolor="#333333",
                      linewidth=0.5)
        render.label_bars(ax, bars, values, fmt="{:.0f}", fontsize=render.SMALL_SIZE - 1)
        handles.append(Patch(facecolor=colour, edgecolor="#333333", linewidth=0.5))
        names.append(chart_text(row.city))
        if synthetic is None or row.city not in synthetic.index:
            continue
        for bar, value, cid in zip(bars.patches, values, ids):
            part = float(synthetic.loc[row.city, cid])
            if part > 0 and value == value:
                ax.add_patch(Rectangle((bar.get_x(), value - part), bar.get_width(), part, facecolor="#ffffff",
                                       alpha=0.55, edgecolor=colour, hatch="////", linewidth=0))
                hatched = True
    if hatched:
        handles.append(Patch(facecolor="#f2f2f2", edgecolor="#555555", hatch="////", linewidth=0))
        names.append("synthetic part")
    render.zero_line(ax)
    ax.set_xticks(x, labels, rotation=20 if len(ids) > 6 else 0, ha="right" if len(ids) > 6 else "center")
    ax.set_ylim(0, 108)
    ax.set_ylabel("Score (out of 100)")
    ax.legend(handles, names, ncols=min(len(names), 5), loc="lower center", bbox_to_anchor=(0.5, 1.0),
              frameon=False)
    ax.grid(axis="x", visible=False)
    return ax


def _page_css() -> str:
    """The report pages' stylesheet (screen, phone and print), so a comparison looks like a card."""
    return render.template_text("report.css.j2")


def page_header_html(meta: dict | None) -> str:
    """The line at the top of every page: index link (when known), framework, toolkit version, date."""
    if not meta:
        return ""
    e = html.escape
    home = (f'<a class="dmaf-home" href="{e(meta["index_href"], quote=True)}">&larr; All reports (index)</a>'
            if meta.get("index_href") else "")
    return (f'<header class="dmaf-meta">{home}<span>{e(meta.get("framework", ""))}</span>'
            f'<span>dmaf-analysis {e(meta.get("version", ""))}</span>'
            f'<span>Generated {e(meta.get("generated", ""))}</span></header>')


def _published_marks(data: Dataset, cycle: int, summary: pd.DataFrame, rank_text: list[str]) -> tuple[list, list]:
    """Rank and level texts with "(published)" where they are the published result of the city."""
    ctx = cycle_context(data, cycle)
    ranks, levels = [], []
    for city, rank, level, text in zip(summary["city"], summary["rank"], summary["level"], rank_text):
        facts = facts_of(ctx, city)
        ranks.append(text + (" (published)" if facts.rank is not None and pd.notna(rank)
                             and int(rank) == facts.rank else ""))
        shown = level if isinstance(level, str) else "–"
        levels.append(shown + (" (published)" if facts.level is not None and level == facts.level else ""))
    return ranks, levels


@_names_were_cities
def comparison_html(data: Dataset, *, names: Sequence[str], cycle: int = 0, figure: bool = True,
                    meta: dict | None = None) -> str:
    """A self-contained HTML page setting two or more cities side by side.

    The title uses the framework's name; values that are synthetic are marked
    "(synthetic)" in the tables and hatched in the chart, and a notice says how
    many there are. ``figure=False`` leaves the chart out (faster, for tests);
    ``meta`` (framework, version, generated, index_href: see
    :func:`dmaf_analysis.render.page_meta`) gives the page header.
    """
    e = html.escape
    summary = compare_summary(data, names=names, cycle=cycle)
    names = summary["city"].tolist()
    c = data.resolve_cycle(cycle)
    fw = data.frameworks[c]
    indicators = compare_indicators(data, names=names, cycle=c)
    title = f"{framework_title(fw.name, c)}: {', '.join(names[:-1])} and {names[-1]} compared"
    parts = [f"<h1>{e(title)}</h1>"]
    n_syn, n_val = int(summary["n_synthetic"].sum()), int(summary["n_values"].sum())
    notes = []
    if n_syn:
        notes.append(f"{n_syn} of the {n_val} indicator values shown are synthetic (generated for illustration, "
                     "not measured); they are marked \"(synthetic)\" in the tables and hatched in the chart.")
    if fw.thresholds_illustrative:
        notes.append("Certification thresholds are illustrative.")
    if fw.weights_provenance != "seen":
        notes.append("The component weights are assumed, not on record; overall scores and ranks depend on them.")
    if notes:
        parts.append("<div class='dmaf-notice' style='border:2px solid #c77c02;background:#fff6e5;"
                     f"padding:0.5em 0.8em;margin:0.6em 0'><strong>About these values:</strong> "
                     f"{e(' '.join(notes))}</div>")
    head = "".join(f"<th class='num'>{e(n)}</th>" for n in names)

    def row(label, values, *, num=True):
        cls = " class='num'" if num else ""
        return f"<tr><th>{e(label)}</th>{''.join(f'<td{cls}>{e(v)}</td>' for v in values)}</tr>"

    rank_text = [("–" if pd.isna(r) else f"{int(r)} of {n}") for r, n in zip(summary["rank"], summary["n_ranked"])]
    rank_text, level_text = _published_marks(data, c, summary, rank_text)
    body = [row("State", [s if isinstance(s, str) and s else "–" for s in summary["state"]], num=False),
            row("Overall score (of 100)", [number(v) for v in summary["overall"]]),
            row("Rank", rank_text),
            row("Level", level_text, num=False),
            row("Synthetic values", [f"{int(k)} of {int(v)}" for k, v in zip(summary["n_synthetic"],
                                                                           summary["n_values"])])]
    for cid, cname, weight in zip(fw.components["component"], fw.components["name"], fw.components["weight"]):
        body.append(row(f"{cname} (weight {number(weight, 3)})", [number(v) for v in summary[cid]]))
    parts.append(f"<h2>Summary, cycle {c}</h2><div class='dmaf-table-box'><table class='dmaf-table'><thead><tr>"
                 f"<th></th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")
    if figure:
        import matplotlib.pyplot as plt

        with plt.rc_context(render.rc_params()):
            synthetic = synthetic_parts(summary, indicators, components=fw.components)
            uri = png_data_uri(plot_comparison(summary, components=fw.components, synthetic=synthetic))
        parts.append(f"<p><img alt='Component and overall scores of each city' src='{e(uri)}'></p>")
    ind_rows = []
    for (ind, comp, name, top, med), part in indicators.groupby(
            ["indicator", "component_name", "name", "max_score", "national_median"], sort=False, dropna=False):
        cells = [f"{number(s)}{' (synthetic)' if is_synthetic(src) else ''}"
                 for s, src in zip(part["score"], part["source"])]
        # the cities first (on a phone they are what fits on screen), then the references
        ind_rows.append(f"<tr><td>{e(f'{ind} {name}')}</td>"
                        + "".join(f"<td class='num'>{e(x)}</td>" for x in cells)
                        + f"<td class='num'>{e(number(top))}</td><td class='num'>{e(number(med))}</td>"
                        f"<td>{e(str(comp))}</td></tr>")
    parts.append("<h2>Indicators</h2><p>Points of each city out of the indicator's maximum, beside the median of "
                 "all cities of the cycle.</p><div class='dmaf-table-box'><table class='dmaf-table'><thead><tr>"
                 f"<th>Indicator</th>{head}<th class='num'>Max</th><th class='num'>National median</th>"
                 f"<th>Component</th></tr></thead><tbody>{''.join(ind_rows)}</tbody></table></div>")
    credit = framework_credit(fw)
    parts.append("<p class='dmaf-files'>Made with dmaf-analysis; not an official document. "
                 "Ranks are competition ranks within the cycle (ties share a rank)."
                 f"{' ' + e(credit) if credit else ''}</p>")
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; img-src data:; "
            "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{e(title)}</title>"
            f"<style>{_page_css()}</style></head><body class='dmaf-compare'>{page_header_html(meta)}"
            f"<main>{''.join(parts)}</main></body></html>")


@_names_were_cities
def comparison_path(output_dir: str | Path, names: Sequence[str], cycle: int) -> Path:
    """``<output_dir>/compare/cycle-<N>/<slug of the city names>-<digest>.html`` (a safe file name).

    The digest (8 hex digits of the exact names, in order) keeps the names of
    different lists distinct even where their slugs agree ("Foo City" and
    "Foo_City", or a name containing "vs").
    """
    import hashlib

    readable = slugify("-vs-".join(slugify(c) for c in names), max_length=100, fallback="comparison")
    digest = hashlib.sha256("\x1f".join(map(str, names)).encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return Path(output_dir) / "compare" / f"cycle-{int(cycle)}" / f"{readable}-{digest}.html"


@_names_were_cities
def render_comparison(data: Dataset, *, names: Sequence[str], cycle: int = 0,
                      output_dir: str | Path = "outputs", pdf: bool = False) -> Path:
    """Write :func:`comparison_html` atomically to :func:`comparison_path`; returns the path.

    The page has the header of every report page (framework, version, date; the
    index link when ``<output_dir>/index.html`` exists). ``pdf=True`` also
    prints ``<name>.pdf`` beside it (headless Chromium); a missing engine or a
    failed print raises :class:`~dmaf_analysis.errors.PdfError` after the HTML is written.
    """
    names, c = resolve_cities(data, names, cycle=cycle)
    path = comparison_path(output_dir, names, c)
    meta = page_meta(data, c, kind="compare", html_path=path, output_dir=Path(output_dir),
                     index=(Path(output_dir) / "index.html").exists())
    write_text_atomic(path, comparison_html(data, names=names, cycle=c, meta=meta))
    if pdf:
        run = write_pdfs([(path, PageInfo(title=f"{', '.join(names)} compared", framework=meta["framework"],
                                          version=meta["version"], generated=meta["generated"],
                                          index=meta.get("index_href", "")))],
                         workers=1, force=True)
        if not run.ok:
            raise PdfError(f"{path.name}: {run.text()}")
    return path

