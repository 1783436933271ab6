"""National reports on data whose scores are all missing: they render and say there is nothing to show."""
from __future__ import annotations

import pandas as pd
import pytest

from dmaf_analysis import national
from dmaf_analysis._util.paths import bundled_scores_path
from dmaf_analysis.scoring import load_dataset


@pytest.fixture(scope="module")
def all_missing(tmp_path_factory):
    scores = pd.read_csv(bundled_scores_path())
    scores["score"] = None
    path = tmp_path_factory.mktemp("data") / "all_missing.csv"
    scores.to_csv(path, index=False)
    return path


def test_tables_and_findings_on_all_missing_scores(all_missing):
    ds = load_dataset(all_missing)
    tables = national.national_tables(ds, cycle=2, n_samples=16, n_draws=20, n_boot=20)
    assert tables["distributions"].empty  # no measure has a value: no mean, median or spread to state
    findings = national.overview_findings(tables, labels=national.component_labels(ds.frameworks[2]))
    assert all("nan" not in f.lower() for f in findings)
    notice = national.data_notice(ds, [2])
    assert any("no city has an overall score" in n and "nothing to rank" in n for n in notice)
    full = load_dataset()
    assert not any("no city has an overall score" in n for n in national.data_notice(full, [2]))


@pytest.mark.slow
def test_the_national_overview_renders_on_all_missing_scores(all_missing, tmp_path):
    from dmaf_analysis.batch import render_national_report

    summary = render_national_report("overview", scores_path=all_missing, output_dir=tmp_path)
    result = summary.results[0]
    assert result.status != "failed", result.error
    page = result.job.html_path.read_text(encoding="utf-8")
    assert "no city has an overall score" in page
