"""Wire format: msgpack control data, out-of-band frames, compression, opaque payloads."""

import numpy as np
import pytest

from shoal.distributed import protocol
from shoal.distributed.protocol import Serialize, Serialized, dumps, loads

pytestmark = pytest.mark.timeout(30)


def test_roundtrip_control_and_tuple_keys():
    msg = {"op": "x", "keys": [("a", 1), "b"], "n": 3, "who_has": {("a", 1): ["w"]}}
    out = loads(dumps(msg))
    assert out["op"] == "x" and out["n"] == 3
    assert list(out["keys"]) == [("a", 1), "b"]
    assert out["who_has"][("a", 1)] == ("w",)


def test_numpy_travels_out_of_band_without_copy():
    x = np.arange(1_000_000, dtype="f8")
    frames = dumps({"data": Serialize(x)})
    assert len(frames) >= 4  # control, sub-headers, pickle stream, the array buffer
    assert any(protocol.nbytes(f) == x.nbytes for f in frames)
    buffer_frame = next(f for f in frames if protocol.nbytes(f) == x.nbytes)
    assert np.shares_memory(np.frombuffer(buffer_frame, dtype="f8"), x)
    y = loads(frames)["data"]
    np.testing.assert_array_equal(x, y)


def test_lambdas_and_local_functions_use_cloudpickle():
    k = 5
    out = loads(dumps({"f": Serialize(lambda x: x + k)}))
    assert out["f"](1) == 6


def test_scheduler_side_keeps_payload_opaque_and_forwards_it():
    frames = dumps({"op": "t", "spec": Serialize({"secret": [1, 2]})})
    opaque = loads(frames, deserialize=False)
    assert isinstance(opaque["spec"], Serialized)
    again = loads(dumps({"forward": opaque["spec"]}))
    assert again["forward"] == {"secret": [1, 2]}


def test_compression_only_when_it_pays():
    compressible = np.zeros(200_000, dtype="u1")
    random = np.random.default_rng(0).integers(0, 255, 200_000, dtype="u1")
    small = sum(map(protocol.nbytes, dumps({"x": Serialize(compressible)}, compress=True)))
    big = sum(map(protocol.nbytes, dumps({"x": Serialize(random)}, compress=True)))
    assert small < 50_000
    assert big >= 200_000
    np.testing.assert_array_equal(loads(dumps({"x": Serialize(compressible)}, compress=True))["x"], compressible)


def test_unpicklable_object_gives_clear_error():
    import threading

    with pytest.raises(TypeError, match="lock"):
        dumps({"x": Serialize(threading.Lock())})


def test_non_msgpack_object_in_control_message_is_named():
    with pytest.raises(TypeError, match="object"):
        dumps({"x": object()})


def test_pandas_roundtrip():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"a": np.arange(10), "b": list("abcdefghij")})
    out = loads(dumps({"df": Serialize(df)}))["df"]
    pd.testing.assert_frame_equal(out, df)
