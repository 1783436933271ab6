"""Tests of dmaf_analysis.national (orchestration), the national charts and the two notebooks."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from dmaf_analysis import national, stats
from dmaf_analysis.national import _charts as plots
from dmaf_analysis.national import _tables as national_tables
from dmaf_analysis.cities import load_cities
from dmaf_analysis.errors import DmafError
from dmaf_analysis.framework import load_frameworks
from dmaf_analysis.scoring import load_dataset, resolve_cycle, resolve_cycle_pair

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"


def make_panel(n_cities: int = 24, seed: int = 7, source: str = "synthetic") -> pd.DataFrame:
    """A small two-cycle long score table: the first city only in cycle 2, the last only in cycle 1."""
    rng = np.random.default_rng(seed)
    cities = load_cities()["city"].tolist()[:n_cities]
    ability = dict(zip(cities, rng.uniform(0.05, 0.9, n_cities)))
    rows = []
    for cycle, fw in load_frameworks().items():
        members = cities[1:] if cycle == 1 else cities[:-1]
        for city in members:
            level = ability[city] + (0.1 if cycle == 2 else 0.0)
            for ind in fw.indicators.itertuples():
                u = rng.uniform()
                if u > level + 0.2:
                    score = 0.0
                elif u < level - 0.3:
                    score = float(ind.max_score)
                else:
                    score = float(np.round(rng.uniform(0.2, 0.8) * ind.max_score))
                rows.append({"cycle": cycle, "city": city, "indicator": ind.indicator, "score": score,
                             "source": source})
    return pd.DataFrame(rows)


def make_attributes(scores: pd.DataFrame, seed: int = 3) -> pd.DataFrame:
    keys = scores[["cycle", "city"]].drop_duplicates()
    return keys.assign(engagement_score=np.random.default_rng(seed).integers(0, 101, len(keys)).astype(float))


@pytest.fixture(scope="module")
def panel_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("panel")
    scores = make_panel()
    scores.to_csv(folder / "scores.csv", index=False)
    make_attributes(scores).to_csv(folder / "attributes.csv", index=False)
    return folder / "scores.csv", folder / "attributes.csv"


@pytest.fixture(scope="module")
def dataset(panel_files):
    return load_dataset(panel_files[0], panel_files[1])


@pytest.fixture(scope="module")
def tables(dataset):
    return national.national_tables(dataset, n_draws=500, n_boot=300, n_samples=64)


@pytest.fixture(scope="module")
def trend(dataset):
    return national.trend_tables(dataset, n_boot=300)


# ----------------------------------------------------------------------------- cycles
def test_resolve_cycle():
    assert resolve_cycle([1, 2], 0) == 2
    assert resolve_cycle([1, 2], 1) == 1
    with pytest.raises(DmafError, match="cycle 5 is not in the data; cycles present: 1, 2"):
        resolve_cycle([1, 2], 5)
    with pytest.raises(DmafError, match="whole number"):
        resolve_cycle([1, 2], "latest")


def test_resolve_cycle_pair():
    assert resolve_cycle_pair([1, 2, 3]) == (2, 3)
    assert resolve_cycle_pair([1, 2, 3], 1, 0) == (1, 3)
    assert resolve_cycle_pair([1, 2, 3], 3, 1) == (3, 1)
    with pytest.raises(DmafError, match="two cycles"):
        resolve_cycle_pair([2])
    with pytest.raises(DmafError, match="different"):
        resolve_cycle_pair([1, 2], 2, 2)
    # --to alone must come after the default --from (the second-latest cycle), not silently run backwards
    with pytest.raises(DmafError, match=r"^--to 2 \(cycle_to\) is not later than the default --from \(cycle_from\): "
                                        r"cycle 2, the second-latest of the data's cycles 1, 2, 3; give an earlier "
                                        r"cycle to --from as well, such as --from 1 --to 2$"):
        resolve_cycle_pair([1, 2, 3], 0, 2)
    with pytest.raises(DmafError, match=r"cycle 2, the second-latest .* no cycle of the data comes before 1, so give "
                                        r"a later cycle to --to, or leave --to out \(the latest, 3\)$"):
        resolve_cycle_pair([1, 2, 3], 0, 1)
    assert resolve_cycle_pair([1, 2, 3], 0, 3) == (2, 3)
    assert resolve_cycle_pair([1, 2, 3], 1, 2) == (1, 2)


# ----------------------------------------------------------------------------- tables
def test_national_tables_cover_the_latest_cycle(dataset, tables):
    expected = ["provenance", "distributions", "indicator_distribution", "leaderboard", "level_counts",
                "correlations", "cronbach_alpha", "pca_variance", "pca_loadings", "effective_weights",
                "group_medians_state", "group_medians_region", "group_medians_selection_round",
                "kruskal_wallis", "engagement", "engagement_association", "robustness_cities",
                "robustness_levels", "robustness_settings", "uncertainty_cities", "uncertainty_levels",
                "uncertainty_runs", "sensitivity_indices", "sensitivity_assumptions", "sensitivity_settings",
                "sensitivity_cities", "leave_one_out", "leave_one_out_cities"]
    assert list(tables) == expected
    for name, table in tables.items():
        if "cycle" in table.columns:
            assert set(table["cycle"]) == {2}, name
    assert len(tables["leaderboard"]) == 23
    assert tables["distributions"].set_index("measure").loc["overall", "n"] == 23
    overall = dataset.scored.query("cycle == 2")["overall"]
    assert tables["distributions"].set_index("measure").loc["overall", "mean"] == pytest.approx(overall.mean())
    assert set(tables["kruskal_wallis"]["grouping"]) == set(stats.GROUPINGS)
    assert tables["provenance"].iloc[0]["synthetic_share"] == 1.0
    assert tables["robustness_settings"].iloc[0]["n_draws"] == 500
    assert tables["sensitivity_settings"].iloc[0]["n_runs"] == 64 * (len(tables["sensitivity_assumptions"]) + 2)
    assert set(tables["uncertainty_cities"]["city"]) == set(tables["leaderboard"]["city"])
    assert len(tables["engagement"]) == 23


def test_trend_tables(trend):
    assert list(trend) == ["provenance", "component_map", "paired_scores", "change_summary", "city_changes",
                           "most_changed", "transition_matrix", "rank_mobility", "unpaired_cities"]
    assert len(trend["city_changes"]) == 22
    assert trend["unpaired_cities"]["present_in"].tolist() == [1, 2]
    assert trend["transition_matrix"]["n"].sum() == 22
    assert trend["change_summary"]["measure"].tolist()[-1] == "overall"


def test_run_national_writes_csv_and_parquet(dataset, tmp_path):
    out = national.run_national(dataset, cycle=1, output_dir=tmp_path, n_draws=200, n_boot=200, n_samples=32)
    folder = tmp_path / "cycle-1"
    for name, table in out.items():
        csv, parquet = folder / f"{name}.csv", folder / f"{name}.parquet"
        assert csv.exists() and parquet.exists(), name
        back = pd.read_parquet(parquet)
        assert back.shape == table.shape
        assert list(back.columns) == list(table.columns)
    board = pd.read_csv(folder / "leaderboard.csv")
    assert board["city"].tolist() == out["leaderboard"]["city"].tolist()
    # the same tables as the sheets of one workbook, in order
    book = pd.read_excel(folder / "overview-cycle-1.xlsx", sheet_name=None)
    assert list(book) == ["About"] + [name.replace("_", " ").capitalize()[:31] for name in out]
    assert book["Leaderboard"]["City"].tolist() == out["leaderboard"]["city"].tolist()
    np.testing.assert_allclose(book["Leaderboard"]["Overall score"], out["leaderboard"]["overall"])
    assert set(book["Leaderboard"]["Values from"]) <= {"synthetic", "report card", "no values"}
    assert not list(tmp_path.rglob("*.tmp"))


def test_run_trends_writes_into_its_folder(dataset, tmp_path):
    national.run_trends(dataset, output_dir=tmp_path, n_boot=100)
    files = sorted(p.name for p in (tmp_path / "cycle-1-to-2").iterdir())
    assert "change_summary.csv" in files and "transition_matrix.parquet" in files
    assert "trends-cycle-1-to-2.xlsx" in files
    assert len(files) == 19


def test_write_tables_makes_safe_names(tmp_path):
    paths = national.write_tables({"../evil name": pd.DataFrame({"a": ["=1+1"]})}, tmp_path, folder="x/../y")
    assert all(p.resolve().is_relative_to(tmp_path.resolve()) for p in paths)
    csv = [p for p in paths if p.suffix == ".csv"][0]
    assert csv.read_text().splitlines()[1] == "'=1+1"  # spreadsheet-safe


def test_national_output_dir_is_where_the_batch_writes(tmp_path, monkeypatch):
    monkeypatch.delenv("DMAF_OUTPUT_DIR", raising=False)
    monkeypatch.chdir(NOTEBOOKS)                     # as JupyterLab runs a notebook
    assert national.national_output_dir("") == ROOT.resolve() / "outputs" / "national"
    monkeypatch.chdir(tmp_path)                      # outside the checkout: ./outputs
    assert national.national_output_dir("") == Path("outputs") / "national"
    monkeypatch.setenv("DMAF_OUTPUT_DIR", str(tmp_path / "elsewhere"))
    assert national.national_output_dir("") == tmp_path / "elsewhere" / "national"
    assert national.national_output_dir("given") == Path("given")
    for name in ("national_overview", "national_trends"):
        nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
        params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        assert 'output_dir = ""' in params.source
        assert "national.national_output_dir(output_dir)" in "".join(c.source for c in nb.cells)


def test_notice_says_when_data_are_synthetic(dataset, tmp_path):
    notes = national.data_notice(dataset, [2])
    assert any("SYNTHETIC" in n for n in notes)
    assert "Synthetic data" in national.data_notice_html(dataset, [2])
    real = make_panel(n_cities=6, source="report_card")
    real.to_csv(tmp_path / "real.csv", index=False)
    real_ds = load_dataset(tmp_path / "real.csv")
    notes = national.data_notice(real_ds, [2])
    assert not any("SYNTHETIC" in n for n in notes)
    assert any("thresholds are illustrative" in n for n in notes)
    assert any("equal component weights are assumed" in n for n in notes)
    assert any("illustrative placeholder" in n for n in national.data_notice(real_ds, [1]))
    table = national.provenance_table(real_ds, [2])
    assert table[["weights_illustrative", "thresholds_illustrative", "scores_file"]].iloc[0].tolist() == [
        True, True, "real.csv"]  # a file name, never a local folder


def test_notice_html_is_escaped(dataset, monkeypatch):
    monkeypatch.setattr(national_tables, "data_notice", lambda ds, cycles: ["<script>alert(1)</script> SYNTHETIC"])
    text = national.data_notice_html(dataset, [2])
    assert "<script>" not in text and "&lt;script&gt;" in text


# ------------------------------------------------------------------------------ plots
def test_every_plot_returns_its_axes(dataset, tables, trend):
    plots.use_light_style()
    fws = dataset.frameworks
    calls = [
        lambda ax: plots.component_distribution_plot(dataset.scored, cycle=2, frameworks=fws, ax=ax),
        lambda ax: plots.component_distribution_plot(dataset.scored, cycle=2, kind="box", frameworks=fws, ax=ax),
        lambda ax: plots.overall_ecdf_plot(dataset.scored, cycle=2, frameworks=fws, ax=ax),
        lambda ax: plots.floor_ceiling_plot(tables["indicator_distribution"], ax=ax),
        lambda ax: plots.group_heatmap(tables["group_medians_region"], ax=ax),
        lambda ax: plots.level_counts_plot(tables["level_counts"], ax=ax),
        lambda ax: plots.correlation_heatmap(tables["correlations"], ax=ax),
        lambda ax: plots.effective_weights_plot(tables["effective_weights"], ax=ax),
        lambda ax: plots.rank_interval_plot(tables["robustness_cities"], ax=ax),
        lambda ax: plots.certification_probability_plot(tables["robustness_cities"], frameworks=fws, ax=ax),
        lambda ax: plots.engagement_plot(tables["engagement"], ax=ax),
        lambda ax: plots.slope_plot(trend["city_changes"], ax=ax),
        lambda ax: plots.change_distribution_plot(trend["paired_scores"], trend["change_summary"], ax=ax),
        lambda ax: plots.transition_heatmap(trend["transition_matrix"], ax=ax),
        lambda ax: plots.rank_mobility_plot(trend["city_changes"], ax=ax),
        lambda ax: plots.most_changed_plot(trend["most_changed"], ax=ax),
    ]
    for call in calls:
        fig, ax = plt.subplots()
        assert call(ax) is ax
        plt.close(fig)
    ax = plots.level_counts_plot(tables["level_counts"])  # ax=None makes a figure
    assert [int(p.get_height()) for p in ax.patches] == tables["level_counts"]["n"].tolist()
    plt.close("all")


def test_plots_of_empty_tables_say_so(tables, trend):
    for call in (lambda: plots.engagement_plot(tables["engagement"].iloc[0:0]),
                 lambda: plots.rank_interval_plot(tables["robustness_cities"].iloc[0:0]),
                 lambda: plots.slope_plot(trend["city_changes"].iloc[0:0]),
                 lambda: plots.group_heatmap(tables["group_medians_state"].iloc[0:0])):
        ax = call()
        assert any("No" in t.get_text() for t in ax.texts)
    plt.close("all")


# -------------------------------------------------------------------------- notebooks
def _execute(name: str, tmp_path: Path, panel_files, **parameters) -> nbformat.NotebookNode:
    papermill = pytest.importorskip("papermill")
    out_nb = tmp_path / name
    papermill.execute_notebook(
        str(NOTEBOOKS / name), str(out_nb), kernel_name="python3", cwd=str(tmp_path), progress_bar=False,
        parameters={"scores_path": str(panel_files[0]), "attributes_path": str(panel_files[1]),
                    "output_dir": str(tmp_path / "out"), **parameters})
    return nbformat.read(out_nb, as_version=4)


def _text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts.extend(str(v) for k, v in out.get("data", {}).items() if k.startswith("text/"))
    return "\n".join(parts)


@pytest.mark.slow
def test_overview_notebook_runs_with_papermill(tmp_path, panel_files):
    nb = _execute("national_overview.ipynb", tmp_path, panel_files, cycle=0)
    text = _text(nb)
    assert "Synthetic data" in text
    assert (tmp_path / "out" / "cycle-2" / "robustness_cities.parquet").exists()
    assert (tmp_path / "out" / "cycle-2" / "distributions.csv").exists()
    assert (tmp_path / "out" / "cycle-2" / "sensitivity_indices.csv").exists()
    # the Sensitivity section: the assumptions, the chart and the leave-one-out table
    assert "Inputs varied" in text and "Mean places moved" in text  # headings in words, not column names
    ids = {c.get("id"): c for c in nb.cells}
    assert any("image/svg+xml" in o.get("data", {}) for o in ids["sensitivity-chart"].get("outputs", []))
    assert not any(o.get("name") == "stderr" for c in nb.cells for o in c.get("outputs", []))


@pytest.mark.slow
def test_trends_notebook_runs_with_papermill(tmp_path, panel_files):
    nb = _execute("national_trends.ipynb", tmp_path, panel_files, cycle_from=0, cycle_to=0)
    assert "Synthetic data" in _text(nb)
    assert (tmp_path / "out" / "cycle-1-to-2" / "change_summary.parquet").exists()
    assert (tmp_path / "out" / "cycle-1-to-2" / "unpaired_cities.csv").exists()


def test_heatmaps_name_the_components(dataset, tables):
    from dmaf_analysis import national

    labels = national.component_labels(dataset.frameworks[2])
    ax = plots.group_heatmap(tables["group_medians_state"], labels=labels)
    shown = [t.get_text() for t in ax.get_xticklabels()]
    assert shown == [labels[m] for m in dict.fromkeys(tables["group_medians_state"]["measure"])]
    assert "policy" not in shown and "overall" not in shown and "Overall" in shown
    ax = plots.correlation_heatmap(tables["correlations"], labels=labels)
    assert {t.get_text() for t in ax.get_yticklabels()} <= set(labels.values())
    plt.close("all")


def test_a_national_report_alone_links_to_the_index_only_when_it_exists(tmp_path, monkeypatch):
    from dmaf_analysis.batch import _planning as planning

    seen = []

    def fake_run(jobs, **kw):
        seen.append(jobs[0])
        return planning.BatchSummary(results=[], seconds=0.0, output_dir=tmp_path)

    monkeypatch.setattr(planning, "run_jobs", fake_run)
    planning.render_national_report("overview", output_dir=tmp_path)
    (tmp_path / "index.html").write_text("<html></html>")
    planning.render_national_report("trends", output_dir=tmp_path)
    assert "index_href" not in seen[0].meta
    assert seen[1].meta["index_href"] == "../index.html"


# ------------------------------------------------- a cities table without some groupings (issue: empty sections)
def _own_cities(folder: Path, columns: list[str]) -> Path:
    path = folder / f"cities_{'_'.join(columns)}.csv"
    load_cities()[columns].to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def tables_by_columns(panel_files, tmp_path_factory):
    """National tables of the panel with a cities table of only (city, state) and of only city."""
    folder = tmp_path_factory.mktemp("own_cities")
    out = {}
    for columns in (["city", "state"], ["city"]):
        ds = load_dataset(panel_files[0], panel_files[1], cities=_own_cities(folder, columns))
        out[tuple(columns)] = (ds, national.national_tables(ds, n_draws=50, n_boot=200, n_samples=16))
    return out


def test_groups_section_leaves_out_what_the_cities_table_does_not_give(tables, tables_by_columns):
    from dmaf_analysis import national

    # the bundled cities table gives every grouping: the intro describes them all, every table is shown
    assert national.missing_groupings(tables) == []
    intro = national.groups_intro_html(tables, n_boot=300)
    assert "(300 resamples, seeded)" in intro and "region grouping" in intro and "has no" not in intro
    bundled = load_cities()
    assert ("The regions of this cities table are inferred, not an official grouping."
            in national.groups_intro_html(tables, cities=bundled))
    # a table whose regions are the user's own (no provenance column saying "inferred"): no such sentence
    own_regions = bundled.drop(columns="region_provenance")
    assert "inferred" not in national.groups_intro_html(tables, cities=own_regions)
    assert "inferred" not in national.groups_intro_html(tables, cities=bundled.assign(region_provenance="official"))
    assert national.groups_table_html(tables, "groups_region", csv_folder="cycle-2") == national.overview_table(
        tables, "groups_region", csv_folder="cycle-2")
    # city and state only: the state parts stay, region and selection round become one sentence
    ds, own = tables_by_columns[("city", "state")]
    assert national.missing_groupings(own) == ["region", "selection_round"]
    intro = national.groups_intro_html(own)
    assert intro.count("<p>") == 2 and "region grouping" not in intro and "by state" in intro
    assert intro.endswith("<p>The cities table has no region or selection_round column (or leaves it empty), so "
                          "the cities are not grouped by region or selection round here.</p>")
    labels = national.component_labels(ds.frameworks[2])
    assert national.groups_table_html(own, "groups_region", labels=labels, csv_folder="cycle-2") == ""
    assert national.groups_table_html(own, "groups_selection_round", labels=labels) == ""
    kw = national.groups_table_html(own, "kruskal_wallis", labels=labels, csv_folder="cycle-2")
    assert kw.count("<td>State</td>") == len(own["kruskal_wallis"]) == len(labels)  # one row per score, states
    assert national.group_heatmap(own, "region", labels=labels) is None
    ax = national.group_heatmap(own, "state", labels=labels)
    n_states = own["group_medians_state"]["group"].nunique()
    assert len(ax.get_yticklabels()) == n_states == ds.scored.loc[ds.scored["cycle"] == 2, "state"].nunique()
    plt.close("all")
    # city only: no group at all, and the section is that one sentence
    _, bare = tables_by_columns[("city",)]
    assert national.missing_groupings(bare) == ["state", "region", "selection_round"]
    assert national.groups_intro_html(bare) == (
        "<p>The cities table has no state, region or selection_round column (or leaves it empty), so the cities "
        "are not grouped by state, region or selection round here.</p>")
    for name in ("groups_state", "groups_region", "groups_selection_round", "kruskal_wallis"):
        assert national.groups_table_html(bare, name, labels=labels) == "", name
    assert national.group_heatmap(bare, "state") is None and national.group_heatmap(bare, "region") is None
    assert plt.get_fignums() == []  # nothing drawn


def test_overview_contents_match_the_notebook_headings():
    from dmaf_analysis import national

    nb = nbformat.read(NOTEBOOKS / "national_overview.ipynb", as_version=4)
    headings = [line[3:].strip() for c in nb.cells if c.cell_type == "markdown"
                for line in c.source.splitlines() if line.startswith("## ")]
    assert headings == national.OVERVIEW_SECTIONS
    source = "".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "national.groups_intro_html(tables, cities=dataset.cities)" in source
    assert 'tables["group_medians_' not in source


def _outputs(cell) -> str:
    return "".join(str(v) for o in cell.get("outputs", []) for k, v in o.get("data", {}).items()
                   if k.startswith("text/html"))


def _images(cell) -> int:
    return sum("image/svg+xml" in o.get("data", {}) for o in cell.get("outputs", []))


@pytest.mark.slow
@pytest.mark.parametrize("columns", [["city", "state"], ["city"]])
def test_overview_notebook_with_a_small_cities_table(tmp_path, panel_files, columns):
    from dmaf_analysis import national

    cities = _own_cities(tmp_path, columns)
    nb = _execute("national_overview.ipynb", tmp_path, panel_files, cycle=0, cities_path=str(cities))
    assert not any(o.get("name") == "stderr" for c in nb.cells for o in c.get("outputs", []))
    ids = {c.get("id"): c for c in nb.cells}
    toc = _outputs(next(c for c in nb.cells if "national.toc_html" in c.source))
    for title in national.OVERVIEW_SECTIONS:  # every entry of the contents links to a heading of the page
        assert f'href="#{national.slug_id(title)}"' in toc
        assert any(c.cell_type == "markdown" and c.source.startswith(f"## {title}") for c in nb.cells), title
    intro = _outputs(ids["groups-intro"])
    # the region and selection-round parts are gone: no chart, no table, one sentence instead
    assert _images(ids["cell-15"]) == 0 and "<table" not in _outputs(ids["cell-18"]) + _outputs(ids["cell-19"])
    if columns == ["city", "state"]:
        assert "The cities table has no region or selection_round column" in intro and "by state" in intro
        assert _images(ids["cell-16"]) == 1                        # the state heatmap
        assert "<td>State</td>" in _outputs(ids["cell-17"]) and "<td>Region</td>" not in _outputs(ids["cell-17"])
    else:
        assert "The cities table has no state, region or selection_round column" in intro
        assert "Kruskal" not in intro and _images(ids["cell-16"]) == 0
        assert "<table" not in _outputs(ids["cell-17"])
    assert (tmp_path / "out" / "cycle-2" / "leaderboard.csv").exists()
