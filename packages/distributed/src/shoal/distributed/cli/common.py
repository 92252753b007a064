"""What both command-line programs share: TLS options, logging set-up, and running until a signal."""

import argparse
import asyncio
import logging
import signal

LOG_FORMAT = "%(asctime)s - %(name)s - %(levelname)s - %(message)s"


def make_parser(prog, description):
    """An argument parser that already has the ``--tls-*`` options."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--tls-ca-file", default=None, help="CA certificate to verify peers (tls:// addresses)")
    parser.add_argument("--tls-cert", default=None, help="this process's TLS certificate")
    parser.add_argument("--tls-key", default=None, help="this process's TLS private key")
    return parser


def security_from(args):
    """A ``Security`` from the ``--tls-*`` options, or None when none was given."""
    if not (args.tls_ca_file or args.tls_cert or args.tls_key):
        return None
    from shoal.distributed.security import Security

    return Security(tls_ca_file=args.tls_ca_file, tls_cert=args.tls_cert, tls_key=args.tls_key)


async def wait_for_signal(*also):
    """Return on SIGINT/SIGTERM, or as soon as any of the awaitables ``also`` finishes."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    waiters = [asyncio.ensure_future(stop.wait()), *map(asyncio.ensure_future, also)]
    _done, pending = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()


def run_main(run, args):
    """Configure the informative start-up logging and run ``run(args)`` to completion."""
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    asyncio.run(run(args))
