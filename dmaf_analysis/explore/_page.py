"""The explorer page: one self-contained HTML file per cycle, every city, sortable, searchable, re-weightable.

The page holds its data as JSON in a ``<script type="application/json">`` element
(``<``, ``>`` and ``&`` written as ``\\u003c``... so that no value can close the
element), the Vega, Vega-Lite and vega-embed JavaScript inlined (vl-convert's
bundle), and its own script. A Content-Security-Policy forbids every request
(``default-src 'none'``): nothing comes from the web. Table cells are filled with
``textContent``, never as HTML, and the rest of the page is escaped here.

The page recomputes the overall score, the level and the rank exactly as
:func:`~dmaf_analysis.scoring.score_cities` does: weights renormalised to sum to
1, the weighted arithmetic mean of the component scores rounded to
:data:`~dmaf_analysis.scoring.OVERALL_DECIMALS` decimals (half to even, as
numpy), a missing component leaving the city unscored, the level the highest
whose minimum score the overall reaches (within the package's tolerance), and
competition ranks ("1, 2, 3, 3, 5").
"""
from __future__ import annotations

import html
import json
import math
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .._util.fileio import write_text_atomic
from .._util.numeric import TOLERANCE
from .._util.paths import cache_dir
from .._util.slug import slugify, unique_slugs
from .._version import __version__
from ..framework import Framework, framework_title
from ..scoring import OVERALL_DECIMALS
from ._charts import BRUSH, CITY_PARAM, explore_table, explorer_chart, PAGE_DATA, X_PARAM, Y_PARAM
from ._scenarios import scenario_summary

__all__ = ["MAX_PAGE_BYTES", "explore_html", "explore_path", "write_explore_page"]

#: The page's size limit (bytes).
MAX_PAGE_BYTES = 5 * 1024 * 1024


def explore_path(output_dir: str | Path, cycle: int) -> Path:
    """Where :func:`write_explore_page` writes a cycle's page: ``<output_dir>/explore/cycle-<N>.html``."""
    return Path(output_dir) / "explore" / f"cycle-{int(cycle)}.html"


#: What every vl-convert bundle defines; a cached file without it is made again.
_BUNDLE_MARK = "vegaEmbed"


@lru_cache(maxsize=1)
def _vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed as one script defining ``vegaEmbed`` (vl-convert's bundle).

    vl-convert takes about 2 CPU-seconds to make it, so it is kept in the
    package's cache folder (:func:`~dmaf_analysis._util.paths.cache_dir`), one file
    per vl-convert and Vega-Lite version; it is made again when that file is
    missing, unreadable or not a bundle, and the page is written either way.
    """
    import altair as alt
    import vl_convert as vlc

    # the Vega-Lite version the charts are written for ("v5.20.1" -> "5.20"), when vl-convert has it
    wanted = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    version = wanted if wanted in vlc.get_vegalite_versions() else None
    stem = slugify(f"vega-bundle-{getattr(vlc, '__version__', 'unknown')}-{version or 'default'}")
    cached = cache_dir() / f"{stem}.js"
    try:
        code = cached.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        code = ""
    if _BUNDLE_MARK not in code:
        code = vlc.javascript_bundle(vl_version=version)
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomic(cached, code)
        except OSError:
            pass  # a read-only or full cache folder: the page does without the cache
    return code.replace("</script", "<\\/script").replace("<!--", "<\\!--")


def _json_for_script(value) -> str:
    """JSON that cannot end the ``<script>`` element it sits in."""
    text = json.dumps(value, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _number(value):
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _records(table: pd.DataFrame, fw: Framework, card_links: dict[str, str]) -> list[dict]:
    rows = []
    for rec in table.to_dict("records"):  # records, not itertuples: component ids need not be identifiers
        row = {"city": str(rec["city"]), "state": str(rec["state"]), "region": str(rec["region"]),
               "overall": _number(rec["overall"]), "level": str(rec["level"]),
               "rank": None if pd.isna(rec["rank"]) else int(rec["rank"]),
               "provenance": str(rec["provenance"]), "href": card_links.get(str(rec["city"]), "")}
        for comp in fw.component_ids:
            row[comp] = _number(rec[comp])
        rows.append(row)
    return rows


def _scenario_block(scenarios: pd.DataFrame | None, cycle: int, table: pd.DataFrame) -> str:
    """The scenarios section (static HTML, every value escaped); "" without scenarios."""
    if scenarios is None or scenarios.empty:
        return ""
    part = scenarios[scenarios["cycle"] == cycle]
    if part.empty:
        return ""
    e = html.escape
    summary = scenario_summary(part)
    lines = ["<section id='scenarios'><h2>Scenarios</h2>",
             "<p>Each scenario is another version of the index (from the scenarios file); the rank change is "
             "the baseline rank minus the scenario's rank, so a city moving up has a positive change.</p>",
             "<div class='box'><table class='plain'><thead><tr><th>Scenario</th><th class='num'>Cities ranked</th>"
             "<th class='num'>Level changed</th><th class='num'>Rank changed</th>"
             "<th class='num'>Mean absolute rank change</th><th>Largest movers</th></tr></thead><tbody>"]
    for r in summary.itertuples(index=False):
        mean = "\u2013" if pd.isna(r.mean_abs_rank_change) else f"{r.mean_abs_rank_change:.1f}"
        lines.append(f"<tr><td>{e(str(r.scenario))}</td><td class='num'>{r.n_cities}</td>"
                     f"<td class='num'>{r.n_level_changed}</td><td class='num'>{r.n_rank_changed}</td>"
                     f"<td class='num'>{mean}</td><td>{e(str(r.largest_movers) or 'none')}</td></tr>")
    lines.append("</tbody></table></div>")
    names = list(dict.fromkeys(part["scenario"]))
    wide = part.pivot_table(index="city", columns="scenario", values="rank", aggfunc="first")
    level = part.pivot_table(index="city", columns="scenario", values="level", aggfunc="first")
    order = [c for c in table["city"] if c in wide.index] + sorted(set(wide.index) - set(table["city"]))
    head = "".join(f"<th>{e(n)}</th>" for n in names)
    lines.append("<details><summary>Every city's rank and level in each scenario</summary><div class='box'>"
                 f"<table class='plain' id='scenario-ranks'><thead><tr><th>City</th>{head}</tr></thead><tbody>")
    for city in order:
        cells = []
        for n in names:
            rk = wide.at[city, n] if n in wide.columns else float("nan")
            lv = level.at[city, n] if n in level.columns else ""
            text = "\u2013" if pd.isna(rk) else f"{int(rk)} ({lv})"
            cells.append(f"<td>{e(text)}</td>")
        lines.append(f"<tr><td>{e(str(city))}</td>{''.join(cells)}</tr>")
    lines.append("</tbody></table></div></details></section>")
    return "\n".join(lines)


def explore_html(scored: pd.DataFrame, *, framework: Framework, cycle: int = 0, card_links: dict | None = None,
                 scenarios: pd.DataFrame | None = None, data_label: str = "", synthetic_share: float = 0.0,
                 index_href: str = "") -> str:
    """The explorer page of one cycle (a complete HTML document).

    Parameters
    ----------
    scored : DataFrame
        Output of :func:`~dmaf_analysis.scoring.score_cities`.
    framework : Framework
        The cycle's framework (components, weights, levels).
    cycle : int, default 0
        The cycle (0 = the latest in ``scored``).
    card_links : dict, optional
        City -> relative link to its report card (the cities without one are not linked).
    scenarios : DataFrame, optional
        Output of :func:`~dmaf_analysis.explore.scenario_table`: adds a
        scenarios section.
    data_label : str
        How to name the data in the page.
    synthetic_share : float
        Share (0-1) of the cycle's values that are synthetic: above 0 a notice says so.
    index_href : str
        Link back to the index page ("" = none).
    """
    table = explore_table(scored, cycle=cycle, frameworks={framework.cycle: framework})
    cycle = int(table["cycle"].iloc[0]) if len(table) else int(cycle)
    comps = framework.components
    weights = (comps["weight"] / comps["weight"].sum()).tolist()
    spec = explorer_chart(None, framework=framework).to_dict()
    payload = {
        "cycle": cycle,
        "components": [{"id": c, "name": str(n), "weight": float(w)}
                       for c, n, w in zip(comps["component"], comps["name"], weights)],
        "levels": [{"name": str(n), "min": float(m)}
                   for n, m in zip(framework.levels["level"], framework.levels["min_score"])],
        "tolerance": TOLERANCE, "decimals": OVERALL_DECIMALS,
        "names": {"data": PAGE_DATA, "city": CITY_PARAM, "brush": BRUSH, "x": X_PARAM, "y": Y_PARAM},
        "cities": _records(table, framework, card_links or {}),
        "spec": spec,
    }
    e = html.escape
    title = f"{framework_title(framework.name, cycle)}: explore every city"
    share = max(0.0, min(1.0, float(synthetic_share or 0.0)))
    notice = ""
    if share > 0:
        notice = (f"<p class='notice'>{share:.0%} of this cycle's indicator values are <strong>synthetic</strong> "
                  "(made up to exercise the toolkit, not measured). The Values column says which cities' "
                  "scores rest on them: read those scores as examples, not as facts.</p>")
    weights_note = ("<p class='meta'>The framework's weights are not on record; the starting weights are the "
                    "assumed ones.</p>") if framework.weights_provenance != "seen" else ""
    back = f"<a href='{e(index_href)}'>All reports</a> \u00b7 " if index_href else ""
    sliders = "\n".join(
        f"<label class='weight'><span>{e(str(n))}</span>"
        f"<input type='range' min='0' max='100' step='1' value='{round(w * 100)}' data-component='{e(c)}' "
        f"aria-label='Weight of {e(str(n))}'><output data-for='{e(c)}'></output></label>"
        for c, n, w in zip(comps["component"], comps["name"], weights))
    headers = [("city", "City", "text"), ("state", "State", "text"), ("region", "Region", "text")]
    headers += [(c, str(n), "number") for c, n in zip(comps["component"], comps["name"])]
    headers += [("overall", "Overall", "number"), ("level", "Level", "level"), ("rank", "Rank", "number"),
                ("provenance", "Values", "text")]
    head = "".join(f"<th aria-sort='none' data-key='{e(k)}' data-type='{t}'><button type='button'>{e(label)}"
                   f"</button></th>" for k, label, t in headers)
    meta = f"{len(table)} cities \u00b7 cycle {cycle}"
    if data_label:
        meta += f" \u00b7 data: {e(data_label)}"
    meta += f" \u00b7 dmaf-analysis {e(__version__)}"
    return _TEMPLATE.format(
        title=e(title), meta=meta, back=back, notice=notice, weights_note=weights_note, sliders=sliders,
        head=head, scenarios=_scenario_block(scenarios, cycle, table), style=_STYLE,
        data=_json_for_script(payload), vega=_vega_bundle(), script=_SCRIPT)


def write_explore_page(data, *, cycle: int = 0, output_dir: str | Path = "outputs", scenarios=None,
                       data_label: str = "", index_link: bool | None = None) -> Path:
    """Write the explorer page of one cycle of a :class:`~dmaf_analysis.scoring.Dataset`.

    The page goes to ``<output_dir>/explore/cycle-<N>.html`` (:func:`explore_path`);
    cities whose card ``<output_dir>/cities/<slug>/cycle-<N>.html`` exists are
    linked to it, and the page links to ``<output_dir>/index.html`` when it
    exists (``index_link`` None), or as ``index_link`` says (a batch writes the
    index after this page). ``scenarios`` is a :func:`~dmaf_analysis.explore.scenario_table`.
    A page identical to the one already there is not written again. Raises
    :class:`~dmaf_analysis.errors.WriteError` when the page would exceed
    :data:`MAX_PAGE_BYTES`.
    """
    from ..errors import WriteError

    output_dir = Path(output_dir)
    cycle = data.resolve_cycle(cycle)
    slugs = unique_slugs(data.cities["city"])
    links = {}
    for city in data.scored.loc[data.scored["cycle"] == cycle, "city"]:
        slug = slugs.get(city)
        if slug and (output_dir / "cities" / slug / f"cycle-{cycle}.html").is_file():
            links[city] = f"../cities/{slug}/cycle-{cycle}.html"
    linked = (output_dir / "index.html").is_file() if index_link is None else bool(index_link)
    page = explore_html(data.scored, framework=data.frameworks[cycle], cycle=cycle, card_links=links,
                        scenarios=scenarios, data_label=data_label, synthetic_share=data.synthetic_share(cycle),
                        index_href="../index.html" if linked else "")
    size = len(page.encode("utf-8"))
    if size > MAX_PAGE_BYTES:
        raise WriteError(f"the explorer page of cycle {cycle} would be {size / 1e6:.1f} MB, above the "
                         f"{MAX_PAGE_BYTES / 1e6:.0f} MB limit; explore fewer cities or scenarios")
    target = explore_path(output_dir, cycle)
    try:
        if target.is_file() and target.stat().st_size == size and target.read_text(encoding="utf-8") == page:
            return target  # unchanged: left as it is, like a report whose inputs are unchanged
    except (OSError, UnicodeDecodeError):
        pass
    return write_text_atomic(target, page)


_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 1.5rem auto;
       max-width: 80rem; padding: 0 1rem; color: #1b1b1b; line-height: 1.45; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; } h2 { font-size: 1.15rem; margin-top: 1.5rem; }
.meta { color: #555; font-size: .9rem; }
.notice { background: #fff6d6; border-left: 4px solid #c9a200; padding: .5rem .75rem; }
.controls { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: center; margin: .75rem 0; }
.weight { display: inline-flex; align-items: center; gap: .4rem; }
.weight span { min-width: 6rem; } .weight output { min-width: 3.5rem; font-variant-numeric: tabular-nums; }
input[type=search] { font: inherit; padding: .2rem .4rem; min-width: 16rem; }
button { font: inherit; }
.box { overflow-x: auto; max-height: 32rem; overflow-y: auto; border: 1px solid #ddd; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { padding: .25rem .45rem; border-bottom: 1px solid #e3e3e3; text-align: left; }
td.num { white-space: nowrap; }
th { background: #f3f4f6; position: sticky; top: 0; z-index: 1; white-space: nowrap; }
th button { font-weight: 600; background: none; border: 0; padding: 0; cursor: pointer; color: inherit; }
th[aria-sort="ascending"] button::after { content: " \\25B2"; }
th[aria-sort="descending"] button::after { content: " \\25BC"; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
#cities tbody tr { cursor: pointer; } #cities tbody tr.selected { background: #fde2e2; }
.synthetic { color: #8a5a00; }
#chart { margin-top: 1rem; overflow-x: auto; max-width: 100%; }
@media (max-width: 700px) { .weight span { min-width: 4.5rem; } input[type=search] { min-width: 10rem; } }
"""

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; \
style-src 'unsafe-inline'; img-src data: blob:; font-src 'none'; connect-src 'none'">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<p class="meta">{back}<span>{meta}</span></p>
<h1>{title}</h1>
{notice}
<p>Click a column heading to sort, type in the search field to find a city, click a row to mark the city in the
charts, and move the weights to see how the overall score, the level and the rank would change. Drag across the
scatter plot to keep only the cities inside the box.</p>
<section id="weights"><h2>Component weights</h2>
{weights_note}
<div class="controls">{sliders}
<button type="button" id="reset">Reset to the framework's weights</button></div>
<p class="meta" id="weights-text" aria-live="polite"></p>
</section>
<section><h2>Every city</h2>
<div class="controls"><label>Search <input type="search" id="search" placeholder="city, state or region"
 autocomplete="off"></label><span id="count" class="meta" aria-live="polite"></span>
<button type="button" id="clear-brush" hidden>Show every city again</button></div>
<div class="box"><table id="cities"><thead><tr>{head}</tr></thead><tbody></tbody></table></div>
<noscript><p>The table and charts need JavaScript.</p></noscript>
</section>
<section><h2>Charts</h2><div id="chart"></div></section>
{scenarios}
<script type="application/json" id="explore-data">{data}</script>
<script>{vega}</script>
<script>{script}</script>
</body>
</html>
"""

_SCRIPT = r"""
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("explore-data").textContent);
  var comps = D.components.map(function (c) { return c.id; });
  var cities = D.cities;
  var table = document.getElementById("cities");
  var tbody = table.tBodies[0];
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var search = document.getElementById("search");
  var count = document.getElementById("count");
  var sliders = Array.prototype.slice.call(document.querySelectorAll("input[type=range][data-component]"));
  var sortKey = "rank", sortDesc = false, selected = "", brush = null, view = null;
  var levelIndex = {};
  D.levels.forEach(function (l, i) { levelIndex[l.name] = i; });

  // numpy's round(x, decimals): multiply, round half to even, divide
  function rint(x) {
    var r = Math.round(x);
    if (Math.abs(x - Math.trunc(x)) === 0.5) { r = 2 * Math.round(x / 2); }
    return r;
  }
  function roundTo(x, d) { var f = Math.pow(10, d); return rint(x * f) / f; }

  function currentWeights() {
    var raw = sliders.map(function (s) { return parseFloat(s.value); });
    var total = raw.reduce(function (a, b) { return a + b; }, 0);
    if (!(total > 0)) { return null; }
    return raw.map(function (v) { return v / total; });
  }

  // overall, level and rank as scoring.score_cities computes them
  function rescore(w) {
    cities.forEach(function (c) {
      var s = 0, ok = true;
      comps.forEach(function (id, k) {
        var v = c[id];
        if (v === null || v === undefined) { ok = false; } else { s += v * w[k]; }
      });
      c.overall = ok ? roundTo(s, D.decimals) : null;
      if (c.overall === null) { c.level = ""; return; }
      var idx = 0;
      D.levels.forEach(function (l, i) { if (c.overall + D.tolerance >= l.min) { idx = i; } });
      c.level = D.levels[idx].name;
    });
    cities.forEach(function (c) {
      if (c.overall === null) { c.rank = null; return; }
      var better = 0;
      cities.forEach(function (o) { if (o.overall !== null && o.overall > c.overall) { better += 1; } });
      c.rank = better + 1;
    });
  }

  function fmt(v) { return v === null || v === undefined ? "\u2013" : v.toFixed(1); }

  function sortValue(c, key, type) {
    var v = c[key];
    if (v === null || v === undefined || v === "") { return null; }
    if (type === "level") { return levelIndex[v]; }
    if (type === "text") { return String(v).toLowerCase(); }
    return v;
  }

  function sortRows() {
    var th = headers.filter(function (h) { return h.getAttribute("data-key") === sortKey; })[0];
    var type = th.getAttribute("data-type");
    cities.sort(function (a, b) {
      var x = sortValue(a, sortKey, type), y = sortValue(b, sortKey, type);
      if (x === null || y === null) {
        if (x === null && y === null) { return a.city.localeCompare(b.city); }
        return x === null ? 1 : -1;
      }
      var c = type === "text" ? x.localeCompare(y) : x - y;
      if (c === 0) { c = a.city.localeCompare(b.city); return c; }
      return sortDesc ? -c : c;
    });
    headers.forEach(function (h) {
      h.setAttribute("aria-sort", h === th ? (sortDesc ? "descending" : "ascending") : "none");
    });
  }

  function cell(tr, text, cls) {
    var td = document.createElement("td");
    td.textContent = text;
    if (cls) { td.className = cls; }
    tr.appendChild(td);
    return td;
  }

  function inBrush(c) {
    if (!brush) { return true; }
    var xs = brush.x_value, ys = brush.y_value;
    var xc = view ? view.signal(D.names.x) : comps[0], yc = view ? view.signal(D.names.y) : comps[1];
    var xv = c[xc], yv = c[yc];
    if (xs && (xv === null || xv < Math.min(xs[0], xs[1]) || xv > Math.max(xs[0], xs[1]))) { return false; }
    if (ys && (yv === null || yv < Math.min(ys[0], ys[1]) || yv > Math.max(ys[0], ys[1]))) { return false; }
    return true;
  }

  function render() {
    sortRows();
    var q = search.value.trim().toLowerCase();
    var shown = 0;
    var frag = document.createDocumentFragment();
    cities.forEach(function (c) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-city", c.city);
      var td = document.createElement("td");
      if (c.href) {
        var a = document.createElement("a");
        a.setAttribute("href", c.href);
        a.textContent = c.city;
        td.appendChild(a);
      } else { td.textContent = c.city; }
      tr.appendChild(td);
      cell(tr, c.state); cell(tr, c.region);
      comps.forEach(function (id) { cell(tr, fmt(c[id]), "num"); });
      cell(tr, fmt(c.overall), "num");
      cell(tr, c.level || "\u2013");
      cell(tr, c.rank === null ? "\u2013" : String(c.rank), "num");
      cell(tr, c.provenance, c.provenance === "on record" ? "" : "synthetic");
      var text = (c.city + " " + c.state + " " + c.region).toLowerCase();
      var match = (q === "" || text.indexOf(q) !== -1) && inBrush(c);
      tr.hidden = !match;
      if (match) { shown += 1; }
      if (c.city === selected) { tr.className = "selected"; }
      frag.appendChild(tr);
    });
    tbody.textContent = "";
    tbody.appendChild(frag);
    count.textContent = "Showing " + shown + " of " + cities.length + " cities" + (brush ? " (brushed)" : "") + ".";
    document.getElementById("clear-brush").hidden = !brush;
  }

  function showWeights(w) {
    sliders.forEach(function (s, k) {
      var out = document.querySelector("output[data-for='" + s.getAttribute("data-component") + "']");
      out.textContent = w ? (100 * w[k]).toFixed(1) + "%" : "\u2013";
    });
    document.getElementById("weights-text").textContent = w
      ? "Current weights (renormalised to sum to 1): " + D.components.map(function (c, k) {
          return c.name + " " + w[k].toFixed(3); }).join(", ") + "."
      : "Every weight is 0: set at least one above 0 to score the cities.";
  }

  function chartRows() {
    return cities.map(function (c) { var o = {}; for (var k in c) { o[k] = c[k]; } return o; });
  }

  function update() {
    var w = currentWeights();
    showWeights(w);
    if (!w) { return; }
    rescore(w);
    render();
    if (view) { view.data(D.names.data, chartRows()).runAsync(); }
  }

  headers.forEach(function (th) {
    th.querySelector("button").addEventListener("click", function () {
      var key = th.getAttribute("data-key");
      sortDesc = key === sortKey ? !sortDesc : false;
      sortKey = key;
      render();
    });
  });
  sliders.forEach(function (s) { s.addEventListener("input", update); });
  document.getElementById("reset").addEventListener("click", function () {
    sliders.forEach(function (s, k) { s.value = String(Math.round(100 * D.components[k].weight)); });
    update();
  });
  search.addEventListener("input", render);
  tbody.addEventListener("click", function (ev) {
    if (ev.target.closest("a")) { return; }
    var tr = ev.target.closest("tr");
    if (!tr) { return; }
    selected = tr.getAttribute("data-city") === selected ? "" : tr.getAttribute("data-city");
    render();
    if (view) { view.signal(D.names.city, selected).runAsync(); }
  });
  document.getElementById("clear-brush").addEventListener("click", function () {
    brush = null; render();
  });

  // the framework's own weights, exactly (the sliders show them rounded)
  (function () { var w = D.components.map(function (c) { return c.weight; }); showWeights(w); rescore(w); })();
  render();

  if (typeof vegaEmbed === "function") {
    var spec = D.spec;
    spec.datasets = {}; spec.datasets[D.names.data] = chartRows();
    vegaEmbed("#chart", spec, {actions: false, renderer: "svg"}).then(function (result) {
      view = result.view;
      window.dmafView = view;
      view.addSignalListener(D.names.brush, function (name, value) {
        brush = value && Object.keys(value).length ? value : null;
        render();
      });
      [D.names.x, D.names.y].forEach(function (n) {
        view.addSignalListener(n, function () { if (brush) { render(); } });
      });
    }).catch(function (err) {
      document.getElementById("chart").textContent = "The charts could not be drawn: " + err;
    });
  }
  window.dmafExplorer = {cities: cities, update: update, render: render};
})();
"""
