"""What the batch leaves out to stay cheap, and that it is safe to leave out."""
import subprocess
import sys

import nbformat

from dmaf_analysis.batch import make_exporter


def _notebook():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A title"), nbformat.v4.new_code_cell("1 + 1")]
    nb.cells[1].outputs = [nbformat.v4.new_output("execute_result", data={"text/html": "<b>2</b>"},
                                                  execution_count=1)]
    return nb


def test_the_report_exporter_does_not_validate_after_each_preprocessor(monkeypatch):
    calls = []
    real = nbformat.validate
    fast, slow = _notebook(), _notebook()
    monkeypatch.setattr(nbformat, "validate", lambda *a, **k: calls.append(1) or real(*a, **k))
    html, _ = make_exporter().from_notebook_node(fast)
    assert "<b>2</b>" in html and calls == []
    make_exporter(fast=False).from_notebook_node(slow)
    assert calls  # nbconvert's own exporter does: what the report exporter saves


def test_the_command_line_keeps_jsonschema_from_building_the_uri_grammar(tmp_path):
    code = ("import sys\nfrom dmaf_analysis.cli import main\nrc = main(['validate'])\n"
            "import nbformat, jsonschema\nnbformat.validate(nbformat.v4.new_notebook())\n"
            "print(rc, sys.modules.get('rfc3987_syntax', 'absent'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-2:] == ["0", "None"]


def test_the_same_inputs_give_the_same_page(tmp_path):
    from dmaf_analysis.batch import INJECTED_CELL_ID, render_city_report

    pages = []
    for run in ("first", "second"):
        summary = render_city_report("Kohima", output_dir=tmp_path / run, timeout=120)
        (result,) = summary.results
        assert result.status == "rendered", result.error
        pages.append(result.job.html_path.read_text(encoding="utf-8"))
        nb = nbformat.read(result.job.ipynb_path, as_version=4)
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert [c.id for c in injected] == [INJECTED_CELL_ID]
    assert pages[0] == pages[1]
