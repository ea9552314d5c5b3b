"""What a run read: paths from the audit hook and the watcher, matched to artifacts.

A read file is an artifact when it lies in the repository's cache (``cache/<uid>/…``) or
when its content hash is an artifact's hash; anything else is an unregistered read.
"""

from __future__ import annotations

import os
import site
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from lamingit._util import user_config_path
from lamingit.models import ArtifactRecord
from lamingit.records import Snapshot
from lamingit.storage.hashing import hash_file
from lamingit.tracking import audit

_CODE_SUFFIXES = (".py", ".pyc", ".pyi", ".so", ".pth")
_HASHES: dict[tuple[str, int, int, int], str] = {}


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


@dataclass
class ReadLog:
    """Reads seen during one run (or one ``@ln.tracked`` call).

    ``raw`` is filled by the audit hook (an absolute path, or ``(path, cwd)`` resolved later
    so the hook stays cheap) and by the watcher thread (absolute paths); a set, so a run that
    re-reads the same files a million times holds each once. ``ignored`` are
    files lamingit read on the run's behalf (the sources of artifacts it saved).

    Example:
        >>> log = ReadLog(Path("mydata"))
        >>> log.raw.add("/data/x.csv")
    """

    repo_root: Path
    raw: set[object] = field(default_factory=set)
    ignored: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        # lamingit's own settings file is read on every save; it is not the run's data.
        self.ignored.add(str(user_config_path()))

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
            # The C audit hook adds to the set it was given; point it at the new one. Reads
            # it added to the old set meanwhile are in ``raw``, read below.
            audit.retarget(self)
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
            try:
                text = os.fsdecode(os.fspath(path))  # type: ignore[call-overload]
            except TypeError:
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


def _hash(path: str) -> str | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    key = (path, st.st_ino, st.st_mtime_ns, st.st_size)
    cached = _HASHES.get(key)
    if cached is None:
        try:
            cached = hash_file(Path(path))[0]
        except OSError:
            return None
        _HASHES[key] = cached
    return cached


def match_reads(
    snapshot: Snapshot, repo_root: Path, paths: list[str], *, by_hash: bool = True
) -> tuple[dict[str, str], list[str]]:
    """Split read paths into ``{artifact uid: path}`` and unregistered paths.

    Example:
        >>> match_reads(snapshot, repo.root, ["/data/a.csv"])  # doctest: +SKIP
        ({'AbC…0000': '/data/a.csv'}, [])
    """
    cache = repo_root / ".lamingit" / "cache"
    cache_prefix = str(cache) + "/"
    matched: dict[str, str] = {}
    unregistered: list[str] = []
    for path in paths:
        uid = None
        if path.startswith(cache_prefix):
            candidate = path[len(cache_prefix) :].split("/", 1)[0]
            record = snapshot.find("artifact", candidate)
            if isinstance(record, ArtifactRecord):
                uid = candidate
        elif by_hash:
            digest = _hash(path)
            if digest is not None and os.path.getsize(path) > 0:
                for candidate in snapshot.lookup("artifact.hash", digest):
                    record = snapshot.find("artifact", candidate)
                    if isinstance(record, ArtifactRecord) and not record.trashed:
                        uid = candidate
                        break
        if uid is not None:
            matched.setdefault(uid, path)
        else:
            unregistered.append(path)
    return matched, unregistered
