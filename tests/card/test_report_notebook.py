"""The city report notebook: its structure, and one real execution with papermill."""
from __future__ import annotations

import ast
import json

import pandas as pd
import pytest
from conftest import REPO_ROOT
from test_report import hand_attributes, hand_rows

from dmaf_analysis import card

NOTEBOOK = REPO_ROOT / "notebooks" / "city_report.ipynb"
PARAMETERS = {"city": "Ludhiana", "cycle": 0, "scores_path": "", "attributes_path": "", "cities_path": "",
              "output_dir": ""}


def _cells():
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]


def test_notebook_is_committed_without_outputs():
    for cell in _cells():
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


def test_parameters_cell_holds_exactly_the_plain_values_the_batch_engine_injects():
    tagged = [c for c in _cells() if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    tree = ast.parse("".join(tagged[0]["source"]))
    values = {}
    for node in tree.body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1
        values[node.targets[0].id] = ast.literal_eval(node.value)
    assert values == PARAMETERS


def test_notebook_holds_no_function_or_class_definitions_and_hides_code():
    for cell in _cells():
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse("".join(cell["source"]))
        assert not any(isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda, ast.For, ast.While, ast.If))
                       for n in ast.walk(tree))
        assert "remove_input" in cell["metadata"]["tags"]


def _texts(notebook) -> str:
    parts = []
    for cell in notebook["cells"]:
        for out in cell.get("outputs", []):
            if out["output_type"] == "stream":
                parts.append("".join(out["text"]))
            for kind in ("text/html", "text/plain"):
                value = out.get("data", {}).get(kind)
                if value:
                    parts.append("".join(value) if isinstance(value, list) else value)
    return "\n".join(parts)


def test_notebook_renders_a_report_card_with_papermill(tmp_path):
    papermill = pytest.importorskip("papermill")
    scores = tmp_path / "scores.csv"
    attributes = tmp_path / "attributes.csv"
    pd.DataFrame(hand_rows()).to_csv(scores, index=False)
    pd.DataFrame(hand_attributes()).to_csv(attributes, index=False)
    out = tmp_path / "ludhiana.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK), str(out), cwd=str(tmp_path), progress_bar=False, log_output=False,
        parameters={"city": "ludhiana", "cycle": 0, "scores_path": str(scores),
                    "attributes_path": str(attributes), "output_dir": str(tmp_path)})
    executed = json.loads(out.read_text(encoding="utf-8"))
    assert not [o for c in executed["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
    text = _texts(executed)
    first = next(o for c in executed["cells"] for o in c.get("outputs", []))
    assert "".join(first["data"]["text/html"]).startswith(
        "<h1>Ludhiana, Punjab: DMAF 2.0 (Cycle 2, systemic pillar) report card</h1>")
    # Ludhiana has values on record: ranges, never its synthetic values
    assert ">11 to 63<" in text and ">Not certified or Enabled<" in text  # overall and level tiles
    assert "None of the 6 indicator values shown is synthetic" in text
    assert "6 come from the city&#x27;s report card" in text
    assert text.count("not on record (0–") >= 15
    assert "needs 19 more overall points to reach Enabled" in text
    assert "State: Punjab" in text and "Selection round: Round 1" in text  # peers
    assert "No change is stated" in text                       # change since cycle 1
    assert 'href="#about-values"' in text and 'id="about-values"' in text
    # six ranked cities: the section intros give their number, not a "top 10"
    assert "<p>Each component of the framework is scored out of 100. The bars set the city beside the median of " \
           "all cities in the cycle and the mean of all 6 ranked cities.</p>" in text
    assert "would move it one place up the ranking, the other cities&#x27; scores unchanged.</p>" in text
    assert "top 10" not in text
    # the two charts are inline SVG drawn from the numbers (no raster image), each described for screen readers
    assert not [o for c in executed["cells"] for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert text.count('<svg class="dmaf-chart"') == 2 and text.count('role="img" aria-label="') == 2
    assert "Component scores of Ludhiana out of 100. Policy: " in text
    assert "Ludhiana scores 60, marked by a line." in text
    assert "Traceback" not in text and "Warning" not in text
    # page 1 and the sections after it are one output each (every cell and output costs the batch engine),
    # and every section of the card is there, under its heading
    assert [len(c.get("outputs", [])) for c in executed["cells"] if c["cell_type"] == "code"][-2:] == [1, 1]
    assert sum(len(c.get("outputs", [])) for c in executed["cells"]) == 2
    for title, _note in card.CARD_SECTIONS.values():
        assert f">{title}</h2>" in text
