"""Sub-commands ``explore`` (the explorer page of a cycle) and ``scenarios`` (alternative versions of the index)."""
from __future__ import annotations

import argparse
import sys

from ._reports import data_options, output_options, output_root

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "explore", help="write the explorer page: every city, sortable, searchable, re-weightable",
        description="Write OUTPUT_DIR/explore/cycle-<N>.html: one self-contained page (it works offline) with "
                    "every city of the cycle in a sortable, searchable table, one weight slider per component "
                    "(overall, level and rank recomputed in the page) and linked charts. Cities whose report "
                    "card exists under OUTPUT_DIR are linked to it.")
    data_options(p)
    output_options(p, render=False)
    p.add_argument("--scenarios", default="", metavar="FILE",
                   help="a scenarios file (YAML, see dmaf scenarios): the page also compares them")
    p.set_defaults(func=_run_explore)

    p = sub.add_parser(
        "scenarios", help="compare alternative versions of the index (weights, aggregation, thresholds, ...)",
        description="Score every city under each scenario of FILE (YAML: a list under 'scenarios:', each with a "
                    "name and any of weights, aggregation, geometric_offset, thresholds, leave_out) and under the "
                    "index as published ('baseline'). Writes one row per scenario, cycle and city: scenario, "
                    "cycle, city, overall, level, rank, rank_change (baseline rank minus scenario rank, so moving "
                    "up is positive), and prints a short summary.")
    p.add_argument("file", metavar="FILE", help="scenarios file (YAML)")
    data_options(p, cycle=False)
    p.add_argument("--cycle", type=int, default=None, metavar="N",
                   help="one assessment cycle, 0 for the latest (default: every cycle of the data)")
    p.add_argument("-o", "--output", default="", metavar="FILE",
                   help="write the table here (CSV or Parquet by suffix) instead of printing it")
    p.set_defaults(func=_run_scenarios)


def _dataset(args):
    from ..scoring import load_dataset

    return load_dataset(args.data or None, args.attributes if args.attributes else None,
                        cities=args.cities or None)


def _run_explore(args) -> int:
    from pathlib import Path

    from ..explore import load_scenarios, scenario_table, write_explore_page

    data = _dataset(args)
    cycle = data.resolve_cycle(args.cycle)
    table = None
    if args.scenarios:
        table = scenario_table(data.scores, load_scenarios(args.scenarios, frameworks=data.frameworks),
                               cycle=cycle, frameworks=data.frameworks)
    label = Path(args.data).name if args.data else "bundled data/scores.csv"
    path = write_explore_page(data, cycle=cycle, output_dir=output_root(args), scenarios=table, data_label=label)
    print(f"explorer of cycle {cycle}: {path}")
    return 0


def _run_scenarios(args) -> int:
    from .._util.fileio import refuse_input_as_output
    from ..explore import load_scenarios, scenario_summary, scenario_table
    from ..io import spreadsheet_safe, table_format, write_table

    if args.output:
        table_format(args.output)
        refuse_input_as_output(args.output, [args.file, args.data, args.cities, args.attributes])
    data = _dataset(args)
    scenarios = load_scenarios(args.file, frameworks=data.frameworks)
    table = scenario_table(data.scores, scenarios, cycle=args.cycle, frameworks=data.frameworks)
    summary = scenario_summary(table)
    if args.output:
        write_table(table, args.output)
        print(f"wrote {len(table):,} rows to {args.output}", file=sys.stderr)
    else:
        spreadsheet_safe(table).to_csv(sys.stdout, index=False)
    print(_summary_text(summary), file=sys.stderr if not args.output else sys.stdout)
    return 0


def _summary_text(summary) -> str:
    lines = []
    for r in summary.itertuples(index=False):
        mean = "no city ranked both ways" if r.n_cities == 0 else \
            f"mean absolute rank change {r.mean_abs_rank_change:.1f}"
        movers = f"; largest movers: {r.largest_movers}" if r.largest_movers else ""
        lines.append(f"{r.scenario}, cycle {r.cycle}: {r.n_level_changed} of {r.n_cities} "
                     f"{'city' if r.n_cities == 1 else 'cities'} change level, {r.n_rank_changed} change rank, "
                     f"{mean}{movers}")
    return "\n".join(lines)
