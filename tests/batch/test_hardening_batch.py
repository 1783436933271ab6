"""Adversarial batch cases (issue 12): manifest, damaged pages, lock, timeout, moved folder,
broken pipe, kernel folders, and a failed re-render that must keep the last good page.

One small two-city batch (the fixture notebook) is rendered once per module and then
damaged in the ways the adversarial run found; the tests run in file order.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from dmaf_analysis import cli
from dmaf_analysis.batch import Manifest, ReportJob, job_digest, package_fingerprint, render_batch, run_jobs
from dmaf_analysis.batch import _kernels as kernels_module
from dmaf_analysis.batch._lock import LOCK_NAME, output_lock
from dmaf_analysis.batch._pool import check_timeout
from dmaf_analysis.errors import ArgumentError, BatchLockedError, DmafError
from dmaf_analysis.framework import load_frameworks

FIXTURE_NB = Path(__file__).resolve().parents[1] / "fixtures" / "report_fixture.ipynb"
CITIES = {"Surat": 0.9, "Pune": 0.5}
TIMEOUT = 120


def _scores(path: Path) -> Path:
    fw = load_frameworks()[2]
    rows = [{"cycle": 2, "city": city, "indicator": ind, "score": float(5 * round(m * f / 5)), "source": "synthetic"}
            for city, f in CITIES.items() for ind, m in fw.max_scores.items()]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _batch(data, out, **kwargs):
    options = {"city_notebook": FIXTURE_NB, "overview_notebook": None, "trends_notebook": None, "workers": 1,
               "progress": False, **kwargs}
    return render_batch(scores_path=data, output_dir=out, **options)


def _status(summary) -> dict:
    return {r.job.label: r.status for r in summary.results}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    root = tmp_path_factory.mktemp("hard-batch")
    data = _scores(root / "scores.csv")
    out = root / "outputs"
    first = _batch(data, out)
    assert _status(first) == {"Surat": "rendered", "Pune": "rendered"}
    return data, out


def _page(out: Path, city: str, suffix: str = "html") -> Path:
    return out / "cities" / city.lower() / f"cycle-2.{suffix}"


# ---------------------------------------------------------------------------- timeout
@pytest.mark.parametrize("value", ["2.5", "nan", "inf", "0", "-3", "ten"])
def test_timeout_must_be_whole_seconds_on_the_command_line(value, capsys):
    with pytest.raises(SystemExit, match="^2$") as exc:
        cli.main(["batch", "--timeout", value, "--output-dir", "unused"])
    assert exc.value.code == 2
    assert "--timeout" in capsys.readouterr().err


@pytest.mark.parametrize("value", [2.5, float("nan"), float("inf"), 0, -1, True, "600"])
def test_timeout_must_be_whole_seconds_in_the_api(value):
    with pytest.raises(DmafError, match="whole number of seconds"):
        check_timeout(value)
    assert check_timeout(600) == 600 and check_timeout(30.0) == 30 and check_timeout(None) is None


# ---------------------------------------------------------------------------- manifest
def test_manifest_entries_are_validated_one_by_one(tmp_path):
    good = {"digest": "a" * 64, "status": "ok", "html": "x.html", "ipynb": "x.ipynb"}
    (tmp_path / "manifest.json").write_text(json.dumps({"entries": {
        "good": good, "text": "garbage", "list": [1, 2], "short": {**good, "digest": "abc"},
        "status": {**good, "status": "maybe"}, "paths": {**good, "html": 5}}}))
    manifest = Manifest(tmp_path / "manifest.json")
    assert list(manifest.entries) == ["good"]
    assert sorted(manifest.dropped) == ["list", "paths", "short", "status", "text"]
    for text in ("[]", "{\"entries\": 3}", "not json", "[" * 100000):
        (tmp_path / "manifest.json").write_text(text)
        assert Manifest(tmp_path / "manifest.json").entries == {}


def test_bad_manifest_entry_and_damaged_pages_are_rendered_again(rendered):
    data, out = rendered
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["entries"]["cities/surat/cycle-2"] = "garbage"
    manifest_path.write_text(json.dumps(manifest))
    assert _status(_batch(data, out)) == {"Surat": "rendered", "Pune": "unchanged"}
    page = _page(out, "Pune")
    page.write_bytes(page.read_bytes()[: page.stat().st_size // 2])  # truncated
    assert _status(_batch(data, out)) == {"Surat": "unchanged", "Pune": "rendered"}
    _page(out, "Surat", "ipynb").write_text("")  # emptied
    assert _status(_batch(data, out)) == {"Surat": "rendered", "Pune": "unchanged"}
    assert _status(_batch(data, out)) == {"Surat": "unchanged", "Pune": "unchanged"}


def test_digest_does_not_depend_on_the_output_folder(rendered, tmp_path):
    data, out = rendered

    def job(output_dir):
        return ReportJob("k", "city", "Surat", "t", FIXTURE_NB, {"city": "Surat", "output_dir": output_dir},
                         tmp_path / "a.ipynb", tmp_path / "a.html", (data,))

    fp = package_fingerprint()
    assert job_digest(job("/one/place"), fp) == job_digest(job("/another/place"), fp)
    moved = tmp_path / "moved"
    shutil.copytree(out, moved)
    assert _status(_batch(data, moved)) == {"Surat": "unchanged", "Pune": "unchanged"}


# -------------------------------------------------------------------- failed re-render
def test_failed_forced_rerender_keeps_the_last_good_page(rendered, tmp_path):
    data, out = rendered
    failing = tmp_path / "failing.ipynb"
    nb = nbformat.read(FIXTURE_NB, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell('raise RuntimeError("boom for " + city)'))
    nbformat.write(nb, str(failing))
    page, notebook = _page(out, "Surat"), _page(out, "Surat", "ipynb")
    good_html = page.read_text(encoding="utf-8")
    good_ipynb = notebook.read_bytes()

    summary = _batch(data, out, city_notebook=failing, only=["Surat"], force=True)
    result = summary.results[0]
    assert result.status == "failed" and result.stale and "boom for Surat" in result.error
    assert "marked stale" in summary.text()
    kept = page.read_text(encoding="utf-8")
    assert "This page is stale." in kept and "boom for Surat" in kept
    assert kept.replace(kept[kept.index("<!-- dmaf-stale -->"):kept.index("<!-- /dmaf-stale -->") + 20], "") \
        == good_html  # the good page itself is unchanged, only the notice is added
    assert notebook.read_bytes() == good_ipynb
    failed_page = page.with_name("cycle-2.failed.html")
    assert failed_page.exists() and "boom for Surat" in failed_page.read_text(encoding="utf-8")
    entry = json.loads((out / "manifest.json").read_text())["entries"]["cities/surat/cycle-2"]
    assert entry["status"] == "failed" and entry["stale"] is True

    again = _batch(data, out, city_notebook=failing, only=["Surat"], force=True)  # fails again: still kept
    assert again.results[0].stale and page.read_text(encoding="utf-8").count("This page is stale.") == 1

    fixed = _batch(data, out, only=["Surat"])
    assert _status(fixed) == {"Surat": "rendered"}
    assert "This page is stale." not in page.read_text(encoding="utf-8")
    assert not failed_page.exists() and not page.with_name("cycle-2.failed.ipynb").exists()


def test_a_first_render_that_fails_still_writes_its_page(tmp_path):
    data = _scores(tmp_path / "scores.csv")
    failing = tmp_path / "failing.ipynb"
    nb = nbformat.read(FIXTURE_NB, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell('raise RuntimeError("boom")'))
    nbformat.write(nb, str(failing))
    summary = _batch(data, tmp_path / "out", city_notebook=failing, only=["Pune"])
    assert summary.results[0].status == "failed" and not summary.results[0].stale
    assert "boom" in _page(tmp_path / "out", "Pune").read_text(encoding="utf-8")


# ------------------------------------------------------------------------------- lock
def test_second_batch_on_the_same_folder_is_refused(tmp_path):
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom dmaf_analysis.batch._lock import output_lock\n"
                               "with output_lock(sys.argv[1]):\n    print('held', flush=True)\n    time.sleep(60)\n",
         str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(BatchLockedError, match=rf"process {holder.pid}\) is writing to this folder"):
            run_jobs([], output_dir=out, progress=False)
    finally:
        holder.kill()
        holder.wait(TIMEOUT)
    with output_lock(out):  # free again once the holder is gone, even killed
        with output_lock(out):  # re-entrant within one process
            assert (out / LOCK_NAME).exists()
    assert not (out / LOCK_NAME).exists()


# ------------------------------------------------------------------------ broken pipe
class _ClosedPipe:
    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self):
        raise BrokenPipeError(32, "Broken pipe")

    def isatty(self):
        return False


def test_closed_output_does_not_stop_the_batch(tmp_path, monkeypatch):
    data = _scores(tmp_path / "scores.csv")
    monkeypatch.setattr(sys, "stderr", _ClosedPipe())
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    summary = _batch(data, tmp_path / "out", progress=True)
    monkeypatch.undo()
    assert _status(summary) == {"Surat": "rendered", "Pune": "rendered"}


# --------------------------------------------------------------------- kernel folders
def _kernel_dirs() -> list[Path]:
    return list(Path(tempfile.gettempdir()).glob(f"dmaf-k-{os.getpid()}-*"))


def test_kernel_folders_are_removed_after_an_interrupted_run(tmp_path, monkeypatch):
    from dmaf_analysis.batch import _pool

    monkeypatch.setattr(_pool, "MANIFEST_SAVE_SECONDS", 1e9)  # no save before the interruption
    data = _scores(tmp_path / "scores.csv")

    def interrupt(result):
        raise KeyboardInterrupt

    from dmaf_analysis.batch import city_job
    from dmaf_analysis.batch._planning import _inputs

    inputs = _inputs(data, None)
    jobs = [city_job(c, 2, inputs=inputs, output_dir=tmp_path / "out", slug=c.lower(), notebook=FIXTURE_NB)
            for c in CITIES]
    with pytest.raises(KeyboardInterrupt, match="^$"):
        run_jobs(jobs, output_dir=tmp_path / "out", workers=1, progress=False, on_result=interrupt)
    deadline = time.monotonic() + 30
    while _kernel_dirs() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _kernel_dirs() == []
    # the manifest is written when the run is interrupted: the report finished before it is not rendered again
    entries = json.loads((tmp_path / "out" / "manifest.json").read_text())["entries"]
    assert list(entries) == [jobs[0].key] and entries[jobs[0].key]["status"] == "ok"


def test_kernel_folders_of_dead_drivers_are_swept(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait(TIMEOUT)
    stale = tmp_path / f"dmaf-k-{dead.pid}-abc"
    live = tmp_path / f"dmaf-k-{os.getppid()}-abc"
    other = tmp_path / "dmaf-k-notapid"
    for folder in (stale, live, other):
        folder.mkdir()
        (folder / "k.json").write_text("{}")
    assert kernels_module.sweep_stale_kernel_dirs(str(tmp_path)) == [str(stale)]
    assert not stale.exists() and live.exists() and other.exists()


@pytest.mark.parametrize("kind", ["overview", "trends"])
def test_a_national_report_refuses_a_bad_timeout_before_reading_data(kind, tmp_path):
    from dmaf_analysis.batch import render_national_report

    with pytest.raises(ArgumentError, match="timeout must be a whole number of seconds"):
        render_national_report(kind, scores_path=tmp_path / "absent.csv", output_dir=tmp_path, timeout=0)
    assert list(tmp_path.iterdir()) == []
