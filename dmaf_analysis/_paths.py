"""Where the bundled data live.

The package is installed in editable mode from a checkout, so the bundled data sit
in ``data/`` beside the package. ``DMAF_DATA_DIR`` points elsewhere if needed.
"""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """Return the folder holding the bundled data (``data/``)."""
    override = os.environ.get("DMAF_DATA_DIR")
    return Path(override) if override else PROJECT_ROOT / "data"


def frameworks_dir() -> Path:
    return data_dir() / "frameworks"


def bundled_scores_path() -> Path:
    """The bundled two-cycle score panel (long table)."""
    return data_dir() / "scores.csv"


def bundled_city_attributes_path() -> Path:
    """The bundled city attributes (engagement score per cycle)."""
    return data_dir() / "city_attributes.csv"


def cities_path() -> Path:
    return data_dir() / "cities.csv"
