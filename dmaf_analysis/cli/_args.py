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

__all__ = ["cycle_pair", "power_of_two", "size_mb", "whole_number", "whole_seconds"]


def whole_number(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """A whole number from ``minimum`` (to ``maximum``)."""
    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum or (maximum is not None and value > maximum):
            bounds = f"from {minimum:,} to {maximum:,}" if maximum is not None else f"{minimum} or more"
            raise argparse.ArgumentTypeError(f"must be {bounds}, got {value}")
        return value
    return parse


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
