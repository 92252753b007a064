"""shoal.ssh: start a shoal scheduler and workers on other machines over SSH (asyncssh).

This distribution registers itself in the ``shoal.deploy`` entry-point group, through which
shoal.distributed finds deployment backends without importing them by name. The SSHCluster class
itself is not built yet: this module registers no cluster hooks until it is.
"""
