"""Shared fixtures: a blocking client on an in-process cluster with validate=True."""

import pytest

import shoal.config


def pytest_configure(config):
    # provided by pytest-timeout (in the test extra); declared here too so a missing plugin is no error
    config.addinivalue_line("markers", "timeout(seconds): fail the test if it runs longer")


@pytest.fixture(autouse=True)
def _validate_scheduler():
    with shoal.config.set({"distributed.scheduler.validate": True}):
        yield


@pytest.fixture
def client():
    from shoal.distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, validate=True) as cluster:
        with Client(cluster) as c:
            yield c
