"""Print and phone: the national reports' PDFs fit and are filled, and no page scrolls sideways at 390 px.

The national overview and trends reports are rendered once for the module, on the
bundled data, with their PDFs (headless Chromium). Checked:

* the overview PDF has at most 12 A4 pages and the trends PDF at most 8, and no
  page but the last is more than half empty (its content ends above the middle
  of the text area);
* no PDF holds a ``file://`` link (a reader does not have the printing machine's files);
* at 1280 px no chart is drawn narrower than 560 px, and every chart has real
  alternative text; at 390 px (a phone) neither the national pages, nor the
  index, nor the compare page scroll sideways, and the compare page shows the
  city columns first.

Needs Debian's ``chromium`` and ``chromium-driver`` and ``selenium``: skipped without
them on a workstation, failed in CI (``CI=true``).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from dmaf_analysis._util.paths import bundled_scores_path
from dmaf_analysis.batch import OVERVIEW_NOTEBOOK, render_index, render_national_report, TRENDS_NOTEBOOK

from conftest import load_page, require_browser  # noqa: E402 - the shared headless Chromium
NO_ALT = "No description has been provided for this image"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    """The overview and trends reports of the bundled data, HTML and PDF, rendered once."""
    require_browser("print and phone checks")
    if not (bundled_scores_path().exists() and OVERVIEW_NOTEBOOK.exists() and TRENDS_NOTEBOOK.exists()):
        pytest.skip("needs the bundled data and the national notebooks")
    out = tmp_path_factory.mktemp("national")
    pages = {}
    for kind in ("overview", "trends"):
        summary = render_national_report(kind, output_dir=out, pdf=True)
        assert summary.exit_code == 0, summary.text()
        assert summary.pdf is not None and summary.pdf.ok, summary.pdf.text() if summary.pdf else "no PDF run"
        pages[kind] = summary.results[0].job.html_path
    return pages


def _open(driver, path: Path, width: int) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600})
    assert load_page(driver, Path(path).resolve().as_uri()) == "complete"


def _sideways(driver) -> int:
    """How many px the page is wider than the screen (0: no sideways scroll)."""
    return driver.execute_script(
        "return Math.max(0, document.documentElement.scrollWidth - window.innerWidth,"
        " document.body.scrollWidth - window.innerWidth);")


def _fill(pdf_path: Path) -> list[float]:
    """Per page, how far down the text area the content reaches (0 = empty, 1 = full), the footer left out."""
    import pdfplumber

    from dmaf_analysis.render import PageInfo, print_options

    options = print_options(PageInfo())
    top, bottom = options["marginTop"] * 72, options["marginBottom"] * 72
    fills = []
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            end = page.height - bottom
            objs = [o for o in page.chars + page.images + page.rects + page.lines + page.curves
                    if o["bottom"] < end - 1]
            fills.append(0.0 if not objs else (max(o["bottom"] for o in objs) - top) / (end - top))
    return fills


@pytest.mark.parametrize("kind, most", [("overview", 12), ("trends", 8)])
def test_national_pdf_fits_and_is_filled(national, kind, most):
    pdf = national[kind].with_suffix(".pdf")
    fills = _fill(pdf)
    assert 1 <= len(fills) <= most, f"{pdf.name}: {len(fills)} pages (at most {most})"
    half_empty = [i + 1 for i, f in enumerate(fills[:-1]) if f < 0.5]
    assert not half_empty, f"{pdf.name}: pages {half_empty} are more than half empty ({[round(f, 2) for f in fills]})"
    data = pdf.read_bytes()
    assert b"file:" not in data                    # no link to the printing machine's files
    assert str(pdf.parent).encode() not in data    # nor its folder in the footer


def test_national_pages_on_screen_and_phone(national, browser):
    for path in national.values():
        _open(browser, path, 1280)
        images = browser.execute_script(
            "return Array.from(document.images).map(i => [i.getBoundingClientRect().width, i.alt]);")
        assert images, path.name
        assert all(w >= 560 for w, _ in images), (path.name, [round(w) for w, _ in images])
        assert all(alt and alt != NO_ALT and alt.startswith("Chart") for _, alt in images), images
        _open(browser, path, 390)
        assert _sideways(browser) == 0, path.name


def test_index_and_compare_do_not_scroll_sideways_on_a_phone(browser, tmp_path):
    from dmaf_analysis.card import render_comparison
    from dmaf_analysis.scoring import load_dataset

    rows = [{"city": name, "state": state, "overall": 31.0 - i, "rank": i + 1, "level": "Not certified",
             "href": "cities/x/cycle-2.html", "status": "ok", "n_synthetic": 21, "n_indicators": 21}
            for i, (name, state) in enumerate([("Hubballi-Dharwad", "Karnataka"), ("Pimpri-Chinchwad", "Maharashtra"),
                                               ("Silvassa", "Dadra and Nagar Haveli and Daman and Diu")])]
    index = tmp_path / "index.html"
    index.write_text(render_index(rows, cycle=2, data_label="scores.csv", synthetic_share=1.0), encoding="utf-8")
    _open(browser, index, 390)
    assert _sideways(browser) == 0
    # each city is a block of labelled lines on a phone
    labels = browser.execute_script(
        "return Array.from(document.querySelectorAll('#cities tbody tr:first-child td'))"
        ".map(td => getComputedStyle(td, '::before').content);")
    assert '"State"' in labels and '"Rank"' in labels

    data = load_dataset()
    names = ["Hubballi-Dharwad", "Ludhiana", "Thoothukudi", "Visakhapatnam"]
    page = render_comparison(data, names=names, output_dir=tmp_path)
    _open(browser, page, 390)
    assert _sideways(browser) == 0
    head = browser.execute_script(
        "const t = document.querySelectorAll('table.dmaf-table')[1];"
        "return Array.from(t.tHead.rows[0].cells).map(c => c.textContent.trim());")
    assert head[:1 + len(names)] == ["Indicator", *names]   # the city columns first
    # the first city column is on screen without scrolling the table
    left = browser.execute_script(
        "const t = document.querySelectorAll('table.dmaf-table')[1];"
        "return t.tHead.rows[0].cells[1].getBoundingClientRect().right;")
    assert left <= 390
