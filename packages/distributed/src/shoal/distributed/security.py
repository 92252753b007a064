"""TLS settings for ``tls://`` addresses: a CA to verify peers, and this process's certificate and key.

``Security(tls_ca_file=..., tls_cert=..., tls_key=...)`` is passed as ``security=`` to Scheduler,
Worker, Nanny, Client and LocalCluster; without it the values come from the config keys
``distributed.comm.tls.ca-file``, ``.cert`` and ``.key``.  Both sides verify each other (mutual TLS).
"""

import ssl

from . import config


class Security:
    def __init__(self, tls_ca_file=None, tls_cert=None, tls_key=None, require_encryption=False):
        self.tls_ca_file = tls_ca_file
        self.tls_cert = tls_cert
        self.tls_key = tls_key
        self.require_encryption = require_encryption

    @classmethod
    def from_config(cls):
        return cls(config.get("distributed.comm.tls.ca-file"), config.get("distributed.comm.tls.cert"),
                   config.get("distributed.comm.tls.key"),
                   bool(config.get("distributed.comm.require-encryption", False)))

    def _check(self):
        missing = [name for name in ("tls_ca_file", "tls_cert", "tls_key") if not getattr(self, name)]
        if missing:
            raise ValueError(
                f"tls:// needs {', '.join(missing)}: pass security=Security(tls_ca_file=..., tls_cert=..., "
                "tls_key=...) or set distributed.comm.tls.ca-file/cert/key"
            )

    def server_context(self):
        self._check()
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=self.tls_ca_file)
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_cert_chain(self.tls_cert, self.tls_key)
        return ctx

    def client_context(self):
        self._check()
        ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=self.tls_ca_file)
        ctx.check_hostname = False  # peers are addressed by IP; the shared CA is what is trusted
        ctx.load_cert_chain(self.tls_cert, self.tls_key)
        return ctx

    def __repr__(self):
        return f"Security(tls_ca_file={self.tls_ca_file!r}, tls_cert={self.tls_cert!r})"
