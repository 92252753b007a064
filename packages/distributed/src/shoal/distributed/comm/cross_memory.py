"""Linux cross-memory attach: copy bytes straight out of another process with ``process_vm_readv``.

Two processes of the same user on the same machine can skip the socket for large frames: the sender
names where a frame lives (``address``, ``length``) and the receiver copies it into a buffer of its
own with one system call (what MPI libraries do for large intra-node messages).  This module is the
ctypes part: who this process is (``identity``), whether a peer's memory is readable (``probe``),
the copy itself (``read_into``) and the counters tests and diagnostics read (``counters``).
"""

import ctypes
import ctypes.util
import errno
import os
import sys
import threading

# The kernel copies at most MAX_RW_COUNT (2 GiB minus a page) per call; stay well under it.
MAX_CHUNK = 1 << 30
PR_SET_PTRACER = 0x59616D61
PR_SET_PTRACER_ANY = ctypes.c_ulong(-1).value
PROBE_BYTES = 32


class CrossMemoryError(OSError):
    """A cross-memory read failed (peer gone, not permitted, short read): use the socket instead."""


class _IOVec(ctypes.Structure):
    _fields_ = [("iov_base", ctypes.c_void_p), ("iov_len", ctypes.c_size_t)]


class _PyBuffer(ctypes.Structure):
    """CPython's ``Py_buffer``, to find where any buffer-protocol object keeps its bytes."""

    _fields_ = [("buf", ctypes.c_void_p), ("obj", ctypes.c_void_p), ("len", ctypes.c_ssize_t),
                ("itemsize", ctypes.c_ssize_t), ("readonly", ctypes.c_int), ("ndim", ctypes.c_int),
                ("format", ctypes.c_char_p), ("shape", ctypes.c_void_p), ("strides", ctypes.c_void_p),
                ("suboffsets", ctypes.c_void_p), ("internal", ctypes.c_void_p)]


def _load_libc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        readv = libc.process_vm_readv
    except (OSError, AttributeError):
        return None
    readv.argtypes = [ctypes.c_int, ctypes.POINTER(_IOVec), ctypes.c_ulong, ctypes.POINTER(_IOVec),
                      ctypes.c_ulong, ctypes.c_ulong]
    readv.restype = ctypes.c_ssize_t
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    libc.prctl.restype = ctypes.c_int
    return libc


_libc = _load_libc()
_counters_lock = threading.Lock()
_counters = {"reads": 0, "bytes": 0, "fallbacks": 0, "frames_lent": 0, "frames_held": 0}
_probe = {"pid": None, "token": None}
_boot_id = None
_ptracer_set = False


def available():
    """True on Linux with a libc that has process_vm_readv."""
    return _libc is not None


def counters():
    """A snapshot: cross-memory ``reads`` and ``bytes`` received, ``fallbacks`` to the socket,
    ``frames_lent`` to peers so far and ``frames_held`` for peers right now."""
    with _counters_lock:
        return dict(_counters)


def count(name, n=1):
    with _counters_lock:
        _counters[name] += n


def _probe_token():
    """Random bytes at a fixed address that peers read to check they reach this very process.  A forked
    child inherits them at the same address, so they are renewed per pid."""
    pid = os.getpid()
    if _probe["pid"] != pid:
        _probe["token"] = os.urandom(PROBE_BYTES)
        _probe["pid"] = pid
    return _probe["token"]


def _read_boot_id():
    global _boot_id
    if _boot_id is None:
        try:
            with open("/proc/sys/kernel/random/boot_id") as f:
                _boot_id = f.read().strip()
        except OSError:
            _boot_id = ""
    return _boot_id


def _pid_namespace():
    try:
        return os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return 0


def identity():
    """What a peer needs to read this process: pid, machine boot, pid namespace, user and a probe."""
    token = _probe_token()
    return {"pid": os.getpid(), "boot_id": _read_boot_id(), "pidns": _pid_namespace(), "uid": os.getuid(),
            "probe": [address_of(token), len(token)], "token": token}


def same_machine(peer):
    """The peer runs on this machine, in our pid namespace, as our user (so its pid means the same)."""
    mine = identity()
    return bool(mine["boot_id"]) and all(peer.get(k) == mine[k] for k in ("boot_id", "pidns", "uid"))


def probe(peer):
    """Can this process read ``peer``'s memory?  Reads the peer's probe token and compares."""
    if not available() or not same_machine(peer):
        return False
    try:
        address, length = peer["probe"]
        out = bytearray(length)
        read_into(peer["pid"], [(address, out)])
    except (CrossMemoryError, KeyError, TypeError, ValueError):
        return False
    return bytes(out) == peer.get("token")


def allow_peers_to_read():
    """Under Yama ``ptrace_scope=1`` only ancestors may read a process unless it names a ptracer: let any
    process of this user (the sibling workers) read ours.  Scopes 2 and 3 cannot be relaxed here; the
    probe then fails and transfers use the socket."""
    global _ptracer_set
    if _ptracer_set or _libc is None:
        return
    _ptracer_set = True
    try:
        with open("/proc/sys/kernel/yama/ptrace_scope") as f:
            scope = int(f.read().strip() or 0)
    except (OSError, ValueError):
        return  # no Yama: ordinary same-user permission checks apply
    if scope == 1:
        _libc.prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0)


def _load_python_api():
    # a handle of our own, so setting argtypes does not change ctypes.pythonapi for other libraries
    api = ctypes.PyDLL(None) if sys.platform != "win32" else ctypes.pythonapi
    api.PyObject_GetBuffer.argtypes = [ctypes.py_object, ctypes.POINTER(_PyBuffer), ctypes.c_int]
    api.PyObject_GetBuffer.restype = ctypes.c_int
    api.PyBuffer_Release.argtypes = [ctypes.POINTER(_PyBuffer)]
    api.PyBuffer_Release.restype = None
    return api


_python_api = _load_python_api()


def address_of(buffer):
    """Where the bytes of a contiguous buffer-protocol object start (valid while the object lives).
    Raises BufferError for objects without one contiguous buffer."""
    view = _PyBuffer()
    if _python_api.PyObject_GetBuffer(buffer, ctypes.byref(view), 0) != 0:  # PyBUF_SIMPLE: contiguous
        raise BufferError(f"{type(buffer).__name__} has no contiguous buffer")
    try:
        return view.buf or 0
    finally:
        _python_api.PyBuffer_Release(ctypes.byref(view))


def read_into(pid, pieces):
    """Copy each ``(remote_address, writable_buffer)`` from process ``pid``, filling the buffers whole.
    Raises ``CrossMemoryError`` naming the pid and the errno (or the short count)."""
    if _libc is None:
        raise CrossMemoryError(errno.ENOSYS, "process_vm_readv is not available on this platform")
    for remote, buffer in pieces:
        length = memoryview(buffer).nbytes
        local = address_of(buffer)
        done = 0
        while done < length:
            chunk = min(length - done, MAX_CHUNK)
            n = _readv(pid, local + done, remote + done, chunk)
            if n <= 0:
                raise CrossMemoryError(errno.EIO, f"process_vm_readv from pid {pid} stopped after {done} of "
                                                  f"{length} bytes at address {remote:#x}")
            done += n


def split(pieces, parts):
    """``read_into`` pieces cut into ``parts`` lists of about equal bytes, to copy in parallel."""
    out = [[] for _ in range(parts)]
    for remote, buffer in pieces:
        view = memoryview(buffer).cast("B")
        step = -(-view.nbytes // parts)
        for i, start in enumerate(range(0, view.nbytes, step)):
            out[i].append((remote + start, view[start : start + step]))
    return [chunk for chunk in out if chunk]


def _readv(pid, local, remote, length):
    local_iov = _IOVec(local, length)
    remote_iov = _IOVec(remote, length)
    n = _libc.process_vm_readv(pid, ctypes.byref(local_iov), 1, ctypes.byref(remote_iov), 1, 0)
    if n < 0:
        err = ctypes.get_errno()
        raise CrossMemoryError(err, f"process_vm_readv of {length} bytes from pid {pid} at {remote:#x} failed: "
                                    f"{os.strerror(err)}")
    return n
