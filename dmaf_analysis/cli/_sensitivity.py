"""Sub-command ``sensitivity``: Sobol indices of every declared assumption."""
from __future__ import annotations

import argparse
import sys

from ._args import power_of_two
from ._tables import write_for_people

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sensitivity", help="which assumption moves ranks and certification: Sobol indices",
        description="Variance-based sensitivity analysis of the assumptions declared in the framework's "
                    "<framework>.sensitivity.yaml (weights, aggregation, thresholds, inferred maxima, missing "
                    "values). Writes one row per (output, assumption) with columns output, assumption, S1, "
                    "S1_low, S1_high, ST, ST_low, ST_high; outputs are mean_rank_shift, n_certified and, per "
                    "city, 'rank: <city>' and 'certified: <city>'.")
    p.add_argument("--data", default="", metavar="FILE",
                   help="score table, CSV or Parquet (default: the bundled data/scores.csv)")
    p.add_argument("--cities", metavar="FILE", help="cities table (default: the 100 Smart Cities)")
    p.add_argument("--cycle", type=int, default=0, metavar="N", help="cycle to analyse (default: the latest)")
    p.add_argument("--samples", type=power_of_two, default=4096, metavar="N",
                   help="base samples, a power of 2; the model runs N x (assumptions + 2) times (default: 4096)")
    p.add_argument("--spec", default="", metavar="FILE",
                   help="sensitivity spec (default: <framework>.sensitivity.yaml beside the framework file)")
    p.add_argument("--seed", type=int, default=0, metavar="N", help="random seed (default: 0)")
    p.add_argument("--no-cities", action="store_true",
                   help="only the two national outputs (mean_rank_shift, n_certified), not one per city")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="write the table here (CSV, Parquet or an Excel workbook, by suffix) instead of printing "
                        "it as CSV")
    p.set_defaults(func=_run_sensitivity)


def _run_sensitivity(args) -> int:
    from ..io import spreadsheet_safe
    from ..scoring import load_dataset, resolve_cycle
    from ..sensitivity import INDEX_COLUMNS, sensitivity_analysis

    ds = load_dataset(args.data or None, cities=args.cities or None)
    scores, frameworks, cities = ds.scores, ds.frameworks, ds.cities
    cycle = resolve_cycle(scores["cycle"].unique(), args.cycle)
    result = sensitivity_analysis(scores, cycle=cycle, frameworks=frameworks, cities=cities,
                                  spec=args.spec or None, n_samples=args.samples, seed=args.seed,
                                  city_outputs=not args.no_cities)
    table = result.indices[INDEX_COLUMNS]
    s = result.settings.iloc[0]
    note = (f"cycle {cycle}: {int(s['n_runs']):,} model runs ({int(s['n_samples'])} base samples x "
            f"({int(s['n_groups'])} assumptions + 2)), spec {s['spec']}"
            + (f"\nnote: {s['notes']}" if s["notes"] else ""))
    if args.output:
        write_for_people(table, args.output, scores=scores[scores["cycle"] == cycle], frameworks=frameworks,
                         title=f"Sensitivity of ranks and certification, cycle {cycle}",
                         holds=("Sobol indices of each declared assumption for each output (sheet 'Results'); "
                                + note.replace("\n", " ")))
        print(f"wrote {len(table)} rows to {args.output}; {note}")
    else:
        spreadsheet_safe(table).to_csv(sys.stdout, index=False, lineterminator="\n", float_format="%.6g")
        print(note, file=sys.stderr)
    return 0
