"""PDF engine (dmaf_analysis.pdf): what happens without Chromium, footers, up-to-date checks.

Printing real pages is checked in tests/system/test_browser.py (it needs Chromium).
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from dmaf_analysis import render
from dmaf_analysis.errors import PdfEngineMissing
from dmaf_analysis._util.paths import bundled_scores_path
from dmaf_analysis.batch import CITY_NOTEBOOK


@pytest.fixture
def no_engine(monkeypatch, tmp_path):
    monkeypatch.setenv("DMAF_CHROMIUM", str(tmp_path / "no-chromium"))
    monkeypatch.setenv("DMAF_CHROMEDRIVER", str(tmp_path / "no-chromedriver"))


def test_missing_engine_says_exactly_what_to_install(no_engine):
    with pytest.raises(PdfEngineMissing, match="Chromium and ChromeDriver") as err:
        render.find_engine()
    message = str(err.value)
    assert "Chromium and ChromeDriver" in message
    assert "apt-get install chromium chromium-driver" in message and "DMAF_CHROMIUM" in message
    assert "HTML pages were written" in message


def test_write_pdfs_without_engine_reports_instead_of_raising(no_engine, tmp_path):
    page = tmp_path / "a.html"
    page.write_text("<p>x</p>", encoding="utf-8")
    run = render.write_pdfs([(page, render.PageInfo())])
    assert not run.ok and "apt-get install chromium chromium-driver" in run.missing_engine
    assert run.text().startswith("no PDF written:")
    assert not page.with_suffix(".pdf").exists()


def test_up_to_date_pdfs_are_kept_and_missing_pages_reported(no_engine, tmp_path):
    page = tmp_path / "a.html"
    page.write_text("<p>x</p>", encoding="utf-8")
    target = page.with_suffix(".pdf")
    target.write_bytes(b"%PDF-1.4 old\n%%EOF\n")
    os.utime(page, (1_000_000, 1_000_000))
    run = render.write_pdfs([(page, render.PageInfo()), (tmp_path / "gone.html", render.PageInfo())])
    assert run.skipped == [target] and run.written == []
    assert run.failed == ["gone.html: no HTML page to print"]
    assert run.missing_engine is None  # nothing needed printing: the engine was never looked for
    forced = render.write_pdfs([(page, render.PageInfo())], force=True)
    assert forced.missing_engine  # force re-prints, and then the engine is needed


def test_a_cut_pdf_is_printed_again_however_new(no_engine, tmp_path):
    page = tmp_path / "a.html"
    page.write_text("<p>x</p>", encoding="utf-8")
    target = page.with_suffix(".pdf")
    target.write_bytes(b"%PDF-1.4 half a file")  # no %%EOF: cut short
    os.utime(page, (1_000_000, 1_000_000))
    assert not render.write_pdfs([(page, render.PageInfo())]).skipped
    target.write_bytes(b"%PDF-1.4 whole\n%%EOF\n")
    assert render.write_pdfs([(page, render.PageInfo())]).skipped == [target]
    said_stale = render.write_pdfs([(page, render.PageInfo())], is_current=lambda html, pdf: False)
    assert not said_stale.skipped and said_stale.missing_engine  # the caller's digest rule decides


def test_footer_escapes_and_numbers_pages():
    footer = render.footer_template(render.PageInfo(title="<b>A & B</b>", framework="DMAF 2.0", version="0.1.0",
                                                    generated="2026-01-02"))
    assert "<b>A" not in footer and "&lt;b&gt;A &amp; B&lt;/b&gt;" in footer
    assert 'class="pageNumber"' in footer and 'class="totalPages"' in footer
    assert "dmaf-analysis 0.1.0" in footer and "generated 2026-01-02" in footer
    assert "all reports" not in footer and "ellipsis" not in footer   # a long footer wraps, never cut off
    linked = render.footer_template(render.PageInfo(title="T", index="../<i>ndex.html"))
    assert "ndex.html" not in linked and "../" not in linked          # no path on paper
    options = render.print_options(render.PageInfo())
    assert abs(options["paperWidth"] * 25.4 - 210) < 0.01 and abs(options["paperHeight"] * 25.4 - 297) < 0.01
    assert options["displayHeaderFooter"] and options["printBackground"]


@pytest.mark.slow
def test_report_pdf_without_engine_still_writes_the_html(no_engine, tmp_path, capsys):
    from dmaf_analysis import cli

    if not (CITY_NOTEBOOK.exists() and bundled_scores_path().exists()):
        pytest.skip("needs the city report notebook and the bundled data")
    code = cli.main(["report", "--city", "Ludhiana", "--output-dir", str(tmp_path), "--pdf"])
    err = capsys.readouterr().err
    assert code == 1
    assert "apt-get install chromium chromium-driver" in err
    page = Path(tmp_path) / "cities" / "ludhiana" / "cycle-2.html"
    assert page.is_file() and not page.with_suffix(".pdf").exists()


def _live_in_group(pgid: int) -> list[int]:
    """Processes of the group that are alive (zombies waiting to be reaped do not count)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                alive.append(int(entry.name))
    return alive


@pytest.mark.slow
def test_the_browser_dies_with_its_parent_even_on_kill_9(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    try:
        render.find_engine()
    except PdfEngineMissing:
        pytest.skip("needs Chromium and ChromeDriver")
    code = ("import sys, time\nfrom dmaf_analysis.render import PdfPrinter\np = PdfPrinter()\np.start()\n"
            "print(p._watchdog.pid, flush=True)\ntime.sleep(120)\n")
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        pgid = int(child.stdout.readline())
        assert len(_live_in_group(pgid)) >= 3  # the watchdog, ChromeDriver and Chromium
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        deadline = time.monotonic() + 20
        while _live_in_group(pgid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _live_in_group(pgid) == []
    finally:
        child.kill()
