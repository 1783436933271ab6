"""Grouping validation problems into a short message.

A bad table can hold a million problems; a person can read thirty lines. This module
turns a list of :class:`~dmaf_analysis.errors.Problem` into at most
:data:`MAX_PROBLEM_LINES` lines: the same problem on many rows becomes one line with
its count and first row numbers, and when that is still too long, problems of one
kind share a heading with as many examples as fit.
:class:`~dmaf_analysis.errors.DataValidationError` writes its message with it.

Pure Python, no pandas: usable for problems found by any reader. Also importable
from :mod:`dmaf_analysis.data_contract` (and its old name ``dmaf_analysis.io``).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # errors imports this module, so Problem is imported for type hints only
    from .errors import Problem

__all__ = ["MAX_PROBLEM_LINES", "ROWS_SHOWN", "problem_kind", "problem_key", "summarise_problems"]

#: Most lines :func:`summarise_problems` writes, however many problems there are.
MAX_PROBLEM_LINES = 30
#: Row numbers shown for a problem that repeats.
ROWS_SHOWN = 5


def problem_kind(problem: Problem) -> str:
    """What is wrong, without the details of one case: the message up to its first ``;``.

    Messages are written "what is wrong; details" (``unknown city; closest
    matches: ...``), so problems of one kind group together whatever their values.
    """
    return problem.message.split(";", 1)[0].strip()


def problem_key(problem: Problem) -> tuple:
    """Problems with equal keys are the same problem, found on different rows."""
    return (problem.file, problem.unit, problem.column, problem.message, repr(problem.value))


def _rows_text(rows: list[int], unit: str, shown: int) -> str:
    """``"line 4"``, ``"in 3 lines: 2, 5, 9"`` or ``"in 40 lines: 2, 3, 4, 5, 6, ..."``."""
    n = len(rows)
    if n == 1:
        return f"{unit} {rows[0]}"
    head = ", ".join(str(r) for r in rows[:shown]) + (", ..." if n > shown else "")
    return f"in {n:,} {unit}s: {head}"


def _value_text(value) -> str:
    return "" if value is None else f" (value {value!r})"


# A group is one distinct problem and the rows it was found on; a kind is a list of
# groups sharing (file, unit, column, problem_kind), keyed by that tuple.
_Group = tuple["Problem", list[int]]


def _group_repeats(problems: Sequence[Problem]) -> list[_Group]:
    """Each distinct problem (see :func:`problem_key`) with its rows, in order of first occurrence."""
    groups: dict[tuple, list] = {}
    for p in problems:
        key = problem_key(p)
        if key in groups:
            if p.row is not None:
                groups[key][1].append(p.row)
        else:
            groups[key] = [p, [] if p.row is None else [p.row]]
    return [(p, rows) for p, rows in groups.values()]


def _group_line(p: Problem, rows: list[int], rows_shown: int) -> str:
    """One line for a distinct problem: ``str(p)`` when seen once, else with its count and rows."""
    if len(rows) <= 1:
        return f"  - {p}"
    column = f", column {p.column!r}" if p.column is not None else ""
    return f"  - {p.file}{column}: {p.message}{_value_text(p.value)}, {_rows_text(rows, p.unit, rows_shown)}"


def _group_kinds(groups: list[_Group], max_lines: int) -> tuple[list[tuple[tuple, list[_Group]]], list[str]]:
    """The kinds to show and the closing line for those left out (empty when all fit)."""
    kinds: dict[tuple, list] = {}
    for p, rows in groups:
        kinds.setdefault((p.file, p.unit, p.column, problem_kind(p)), []).append((p, rows))
    kind_list = list(kinds.items())
    if len(kind_list) <= max_lines:
        return kind_list, []
    shown, rest = kind_list[:max_lines - 1], kind_list[max_lines - 1:]
    n_rest = sum(len(rows) or 1 for _, members in rest for _, rows in members)
    return shown, [f"  - ... and {len(rest):,} more kinds of problem ({n_rest:,} problems)"]


def _kind_cost(n_members: int, n_examples: int) -> int:
    """Lines a kind takes: one for a single problem; else a heading, its examples and, when
    not all fit, a closing "... and N more" line."""
    if n_members == 1:
        return 1
    return 1 + n_examples + (1 if 0 < n_examples < n_members else 0)


def _allot_examples(sizes: list[int], budget: int) -> list[int]:
    """Examples shown per kind (of ``sizes`` members each): one more to each in turn while they fit."""
    examples = [0] * len(sizes)
    grown = True
    while grown:
        grown = False
        for i, size in enumerate(sizes):
            if examples[i] >= size:
                continue
            total = sum(_kind_cost(s, e) for s, e in zip(sizes, examples))
            extra = _kind_cost(size, examples[i] + 1) - _kind_cost(size, examples[i])
            if total + extra <= budget:
                examples[i] += 1
                grown = True
    return examples


def _kind_lines(kind: tuple, members: list[_Group], n_examples: int, rows_shown: int) -> list[str]:
    """A kind's heading (count, number of values) and its first ``n_examples`` problems."""
    file, unit, column, what = kind
    n = sum(len(rows) or 1 for _, rows in members)
    values = {repr(p.value) for p, _ in members if p.value is not None}
    where = f", column {column!r}" if column is not None else ""
    different = f", {len(values):,} different values" if len(values) > 1 else ""
    lines = [f"  - {file}{where}: {what}: {n:,} problems{different}" + (":" if n_examples else "")]
    for p, rows in members[:n_examples]:
        detail = p.message.split(";", 1)[1].strip() if ";" in p.message else ""
        label = repr(p.value) if p.value is not None else ""
        where_rows = _rows_text(rows, unit, rows_shown) if rows else ""
        parts = [part for part in (label, ("on " if len(rows) == 1 else "") + where_rows) if part.strip()]
        lines.append("      " + " ".join(parts) + (f"; {detail}" if detail else ""))
    if 0 < n_examples < len(members):
        lines.append(f"      ... and {len(members) - n_examples:,} more")
    return lines


def summarise_problems(problems: Sequence[Problem], *, max_lines: int = MAX_PROBLEM_LINES,
                       rows_shown: int = ROWS_SHOWN) -> list[str]:
    """Describe ``problems`` in at most ``max_lines`` lines, one per distinct problem.

    Problems that differ only in their row (the same message, column and value)
    make one line with their count and first ``rows_shown`` row numbers. When the
    distinct problems are still too many for ``max_lines``, those of one kind
    (see :func:`problem_kind`) share a heading line giving their count and number
    of different values, followed by as many examples as fit. The order is that of
    the first occurrence of each problem. Pure Python: usable for any list of
    :class:`~dmaf_analysis.errors.Problem`, whoever found them.

    Returns
    -------
    list of str
        Lines starting ``"  - "`` (headings and single problems) or ``"      "``
        (examples under a heading); ``str(problem)`` for a problem seen once.
    """
    max_lines = max(int(max_lines), 2)
    groups = _group_repeats(problems)
    if len(groups) <= max_lines:
        return [_group_line(p, rows, rows_shown) for p, rows in groups]

    kind_list, tail = _group_kinds(groups, max_lines)
    examples = _allot_examples([len(members) for _, members in kind_list], max_lines - len(tail))
    lines: list[str] = []
    for (kind, members), n_examples in zip(kind_list, examples):
        if len(members) == 1:
            lines.append(_group_line(*members[0], rows_shown))
        else:
            lines.extend(_kind_lines(kind, members, n_examples, rows_shown))
    return lines + tail
