"""The ``dmaf`` command line (entry point ``dmaf = dmaf_analysis.cli:main``).

The parts: ``_main`` (the parser, error handling, exit codes), ``_args`` (the
checks of flag values), and one module per group of sub-commands, each exposing
``register(subparsers)``: ``_tables`` (validate, score, summary), ``_synth``,
``_ingest``, ``_reports`` (report, batch), ``_sensitivity`` and ``_single``
(national, trends, compare, whatif). Heavy imports happen inside the runners, so
``dmaf --help`` stays fast.
"""
from __future__ import annotations

from ._main import build_parser, main

__all__ = [
    "build_parser", "main"
]
