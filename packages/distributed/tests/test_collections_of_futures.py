"""Everything that takes futures also takes persisted collections (and containers) holding them."""

import io

import numpy as np
import pytest

import shoal
from shoal.distributed import as_completed, fire_and_forget, futures_of, progress, wait
from shoal.distributed.testing import until_blocking

pytestmark = pytest.mark.timeout(60)


def inc(x):
    return x + 1


class Pieces:
    """The smallest collection (core's protocol only): a list of pieces, computed as their sum."""

    def __init__(self, graph, keys):
        self.graph, self.keys = graph, keys

    def __shoal_graph__(self):
        return self.graph

    def __shoal_keys__(self):
        return list(self.keys)

    def __shoal_postcompute__(self):
        return sum, ()

    def __shoal_postpersist__(self):
        return Pieces, (self.keys,)


def pieces(n):
    return Pieces({("piece", i): (inc, i) for i in range(n)}, [("piece", i) for i in range(n)])


@pytest.fixture
def persisted(client):
    import shoal.array as sa

    array = sa.arange(12, chunks=4).persist()
    total = shoal.delayed(sum)([1, 2, 3]).persist()
    return array, total, client.persist(pieces(5))


def test_futures_of_finds_futures_in_collections_and_containers(client, persisted):
    array, total, mine = persisted
    assert len(futures_of(array)) == 3
    assert len(futures_of(total)) == 1
    assert len(futures_of([array, {"x": (total, mine)}])) == 3 + 1 + 5
    assert futures_of([1, "a", None]) == []


def test_wait_progress_and_as_completed_take_collections(client, persisted):
    array, total, mine = persisted
    done, not_done = wait([array, total, mine], timeout="10s")
    assert len(done) == 9 and not not_done
    out = io.StringIO()
    progress(array, mine, file=out, interval="10ms")
    assert "100% Completed" in out.getvalue()
    finished = list(as_completed(mine, timeout="10s"))
    assert sorted(f.key for f in finished) == sorted(mine.keys)
    more = as_completed()
    more.update(array)
    assert len(list(more)) == 3
    with pytest.raises(TypeError, match="futures or collections"):
        as_completed([1, 2])


def test_gather_gives_the_computed_value_of_collections(client, persisted):
    array, total, mine = persisted
    np.testing.assert_array_equal(client.gather(array), np.arange(12))
    assert client.gather({"total": total, "mine": [mine, 1]}) == {"total": 6, "mine": [15, 1]}


def test_data_placement_functions_take_collections(client, persisted):
    array, total, mine = persisted
    wait(array)
    keys = {f.key for f in futures_of(array)}
    assert set(client.who_has(array)) == keys
    client.replicate(array)
    assert all(len(workers) == 2 for workers in client.who_has(array).values())
    assert client.rebalance(mine) is not None


def test_cancel_and_fire_and_forget_take_collections(client):
    import time

    scheduler = client.cluster.scheduler
    workers = list(client.cluster.workers.values())
    slow = client.persist(Pieces({("slow", i): (time.sleep, 0.2) for i in range(4)}, [("slow", i) for i in range(4)]))
    fire_and_forget(slow)
    del slow  # released here, still computed to the end
    until_blocking(lambda: sum(w.state.executed_count for w in workers) == 4)
    until_blocking(lambda: not any(("slow", i) in scheduler.state.tasks for i in range(4)))

    doomed = client.persist(Pieces({("doomed", i): (time.sleep, 5) for i in range(3)}, [("doomed", i) for i in range(3)]))
    client.cancel(doomed)
    assert all(f.cancelled() for f in futures_of(doomed))
    until_blocking(lambda: not any(("doomed", i) in scheduler.state.tasks for i in range(3)))


def test_collections_built_on_futures_keep_them_alive(client):
    import gc

    import pandas as pd

    import shoal.array as sa
    import shoal.dataframe as sd

    array = sa.from_delayed(client.submit(np.arange, 5), shape=(5,), dtype=int)
    frame = sd.from_delayed([client.submit(pd.DataFrame, {"x": [i, i]}) for i in range(3)],
                            meta=pd.DataFrame({"x": pd.Series(dtype="int64")}))
    total = shoal.delayed(sum)([client.submit(inc, i) for i in range(4)])
    gc.collect()  # the futures themselves are gone; only the collections refer to them
    assert array.sum().compute() == 10
    assert frame.x.sum().compute() == 6
    assert total.compute() == 10


def test_assert_eq_reads_a_dataframe_persisted_on_the_cluster(client):
    import pandas as pd

    import shoal.dataframe as sd
    from shoal.dataframe.testing import assert_eq

    pdf = pd.DataFrame({"k": np.arange(100) % 7, "x": np.arange(100.0)})
    persisted = sd.from_pandas(pdf, npartitions=4).persist()
    assert_eq(persisted, pdf)
    assert_eq(persisted.groupby("k").x.sum(), pdf.groupby("k").x.sum())
