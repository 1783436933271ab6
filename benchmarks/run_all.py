"""Run every benchmark of the project, one after the other (``make bench``).

Each benchmark prints its own medians and its ratio against the naive way,
measured in the same run. Timings depend on the machine and its load: run them
on a quiet machine.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["bench_robustness.py", "bench_sensitivity.py", "bench_report.py", "bench_batch.py", "bench_scale.py",
              "bench_ingest.py", "bench_pdf.py", "bench_cost.py"]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name.removesuffix(".py"), HERE / name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    status = 0
    for name in BENCHMARKS:
        print(f"\n=== {name} ===", flush=True)
        status |= int(_load(name).main([]) or 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
