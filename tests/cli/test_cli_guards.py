"""Guards every command shares: outputs that are inputs, numeric bounds checked before any work."""
from __future__ import annotations

import pytest

from dmaf_analysis.cli import build_parser, main
from dmaf_analysis.io import write_table


@pytest.fixture
def table(tmp_path, small_scores):
    return write_table(small_scores, tmp_path / "in.csv")


@pytest.mark.parametrize("flag", ["--data", "--spec", "--cities"])
def test_sensitivity_refuses_to_overwrite_an_input(tmp_path, table, flag, capsys):
    import shutil

    from dmaf_analysis._util.paths import cities_path

    target = {"--data": table, "--spec": tmp_path / "spec.csv", "--cities": tmp_path / "cities.csv"}[flag]
    if flag == "--spec":
        target.write_text("assumptions:\n  - {name: w, kind: weights}\n")
    elif flag == "--cities":
        shutil.copy(cities_path(), target)
    before = target.read_bytes()
    argv = ["sensitivity", "--samples", "4", "--no-cities", "-o", str(target)]
    if flag != "--data":
        argv += [flag, str(target)]
    argv += ["--data", str(table)]
    assert main(argv) == 1
    assert "is also an input of this command" in capsys.readouterr().err
    assert target.read_bytes() == before


def test_score_and_ingest_refuse_an_input_or_a_doubled_output(table, tmp_path, capsys):
    assert main(["score", "--data", str(table), "-o", str(table)]) == 1
    assert "is also an input" in capsys.readouterr().err
    card = tmp_path / "card.txt"
    card.write_text("not a card\n")
    assert main(["ingest", str(card), "-o", str(card.with_suffix(".csv")), "--problems",
                 str(tmp_path / "card_cities.csv")]) == 2
    assert "given as two outputs" in capsys.readouterr().err


def _refused(argv, capsys, pattern):
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert pattern in err, err
    return err


@pytest.mark.parametrize(("argv", "pattern"), [
    (["sensitivity", "--samples", str(2 ** 17)], "DMAF_MAX_SAMPLES"),
    (["sensitivity", "--samples", "9" * 5000], "characters)"),
    (["sensitivity", "--seed", "-1"], "must be from 0 to 4,294,967,295"),
    (["sensitivity", "--seed", "1" * 30], "must be from 0"),
    (["summary", "--cycle", "\u0663"], "expected a whole number"),
    (["summary", "--cycle", "-2"], "must be from 0 to 9,999"),
    (["trends", "--to", "99999999999"], "must be from 0 to 9,999"),
    (["batch", "--workers", "100000"], "must be from 1 to 64"),
    (["ingest", "x", "-o", "y.csv", "--cycle", "0"], "must be from 1 to 9,999"),
])
def test_numeric_options_have_bounds_checked_while_parsing(argv, pattern, capsys):
    err = _refused(argv, capsys, pattern)
    assert len(err) < 2_000


def test_samples_up_to_2_16_are_in_bound_and_more_are_refused_before_any_work(monkeypatch, capsys):
    import dmaf_analysis.scoring
    import dmaf_analysis.sensitivity

    monkeypatch.delenv("DMAF_MAX_SAMPLES", raising=False)
    assert build_parser().parse_args(["sensitivity", "--samples", str(2 ** 16)]).samples == 2 ** 16

    def no_work(*args, **kwargs):
        raise AssertionError("the data were read or the analysis started")

    monkeypatch.setattr(dmaf_analysis.scoring, "load_dataset", no_work)
    monkeypatch.setattr(dmaf_analysis.sensitivity, "sensitivity_analysis", no_work)
    with pytest.raises(SystemExit) as exc:
        main(["sensitivity", "--samples", str(2 ** 17)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "must be from 2 to 65,536, got 131072" in err and "DMAF_MAX_SAMPLES" in err


def test_the_samples_bound_is_raised_by_its_environment_variable(monkeypatch):
    monkeypatch.setenv("DMAF_MAX_SAMPLES", str(2 ** 17))
    assert build_parser().parse_args(["sensitivity", "--samples", str(2 ** 17)]).samples == 2 ** 17
    assert build_parser().parse_args(["sensitivity", "--seed", "4294967295"]).seed == 2 ** 32 - 1


@pytest.mark.parametrize("argv", [
    ["whatif", "--city", "Surat", *[a for i in range(400) for a in ("--set", f"z{i}=3")]],
    ["whatif", "--city", "Surat", *[a for i in range(400) for a in ("--set", f"1.a=x{i}")]],
    ["whatif", "--city", "Surat", "--set", "q" * 100_000 + "=3"],
    ["whatif", "--city", "c" * 100_000, "--set", "1.a=3"],
    ["compare", "Surat", "x" * 100_000, *[f"Nowhere {i}" for i in range(300)]],
])
def test_messages_are_bounded(argv, capsys, tmp_path):
    assert main([*argv, "--output-dir", str(tmp_path)] if argv[0] == "compare" else argv) in (1, 2)
    err = capsys.readouterr().err
    assert len(err.splitlines()) <= 60 and len(err) < 20_000, err[:3000]


@pytest.mark.parametrize("points", ["\u0661\u0660", "\uff11\uff10", "\u0967\u0966", "1_0", "0x10"])
def test_whatif_points_follow_the_number_rules_of_score_tables(points, capsys):
    assert main(["whatif", "--city", "Surat", "--set", f"1.a={points}"]) == 2
    assert "are not a finite number" in capsys.readouterr().err


def test_report_commands_refuse_an_input_inside_what_they_write(tmp_path, capsys):
    # a table written by an earlier run (national/leaderboard.csv, say) given back as --data: refused before any work
    out = tmp_path / "out"
    (out / "national").mkdir(parents=True)
    inside = out / "national" / "leaderboard.csv"
    inside.write_text("cycle,city,indicator,score\n", encoding="utf-8")
    for argv in (["national", "--data", str(inside)], ["batch", "--data", str(inside)],
                 ["trends", "--data", str(inside)], ["report", "--city", "Surat", "--data", str(inside)]):
        assert main([*argv, "--output-dir", str(out)]) == 2, argv
        err = capsys.readouterr().err
        assert "could be overwritten" in err and "leaderboard.csv" in err and "Traceback" not in err
    assert inside.read_text(encoding="utf-8") == "cycle,city,indicator,score\n"  # nothing lost
