"""A normal (wheel) install works outside the checkout.

The test builds the wheel from a copy of the sources, installs it without its
dependencies into a fresh virtual environment that reuses the test environment's
installed packages (a ``.pth`` file pointing at its site-packages, so nothing is
downloaded), and runs ``dmaf summary``, ``dmaf report`` and ``dmaf batch`` in an
empty folder: the bundled data and notebooks must come from the installed package
and the reports must land in ``./outputs`` of that folder.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO_ROOT

pytestmark = pytest.mark.slow

#: What a source distribution of the project needs to build the wheel.
_SOURCES = ("pyproject.toml", "README.md", "LICENSE", "dmaf_analysis", "data", "notebooks")
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "outputs")


def _run(cmd: list[str], *, cwd: Path, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in _SOURCES:
        origin = REPO_ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, src / name, ignore=_IGNORE)
        else:
            shutil.copy2(origin, src / name)
    dist = tmp_path_factory.mktemp("dist")
    cmd = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(dist), "."]
    try:  # the test extras bring a setuptools recent enough to build without an isolated environment
        from importlib.metadata import version
        if int(version("setuptools").split(".")[0]) >= 77:
            cmd.insert(4, "--no-build-isolation")
    except Exception:  # noqa: BLE001 - fall back to pip's isolated build
        pass
    _run(cmd, cwd=src)
    (built,) = dist.glob("dmaf_analysis-*.whl")
    return built


def test_wheel_holds_the_data_and_the_notebooks(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("data/scores.csv", "data/city_attributes.csv", "data/cities.csv", "data/recommendations.yaml",
                 "data/frameworks/dmaf-cycle-1.yaml", "data/frameworks/dmaf-cycle-2.yaml",
                 "notebooks/city_report.ipynb", "notebooks/national_overview.ipynb",
                 "notebooks/national_trends.ipynb", "render/templates/report.html.j2"):
        assert f"dmaf_analysis/{name}" in names
    assert not any(n.startswith(("data/", "notebooks/")) for n in names), "data must sit inside the package"
    modules = {p.relative_to(REPO_ROOT).as_posix() for p in (REPO_ROOT / "dmaf_analysis").rglob("*.py")}
    assert modules - names == set(), "a sub-package is missing from [tool.setuptools] packages"


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> dict:
    """A fresh venv with the wheel installed; returns its ``dmaf`` script and environment."""
    venv = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=venv)
    python = venv / "bin" / "python"
    purelib = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                        cwd=venv).stdout.strip())
    # the dependencies come from the test environment; its editable install of this checkout is
    # not activated (.pth files of a directory listed in a .pth file are not processed)
    reuse = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (purelib / "_dmaf_test_reuse.pth").write_text("\n".join(sorted(reuse)) + "\n")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", "--no-index",
          str(wheel)], cwd=venv)
    env = {k: v for k, v in os.environ.items()
           if k not in ("DMAF_DATA_DIR", "PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    # nbconvert's page templates are data files of the environment that installed nbconvert
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    return {"dmaf": str(venv / "bin" / "dmaf"), "python": str(python), "env": env, "purelib": purelib}


def test_installed_package_reads_its_own_data(installed, tmp_path):
    out = _run([installed["python"], "-c",
                "import dmaf_analysis, dmaf_analysis._util.paths as p; "
                "print(dmaf_analysis.__file__); print(p.data_dir()); print(p.notebooks_dir())"],
               cwd=tmp_path, env=installed["env"]).stdout.split("\n")
    purelib = str(installed["purelib"])
    assert all(line.startswith(purelib) for line in out[:3]), out
    assert not any(str(REPO_ROOT) in line for line in out[:3])


def test_summary_report_and_batch_from_any_folder(installed, tmp_path):
    work = tmp_path / "somewhere else"
    work.mkdir()
    dmaf, env = installed["dmaf"], installed["env"]

    summary = _run([dmaf, "summary"], cwd=work, env=env).stdout
    assert "(Cycle 2, systemic pillar): 100 cities" in summary

    report = _run([dmaf, "report", "--city", "Ludhiana"], cwd=work, env=env).stdout
    assert "Ludhiana, cycle 2: rendered" in report
    page = work / "outputs" / "cities" / "ludhiana" / "cycle-2.html"
    assert page.is_file() and "Ludhiana" in page.read_text(encoding="utf-8")

    # the batch on a few cities of the bundled panel keeps the test short; the data,
    # notebooks and templates are still those of the installed package
    panel = pd.read_csv(REPO_ROOT / "data" / "scores.csv")
    few = panel[panel["city"].isin(["Ludhiana", "Surat", "Pune", "Kohima"])]
    few.to_csv(work / "few.csv", index=False)
    batch = subprocess.run([dmaf, "batch", "--data", "few.csv", "--no-progress", "--workers", "1"],
                           cwd=work, env=env, capture_output=True, text=True, timeout=600)
    assert batch.returncode == 0, batch.stdout + batch.stderr
    assert "0 failed" in batch.stdout
    outputs = work / "outputs"
    assert (outputs / "index.html").is_file()
    assert (outputs / "cities" / "surat" / "cycle-2.html").is_file()
    assert any((outputs / "national").rglob("*.html"))
    assert not (installed["purelib"] / "dmaf_analysis" / "notebooks" / "outputs").exists()


def test_an_editable_install_builds_without_a_warning(tmp_path):
    """``pip install -e .`` is quiet: the package data sit inside the package (symbolic links), no mapping."""
    src = tmp_path / "src"
    src.mkdir()
    for name in _SOURCES:
        origin = REPO_ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, src / name, ignore=_IGNORE, symlinks=True)
        else:
            shutil.copy2(origin, src / name)
    code = "import sys\nfrom setuptools import build_meta\nprint(build_meta.build_editable(sys.argv[1]))"
    result = _run([sys.executable, "-W", "always", "-c", code, str(tmp_path / "dist")], cwd=src)
    assert "warning" not in (result.stdout + result.stderr).lower(), result.stderr
