"""The errors SSHCluster raises: each names the host (and port) and carries the remote output."""


class SSHConnectError(ConnectionError):
    """Logging in to a host over SSH failed (refused, unreachable, timed out, authentication)."""


class RemoteStartupError(RuntimeError):
    """A remote scheduler or worker command exited, or did not report its address in time."""
