"""The last log records of a worker or scheduler, kept in memory for ``Client.get_worker_logs``."""

import logging
from collections import deque

LOGGER = "shoal.distributed"


class LogBuffer(logging.Handler):
    """A logging handler keeping the last ``n`` records as ``(level name, formatted message)``.

    ``attach()`` hooks it on the ``shoal.distributed`` logger, ``detach()`` removes it."""

    def __init__(self, n=1000):
        super().__init__(level=logging.INFO)
        self.records = deque(maxlen=n)
        self.setFormatter(logging.Formatter("%(asctime)s - %(name)s - %(levelname)s - %(message)s"))

    def emit(self, record):
        try:
            self.records.append((record.levelname, self.format(record)))
        except Exception:  # a record that cannot be formatted must not break the caller
            self.handleError(record)

    def attach(self):
        logging.getLogger(LOGGER).addHandler(self)
        return self

    def detach(self):
        logging.getLogger(LOGGER).removeHandler(self)

    def tail(self, n=None):
        records = list(self.records)
        return records if n is None else records[-n:]


def configure_worker_process(level):
    """Logging of a worker's own process: ``level`` on the terminal, INFO and up into the buffers."""
    logging.basicConfig(format="%(asctime)s - %(name)s - %(levelname)s - %(message)s")
    for handler in logging.getLogger().handlers:
        handler.setLevel(level)
    logging.getLogger(LOGGER).setLevel(min(level, logging.INFO))
