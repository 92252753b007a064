"""Run every package's benchmarks and print one table.

Each package has ``packages/<pkg>/benchmarks/bench_<name>.py`` with ``run(quick: bool) -> list[dict]``
(keys: name, value, unit, goal, note). ``--quick`` uses tiny sizes (a smoke test);
``--only array,core`` limits the packages.
"""

from __future__ import annotations

import argparse
import importlib.util
import pathlib
import sys
import time
import traceback

ROOT = pathlib.Path(__file__).resolve().parent.parent


def bench_files(only: list[str] | None = None) -> list[pathlib.Path]:
    files = sorted(ROOT.glob("packages/*/benchmarks/bench_*.py"))
    if only:
        files = [f for f in files if f.parent.parent.name in only or f.stem.removeprefix("bench_") in only]
    return files


def load(path: pathlib.Path):
    spec = importlib.util.spec_from_file_location(f"shoal_bench_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_file(path: pathlib.Path, quick: bool) -> list[dict]:
    return load(path).run(quick)


def format_table(rows: list[tuple[str, dict]]) -> str:
    header = ("package", "benchmark", "value", "unit", "goal", "note")
    cells = [header] + [
        (pkg, r["name"], f"{r['value']:.3g}" if isinstance(r["value"], float) else str(r["value"]),
         r.get("unit", ""), r.get("goal", ""), r.get("note", ""))
        for pkg, r in rows
    ]
    widths = [max(len(str(c[i])) for c in cells) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check that every benchmark runs")
    parser.add_argument("--only", default="", help="comma-separated packages or benchmark names")
    args = parser.parse_args(argv)
    rows, failed = [], []
    for path in bench_files([s for s in args.only.split(",") if s]):
        package = path.parent.parent.name
        start = time.perf_counter()
        try:
            results = run_file(path, args.quick)
        except Exception:
            failed.append(package)
            traceback.print_exc()
            continue
        rows.extend((package, r) for r in results)
        print(f"{package}: {len(results)} benchmarks in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    print(format_table(rows))
    if failed:
        print(f"benchmarks that failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
