"""Shared fixtures: small score tables built in the tests themselves."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import settings

from dmaf_analysis.framework import load_frameworks

# Property tests draw the same examples on every run: the suite stays deterministic.
settings.register_profile("deterministic", derandomize=True, print_blob=True)
settings.load_profile("deterministic")

REPO_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO_ROOT.parent / "shared" / "seeds"


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
