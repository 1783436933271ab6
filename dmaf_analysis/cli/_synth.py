"""Sub-command ``synth``: write a seeded synthetic panel (scores, engagement, cities)."""
from __future__ import annotations

import argparse

from ._args import whole_number

__all__ = ["register"]

#: Same value as :data:`dmaf_analysis.synth.DEFAULT_SEED` (a test keeps them equal);
#: repeated here so that ``dmaf --help`` does not import numpy and pandas.
_DEFAULT_SEED = 20210625
_DEFAULT_OUTPUT = "synthetic_scores.csv"
_SUFFIXES = (".csv", ".parquet", ".pq")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "synth", help="write a seeded synthetic panel (demo and scale-test data)",
        description="Write a synthetic DMAF panel: the score table, the city attribute table "
                    "(engagement scores) beside it, and, beyond 100 cities, the extended cities table "
                    "needed to validate it. Every value is synthetic except Ludhiana's Cycle 2 "
                    "report-card values. With 100 cities the panel reproduces the published Cycle 2 "
                    "results; the same seed always writes the same files.")
    p.add_argument("-o", "--output", default=_DEFAULT_OUTPUT, metavar="FILE",
                   help=f"score table to write, .csv or .parquet (default: {_DEFAULT_OUTPUT} in the current "
                        "folder, so the bundled data/scores.csv is never overwritten by accident)")
    p.add_argument("--attributes", metavar="FILE",
                   help="city attribute table to write (default: <stem>_attributes<suffix> beside FILE)")
    p.add_argument("--seed", type=whole_number(0), default=_DEFAULT_SEED, metavar="N",
                   help=f"random seed, a whole number >= 0 (default: {_DEFAULT_SEED}, the bundled panel)")
    p.add_argument("--cities", type=whole_number(1, 100_000), default=100, metavar="N",
                   help="number of cities (default 100, the Smart Cities; more adds invented "
                        "'Synthetic City 0101'... and writes <stem>_cities.csv)")
    p.set_defaults(func=_run_synth)


def _run_synth(args) -> int:
    from pathlib import Path

    from ..cities import load_cities
    from ..errors import UsageError, WriteError
    from ..synth import panel_cities, sibling_paths, synthesize_panel, write_panel

    out = Path(args.output)
    attributes_path = Path(args.attributes) if args.attributes else sibling_paths(out)["attributes"]
    for path in (out, attributes_path):
        if path.is_dir():
            raise WriteError(f"{path}: is a folder; give a file name such as {path / 'scores.csv'}")
        if path.suffix.lower() not in _SUFFIXES:
            raise WriteError(f"{path}: unsupported file type {path.suffix or '(none)'!r}; use .csv or .parquet")
        blocker = next((p for p in path.parents if p.exists()), None)
        if blocker is not None and not blocker.is_dir():
            raise WriteError(f"{path}: cannot write there, {blocker} is a file, not a folder")
    if out.resolve() == attributes_path.resolve():
        raise UsageError(f"{out}: the score and attribute tables cannot be the same file")

    scores, attributes = synthesize_panel(seed=args.seed, n_cities=args.cities)
    extended = args.cities > len(load_cities())
    cities = panel_cities(args.cities) if extended else None
    # write failures raise WriteError, which names the file (never the temporary one)
    written = write_panel(scores, attributes, out, attributes_path=attributes_path, cities=cities)

    per_cycle = ", ".join(f"cycle {c}: {n} cities"
                          for c, n in scores.groupby("cycle")["city"].nunique().items())
    real = int((scores["source"] != "synthetic").sum())
    extra = f", cities table to {written['cities']} (pass it as --cities to validate)" if extended else ""
    print(f"wrote {len(scores):,} score rows ({per_cycle}; seed {args.seed}; all synthetic except "
          f"{real} report-card values) to {written['scores']}, engagement scores to "
          f"{written['attributes']}{extra}")
    return 0
