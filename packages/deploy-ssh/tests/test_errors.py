"""Failures name the host and carry the remote output, come quickly, and leave no remote process behind."""

import socket
import subprocess
import sys
import threading
import time
import uuid

import pytest

from shoal.ssh import RemoteStartupError, SSHCluster, SSHConnectError


def _running(marker):
    return subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout.split()


def test_missing_remote_python_names_host_and_remote_error(connect_options):
    start = time.time()
    with pytest.raises(RemoteStartupError) as info:
        SSHCluster(["localhost", "localhost"], connect_options=connect_options, remote_python="/nonexistent/python",
                   scheduler_options={"port": 0, "dashboard_address": None})
    message = str(info.value)
    assert "Scheduler on localhost:2222" in message and "exited with status 127" in message
    assert "/nonexistent/python" in message and "not found" in message
    assert time.time() - start < 10


def test_python_without_shoal_on_a_worker_host_stops_the_scheduler(connect_options):
    marker = f"/tmp/shoal-ssh-test-{uuid.uuid4().hex}.json"
    with pytest.raises(RemoteStartupError) as info:
        SSHCluster(["localhost", "127.0.0.1"], connect_options=connect_options,
                   remote_python=[sys.executable, "/usr/bin/python3"],
                   scheduler_options={"port": 0, "dashboard_address": None, "scheduler_file": marker})
    message = str(info.value)
    assert "Worker 0 on 127.0.0.1:2222" in message and "No module named 'shoal'" in message
    assert _running(marker) == []  # the scheduler that did start was stopped


def test_closed_port_fails_quickly_naming_host_and_port(connect_options):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.time()
    with pytest.raises(SSHConnectError, match=rf"SSH connection to 127\.0\.0\.1:{port} failed"):
        SSHCluster(["127.0.0.1", "127.0.0.1"], connect_options={**connect_options, "port": port})
    assert time.time() - start < 5


def test_silent_host_times_out_naming_host_and_port(connect_options):
    server = socket.socket()  # accepts TCP connections but never speaks SSH
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    accepted = []
    threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True).start()
    start = time.time()
    try:
        with pytest.raises(SSHConnectError, match=rf"127\.0\.0\.1:{port} timed out after 1 s"):
            SSHCluster(["127.0.0.1"], connect_options={**connect_options, "port": port, "connect_timeout": 1})
    finally:
        server.close()
        for conn, _ in accepted:
            conn.close()
    assert time.time() - start < 5


@pytest.mark.parametrize("kwargs, message", [
    ({"worker_options": {"nthread": 2}}, r"worker_options \['nthread'\] cannot be passed"),
    ({"scheduler_options": {"idle_timeout": 5}}, r"scheduler_options \['idle_timeout'\] cannot be passed"),
    ({"worker_class": "shoal.distributed.Scheduler"}, "worker_class='shoal.distributed.Scheduler'"),
    ({"worker_class": "shoal.nope.Nanny"}, "could not be imported"),
    ({"connect_options": [{}, {}, {}]}, r"connect_options has 3 entries but there are 2 hosts"),
    ({"remote_python": ["python"]}, r"remote_python has 1 entries but there are 2 hosts"),
])
def test_bad_arguments_fail_before_connecting(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SSHCluster(["nowhere.invalid", "nowhere.invalid"], **kwargs)


def test_hosts_must_be_a_list():
    with pytest.raises(TypeError, match="list of hosts"):
        SSHCluster("localhost")
    with pytest.raises(ValueError, match="at least one host"):
        SSHCluster([])


def test_a_command_that_never_starts_times_out_and_is_stopped(connect_options, tmp_path):
    import shoal.config

    hanging = tmp_path / "hanging-python"
    hanging.write_text("#!/bin/sh\necho 'starting, but never says where'\nexec sleep 61.25\n")
    hanging.chmod(0o755)
    start = time.time()
    with shoal.config.set({"ssh.startup-timeout": "1s"}), pytest.raises(RemoteStartupError) as info:
        SSHCluster(["localhost"], connect_options=connect_options, remote_python=str(hanging))
    assert time.time() - start < 8
    message = str(info.value)
    assert "Scheduler on localhost:2222 did not start within 1 s" in message
    assert "starting, but never says where" in message
    assert _running("sleep 61.25") == []


def test_a_worker_module_that_does_not_exist_names_it(connect_options):
    with pytest.raises(RemoteStartupError) as info:
        SSHCluster(["localhost", "localhost"], connect_options=connect_options, remote_python=sys.executable,
                   worker_module="shoal.no_such_worker", scheduler_options={"port": 0, "dashboard_address": None})
    assert "Worker 0 on localhost:2222 exited with status 1" in str(info.value)
    assert "No module named shoal.no_such_worker" in str(info.value)
