"""Typed exceptions raised by dmaf_analysis: every one of them lives here, with the
:class:`Problem` records a validation error carries and :func:`summarise_problems`,
which folds many problems into a message a person can read.

Every error carries a message meant for a person: it names the file and what was
wrong, so the command line can print it without a traceback. One condition has
one type; every type derives from :class:`DmafError`:

=========================  ==========================================================
type                       condition
=========================  ==========================================================
UsageError                 a command-line flag is wrong (``dmaf`` exits with 2)
ArgumentError              a function argument is outside what it accepts
ConfigurationError         the installation or an environment variable is wrong
InputFileError             an input file is missing, unreadable or not the expected kind
DataValidationError        an input table failed validation (every problem listed)
CitiesTableError           the cities table is unreadable or inconsistent
FrameworkError             a framework file is missing, unreadable or inconsistent
SpecError                  a sensitivity spec is unreadable or inconsistent
RecommendationsError       the recommendations file is missing or malformed
NoDataError                the data hold nothing to analyse
CycleNotInDataError        the data hold no scores for the requested cycle
UnknownCityError           a name matches no Smart City
RepeatedCityError          one city is named twice in a list (perhaps spelt differently)
CityNotInDataError         a Smart City has no scores in the requested cycle
ReportCardError            a report card cannot be read (three subclasses)
SynthesisError             the synthetic panel cannot meet the published facts
BatchLockedError           another batch renders into the same output folder
KernelSetupError           set-up code failed inside a batch kernel
PdfEngineMissing           no browser engine to print PDFs with
PdfError                   printing one page to PDF failed
WriteError                 an output file could not be written
=========================  ==========================================================
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

__all__ = [
    "ArgumentError", "BatchLockedError", "CitiesTableError", "CityNotInDataError", "ConfigurationError",
    "CycleNotInDataError", "DataValidationError", "DmafError", "FrameworkError", "InputFileError",
    "KernelSetupError", "MAX_PROBLEM_LINES", "NoDataError", "NotAReportCardError", "PdfEngineMissing", "PdfError",
    "Problem", "ROWS_SHOWN", "RecommendationsError", "RepeatedCityError", "ReportCardError", "SpecError",
    "SynthesisError", "TruncatedReportCardError", "UnknownCityError", "UnreadableFileError", "UsageError", "WriteError",
    "bounded_message", "problem_key", "problem_kind", "shorten", "summarise_problems",
]


class DmafError(Exception):
    """Base class of every error the package raises on purpose."""


class UsageError(DmafError):
    """A command-line flag or argument is wrong; the ``dmaf`` command exits with status 2."""


class ArgumentError(DmafError, ValueError):
    """A function argument is outside what it accepts (a cycle that is not a whole number, a count below 1...)."""


class ConfigurationError(DmafError):
    """The installation or an environment variable is wrong (package data missing, a bad size limit)."""


class InputFileError(DmafError):
    """An input file is missing, unreadable, too large or not the expected kind of file."""


class CitiesTableError(DmafError):
    """The cities table is unreadable or inconsistent (missing columns, empty or repeated names)."""


class FrameworkError(DmafError):
    """A framework file is missing, unreadable or inconsistent."""


class SpecError(DmafError):
    """A sensitivity spec is unreadable or inconsistent with its framework."""


class NoDataError(DmafError):
    """The data hold nothing to analyse (no cycle, no scored city, fewer cycles than needed)."""


class CycleNotInDataError(DmafError, LookupError):
    """The data hold no scores for the requested cycle."""


class SynthesisError(DmafError):
    """The synthetic panel cannot be generated so that it meets the published facts."""


class BatchLockedError(DmafError):
    """Another batch is rendering into the same output folder."""


class UnknownCityError(DmafError, LookupError):
    """A city name matches no Smart City, directly or through an alias."""

    def __init__(self, name: str, suggestions: list[str]):
        self.name = name
        self.suggestions = list(suggestions)
        hint = f"; closest matches: {', '.join(self.suggestions)}" if self.suggestions else ""
        super().__init__(f"unknown city {shorten(name)}{hint}")


class RepeatedCityError(ArgumentError):
    """A list of cities names one city more than once, perhaps spelt differently or by an alias.

    ``spellings`` maps each repeated city's canonical name to the names given for it, in
    the order given; the message names them all (``'Surat' and 'surat' both name Surat``).
    """

    def __init__(self, spellings: dict[str, list[str]]):
        self.spellings = {city: list(given) for city, given in spellings.items()}
        parts = []
        for city, given in list(self.spellings.items())[:10]:
            distinct = list(dict.fromkeys(given))
            if len(distinct) == 1:
                parts.append(f"{shorten(distinct[0])} is given {'twice' if len(given) == 2 else f'{len(given)} times'}")
            else:
                shown = ", ".join(map(shorten, distinct[:5])) + (f" and {len(distinct) - 5:,} more" if len(distinct) > 5
                                                                  else "")
                if len(distinct) <= 5:
                    shown = ", ".join(map(shorten, distinct[:-1])) + f" and {shorten(distinct[-1])}"
                parts.append(f"{shown} {'both' if len(distinct) == 2 else 'all'} name {city}")
        if len(self.spellings) > 10:
            parts.append(f"and {len(self.spellings) - 10:,} more cities")
        super().__init__(f"the same city is named more than once: {'; '.join(parts)}; give different cities")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input table.

    ``row`` is the 1-based line number in the file for text files (the header is
    line 1; ``unit`` is "line") and the 1-based row number for Parquet (``unit``
    is "row"); ``None`` when the problem concerns the whole file or a whole column.
    """

    file: str
    row: int | None
    column: str | None
    value: object
    message: str
    unit: str = "line"

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"{self.unit} {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        value = "" if self.value is None else f" (value {self.value!r})"
        return f"{', '.join(where)}: {self.message}{value}"


class CityNotInDataError(UnknownCityError):
    """A Smart City that has no scores in the requested cycle of the data.

    The one message for this condition everywhere (report, batch, compare, whatif):
    it names the cycles in which the city does have scores (``assessed``) and the
    score table by its file name only (``source``, a path or a label).
    """

    def __init__(self, name: str, cycle: int, assessed=(), source: str | None = None):
        self.name = name
        self.cycle = int(cycle)
        self.assessed = sorted({int(c) for c in assessed})
        self.suggestions: list[str] = []
        where = f" of {PurePath(str(source)).name}" if source else ""
        detail = (f"cycle(s) with its scores: {', '.join(map(str, self.assessed))}" if self.assessed
                  else "it has no scores in any cycle")
        DmafError.__init__(self, f"{name} was not assessed in cycle {self.cycle}{where}; {detail}")


class ReportCardError(DmafError):
    """A report card file cannot be read as a whole (the message names the file)."""


class NotAReportCardError(ReportCardError):
    """The file is readable but holds no DMAF report card."""


class TruncatedReportCardError(ReportCardError):
    """The report card stops early, or indicator headings are missing."""


class UnreadableFileError(ReportCardError):
    """The file is missing, empty, binary, not UTF-8 or a broken PDF."""


class KernelSetupError(DmafError, RuntimeError):
    """Warm-up or reset code failed inside a batch kernel."""


class RecommendationsError(DmafError):
    """The recommendations file is missing, malformed, or names indicators its framework lacks."""


class PdfEngineMissing(DmafError):
    """Chromium, ChromeDriver or selenium is not available; the message says what to install."""


class PdfError(DmafError):
    """Printing one page to PDF failed (the message names the page)."""


class WriteError(DmafError, OSError):
    """An output file could not be written (the message names the file, not a temporary one)."""


class DataValidationError(DmafError):
    """An input table failed validation; ``problems`` lists every failure.

    The message groups repeated problems (one line per distinct problem, at most
    about 30 lines: :func:`summarise_problems`) and ends with
    ``hints`` saying how to fix them.
    """

    def __init__(self, problems: list[Problem], *, hints: list[str] | tuple[str, ...] = ()):
        self.problems = list(problems)
        self.hints = list(hints)
        count = len(self.problems)
        lines = summarise_problems(self.problems, max_lines=MAX_PROBLEM_LINES - 1 - len(self.hints))
        n_distinct = len({problem_key(p) for p in self.problems})
        distinct = f" ({n_distinct:,} distinct)" if n_distinct < count else ""
        head = f"{count:,} problem{'s' if count != 1 else ''} found{distinct}:"
        super().__init__("\n".join([head, *lines, *(f"  hint: {h}" for h in self.hints)]))


# ------------------------------------------------------------------ many problems as a short message
# A bad table can hold a million problems; a person can read thirty lines. The same
# problem on many rows becomes one line with its count and first row numbers, and when
# that is still too long, problems of one kind share a heading with as many examples as
# fit. Pure Python, no pandas: usable for problems found by any reader.
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


def shorten(value, limit: int = 60) -> str:
    """``repr(value)`` for a message, cut to about ``limit`` characters, with its full length when longer.

    ``shorten("x" * 100_000)`` gives ``'xxxx...' (100,000 characters)``: a message
    quoting data never echoes a huge value in full.
    """
    text = repr(value)
    if len(text) <= max(int(limit), 24):
        return text
    if isinstance(value, str):
        size = f"{len(value):,} characters"
    elif isinstance(value, (list, tuple, dict, set)):
        size = f"{len(value):,} items"
    else:
        size = f"{len(text):,} characters"
    return f"{text[:max(int(limit), 24) - 4]}... ({size})"


def bounded_message(head: str, messages: Sequence[str], *, source: str,
                    max_lines: int = MAX_PROBLEM_LINES) -> str:
    """``head`` and the ``messages`` about one input (``source``, "" for none), grouped by :func:`summarise_problems`.

    For checks that find problems as sentences (a spec, command-line values): the
    same sentence repeated becomes one line with its count, and however many there
    are, the message has at most ``max_lines`` lines after ``head``.
    """
    counts: dict[str, int] = {}
    for m in messages:
        counts[m] = counts.get(m, 0) + 1
    where = f"{source}: " if source else ""
    if len(counts) <= max_lines:
        lines = [f"  - {where}{m}" + (f" ({n:,} times)" if n > 1 else "") for m, n in counts.items()]
    else:
        lines = summarise_problems([Problem(source or "\0", None, None, None, m) for m in messages],
                                   max_lines=max_lines)
        if not source:
            lines = [line.replace("\0: ", "", 1) for line in lines]
    return "\n".join([head, *lines])
