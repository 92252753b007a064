"""``shoal-worker ADDRESS [--nworkers N] [--nthreads T] [--memory-limit auto|4GB] [--name NAME]
[--nanny/--no-nanny] [--local-directory DIR]``: run workers until Ctrl-C."""

import asyncio

from .common import make_parser, run_main, security_from, wait_for_signal


def parse_args(argv=None):
    p = make_parser("shoal-worker", "Start shoal workers")
    p.add_argument("scheduler", nargs="?", default=None, help="scheduler address, e.g. tcp://10.0.0.1:8786")
    p.add_argument("--scheduler-file", default=None, help="read the scheduler address from this JSON file")
    p.add_argument("--nworkers", type=int, default=1, help="worker processes to start (default 1)")
    p.add_argument("--nthreads", type=int, default=None, help="threads per worker (default: cores / nworkers)")
    p.add_argument("--memory-limit", default="auto", help="per worker: 'auto', '4GB', or 0 for none")
    p.add_argument("--name", default=None, help="worker name (suffixed -i with several workers)")
    p.add_argument("--nanny", dest="nanny", action="store_true", default=True, help="supervise with a nanny (default)")
    p.add_argument("--no-nanny", dest="nanny", action="store_false", help="run the worker in this process")
    p.add_argument("--local-directory", default=None, help="where to spill data")
    p.add_argument("--host", default=None, help="interface to listen on (default: the one reaching the scheduler)")
    p.add_argument("--resources", default="", help="e.g. 'GPU=2 MEM=10e9'")
    return p.parse_args(argv)


def _resources(text):
    out = {}
    for item in text.replace(",", " ").split():
        name, _, amount = item.partition("=")
        out[name] = float(amount)
    return out


async def run(args):
    import os

    from shoal.distributed.nanny import Nanny
    from shoal.distributed.worker import Worker

    address = args.scheduler
    if address is None:
        if args.scheduler_file is None:
            raise SystemExit("shoal-worker needs a scheduler address or --scheduler-file")
        from shoal.distributed.scheduler_file import read_scheduler_file

        address = await read_scheduler_file(args.scheduler_file)
    nthreads = args.nthreads or max(1, (os.cpu_count() or 1) // args.nworkers)
    cls = Nanny if args.nanny else Worker
    if not args.nanny:  # the workers run in this process: their tasks' output goes to the clients
        from shoal.distributed.output import install_output_router

        install_output_router()
    names = [args.name if args.nworkers == 1 or args.name is None else f"{args.name}-{i}" for i in range(args.nworkers)]
    servers = [cls(address, nthreads=nthreads, memory_limit=args.memory_limit, name=name,
                   local_directory=args.local_directory, host=args.host, resources=_resources(args.resources),
                   security=security_from(args))
               for name in names]
    await asyncio.gather(*servers)
    await wait_for_signal(_until_closed(servers))
    await asyncio.gather(*(s.close() for s in servers), return_exceptions=True)


async def _until_closed(servers):
    while any(s.status == "running" for s in servers):
        await asyncio.sleep(0.2)


def main(argv=None):
    run_main(run, parse_args(argv))


if __name__ == "__main__":
    main()
