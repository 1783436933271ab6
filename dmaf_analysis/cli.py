"""The ``dmaf`` command line.

Each sub-command lives in a module that exposes ``register(subparsers)``; the module
adds its parser and sets ``func`` to a callable taking the parsed arguments and
returning an exit code. Heavy imports happen inside those callables, so
``dmaf --help`` stays fast. Errors the package raises on purpose
(:class:`~dmaf_analysis.errors.DmafError`) are printed without a traceback.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from .errors import DmafError

# Modules that contribute sub-commands, in the order they appear in --help.
_COMMAND_MODULES = (
    "dmaf_analysis.cli_core",
    "dmaf_analysis.cli_synth",
    "dmaf_analysis.cli_ingest",
    "dmaf_analysis.cli_reports",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dmaf",
        description="Validate, score, ingest and report on DMAF (Data Maturity Assessment Framework) data.",
    )
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks for unexpected errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # a command module not written yet
                continue
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except DmafError as exc:
        print(f"dmaf {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"dmaf {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - last line of defence for a CLI
        if args.debug:
            raise
        print(f"dmaf {args.command}: unexpected error: {type(exc).__name__}: {exc}\n"
              f"(run 'dmaf --debug {args.command} ...' for the traceback, and please report it)",
              file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
