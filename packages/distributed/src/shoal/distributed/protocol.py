"""Wire format of every message: msgpack control data plus pickle-5 out-of-band frames for payloads.

A message is a msgpack-able structure (dicts, lists, str, bytes, numbers).  Values wrapped in
``Serialize(obj)`` are pickled (cloudpickle when plain pickle cannot, e.g. lambdas) with protocol 5, so
NumPy/pandas buffers become separate frames that are never copied.  ``Serialized`` is the already
pickled form: the scheduler reads messages without unpickling and forwards ``Serialized`` values
untouched, so user code and data only come alive on workers and clients.

Frames of one message: ``[control, sub_headers, *payload_frames]``.
"""

import pickle

import cloudpickle
import msgpack

EXT_SERIALIZED = 42
COMPRESS_MIN_BYTES = 10_000
COMPRESS_SAMPLE_BYTES = 10_000


class Serialize:
    """Mark ``data`` to travel pickled, in frames of its own."""

    __slots__ = ("data",)

    def __init__(self, data):
        self.data = data

    def __repr__(self):
        return f"<Serialize: {type(self.data).__name__}>"


class Serialized:
    """A pickled payload: ``header`` (msgpack-able dict) and its ``frames``."""

    __slots__ = ("header", "frames")

    def __init__(self, header, frames):
        self.header = header
        self.frames = frames

    def __repr__(self):
        return f"<Serialized: {sum(map(nbytes, self.frames))} bytes>"

    def __eq__(self, other):
        return (
            isinstance(other, Serialized)
            and self.header == other.header
            and [bytes(f) for f in self.frames] == [bytes(f) for f in other.frames]
        )


def nbytes(frame):
    return frame.nbytes if isinstance(frame, memoryview) else len(frame)


# ---- pickling --------------------------------------------------------------------------------


def pickle_dumps(obj):
    """Pickle ``obj`` to ``(header, frames)`` with out-of-band buffers."""
    buffers = []

    def keep_out_of_band(buf):
        try:
            buffers.append(buf.raw())
        except BufferError:  # non-contiguous: let pickle copy it in-band
            return True
        return False

    try:
        main = pickle.dumps(obj, protocol=5, buffer_callback=keep_out_of_band)
        # functions/classes from __main__ pickle by reference; workers cannot import them
        if b"__main__" not in main:
            return {"serializer": "pickle"}, [main, *buffers]
    except Exception:
        pass
    buffers = []
    main = cloudpickle.dumps(obj, protocol=5, buffer_callback=keep_out_of_band)
    return {"serializer": "pickle"}, [main, *buffers]


def pickle_loads(header, frames):
    return pickle.loads(frames[0], buffers=frames[1:])


def serialize(obj):
    """``obj`` -> ``Serialized``; raises ``TypeError`` naming the type when it cannot be pickled."""
    if isinstance(obj, Serialized):
        return obj
    try:
        header, frames = pickle_dumps(obj)
    except Exception as e:
        raise TypeError(f"Could not serialize object of type {type(obj).__name__}: {e}") from e
    return Serialized(header, frames)


def deserialize(ser):
    return pickle_loads(ser.header, ser.frames)


def dumps_function(func):
    """Pickle a task's function once; workers cache the unpickled function by these bytes."""
    try:
        return _function_cache[func]
    except (KeyError, TypeError):
        pass
    header, frames = pickle_dumps(func)
    data = frames[0] if len(frames) == 1 else cloudpickle.dumps(func)
    try:
        if len(_function_cache) > 1000:
            _function_cache.clear()
        _function_cache[func] = data
    except TypeError:  # unhashable callable
        pass
    return data


_function_cache = {}


# ---- compression -----------------------------------------------------------------------------


def _lz4():
    try:
        import lz4.block
    except ImportError:
        return None
    return lz4.block


def maybe_compress(frame):
    """Compress ``frame`` with lz4 only if it is large and a sample shrinks well."""
    size = nbytes(frame)
    lz4 = _lz4()
    if lz4 is None or size < COMPRESS_MIN_BYTES:
        return None, frame
    view = memoryview(frame).cast("B")
    mid = size // 2
    sample = view[mid : mid + COMPRESS_SAMPLE_BYTES]
    if len(lz4.compress(sample, store_size=False)) > 0.9 * len(sample):
        return None, frame
    compressed = lz4.compress(view)
    if len(compressed) > 0.9 * size:
        return None, frame
    return "lz4", compressed


def decompress(kind, frame):
    if kind is None:
        return frame
    if kind == "lz4":
        lz4 = _lz4()
        if lz4 is None:
            raise ValueError("Received an lz4-compressed frame but lz4 is not installed: pip install lz4")
        return lz4.decompress(frame, return_bytearray=True)  # writable, like received frames
    raise ValueError(f"Unknown compression {kind!r}")


# ---- messages --------------------------------------------------------------------------------


def dumps(msg, compress=False):
    """Message -> list of frames."""
    subs = []
    payload = []

    def default(obj):
        if isinstance(obj, Serialize):
            obj = serialize(obj.data)
        if isinstance(obj, Serialized):
            frames = list(obj.frames)
            compression = [None] * len(frames)
            if compress:
                for i, frame in enumerate(frames):
                    compression[i], frames[i] = maybe_compress(frame)
            subs.append([obj.header, len(frames), compression])
            payload.extend(frames)
            return msgpack.ExtType(EXT_SERIALIZED, (len(subs) - 1).to_bytes(4, "little"))
        if isinstance(obj, (set, frozenset)):
            return list(obj)
        raise TypeError(f"Cannot send object of type {type(obj).__name__} in a control message: {obj!r:.200}")

    control = msgpack.packb(msg, default=default, use_bin_type=True)
    header = msgpack.packb(subs, use_bin_type=True)
    return [control, header, *payload]


def loads(frames, deserialize=True):
    """List of frames -> message.  With ``deserialize=False`` payloads stay ``Serialized``."""
    if len(frames) < 2:
        raise ValueError(f"A message needs at least 2 frames, got {len(frames)}")
    subs = msgpack.unpackb(frames[1], use_list=False, raw=False)
    offsets = []
    start = 2
    for _header, n, _compression in subs:
        offsets.append(start)
        start += n
    if start != len(frames):
        raise ValueError(f"Message announces {start} frames but carries {len(frames)}")

    errors = []

    def ext_hook(code, data):
        if code != EXT_SERIALIZED:
            raise ValueError(f"Unknown msgpack extension type {code}")
        i = int.from_bytes(data, "little")
        header, n, compression = subs[i]
        raw = frames[offsets[i] : offsets[i] + n]
        parts = [decompress(c, f) for c, f in zip(compression, raw)]
        ser = Serialized(dict(header), parts)
        if not deserialize:
            return ser
        try:
            return pickle_loads(ser.header, ser.frames)
        except Exception as e:  # e.g. a class this process cannot import
            errors.append(e)
            return None

    msg = msgpack.unpackb(frames[0], ext_hook=ext_hook, use_list=False, raw=False, strict_map_key=False)
    if errors:
        raise UnpicklablePayload(msg, errors[0])
    return msg


class UnpicklablePayload(Exception):
    """A message arrived whole but a payload in it could not be unpickled here.  The connection is
    still in step, so the receiver can answer with ``error`` instead of dropping it."""

    def __init__(self, message, error):
        super().__init__(f"could not unpickle a payload: {type(error).__name__}: {error}")
        self.message, self.error = message, error
