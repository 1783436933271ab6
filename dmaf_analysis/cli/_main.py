"""The ``dmaf`` command line.

Each sub-command lives in a module that exposes ``register(subparsers)``; the module
adds its parser and sets ``func`` to a callable taking the parsed arguments and
returning an exit code; every runner is named ``_run_<command>``. Heavy imports
happen inside those callables, so ``dmaf --help`` stays fast. Errors the package
raises on purpose (:class:`~dmaf_analysis.errors.DmafError`) are printed once,
without a traceback. Exit status: 0 success, 1 bad data or a failed report, 2 a
usage error (a flag refused by ``_args``, or
:class:`~dmaf_analysis.errors.UsageError`), 130 interrupted, 141 closed pipe.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from ..errors import DmafError, UsageError
from ._args import size_mb

__all__ = ["build_parser", "main"]

# Modules that contribute sub-commands, in the order they appear in --help.
_COMMAND_MODULES = (
    "dmaf_analysis.cli._tables",
    "dmaf_analysis.cli._synth",
    "dmaf_analysis.cli._ingest",
    "dmaf_analysis.cli._reports",
    "dmaf_analysis.cli._sensitivity",
    "dmaf_analysis.cli._single",
    "dmaf_analysis.cli._explore",
)


_MAX_SIZE_HELP = ("largest input file to read, in megabytes (default 256, or the environment variable "
                  "DMAF_MAX_INPUT_MB)")


class _TerminalStream:
    """A text stream that shows control characters from data as visible escapes.

    Wraps ``sys.stdout`` when it is a terminal (piped output stays byte-exact) and
    ``sys.stderr`` always (messages quote data; carriage returns are kept there
    for progress bars).
    """

    def __init__(self, stream, *, keep_carriage_return: bool):
        self._stream = stream
        self._keep_cr = keep_carriage_return

    def write(self, text):
        from .._util.escaping import terminal_text

        return self._stream.write(terminal_text(text, keep_carriage_return=self._keep_cr))

    def __getattr__(self, name):
        return getattr(self._stream, name)


class _CommandParser(argparse.ArgumentParser):
    """A sub-command's parser: it refuses the arguments it does not know itself.

    argparse leaves a sub-command's unrecognised arguments to the top-level parser,
    whose message (``dmaf: error:``) and usage line do not say which command was
    meant; this one reports them with its own (``dmaf score: error: unrecognized
    arguments: --bogus``), exit status 2.
    """

    def parse_known_args(self, args=None, namespace=None):
        namespace, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return namespace, extras


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dmaf",
        description="Validate, score, ingest and report on DMAF (Data Maturity Assessment Framework) data.",
    )
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks for unexpected errors")
    parser.add_argument("--max-size", type=size_mb, metavar="MB", help=_MAX_SIZE_HELP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_CommandParser)
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # a command module not written yet
                continue
            raise
        module.register(sub)
    for command in sub.choices.values():  # also accepted after the command name
        command.add_argument("--max-size", type=size_mb, metavar="MB", default=argparse.SUPPRESS,
                             help=_MAX_SIZE_HELP)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    _skip_uri_grammar()
    if args.max_size:
        import os

        from .._util.fileio import MAX_INPUT_ENV

        os.environ[MAX_INPUT_ENV] = args.max_size  # also seen by the kernels a batch starts
    stdout, stderr = sys.stdout, sys.stderr
    if _isatty(stdout):
        sys.stdout = _TerminalStream(stdout, keep_carriage_return=False)
    sys.stderr = _TerminalStream(stderr, keep_carriage_return=True)
    try:
        return _run(args)
    finally:
        sys.stdout, sys.stderr = stdout, stderr


def _skip_uri_grammar() -> None:
    """Keep jsonschema from loading ``rfc3987_syntax`` in this process.

    jsonschema (imported by nbformat, which writes every report notebook) loads
    that optional package when it is installed, and the package builds a Lark
    grammar for RFC 3987 URIs as it is imported: about 2 CPU-seconds per
    command, for a URI format check that no notebook schema makes. Done only
    in the command line's own process, never on import of the library.
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # None: "import rfc3987_syntax" raises ImportError


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _run(args) -> int:
    try:
        return int(args.func(args) or 0)
    except UsageError as exc:
        print(f"dmaf {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except DmafError as exc:
        print(f"dmaf {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"dmaf {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (``dmaf score x.csv | head -1``): stop quietly, but not with success
        _silence_stdout()
        return 141
    except Exception as exc:  # noqa: BLE001 - last line of defence for a CLI
        if args.debug:
            raise
        print(f"dmaf {args.command}: unexpected error: {type(exc).__name__}: {exc}\n"
              f"(run 'dmaf --debug {args.command} ...' for the traceback, and please report it)",
              file=sys.stderr)
        return 1


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's final flush does not fail on the closed pipe."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno())
        os.close(devnull)
    except (OSError, AttributeError, ValueError):
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
