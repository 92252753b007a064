"""Command-line entry points: ``shoal-scheduler`` and ``shoal-worker``."""
