"""SSHCluster timings on a private sshd at 127.0.0.1:2223 (started with tests/sshd-up.sh; needs root).

Measures what a user waits for: the cluster coming up, adding workers, closing, and tiny tasks going through
the remote workers compared with the same calls in plain Python.
"""

import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SSHD_DIR = "/tmp/shoal-deploy-ssh-bench"
PORT = 2223  # not the tests' 2222: both may run at once


def _increment(x):
    return x + 1


def _sshd():
    if os.geteuid() != 0:
        raise RuntimeError("bench_ssh starts a private sshd with root login: run it as root")
    subprocess.run([os.path.join(HERE, "..", "tests", "sshd-up.sh"), SSHD_DIR, "127.0.0.1", str(PORT)], check=True)
    return {"port": PORT, "client_keys": [os.path.join(SSHD_DIR, "client_key")], "known_hosts": None,
            "username": "root"}


def run(quick: bool) -> list[dict]:
    from shoal.distributed import Client
    from shoal.ssh import SSHCluster

    n_workers, added, n_tasks = (1, 1, 50) if quick else (2, 2, 2000)
    options = _sshd()
    try:
        start = time.perf_counter()
        cluster = SSHCluster(["localhost"] * (n_workers + 1), connect_options=options, remote_python=sys.executable,
                             worker_options={"nthreads": 1}, scheduler_options={"port": 0, "dashboard_address": None})
        up = time.perf_counter() - start
        with Client(cluster) as client:
            client.wait_for_workers(n_workers)
            start = time.perf_counter()
            cluster.scale(n_workers + added)
            client.wait_for_workers(n_workers + added)
            scale = (time.perf_counter() - start) / added
            client.gather(client.map(_increment, range(10), pure=False))  # warm up
            start = time.perf_counter()
            assert client.gather(client.map(_increment, range(n_tasks), pure=False)) == list(range(1, n_tasks + 1))
            remote = time.perf_counter() - start
        start = time.perf_counter()
        [_increment(i) for i in range(n_tasks)]
        local = time.perf_counter() - start
        start = time.perf_counter()
        cluster.close()
        close = time.perf_counter() - start
    finally:
        subprocess.run([os.path.join(HERE, "..", "tests", "sshd-down.sh"), SSHD_DIR, "127.0.0.1", str(PORT)])
    note = f"{n_workers + 1} hosts on 127.0.0.1:2223, nanny workers"
    return [
        {"name": "ssh cluster start (scheduler + workers)", "value": up, "unit": "s", "goal": "< 10 s", "note": note},
        {"name": "ssh scale-up, per added worker", "value": scale, "unit": "s", "goal": "< 5 s", "note": f"{added} added"},
        {"name": "ssh cluster close", "value": close, "unit": "s", "goal": "< 5 s", "note": "remote SIGTERM until every process exited"},
        {"name": "tiny tasks through ssh workers", "value": n_tasks / remote, "unit": "tasks/s", "goal": "> 500 tasks/s",
         "note": f"{n_tasks} tasks; plain Python {remote / max(local, 1e-9):.0f}x faster"},
    ]


if __name__ == "__main__":
    for row in run(quick="--full" not in sys.argv):
        print(row)
