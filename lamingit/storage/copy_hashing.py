"""Copy a file while hashing it, reading the source once: the blob store's only copy routine.

Large files are copied by the kernel (``copy_file_range``) while this thread hashes the
source, so a save costs about what ``cp`` costs.
"""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path

import blake3

from lamingit._util import write_all
from lamingit.errors import IntegrityError
from lamingit.storage.hashing import CHUNK

KERNEL_COPY_MIN = 8 * 1024 * 1024
"""Files at least this large are copied by the kernel, with hashing overlapped."""
_KERNEL_CHUNK = 64 * 1024 * 1024
SMALL_COPY_MAX = 256 * 1024
"""Files below this size are copied with two system calls (most saves: ~10 µs, not ~30)."""


def copy_hashing(src: Path, fd: int, *, fsync: bool) -> tuple[str, int]:
    """Copy ``src`` into the open file ``fd`` (closed after), hashing it; one read of ``src``.

    Returns the blake3 hex digest and the number of bytes copied. A large source modified
    while it is copied raises ``IntegrityError``, so a blob's bytes always match its hash.

    Example:
        >>> fd, tmp = tempfile.mkstemp()  # doctest: +SKIP
        >>> copy_hashing(Path("big.bin"), fd, fsync=False)  # doctest: +SKIP
        ('9f3c…', 1073741824)
    """
    with open(src, "rb", buffering=0) as raw:
        size = os.fstat(raw.fileno()).st_size
        if size < SMALL_COPY_MAX:
            try:
                return _small_copy_hashing(raw.fileno(), fd, size, fsync=fsync)
            finally:
                os.close(fd)
        with io.BufferedReader(raw, CHUNK) as fin, os.fdopen(fd, "wb") as fout:
            result = None
            if size >= KERNEL_COPY_MIN:
                result = _kernel_copy_hashing(fin.fileno(), fout.fileno(), src)
            if result is None:
                result = _buffered_copy_hashing(fin, fout)
            if fsync:
                fout.flush()
                os.fsync(fout.fileno())
    return result


def _small_copy_hashing(fin: int, fout: int, expected: int, *, fsync: bool) -> tuple[str, int]:
    """Read, hash and write in one piece; a file that grew meanwhile is read to its end."""
    hasher = blake3.blake3()
    size = 0
    want = expected + 1  # one read returns the whole file, the next one its end
    while chunk := os.read(fin, want):
        hasher.update(chunk)
        write_all(fout, chunk)
        size += len(chunk)
        want = CHUNK
    if fsync:
        os.fsync(fout)
    return hasher.hexdigest(), size


def _buffered_copy_hashing(fin: io.BufferedIOBase, fout: io.BufferedWriter) -> tuple[str, int]:
    hasher = blake3.blake3(max_threads=blake3.blake3.AUTO)
    size = 0
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    while n := fin.readinto(buf):
        hasher.update(view[:n])
        fout.write(view[:n])
        size += n
    return hasher.hexdigest(), size


def _kernel_copy_hashing(fin: int, fout: int, src: Path) -> tuple[str, int] | None:
    """The kernel copies ``fin`` (in a worker thread) while this thread hashes it.

    Both read the source's page cache, so the file is read from disk once. A source
    modified meanwhile is detected by its size and change times and refused. Returns None
    when the kernel cannot copy between these files (then nothing was written).
    """
    before = os.fstat(fin)
    try:
        # A first small chunk here tells whether the kernel can copy between these files.
        first = os.copy_file_range(fin, fout, CHUNK, 0, 0)
    except OSError:  # ENOSYS, EXDEV, EINVAL (e.g. another filesystem, a special file)
        return None
    step: dict[str, int | BaseException] = {}
    copier = threading.Thread(target=_copy_rest, args=(fin, fout, first, step))
    copier.start()
    # One thread for hashing: the kernel copy has the other core.
    hasher = blake3.blake3(max_threads=1)
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    offset = 0
    try:
        # Chunked reads rather than a mapping: the process's memory stays flat.
        while n := os.preadv(fin, [buf], offset):
            hasher.update(view[:n])
            offset += n
    finally:
        copier.join()
    copied = step["result"]
    if isinstance(copied, BaseException):
        raise copied
    after = os.fstat(fin)
    if (
        (before.st_size, before.st_mtime_ns, before.st_ctime_ns)
        != (
            after.st_size,
            after.st_mtime_ns,
            after.st_ctime_ns,
        )
        or copied != before.st_size
        or offset != copied
    ):
        raise IntegrityError(
            f"{src} changed while it was being saved; save it again once it is complete"
        )
    return hasher.hexdigest(), copied


def _copy_rest(fin: int, fout: int, done: int, step: dict[str, int | BaseException]) -> None:
    try:
        while n := os.copy_file_range(fin, fout, _KERNEL_CHUNK, done, done):
            done += n
        step["result"] = done
    except BaseException as exc:  # reported to the hashing thread, which raises it
        step["result"] = exc
