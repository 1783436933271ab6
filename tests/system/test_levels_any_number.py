"""Every report works with any number of certification levels: 1, 2 (the defaults) and 4.

The bundled data folder is copied with its frameworks' ``levels`` replaced, and
``DMAF_DATA_DIR`` points every command at the copy.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from conftest import FOUR_LEVELS, ONE_LEVEL, TWO_LEVELS

from dmaf_analysis import card
from dmaf_analysis import national
from dmaf_analysis.card import _html as report_html
from dmaf_analysis.cli import main
from dmaf_analysis.scoring import load_dataset

DATA = Path(__file__).resolve().parents[2] / "data"
LEVEL_SETS = {1: ONE_LEVEL, 2: TWO_LEVELS, 4: FOUR_LEVELS}


def data_folder(tmp: Path, levels: list[dict]) -> Path:
    folder = tmp / "data"
    shutil.copytree(DATA, folder)
    # the bundled sensitivity specs stay: they name the thresholds, which one level does not
    # have, and a group with nothing to vary is left out with a note
    for path in (folder / "frameworks").glob("*.yaml"):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        if "levels" not in raw:  # not a framework file (e.g. a sensitivity spec)
            continue
        raw["levels"] = [dict(lv) for lv in levels]
        path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return folder


@pytest.fixture(params=sorted(LEVEL_SETS), ids=lambda n: f"{n}-levels")
def levels_env(request, tmp_path, monkeypatch):
    folder = data_folder(tmp_path, LEVEL_SETS[request.param])
    monkeypatch.setenv("DMAF_DATA_DIR", str(folder))
    return request.param, folder


def test_summary_lists_the_levels_and_the_whole_top_10(levels_env, capsys):
    n, folder = levels_env
    assert main(["summary", str(folder / "scores.csv")]) == 0
    out = capsys.readouterr().out
    names = [lv["name"] for lv in LEVEL_SETS[n]]
    top = out.split("Top 10")[1]
    assert any(name in top for name in names)
    assert top.count("10=") == 3
    certified = {1: 0, 2: 42, 4: 42}[n]
    assert f"{certified} certified" in out


def test_card_sections_work_with_any_number_of_levels(levels_env):
    n, folder = levels_env
    data = load_dataset(folder / "scores.csv", folder / "city_attributes.csv")
    fw = data.frameworks[2]
    assert len(fw.levels) == n
    for city in ("Surat", "Ludhiana", "Kohima", "Ajmer"):
        head = card.report_headline(data, city=city)
        assert head.level_low in fw.levels["level"].tolist() and head.level_high in fw.levels["level"].tolist()
        if head.shows_range:  # Ludhiana: values on record and some unknown, so its level is the range they allow
            assert head.level is None and set(head.levels_allowed) <= set(fw.levels["level"])
            assert head.level_tile[0] in card.summary_html(head)
        else:
            assert head.level in fw.levels["level"].tolist()
            assert head.level in report_html.headline_html(head)
        path = card.path_to_next_level(data, city=city)
        html = report_html.path_html(path)
        assert path.statement in html.replace("&#x27;", "'")
        if path.at_top_level:  # the highest level: a move up the ranking instead
            assert path.current_level == fw.levels["level"].iloc[-1]
            if head.shows_range:  # its rank is only a range on record: no move up the ranking is planned
                assert path.rank_move is None
            else:
                assert path.rank_move is not None
                assert path.rank_move.target_rank is None or path.rank_move.reached
        else:
            assert path.target_level == fw.next_level(path.current_level)[0]
            assert path.resulting_overall >= path.target_min_score - 1e-9
    # with one level every city is at the top; with four, Surat (94) is at "Level 4"
    assert card.path_to_next_level(data, city="Ludhiana").at_top_level == (n == 1)
    assert card.report_headline(data, city="Surat").level == LEVEL_SETS[n][-1]["name"]


def test_national_tables_list_every_level(levels_env):
    n, folder = levels_env
    data = load_dataset(folder / "scores.csv", folder / "city_attributes.csv")
    tables = national.national_tables(data, n_draws=40, n_boot=40, n_samples=64)
    assert tables["level_counts"]["level"].tolist() == [lv["name"] for lv in LEVEL_SETS[n]]
    assert int(tables["level_counts"]["n"].sum()) == 100
    trend = national.trend_tables(data, n_boot=40)
    assert set(trend["transition_matrix"]["level_from"]) == {lv["name"] for lv in LEVEL_SETS[n]}


@pytest.mark.slow
@pytest.mark.parametrize("n", [1, 4])
def test_batch_cards_index_and_national_render_with_n_levels(n, tmp_path, monkeypatch):
    from dmaf_analysis.batch import render_batch

    folder = data_folder(tmp_path, LEVEL_SETS[n])
    monkeypatch.setenv("DMAF_DATA_DIR", str(folder))
    out = tmp_path / "out"
    summary = render_batch(scores_path=folder / "scores.csv", output_dir=out, workers=1, progress=False,
                           only=["Surat", "Ludhiana"])
    assert summary.exit_code == 0, summary.text()
    card = (out / "cities" / "surat" / f"cycle-{summary.cycle}.html").read_text(encoding="utf-8")
    assert LEVEL_SETS[n][-1]["name"] in card and "ranked first" in card
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Surat" in index and "Ludhiana" in index
    assert any((out / "national").glob("overview-cycle-*.html"))


def test_bundled_spec_with_one_level_leaves_the_thresholds_out_with_a_note():
    from conftest import frameworks_with_levels

    from dmaf_analysis.sensitivity import load_spec, sensitivity_analysis, spec_path

    data = load_dataset(DATA / "scores.csv", DATA / "city_attributes.csv")
    fws = frameworks_with_levels(ONE_LEVEL, data.frameworks)
    fw = fws[max(fws)]
    assert spec_path(fw).name == "dmaf-cycle-2.sensitivity.yaml" and spec_path(fw).is_file()
    spec = load_spec(fw)
    assert [a.kind for a in spec.assumptions] == ["weights", "aggregation", "maxima", "missing"]
    assert len(spec.notes) == 1 and "threshold" in spec.notes[0] and "left out" in spec.notes[0]
    res = sensitivity_analysis(data.scores, frameworks=fws, cities=data.cities, n_samples=64, city_outputs=False)
    # the bundled panel misses no value: the treatment of missing values is left out too, with its note
    assert data.scores["score"].notna().all()
    assert res.assumptions["assumption"].tolist() == ["weights", "aggregation", "maxima"]
    notes = res.settings.iloc[0]["notes"]
    assert "threshold" in notes and "no indicator value is missing" in notes
    # with the bundled frameworks nothing is left out
    assert load_spec(data.frameworks[max(fws)]).notes == ()
