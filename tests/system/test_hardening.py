"""Adversarial inputs and outputs (issue 12): special files, size and YAML bombs, hostile labels.

Every case is generated here (small, seeded) and every command that could hang runs in
a subprocess with a timeout, so a regression fails the test instead of stalling the suite.
Each test reproduces a defect found by the adversarial run; none may end in a traceback
or "unexpected error".
"""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
import yaml

matplotlib.use("Agg")

from dmaf_analysis._util import fileio
from dmaf_analysis.cli import main
from dmaf_analysis.errors import DmafError, FrameworkError, WriteError
from dmaf_analysis.io import read_scores, write_table

REPO_ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60  # seconds; far above what any case needs, so only a hang reaches it


def run_cli(*args, env=None, timeout=TIMEOUT, cwd=None):
    """``dmaf ARGS`` in a subprocess; fails the test (instead of hanging) after ``timeout``."""
    full_env = {**os.environ, **(env or {})}
    result = subprocess.run([sys.executable, "-m", "dmaf_analysis.cli", *map(str, args)], capture_output=True,
                            text=True, timeout=timeout, env=full_env, cwd=cwd)
    assert "Traceback" not in result.stderr, result.stderr
    assert "unexpected error" not in result.stderr, result.stderr
    return result


@pytest.fixture
def scores_csv(tmp_path, small_scores):
    return write_table(small_scores, tmp_path / "scores.csv")


@pytest.fixture
def data_copy(tmp_path):
    """A copy of the bundled data folder to edit (use with DMAF_DATA_DIR)."""
    target = tmp_path / "data"
    shutil.copytree(REPO_ROOT / "data", target)
    return target


# ------------------------------------------------------------------------ input paths
def test_fifo_input_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "f.csv"
    os.mkfifo(fifo)
    for args in (["validate", fifo], ["score", fifo], ["summary", fifo],
                 ["ingest", fifo, "-o", tmp_path / "o.csv"]):
        result = run_cli(*args)
        assert result.returncode == 1, args
        assert str(fifo) in result.stderr, result.stderr
        assert "is a named pipe (FIFO), not a regular file" in result.stderr, result.stderr


def test_fifo_cities_table_is_refused(tmp_path, scores_csv):
    fifo = tmp_path / "cities.csv"
    os.mkfifo(fifo)
    result = run_cli("validate", scores_csv, "--cities", fifo)
    assert result.returncode == 1 and "named pipe" in result.stderr


def test_device_and_folder_inputs_are_refused(tmp_path):
    result = run_cli("validate", "/dev/zero")
    assert result.returncode == 1 and "/dev/zero: is a device, not a regular file" in result.stderr
    with pytest.raises(DmafError, match="is a folder, not a regular file"):
        read_scores(tmp_path)


def test_unreadable_path_gives_a_clear_message(tmp_path, monkeypatch):
    target = tmp_path / "locked" / "scores.csv"

    def denied(path, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(fileio.os, "stat", denied)
    with pytest.raises(DmafError, match=r"scores.csv: cannot open the file: permission denied"):
        read_scores(target)


def test_size_cap_has_a_clear_message_and_can_be_raised(scores_csv, monkeypatch):
    size_mb = scores_csv.stat().st_size / 2**20
    small = f"{size_mb / 2:.6f}"
    result = run_cli("validate", scores_csv, env={fileio.MAX_INPUT_ENV: small})
    assert result.returncode == 1
    assert "larger than the limit" in result.stderr and "--max-size" in result.stderr
    assert run_cli("--max-size", "1", "validate", scores_csv, env={fileio.MAX_INPUT_ENV: small}).returncode == 0
    assert run_cli("validate", scores_csv, "--max-size", "1", env={fileio.MAX_INPUT_ENV: small}).returncode == 0
    monkeypatch.setenv(fileio.MAX_INPUT_ENV, "nonsense")
    with pytest.raises(DmafError, match="expected a size in megabytes"):
        read_scores(scores_csv)


def test_utf16_is_named(tmp_path, write_csv):
    path = write_csv("cycle,city,indicator,score\n2,Surat,1.a,10\n", encoding="utf-16")
    with pytest.raises(DmafError, match="UTF-16 text; save it as UTF-8"):
        read_scores(path)
    path.write_bytes("cycle,city,indicator,score\n".encode("utf-16-le"))  # no byte-order mark
    with pytest.raises(DmafError, match="UTF-16"):
        read_scores(path)
    path.write_bytes("cycle,city\n2,Bras\xedlia\n".encode("latin-1"))
    with pytest.raises(DmafError, match="not UTF-8 text .*save it as UTF-8"):
        read_scores(path)


def test_numbers_out_of_range_are_not_called_non_numbers(write_csv):
    digits = "9" * 400
    path = write_csv(f"cycle,city,indicator,score\n2,Surat,1.a,inf\n2,Surat,1.b,{digits}\n"
                     "2,Surat,2.a,-Infinity\n2,Surat,2.c,abc\n")
    with pytest.raises(DmafError, match="score is a number out of range") as err:
        read_scores(path)
    text = str(err.value)
    assert text.count("out of range") == 3
    assert text.count("not a number") == 1 and "'abc'" in text
    assert digits not in text  # a 400-digit value is shortened in the message


def test_encrypted_pdf_is_called_password_protected(tmp_path):
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="DMAF report card")
    pdf.set_encryption(owner_password="owner", user_password="secret")
    path = tmp_path / "card.pdf"
    pdf.output(str(path))
    from dmaf_analysis.errors import UnreadableFileError
    from dmaf_analysis.ingest import extract_text

    with pytest.raises(UnreadableFileError, match="password-protected"):
        extract_text(path)


def test_empty_city_names_are_refused_in_a_cities_table(tmp_path, scores_csv):
    table = tmp_path / "cities.csv"
    table.write_text("city,state\nSurat,Gujarat\n,Nowhere\nPune,Maharashtra\n", encoding="utf-8")
    from dmaf_analysis.cities import load_cities

    with pytest.raises(DmafError, match="empty city name in data row"):
        load_cities(table)
    bad = tmp_path / "bad.csv"
    bad.write_text("cycle,city,indicator,score\n2,,1.a,10\n", encoding="utf-8")
    result = run_cli("validate", bad, "--cities", table)
    assert result.returncode == 1 and "empty city name" in result.stderr


# ----------------------------------------------------------------------------- outputs
def _read_fifo(path: Path, into: list) -> threading.Thread:
    def reader():
        with open(path, "rb") as fh:
            into.append(fh.read())
    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    return thread


def test_output_to_a_fifo_is_written_through(tmp_path, scores_csv):
    fifo = tmp_path / "out"
    os.mkfifo(fifo)
    received: list = []
    thread = _read_fifo(fifo, received)
    result = run_cli("score", scores_csv, "-o", fifo)
    thread.join(TIMEOUT)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # still a pipe, not replaced by a regular file
    text = received[0].decode()
    assert text.startswith("cycle,city,state,region,") and text.count("\n") == 5


def test_output_through_a_symlink_keeps_the_link(tmp_path, small_scores):
    real = tmp_path / "real" / "scores.csv"
    real.parent.mkdir()
    real.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    write_table(small_scores, link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text().startswith("cycle,city,")
    assert not [p for p in real.parent.iterdir() if p.name.endswith(".tmp")]


def test_write_through_to_a_character_device(tmp_path):
    # a private copy of the null device (never the system's /dev/null, which a regression would replace)
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, OSError):
        pytest.skip("cannot create a device node here")
    fileio.write_text_atomic(device, "discarded")
    assert stat.S_ISCHR(os.stat(device).st_mode)  # written through, not replaced by a regular file
    assert main(["score", str(REPO_ROOT / "data" / "scores.csv"), "-o", str(device)]) == 0
    assert stat.S_ISCHR(os.stat(device).st_mode)


def test_output_onto_the_input_is_refused(scores_csv):
    before = scores_csv.read_bytes()
    result = run_cli("score", scores_csv, "-o", scores_csv)
    assert result.returncode == 1 and "is also an input of this command" in result.stderr
    assert scores_csv.read_bytes() == before
    with pytest.raises(WriteError, match="also an input"):
        write_table(pd.DataFrame({"a": [1]}), scores_csv, inputs=[str(scores_csv)])


def test_xlsx_output_is_real_or_refused(tmp_path, scores_csv):
    out = tmp_path / "out.xlsx"
    result = run_cli("score", scores_csv, "-o", out)
    try:
        import openpyxl  # noqa: F401
        import xlsxwriter  # noqa: F401
    except ImportError as exc:
        assert result.returncode == 1 and "not installed" in result.stderr and not out.exists()
        assert {"openpyxl": "openpyxl", "xlsxwriter": "XlsxWriter"}[exc.name] in result.stderr
    else:
        assert result.returncode == 0 and out.read_bytes()[:2] == b"PK"
        assert len(pd.read_excel(out, sheet_name="Scores")) == 4
        assert pd.ExcelFile(out).sheet_names[0] == "About"
    result = run_cli("score", scores_csv, "-o", tmp_path / "out.json")
    assert result.returncode == 1 and "unsupported output type '.json'" in result.stderr


def test_broken_pipe_gives_a_non_zero_exit_without_noise(scores_csv):
    proc = subprocess.Popen([sys.executable, "-m", "dmaf_analysis.cli", "score", str(scores_csv)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader goes away before anything is written
    _, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode != 0
    assert b"Traceback" not in err and b"Exception ignored" not in err and b"unexpected" not in err


# -------------------------------------------------------------------------------- YAML
def _alias_bomb() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("content, message", [
    (_alias_bomb(), "aliases .* are not allowed"),
    ("x: " + "[" * 5000 + "]" * 5000 + "\n", "nested more than"),
    ("\x00\x01\x02binary", "binary file"),
    ("cycle: 2\n".encode("utf-16"), "UTF-16 text; save it as UTF-8"),
    ("cycle: [unclosed\n", "not valid YAML"),
])
def test_framework_yaml_limits(data_copy, content, message):
    path = data_copy / "frameworks" / "dmaf-cycle-2.yaml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(FrameworkError, match=message) as err:
        from dmaf_analysis.framework import read_framework
        read_framework(path)
    assert str(err.value).startswith(str(path))


def test_framework_alias_bomb_through_the_cli(data_copy, scores_csv):
    (data_copy / "frameworks" / "dmaf-cycle-2.yaml").write_text(_alias_bomb())
    result = run_cli("validate", scores_csv, env={"DMAF_DATA_DIR": str(data_copy)})
    assert result.returncode == 1 and "dmaf-cycle-2.yaml" in result.stderr and "aliases" in result.stderr


def test_recommendations_yaml_limits(data_copy):
    from dmaf_analysis.card import load_recommendations

    path = data_copy / "recommendations.yaml"
    path.write_text(_alias_bomb())
    with pytest.raises(DmafError, match=r"recommendations.yaml: .*aliases"):
        load_recommendations(path)
    path.write_bytes(b"x" * (fileio.max_yaml_bytes() + 1))
    with pytest.raises(DmafError, match="larger than the limit.*DMAF_MAX_YAML_MB"):
        load_recommendations(path)


def test_yaml_without_aliases_still_loads(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text(yaml.safe_dump({"a": [1, 2, {"b": "c"}], "d": "x"}))
    assert fileio.load_yaml(path, what="test file") == {"a": [1, 2, {"b": "c"}], "d": "x"}


# ------------------------------------------------------------------------------ labels
def _framework_with_names(component_suffix: str, level_name: str):
    from dmaf_analysis.framework import load_frameworks, parse_framework

    raw = yaml.safe_load(Path(load_frameworks()[2].source).read_text(encoding="utf-8"))
    for comp in raw["components"]:
        comp["name"] = f"{comp.get('name', comp['id'])} {component_suffix}"
    raw["levels"][-1]["name"] = level_name
    return parse_framework(raw, source="hostile.yaml")


def test_every_chart_label_from_data_is_escaped(small_scores):
    import matplotlib.pyplot as plt

    from dmaf_analysis import card
    from dmaf_analysis.national import _charts as plots
    from dmaf_analysis.scoring import score_cities

    fw = _framework_with_names("(in $ and $)", "Top $\\frac$ tier")
    scored = score_cities(small_scores)
    frameworks = {2: fw}
    axes = [
        plots.component_distribution_plot(scored, cycle=2, frameworks=frameworks),
        plots.component_distribution_plot(scored, cycle=2, frameworks=frameworks, kind="box"),
        plots.overall_ecdf_plot(scored, cycle=2, frameworks=frameworks),
        plots.level_counts_plot(pd.DataFrame({"level": ["A $x", "$B$"], "n": [1, 2], "certified": [False, True]})),
        plots.group_heatmap(pd.DataFrame({"group": ["St$te", "Reg$on"], "measure": ["Budget ($)"] * 2,
                                          "median": [10.0, 20.0], "grouping": ["state"] * 2})),
        plots.correlation_heatmap(pd.DataFrame({"measure_a": ["$a", "$a", "b$", "b$"],
                                                "measure_b": ["$a", "b$", "$a", "b$"],
                                                "rho": [1.0, 0.5, 0.5, 1.0]})),
        plots.effective_weights_plot(pd.DataFrame({"level": ["component"] * 2, "item": ["$p", "q$"],
                                                   "nominal_weight": [0.5, 0.5], "effective_weight": [0.4, 0.6]})),
        card.plot_components(pd.DataFrame({"name": ["Budget ($)", "$People"], "score": [10.0, 20.0],
                                           "national_median": [5.0, 6.0], "top10_mean": [7.0, 8.0]}),
                             city="A $\\frac$ City"),
    ]
    from matplotlib.text import Text

    for ax in axes:
        ax.figure.canvas.draw()  # a mathtext error would raise here
        with_dollar = [t for t in ax.figure.findobj(Text) if "$" in t.get_text()]
        assert with_dollar
        for t in with_dollar:  # drawn literally: matplotlib does not read any of them as mathematics
            assert t._preprocess_math(t.get_text())[1] is False, t.get_text()  # noqa: SLF001
        plt.close(ax.figure)


def test_chart_text_escapes_dollars_and_control_characters():
    from dmaf_analysis._util.escaping import chart_text

    assert chart_text("Budget ($)") == "Budget (\\$)"
    assert chart_text("a\x1bb") == "a\\x1bb"


# -------------------------------------------------------------------------- terminal
def test_control_characters_are_escaped_in_messages(tmp_path):
    evil = tmp_path / "evil\x1b]0;pwned\x07.csv"
    result = run_cli("validate", evil)
    assert result.returncode == 1
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "\\x1b]0;pwned\\x07" in result.stderr


def test_terminal_stream_escapes_stdout_only_on_a_terminal(monkeypatch, capsys):
    from dmaf_analysis._util.escaping import terminal_text

    assert terminal_text("a\x1b[31mb\u202ec\n\td") == "a\\x1b[31mb\\u202ec\n\td"
    assert terminal_text("50%\r", keep_carriage_return=True) == "50%\r"
    assert terminal_text("x\ry") == "x\\x0dy"


# ------------------------------------------------------------------- nothing hangs
@pytest.mark.parametrize("seed", range(3))
def test_random_bytes_never_crash_or_hang(tmp_path, seed):
    rng = np.random.default_rng(seed)
    path = tmp_path / f"random{seed}.csv"
    path.write_bytes(rng.integers(0, 256, size=2000, dtype=np.uint8).tobytes())
    result = run_cli("validate", path)
    assert result.returncode == 1 and str(path) in result.stderr


# ------------------------------------------------------------------ many bad rows
def test_many_bad_rows_give_bounded_output_and_one_search_per_name(tmp_path, monkeypatch):
    from dmaf_analysis.cities import CityMatcher
    from dmaf_analysis.io._contract import SUGGESTED_NAMES

    n = 200_000
    rng = np.random.default_rng(7)
    names = [f"Gotham{k}" for k in rng.integers(0, 50, size=n)]
    scores = np.where(rng.random(n) < 0.5, "x", "99")
    path = tmp_path / "bad.csv"
    pd.DataFrame({"cycle": 2, "city": names, "indicator": "1.a", "score": scores}).to_csv(path, index=False)
    calls = []
    original = CityMatcher.suggest
    monkeypatch.setattr(CityMatcher, "suggest", lambda self, name, n=3: calls.append(name) or original(self, name, n))
    with pytest.raises(DmafError, match=r"400,000 problems found \(52 distinct\)") as err:
        read_scores(path)
    # closest matches looked for once per distinct name, and only for the first names (the ones a message shows)
    first = list(dict.fromkeys(names))[:SUGGESTED_NAMES]
    assert sorted(calls) == sorted(first) and len(calls) == min(50, SUGGESTED_NAMES)
    result = run_cli("validate", path)
    assert result.returncode == 1
    assert len(result.stderr) < 20_000 and result.stderr.count("\n") <= 60
    assert f"{2 * n:,} problems" in result.stderr and "Gotham" in result.stderr
    assert str(err.value).count("\n") <= 60


def test_fifo_framework_file_is_refused(data_copy, scores_csv):
    os.mkfifo(data_copy / "frameworks" / "dmaf-cycle-9.yaml")
    result = run_cli("validate", scores_csv, env={"DMAF_DATA_DIR": str(data_copy)})
    assert result.returncode == 1
    assert "dmaf-cycle-9.yaml: is a named pipe (FIFO), not a regular file" in result.stderr


def test_ingest_refuses_to_write_over_a_card(tmp_path):
    card = tmp_path / "card.txt"
    card.write_text("Data Maturity Assessment Framework\n", encoding="utf-8")
    before = card.read_bytes()
    result = run_cli("ingest", card, "-o", card)
    assert result.returncode != 0 and "is also an input of this command" in result.stderr
    assert card.read_bytes() == before


def test_batch_inputs_go_through_the_same_check(tmp_path, scores_csv):
    fifo = tmp_path / "attributes.csv"
    os.mkfifo(fifo)
    for args in (["batch", "--data", fifo], ["batch", "--data", scores_csv, "--attributes", fifo],
                 ["report", "--city", "Surat", "--data", fifo]):
        result = run_cli(*args, "--output-dir", tmp_path / "out")
        assert result.returncode == 1, args
        assert f"{fifo}: is a named pipe (FIFO), not a regular file" in result.stderr
