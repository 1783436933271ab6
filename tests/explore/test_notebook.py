"""notebooks/explore.ipynb runs under papermill (thinness: tests/system/test_notebooks_thin.py)."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "explore.ipynb"


@pytest.mark.slow
def test_notebook_runs_under_papermill(tmp_path, small_scores):
    papermill = pytest.importorskip("papermill")
    from dmaf_analysis.io import write_table

    data = write_table(small_scores, tmp_path / "scores.csv")
    spec = tmp_path / "scenarios.yaml"
    spec.write_text("scenarios:\n  - name: geometric\n    aggregation: geometric\n")
    out = tmp_path / "explore.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), kernel_name="python3", cwd=str(tmp_path),
                               progress_bar=False,
                               parameters={"cycle": 0, "data": str(data), "city": "pune",
                                           "scenarios_path": str(spec)})
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert not any(o.get("output_type") == "error" or o.get("name") == "stderr" for o in outputs)
    charts = [o for o in outputs if any(k.startswith("application/vnd.vegalite.v5") for k in o.get("data", {}))]
    assert len(charts) == 2
    text = "\n".join(str(v) for o in outputs for k, v in o.get("data", {}).items() if k.startswith("text/"))
    assert "Synthetic data." in text and "Surat" in text
    assert '"value": "Pune"' in str(charts[0]["data"]) or "'value': 'Pune'" in str(charts[0]["data"])
    assert "geometric" in text and "n_level_changed" in text
