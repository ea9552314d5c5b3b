"""The content-addressed blob store: read-only files named by their blake3 hex digest."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import blake3

from lamingit._util import create_new_file, fsync_dir
from lamingit.errors import IntegrityError
from lamingit.storage.copy_hashing import copy_hashing
from lamingit.storage.hashing import hash_bytes, hash_mapped, hash_stream

_OID = re.compile(r"[0-9a-f]{64}")
HASH_FIRST_MIN = 8 * 1024 * 1024
"""A file at least this large that probably is a stored blob is hashed before it is copied."""
SIZES = "sizes"
"""``objects/sizes/<n>``: per size of a large blob stored here, the probes of those blobs."""
_PROBE_EDGE = 64 * 1024
_PROBE_BLOCK = 4096
_PROBE_SAMPLES = 32


def content_probe(fd: int, size: int) -> str:
    """A 128-bit blake3 of a large file's size, first and last 64 KiB and 32 evenly spread
    4 KiB blocks: about 160 KiB read, whatever the file's size.

    Equal files have equal probes; a file whose probe matches no stored blob of its size is
    new content (a mismatch is certain), which ``stage_file`` copies while hashing it.

    Example:
        >>> with open("big.bin", "rb") as fh:  # doctest: +SKIP
        ...     content_probe(fh.fileno(), os.fstat(fh.fileno()).st_size)
        '5e0f…'
    """
    hasher = blake3.blake3(size.to_bytes(8, "little"))
    step = max(size - _PROBE_BLOCK, 0) // (_PROBE_SAMPLES + 1)
    hasher.update(os.pread(fd, _PROBE_EDGE, 0))
    for i in range(1, _PROBE_SAMPLES + 1):
        hasher.update(os.pread(fd, _PROBE_BLOCK, i * step))
    hasher.update(os.pread(fd, _PROBE_EDGE, max(size - _PROBE_EDGE, 0)))
    return hasher.hexdigest(length=16)


class BlobStore:
    """Blobs under ``root/ab/cd/<hex>``; written tmp+rename, stored read-only (0444).

    Example:
        >>> store = BlobStore(Path(".lamingit/objects"))  # doctest: +SKIP
        >>> oid = store.put_bytes(b"hello")  # doctest: +SKIP
    """

    def __init__(self, root: Path, *, fsync: bool = False) -> None:
        self.root = root
        self.fsync = fsync

    def path_for(self, oid: str) -> Path:
        """Where blob ``oid`` lives (whether or not it exists).

        ``oid`` comes from records that may have arrived by pull, so anything but 64 hex
        digits is refused: a crafted ``hash`` must never name a path outside the store.
        """
        if not isinstance(oid, str) or not _OID.fullmatch(oid):
            raise IntegrityError(
                f"{str(oid)[:80]!r} is not a content hash (64 hex digits); the record holding "
                "it is damaged or crafted: run `lamingit fsck`"
            )
        return self.root / oid[:2] / oid[2:4] / oid

    def freshen(self, oid: str) -> bool:
        """Touch an existing blob, so gc's grace period protects a save reusing it.

        Returns True if the blob is present.
        """
        path = self.path_for(oid)
        try:
            os.utime(path)
        except FileNotFoundError:
            return False
        except PermissionError:
            return path.exists()  # a store shared read-only: nothing to protect it from
        return True

    def has(self, oid: str) -> bool:
        """Tell whether the blob is present locally."""
        return self.path_for(oid).exists()

    def _tmp(self) -> tuple[int, str]:
        """A new file in ``tmp/``, already read-only (0444, the blob's final mode; the
        returned descriptor still writes), so committing it needs no chmod of its path."""
        return create_new_file(os.path.join(self.root, "tmp"), "blob-", 0o444)

    def _marker(self, size: int) -> str:
        return os.path.join(self.root, SIZES, str(size))

    def _probes(self, size: int) -> set[str] | None:
        """The probes recorded for blobs of ``size`` bytes: None if no large blob has that
        size; an empty set for a marker from before probes were recorded (size known only)."""
        if size < HASH_FIRST_MIN:
            return None
        try:
            with open(self._marker(size), "rb") as fh:
                return set(fh.read().decode("ascii", "replace").split())
        except OSError:  # FileNotFoundError mostly: a size never stored
            return None

    def _remember(self, fd: int, size: int, probe: str | None = None) -> None:
        """Record the probe of a large blob (its file open as ``fd``), see ``stage_file``."""
        if size < HASH_FIRST_MIN:
            return
        probe = probe or content_probe(fd, size)
        if probe in (self._probes(size) or ()):
            return
        line = f"{probe}\n".encode()
        flags = os.O_CREAT | os.O_WRONLY | os.O_APPEND
        try:
            try:
                marker = os.open(self._marker(size), flags, 0o644)
            except FileNotFoundError:
                os.makedirs(os.path.join(self.root, SIZES), exist_ok=True)
                marker = os.open(self._marker(size), flags, 0o644)
            except PermissionError:  # an empty marker of an older version is read-only
                os.chmod(self._marker(size), 0o644)
                marker = os.open(self._marker(size), flags, 0o644)
            try:
                os.write(marker, line)  # one short O_APPEND write: lines never interleave
            finally:
                os.close(marker)
        except OSError:
            pass  # only a hint: without it a re-save copies before it finds the duplicate

    def _remember_file(self, path: str) -> None:
        with contextlib.suppress(OSError), open(path, "rb", buffering=0) as fh:
            self._remember(fh.fileno(), os.fstat(fh.fileno()).st_size)

    def _commit_tmp(self, tmp: str, oid: str) -> None:
        self._remember_file(tmp)  # the probe is only a hint
        dest = self.path_for(oid)
        created = False
        try:
            os.replace(tmp, dest)
        except FileNotFoundError:
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, dest)
            created = True
        if self.fsync:
            # The rename must be on disk before a commit naming the blob is: flush the
            # directory entry (and the fan-out directories' entries when just created).
            fsync_dir(dest.parent)
            if created:
                fsync_dir(dest.parent.parent)
                fsync_dir(self.root)

    def put_bytes(self, data: bytes) -> str:
        """Store ``data``; return its oid. Storing existing content is a no-op.

        Example:
            >>> store.put_bytes(b"x") == hash_bytes(b"x")  # doctest: +SKIP
            True
        """
        oid = hash_bytes(data)
        if self.freshen(oid):
            return oid
        fd, tmp = self._tmp()
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                if self.fsync:
                    os.fsync(fh.fileno())
            self._commit_tmp(tmp, oid)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return oid

    def stage_file(self, src: Path) -> tuple[Path, str, int]:
        """Copy ``src`` into the store's tmp area, hashing as it copies; return ``(tmp, oid, size)``.

        Reads the file exactly once. :meth:`commit_staged` moves it into place; an abandoned
        staged file is removed by ``lamingit gc``.

        A large file (≥ 8 MiB) whose probe (``content_probe``: size, both ends, 32 blocks)
        matches a stored blob's is probably a re-save: it is hashed first (memory-mapped,
        every core) and copied only if its content is new. When the store holds it already,
        nothing is copied and ``tmp`` does not exist (``commit_staged`` then only refreshes
        the blob). Any other file is new content: it is copied while it is hashed, reading
        it once, as ``cp`` does.

        Example:
            >>> tmp, oid, size = store.stage_file(Path("big.bin"))  # doctest: +SKIP
        """
        size = os.stat(src).st_size
        known = self._probes(size)  # None below 8 MiB: no file opened for a small save
        probe = None
        if known:
            with open(src, "rb", buffering=0) as fh:
                probe = content_probe(fh.fileno(), size)
        # A marker without probes (written before probes were) knows only the size.
        if known is not None and (not known or probe in known):
            oid, size = hash_mapped(src)
            if self.freshen(oid):  # freshened: gc's grace period keeps it until the commit
                if probe is None or probe not in known:
                    with contextlib.suppress(OSError), open(src, "rb", buffering=0) as fh:
                        self._remember(fh.fileno(), size, probe)
                return Path(self.root, "tmp", f"present-{oid}"), oid, size
        fd, tmp = self._tmp()
        try:
            digest, size = copy_hashing(src, fd, fsync=self.fsync)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return Path(tmp), digest, size

    def commit_staged(self, tmp: Path, oid: str) -> None:
        """Move a staged file into place as blob ``oid`` (dropping it if the blob exists)."""
        if self.freshen(oid):
            if tmp.exists():  # copied because its probe was not recorded: record it now
                self._remember_file(str(tmp))
            tmp.unlink(missing_ok=True)
            return
        self._commit_tmp(str(tmp), oid)

    def put_file(self, src: Path, expected: str) -> None:
        """Copy ``src`` in, hashing the bytes as they are copied; refuse if they changed.

        One pass reads the file once, so a saved file is read no more often than ``cp`` reads
        it. If the content no longer hashes to ``expected`` (the file was modified after the
        artifact was created), nothing is stored and ``IntegrityError`` is raised.

        Example:
            >>> store.put_file(Path("a.csv"), hash_file(Path("a.csv"))[0])  # doctest: +SKIP
        """
        if self.freshen(expected):
            return
        fd, tmp = self._tmp()
        try:
            digest, _size = copy_hashing(src, fd, fsync=self.fsync)
            if digest != expected:
                raise IntegrityError(
                    f"{src} changed while it was being saved; save it again once it is complete"
                )
            self._commit_tmp(tmp, expected)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def read_bytes(self, oid: str) -> bytes:
        """Read a whole blob and verify it against its oid.

        Example:
            >>> store.read_bytes(oid)  # doctest: +SKIP
        """
        data = self.path_for(oid).read_bytes()
        if hash_bytes(data) != oid:
            raise IntegrityError(
                f"blob {oid} is corrupted (its bytes do not match its hash); "
                "run `lamingit fsck` and fetch it again from the blob remote"
            )
        return data

    def verify(self, oid: str) -> bool:
        """Re-hash a stored blob; True when its bytes still match its oid."""
        path = self.path_for(oid)
        if not path.exists():
            return False
        return hash_stream(path) == oid

    def copy_out(self, oid: str, dest: Path) -> None:
        """Materialize a blob at ``dest`` as a writable copy (never a link into the store).

        A copy, not a hard link, so that writing to ``dest`` can never alter the stored blob.
        The bytes are verified against ``oid`` while they are copied; a corrupted blob raises
        ``IntegrityError`` and leaves nothing at ``dest``.
        """
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".tmp-")
        try:
            digest, _size = copy_hashing(self.path_for(oid), fd, fsync=False)
            if digest != oid:
                raise IntegrityError(
                    f"blob {oid} is corrupted (its bytes do not match its hash); "
                    "run `lamingit fsck` and fetch it again from the blob remote"
                )
            os.chmod(tmp, 0o644)
            os.replace(tmp, dest)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def delete(self, oid: str) -> None:
        """Remove a blob (used by permanent delete and gc)."""
        self.path_for(oid).unlink(missing_ok=True)

    def iter_oids(self) -> Iterator[str]:
        """Every blob oid present locally."""
        if not self.root.exists():
            return
        for first in self.root.iterdir():
            if len(first.name) != 2 or not first.is_dir():
                continue
            for second in first.iterdir():
                for blob in second.iterdir():
                    yield blob.name
