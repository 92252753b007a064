"""Benchmarks of shoal.jobqueue: job-script generation, and on the real batch systems (when their
daemons answer) the time from ``scale`` to connected workers and back to an empty queue.

``run(quick)`` returns rows {"name", "value", "unit", "goal", "note"}.  The reference ("plain") figure
is a bare job doing what a worker job does first, ``python -c 'import shoal.distributed'``, submitted
and waited for with the batch system's own blocking submit (``sbatch --wait`` / ``qsub -sync y``).
The daemons are not started here: tests/infra/slurm-up.sh and sge-up.sh do that.
"""

import os
import shlex
import subprocess
import sys
import tempfile
import time

SGE_ENV = {"SGE_ROOT": "/var/lib/gridengine", "SGE_CELL": "default"}


def _answers(argv, env=None):
    try:
        return subprocess.run(argv, capture_output=True, timeout=5, env=env).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _systems():
    """(label, cluster class, options, blocking bare-job argv) of the batch systems that answer."""
    from shoal.jobqueue import SGECluster, SLURMCluster

    found = []
    bare = f"{shlex.quote(sys.executable)} -c 'import shoal.distributed'"
    if _answers(["sinfo", "-h"]):
        found.append(("SLURM", SLURMCluster, {}, ["sbatch", "--wait", "-o", "/dev/null", "--wrap", bare]))
    os.environ.update({k: os.environ.get(k, v) for k, v in SGE_ENV.items()})
    if _answers(["qstat"]):
        found.append(("SGE", SGECluster, {"queue": "all.q", "parallel_environment": "smp"},
                      ["qsub", "-sync", "y", "-b", "y", "-N", "bare", "-o", "/dev/null", "-j", "y", "-V", "bash",
                       "-c", bare]))
    return found


def _job_script_rows(quick):
    from shoal.jobqueue.options import resolve
    from shoal.jobqueue.slurm import SLURMJob

    n = 200 if quick else 20_000
    settings = resolve("slurm", {"cores": 8, "memory": "16GB", "queue": "q", "job_script_prologue": ["export X=1"]})
    start = time.perf_counter()
    for i in range(n):
        SLURMJob("tcp://10.0.0.1:8786", name=f"shoal-worker-{i}", settings=settings).job_script()
    per_script = (time.perf_counter() - start) / n
    start = time.perf_counter()
    for i in range(n):
        "\n".join(["#!/usr/bin/env bash", f"#SBATCH -J w-{i}", "#SBATCH -p q", "export X=1", f"python -m w {i}"])
    plain = (time.perf_counter() - start) / n
    return [{"name": "job_script() per job", "value": per_script * 1e6, "unit": "us", "goal": "< 1000 us",
             "note": f"{per_script / plain:.0f}x a plain 5-line f-string join ({plain * 1e6:.2f} us), n={n}"}]


def _cluster_rows(label, cluster_cls, options, bare_argv, jobs):
    start = time.perf_counter()
    subprocess.run(bare_argv, capture_output=True, check=True, timeout=120)
    bare = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as logs:
        cluster = cluster_cls(cores=1, memory="1GB", processes=1, log_directory=logs, poll_interval=0.3,
                              scheduler_options={"dashboard_address": None}, **options)
        try:
            start = time.perf_counter()
            cluster.scale(jobs=1)
            cluster.wait_for_workers(1, timeout=120)
            first = time.perf_counter() - start
            cluster.scale(0)
            start = time.perf_counter()
            cluster.scale(jobs=jobs)
            cluster.wait_for_workers(jobs, timeout=180)
            up = time.perf_counter() - start
            start = time.perf_counter()
            cluster.scale(0)
            down = time.perf_counter() - start
        finally:
            cluster.close()
    return [
        {"name": f"{label}: scale(jobs=1) -> worker connected", "value": first, "unit": "s", "goal": "< 2x bare job",
         "note": f"{first / bare:.2f}x a bare blocking job importing shoal.distributed ({bare:.2f} s)"},
        {"name": f"{label}: scale(jobs={jobs}) -> all workers connected", "value": up, "unit": "s",
         "goal": "< 10 s", "note": "single node, 2 cores shared by all jobs"},
        {"name": f"{label}: scale(0) -> queue empty", "value": down, "unit": "s", "goal": "< 5 s",
         "note": f"retire {jobs} workers, cancel {jobs} jobs, wait until the queue forgets them"},
    ]


def run(quick: bool) -> list[dict]:
    rows = _job_script_rows(quick)
    for label, cluster_cls, options, bare_argv in _systems():
        rows += _cluster_rows(label, cluster_cls, options, bare_argv, jobs=1 if quick else 4)
    return rows


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(f"{row['name']:<48} {row['value']:>10.3f} {row['unit']:<3} goal {row['goal']:<16} {row['note']}")
