"""``shoal-scheduler [--host H] [--port P] [--dashboard-address :8787]``: run a scheduler until Ctrl-C."""

import argparse
import asyncio
import logging
import signal


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="shoal-scheduler", description="Start a shoal scheduler")
    p.add_argument("--host", default="0.0.0.0", help="interface to listen on (default all)")
    p.add_argument("--port", type=int, default=8786, help="port for workers and clients (default 8786)")
    p.add_argument("--dashboard-address", default=":8787", help="HTTP /status, /health, /metrics; 'none' to disable")
    p.add_argument("--scheduler-file", default=None, help="write the address here (JSON) for workers and clients")
    p.add_argument("--validate", action="store_true", help="check scheduler invariants after every transition")
    p.add_argument("--tls-ca-file", default=None, help="CA certificate to verify peers (tls:// addresses)")
    p.add_argument("--tls-cert", default=None, help="this process's TLS certificate")
    p.add_argument("--tls-key", default=None, help="this process's TLS private key")
    return p.parse_args(argv)


def _security(args):
    from shoal.distributed.security import Security

    if not (args.tls_ca_file or args.tls_cert or args.tls_key):
        return None
    return Security(tls_ca_file=args.tls_ca_file, tls_cert=args.tls_cert, tls_key=args.tls_key)


async def run(args):
    from shoal.distributed.scheduler import Scheduler

    dashboard = None if args.dashboard_address.lower() == "none" else args.dashboard_address
    security = _security(args)
    async with Scheduler(host=args.host, port=args.port, dashboard_address=dashboard,
                         validate=args.validate or None, security=security,
                         protocol="tls" if security else "tcp") as s:
        if args.scheduler_file:
            from shoal.distributed.scheduler_file import write_scheduler_file

            write_scheduler_file(args.scheduler_file, s)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()


def main(argv=None):
    logging.basicConfig(level=logging.INFO, format="%(asctime)s - %(name)s - %(levelname)s - %(message)s")
    asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    main()
