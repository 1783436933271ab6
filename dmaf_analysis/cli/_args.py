"""Value checks for command-line flags, shared by every sub-command.

Each function here is an argparse ``type=``: a flag with a wrong value is refused
while the command line is parsed, with argparse's message (``dmaf batch: error:
argument --workers: ...``) and exit status 2. Rules that involve several flags
raise :class:`~dmaf_analysis.errors.UsageError` from the command's runner, which
``dmaf`` also turns into exit status 2; bad data exits with 1.
"""
from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable

__all__ = ["CITIES_HELP", "CYCLE_HELP", "DATA_HELP", "DEFAULT_MAX_SAMPLES", "MAX_CYCLE", "MAX_SAMPLES_ENV",
           "add_score_table", "check_outputs", "cycle_number", "cycle_pair", "power_of_two", "samples",
           "score_table_path", "size_mb", "whole_number", "whole_seconds"]

#: ``--data``: the score table every command that reads one takes (the bundled one by default).
DATA_HELP = "score table, CSV or Parquet (default: scores.csv of the data folder, the bundled one or $DMAF_DATA_DIR)"
#: ``--cities``: the cities table names are matched against.
CITIES_HELP = ("cities table the names are matched against: CSV with a column city (state recommended; other "
               "columns optional); default: the cities of the data folder (cities.csv, bundled or $DMAF_DATA_DIR)")


def add_score_table(p: argparse.ArgumentParser, *, positional: bool = False) -> None:
    """``--data FILE`` (and, with ``positional``, a ``FILE`` argument meaning the same): the score table read.

    Both default to the data folder's ``scores.csv``; :func:`score_table_path` gives the one chosen.
    """
    p.add_argument("--data", default="", metavar="FILE", help=DATA_HELP)
    if positional:
        p.add_argument("file", nargs="?", default="", metavar="FILE", help="the same as --data FILE")


def score_table_path(args) -> str:
    """The score table a command reads: ``--data`` or the positional ``FILE``; "" for the data folder's own.

    Two different files given both ways are a :class:`~dmaf_analysis.errors.UsageError`.
    """
    from ..errors import UsageError

    data, file = getattr(args, "data", "") or "", getattr(args, "file", "") or ""
    if data and file and data != file:
        raise UsageError(f"two score tables given ({file!r} and --data {data!r}); give one")
    return data or file


def check_outputs(outputs: Iterable[object], inputs: Iterable[object]) -> None:
    """Refuse, before any work, an output of a command that is one of its inputs (or a second output).

    The one guard every writing command calls with all it will write and all it reads
    (``None`` and "" entries are skipped); the message names the file and the flag
    to change. The writers check again when they write (:func:`~dmaf_analysis._util.fileio.atomic_path`).
    """
    from pathlib import Path

    from .._util.fileio import refuse_input_as_output
    from ..errors import UsageError

    outputs = [Path(str(o)) for o in outputs if o]
    inputs = [i for i in inputs if i]
    seen: dict[str, Path] = {}
    for out in outputs:
        refuse_input_as_output(out, inputs)
        key = _same_file_key(out)
        if key in seen:
            raise UsageError(f"{out}: given as two outputs ({seen[key]} and {out}); give different files")
        seen[key] = out


def _same_file_key(path) -> str:
    import os

    return os.path.realpath(path)


def whole_number(minimum: int, maximum: int | None = None, *, hint: str = "") -> Callable[[str], int]:
    """A whole number from ``minimum`` (to ``maximum``), written with ASCII digits.

    ``hint`` is added to the message of a value out of bounds (how to raise the bound).
    Long values are shortened in messages, with their length.
    """
    def parse(text: str) -> int:
        stripped = text.strip()
        body = stripped[1:] if stripped[:1] in "+-" else stripped
        if not (body.isascii() and body.isdigit()) or len(body) > 30:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {_short(text)}")
        value = int(stripped)
        if value < minimum or (maximum is not None and value > maximum):
            bounds = f"from {minimum:,} to {maximum:,}" if maximum is not None else f"{minimum} or more"
            raise argparse.ArgumentTypeError(f"must be {bounds}, got {value}" + (f"; {hint}" if hint else ""))
        return value
    return parse


#: Largest cycle number a flag accepts.
MAX_CYCLE = 9999
#: ``--cycle N``: 0 (the default) is the latest cycle of the data.
CYCLE_HELP = f"assessment cycle, 1 to {MAX_CYCLE:,} (default 0: the latest in the data)"


def cycle_number(text: str) -> int:
    """``--cycle``, ``--from``, ``--to``: a cycle number from 0 (the latest) to :data:`MAX_CYCLE`."""
    return whole_number(0, MAX_CYCLE)(text)


def _short(text: str, limit: int = 40) -> str:
    """``repr(text)``, shortened to about ``limit`` characters with its length when longer."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text):,} characters)"


def whole_seconds(text: str) -> int:
    """``--timeout``: a whole number of seconds, 1 or more (2.5, nan and inf are refused)."""
    try:
        value = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of seconds, such as 600, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 second or more, got {value}")
    return value


def power_of_two(text: str) -> int:
    """A power of 2 of at least 2 (the number of base samples of a Sobol design)."""
    value = whole_number(2)(text)
    if value & (value - 1):
        raise argparse.ArgumentTypeError(f"must be a power of 2 of at least 2 (e.g. 1024, 4096), got {value}")
    return value


#: Environment variable raising the largest ``--samples`` (default :data:`DEFAULT_MAX_SAMPLES`).
MAX_SAMPLES_ENV = "DMAF_MAX_SAMPLES"
#: Largest ``--samples`` without :data:`MAX_SAMPLES_ENV`: 2^16. The analysis makes and reduces its
#: runs a chunk at a time, so memory hardly grows with the samples: the bundled data's analysis
#: (100 cities, 4 assumption groups, per-city outputs) peaks at about 0.34 GB at 2^13 and 0.38 GB at
#: 2^16; run time grows in step with the samples (about 25 s at 2^16 on 2 cores).
DEFAULT_MAX_SAMPLES = 2 ** 16


def samples(text: str) -> int:
    """``--samples``: a power of 2 from 2 to 2^16 (``DMAF_MAX_SAMPLES`` raises the bound), checked before any work."""
    import os

    raw = os.environ.get(MAX_SAMPLES_ENV, "").strip()
    bound = DEFAULT_MAX_SAMPLES
    if raw:
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
            raise argparse.ArgumentTypeError(f"the environment variable {MAX_SAMPLES_ENV}={_short(raw)} is not "
                                             "a whole number")
        bound = int(raw)
    value = whole_number(2, bound, hint=f"set the environment variable {MAX_SAMPLES_ENV} to allow more "
                                        "(run time grows with it)")(text)
    return power_of_two(str(value))


def size_mb(text: str) -> str:
    """A positive size in megabytes, returned as text (it is passed on through the environment)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a size in megabytes, such as 512, got {text!r}") from None
    if not (value > 0 and value < 1e9):
        raise argparse.ArgumentTypeError(f"expected a positive size in megabytes, got {text!r}")
    return f"{value:g}"


def cycle_pair(cycle_from: int, cycle_to: int, *, cycles: Callable[[], Iterable[int]],
               command: str = "trends") -> tuple[int, int]:
    """``--from A --to B`` of a command comparing two cycles, checked as a pair; the two cycles it means.

    The one place these two flags are checked together (0 is each flag's
    default: the second-latest cycle for ``--from``, the latest for ``--to``).
    Two cycles given in the wrong order are refused before the data are read;
    ``cycles`` (called only then) gives the data's cycles, against which
    :func:`dmaf_analysis.national.resolve_cycle_pair` resolves the defaults and
    refuses the same cycle twice and a ``--to`` given alone that is not later
    than the default ``--from``. Every refusal is a
    :class:`~dmaf_analysis.errors.UsageError` (exit 2); a cycle the data do not
    hold stays :class:`~dmaf_analysis.errors.CycleNotInDataError` (exit 1).
    """
    from ..errors import ArgumentError, UsageError
    from ..scoring import resolve_cycle_pair

    if cycle_from and cycle_to and cycle_from > cycle_to:
        raise UsageError(f"--from {cycle_from} is later than --to {cycle_to}: the {command} report reads change "
                         f"forwards in time; give the earlier cycle to --from "
                         f"(dmaf {command} --from {cycle_to} --to {cycle_from})")
    try:
        return resolve_cycle_pair(cycles(), cycle_from, cycle_to)
    except ArgumentError as exc:
        raise UsageError(str(exc)) from None
