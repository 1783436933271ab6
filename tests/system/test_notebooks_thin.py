"""Every notebook of notebooks/: thin, committed without outputs, one parameters cell of plain values."""
from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

#: Each notebook's parameters, in the order of its parameters cell.
PARAMETERS = {
    "city_report.ipynb": ["city", "cycle", "scores_path", "attributes_path", "cities_path", "output_dir"],
    "explore.ipynb": ["cycle", "data", "cities_path", "city", "scenarios_path"],
    "national_overview.ipynb": ["cycle", "scores_path", "attributes_path", "cities_path", "output_dir"],
    "national_trends.ipynb": ["cycle_from", "cycle_to", "scores_path", "attributes_path", "cities_path",
                              "output_dir"],
}


def test_every_notebook_is_listed():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(PARAMETERS)


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_notebook_is_thin_and_committed_without_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert not any("def " in c.source or "lambda" in c.source or "class " in c.source for c in code)
    names = [line.split("=")[0].strip() for line in params[0].source.splitlines() if "=" in line]
    assert names == PARAMETERS[name]
    for node in ast.parse(params[0].source).body:  # papermill's parameters: plain values only
        assert isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant), ast.unparse(node)
