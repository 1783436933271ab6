"""environment.yml and pyproject.toml must list the same packages."""
import re
import tomllib

import yaml
from conftest import REPO_ROOT

# conda-forge spells a few names differently from PyPI
CONDA_TO_PYPI = {"jupyter_client": "jupyter-client"}


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ \[]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_matches_pyproject():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    pip_side = {_name(d) for d in project["dependencies"]}
    pip_side |= {_name(d) for d in project["optional-dependencies"]["test"]}
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    conda_side = {_name(CONDA_TO_PYPI.get(d, d)) for d in env["dependencies"] if isinstance(d, str)}
    conda_side -= {"python", "pip"}
    assert conda_side == pip_side


def test_python_floor_is_311():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11"
