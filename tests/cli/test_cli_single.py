"""Tests of the one-job commands: whatif, compare (fast) and national, trends (slow: notebooks)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dmaf_analysis import card
from dmaf_analysis.cli import main
from dmaf_analysis.scoring import load_dataset, parse_assignments, what_if

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "frameworks"


def test_whatif_prints_components_overall_level_and_rank(capsys):
    # Ludhiana's cycle-2 card: Policy 0/100; raising 1.a and 1.b to their maxima adds 70 Policy points,
    # i.e. 70 * 0.2 = 14 overall points with the equal weights.
    data = load_dataset()
    before = data.scored[(data.scored["cycle"] == 2) & (data.scored["city"] == "Ludhiana")].iloc[0]
    assert main(["whatif", "--city", "ludhiana", "--set", "1.a=30", "--set", "1.b=40"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Ludhiana, cycle 2 (DMAF 2.0 (Cycle 2, systemic pillar)), if:")
    lines = {line.split()[0]: line.split()[1:] for line in out.splitlines()[3:]}
    assert lines["Policy"] == ["0", "70"]
    assert lines["Overall"] == [f"{before['overall']:g}", f"{before['overall'] + 14:g}"]
    table = what_if(data, city="Ludhiana", changes={"1.a": 30, "1.b": 40})
    new = table.iloc[1]
    others = data.scored[(data.scored["cycle"] == 2) & (data.scored["city"] != "Ludhiana")]["overall"]
    assert int(new["rank"]) == 1 + int((others > before["overall"] + 14).sum())
    assert f"{int(new['rank'])} of 100" in out and new["level"] in out


def test_whatif_says_when_the_city_values_are_partly_synthetic(capsys):
    # Ludhiana's cycle-2 card leaves 6 of 21 values unread (synthetic): the what-if overall is then one
    # point of a range. By hand (equal weights 0.2, each component out of 100): low = the values on
    # record with 1.a at 30 and the synthetic ones at 0; high = the synthetic ones at their maxima.
    data = load_dataset()
    fw = data.frameworks[2]
    mine = data.scores[(data.scores["cycle"] == 2) & (data.scores["city"] == "Ludhiana")]
    synthetic = mine["source"] == "synthetic"
    assert int(synthetic.sum()) == 6
    known = mine[~synthetic].set_index("indicator")["score"].astype(float)
    known["1.a"] = 30.0
    low = 0.2 * known.sum()
    high = low + 0.2 * fw.max_scores[mine.loc[synthetic, "indicator"]].sum()
    table = what_if(data, city="Ludhiana", changes={"1.a": 30})
    new = table.iloc[1]
    assert (int(new["n_unknown"]), int(new["n_synthetic"]), int(new["n_missing"])) == (6, 6, 0)
    assert new["overall_low"] == pytest.approx(low) and new["overall_high"] == pytest.approx(high)
    assert new["overall_low"] <= new["overall"] <= new["overall_high"]
    assert main(["whatif", "--city", "Ludhiana", "--set", "1.a=30"]) == 0
    out = capsys.readouterr().out
    assert "6 of Ludhiana's 21 indicator values are not on record (6 synthetic)" in out
    assert f"anywhere from {low:g} to {high:g} ({new['level_low']} or {new['level_high']})" in out
    # a value set by the what-if is known: one fewer unknown after the change
    table = what_if(data, city="Ludhiana", changes={"2.b": 0})
    assert int(table.iloc[1]["n_unknown"]) == 5 and int(table.iloc[0]["n_unknown"]) == 6


def test_whatif_reports_every_bad_value_at_once(capsys):
    assert main(["whatif", "--city", "Ludhiana", "--set", "1.q=3", "--set", "1.b=41", "--set", "2.a=-5"]) == 1
    err = capsys.readouterr().err
    assert "'1.q' is not an indicator" in err and "closest: 1.b" in err
    assert "1.b: 41 points is outside 0 to 40" in err and "2.a: -5 points is outside 0 to 20" in err
    assert "Traceback" not in err
    assert main(["whatif", "--city", "Ludhiana", "--set", "1.a"]) == 2  # a malformed flag: usage error
    assert "expected INDICATOR=POINTS" in capsys.readouterr().err
    assert main(["whatif", "--city", "Atlantis", "--set", "1.a=3"]) == 1
    assert "unknown city 'Atlantis'" in capsys.readouterr().err


def test_parse_assignments():
    assert parse_assignments(["1.c&d=30", " 2.a = 5.5 "]) == {"1.c&d": 30.0, "2.a": 5.5}
    with pytest.raises(Exception, match="more than once"):
        parse_assignments(["1.a=1", "1.a=2"])


def test_compare_writes_one_page(tmp_path, capsys):
    assert main(["compare", "Ludhiana", "surat", "Pune", "--output-dir", str(tmp_path)]) == 0
    path = card.comparison_path(tmp_path, ["Ludhiana", "Surat", "Pune"], 2)
    assert path.name.startswith("ludhiana-vs-surat-vs-pune-")
    assert str(path) in capsys.readouterr().out
    page = path.read_text(encoding="utf-8")
    assert "<title>DMAF 2.0 (Cycle 2, systemic pillar): Ludhiana, Surat and Pune compared</title>" in page
    assert "data:image/png;base64," in page and "synthetic" in page
    assert main(["compare", "Ludhiana", "--output-dir", str(tmp_path)]) == 2  # a usage error
    assert "two or more cities" in capsys.readouterr().err
    assert main(["compare", "Ludhiana", "Ludhiyana", "Nowhere", "--output-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "unknown city 'Ludhiyana'" in err and "unknown city 'Nowhere'" in err


def test_compare_escapes_names_from_the_data(tmp_path, monkeypatch):
    from dmaf_analysis import card

    base = FIXTURES / "trio"
    data_dir = tmp_path / "data"
    (data_dir / "frameworks").mkdir(parents=True)
    fw = (base / "frameworks" / "trio.yaml").read_text(encoding="utf-8")
    (data_dir / "frameworks" / "trio.yaml").write_text(fw.replace("Governance", "<script>x</script>"),
                                                       encoding="utf-8")
    cities = pd.read_csv(base / "cities.csv")
    cities.loc[0, "city"] = "Ald<b>moor"
    cities.to_csv(data_dir / "cities.csv", index=False)
    scores = pd.read_csv(base / "scores.csv").replace({"Aldmoor": "Ald<b>moor"})
    scores.to_csv(data_dir / "scores.csv", index=False)
    monkeypatch.setenv("DMAF_DATA_DIR", str(data_dir))
    data = load_dataset(data_dir / "scores.csv")
    page = card.comparison_html(data, names=["Ald<b>moor", "Dunmere"], figure=False)
    assert "<script>x" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "Ald<b>moor" not in page and "Ald&lt;b&gt;moor" in page


def test_compare_page_has_the_card_furniture_and_hatches_synthetic_parts(tmp_path):
    from dmaf_analysis import __version__
    from dmaf_analysis import card

    data = load_dataset()
    names = ["Ludhiana", "Surat"]
    page = card.comparison_html(data, names=names, figure=False,
                                meta={"framework": "F<1>", "version": __version__, "generated": "2026-01-02"})
    assert '<header class="dmaf-meta">' in page and "F&lt;1&gt;" in page and "Generated 2026-01-02" in page
    assert "All reports" not in page and "(synthetic)" in page and "dmaf-notice" in page
    # the synthetic part of each bar is the card's synthetic points (here a component is the sum of its points)
    summary = card.compare_summary(data, names=names)
    parts = card.synthetic_parts(summary, card.compare_indicators(data, names=names),
                                 components=data.frameworks[2].components)
    # (the card of Ludhiana shows no synthetic value; the compare page hatches the panel's: 3.b + 3.d, 4.a + 4.e)
    rows = data.scores[(data.scores["cycle"] == 2) & (data.scores["city"] == "Ludhiana")
                       & (data.scores["source"] == "synthetic")]
    comp_of = data.frameworks[2].indicators.set_index("indicator")["component"]
    expected = rows.groupby(rows["indicator"].map(comp_of))["score"].sum()
    comps = data.frameworks[2].component_ids
    assert parts.loc["Ludhiana", comps].to_numpy() == pytest.approx(expected.reindex(comps).fillna(0).to_numpy())
    assert expected["process"] == 35
    surat = summary.set_index("city").loc["Surat"]
    assert parts.loc["Surat", "overall"] == pytest.approx(surat["overall"])  # all of Surat's values are synthetic
    ax = card.plot_comparison(summary, components=data.frameworks[2].components, synthetic=parts)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Ludhiana", "Surat", "synthetic part"]
    assert {t.get_text() for t in ax.texts} >= {f"{v:.0f}" for v in summary["overall"]}
    import matplotlib.pyplot as plt

    plt.close(ax.figure)
    (tmp_path / "index.html").write_text("<html></html>")
    path = card.render_comparison(data, names=names, output_dir=tmp_path)
    assert 'href="../../index.html"' in path.read_text(encoding="utf-8")


def test_compare_takes_names_and_the_former_cities_keyword_with_a_deprecation_warning(tmp_path):
    import inspect
    import warnings

    from dmaf_analysis import card
    from dmaf_analysis.errors import ArgumentError

    data = load_dataset()
    for func in (card.resolve_cities, card.compare_summary, card.compare_indicators,
                 card.comparison_html, card.render_comparison, card.comparison_path):
        params = inspect.signature(func).parameters
        assert "names" in params and "cities" not in params, func.__name__
    expected = card.compare_summary(data, names=["surat", "Ludhiana"])
    assert expected["city"].tolist() == ["Surat", "Ludhiana"]
    with pytest.warns(DeprecationWarning, match=r"compare_summary\(cities=\.\.\.\) is deprecated .* names="):
        old = card.compare_summary(data, cities=["surat", "Ludhiana"])
    pd.testing.assert_frame_equal(old, expected)
    with pytest.warns(DeprecationWarning, match="resolve_cities"):
        assert card.resolve_cities(data, cities=["Pune", "Surat"], cycle=2) == (["Pune", "Surat"], 2)
    with pytest.warns(DeprecationWarning, match="compare_indicators"):
        assert card.compare_indicators(data, cities=["Pune", "Surat"])["city"].unique().tolist() == ["Pune",
                                                                                                      "Surat"]
    with pytest.warns(DeprecationWarning, match="comparison_path"):
        assert card.comparison_path(tmp_path, cities=["Pune", "Surat"], cycle=2) == \
            card.comparison_path(tmp_path, ["Pune", "Surat"], 2)
    with pytest.warns(DeprecationWarning, match="render_comparison"):
        assert card.render_comparison(data, cities=["Pune", "Surat"], output_dir=tmp_path).is_file()
    with pytest.raises(ArgumentError, match="give the city names as names= only"):
        card.compare_summary(data, names=["Pune", "Surat"], cities=["Pune", "Surat"])
    with warnings.catch_warnings():  # the new keyword warns about nothing
        warnings.simplefilter("error")
        card.comparison_html(data, names=["Pune", "Surat"], figure=False)


@pytest.mark.slow
def test_national_and_trends_commands_render_one_report_each(tmp_path, capsys):
    septet = FIXTURES / "septet"
    env = pytest.MonkeyPatch()
    env.setenv("DMAF_DATA_DIR", str(septet))
    try:
        assert main(["national", "--data", str(septet / "scores.csv"), "--cycle", "1",
                     "--output-dir", str(tmp_path)]) == 0
        assert main(["trends", "--data", str(septet / "scores.csv"), "--from", "1", "--to", "2",
                     "--output-dir", str(tmp_path)]) == 0
    finally:
        env.undo()
    national = tmp_path / "national"
    assert sorted(p.name for p in national.glob("*.html")) == ["overview-cycle-1.html", "trends-cycle-1-to-2.html"]
    assert (national / "cycle-1" / "overview-cycle-1.xlsx").is_file()
    assert (national / "cycle-1-to-2" / "trends-cycle-1-to-2.xlsx").is_file()
    assert not (tmp_path / "cities").exists()           # one report, nothing else
    page = (national / "overview-cycle-1.html").read_text(encoding="utf-8")
    assert "Septet Urban Data Index 2023" in page
    book = pd.read_excel(national / "cycle-1" / "overview-cycle-1.xlsx", sheet_name="Leaderboard")
    assert len(book) == 6


def test_trends_from_later_than_to_is_a_usage_error(tmp_path, capsys):
    assert main(["trends", "--from", "2", "--to", "1", "--output-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "--from 2 is later than --to 1" in err and "--from 1 --to 2" in err
    assert not any(tmp_path.iterdir())


# ------------------------------------------------------------------ exit codes and messages (issue 8)
def _fails(capsys, argv, code, pattern):
    """Run ``dmaf argv``; check the exit code and that stderr holds exactly one error matching ``pattern``."""
    import re

    assert main(argv) == code
    err = capsys.readouterr().err
    assert re.search(pattern, err), err
    assert err.count("error:") == 1 and "Traceback" not in err
    return err


def test_too_few_cities_and_one_cycle_twice_are_usage_errors(capsys, tmp_path):
    _fails(capsys, ["compare", "Surat", "--output-dir", str(tmp_path)], 2,
           r"^dmaf compare: error: give two or more cities to compare, got 1$")
    _fails(capsys, ["trends", "--from", "2", "--to", "2", "--output-dir", str(tmp_path)], 2,
           r"^dmaf trends: error: --from and --to \(cycle_from and cycle_to\) are both 2; give two different cycles$")
    _fails(capsys, ["trends", "--from", "2", "--output-dir", str(tmp_path)], 2,  # --to is the latest, 2
           r"^dmaf trends: error: --from 2 \(cycle_from\) is the latest of the data's cycles 1, 2, which --to "
           r"\(cycle_to\) takes by default; give an earlier cycle to --from, such as --from 1$")
    assert not any(tmp_path.iterdir())  # refused before any work


def test_one_city_twice_is_a_usage_error_naming_every_spelling(capsys, tmp_path):
    from dmaf_analysis import card
    from dmaf_analysis.errors import ArgumentError, RepeatedCityError

    _fails(capsys, ["compare", "Surat", "surat", "--output-dir", str(tmp_path)], 2,
           r"^dmaf compare: error: the same city is named more than once: 'Surat' and 'surat' both name Surat; "
           r"give different cities$")
    _fails(capsys, ["compare", "Pune", "Bangalore", "Bengaluru", "bengaluru", "Pune", "--output-dir",
                    str(tmp_path)], 2,
           r"^dmaf compare: error: the same city is named more than once: 'Pune' is given twice; "
           r"'Bangalore', 'Bengaluru' and 'bengaluru' all name Bengaluru; give different cities$")
    assert not any(tmp_path.iterdir())  # refused before any page is written
    # an unknown city as well: every problem at once, and bad names stay exit 1
    err = _fails(capsys, ["compare", "Surat", "Nowhere", "surat", "--output-dir", str(tmp_path)], 1,
                 r"unknown city 'Nowhere'")
    assert "'Surat' and 'surat' both name Surat" in err
    with pytest.raises(RepeatedCityError, match="'Surat' and 'surat' both name Surat") as caught:
        card.resolve_cities(load_dataset(), ["Surat", "Pune", "surat"])
    assert isinstance(caught.value, ArgumentError) and caught.value.spellings == {"Surat": ["Surat", "surat"]}


def test_to_alone_is_checked_against_the_default_from(capsys, tmp_path):
    from dmaf_analysis.cli._args import cycle_pair
    from dmaf_analysis.errors import CycleNotInDataError, UsageError

    # the bundled data hold cycles 1 and 2: --to 1 alone would compare cycle 1 with itself
    _fails(capsys, ["trends", "--to", "1", "--output-dir", str(tmp_path)], 2,
           r"^dmaf trends: error: --to 1 \(cycle_to\) is not later than the default --from \(cycle_from\): cycle 1, "
           r"the second-latest of the data's cycles 1, 2; no cycle of the data comes before 1, so give a later "
           r"cycle to --to, or leave --to out \(the latest, 2\)$")
    assert not any(tmp_path.iterdir())
    # the one check of the pair: with three cycles --to 1 alone would run backwards from the default --from, 2
    with pytest.raises(UsageError, match=r"^--to 1 \(cycle_to\) is not later than the default --from \(cycle_from\): "
                                         r"cycle 2, the second-latest of the data's cycles 1, 2, 3;"):
        cycle_pair(0, 1, cycles=lambda: [1, 2, 3])
    with pytest.raises(UsageError, match=r"default --from \(cycle_from\): cycle 3, the second-latest of the data's "
                                         r"cycles 1, 2, 3, 4; .* such as --from 2 --to 3$"):
        cycle_pair(0, 3, cycles=lambda: [1, 2, 3, 4])
    with pytest.raises(UsageError, match=r"^--from 3 is later than --to 1: .*\(dmaf trends --from 1 --to 3\)$"):
        cycle_pair(3, 1, cycles=lambda: pytest.fail("the order is refused before the data are read"))
    with pytest.raises(UsageError, match=r"^--from 3 \(cycle_from\) is the latest of the data's cycles 1, 2, 3, "
                                         r"which --to \(cycle_to\) takes by default; .* such as --from 2$"):
        cycle_pair(3, 0, cycles=lambda: [1, 2, 3])
    with pytest.raises(UsageError, match=r"^--from and --to \(cycle_from and cycle_to\) are both 3; give two"):
        cycle_pair(3, 3, cycles=lambda: [1, 2, 3])
    assert cycle_pair(0, 0, cycles=lambda: [3, 1, 2]) == (2, 3)
    assert cycle_pair(1, 0, cycles=lambda: [1, 2, 3]) == (1, 3)
    with pytest.raises(CycleNotInDataError, match="cycle 7 is not in the data; cycles present: 1, 2, 3"):
        cycle_pair(0, 7, cycles=lambda: [1, 2, 3])  # a cycle the data do not hold stays bad data (exit 1)


@pytest.mark.parametrize("value", ["1.a=nan", "1.a=abc", "1.a=inf", "1.a=-inf", "1.a", "=3", "1.a="])
def test_whatif_malformed_set_is_a_usage_error(capsys, value):
    _fails(capsys, ["whatif", "--city", "Ludhiana", "--set", value], 2,
           r"dmaf whatif: error: invalid --set value\(s\):\n  - " + __import__("re").escape(repr(value)))


def test_whatif_points_outside_the_range_are_bad_data(capsys):
    # Ludhiana's cycle 2: indicator 1.a is out of 30 points (DMAF 2.0 framework)
    _fails(capsys, ["whatif", "--city", "Ludhiana", "--set", "1.a=31"], 1,
           r"1\.a: 31 points is outside 0 to 30, the indicator's maximum")
    _fails(capsys, ["whatif", "--city", "Ludhiana", "--set", "1.a=-0.5"], 1, r"-0\.5 points is outside 0 to 30")


@pytest.mark.parametrize("argv", [["score", "s.csv", "--bogus"], ["compare", "A", "B", "--bogus", "x"],
                                  ["whatif", "--city", "X", "--set", "1.a=1", "--bogus"]])
def test_unknown_option_is_refused_by_its_sub_command(capsys, argv):
    command = argv[0]
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: dmaf {command} ")
    assert f"dmaf {command}: error: unrecognized arguments: --bogus" in err and "dmaf: error" not in err
    with pytest.raises(SystemExit) as exit_:  # before the command, it is the top level's
        main(["--bogus", "score", "s.csv"])
    assert exit_.value.code == 2 and "dmaf: error: unrecognized arguments: --bogus" in capsys.readouterr().err


def test_city_without_scores_in_a_cycle_has_one_message_everywhere(capsys, tmp_path):
    # Shillong has scores in cycle 2 only in the bundled panel
    data = load_dataset()
    assert sorted(data.scored.loc[data.scored["city"] == "Shillong", "cycle"].unique()) == [2]
    expected = "Shillong was not assessed in cycle 1 of scores.csv; cycle(s) with its scores: 2"
    messages = []
    for argv in (["report", "--city", "Shillong", "--cycle", "1", "--output-dir", str(tmp_path)],
                 ["compare", "Shillong", "Surat", "--cycle", "1", "--output-dir", str(tmp_path)],
                 ["whatif", "--city", "shillong", "--cycle", "1", "--set", "1.a=3"]):
        err = _fails(capsys, argv, 1, __import__("re").escape(expected))
        assert str(Path(data.scores_path).parent) not in err and "closest" not in err
        messages.append(err)
    assert len(messages) == 3

