"""Shared fixtures: small score tables built in the tests themselves."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import settings

from dmaf_analysis.cities import load_cities
from dmaf_analysis.framework import load_frameworks
from dmaf_analysis.io import validate_scores
from dmaf_analysis.scoring import Dataset, score_cities

# Property tests draw the same examples on every run: the suite stays deterministic.
settings.register_profile("deterministic", derandomize=True, print_blob=True)
settings.load_profile("deterministic")

# What the package caches (the explorer's chart library) goes to a folder of the test run, not ~/.cache;
# kernels and commands the tests start inherit it.
os.environ.setdefault("DMAF_CACHE_DIR", tempfile.mkdtemp(prefix="dmaf-test-cache-"))

REPO_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO_ROOT.parent / "shared" / "seeds"


def own_data_folder(tmp_path_factory, name: str, *, files: dict[str, str]) -> tuple[Path, pytest.MonkeyPatch]:
    """A data folder holding ``files`` (file name -> text), made the data folder (``DMAF_DATA_DIR``) until the
    returned monkeypatch is undone."""
    folder = tmp_path_factory.mktemp(name)
    for file_name, text in files.items():
        (folder / file_name).write_text(text, encoding="utf-8")
    mp = pytest.MonkeyPatch()
    mp.setenv("DMAF_DATA_DIR", str(folder))
    return folder, mp


def dataset_of(rows: list[dict], *, frameworks: dict, cities_file, attributes: pd.DataFrame) -> Dataset:
    """A data set of hand-made score rows: validated and scored with ``frameworks`` and the cities table."""
    cities = load_cities(cities_file)
    scores = validate_scores(pd.DataFrame(rows), frameworks=frameworks, cities=cities)
    return Dataset(scores=scores, scored=score_cities(scores, frameworks=frameworks, cities=cities),
                   attributes=attributes, frameworks=frameworks, cities=cities)


def full_city_rows(cycle: int, city: str, fraction: float, *, source: str = "synthetic") -> list[dict]:
    """Rows giving ``city`` ``fraction`` of every indicator's maximum (rounded to 5)."""
    fw = load_frameworks()[cycle]
    rows = []
    for ind, max_score in fw.max_scores.items():
        rows.append({"cycle": cycle, "city": city, "indicator": ind,
                     "score": float(5 * round(max_score * fraction / 5)), "source": source})
    return rows


@pytest.fixture
def small_scores() -> pd.DataFrame:
    """Cycle-2 rows for four complete cities (validated types)."""
    rows = []
    for city, fraction in [("Surat", 0.9), ("Pune", 0.5), ("Kohima", 0.5), ("Ludhiana", 0.2)]:
        rows += full_city_rows(2, city, fraction)
    from dmaf_analysis.io import validate_scores
    return validate_scores(pd.DataFrame(rows))


@pytest.fixture
def write_csv(tmp_path):
    """Write text to a CSV file in tmp_path and return its path."""
    def _write(text: str, name: str = "scores.csv", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path
    return _write


#: Level sets for tests of "any number of levels": the defaults have two levels on
#: record; users may define one (nobody certified) or add levels above Enabled.
ONE_LEVEL = [{"name": "Assessed", "min_score": 0, "certified": False}]
TWO_LEVELS = [{"name": "Not certified", "min_score": 0, "certified": False},
              {"name": "Enabled", "min_score": 30}]
FOUR_LEVELS = [{"name": "Not certified", "min_score": 0, "certified": False},
               {"name": "Enabled", "min_score": 30}, {"name": "Level 3", "min_score": 60},
               {"name": "Level 4", "min_score": 80}]


def frameworks_with_levels(levels: list[dict], frameworks=None) -> dict:
    """The bundled frameworks (or ``frameworks``) with other levels in every cycle."""
    frameworks = load_frameworks() if frameworks is None else frameworks
    return {c: fw.with_levels(levels) for c, fw in frameworks.items()}


# ------------------------------------------------------------------ headless Chromium, for the page checks
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def require_browser(what: str = "browser check") -> None:
    """Skip (or, in CI, fail) when Chromium, its driver or selenium is missing, naming what to install."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package")
    if missing:
        reason = (f"{what} needs {', '.join(missing)} "
                  "(apt-get install chromium chromium-driver; pip install selenium)")
        if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
            pytest.fail(reason + " - required in CI")
        pytest.skip(reason)


def load_page(driver, url: str, *, timeout: float = 30) -> str:
    """Open ``url`` and wait (at most ``timeout`` seconds) until the page has loaded; its final readyState.

    ``driver.get`` can return while a large page is still "interactive" (decoding its
    images) on a busy machine; the checks then read a page that is not finished.
    """
    import time

    driver.get(url)
    deadline = time.monotonic() + timeout
    state = driver.execute_script("return document.readyState")
    while state != "complete" and time.monotonic() < deadline:
        time.sleep(0.05)
        state = driver.execute_script("return document.readyState")
    return state


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium (selenium) at 1280 x 900 with its console log kept; one per test module."""
    require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="dmaf-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1280,900"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
