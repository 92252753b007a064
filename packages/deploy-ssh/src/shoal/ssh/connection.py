"""Opening an SSH connection to one host with asyncssh, failing with an error that names host:port."""

import asyncio

from .config import seconds
from .errors import SSHConnectError


def _asyncssh():
    try:
        import asyncssh
    except ImportError as e:  # optional heavy dependency: imported at the point of use
        raise ImportError("SSHCluster needs asyncssh: pip install shoal-deploy-ssh (or pip install asyncssh)") from e
    return asyncssh


async def connect(host, connect_options):
    """An asyncssh connection to ``host`` with ``connect_options`` (asyncssh.connect keywords).

    The whole log-in is bounded by ``connect_options['connect_timeout']`` or the
    ``ssh.connect-timeout`` config value."""
    asyncssh = _asyncssh()
    options = dict(connect_options or {})
    timeout = options.pop("connect_timeout", None) or seconds("connect-timeout")
    port = options.get("port", 22)
    try:
        return await asyncio.wait_for(asyncssh.connect(host, **options), timeout)
    except asyncio.TimeoutError:
        raise SSHConnectError(f"SSH connection to {host}:{port} timed out after {timeout:g} s") from None
    except (OSError, asyncssh.Error) as e:
        raise SSHConnectError(f"SSH connection to {host}:{port} failed: {type(e).__name__}: {e}") from e
