"""What a run read: paths from the audit hook and the watcher, matched to artifacts.

A read file is an artifact when it lies in the repository's cache (``cache/<uid>/…``) or
when its content hash is an artifact's hash; anything else is an unregistered read.
"""

from __future__ import annotations

import contextlib
import os
import site
import sys
import threading
from pathlib import Path

from lamingit._util import user_config_path
from lamingit.models import ArtifactRecord
from lamingit.records import Snapshot
from lamingit.storage.hashing import hash_file
from lamingit.tracking import audit

_CODE_SUFFIXES = (".py", ".pyc", ".pyi", ".so", ".pth")


def _system_prefixes() -> tuple[str, ...]:
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    try:
        prefixes.update(site.getsitepackages())
        prefixes.add(site.getusersitepackages())
    except AttributeError:  # virtualenvs with an old site module
        pass
    prefixes.update({"/proc", "/sys", "/dev", "/etc", "/usr", "/lib", "/bin", "/run"})
    prefixes.add(str(Path(__file__).resolve().parent.parent))
    return tuple(sorted(p.rstrip("/") + "/" for p in prefixes if p))


class ReadLog:
    """Reads seen during one run (or one ``@ln.tracked`` call).

    ``raw`` is filled by the audit hook (an absolute path, or ``(path, cwd)`` resolved later
    so the hook stays cheap) and by the watcher thread (absolute paths); a set, so a run that
    re-reads the same files a million times holds each once. The C audit hook appends
    absolute paths to ``opened`` instead (cheaper per open than a set) and moves them into
    ``raw`` whenever the list grows long. ``ignored`` are files lamingit read on the run's
    behalf (the sources of artifacts it saved).

    Example:
        >>> log = ReadLog(Path("mydata"))
        >>> log.raw.add("/data/x.csv")
    """

    def __init__(self, repo_root: Path) -> None:
        # A plain class: a dataclass costs ~0.6 ms to create, on every first ln.track().
        self.repo_root = repo_root
        self.raw: set[object] = set()
        self.opened: list[str] = []
        # lamingit's own settings file is read on every save; it is not the run's data.
        self.ignored: set[str] = {str(user_config_path())}
        self.warnings: list[str] = []
        self.lock = threading.Lock()

    def ignore(self, path: Path) -> None:
        """Never count ``path`` (or files below it) as a read of this run."""
        self.ignored.add(os.path.abspath(path))

    def warn(self, message: str) -> None:
        """Record a problem of read tracking (kept on the run, never silently dropped)."""
        with self.lock:
            if message not in self.warnings:
                self.warnings.append(message)

    def take_paths(self) -> list[str]:
        """The distinct data files read so far (absolute), and forget them."""
        with self.lock:
            raw, self.raw = self.raw, set()
            opened, self.opened = self.opened, []
            # The C audit hook adds to the list and set it was given; point it at the new
            # ones. Reads it added to the old ones meanwhile are merged below.
            audit.retarget(self)
        raw.update(opened)
        local = str(self.repo_root / ".lamingit") + "/"
        cache = str(self.repo_root / ".lamingit" / "cache") + "/"
        gitdir = str(self.repo_root / ".git") + "/"
        skip = _system_prefixes()
        ignored = tuple(sorted(self.ignored))
        out: set[str] = set()
        for item in raw:
            cwd: str | None = None
            path: object = item
            if isinstance(item, tuple):
                path, cwd = item
            if not isinstance(path, str | bytes | os.PathLike):
                continue
            try:
                text = os.fsdecode(path)
            except TypeError:  # a __fspath__ that returns neither str nor bytes
                continue
            if cwd is not None and not os.path.isabs(text):
                text = os.path.join(cwd, text)
            text = os.path.normpath(text)
            if text.endswith(_CODE_SUFFIXES) or text.startswith(skip) or text.startswith(gitdir):
                continue
            if text.startswith(local) and not text.startswith(cache):
                continue
            if any(text == i or text.startswith(i + "/") for i in ignored):
                continue
            out.add(text)
        return sorted(p for p in out if os.path.isfile(p))


def _hash(path: str) -> tuple[str, int] | None:
    """``(hash, size)`` of a read file (hash_file caches it per path, inode, mtime and size)."""
    try:
        return hash_file(Path(path))
    except OSError:
        return None


HASH_ALL_MAX = 256 * 1024 * 1024
"""Up to this many bytes of reads outside the cache, every read file is hashed to match it to
an artifact; beyond, only files of a size some artifact has (one index query) are."""


def _artifact_sizes(snapshot: Snapshot, sizes: set[int]) -> set[int] | None:
    """Which of ``sizes`` some artifact has; None if the index cannot answer."""
    from lamingit.index import Unsupported, select  # polars: only for runs reading this much
    from lamingit.query import Q

    try:
        records = select(snapshot, "artifact", Q(size__in=sorted(sizes)))
    except Unsupported:
        return None
    return {r.size for r in records if isinstance(r, ArtifactRecord)}


def _worth_hashing(snapshot: Snapshot, paths: list[str]) -> set[str]:
    """The paths to hash: all of them, or for large reads those whose size an artifact has."""
    sizes: dict[str, int] = {}
    for path in paths:
        with contextlib.suppress(OSError):
            sizes[path] = os.stat(path).st_size
    if sum(sizes.values()) <= HASH_ALL_MAX:
        return set(sizes)
    known = _artifact_sizes(snapshot, set(sizes.values()))
    if known is None:
        return set(sizes)
    return {path for path, size in sizes.items() if size in known}


def match_reads(
    snapshot: Snapshot, repo_root: Path, paths: list[str], *, by_hash: bool = True
) -> tuple[dict[str, str], list[str]]:
    """Split read paths into ``{artifact uid: path}`` and unregistered paths.

    A path in the repository's cache names its artifact; any other is matched by content
    hash (with ``by_hash``). Reading many gigabytes of unregistered data costs no hashing:
    a file whose size no artifact has cannot be one (see ``HASH_ALL_MAX``).

    Example:
        >>> match_reads(snapshot, repo.root, ["/data/a.csv"])  # doctest: +SKIP
        ({'AbC…0000': '/data/a.csv'}, [])
    """
    cache = repo_root / ".lamingit" / "cache"
    cache_prefix = str(cache) + "/"
    matched: dict[str, str] = {}
    unregistered: list[str] = []
    to_hash: set[str] = set()
    if by_hash:
        to_hash = _worth_hashing(snapshot, [p for p in paths if not p.startswith(cache_prefix)])
    for path in paths:
        uid = None
        if path.startswith(cache_prefix):
            candidate = path[len(cache_prefix) :].split("/", 1)[0]
            record = snapshot.find("artifact", candidate)
            if isinstance(record, ArtifactRecord):
                uid = candidate
        elif path in to_hash:
            hashed = _hash(path)
            if hashed is not None and hashed[1] > 0:  # empty files never match (never dedup)
                for candidate in snapshot.lookup("artifact.hash", hashed[0]):
                    record = snapshot.find("artifact", candidate)
                    if isinstance(record, ArtifactRecord) and not record.trashed:
                        uid = candidate
                        break
        if uid is not None:
            matched.setdefault(uid, path)
        else:
            unregistered.append(path)
    return matched, unregistered
