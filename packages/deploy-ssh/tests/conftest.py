"""A private sshd on 127.0.0.1:2222 for the whole session (tests/sshd-up.sh), and helpers to see remote pids.

The daemon runs as root with its own host key, client key and config in a fixed directory, so a run that
was killed is cleaned up by the next one; it is stopped when the session ends.
"""

import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(__file__)
SSHD_DIR = "/tmp/shoal-deploy-ssh-tests"
PORT = 2222


@pytest.fixture(scope="session")
def sshd():
    if os.geteuid() != 0:
        pytest.fail("the SSH tests start a private sshd with root login: run them as root")
    subprocess.run([os.path.join(HERE, "sshd-up.sh"), SSHD_DIR, "127.0.0.1", str(PORT)], check=True)
    yield {"port": PORT, "client_keys": [os.path.join(SSHD_DIR, "client_key")], "known_hosts": None,
           "username": "root"}
    subprocess.run([os.path.join(HERE, "sshd-down.sh"), SSHD_DIR, "127.0.0.1", str(PORT)], check=True)


@pytest.fixture
def connect_options(sshd):
    return dict(sshd)


@pytest.fixture
def python():
    return sys.executable


def process_tree(pid):
    """``pid`` and all its descendants that are alive now."""
    found = [pid]
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    for child in children:
        found += process_tree(int(child))
    return found


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"  # a zombie has exited already
    except FileNotFoundError:
        return False


def remote_pids(cluster):
    """Every process the cluster's remote commands run (scheduler, nannies, workers)."""
    remotes = [cluster.scheduler, *cluster.workers.values()]
    return [p for r in remotes for p in process_tree(r.process.pid)]
