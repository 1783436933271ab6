"""First contact: a light `--help`, the bundled table by default, `--data` everywhere, honest help texts."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from dmaf_analysis.cli import build_parser, main

HEAVY = ("pandas", "numpy", "scipy", "matplotlib")


def _commands() -> list[str]:
    parser = build_parser()
    return sorted(next(a for a in parser._actions if a.dest == "command").choices)  # noqa: SLF001


def test_help_of_every_command_imports_no_numerical_library():
    code = (
        "import json, sys\n"
        "from dmaf_analysis.cli import main\n"
        "out = {}\n"
        f"for argv in [[]] + [[c] for c in {_commands()!r}]:\n"
        "    try:\n"
        "        main(argv + ['--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        f"    out[' '.join(argv) or 'dmaf'] = sorted(m for m in {HEAVY!r} if m in sys.modules)\n"
        "print(json.dumps(out), file=sys.stderr)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    loaded = json.loads(proc.stderr.strip().splitlines()[-1])
    assert len(loaded) == len(_commands()) + 1
    assert {cmd: mods for cmd, mods in loaded.items() if mods} == {}


def test_a_command_still_imports_what_it_uses_when_it_runs():
    proc = subprocess.run([sys.executable, "-c", "import sys\nfrom dmaf_analysis.cli import main\n"
                           "main(['validate'])\nprint('pandas' in sys.modules, file=sys.stderr)"],
                          capture_output=True, text=True, timeout=120)
    assert proc.stderr.strip().endswith("True")
    assert "valid score table" in proc.stdout


def test_no_help_text_calls_the_default_cities_the_smart_cities(capsys):
    for command in _commands():
        with pytest.raises(SystemExit):
            main([command, "--help"])
        out = capsys.readouterr().out
        assert "100 Smart Cities" not in out, command
        if "--cities FILE" in out:
            assert "the cities of the data folder" in " ".join(out.split()), command


@pytest.mark.parametrize("command", ["validate", "score", "summary"])
def test_table_commands_default_to_the_bundled_table(command, capsys):
    assert main([command]) == 0
    out = capsys.readouterr().out
    assert out.strip()


def test_every_command_that_reads_a_score_table_takes_data(capsys):
    readers = [c for c in _commands() if c not in ("synth", "ingest")]
    for command in readers:
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "--data FILE" in capsys.readouterr().out, command


def test_data_and_a_positional_file_mean_the_same(tmp_path, small_scores, capsys):
    from dmaf_analysis.io import write_table

    path = write_table(small_scores, tmp_path / "s.csv")
    assert main(["validate", "--data", str(path)]) == 0
    assert capsys.readouterr().out.startswith(f"{path}: valid score table, 84 rows")
    assert main(["validate", str(path), "--data", str(path)]) == 0
    capsys.readouterr()
    assert main(["validate", str(path), "--data", str(tmp_path / "other.csv")]) == 2
    assert "two score tables given" in capsys.readouterr().err
