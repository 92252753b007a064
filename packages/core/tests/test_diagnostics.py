"""ProgressBar, Profiler and ResourceProfiler as context managers."""

import io
import time

import pytest

import shoal
from shoal.diagnostics import Profiler, ProgressBar, ResourceProfiler


def nap(x):
    time.sleep(0.02)
    return x


def test_progress_bar_draws_to_completion():
    out = io.StringIO()
    parts = [shoal.delayed(nap)(i) for i in range(10)]
    with ProgressBar(out=out, dt=0.01):
        assert shoal.compute(*parts, num_workers=2) == tuple(range(10))
    text = out.getvalue()
    assert "100% Completed" in text and text.endswith("\n") and "[####" in text


def test_progress_bar_minimum_hides_fast_work():
    out = io.StringIO()
    with ProgressBar(out=out, minimum=10):
        shoal.delayed(nap)(1).compute()
    assert out.getvalue() == ""


def test_progress_bar_on_error_stops_the_timer():
    out = io.StringIO()
    with ProgressBar(out=out), pytest.raises(ZeroDivisionError):
        shoal.delayed(lambda: 1 / 0)().compute()
    assert "Completed" in out.getvalue()


def test_profiler_records_each_task():
    parts = [shoal.delayed(nap, pure=True)(i) for i in range(4)]
    with Profiler() as prof:
        shoal.compute(*parts, scheduler="sync")
    assert len(prof.results) == 4
    assert all(r.end - r.start >= 0.015 for r in prof.results)
    assert {r.key for r in prof.results} == {p.key for p in parts}
    assert prof.summary()["nap"] >= 0.06
    prof.clear()
    assert prof.results == []


def test_resource_profiler_samples_memory_and_cpu():
    with ResourceProfiler(dt=0.02) as rprof:
        shoal.compute(*[shoal.delayed(nap)(i) for i in range(10)], scheduler="sync")
    assert len(rprof.results) >= 3
    assert all(s.mem > 10 for s in rprof.results)
    times = [s.time for s in rprof.results]
    assert times == sorted(times)
