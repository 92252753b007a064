"""``shoal-scheduler [--host H] [--port P] [--dashboard-address :8787]``: run a scheduler until Ctrl-C."""

from .common import make_parser, run_main, security_from, wait_for_signal


def parse_args(argv=None):
    p = make_parser("shoal-scheduler", "Start a shoal scheduler")
    p.add_argument("--host", default="0.0.0.0", help="interface to listen on (default all)")
    p.add_argument("--port", type=int, default=8786, help="port for workers and clients (default 8786)")
    p.add_argument("--dashboard-address", default=":8787", help="HTTP /status, /health, /metrics; 'none' to disable")
    p.add_argument("--scheduler-file", default=None, help="write the address here (JSON) for workers and clients")
    p.add_argument("--validate", action="store_true", help="check scheduler invariants after every transition")
    return p.parse_args(argv)


async def run(args):
    from shoal.distributed.scheduler import Scheduler

    dashboard = None if args.dashboard_address.lower() == "none" else args.dashboard_address
    security = security_from(args)
    async with Scheduler(host=args.host, port=args.port, dashboard_address=dashboard,
                         validate=args.validate or None, security=security,
                         protocol="tls" if security else "tcp") as s:
        if args.scheduler_file:
            from shoal.distributed.scheduler_file import write_scheduler_file

            write_scheduler_file(args.scheduler_file, s)
        await wait_for_signal()


def main(argv=None):
    run_main(run, parse_args(argv))


if __name__ == "__main__":
    main()
