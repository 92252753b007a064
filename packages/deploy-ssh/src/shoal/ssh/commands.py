"""The command lines that start a scheduler or a worker remotely: ``python -m shoal.distributed.cli.*``.

Options are the keyword arguments a Dask user passes in ``scheduler_options`` / ``worker_options``;
each becomes the matching command-line flag.  An option the command cannot take is an error naming it,
rather than something silently dropped on the remote side.
"""

import importlib

SCHEDULER_MODULE = "shoal.distributed.cli.scheduler"
WORKER_MODULE = "shoal.distributed.cli.worker"

SCHEDULER_FLAGS = {"host": "--host", "port": "--port", "dashboard_address": "--dashboard-address",
                   "scheduler_file": "--scheduler-file"}
WORKER_FLAGS = {"nthreads": "--nthreads", "memory_limit": "--memory-limit", "name": "--name",
                "local_directory": "--local-directory", "host": "--host", "resources": "--resources"}


def scheduler_command(python, options):
    """argv running a scheduler with ``options`` (host, port, dashboard_address, scheduler_file, validate)."""
    options = dict(options)
    argv = [python, "-m", SCHEDULER_MODULE]
    if "dashboard_address" in options and options["dashboard_address"] is None:
        options["dashboard_address"] = "none"
    if "dashboard" in options:  # Dask's dashboard=False
        if not options.pop("dashboard"):
            options["dashboard_address"] = "none"
    if options.pop("validate", False):
        argv.append("--validate")
    return argv + _flags(options, SCHEDULER_FLAGS, "scheduler_options", also=["dashboard", "validate"])


def worker_command(python, scheduler_address, options, worker_class=None, worker_module=None):
    """argv running one worker of ``worker_class`` (Nanny or Worker) that joins ``scheduler_address``;
    ``worker_module`` replaces ``shoal.distributed.cli.worker`` by another program taking its flags."""
    argv = [python, "-m", worker_module or WORKER_MODULE, scheduler_address]
    options = {k: v for k, v in options.items() if v is not None}
    if "resources" in options:
        options["resources"] = " ".join(f"{k}={v}" for k, v in options["resources"].items())
    argv.append("--nanny" if uses_nanny(worker_class) else "--no-nanny")
    return argv + _flags(options, WORKER_FLAGS, "worker_options")


def uses_nanny(worker_class):
    """True for shoal.distributed.Nanny (and None, the default), False for Worker: the two classes
    ``shoal-worker`` starts."""
    if worker_class is None:
        return True
    from shoal.distributed.nanny import Nanny
    from shoal.distributed.worker import Worker

    cls = import_class(worker_class) if isinstance(worker_class, str) else worker_class
    if cls is Nanny:
        return True
    if cls is Worker:
        return False
    raise ValueError(f"worker_class={worker_class!r}: the shoal-worker command starts shoal.distributed.Nanny "
                     "or shoal.distributed.Worker; to run another program pass worker_module='package.module'")


def import_class(path):
    """``'shoal.distributed.Nanny'`` -> the class."""
    module, _, name = path.rpartition(".")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError, ValueError) as e:
        raise ValueError(f"worker_class={path!r} could not be imported: {e}") from e


def _flags(options, known, what, also=()):
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise ValueError(f"{what} {unknown} cannot be passed to the remote command; supported: "
                         f"{sorted([*known, *also])}")
    argv = []
    for key, value in options.items():
        if value is None:
            continue
        argv += [known[key], str(value)]
    return argv
