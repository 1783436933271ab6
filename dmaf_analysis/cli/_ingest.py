"""Sub-command ``ingest``: report cards (PDF or text) -> score table and city table."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._args import CITIES_HELP, MAX_CYCLE, check_outputs, whole_number

__all__ = ["register", "cities_output_path"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ingest", help="read DMAF report cards (PDF or extracted text) into a score table",
        description="Read DMAF report cards, one file per city (PDF or extracted text), or folders "
                    "of them, and write the long score table (cycle, city, state, indicator, score, "
                    "source, placed_by). Beside it, <name>_cities.<ext> gets the city table "
                    "(cycle, city, state, engagement_score, the printed component totals and "
                    "overall). Problems are printed to stderr; the exit code is 1 when any file "
                    "could not be read.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="report card files or folders of them")
    p.add_argument("-o", "--output", required=True,
                   help="score table to write (CSV, or Parquet with a .parquet suffix)")
    p.add_argument("--ambiguous", choices=["order", "missing"], default="order",
                   help="a score that more than one indicator could take: place it by framework "
                        "order and mark it placed_by=order (default), or leave it missing; "
                        "reported either way")
    p.add_argument("--cycle", type=whole_number(1, MAX_CYCLE), default=None, metavar="N",
                   help=f"cycle to assume for a card whose title states none, 1 to {MAX_CYCLE:,} (default: such a "
                        "card fails)")
    p.add_argument("--problems", metavar="FILE",
                   help="also write every problem to this CSV (file, level, component, candidates, message)")
    p.add_argument("--cities", metavar="FILE", help=CITIES_HELP)
    p.add_argument("-q", "--quiet", action="store_true", help="print errors only, not warnings")
    p.set_defaults(func=_run_ingest)


def cities_output_path(output: str | Path) -> Path:
    """``scores.csv`` -> ``scores_cities.csv`` (same folder, same suffix)."""
    output = Path(output)
    return output.with_name(f"{output.stem}_cities{output.suffix}")


def _run_ingest(args) -> int:
    from ..cities import load_cities
    from ..ingest import find_report_files, ingest, problems_frame
    from ..io import table_format, write_table

    outputs = [args.output, cities_output_path(args.output)] + ([args.problems] if args.problems else [])
    inputs = [*find_report_files(args.paths)[0], args.cities]
    for out in outputs:  # refuse a bad target before the work, not after
        table_format(out)
    check_outputs(outputs, inputs)
    cities = load_cities(args.cities) if args.cities else load_cities()
    scores, city_table, problems = ingest(args.paths, ambiguous=args.ambiguous, cities=cities,
                                          default_cycle=args.cycle)
    errors = [p for p in problems if p.level == "error"]
    for problem in problems:
        if problem.level == "error" or not args.quiet:
            print(f"dmaf ingest: {problem}", file=sys.stderr)
    if args.problems:
        write_table(problems_frame(problems), args.problems)
    if city_table.empty:
        print("dmaf ingest: no report card could be read; nothing written", file=sys.stderr)
        return 1
    cities_path = cities_output_path(args.output)
    # a failed write raises WriteError, whose message names the file once
    write_table(scores, args.output)
    write_table(city_table, cities_path)
    missing = int(scores["score"].isna().sum())
    by_order = int((scores["placed_by"] == "order").sum())
    warnings = len(problems) - len(errors)
    print(f"read {len(city_table)} report card(s): wrote {len(scores)} rows to {args.output} "
          f"({missing} missing, {by_order} placed by order) and {len(city_table)} to {cities_path}; "
          f"{len(errors)} file(s) failed, {warnings} warning(s)")
    return 1 if errors else 0
