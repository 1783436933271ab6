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
from array import array
from dataclasses import dataclass, replace
from pathlib import PurePath

__all__ = [
    "ArgumentError", "BatchLockedError", "CitiesTableError", "CityNotInDataError", "ConfigurationError",
    "CycleNotInDataError", "DataValidationError", "DmafError", "FrameworkError", "InputFileError",
    "KernelSetupError", "MAX_KEPT_PROBLEMS", "MAX_PROBLEM_LINES", "NoDataError", "NotAReportCardError",
    "PdfEngineMissing", "PdfError", "Problem", "ProblemTally", "ROWS_SHOWN", "RecommendationsError",
    "RepeatedCityError", "ReportCardError", "SpecError", "SynthesisError", "TruncatedReportCardError",
    "UnknownCityError", "UnreadableFileError", "UsageError", "WriteError",
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
    """An input table failed validation; ``problems`` lists the failures, ``count`` says how many there are.

    The message groups repeated problems (one line per distinct problem, at most
    about 30 lines: :func:`summarise_problems`) and ends with ``hints`` saying how
    to fix them. ``problems`` may be a list of :class:`Problem` (all kept) or a
    :class:`ProblemTally` (a million problems in bounded memory: the first
    :data:`MAX_KEPT_PROBLEMS` are kept in ``problems``, every one is counted and
    summarised).
    """

    def __init__(self, problems, *, hints: list[str] | tuple[str, ...] = ()):
        self.hints = list(hints)
        if isinstance(problems, ProblemTally) and problems.complete:
            problems = sorted(problems.kept, key=lambda p: (p.row if p.row is not None else 0))
        if isinstance(problems, ProblemTally):
            tally, self.problems = problems, list(problems.kept)
        else:
            self.problems = list(problems)
            tally = ProblemTally(keep=0)
            tally.extend(self.problems)
        self.count = count = tally.count
        lines = _tally_lines(tally, max_lines=MAX_PROBLEM_LINES - 1 - len(self.hints), rows_shown=ROWS_SHOWN,
                             by_row=tally is problems)
        n_distinct = tally.n_distinct
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


#: Problems a :class:`ProblemTally` keeps as records; beyond them problems are only counted.
MAX_KEPT_PROBLEMS = 10_000


class _Member:
    """One distinct problem (see :func:`problem_key`): its first record, how often, its first rows."""

    __slots__ = ("problem", "n", "n_rows", "rows", "first_row", "seq")

    def __init__(self, problem: Problem, seq: int):
        self.problem, self.seq, self.n, self.n_rows, self.rows, self.first_row = problem, seq, 0, 0, [], None

    def add(self, row: int | None, rows_shown: int) -> None:
        self.n += 1
        if row is None:
            return
        self.n_rows += 1
        if self.first_row is None or row < self.first_row:
            self.first_row = row
        if len(self.rows) < rows_shown or row < self.rows[-1]:
            self.rows.append(row)
            if len(self.rows) > 1 and self.rows[-2] > row:
                self.rows.sort()
            del self.rows[rows_shown:]

    @property
    def weight(self) -> int:
        """Problems it stands for in counts (rows, or 1 for a problem of the whole file)."""
        return self.n_rows or 1


class _Kind:
    """Problems of one kind (file, unit, column, :func:`problem_kind`): counted, the first members kept."""

    __slots__ = ("members", "others", "n", "values", "first_row", "seq", "_counts")

    def __init__(self, seq: int):
        self.members: dict[tuple, _Member] = {}
        self.others = array("q")   # hashes of the problems not kept (8 bytes each, counted when summarised)
        self.values = array("q")   # hashes of the values
        self.n = 0
        self.first_row, self.seq = None, seq
        self._counts: tuple | None = None

    def _distinct(self) -> tuple[int, int]:
        if self._counts is None or self._counts[0] != self.n:
            others = len(set(self.others)) if self.others else 0
            self._counts = (self.n, len(self.members) + others, len(set(self.values)))
        return self._counts[1], self._counts[2]

    @property
    def n_members(self) -> int:
        """Distinct problems of this kind."""
        return self._distinct()[0]

    @property
    def n_values(self) -> int:
        """Distinct values of this kind."""
        return self._distinct()[1]


class ProblemTally:
    """Problems counted as they are found, in memory bounded by what a message can show.

    Use it like a list (``append``, ``extend``, ``len``). It keeps the first
    ``keep`` problems as records (``kept``) and, for every kind of problem (see
    :func:`problem_kind`), the first ``per_kind`` distinct problems with their
    count and first rows; beyond that it only counts (problems, distinct problems,
    distinct values). ``unit`` ("line" or "row"), when given, is set on every problem.
    """

    def __init__(self, *, unit: str | None = None, keep: int = MAX_KEPT_PROBLEMS, per_kind: int = MAX_PROBLEM_LINES,
                 rows_shown: int = ROWS_SHOWN):
        self.unit, self.keep, self.rows_shown = unit, int(keep), int(rows_shown)
        self.per_kind = max(int(per_kind), MAX_PROBLEM_LINES)
        self.kept: list[Problem] = []
        self.count = 0
        self._kinds: dict[tuple, _Kind] = {}
        self._seq = 0

    def append(self, problem: Problem) -> None:
        if self.unit is not None and problem.unit != self.unit:
            problem = replace(problem, unit=self.unit)
        self.count += 1
        if len(self.kept) < self.keep:
            self.kept.append(problem)
        kind_key = (problem.file, problem.unit, problem.column, problem_kind(problem))
        kind = self._kinds.get(kind_key)
        if kind is None:
            kind = self._kinds[kind_key] = _Kind(self._seq)
        kind.n += 1
        row = problem.row
        if row is not None and (kind.first_row is None or row < kind.first_row):
            kind.first_row = row
        key = problem_key(problem)
        member = kind.members.get(key)
        if member is None and len(kind.members) < self.per_kind:
            member = kind.members[key] = _Member(problem, self._seq)
        if member is not None:
            member.add(row, self.rows_shown)
        else:
            kind.others.append(hash(key))
        if problem.value is not None:
            kind.values.append(hash(key[-1]))
        self._seq += 1

    def extend(self, problems) -> None:
        for p in problems:
            self.append(p)

    def __len__(self) -> int:
        return self.count

    def __bool__(self) -> bool:
        return self.count > 0

    @property
    def complete(self) -> bool:
        """Whether every problem is kept as a record."""
        return self.count <= len(self.kept)

    def kinds(self) -> list[tuple[tuple, _Kind]]:
        """``((file, unit, column, kind), tally of that kind)`` for every kind, in the order first seen."""
        return list(self._kinds.items())

    @property
    def n_distinct(self) -> int:
        """Distinct problems (see :func:`problem_key`)."""
        return sum(k.n_members for k in self._kinds.values())


def _row_key(first_row, seq) -> tuple:
    return (first_row if first_row is not None else 0, seq)


def _rows_line(member: _Member, unit: str, shown: int) -> str:
    """``"line 4"``, ``"in 3 lines: 2, 5, 9"`` or ``"in 40 lines: 2, 3, 4, 5, 6, ..."``."""
    n = member.n_rows
    if n == 1:
        return f"{unit} {member.rows[0]}"
    head = ", ".join(str(r) for r in member.rows[:shown]) + (", ..." if n > shown else "")
    return f"in {n:,} {unit}s: {head}"


def _value_text(value) -> str:
    return "" if value is None else f" (value {value!r})"


def _member_line(m: _Member, rows_shown: int) -> str:
    """One line for a distinct problem: ``str(p)`` when seen once, else with its count and rows."""
    p = m.problem
    if m.n_rows <= 1:
        return f"  - {p}"
    column = f", column {p.column!r}" if p.column is not None else ""
    return f"  - {p.file}{column}: {p.message}{_value_text(p.value)}, {_rows_line(m, p.unit, rows_shown)}"


def _kind_cost(n_members: int, n_examples: int) -> int:
    """Lines a kind takes: one for a single problem; else a heading, its examples and, when
    not all fit, a closing "... and N more" line."""
    if n_members == 1:
        return 1
    return 1 + n_examples + (1 if 0 < n_examples < n_members else 0)


def _allot_examples(sizes: list[int], budget: int, limits: list[int]) -> list[int]:
    """Examples shown per kind (of ``sizes`` members, ``limits`` of them known): one more to each in turn while
    they fit."""
    examples = [0] * len(sizes)
    total = sum(_kind_cost(s, 0) for s in sizes)
    grown = True
    while grown:
        grown = False
        for i, size in enumerate(sizes):
            if examples[i] >= min(size, limits[i]):
                continue
            extra = _kind_cost(size, examples[i] + 1) - _kind_cost(size, examples[i])
            if total + extra <= budget:
                examples[i] += 1
                total += extra
                grown = True
    return examples


def _kind_lines(kind_key: tuple, kind: _Kind, members: list[_Member], n_examples: int,
                rows_shown: int) -> list[str]:
    """A kind's heading (count, number of values) and its first ``n_examples`` problems."""
    file, unit, column, what = kind_key
    n = sum(m.weight for m in members) + (kind.n - sum(m.n for m in members))
    where = f", column {column!r}" if column is not None else ""
    different = f", {kind.n_values:,} different values" if kind.n_values > 1 else ""
    lines = [f"  - {file}{where}: {what}: {n:,} problems{different}" + (":" if n_examples else "")]
    for m in members[:n_examples]:
        p = m.problem
        detail = p.message.split(";", 1)[1].strip() if ";" in p.message else ""
        label = repr(p.value) if p.value is not None else ""
        where_rows = _rows_line(m, unit, rows_shown) if m.n_rows else ""
        parts = [part for part in (label, ("on " if m.n_rows == 1 else "") + where_rows) if part.strip()]
        lines.append("      " + " ".join(parts) + (f"; {detail}" if detail else ""))
    if 0 < n_examples < kind.n_members:
        lines.append(f"      ... and {kind.n_members - n_examples:,} more")
    return lines


def _tally_lines(tally: ProblemTally, *, max_lines: int, rows_shown: int, by_row: bool) -> list[str]:
    """The summary of a :class:`ProblemTally` (see :func:`summarise_problems`); ``by_row``: order by first row
    rather than by the order the problems came in."""
    max_lines = max(int(max_lines), 2)

    def order(item):
        return _row_key(item.first_row, item.seq) if by_row else item.seq

    kinds = sorted(tally.kinds(), key=lambda kv: order(kv[1]))
    members = {k: sorted(kind.members.values(), key=order) for k, kind in kinds}
    if tally.n_distinct <= max_lines:  # every distinct problem is kept: one line each
        every = sorted((m for ms in members.values() for m in ms), key=order)
        return [_member_line(m, rows_shown) for m in every]
    tail = []
    if len(kinds) > max_lines:
        kinds, rest = kinds[:max_lines - 1], kinds[max_lines - 1:]
        n_rest = sum(sum(m.weight for m in kind.members.values()) + kind.n - sum(m.n for m in kind.members.values())
                     for _, kind in rest)
        tail = [f"  - ... and {len(rest):,} more kinds of problem ({n_rest:,} problems)"]
    examples = _allot_examples([kind.n_members for _, kind in kinds], max_lines - len(tail),
                               [len(members[k]) for k, _ in kinds])
    lines: list[str] = []
    for (key, kind), n_examples in zip(kinds, examples):
        if kind.n_members == 1:
            lines.append(_member_line(members[key][0], rows_shown))
        else:
            lines.extend(_kind_lines(key, kind, members[key], n_examples, rows_shown))
    return lines + tail


def summarise_problems(problems, *, max_lines: int = MAX_PROBLEM_LINES, rows_shown: int = ROWS_SHOWN) -> list[str]:
    """Describe ``problems`` in at most ``max_lines`` lines, one per distinct problem.

    Problems that differ only in their row (the same message, column and value)
    make one line with their count and first ``rows_shown`` row numbers. When the
    distinct problems are still too many for ``max_lines``, those of one kind
    (see :func:`problem_kind`) share a heading line giving their count and number
    of different values, followed by as many examples as fit. The order is that of
    the first occurrence of each problem. Pure Python: usable for any list of
    :class:`~dmaf_analysis.errors.Problem`, whoever found them, or for a
    :class:`ProblemTally` (ordered by first row then).

    Returns
    -------
    list of str
        Lines starting ``"  - "`` (headings and single problems) or ``"      "``
        (examples under a heading); ``str(problem)`` for a problem seen once.
    """
    if isinstance(problems, ProblemTally):
        return _tally_lines(problems, max_lines=max_lines, rows_shown=rows_shown, by_row=True)
    tally = ProblemTally(keep=0, rows_shown=rows_shown)
    tally.extend(problems)
    return _tally_lines(tally, max_lines=max_lines, rows_shown=rows_shown, by_row=False)


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
