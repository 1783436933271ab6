"""PDF copies of the report pages, printed by headless Chromium.

One browser (Chromium driven through selenium and ChromeDriver) prints every page
of a run with the DevTools command ``Page.printToPDF``: A4, the page's print
stylesheet, backgrounds kept, and a running footer on every page with the
page's title, the framework's name, the toolkit's version, the generation date and
"Page X of Y" (wrapped onto a second line rather than cut; no file path). Links
to other local files (another report, a CSV beside the page) become plain text
in the PDF: a reader of the PDF does not have the printing machine's files, so
no ``file://`` link is written; links within the page and to the web are kept.
Starting the browser costs about a second; each page then takes a fraction of a
second, so a whole batch reuses :class:`PdfPrinter` once.

The engine is looked up on ``PATH`` (``chromium``, ``chromium-browser``,
``google-chrome``; ``chromedriver``) or taken from ``DMAF_CHROMIUM`` and
``DMAF_CHROMEDRIVER``. When something is missing, :func:`find_engine` raises
:class:`PdfEngineMissing` whose message says exactly what to install.
"""
from __future__ import annotations

import base64
import html
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .._util.fileio import atomic_path
from ..errors import DmafError, PdfEngineMissing, PdfError

__all__ = ["A4", "Engine", "INSTALL_HINT", "PageInfo", "PdfPrinter", "PdfRun", "find_engine", "footer_template",
           "pdf_is_complete", "pdf_path_for", "print_options", "write_pdfs"]

INSTALL_HINT = ("install Chromium and its driver (Debian/Ubuntu: `sudo apt-get install chromium chromium-driver`; "
                "or set DMAF_CHROMIUM and DMAF_CHROMEDRIVER to their paths) and the Python package selenium "
                "(`pip install selenium`, part of dmaf-analysis's dependencies)")
_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: A4 in inches, and the page margins (top, bottom, sides) in inches: room for the footer.
A4 = (210 / 25.4, 297 / 25.4)
MARGINS = (0.45, 0.6, 0.45)


@dataclass(frozen=True)
class Engine:
    chromium: str
    chromedriver: str


def find_engine() -> Engine:
    """The Chromium and ChromeDriver to print with, or :class:`PdfEngineMissing` naming what is missing."""
    missing = []
    chromium = os.environ.get("DMAF_CHROMIUM") or next(filter(None, map(shutil.which, _BROWSERS)), None)
    driver = os.environ.get("DMAF_CHROMEDRIVER") or shutil.which("chromedriver")
    if not chromium or not Path(chromium).exists():
        missing.append("Chromium")
    if not driver or not Path(driver).exists():
        missing.append("ChromeDriver")
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the Python package selenium")
    if missing:
        raise PdfEngineMissing(f"PDF output needs {' and '.join(missing)}: {INSTALL_HINT}. "
                               "The HTML pages were written; only the PDF copies are missing.")
    return Engine(str(chromium), str(driver))


@dataclass(frozen=True)
class PageInfo:
    """What the running footer of a PDF says (all text; escaped when placed)."""

    title: str = ""
    framework: str = ""
    version: str = ""
    generated: str = ""
    #: The index page relative to the PDF ("" when there is none): named on every page.
    index: str = ""


def footer_template(info: PageInfo) -> str:
    """Chromium footer: title, framework, version and date on the left, "Page X of Y" on the right.

    The left part wraps onto a second line when it is long (never cut off); no
    path is printed (``info.index`` is a link on the page, meaningless on paper).
    """
    framework = info.framework if info.framework and info.framework not in info.title else ""
    parts = [p for p in (info.title, framework, f"dmaf-analysis {info.version}" if info.version else "",
                         f"generated {info.generated}" if info.generated else "") if p]
    left = " \u00b7 ".join(html.escape(p) for p in parts)
    return ('<div style="font-family:DejaVu Sans,Arial,sans-serif;font-size:7.5pt;line-height:1.25;color:#444;'
            f'box-sizing:border-box;width:100%;padding:0 {MARGINS[2]}in 0.12in;display:flex;align-items:flex-end;'
            'justify-content:space-between;gap:12px">'
            f'<span style="flex:1 1 auto;min-width:0;overflow-wrap:anywhere">{left}</span>'
            '<span style="flex:none;white-space:nowrap">Page <span class="pageNumber"></span> of '
            '<span class="totalPages"></span></span></div>')


#: Run in the page before printing: links to local files lose their target (kept as text), so the PDF holds no
#: ``file://`` link; links within the page (``#section``) and to the web stay.
_UNLINK_LOCAL_FILES = """
const here = location.href.split('#')[0];
let n = 0;
for (const a of Array.from(document.querySelectorAll('a[href], area[href]'))) {
  let url;
  try { url = new URL(a.getAttribute('href'), document.baseURI); } catch (e) { continue; }
  if (url.protocol !== 'file:' || (url.href.split('#')[0] === here && url.hash)) continue;
  a.setAttribute('data-href', a.getAttribute('href'));
  a.removeAttribute('href');
  n += 1;
}
return n;
"""


def print_options(info: PageInfo) -> dict:
    """Arguments of ``Page.printToPDF``: A4 portrait, backgrounds, footer with page numbers."""
    top, bottom, side = MARGINS
    return {"paperWidth": A4[0], "paperHeight": A4[1], "marginTop": top, "marginBottom": bottom,
            "marginLeft": side, "marginRight": side, "printBackground": True, "preferCSSPageSize": False,
            "displayHeaderFooter": True, "headerTemplate": "<span></span>", "footerTemplate": footer_template(info),
            "generateDocumentOutline": True, "generateTaggedPDF": True}


@dataclass
class PdfPrinter:
    """One headless Chromium printing HTML files to PDF; use as a context manager.

    ``print(html_path, pdf_path, info)`` writes ``pdf_path`` atomically. The
    printer is safe to share between threads (pages are printed one at a time).
    """

    engine: Engine | None = None
    page_timeout: float = 60.0
    _driver: object = field(default=None, init=False, repr=False)
    _profile: str | None = field(default=None, init=False, repr=False)
    _watchdog: object = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __enter__(self) -> PdfPrinter:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        if self._driver is not None:
            return
        engine = self.engine or find_engine()
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self._profile = tempfile.mkdtemp(prefix="dmaf-pdf-")
        options = webdriver.ChromeOptions()
        options.binary_location = engine.chromium
        for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-extensions", "--allow-file-access-from-files", f"--user-data-dir={self._profile}",
                     "--window-size=1280,900"):
            options.add_argument(flag)
        try:
            self._watchdog = _start_watchdog()
            # ChromeDriver, and the Chromium it starts, join the watchdog's process group
            service = Service(executable_path=engine.chromedriver, popen_kw={"process_group": self._watchdog.pid})
            self._driver = webdriver.Chrome(service=service, options=options)
        except Exception as exc:  # noqa: BLE001 - any start-up failure means: no engine
            _stop_watchdog(self._watchdog)
            self._watchdog = None
            shutil.rmtree(self._profile, ignore_errors=True)
            raise PdfEngineMissing(f"could not start Chromium for PDF output ({type(exc).__name__}: "
                                   f"{str(exc).splitlines()[0] if str(exc) else ''}); {INSTALL_HINT}") from None
        self._driver.set_page_load_timeout(self.page_timeout)

    def close(self) -> None:
        driver, self._driver = self._driver, None
        if driver is not None:
            try:
                driver.quit()
            except Exception:  # noqa: BLE001 - the browser may already be gone
                pass
        watchdog, self._watchdog = self._watchdog, None
        _stop_watchdog(watchdog)  # and with it any browser process left behind
        if self._profile:
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile = None

    def pdf_bytes(self, html_path: str | Path, info: PageInfo = PageInfo()) -> bytes:
        """The PDF of one HTML file, as bytes."""
        self.start()
        path = Path(html_path).resolve()
        with self._lock:
            try:
                self._driver.get(path.as_uri())
                self._driver.execute_script("return document.fonts ? document.fonts.ready.then(() => 1) : 1")
                self._driver.execute_script(_UNLINK_LOCAL_FILES)
                result = self._driver.execute_cdp_cmd("Page.printToPDF", print_options(info))
            except Exception as exc:  # noqa: BLE001 - reported per page
                raise PdfError(f"{path.name}: printing to PDF failed ({type(exc).__name__}: "
                               f"{(str(exc).splitlines() or [''])[0]})") from None
        return base64.b64decode(result["data"])

    def print(self, html_path: str | Path, pdf_path: str | Path, info: PageInfo = PageInfo()) -> Path:
        """Print ``html_path`` to ``pdf_path`` (written atomically); returns ``pdf_path``."""
        data = self.pdf_bytes(html_path, info)
        with atomic_path(pdf_path) as tmp:
            tmp.write_bytes(data)
        return Path(pdf_path)


# The browser dies with its parent. A small watchdog process leads a process group that
# ChromeDriver and Chromium join; the kernel sends it SIGTERM when the thread that started
# it ends (Linux's parent-death signal), even on ``kill -9`` of the parent, and it then kills
# the whole group. It also checks that its parent is still the one that started it, in case
# the parent died before the signal was set.
_WATCHDOG = """
import ctypes, os, signal, sys
parent = int(sys.argv[1])
def end(*_):
    os.killpg(os.getpgid(0), signal.SIGKILL)
signal.signal(signal.SIGTERM, end)
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
except (OSError, AttributeError):
    pass
if os.getppid() != parent:
    end()
while True:
    signal.pause()
"""


def _start_watchdog():
    import subprocess
    import sys

    return subprocess.Popen([sys.executable, "-c", _WATCHDOG, str(os.getpid())], process_group=0,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            close_fds=True)


def _stop_watchdog(watchdog) -> None:
    """End the watchdog, which kills what is left of its process group (the browser's processes)."""
    if watchdog is None:
        return
    import signal
    import subprocess

    try:
        watchdog.send_signal(signal.SIGTERM)
        watchdog.wait(timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        try:
            os.killpg(watchdog.pid, signal.SIGKILL)
        except OSError:
            pass


def pdf_path_for(html_path: str | Path) -> Path:
    """``<name>.pdf`` beside ``<name>.html``."""
    return Path(html_path).with_suffix(".pdf")


@dataclass
class PdfRun:
    """What :func:`write_pdfs` did: PDFs written, skipped (up to date), failed, or why none could be made."""

    written: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    missing_engine: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.missing_engine is None and not self.failed

    def text(self) -> str:
        if self.missing_engine:
            return f"no PDF written: {self.missing_engine}"
        lines = [f"PDF: {len(self.written)} written, {len(self.skipped)} up to date, {len(self.failed)} failed "
                 f"in {self.seconds:.1f} s"]
        lines += [f"  FAILED {m}" for m in self.failed]
        return "\n".join(lines)


def pdf_is_complete(pdf_path: str | Path) -> bool:
    """True when ``pdf_path`` is a whole PDF: it starts with ``%PDF-`` and ends with ``%%EOF`` (a cut file does not)."""
    try:
        with open(pdf_path, "rb") as fh:
            head = fh.read(5)
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - 1024))
            tail = fh.read()
    except OSError:
        return False
    return head == b"%PDF-" and b"%%EOF" in tail


def _up_to_date(html_path: Path, pdf_path: Path) -> bool:
    """Without a record of digests: a complete PDF newer than its page."""
    try:
        newer = pdf_path.stat().st_mtime_ns >= html_path.stat().st_mtime_ns
    except OSError:
        return False
    return newer and pdf_is_complete(pdf_path)


def write_pdfs(pages, *, workers: int = 2, force: bool = False, engine: Engine | None = None,
               is_current=None) -> PdfRun:
    """Print each ``(html_path, info)`` of ``pages`` to ``<name>.pdf`` beside it.

    ``workers`` browsers print side by side (each reused for all its pages). A
    PDF is kept unless ``force`` when ``is_current(html_path, pdf_path)`` says it
    is up to date (the batch judges it by the digests in its manifest); without
    ``is_current``, when it is complete (:func:`pdf_is_complete`) and newer than
    its HTML. A PDF without ``%%EOF`` is always printed again. A page that fails
    is reported and the others are still printed; a missing engine is reported
    in :attr:`PdfRun.missing_engine` (with what to install) instead of raising.
    """
    import time
    from concurrent.futures import ThreadPoolExecutor

    started = time.perf_counter()
    run = PdfRun()
    todo = []
    for html_path, info in pages:
        html_path = Path(html_path)
        target = pdf_path_for(html_path)
        if not html_path.is_file():
            run.failed.append(f"{html_path.name}: no HTML page to print")
        elif not force and pdf_is_complete(target) and (is_current or _up_to_date)(html_path, target):
            run.skipped.append(target)
        else:
            todo.append((html_path, target, info))
    if not todo:
        run.seconds = time.perf_counter() - started
        return run
    try:
        engine = engine or find_engine()
    except PdfEngineMissing as exc:
        run.missing_engine = str(exc)
        return run
    n = max(1, min(int(workers), len(todo)))
    chunks = [todo[i::n] for i in range(n)]

    def work(chunk):
        done, bad = [], []
        try:
            with PdfPrinter(engine) as printer:
                for html_path, target, info in chunk:
                    try:
                        done.append(printer.print(html_path, target, info))
                    except DmafError as exc:
                        bad.append(str(exc))
        except PdfEngineMissing as exc:
            bad.append(str(exc))
        return done, bad

    with ThreadPoolExecutor(max_workers=n) as pool:
        for done, bad in pool.map(work, chunks):
            run.written += done
            run.failed += bad
    run.seconds = time.perf_counter() - started
    return run
