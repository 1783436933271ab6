"""The batch index page: every city of a cycle with its score, rank, level and status.

The page is one self-contained HTML file: no external assets, a small inline
script that sorts the table and filters it by name, and a Content-Security-Policy
that allows only that script and that style sheet (by hash) and ``data:`` images.
Every value that comes from data is escaped by Jinja2's autoescaping.
"""
from __future__ import annotations

import base64
import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from .._util.fileio import write_text_atomic
from .._util.numeric import share_words
from .._version import __version__
from ..framework import framework_credit, framework_title
from ..io import is_synthetic
from ..record import PUBLISHED, city_facts, load_record
from ..render import TEMPLATES_DIR
from ..scoring import score_bounds
from ._jobs import BatchSummary
from ._manifest import MANIFEST_NAME, Manifest, relative_to

__all__ = ["IndexLink", "build_index_rows", "cycle_title", "levels_note", "render_index", "write_index"]


_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem auto;
       max-width: 72rem; padding: 0 1rem; color: #1b1b1b; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .25rem; }
h2 { font-size: 1.2rem; margin-top: 1.5rem; }
.meta { color: #555; font-size: .9rem; }
.notice { background: #fff6d6; border-left: 4px solid #c9a200; padding: .5rem .75rem; }
.notice.failed { background: #fde8e8; border-left-color: #b42318; }
table { border-collapse: collapse; width: 100%; font-size: .95rem; }
caption { text-align: left; color: #555; font-size: .85rem; padding-bottom: .25rem; }
th, td { padding: .3rem .5rem; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
th { background: #f3f4f6; position: sticky; top: 0; }
th button { font: inherit; font-weight: 600; background: none; border: 0; padding: 0; cursor: pointer; color: inherit; }
th[aria-sort="ascending"] button::after { content: " \\25B2"; }
th[aria-sort="descending"] button::after { content: " \\25BC"; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.row-failed { background: #fdf2f2; }
.status.failed { color: #b42318; font-weight: 600; }
.status.ok { color: #1a7f37; }
.error { color: #555; font-size: .85rem; }
input[type=search] { font: inherit; padding: .2rem .4rem; min-width: 16rem; }
/* a phone: each city is a small block of labelled lines; the column headings stay as sort buttons */
@media (max-width: 640px) {
  body { margin: 1rem auto; padding: 0 .75rem; }
  input[type=search] { min-width: 0; width: 100%; box-sizing: border-box; }
  #cities, #cities tbody, #cities tr, #cities td, #cities caption { display: block; width: 100%; }
  #cities thead tr { display: flex; flex-wrap: wrap; gap: .3rem; margin-bottom: .4rem; }
  #cities th { position: static; border: 1px solid #ddd; border-radius: 4px; padding: .15rem .45rem; }
  #cities tbody tr { border-bottom: 1px solid #ddd; padding: .35rem 0; }
  #cities td { border: 0; padding: .05rem 0; display: flex; justify-content: space-between; gap: 1rem;
               text-align: right; overflow-wrap: anywhere; }
  #cities td::before { content: attr(data-label); color: #555; text-align: left; flex: none; }
  #cities td:first-child { font-weight: 600; font-size: 1.05rem; }
  #cities td:first-child::before { content: none; }
}
"""

_SCRIPT = """
(function () {
  "use strict";
  var table = document.getElementById("cities");
  var tbody = table.tBodies[0];
  var headers = table.tHead.rows[0].cells;
  var filter = document.getElementById("filter");
  var count = document.getElementById("count");

  function valueOf(row, index, type) {
    var v = row.cells[index].getAttribute("data-value");
    if (v === null || v === "") { return null; }
    if (type === "number") { var n = parseFloat(v); return isNaN(n) ? null : n; }
    return v.toLowerCase();
  }

  function sortBy(index, type, descending) {
    var rows = Array.prototype.slice.call(tbody.rows);
    rows.sort(function (a, b) {
      var x = valueOf(a, index, type), y = valueOf(b, index, type);
      if (x === null || y === null) { return (x === null) - (y === null); }
      var c = type === "number" ? x - y : x.localeCompare(y);
      return descending ? -c : c;
    });
    rows.forEach(function (r) { tbody.appendChild(r); });
    for (var i = 0; i < headers.length; i++) {
      headers[i].setAttribute("aria-sort", i === index ? (descending ? "descending" : "ascending") : "none");
    }
  }

  Array.prototype.forEach.call(headers, function (th, index) {
    var button = th.querySelector("button");
    button.addEventListener("click", function () {
      sortBy(index, button.getAttribute("data-type"), th.getAttribute("aria-sort") === "ascending");
    });
  });

  function applyFilter() {
    var q = filter.value.trim().toLowerCase();
    var shown = 0;
    Array.prototype.forEach.call(tbody.rows, function (r) {
      var text = (r.cells[0].textContent + " " + r.cells[1].textContent).toLowerCase();
      var match = q === "" || text.indexOf(q) !== -1;
      r.hidden = !match;
      if (match) { shown += 1; }
    });
    count.textContent = "Showing " + shown + " of " + tbody.rows.length + " cities.";
  }
  filter.addEventListener("input", applyFilter);
  applyFilter();
})();
"""

#: Columns of the city table: key, heading, sort type, CSS class.
_COLUMNS = (
    ("city", "City", "text", ""),
    ("state", "State", "text", ""),
    ("overall", "Overall score", "number", "num"),
    ("rank", "Rank", "number", "num"),
    ("level", "Level", "number", ""),
    ("data", "Data", "text", ""),
    ("status", "Status", "text", ""),
)


@dataclass(frozen=True)
class IndexLink:
    """A link to a national report shown above the city table."""

    label: str
    href: str
    status: str = "ok"


def _csp_hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


@lru_cache(maxsize=1)
def _environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,  # every {{ value }} is HTML-escaped
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _short(text: object, limit: int = 200) -> str:
    first = str(text or "").strip().splitlines()
    line = first[0] if first else ""
    return line if len(line) <= limit else line[: limit - 1] + "\u2026"


def _data_label(n_synthetic, n_values) -> str:
    syn = _number(n_synthetic)
    if syn is None:
        return ""
    if syn <= 0:
        return "not synthetic"
    if n_values is not None and syn >= n_values:
        return "synthetic"
    return "partly synthetic"


def _marks(c: Mapping) -> dict:
    """Row fields that replace or mark the panel's values: published marks and ranges on record."""
    out = {}
    if c.get("overall_range"):
        out["overall_text"] = str(c["overall_range"])
    if c.get("rank_range"):
        out["rank_text"] = str(c["rank_range"])
    if c.get("level_range"):
        out["level"] = str(c["level_range"])
    if c.get("rank_published") and not c.get("rank_range"):
        out["rank_text"] = f"{int(float(c['rank']))} ({PUBLISHED})"
    if c.get("level_published") and not c.get("level_range"):
        out["level"] = f"{c['level']} ({PUBLISHED})"
    return out


def build_index_rows(cities: Iterable[Mapping], *, level_order: Mapping[str, int] | None = None) -> list[dict]:
    """Turn city records into the rows the index template shows.

    Parameters
    ----------
    cities : iterable of mappings
        One per city with keys ``city, state, overall, rank, level, status, href``
        and optionally ``error``, ``n_synthetic`` and ``n_indicators`` (the
        number of indicator values the city has; "synthetic" when all of them
        are synthetic, "partly synthetic" when some are); ``rank_published`` and
        ``level_published`` (True: the rank or level is the published one, marked
        "(published)"); ``overall_range``, ``rank_range`` and ``level_range``
        (text shown instead of the value, for a city whose values are only partly
        on record: its synthetic values are not shown).
    level_order : mapping, optional
        Level name -> position (0 = lowest), used to sort the level column.

    Returns
    -------
    list of dict
        Sorted by rank (cities without a rank last), then name.
    """
    level_order = dict(level_order or {})
    rows = []
    for c in cities:
        overall = _number(c.get("overall"))
        rank = _number(c.get("rank"))
        level = c.get("level")
        level = "" if level is None or (isinstance(level, float) and math.isnan(level)) else str(level)
        status = str(c.get("status") or "ok")
        rows.append({
            "city": str(c["city"]),
            "state": str(c.get("state") or ""),
            "overall_value": "" if overall is None else f"{overall:.6g}",
            "overall_text": "\u2013" if overall is None else f"{overall:.1f}",
            "rank_value": "" if rank is None else str(int(rank)),
            "rank_text": "\u2013" if rank is None else str(int(rank)),
            "level": level or "\u2013",
            **_marks(c),
            "level_order": str(level_order[level]) if level in level_order else "",
            "data_text": _data_label(c.get("n_synthetic"), _number(c.get("n_indicators"))),
            "status": status,
            "error": _short(c.get("error")) if status != "ok" else "",
            "href": str(c["href"]),
        })
    rows.sort(key=lambda r: (r["rank_value"] == "", int(r["rank_value"] or 0), r["city"].casefold()))
    return rows


def render_index(cities: Iterable[Mapping], *, cycle: int, data_label: str = "", synthetic_share: float = 0.0,
                 national: Iterable[IndexLink] = (), level_order: Mapping[str, int] | None = None,
                 title: str | None = None, generated: datetime | None = None, version: str = "",
                 about: str = "", levels_note: str = "") -> str:
    """HTML of the index page (a complete, self-contained document).

    Parameters
    ----------
    cities : iterable of mappings
        See :func:`build_index_rows`.
    cycle : int
        The assessment cycle shown.
    data_label : str
        How to name the score table in the page (a file name).
    synthetic_share : float
        Share (0-1) of this cycle's indicator values that are synthetic; above 0 a
        notice says so.
    national : iterable of IndexLink
        Links to the national reports.
    about : str
        The framework's own description and publisher (shown under the title; "" for none).
    levels_note : str
        What the page footer says about the level thresholds (:func:`levels_note`).
    """
    rows = build_index_rows(cities, level_order=level_order)
    from markupsafe import Markup

    generated = generated or datetime.now(UTC)
    share = max(0.0, min(1.0, float(synthetic_share or 0.0)))
    percent = share_words(share).capitalize()
    return _environment().get_template("index.html.j2").render(
        title=title or f"City reports, cycle {cycle}",
        about=about,
        levels_note=levels_note,
        cycle=int(cycle),
        rows=rows,
        columns=[{"key": k, "label": label, "type": t, "cls": cls} for k, label, t, cls in _COLUMNS],
        default_sort="rank",
        national=list(national),
        failed=sum(r["status"] != "ok" for r in rows),
        data_label=data_label,
        synthetic_share=share,
        synthetic_percent=percent,
        generated=generated.strftime("%Y-%m-%d %H:%M UTC"),
        version=version,
        style=Markup(_STYLE),
        script=Markup(_SCRIPT),
        style_hash=_csp_hash(_STYLE),
        script_hash=_csp_hash(_SCRIPT),
    )


def levels_note(fw) -> str:
    """The index footer's sentence on the level thresholds: illustrative or on record, as the framework says."""
    if fw.thresholds_illustrative:
        return "Certification thresholds are illustrative: the framework's own are not on record."
    return "Certification thresholds are those of the framework file, on record."


def cycle_title(dataset, cycle: int) -> str:
    """The framework's name of ``cycle`` for page titles (:func:`dmaf_analysis.framework.framework_title`)."""
    fw = dataset.frameworks.get(int(cycle))
    return framework_title(fw.name, cycle) if fw is not None else f"Cycle {int(cycle)}"


def write_index(summary: BatchSummary, dataset, cycle: int, *, data_label: str = "") -> Path:
    """Write ``<output_dir>/index.html`` for the results of a batch (atomically)."""
    output_dir = summary.output_dir
    manifest = Manifest(output_dir / MANIFEST_NAME)
    scored = dataset.scored[dataset.scored["cycle"] == cycle].set_index("city")
    fw = dataset.frameworks.get(cycle)
    n_indicators = len(fw.indicator_ids) if fw is not None else None
    level_order = {name: i for i, name in enumerate(fw.levels["level"])} if fw is not None else {}
    marks = _record_marks(dataset, cycle)
    rows, national = [], []
    for r in summary.results:
        job = r.job
        entry = manifest.entries.get(job.key, {})
        status = "failed" if r.status == "failed" else "ok"
        href = relative_to(job.html_path, output_dir)
        if job.kind == "city":
            rec = scored.loc[job.label] if job.label in scored.index else {}
            rows.append({"city": job.label, "state": rec.get("state", ""), "overall": rec.get("overall"),
                         "rank": rec.get("rank"), "level": rec.get("level"), "status": status,
                         "error": r.error or entry.get("error"), "href": href,
                         "n_synthetic": rec.get("n_synthetic"),
                         # values present: a city all of whose present values are synthetic is "synthetic"
                         "n_indicators": (n_indicators - int(rec.get("n_missing", 0))
                                          if n_indicators is not None and len(rec) else n_indicators),
                         **marks.get(job.label, {})})
        else:
            national.append(IndexLink(job.label, href, status))
    if summary.explore_path is not None and Path(summary.explore_path).is_file():
        national.append(IndexLink("Explore every city: sortable table, weights and charts",
                                  relative_to(Path(summary.explore_path), output_dir)))
    html = render_index(rows, cycle=cycle, data_label=data_label, synthetic_share=dataset.synthetic_share(cycle),
                        national=national, level_order=level_order, version=__version__,
                        title=f"{cycle_title(dataset, cycle)}: city reports",
                        about=framework_credit(fw) if fw is not None else "",
                        levels_note=levels_note(fw) if fw is not None else "")
    return write_text_atomic(output_dir / "index.html", html)


def _record_marks(dataset, cycle: int) -> dict[str, dict]:
    """City -> index fields from the published record and the values on record.

    A published rank or level equal to the data's is marked published; a city with
    some values on record and some synthetic is shown by the ranges its values on
    record allow (never by its synthetic values).
    """
    record = load_record()
    record = record[record["cycle"] == int(cycle)]
    scores = dataset.scores[dataset.scores["cycle"] == int(cycle)]
    scored = dataset.scored[dataset.scored["cycle"] == int(cycle)].set_index("city")
    out: dict[str, dict] = {}
    for city in record.loc[record["scope"] == "city", "subject"].unique():
        if city not in scored.index:
            continue
        facts = city_facts(record, city=city, cycle=cycle)
        row = scored.loc[city]
        rank = _number(row.get("rank"))
        out[city] = {"rank_published": facts.rank is not None and rank is not None and int(rank) == facts.rank,
                     "level_published": facts.level is not None and facts.level == row.get("level")}
    if "source" not in scores.columns:
        return out
    synthetic = is_synthetic(scores["source"])
    real = scores[~synthetic & scores["score"].notna()]["city"].unique()
    partly = [c for c in real if c in set(scores.loc[synthetic, "city"])]
    if not partly:
        return out
    bounds = score_bounds(scores, frameworks=dataset.frameworks, record=record).set_index("city")
    for city in partly:
        if city not in bounds.index:
            continue
        b = bounds.loc[city]
        names = [str(n) for n in dataset.frameworks[int(cycle)].levels["level"]]  # lowest first
        lo, hi = str(b["level_low"]), str(b["level_high"])
        between = names.index(hi) - names.index(lo) if lo in names and hi in names else 1
        levels = lo if lo == hi else f"{lo} or {hi}" if between == 1 else f"{lo} to {hi}"  # as on the card
        # the sort keys are the low bound and the best rank, never the panel's synthetic values
        out.setdefault(city, {}).update(
            overall=float(b["overall_low"]), rank=int(b["rank_best"]), level=None,
            overall_range=f"{b['overall_low']:.1f}\u2013{b['overall_high']:.1f}",
            rank_range=f"{int(b['rank_best'])}\u2013{int(b['rank_worst'])}", level_range=levels,
            rank_published=False, level_published=False)
    return out
