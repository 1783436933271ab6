"""Planning a batch: the data it reads, one job per report, and the two entry points.

:func:`render_batch` renders every city of a cycle, the national reports and the
index page; :func:`render_city_report` renders one city.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .._util.fileio import check_input_path
from .._util.paths import bundled_city_attributes_path, bundled_scores_path, notebooks_dir
from .._util.slug import unique_slugs
from ..cities import CityMatcher, cities_table
from ..errors import ArgumentError, DmafError, InputFileError, UnknownCityError
from ..explore import write_explore_page
from ..io import write_table
from ..render import page_meta
from ..scoring import load_dataset, resolve_cycle_pair
from ._index_page import cycle_title, write_index
from ._jobs import BatchSummary, ReportJob
from ._lock import output_lock
from ._pool import check_timeout, run_jobs
from ._publish import print_pdfs

__all__ = ["CITY_NOTEBOOK", "NOTEBOOKS_DIR", "OVERVIEW_NOTEBOOK", "TRENDS_NOTEBOOK", "city_job",
           "overview_job", "render_batch", "render_city_report", "render_national_report",
           "require_city_in_data", "trends_job"]

NOTEBOOKS_DIR = notebooks_dir()
CITY_NOTEBOOK = NOTEBOOKS_DIR / "city_report.ipynb"
OVERVIEW_NOTEBOOK = NOTEBOOKS_DIR / "national_overview.ipynb"
TRENDS_NOTEBOOK = NOTEBOOKS_DIR / "national_trends.ipynb"


@dataclass(frozen=True)
class _Inputs:
    """The data a batch reads, as given by the user and as resolved."""

    scores_param: str      # passed to notebooks ("" = bundled)
    attributes_param: str  # passed to notebooks ("" = none, or bundled with bundled scores)
    data_files: tuple[Path, ...]
    label: str
    cities_param: str = ""  # passed to notebooks ("" = the bundled cities table)


def _inputs(scores_path, attributes_path, cities=None, output_dir: Path | None = None) -> _Inputs:
    import pandas as pd

    scores = Path(scores_path).resolve() if scores_path else None
    attributes = Path(attributes_path).resolve() if attributes_path else None
    if isinstance(cities, pd.DataFrame):  # the notebooks read files: keep a copy beside the outputs

        table = cities_table(cities)
        cities = write_table(table, Path(output_dir or "outputs") / "inputs" / "cities.csv")
    elif cities is not None and not isinstance(cities, (str, os.PathLike)):
        cities_table(cities)  # says what a cities table is
    cities_file = Path(cities).resolve() if cities is not None and str(cities).strip() else None
    for p, what in ((scores, "a score table (CSV or Parquet)"), (attributes, "a city attribute table"),
                    (cities_file, "a cities table (CSV)")):
        if p is not None:  # the one input check: regular files only, within the size limit
            check_input_path(p, expected=what, error=InputFileError)
    if cities_file is not None:
        cities_table(cities_file)  # refuse a bad cities table before any notebook starts
    files = [scores or bundled_scores_path()]
    if attributes is not None:
        files.append(attributes)
    elif scores is None and bundled_city_attributes_path().exists():
        files.append(bundled_city_attributes_path())
    if cities_file is not None:
        files.append(cities_file)
    label = scores.name if scores else "bundled data/scores.csv"
    return _Inputs(str(scores or ""), str(attributes or ""), tuple(files), label, str(cities_file or ""))


def _load(inputs: _Inputs):
    if not inputs.scores_param and not bundled_scores_path().exists():
        raise InputFileError(f"the bundled score table {bundled_scores_path()} is missing; pass --data FILE")
    return load_dataset(inputs.scores_param or None, inputs.attributes_param or None,
                        cities=inputs.cities_param or None)


def _slugs(dataset) -> dict[str, str]:
    return unique_slugs(dataset.cities["city"])


def _cities_parameter(inputs: _Inputs) -> dict:
    """``cities_path`` for the notebooks, only when a cities table was given (job digests stay as they were)."""
    return {"cities_path": inputs.cities_param} if inputs.cities_param else {}


def city_job(city: str, cycle: int, *, inputs: _Inputs, output_dir: Path, slug: str,
             notebook: Path = CITY_NOTEBOOK, framework_title: str = "", dataset=None,
             index: bool = True) -> ReportJob:
    """The job that renders one city's report for one cycle (``framework_title`` names it in the title;
    ``dataset`` gives the page header its framework name, ``index`` links it to the index page)."""
    city_dir = output_dir / "cities" / slug
    title = f"{city}: {framework_title} report card" if framework_title else f"{city}: report card, cycle {cycle}"
    return ReportJob(
        key=f"cities/{slug}/cycle-{cycle}", kind="city", label=city,
        title=title, notebook=Path(notebook),
        parameters={"city": city, "cycle": int(cycle), "scores_path": inputs.scores_param,
                    "attributes_path": inputs.attributes_param, "output_dir": str(city_dir.resolve()),
                    **_cities_parameter(inputs)},
        ipynb_path=city_dir / f"cycle-{cycle}.ipynb", html_path=city_dir / f"cycle-{cycle}.html",
        data_files=inputs.data_files,
        meta=page_meta(dataset, cycle, kind="card", html_path=city_dir / f"cycle-{cycle}.html",
                       output_dir=output_dir, index=index))


def _national_common(inputs: _Inputs, output_dir: Path) -> dict:
    return {"scores_path": inputs.scores_param, "attributes_path": inputs.attributes_param,
            "output_dir": str((output_dir / "national").resolve()), **_cities_parameter(inputs)}


def overview_job(dataset, cycle: int, *, inputs: _Inputs, output_dir: Path,
                 notebook: Path = OVERVIEW_NOTEBOOK, index: bool = True) -> ReportJob:
    """The job that renders the national overview of one cycle into ``<output_dir>/national/``
    (``index``: link the page to the index page)."""
    national = output_dir / "national"
    return ReportJob(
        key=f"national/overview-cycle-{cycle}", kind="overview", label=f"National overview, cycle {cycle}",
        title=f"{cycle_title(dataset, cycle)}: national overview", notebook=Path(notebook),
        parameters={"cycle": cycle, **_national_common(inputs, output_dir)},
        ipynb_path=national / f"overview-cycle-{cycle}.ipynb",
        html_path=national / f"overview-cycle-{cycle}.html", data_files=inputs.data_files,
        meta=page_meta(dataset, cycle, kind="national", html_path=national / "page.html", output_dir=output_dir,
                       index=index))


def trends_job(dataset, cycle_from: int, cycle_to: int, *, inputs: _Inputs, output_dir: Path,
               notebook: Path = TRENDS_NOTEBOOK, index: bool = True) -> ReportJob:
    """The job that renders the change from ``cycle_from`` to ``cycle_to`` into ``<output_dir>/national/``
    (``index``: link the page to the index page)."""
    national = output_dir / "national"
    a, b = int(cycle_from), int(cycle_to)
    fw = dataset.frameworks.get(b)
    name = fw.name if fw is not None else "National"
    return ReportJob(
        key=f"national/trends-cycle-{a}-to-{b}", kind="trends", label=f"National trends, cycles {a} to {b}",
        title=f"{name}: national trends, cycles {a} to {b}", notebook=Path(notebook),
        parameters={"cycle_from": a, "cycle_to": b, **_national_common(inputs, output_dir)},
        ipynb_path=national / f"trends-cycle-{a}-to-{b}.ipynb",
        html_path=national / f"trends-cycle-{a}-to-{b}.html", data_files=inputs.data_files,
        meta=page_meta(dataset, b, kind="national", html_path=national / "page.html", output_dir=output_dir,
                       index=index))


def _national_jobs(dataset, cycle: int, *, inputs: _Inputs, output_dir: Path, overview_notebook: Path | None,
                   trends_notebook: Path | None) -> list[ReportJob]:
    jobs = []
    if overview_notebook is not None and Path(overview_notebook).is_file():
        jobs.append(overview_job(dataset, cycle, inputs=inputs, output_dir=output_dir, notebook=overview_notebook))
    earlier = [c for c in dataset.cycles if c < cycle]
    if trends_notebook is not None and Path(trends_notebook).is_file() and earlier:
        jobs.append(trends_job(dataset, earlier[-1], cycle, inputs=inputs, output_dir=output_dir,
                               notebook=trends_notebook))
    return jobs


def require_city_in_data(name: str, dataset, cycle: int) -> str:
    """Canonical name of ``name`` if it has scores in ``cycle``.

    An unknown name gets the closest cities with data; a known city without scores
    in ``cycle`` gets :meth:`Dataset.city_not_in_cycle`'s message (the cycles it has).
    """
    in_cycle = dataset.scored.loc[dataset.scored["cycle"] == cycle, "city"].unique().tolist()
    present = dataset.cities[dataset.cities["city"].isin(in_cycle)]
    matcher_all = CityMatcher(dataset.cities)
    canonical = matcher_all.resolve(name)
    near = CityMatcher(present).suggest(name) if len(present) else []
    if canonical is None:
        raise UnknownCityError(str(name), near)
    if canonical not in in_cycle:
        raise dataset.city_not_in_cycle(canonical, cycle)
    return canonical


def render_city_report(city: str, *, cycle: int = 0, scores_path=None, attributes_path=None, cities=None,
                       output_dir: str | Path = "outputs", force: bool = False, notebook: str | Path | None = None,
                       progress: bool = False, timeout: float | None = 600,
                       kernel_options: dict | None = None, pdf: bool = False) -> BatchSummary:
    """Render one city's report to ``<output_dir>/cities/<slug>/cycle-<N>.ipynb`` and ``.html``.

    ``cycle`` 0 is the latest cycle of the data; ``cities`` is a cities table (path
    or DataFrame, see :func:`~dmaf_analysis.cities.cities_table`; default the
    bundled 100 Smart Cities).

    ``pdf=True`` also prints ``cycle-<N>.pdf`` beside the HTML (headless Chromium;
    ``summary.pdf`` says what happened, with what to install when the engine is missing).

    Raises
    ------
    UnknownCityError
        ``city`` is not a Smart City, or (:class:`CityNotInDataError`) has no
        scores in that cycle; the message names the cycles in which it has scores.
    """
    timeout = check_timeout(timeout)
    output_dir = Path(output_dir)
    inputs = _inputs(scores_path, attributes_path, cities, output_dir)
    dataset = _load(inputs)
    cycle = dataset.resolve_cycle(cycle)
    canonical = require_city_in_data(city, dataset, cycle)
    job = city_job(canonical, cycle, inputs=inputs, output_dir=output_dir, slug=_slugs(dataset)[canonical],
                   notebook=Path(notebook) if notebook else CITY_NOTEBOOK,
                   framework_title=cycle_title(dataset, cycle), dataset=dataset,
                   index=(output_dir / "index.html").exists())
    return _run_one(job, cycle=cycle, output_dir=output_dir, force=force, progress=progress, timeout=timeout,
                    kernel_options=kernel_options, pdf=pdf)


def _run_one(job: ReportJob, *, cycle: int, output_dir: Path, force: bool, progress: bool, timeout: float | None,
             kernel_options: dict | None, pdf: bool) -> BatchSummary:
    """Run a single report job on one worker, then print its PDF when asked; the summary is of ``cycle``."""
    summary = run_jobs([job], output_dir=output_dir, workers=1, force=force, progress=progress,
                       timeout=timeout, kernel_options=kernel_options)
    summary.cycle = cycle
    if pdf:
        print_pdfs(summary, workers=1, force=force)
    return summary


def render_national_report(kind: str = "overview", *, cycle: int = 0, cycle_from: int = 0, cycle_to: int = 0,
                           scores_path=None, attributes_path=None, cities=None, output_dir: str | Path = "outputs",
                           force: bool = False, notebook: str | Path | None = None, progress: bool = False,
                           timeout: float | None = 600, kernel_options: dict | None = None,
                           pdf: bool = False) -> BatchSummary:
    """Render one national report where :func:`render_batch` puts it, and nothing else.

    Parameters
    ----------
    kind : {"overview", "trends"}
        The overview of ``cycle`` (0 = latest), or the change from ``cycle_from``
        (0 = second-latest) to ``cycle_to`` (0 = latest).
    output_dir : path, default "outputs"
        Root of the outputs; the report goes to ``<output_dir>/national/`` and its
        tables to ``<output_dir>/national/cycle-<N>/`` (or ``cycle-<A>-to-<B>/``),
        as CSV, Parquet and one Excel workbook.
    pdf : bool, default False
        Also print the page to ``<name>.pdf`` beside it (``summary.pdf``).

    Returns
    -------
    BatchSummary
        One result; ``cycle`` is the (later) cycle.
    """
    if kind not in ("overview", "trends"):
        raise ArgumentError(f"kind must be 'overview' or 'trends', got {kind!r}")
    timeout = check_timeout(timeout)
    output_dir = Path(output_dir)
    inputs = _inputs(scores_path, attributes_path, cities, output_dir)
    dataset = _load(inputs)
    index = (output_dir / "index.html").exists()
    if kind == "overview":
        c = dataset.resolve_cycle(cycle)
        job = overview_job(dataset, c, inputs=inputs, output_dir=output_dir,
                           notebook=Path(notebook) if notebook else OVERVIEW_NOTEBOOK, index=index)
    else:
        a, c = resolve_cycle_pair(dataset.cycles, cycle_from, cycle_to)
        job = trends_job(dataset, a, c, inputs=inputs, output_dir=output_dir,
                         notebook=Path(notebook) if notebook else TRENDS_NOTEBOOK, index=index)
    return _run_one(job, cycle=c, output_dir=output_dir, force=force, progress=progress, timeout=timeout,
                    kernel_options=kernel_options, pdf=pdf)


def _write_explorer(summary: BatchSummary, dataset, cycle: int, *, data_label: str) -> None:
    """The cycle's explorer page beside the reports (:func:`dmaf_analysis.explore.write_explore_page`);
    a failure is recorded in ``summary.explore_error``, and the reports stand."""
    try:
        summary.explore_path = write_explore_page(dataset, cycle=cycle, output_dir=summary.output_dir,
                                                  data_label=data_label, index_link=True)
    except (DmafError, OSError, ImportError) as exc:
        summary.explore_error = str(exc)


def render_batch(*, scores_path=None, attributes_path=None, cycle: int = 0, output_dir: str | Path = "outputs",
                 workers: int = 2, force: bool = False, progress: bool = True, cities=None,
                 only: Iterable[str] | None = None,
                 city_notebook: str | Path | None = None, overview_notebook: str | Path | None = OVERVIEW_NOTEBOOK,
                 trends_notebook: str | Path | None = TRENDS_NOTEBOOK, timeout: float | None = 600,
                 recycle_after: int = 200, kernel_options: dict | None = None, pdf: bool = False) -> BatchSummary:
    """Render every city of a cycle, the national reports, and ``<output_dir>/index.html``.

    Parameters
    ----------
    scores_path, attributes_path : path, optional
        Score table and city attribute table (default: the bundled data).
    cycle : int, default 0
        Cycle to render; 0 means the latest in the data.
    output_dir : path, default "outputs"
        Root of the outputs: ``cities/<slug>/cycle-<N>.{ipynb,html}``,
        ``national/*.{ipynb,html}``, ``index.html``, ``manifest.json``.
    workers : int, default 2
        Kernels executing reports side by side.
    force : bool, default False
        Re-render reports whose inputs are unchanged.
    cities : path or DataFrame, optional
        Cities table the names are matched against (see
        :func:`~dmaf_analysis.cities.cities_table`); default the bundled 100
        Smart Cities. A DataFrame is saved as ``<output_dir>/inputs/cities.csv``
        for the notebooks.
    only : iterable of str, optional
        Render only these cities (names matched through aliases); default all
        cities with scores in the cycle. The index lists the cities rendered.
    city_notebook, overview_notebook, trends_notebook : path, optional
        Notebooks to use; a national notebook that does not exist (or ``None``)
        is left out, and the trends report needs an earlier cycle in the data.
    pdf : bool, default False
        Also print ``<name>.pdf`` beside every page (cards and national
        reports) with headless Chromium, one browser per worker; PDFs newer
        than their page are kept unless ``force``. ``summary.pdf`` says what
        happened (and what to install when the engine is missing).

    Returns
    -------
    BatchSummary
        ``exit_code`` is 1 when any report failed.
    """
    timeout = check_timeout(timeout)
    output_dir = Path(output_dir)
    inputs = _inputs(scores_path, attributes_path, cities, output_dir)
    dataset = _load(inputs)
    cycle = dataset.resolve_cycle(cycle)
    scored = dataset.scored[dataset.scored["cycle"] == cycle]
    if only is None:
        names = sorted(scored["city"].unique().tolist())
    else:
        if isinstance(only, str):
            only = [only]
        names = sorted({require_city_in_data(c, dataset, cycle) for c in only})
    slugs = _slugs(dataset)
    notebook = Path(city_notebook) if city_notebook else CITY_NOTEBOOK
    title = cycle_title(dataset, cycle)
    jobs = [city_job(c, cycle, inputs=inputs, output_dir=output_dir, slug=slugs[c], notebook=notebook,
                     framework_title=title, dataset=dataset) for c in names]
    jobs += _national_jobs(dataset, cycle, inputs=inputs, output_dir=output_dir,
                           overview_notebook=Path(overview_notebook) if overview_notebook else None,
                           trends_notebook=Path(trends_notebook) if trends_notebook else None)
    with output_lock(output_dir):  # the manifest and the index page: one batch per folder at a time
        summary = run_jobs(jobs, output_dir=output_dir, workers=workers, force=force, progress=progress,
                           timeout=timeout, recycle_after=recycle_after, kernel_options=kernel_options)
        summary.cycle = cycle
        _write_explorer(summary, dataset, cycle, data_label=inputs.label)
        summary.index_path = write_index(summary, dataset, cycle, data_label=inputs.label)
        if pdf:
            print_pdfs(summary, workers=workers, force=force)
    return summary

