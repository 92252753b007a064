"""Two real network "hosts" (namespaces, see netns-up.sh): the scheduler in one, a worker in the other,
driven from inside the first; afterwards only the sshds are left in either namespace."""

import json
import os
import subprocess
import sys

import pytest
from conftest import HERE, SSHD_DIR


@pytest.fixture(scope="module")
def two_hosts(sshd):  # sshd: the keys in SSHD_DIR exist
    subprocess.run([os.path.join(HERE, "netns-up.sh"), SSHD_DIR], check=True)
    yield
    subprocess.run([os.path.join(HERE, "netns-down.sh"), SSHD_DIR], check=True)


def _processes_in(namespace):
    pids = subprocess.run(["ip", "netns", "pids", namespace], capture_output=True, text=True, check=True).stdout.split()
    names = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/comm") as f:
                names.append(f.read().strip())
        except FileNotFoundError:
            pass
    return names


def test_scheduler_and_worker_on_different_hosts(two_hosts):
    driver = [sys.executable, os.path.join(HERE, "netns_driver.py"), os.path.join(SSHD_DIR, "client_key")]
    done = subprocess.run(["ip", "netns", "exec", "shoalssh1", *driver], capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["scheduler"].startswith("tcp://10.231.0.1:")
    assert len(result["workers"]) == 1 and result["workers"][0].startswith("tcp://10.231.0.2:")
    assert result["total"] == sum(range(100)) and result["squares"] == [0, 1, 4, 9, 16]
    assert set(_processes_in("shoalssh1")) == {"sshd"} and set(_processes_in("shoalssh2")) == {"sshd"}


def test_an_address_with_no_host_fails_at_once_naming_it(two_hosts, connect_options):
    import time

    from shoal.ssh import SSHCluster, SSHConnectError

    start = time.time()  # 10.231.0.9 is routed nowhere (the 'unreachable' route of netns-up.sh)
    with pytest.raises(SSHConnectError, match=r"SSH connection to 10\.231\.0\.9:22 failed"):
        SSHCluster(["10.231.0.9", "10.231.0.9"], connect_options={**connect_options, "port": 22})
    assert time.time() - start < 3
