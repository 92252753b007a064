import pickle
import threading

from shoal.locks import SerializableLock
from shoal.utils import SerializableLock as FromUtils


def test_serializable_lock_pickles_to_the_same_lock():
    lock = SerializableLock()
    copy = pickle.loads(pickle.dumps(lock))
    assert copy.token == lock.token and copy.lock is lock.lock
    with lock:
        assert copy.locked()
        assert not copy.acquire(blocking=False)
    assert not copy.locked()
    assert SerializableLock().lock is not lock.lock
    assert FromUtils is SerializableLock


def test_serializable_lock_serialises_threads():
    lock, inside, overlaps = SerializableLock("shared"), [], []

    def work():
        with pickle.loads(pickle.dumps(lock)):
            inside.append(1)
            overlaps.append(len(inside))
            threading.Event().wait(0.01)
            inside.pop()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert overlaps == [1] * 8

