"""Where the bundled data and the report notebooks live.

Both are package data: the repository keeps them in ``data/`` and ``notebooks/`` at
its top level, and ``pyproject.toml`` installs them as the sub-packages
``dmaf_analysis.data`` and ``dmaf_analysis.notebooks``. They are found through
:mod:`importlib.resources`, so the same code works from an editable install of a
checkout and from a normal (wheel) install. ``DMAF_DATA_DIR`` points the data
elsewhere (a folder laid out like ``data/``).
"""
from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from ..errors import ConfigurationError, DmafError

__all__ = ["DATA_PACKAGE", "NOTEBOOKS_PACKAGE", "bundled_city_attributes_path", "bundled_scores_path", "cache_dir",
           "cities_path", "data_dir", "default_output_root", "frameworks_dir", "notebooks_dir", "package_folder"]

DATA_PACKAGE = "dmaf_analysis.data"
NOTEBOOKS_PACKAGE = "dmaf_analysis.notebooks"


def package_folder(package: str) -> Path:
    """The folder of an installed sub-package holding package data, as a real path."""
    try:
        folder = resources.files(package)
    except ModuleNotFoundError:
        raise ConfigurationError(f"the package data {package!r} are not installed; reinstall dmaf-analysis "
                        "(pip install .)") from None
    path = Path(str(folder))
    if not isinstance(folder, Path) or not path.is_dir():
        raise ConfigurationError(f"the package data {package!r} are not a folder on disk ({folder}); "
                        "install dmaf-analysis unzipped (pip install .)")
    return path


def data_dir() -> Path:
    """The folder holding the bundled data, or ``DMAF_DATA_DIR`` when set."""
    override = os.environ.get("DMAF_DATA_DIR")
    return Path(override) if override else package_folder(DATA_PACKAGE)


def notebooks_dir() -> Path:
    """The folder holding the report notebooks (``city_report.ipynb``, ...)."""
    return package_folder(NOTEBOOKS_PACKAGE)


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


def cache_dir() -> Path:
    """Where the package keeps what it can compute again (the explorer's chart library, for instance).

    ``$DMAF_CACHE_DIR`` when set, else ``$XDG_CACHE_HOME/dmaf-analysis``, else
    ``~/.cache/dmaf-analysis``. The folder may not exist, and may not be writable:
    whatever uses it computes the thing again then.
    """
    override = os.environ.get("DMAF_CACHE_DIR", "").strip()
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "dmaf-analysis"


def default_output_root() -> Path:
    """Where reports go unless told otherwise: the folder ``dmaf batch`` writes to by default.

    ``$DMAF_OUTPUT_DIR`` when set; else ``outputs/`` of the project checkout when the
    working folder is inside it (so a notebook run from ``notebooks/`` writes where
    the batch does); else ``outputs/`` in the working folder.
    """
    override = os.environ.get("DMAF_OUTPUT_DIR")
    if override:
        return Path(override)
    try:
        # an editable install of a checkout: its notebooks/ sit beside pyproject.toml
        root = notebooks_dir().resolve().parent
        cwd = Path.cwd().resolve()
    except (OSError, DmafError):
        return Path("outputs")
    if (root / "pyproject.toml").is_file() and (cwd == root or root in cwd.parents):
        return root / "outputs"
    return Path("outputs")
