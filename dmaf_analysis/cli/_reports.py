"""Sub-commands ``report`` (one city) and ``batch`` (every city, the national reports, the index)."""
from __future__ import annotations

import argparse
import sys

from ._args import CITIES_HELP, CYCLE_HELP, DATA_HELP, cycle_number, whole_number, whole_seconds

__all__ = ["data_options", "output_options", "output_root", "register", "report_outcome", "stop_on_sigterm"]


def data_options(p: argparse.ArgumentParser, *, cycle: bool = True) -> None:
    """``--data``, ``--attributes`` and (with ``cycle``) ``--cycle``: what every reporting command reads."""
    p.add_argument("--data", default="", metavar="FILE", help=DATA_HELP)
    p.add_argument("--attributes", default="", metavar="FILE",
                   help="city attribute table with engagement scores (default: the data folder's one with "
                        "its scores, none with --data)")
    p.add_argument("--cities", default="", metavar="FILE", help=CITIES_HELP)
    if cycle:
        p.add_argument("--cycle", type=cycle_number, default=0, metavar="N", help=CYCLE_HELP)


def output_options(p: argparse.ArgumentParser, *, render: bool = True) -> None:
    """``--output-dir`` and, for notebook reports (``render``), ``--force`` and ``--timeout``."""
    p.add_argument("--output-dir", default="", metavar="DIR",
                   help="where reports go (default: outputs/, of the project checkout when run inside it, "
                        "or $DMAF_OUTPUT_DIR)")
    if render:
        p.add_argument("--force", action="store_true", help="render again even when the inputs are unchanged")
        p.add_argument("--timeout", type=whole_seconds, default=600, metavar="SECONDS",
                       help="longest time one notebook cell may run, in whole seconds (default: 600)")
        p.add_argument("--pdf", action="store_true",
                       help="also write <name>.pdf (A4) beside each HTML page, printed by headless Chromium "
                            "(needs chromium and chromium-driver; the HTML is written either way)")


def _common(p: argparse.ArgumentParser) -> None:
    data_options(p)
    output_options(p)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report", help="render one city's report card (notebook and HTML)",
        description="Render one city's report card: OUTPUT_DIR/cities/<city>/cycle-<N>.ipynb and .html. "
                    "Exit 1 when the notebook fails (the partial notebook and page are still written).")
    p.add_argument("--city", required=True, metavar="NAME", help="city name (aliases such as Bangalore work)")
    _common(p)
    p.set_defaults(func=_run_report)

    p = sub.add_parser(
        "batch", help="render every city's report card, the national reports and an index page",
        description="Render the report card of every city of a cycle, the national overview and trends "
                    "reports, and OUTPUT_DIR/index.html. Reports whose inputs are unchanged since the last "
                    "run are skipped (see --force). A failing report does not stop the others; the command "
                    "then exits 1 and lists the failures.")
    _common(p)
    p.add_argument("--workers", type=whole_number(1, 64), default=2, metavar="N",
                   help="notebooks executed side by side, one kernel each, 1 to 64 (default: 2)")
    p.add_argument("--recycle-after", type=whole_number(1, 1_000_000), default=200, metavar="N",
                   help="restart a kernel after this many reports, 1 to 1,000,000 (default: 200)")
    p.add_argument("--no-progress", action="store_true", help="do not show the progress bar")
    p.set_defaults(func=_run_batch)


#: What the report commands write below the output root: an input there could be overwritten.
GENERATED = ("cities", "national", "compare", "explore", "index.html", "manifest.json")


def output_root(args):
    """``--output-dir``, or the default root shared with the national notebooks; inputs written there are refused.

    Every report command takes its output root from here, so this is the one guard
    against a report overwriting its own input (``--data``, ``--cities``,
    ``--attributes``, a spec or scenarios file inside what the reports write:
    ``cities/``, ``national/``, ``compare/``, ``explore/``, ``index.html``,
    ``manifest.json``). The message names the file and the fix.
    """
    from pathlib import Path

    from .._util.paths import default_output_root
    from ..errors import UsageError

    root = args.output_dir or default_output_root()
    written = [Path(root, part).resolve() for part in GENERATED]
    for flag in ("data", "file", "attributes", "cities", "spec", "scenarios"):
        given = getattr(args, flag, None)
        if not given or not isinstance(given, (str, Path)):
            continue
        path = Path(given).resolve()
        hit = next((w for w in written if path == w or w in path.parents), None)
        if hit is not None:
            raise UsageError(f"{given}: this input lies in {hit}, which this command writes, so it could be "
                             "overwritten; copy it elsewhere or choose another --output-dir")
    return root


def stop_on_sigterm() -> None:
    """Treat SIGTERM like Ctrl-C, so kernels are stopped and temporary files removed."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return

    def _interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _interrupt)


def _run_report(args) -> int:
    from ..batch import render_city_report

    stop_on_sigterm()
    summary = render_city_report(args.city, cycle=args.cycle, scores_path=args.data or None,
                                 attributes_path=args.attributes or None, cities=args.cities or None,
                                 output_dir=output_root(args), force=args.force, timeout=args.timeout,
                                 pdf=args.pdf)
    return report_outcome("report", summary, label=f"{summary.results[0].job.label}, cycle {summary.cycle}")


def report_outcome(command: str, summary, *, label: str) -> int:
    """Print where the one report of ``summary`` went, or why it failed; return the exit code."""
    result = summary.results[0]
    job = result.job
    if result.status == "failed":
        print(f"dmaf {command}: {label}: FAILED: {result.error}", file=sys.stderr)
        if result.stale:
            failed = job.html_path.with_name(job.html_path.stem + ".failed.html")
            print(f"the last good page is kept, marked stale: {job.html_path}\nthis run's page: {failed}",
                  file=sys.stderr)
        else:
            print(f"the notebook up to the error: {job.ipynb_path}\nits page: {job.html_path}", file=sys.stderr)
        return 1
    state = "unchanged since the last run (use --force to render again)" if result.status == "unchanged" \
        else f"rendered in {result.seconds:.1f} s"
    print(f"{label}: {state}\n  {job.ipynb_path}\n  {job.html_path}")
    if summary.pdf is not None:
        if not summary.pdf.ok:
            print(f"dmaf {command}: {summary.pdf.text()}", file=sys.stderr)
            return 1
        print(f"  {job.html_path.with_suffix('.pdf')}")
    return 0


def _run_batch(args) -> int:
    from ..batch import render_batch

    stop_on_sigterm()
    summary = render_batch(scores_path=args.data or None, attributes_path=args.attributes or None,
                           cities=args.cities or None,
                           cycle=args.cycle, output_dir=output_root(args), workers=args.workers, force=args.force,
                           progress=not args.no_progress, timeout=args.timeout, recycle_after=args.recycle_after,
                           pdf=args.pdf)
    stream = sys.stderr if summary.failed or summary.pdf_failed else sys.stdout
    print(summary.text(), file=stream)
    return 1 if summary.pdf_failed else summary.exit_code
