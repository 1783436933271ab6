"""Sub-commands for one job: ``national``, ``trends``, ``compare`` and ``whatif``."""
from __future__ import annotations

import argparse

from .._util.escaping import terminal_text as _term
from ..errors import RepeatedCityError, UsageError
from ._args import cycle_number, cycle_pair
from ._reports import data_options, output_options, output_root, report_outcome, stop_on_sigterm

__all__ = ["register", "whatif_text"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "national", help="render the national overview report of one cycle",
        description="Render the national overview of one cycle: OUTPUT_DIR/national/overview-cycle-<N>.ipynb "
                    "and .html, its tables as CSV, Parquet and one Excel workbook under "
                    "OUTPUT_DIR/national/cycle-<N>/ (the same places as 'dmaf batch').")
    data_options(p)
    output_options(p)
    p.set_defaults(func=_run_national)

    p = sub.add_parser(
        "trends", help="render the national trends report between two cycles",
        description="Render the change between two cycles: OUTPUT_DIR/national/trends-cycle-<A>-to-<B>.ipynb "
                    "and .html, its tables as CSV, Parquet and one Excel workbook under "
                    "OUTPUT_DIR/national/cycle-<A>-to-<B>/.")
    data_options(p, cycle=False)
    p.add_argument("--from", dest="cycle_from", type=cycle_number, default=0, metavar="A",
                   help="earlier cycle (default: the second-latest in the data)")
    p.add_argument("--to", dest="cycle_to", type=cycle_number, default=0, metavar="B",
                   help="later cycle (default: the latest in the data)")
    output_options(p)
    p.set_defaults(func=_run_trends)

    p = sub.add_parser(
        "compare", help="render a side-by-side card of two or more cities",
        description="Set two or more cities side by side in one cycle (overall, rank, level, components, "
                    "indicators) and write OUTPUT_DIR/compare/cycle-<N>/<cities>.html.")
    p.add_argument("city", nargs="+", metavar="CITY", help="two or more city names (aliases work)")
    data_options(p)
    output_options(p, render=False)
    p.add_argument("--pdf", action="store_true",
                   help="also write <name>.pdf (A4) beside the HTML page, printed by headless Chromium")
    p.set_defaults(func=_run_compare)

    p = sub.add_parser(
        "whatif", help="a city's scores if some indicators had other points",
        description="Print a city's components, overall score, level and rank now and with the indicator "
                    "points given by --set (the other cities unchanged).")
    p.add_argument("--city", required=True, metavar="NAME", help="city name (aliases work)")
    p.add_argument("--set", dest="changes", action="append", required=True, metavar="ID=POINTS",
                   help="new points of one indicator, e.g. --set 1.a=30 (repeat for more)")
    data_options(p)
    p.add_argument("--missing-as-zero", action="store_true",
                   help="count missing indicators as 0 points (default: the component is missing)")
    p.set_defaults(func=_run_whatif)


def _dataset(args, *, treat_missing_as_zero: bool = False):
    from ..scoring import load_dataset

    return load_dataset(args.data or None, args.attributes or None, cities=args.cities or None,
                        treat_missing_as_zero=treat_missing_as_zero)


def _run_national(args) -> int:
    from ..batch import render_national_report

    stop_on_sigterm()
    summary = render_national_report("overview", cycle=args.cycle, scores_path=args.data or None,
                                     attributes_path=args.attributes or None, cities=args.cities or None,
                                     output_dir=output_root(args), force=args.force, timeout=args.timeout,
                                     pdf=args.pdf)
    return report_outcome("national", summary, label=summary.results[0].job.label)


def _run_trends(args) -> int:
    from ..batch import render_national_report

    root = output_root(args)  # an input inside what the report writes is refused before any work
    # --from and --to checked as a pair (wrong order, the same cycle twice, --to alone before the default --from)
    cycle_pair(args.cycle_from, args.cycle_to, cycles=lambda: _dataset(args).cycles)
    stop_on_sigterm()
    summary = render_national_report("trends", cycle_from=args.cycle_from, cycle_to=args.cycle_to,
                                     scores_path=args.data or None, attributes_path=args.attributes or None,
                                     cities=args.cities or None, output_dir=root,
                                     force=args.force, timeout=args.timeout, pdf=args.pdf)
    return report_outcome("trends", summary, label=summary.results[0].job.label)


def _run_compare(args) -> int:
    from ..card import render_comparison, resolve_cities

    if len(args.city) < 2:
        raise UsageError(f"give two or more cities to compare, got {len(args.city)}")
    data = _dataset(args)
    try:
        names, cycle = resolve_cities(data, args.city, cycle=args.cycle)
    except RepeatedCityError as exc:  # the same city twice on the command line (Surat surat): a usage error
        raise UsageError(str(exc)) from None
    path = render_comparison(data, names=names, cycle=cycle, output_dir=output_root(args), pdf=args.pdf)
    print(f"{', '.join(_term(n) for n in names)}, cycle {cycle}: compared\n  {path}"
          + (f"\n  {path.with_suffix('.pdf')}" if args.pdf else ""))
    return 0


def whatif_text(table, changes, *, framework) -> str:
    """The terminal text of ``dmaf whatif``: the changes, then current vs what-if per measure.

    ``table`` is :func:`~dmaf_analysis.scoring.what_if`'s, ``changes``
    :func:`~dmaf_analysis.scoring.describe_changes`'s.
    """
    import pandas as pd

    from .._util.numeric import format_number as number

    lines = [f"{_term(table['city'].iloc[0])}, cycle {int(table['cycle'].iloc[0])} ({_term(framework.name)}), if:"]
    for r in changes.itertuples(index=False):
        lines.append(f"  {_term(r.indicator)} {_term(r.name)}: {number(r.current)} -> {number(r.new)} "
                     f"of {number(r.max_score)}")
    cur, new = table.iloc[0], table.iloc[1]

    def rank(row) -> str:
        return "–" if pd.isna(row["rank"]) else f"{int(row['rank'])} of {int(row['n_ranked'])}"

    def level(row) -> str:
        return _term(row["level"]) if isinstance(row["level"], str) else "–"

    rows = [(_term(name), number(cur[cid]), number(new[cid]))
            for cid, name in zip(framework.components["component"], framework.components["name"])]
    rows += [("Overall", number(cur["overall"], 2), number(new["overall"], 2)),
             ("Level", level(cur), level(new)), ("Rank", rank(cur), rank(new))]
    width = max(len(r[0]) for r in rows)
    w2 = max(len("current"), *(len(r[1]) for r in rows))
    lines.append(f"  {'':<{width}}  {'current':>{w2}}  what-if")
    lines += [f"  {a:<{width}}  {b:>{w2}}  {c}" for a, b, c in rows]
    note = _whatif_range_note(new, n_indicators=len(framework.indicator_ids))
    if note:
        lines.append(note)
    return "\n".join(lines)


def _whatif_range_note(row, *, n_indicators: int) -> str:
    """The note under ``dmaf whatif`` when some of the city's values are not on record ("" otherwise)."""
    import pandas as pd

    from .._util.numeric import format_number as number

    n_unknown = row.get("n_unknown")
    if n_unknown is None or pd.isna(n_unknown) or int(n_unknown) <= 0:
        return ""
    kinds = [f"{int(row[col])} {word}" for col, word in (("n_synthetic", "synthetic"), ("n_missing", "missing"))
             if int(row[col]) > 0]
    low, high = row["level_low"], row["level_high"]
    levels = f"{_term(low)} either way" if low == high else f"{_term(low)} or {_term(high)}"
    return (f"Note: {int(n_unknown)} of {_term(row['city'])}'s {n_indicators} indicator values are not on record "
            f"({', '.join(kinds)}), so the figures above rest partly on them. On the values on record, with the "
            f"change the overall score could be anywhere from {number(row['overall_low'], 2)} to "
            f"{number(row['overall_high'], 2)} ({levels}).")


def _run_whatif(args) -> int:
    from ..scoring import describe_changes, parse_assignments, what_if

    changes = parse_assignments(args.changes)
    data = _dataset(args, treat_missing_as_zero=args.missing_as_zero)
    table = what_if(data, city=args.city, changes=changes, cycle=args.cycle,
                    treat_missing_as_zero=args.missing_as_zero)
    cycle = int(table["cycle"].iloc[0])
    described = describe_changes(data, city=args.city, changes=changes, cycle=cycle)
    print(whatif_text(table, described, framework=data.frameworks[cycle]))
    return 0
