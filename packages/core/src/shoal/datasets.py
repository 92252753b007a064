"""Example datasets, as ``shoal.datasets.timeseries()`` (they live in the collection packages)."""


def timeseries(*args, **kwargs):
    """A random time-series DataFrame; see ``shoal.dataframe.datasets.timeseries``."""
    from shoal.utils import import_required

    import_required("shoal.dataframe", "shoal-dataframe")
    from shoal.dataframe.datasets import timeseries as make

    return make(*args, **kwargs)
