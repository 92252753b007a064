"""Every package's benchmarks run in quick mode and report well-formed figures."""

import math
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from run import bench_files, format_table, run_file  # noqa: E402


@pytest.mark.parametrize("path", bench_files(), ids=lambda p: p.parent.parent.name)
def test_benchmark_runs_quickly(path):
    rows = run_file(path, quick=True)
    assert rows
    for r in rows:
        assert {"name", "value", "unit", "goal", "note"} <= set(r)
        assert isinstance(r["value"], (int, float)) and math.isfinite(r["value"]) and r["value"] >= 0
    assert "benchmark" in format_table([("pkg", r) for r in rows])
