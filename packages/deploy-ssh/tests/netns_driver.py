"""Run inside namespace shoalssh1: an SSHCluster with its scheduler on 10.231.0.1 and a worker on 10.231.0.2.

Prints one JSON line: the results and where the workers ran.  usage: python netns_driver.py CLIENT_KEY
"""

import json
import sys

from shoal.distributed import Client
from shoal.ssh import SSHCluster

options = {"port": 22, "client_keys": [sys.argv[1]], "known_hosts": None, "username": "root"}
with SSHCluster(["10.231.0.1", "10.231.0.2"], connect_options=options, remote_python=sys.executable,
                worker_options={"nthreads": 2}, scheduler_options={"port": 0, "dashboard_address": None}) as cluster:
    with Client(cluster) as client:
        client.wait_for_workers(1, timeout=30)
        total = client.submit(sum, range(100)).result()
        squares = client.gather(client.map(lambda x: x * x, range(5)))
        print(json.dumps({"scheduler": cluster.scheduler_address, "workers": sorted(client.scheduler_info()["workers"]),
                          "total": total, "squares": squares}))
