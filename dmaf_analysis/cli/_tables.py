"""Sub-commands ``validate``, ``score`` and ``summary``."""
from __future__ import annotations

import argparse
import sys

from ._args import CITIES_HELP, CYCLE_HELP, cycle_number, add_score_table, check_outputs, score_table_path

__all__ = ["register", "write_for_people"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check a score table against the data contract",
                       description="Check a score table (CSV or Parquet; default: the data folder's "
                                   "scores.csv) against the data contract. Exit 0 with a one-line summary when "
                                   "valid, 1 with every problem when not.")
    add_score_table(p, positional=True)
    p.add_argument("--cities", metavar="FILE", help=CITIES_HELP)
    p.set_defaults(func=_run_validate)

    p = sub.add_parser("score", help="score every city: components, overall, level, rank",
                       description="Score every city and cycle of a score table (default: the data "
                                   "folder's scores.csv).")
    add_score_table(p, positional=True)
    p.add_argument("-o", "--output", help="write the result here (CSV, Parquet or Excel by suffix) instead of "
                                          "printing it; never one of the inputs")
    p.add_argument("--cities", metavar="FILE", help=CITIES_HELP)
    p.add_argument("--missing-as-zero", action="store_true",
                   help="count missing indicators as 0 points (default: the component is missing)")
    p.add_argument("--bounds", action="store_true",
                   help="add the range the known values allow: overall_low/overall_high (every missing or "
                        "synthetic value at 0 / at its maximum), level_low/level_high, rank_best (the city at "
                        "its high bound, every other at its low bound) and rank_worst (the reverse)")
    p.set_defaults(func=_run_score)

    p = sub.add_parser("summary", help="national or group summary of scored cities",
                       description="Summary statistics (count, mean, median, quartiles, certified) per component.")
    add_score_table(p, positional=True)
    p.add_argument("--cycle", type=cycle_number, default=0, metavar="N", help=CYCLE_HELP)
    p.add_argument("--by", default="national", metavar="COLUMN",
                   help="national (default), or any column of the cities table (state, region, selection_round, "
                        "or one of your own with --cities) or of the attribute table (--attributes)")
    p.add_argument("--attributes", default=None, metavar="FILE",
                   help="city attribute table whose columns --by may name (default: the bundled one with the "
                        "bundled data, none with your own score table)")
    p.add_argument("--cities", metavar="FILE", help=CITIES_HELP)
    p.set_defaults(func=_run_summary)


def _load(args):
    from .._util.paths import bundled_scores_path
    from ..cities import load_cities
    from ..framework import load_frameworks
    from ..io import read_scores

    cities = load_cities(args.cities) if getattr(args, "cities", None) else load_cities()
    frameworks = load_frameworks()
    path = score_table_path(args) or bundled_scores_path()
    return read_scores(path, frameworks=frameworks, cities=cities), frameworks, cities, path


def write_for_people(table, target, *, scores, frameworks, title: str, holds: str, inputs=()) -> None:
    """``table`` to ``target``: CSV or Parquet as it is, or an Excel workbook for people (About sheet, worded
    headers, formats, where each city row's values come from)."""
    from .._util.fileio import refuse_input_as_output
    from ..framework import framework_title
    from ..io import provenance_note, table_format, value_sources, WorkbookAbout, write_table, write_workbook

    if table_format(target) != "xlsx":
        write_table(table, target, inputs=inputs)
        return
    refuse_input_as_output(target, list(inputs))
    cycles = sorted(int(c) for c in scores["cycle"].unique())
    about = WorkbookAbout(title=title, holds=holds,
                          framework="; ".join(framework_title(frameworks[c].name, c) for c in cycles
                                              if c in frameworks),
                          provenance=provenance_note(scores))
    write_workbook({"scores" if "city" in table.columns else "results": table}, target, about=about,
                   sources=value_sources(scores))


def _describe(scores) -> str:
    cycles = sorted(scores["cycle"].unique())
    parts = []
    for c in cycles:
        part = scores[scores["cycle"] == c]
        n = part["city"].nunique()
        parts.append(f"cycle {c}: {n} {'city' if n == 1 else 'cities'}")
    missing = int(scores["score"].isna().sum())
    tail = f", {missing} empty scores" if missing else ""
    return f"{len(scores)} rows ({'; '.join(parts)}){tail}"


def _run_validate(args) -> int:
    scores, _, _, path = _load(args)
    print(f"{path}: valid score table, {_describe(scores)}")
    return 0


def _run_score(args) -> int:
    import pandas as pd

    from .._util.paths import bundled_scores_path
    from ..io import spreadsheet_safe, table_format
    from ..scoring import score_cities, score_columns

    inputs = [score_table_path(args) or bundled_scores_path(), args.cities]
    if args.output:  # refuse a bad target before the work, not after
        table_format(args.output)
        check_outputs([args.output], inputs)
    scores, frameworks, cities, _ = _load(args)
    scored = score_cities(scores, frameworks=frameworks, cities=cities,
                          treat_missing_as_zero=args.missing_as_zero)
    table = scored[score_columns(frameworks)]
    if args.bounds:
        from ..scoring import add_bounds
        table = add_bounds(table, scores, frameworks=frameworks)
    if args.output:
        write_for_people(table, args.output, scores=scores, frameworks=frameworks, inputs=inputs,
                         title="City scores", holds="Every city's component scores, overall score, level and "
                                                    "rank for each cycle of the score table (sheet 'Scores').")
        incomplete = int((~table["complete"]).sum())
        note = f"; {incomplete} incomplete (see column 'complete')" if incomplete else ""
        print(f"wrote {len(table)} rows to {args.output}{note}")
    else:
        with pd.option_context("display.max_rows", None, "display.width", 200):
            spreadsheet_safe(table).to_csv(sys.stdout, index=False, lineterminator="\n")
    return 0


def _run_summary(args) -> int:
    import pandas as pd

    from ..cities import has_values
    from ..errors import CitiesTableError
    from ..framework import framework_title
    from ..io import is_synthetic
    from ..scoring import group_summary, grouping_columns, load_dataset, resolve_cycle
    from ..stats import leaderboard

    data = load_dataset(score_table_path(args) or None, args.attributes, cities=args.cities or None)
    scored, scores, frameworks = data.scored, data.scores, data.frameworks
    attributes = data.attributes if len(data.attributes) else None
    if args.by != "national" and not (has_values(data.cities, args.by)
                                      or (attributes is not None and has_values(attributes, args.by))):
        where = data.cities.attrs.get("source") or args.cities or "the cities table"
        also = ", and neither has the attribute table" if attributes is not None else ""
        usable = [b for b in grouping_columns(cities=data.cities, attributes=attributes)
                  if has_values(data.cities, b) or (attributes is not None and has_values(attributes, b))]
        raise CitiesTableError(f"the cities table {where} has no '{args.by}' column (or leaves it empty for "
                               f"every city){also}, so the cities cannot be grouped by {args.by}; add that column "
                               "to the cities table, or choose one of: " + ", ".join(["national"] + usable))
    cycle = resolve_cycle(scored["cycle"].unique(), args.cycle)
    part = scored[scored["cycle"] == cycle]
    summary = group_summary(part, by=args.by, frameworks=frameworks, cities=data.cities, attributes=attributes)
    cyc_scores = scores[scores["cycle"] == cycle]
    present = cyc_scores["score"].notna()
    n_syn = int(is_synthetic(cyc_scores.loc[present, "source"]).sum())
    title = framework_title(frameworks[cycle].name, cycle)
    print(f"{title}: {len(part)} cities, {int(part['certified'].sum())} certified, "
          f"{int(part['overall'].notna().sum())} with a complete overall score")
    if n_syn:
        print(f"Note: {n_syn} of {int(present.sum())} indicator values are SYNTHETIC (illustrative, not real scores).")
    if not part["overall"].notna().any():
        print(f"No city has a complete overall score in cycle {cycle}: each one lacks a value for at least one "
              "indicator, so there is nothing to summarise or rank.")
        return 0
    shown = summary.drop(columns=["cycle", "grouping"]).round(1)
    with pd.option_context("display.max_rows", None, "display.width", 200):
        print(shown.to_string(index=False))
    # every city ranked 10th or better, so a tie at the cut-off lists all the tied cities
    top = leaderboard(part, cycle=cycle, top=10, frameworks=frameworks)
    top = top[["rank_label", "city", "state", "overall", "level"]].rename(columns={"rank_label": "rank"})
    extra = f" ({len(top)} cities: a shared rank lists every city that holds it)" if len(top) > 10 else ""
    print(f"\nTop 10{extra}:")
    print(top.to_string(index=False))
    return 0
