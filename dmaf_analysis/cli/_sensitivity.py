"""Sub-command ``sensitivity``: Sobol indices of every declared assumption."""
from __future__ import annotations

import argparse
import sys

from ._args import CITIES_HELP, CYCLE_HELP, DATA_HELP, check_outputs, cycle_number, samples, whole_number
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
    p.add_argument("--data", default="", metavar="FILE", help=DATA_HELP)
    p.add_argument("--cities", metavar="FILE", help=CITIES_HELP)
    p.add_argument("--cycle", type=cycle_number, default=0, metavar="N", help=CYCLE_HELP)
    p.add_argument("--samples", type=samples, default=4096, metavar="N",
                   help="base samples, a power of 2 from 2 to 65,536 (more when the environment variable "
                        "DMAF_MAX_SAMPLES allows it; run time grows with N, memory hardly: about 0.4 GB at "
                        "65,536 on the bundled data); the model runs N x (assumptions + 2) times (default: 4096)")
    p.add_argument("--spec", default="", metavar="FILE",
                   help="sensitivity spec (default: <framework>.sensitivity.yaml beside the framework file)")
    p.add_argument("--seed", type=whole_number(0, 2**32 - 1), default=0, metavar="N",
                   help="random seed, a whole number from 0 to 4,294,967,295 (default: 0)")
    p.add_argument("--no-cities", action="store_true",
                   help="only the two national outputs (mean_rank_shift, n_certified), not one per city")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="write the table here (CSV, Parquet or Excel by suffix) instead of printing it as CSV; "
                        "never one of the inputs")
    p.set_defaults(func=_run_sensitivity)


def _run_sensitivity(args) -> int:
    from .._util.paths import bundled_scores_path, cities_path
    from ..io import spreadsheet_safe, table_format
    from ..scoring import load_dataset, resolve_cycle
    from ..sensitivity import INDEX_COLUMNS, sensitivity_analysis

    inputs = [args.data or bundled_scores_path(), args.cities or cities_path(), args.spec]
    if args.output:  # refuse a bad target before the work, not after
        table_format(args.output)
        check_outputs([args.output], inputs)
    ds = load_dataset(args.data or None, cities=args.cities or None)
    scores, frameworks, cities = ds.scores, ds.frameworks, ds.cities
    cycle = resolve_cycle(scores["cycle"].unique(), args.cycle)
    result = sensitivity_analysis(scores, cycle=cycle, frameworks=frameworks, cities=cities,
                                  spec=args.spec or None, n_samples=args.samples, seed=args.seed,
                                  city_outputs=not args.no_cities)
    table = result.indices[INDEX_COLUMNS]
    s = result.settings.iloc[0]
    note = (f"cycle {cycle}: {int(s['n_runs']):,} model runs ({int(s['n_samples'])} base samples x "
            f"({int(s['n_groups'])} assumption{'s' if int(s['n_groups']) != 1 else ''} + 2)), spec {s['spec']}"
            + (f"\nnote: {s['notes']}" if s["notes"] else ""))
    if args.output:
        write_for_people(table, args.output, scores=scores[scores["cycle"] == cycle], frameworks=frameworks,
                         title=f"Sensitivity of ranks and certification, cycle {cycle}",
                         holds=("Sobol indices of each declared assumption for each output (sheet 'Results'); "
                                + note.replace("\n", " ")), inputs=inputs)
        print(f"wrote {len(table)} rows to {args.output}; {note}")
    else:
        spreadsheet_safe(table).to_csv(sys.stdout, index=False, lineterminator="\n", float_format="%.6g")
        print(note, file=sys.stderr)
    return 0
