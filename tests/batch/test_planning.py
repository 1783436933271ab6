"""The batch engine: failure isolation, skip-unchanged, atomic writes, safety, and
equivalence of the warm-kernel path with a plain papermill run.

Most tests share one small batch rendered with the fixture notebook
(tests/fixtures/report_fixture.ipynb) on a five-city data set built here; one city
has a missing indicator, so the fixture notebook fails for it (``int(<NA>)``).
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from dmaf_analysis import cli
from dmaf_analysis._util.paths import bundled_scores_path
from dmaf_analysis.batch import (
    CITY_NOTEBOOK,
    Exporters,
    IndexLink,
    ReportJob,
    job_digest,
    package_fingerprint,
    render_batch,
    render_city_report,
    render_index,
    run_jobs,
)
from dmaf_analysis.errors import CityNotInDataError, UnknownCityError
from dmaf_analysis.framework import load_frameworks

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FIXTURE_NB = FIXTURES / "report_fixture.ipynb"
CRASH_NB = FIXTURES / "crash_fixture.ipynb"
FRACTIONS = {"Surat": 0.9, "Pune": 0.5, "Kohima": 0.5, "Ludhiana": 0.2, "Agra": 0.6}
BROKEN_CITY = "Agra"  # one indicator left empty


def points(max_score: float, fraction: float) -> float:
    return float(5 * round(max_score * fraction / 5))


def write_small_scores(path: Path) -> Path:
    """Cycle-2 scores for the cities of FRACTIONS (synthetic); Agra misses one value."""
    fw = load_frameworks()[2]
    rows = []
    for city, fraction in FRACTIONS.items():
        for ind, max_score in fw.max_scores.items():
            rows.append({"cycle": 2, "city": city, "indicator": ind,
                         "score": points(max_score, fraction), "source": "synthetic"})
    rows[-1]["score"] = ""  # Agra is last: its last indicator is missing
    assert rows[-1]["city"] == BROKEN_CITY
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def expected_overall(fraction: float) -> float:
    """Overall score worked out by hand: component point sums, weighted mean."""
    fw = load_frameworks()[2]
    comp = fw.indicators.assign(points=[points(m, fraction) for m in fw.indicators["max_score"]])
    sums = comp.groupby("component")["points"].sum()
    return float(sum(sums[c] * fw.weights[c] for c in fw.component_ids) / fw.weights.sum())


def temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".tmp") or p.name.startswith(".")]


@pytest.fixture(scope="module")
def small_data(tmp_path_factory) -> Path:
    return write_small_scores(tmp_path_factory.mktemp("data") / "scores.csv")


@pytest.fixture(scope="module")
def fixture_batch(small_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("batch") / "outputs"
    summary = render_batch(scores_path=small_data, output_dir=out, city_notebook=FIXTURE_NB,
                           overview_notebook=None, trends_notebook=None, workers=2, progress=False)
    return summary, out


# ----------------------------------------------------------------- failure isolation
@pytest.mark.slow
def test_failing_city_is_recorded_and_the_others_complete(fixture_batch):
    summary, out = fixture_batch
    status = {r.job.label: r.status for r in summary.results}
    assert status == {"Agra": "failed", "Kohima": "rendered", "Ludhiana": "rendered",
                      "Pune": "rendered", "Surat": "rendered"}
    assert summary.exit_code == 1
    failed = summary.failed[0]
    assert failed.error.startswith("TypeError")
    text = summary.text()
    assert "5 reports" in text and "4 rendered" in text and "1 failed" in text
    assert "FAILED Agra: TypeError" in text
    # the partial notebook is saved with papermill's error markers and the traceback
    nb = nbformat.read(out / "cities" / "agra" / "cycle-2.ipynb", as_version=4)
    tags = [t for c in nb.cells for t in c.metadata.get("tags", [])]
    assert tags.count("papermill-error-cell-tag") == 2
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert len(errors) == 1 and errors[0].ename == "TypeError"
    assert nb.metadata.papermill.exception is True
    # its page exists too, so the index can link to it
    html = (out / "cities" / "agra" / "cycle-2.html").read_text(encoding="utf-8")
    assert "TypeError" in html and "Execution using papermill encountered an exception" in html


@pytest.mark.slow
def test_outputs_have_papermill_parameters_and_right_values(fixture_batch, small_data):
    _, out = fixture_batch
    nb = nbformat.read(out / "cities" / "surat" / "cycle-2.ipynb", as_version=4)
    meta = nb.metadata.papermill
    assert meta.parameters == {"city": "Surat", "cycle": 2, "scores_path": str(small_data.resolve()),
                               "attributes_path": "", "output_dir": str((out / "cities" / "surat").resolve())}
    assert meta.input_path == str(FIXTURE_NB) and meta.exception is None
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and 'city = "Surat"' in injected[0].source
    assert all("papermill" in c.metadata for c in nb.cells)
    # execution counts start at 1, as in a fresh kernel
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1))
    printed = "".join(o.text for c in nb.cells if c.cell_type == "code" for o in c.outputs
                      if o.output_type == "stream")
    assert f"Surat, cycle 2: overall {expected_overall(0.9):.1f}, rank 1, level" in printed
    assert f"Ludhiana, cycle 2: overall {expected_overall(0.2):.1f}, rank 4" in \
        (out / "cities" / "ludhiana" / "cycle-2.ipynb").read_text(encoding="utf-8")
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {})]
    assert len(images) == 1
    html = (out / "cities" / "surat" / "cycle-2.html").read_text(encoding="utf-8")
    assert "<title>Surat: DMAF 2.0 (Cycle 2, systemic pillar) report card</title>" in html
    assert "data:image/png;base64," in html
    assert 'city = "Surat"' not in html  # inputs are hidden
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html)  # nothing loaded from the network


@pytest.mark.slow
def test_index_lists_every_city_with_status_and_links(fixture_batch):
    summary, out = fixture_batch
    html = (out / "index.html").read_text(encoding="utf-8")
    assert summary.index_path == out / "index.html"
    rows = re.findall(r'<tr class="([^"]*)">\s*<td data-value="([^"]*)"><a href="([^"]+)">', html)
    assert [r[1] for r in rows] == ["Surat", "Kohima", "Pune", "Ludhiana", "Agra"]  # by rank, ties by name
    assert rows[-1][0] == "row-failed" and all(r[0] == "" for r in rows[:-1])
    for _, _city, href in rows:
        assert (out / href).is_file()
    assert 'data-value="failed"' in html and html.count('data-value="ok"') == 4
    assert "Synthetic data." in html  # every value is synthetic
    assert "https://" not in html and "http://" not in html
    # the explorer page is written beside the cards, linked from the index and linking back to it and the cards
    assert summary.explore_path == out / "explore" / "cycle-2.html" and summary.explore_path.is_file()
    assert '<a href="explore/cycle-2.html">' in html and "explorer: " in summary.text()
    page = summary.explore_path.read_text(encoding="utf-8")
    assert '"href":"../cities/surat/cycle-2.html"' in page and "href='../index.html'" in page


@pytest.mark.slow
def test_manifest_and_no_temporary_files(fixture_batch):
    summary, out = fixture_batch
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entries = manifest["entries"]
    assert set(entries) == {f"cities/{c.lower()}/cycle-2" for c in FRACTIONS}
    assert entries["cities/agra/cycle-2"]["status"] == "failed"
    assert entries["cities/agra/cycle-2"]["error"].startswith("TypeError")
    assert entries["cities/surat/cycle-2"]["status"] == "ok"
    assert entries["cities/surat/cycle-2"]["html"] == "cities/surat/cycle-2.html"
    assert temp_files(out) == []


@pytest.mark.slow
def test_rerun_skips_unchanged_retries_failed_and_force_renders(fixture_batch, small_data):
    """Runs last among the fixture_batch tests: it renders into the same folder."""
    _, out = fixture_batch
    surat = out / "cities" / "surat" / "cycle-2.html"
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.html") if "agra" not in str(p)}
    again = render_batch(scores_path=small_data, output_dir=out, city_notebook=FIXTURE_NB,
                         overview_notebook=None, trends_notebook=None, workers=2, progress=False)
    status = {r.job.label: r.status for r in again.results}
    assert status == {"Agra": "failed", "Kohima": "unchanged", "Ludhiana": "unchanged", "Pune": "unchanged",
                      "Surat": "unchanged"}
    after = {p: p.stat().st_mtime_ns for p in before}
    assert {p: t for p, t in after.items() if p.name != "index.html"} == \
        {p: t for p, t in before.items() if p.name != "index.html"}
    forced = render_batch(scores_path=small_data, output_dir=out, city_notebook=FIXTURE_NB, only=["surat"],
                          overview_notebook=None, trends_notebook=None, workers=1, force=True, progress=False)
    assert [(r.job.label, r.status) for r in forced.results] == [("Surat", "rendered")]
    assert forced.exit_code == 0
    assert surat.stat().st_mtime_ns > before[surat]
    assert temp_files(out) == []


# ----------------------------------------------------------------------- digests
def test_job_digest_covers_notebook_data_parameters_and_package(tmp_path, small_data):
    nb = tmp_path / "nb.ipynb"
    nb.write_bytes(FIXTURE_NB.read_bytes())
    data = tmp_path / "scores.csv"
    data.write_bytes(small_data.read_bytes())

    def job(**params):
        return ReportJob("k", "city", "Surat", "t", nb, {"city": "Surat", **params}, tmp_path / "a.ipynb",
                         tmp_path / "a.html", (data,))

    fp = package_fingerprint()
    base = job_digest(job(cycle=2), fp)
    assert job_digest(job(cycle=2), fp) == base
    assert job_digest(job(cycle=1), fp) != base
    assert job_digest(job(cycle=2), fp + "x") != base
    data.write_text(data.read_text().replace("synthetic", "report_card", 1))
    changed_data = job_digest(job(cycle=2), fp)
    assert changed_data != base
    nb.write_text(nb.read_text().replace("Test report", "Test report!"))
    assert job_digest(job(cycle=2), fp) not in (base, changed_data)


def test_fingerprint_follows_the_recommendations(tmp_path, monkeypatch):
    import shutil

    from dmaf_analysis._util.paths import data_dir
    copy = tmp_path / "data"
    shutil.copytree(data_dir(), copy)
    monkeypatch.setenv("DMAF_DATA_DIR", str(copy))
    before = package_fingerprint()
    recs = copy / "recommendations.yaml"
    recs.write_text(recs.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert package_fingerprint() != before


# ------------------------------------------------------------ dead kernel, write error
@pytest.mark.slow
def test_dead_kernel_and_failed_write_are_isolated(tmp_path, small_data, monkeypatch):
    out = tmp_path / "out"
    params = {"cycle": 2, "scores_path": str(small_data), "attributes_path": "", "output_dir": ""}

    def job(city, notebook):
        d = out / "cities" / city.lower()
        return ReportJob(f"cities/{city.lower()}/cycle-2", "city", city, f"{city} report", notebook,
                         {"city": city, **params}, d / "cycle-2.ipynb", d / "cycle-2.html", (small_data,))

    original = Exporters.export

    def export(self, nb, title, meta=None):
        if title.startswith("Kohima"):
            raise OSError("disk full (simulated)")
        return original(self, nb, title, meta)

    monkeypatch.setattr(Exporters, "export", export)
    summary = run_jobs([job("Pune", CRASH_NB), job("Surat", FIXTURE_NB), job("Kohima", FIXTURE_NB)],
                       output_dir=out, workers=1, progress=False)
    by_city = {r.job.label: r for r in summary.results}
    assert by_city["Pune"].status == "failed" and "DeadKernelError" in by_city["Pune"].error
    assert by_city["Surat"].status == "rendered"  # on a fresh kernel after the crash
    assert summary.kernel_starts == 2
    assert by_city["Kohima"].status == "failed" and "disk full" in by_city["Kohima"].error
    assert not (out / "cities" / "kohima" / "cycle-2.html").exists()
    crashed = nbformat.read(out / "cities" / "pune" / "cycle-2.ipynb", as_version=4)
    printed = [o.text for c in crashed.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "stream"]
    assert printed == ["about to crash for Pune\n"]  # outputs up to the crash are kept
    assert temp_files(out) == []


def test_no_kernel_fails_every_report_without_hanging(tmp_path, small_data):
    jobs = [ReportJob(f"cities/{c}/cycle-2", "city", c, c, FIXTURE_NB, {"city": c}, tmp_path / f"{c}.ipynb",
                      tmp_path / f"{c}.html", (small_data,)) for c in ("a", "b", "c")]
    summary = run_jobs(jobs, output_dir=tmp_path, workers=1, progress=False,
                       kernel_options={"kernel_name": "no-such-kernel"})
    errors = [r.error for r in summary.results]
    assert all(r.status == "failed" for r in summary.results) and summary.exit_code == 1
    assert errors[0].startswith("kernel did not start: NoSuchKernel")
    assert errors[1:] == ["not run: no kernel could be started"] * 2
    assert json.loads((tmp_path / "manifest.json").read_text())["entries"]["cities/c/cycle-2"]["status"] == "failed"
    assert temp_files(tmp_path) == []


# --------------------------------------------------------------------- names, safety
def test_unknown_city_names_closest_matches(small_data):
    with pytest.raises(UnknownCityError, match="unknown city 'Surrat'; closest matches: Surat") as err:
        render_city_report("Surrat", scores_path=small_data)
    assert "Surat" in err.value.suggestions and "closest matches" in str(err.value)
    # a Smart City without scores in the data
    with pytest.raises(CityNotInDataError, match="Puducherry was not assessed in cycle 2") as err:
        render_city_report("Puducherry", scores_path=small_data)
    message = str(err.value)
    assert message.startswith(f"Puducherry was not assessed in cycle 2 of {Path(small_data).name}; ")
    assert "it has no scores in any cycle" in message and str(Path(small_data).parent) not in message
    assert isinstance(err.value, UnknownCityError)


def test_cli_report_unknown_city_exits_1_with_message(small_data, capsys):
    code = cli.main(["report", "--city", "Kohimaa", "--data", str(small_data)])
    assert code == 1
    err = capsys.readouterr().err
    assert "unknown city 'Kohimaa'" in err and "Kohima" in err and "Traceback" not in err


def test_index_escapes_data_and_allows_only_its_own_script():
    evil = '<script>alert("x")</script>'
    html = render_index(
        [{"city": evil, "state": "<b>S</b>", "overall": 50.0, "rank": 1, "level": "Enabled", "status": "failed",
          "error": '<img src=x onerror="alert(1)">', "href": "cities/x/cycle-2.html"}],
        cycle=2, data_label='"quoted" & <odd>.csv', national=[IndexLink("<i>overview</i>", "national/o.html")],
        level_order={"Not certified": 0, "Enabled": 1})
    assert evil not in html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<b>S</b>" not in html and '<img src=x' not in html and "<i>overview</i>" not in html
    assert "&#34;quoted&#34; &amp; &lt;odd&gt;.csv" in html
    scripts = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    assert len(scripts) == 1  # the page's own script, nothing injected
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in html


@pytest.mark.parametrize(("share", "words"), [(6285 / 6300, "More than 99%"), (1.0, "All"), (0.004, "Less than 1%"),
                                              (0.5, "50%")])
def test_index_notice_never_rounds_the_synthetic_share_to_all(share, words):
    row = {"city": "A", "state": "S", "overall": 50.0, "rank": 1, "level": "Enabled", "status": "ok",
           "href": "cities/a/cycle-2.html"}
    html = render_index([row], cycle=2, synthetic_share=share)
    assert f"</strong> {words} of the indicator values behind this cycle are synthetic" in html
    assert render_index([row], cycle=2, synthetic_share=0.0).count("Synthetic data.") == 0


# ------------------------------------------------- equivalence with plain papermill
def _real_inputs(small_data):
    """The real city report on the bundled data when both exist; else the fixture."""
    notebook = CITY_NOTEBOOK if CITY_NOTEBOOK.exists() else FIXTURE_NB
    data = None if bundled_scores_path().exists() else small_data
    return notebook, data


def _outputs(nb):
    """Per code cell: its text outputs, and the number of figures."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        texts, figures = [], 0
        for o in cell.outputs:
            if o.output_type == "stream":
                texts.append((o.name, o.text))
            elif o.output_type in ("display_data", "execute_result"):
                figures += sum(k.startswith("image/") for k in o.data)
                figures += "".join(o.data.get("text/html", "")).count("<svg")  # charts drawn as inline SVG
                texts += [(k, o.data[k]) for k in ("text/plain", "text/html", "text/markdown") if k in o.data]
            elif o.output_type == "error":
                texts.append(("error", o.ename + ": " + o.evalue))
        cells.append((texts, figures))
    return cells


@pytest.mark.slow
def test_fast_path_matches_plain_papermill(tmp_path, small_data):
    import papermill

    notebook, data = _real_inputs(small_data)
    out = tmp_path / "out"
    # two cities on one kernel, so the compared report runs on a kernel that has
    # already rendered another one (the state reset is what is being tested)
    summary = render_batch(scores_path=data, output_dir=out, city_notebook=notebook, only=["Pune", "Surat"],
                           overview_notebook=None, trends_notebook=None, workers=1, progress=False)
    assert summary.exit_code == 0, summary.text()
    job = summary.results[1].job
    assert job.label == "Surat"
    fast = nbformat.read(job.ipynb_path, as_version=4)
    plain = papermill.execute_notebook(str(notebook), str(tmp_path / "plain.ipynb"), parameters=job.parameters,
                                       kernel_name="python3", progress_bar=False)
    fast_out, plain_out = _outputs(fast), _outputs(plain)
    assert fast_out == plain_out
    assert sum(f for _, f in fast_out) >= 1  # the comparison covers figures

    def counts(nb):
        return [c.execution_count for c in nb.cells if c.cell_type == "code"]

    assert counts(fast) == counts(plain) == list(range(1, len(counts(plain)) + 1))
    assert fast.metadata.papermill.parameters == plain.metadata.papermill.parameters


def test_index_data_label_counts_the_values_present():
    from dmaf_analysis.batch import build_index_rows
    base = {"state": "S", "overall": 40.0, "rank": 1, "level": "Enabled", "status": "ok", "href": "x.html"}
    rows = build_index_rows([{**base, "city": "All synthetic, one missing", "n_synthetic": 20, "n_indicators": 20},
                             {**base, "city": "Mixed", "n_synthetic": 6, "n_indicators": 21},
                             {**base, "city": "Real", "n_synthetic": 0, "n_indicators": 21}])
    assert {r["city"]: r["data_text"] for r in rows} == {
        "All synthetic, one missing": "synthetic", "Mixed": "partly synthetic", "Real": "not synthetic"}
