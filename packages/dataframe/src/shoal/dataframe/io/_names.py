"""File names of partitioned writes: ``*`` in the path becomes the partition number."""


def numbered_names(npartitions: int):
    """Zero-padded numbers (``00`` .. ``11`` for 12 partitions), so the files sort in partition order
    and a glob reads them back in that order."""
    width = len(str(max(npartitions - 1, 0)))
    return lambda i: str(i).zfill(width)
