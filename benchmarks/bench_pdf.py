"""Benchmark: PDF copies of a whole batch, against printing page by page with a fresh browser.

The naive way prints each page with its own headless Chromium process
(``chromium --headless --print-to-pdf=<name>.pdf <page>``): a browser start per
page. ``dmaf batch --pdf`` prints every page through DevTools' ``Page.printToPDF``
on one browser per worker, reused for all its pages.

Measured, each in a fresh process so that start-up costs count:

1. ``dmaf batch --force`` (100 cards, the national reports, the index): wall time;
2. ``dmaf batch --force --pdf`` the same, plus a PDF of every page: wall time,
   and the time of its PDF phase (as the batch reports it);
3. the naive way on ``--naive`` of the pages just rendered (per-page median),
   against the PDF phase per page of run 2.

Goals: run 1 within 60 s on a 2-core machine, and ``--pdf`` adding at most as
much again (run 2 within twice run 1). Runs 1 and 2 are repeated ``--repeat``
times and their medians reported.

Usage::

    .venv/bin/python benchmarks/bench_pdf.py [--repeat 1] [--naive 5] [--workers 2]

This is a script, not a test: timings depend on the machine and on its load.
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 60.0
_PDF_LINE = re.compile(r"PDF: (\d+) written, (\d+) up to date, (\d+) failed in ([0-9.]+) s")


def _dmaf() -> str:
    return str(Path(sys.executable).with_name("dmaf"))


def _batch(out: Path, workers: int, pdf: bool) -> tuple[float, str]:
    cmd = [_dmaf(), "batch", "--force", "--no-progress", "--output-dir", str(out), "--workers", str(workers)]
    if pdf:
        cmd.append("--pdf")
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"dmaf batch failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return wall, proc.stdout + proc.stderr


def _naive(pages: list[Path], out: Path, chromium: str) -> list[float]:
    times = []
    out.mkdir(parents=True, exist_ok=True)
    for page in pages:
        target = out / (page.parent.name + "-" + page.with_suffix(".pdf").name)
        profile = tempfile.mkdtemp(prefix="dmaf-naive-pdf-")
        cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               f"--user-data-dir={profile}", "--no-pdf-header-footer", f"--print-to-pdf={target}", page.as_uri()]
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        shutil.rmtree(profile, ignore_errors=True)
        if not target.exists():
            sys.exit(f"naive print of {page} wrote nothing")
        print(f"  naive {page.parent.name + '/' + page.name:<40} {times[-1]:5.2f} s", flush=True)
    return times


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=1, help="runs of each full batch (default 1; medians reported)")
    ap.add_argument("--naive", type=int, default=5, help="pages printed the naive way (default 5)")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    from dmaf_analysis.errors import PdfEngineMissing
    from dmaf_analysis.render import find_engine

    try:
        engine = find_engine()
    except PdfEngineMissing as exc:
        print(f"skipped: {exc}")
        return 0
    print(f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}; "
          f"load average before: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="dmaf-bench-pdf-") as tmp:
        tmp = Path(tmp)
        html_walls, pdf_walls, pdf_phase, n_pages = [], [], [], 0
        for i in range(max(1, args.repeat)):
            wall, _ = _batch(tmp / f"html-{i}", args.workers, pdf=False)
            html_walls.append(wall)
            print(f"dmaf batch --force:       {wall:6.1f} s", flush=True)
            wall, text = _batch(tmp / f"pdf-{i}", args.workers, pdf=True)
            match = _PDF_LINE.search(text)
            if not match or int(match.group(3)):
                sys.exit(f"the PDF phase did not report success:\n{text[-2000:]}")
            n_pages = int(match.group(1))
            pdf_walls.append(wall)
            pdf_phase.append(float(match.group(4)))
            print(f"dmaf batch --force --pdf: {wall:6.1f} s ({n_pages} PDFs in {pdf_phase[-1]:.1f} s)", flush=True)
        pages = sorted((tmp / "pdf-0" / "cities").glob("*/cycle-*.html"))[: max(1, args.naive)]
        print(f"naive: one headless Chromium per page, {len(pages)} pages:")
        naive = _naive(pages, tmp / "naive", engine.chromium)
        html_wall, pdf_wall, phase = (statistics.median(x) for x in (html_walls, pdf_walls, pdf_phase))
        naive_median = statistics.median(naive)
        per_page = phase / max(1, n_pages)
        rows = [("dmaf batch --force (100 cards + national + index)", html_wall, ""),
                ("dmaf batch --force --pdf", pdf_wall, f"{pdf_wall / html_wall:.2f}x of the HTML run"),
                ("  of which the PDF phase", phase, f"{n_pages} PDFs"),
                ("naive PDF, median per page (fresh Chromium)", naive_median, "1x"),
                ("batch PDF, per page (one browser per worker)", per_page, f"{naive_median / per_page:.1f}x faster")]
        print(f"\n{'measure':<52} {'seconds':>8}  note")
        for label, secs, note in rows:
            print(f"{label:<52} {secs:8.2f}  {note}")
        ok = html_wall <= GOAL_SECONDS and pdf_wall <= 2 * html_wall
        print(f"\ngoal: HTML run <= {GOAL_SECONDS:.0f} s and --pdf at most doubling it: {html_wall:.1f} s, "
              f"{pdf_wall:.1f} s -> {'met' if ok else 'NOT met'}")
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
