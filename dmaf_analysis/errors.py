"""Typed exceptions raised by dmaf_analysis: every one of them lives here.

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

from dataclasses import dataclass
from pathlib import PurePath

from .problem_summary import MAX_PROBLEM_LINES, problem_key, summarise_problems

__all__ = [
    "ArgumentError", "BatchLockedError", "CitiesTableError", "CityNotInDataError", "ConfigurationError",
    "CycleNotInDataError", "DataValidationError", "DmafError", "FrameworkError", "InputFileError",
    "KernelSetupError", "NoDataError", "NotAReportCardError", "PdfEngineMissing", "PdfError", "Problem",
    "RecommendationsError", "RepeatedCityError", "ReportCardError", "SpecError", "SynthesisError",
    "TruncatedReportCardError", "UnknownCityError", "UnreadableFileError", "UsageError", "WriteError",
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
        super().__init__(f"unknown city {name!r}{hint}")


class RepeatedCityError(ArgumentError):
    """A list of cities names one city more than once, perhaps spelt differently or by an alias.

    ``spellings`` maps each repeated city's canonical name to the names given for it, in
    the order given; the message names them all (``'Surat' and 'surat' both name Surat``).
    """

    def __init__(self, spellings: dict[str, list[str]]):
        self.spellings = {city: list(given) for city, given in spellings.items()}
        parts = []
        for city, given in self.spellings.items():
            distinct = list(dict.fromkeys(given))
            if len(distinct) == 1:
                parts.append(f"{distinct[0]!r} is given {'twice' if len(given) == 2 else f'{len(given)} times'}")
            else:
                shown = ", ".join(map(repr, distinct[:-1])) + f" and {distinct[-1]!r}"
                parts.append(f"{shown} {'both' if len(distinct) == 2 else 'all'} name {city}")
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
    about 30 lines: :func:`dmaf_analysis.problem_summary.summarise_problems`) and ends with
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
