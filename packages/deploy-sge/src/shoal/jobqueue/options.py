"""The settings of one job: keyword arguments over the ``jobqueue.<system>`` config, checked once.

``resolve(system, kwargs)`` returns a ``JobSettings``; every job of a cluster is built from it.  Keys
use the user's words (``cores``, ``memory``, ``processes``, ``walltime``, ...); the config file
spells them with hyphens, the keyword arguments with underscores.
"""

import math
import os
import sys
from dataclasses import dataclass, field

import shoal.config
from shoal.utils import parse_bytes

# Dask-jobqueue's older spellings, accepted so existing code keeps working.
RENAMED = {"job_extra": "job_extra_directives", "env_extra": "job_script_prologue",
           "extra": "worker_extra_args", "header_skip": "job_directives_skip", "project": "account",
           "job_name": "name"}


@dataclass
class JobSettings:
    system: str
    name: str
    cores: int
    memory: int  # bytes per job
    processes: int
    walltime: str | None = None
    queue: str | None = None
    account: str | None = None
    job_cpu: int | None = None
    job_mem: int | None = None
    resource_spec: str | None = None
    parallel_environment: str | None = None
    memory_directive: str | None = None
    job_extra_directives: list = field(default_factory=list)
    job_directives_skip: list = field(default_factory=list)
    job_script_prologue: list = field(default_factory=list)
    worker_extra_args: list = field(default_factory=list)
    local_directory: str | None = None
    log_directory: str | None = None
    python: str = sys.executable
    shebang: str = "#!/usr/bin/env bash"
    nanny: bool = True
    submit_command_extra: list = field(default_factory=list)
    cancel_command_extra: list = field(default_factory=list)

    @property
    def threads_per_worker(self):
        return max(1, self.cores // self.processes)

    @property
    def memory_per_worker(self):
        return self.memory // self.processes


def config_value(system, key, kwargs, config_name=None):
    """``kwargs[key]`` when given (not None), else ``jobqueue.<config_name>.<key>`` (a site's own section,
    e.g. ``slurm-gpu``), else ``jobqueue.<system>.<key>`` from the config."""
    value = kwargs.get(key)
    for section in ([config_name] if config_name else []) + [system]:
        if value is None:
            value = shoal.config.get(f"jobqueue.{section}.{key.replace('_', '-')}", None)
    return value


def known_keys(system):
    return {key.replace("-", "_") for key in shoal.config.get(f"jobqueue.{system}", {})}


def resolve(system, kwargs):
    """Settings for ``system`` ('slurm', 'sge', 'pbs') from the cluster's job keyword arguments;
    ``config_name='slurm-gpu'`` reads the ``jobqueue.slurm-gpu`` config section first."""
    kwargs = {RENAMED.get(k, k): v for k, v in kwargs.items()}
    config_name = kwargs.pop("config_name", None)
    if config_name and shoal.config.get(f"jobqueue.{config_name}", None) is None:
        raise ValueError(f"config_name={config_name!r}: no jobqueue.{config_name} section in the config")
    unknown = sorted(set(kwargs) - known_keys(system))
    if unknown:
        raise TypeError(f"Unknown option(s) {unknown} for a {system} job; known: {sorted(known_keys(system))}")
    get = lambda key: config_value(system, key, kwargs, config_name)  # noqa: E731
    cores, memory = get("cores"), get("memory")
    if cores is None or memory is None:
        raise ValueError(f"A {system} cluster needs cores= and memory= per job (e.g. cores=8, memory='16GB'), or "
                         f"jobqueue.{system}.cores / jobqueue.{system}.memory in the config; got cores={cores!r}, "
                         f"memory={memory!r}")
    cores = int(cores)
    memory = parse_bytes(memory) if isinstance(memory, str) else int(memory)
    processes = int(get("processes") or default_processes(cores))
    if cores < 1 or processes < 1 or processes > cores:
        raise ValueError(f"cores={cores}, processes={processes}: a job needs at least one core and at most one "
                         "worker process per core")
    return JobSettings(
        system=system, name=get("name"), cores=cores, memory=memory, processes=processes,
        walltime=get("walltime"), queue=get("queue"), account=get("account"),
        job_cpu=get("job_cpu"), job_mem=_bytes_or_none(get("job_mem")),
        resource_spec=get("resource_spec"), parallel_environment=get("parallel_environment"),
        memory_directive=get("memory_directive"),
        job_extra_directives=list(get("job_extra_directives") or []),
        job_directives_skip=list(get("job_directives_skip") or []),
        job_script_prologue=list(get("job_script_prologue") or []),
        worker_extra_args=list(get("worker_extra_args") or []),
        local_directory=_path_or_none(get("local_directory")), log_directory=_path_or_none(get("log_directory")),
        python=get("python") or sys.executable, shebang=get("shebang") or "#!/usr/bin/env bash",
        nanny=bool(get("nanny")) if get("nanny") is not None else True,
        submit_command_extra=list(get("submit_command_extra") or []),
        cancel_command_extra=list(get("cancel_command_extra") or []),
    )


def default_processes(cores):
    """About sqrt(cores) worker processes, each with a whole number of threads."""
    if cores <= 4:
        return 1
    processes = max(1, int(math.sqrt(cores)))
    while cores % processes:
        processes -= 1
    return processes


def _bytes_or_none(value):
    if value is None:
        return None
    return parse_bytes(value) if isinstance(value, str) else int(value)


def _path_or_none(value):
    return None if value is None else os.fspath(value)
