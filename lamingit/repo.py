"""A Repository: git for records, a blob store for bytes; one locked commit per transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from lamingit._util import FileLock, dump_toml, fsync_dir, read_toml
from lamingit.auto_pack import AutoPack
from lamingit.errors import (
    IntegrityError,
    InvalidArgument,
    NotARepository,
    RepositoryExists,
    translate_disk_errors,
)
from lamingit.layout import FORMAT_VERSION, LOCAL_DIR, SETTINGS_FILE, LocalPaths
from lamingit.records import ChangeSet, Snapshot
from lamingit.storage.blobs import BlobStore

if TYPE_CHECKING:
    from lamingit.index.store import RepoIndex

T = TypeVar("T")
_MAX_RETRIES = 50


def is_repository(path: Path) -> bool:
    """Tell whether ``path`` is the root of a lamingit repository.

    Example:
        >>> is_repository(Path("/"))
        False
    """
    return (path / LOCAL_DIR).is_dir() and (path / ".git" / "HEAD").exists()


class Repository:
    """A lamingit repository rooted at ``root``.

    Example:
        >>> repo = Repository.init(Path("mydata"))  # doctest: +SKIP
        >>> repo.snapshot().commit  # doctest: +SKIP
    """

    def __init__(self, root: Path) -> None:
        if not is_repository(root):
            raise NotARepository(
                f"{root} is not a lamingit repository; create one with `lamingit init {root}`"
            )
        self.root = root.resolve()
        self.paths = LocalPaths(self.root)
        from lamingit.storage.git.store import GitStore  # pygit2 loads with the first repository

        self.git = GitStore.open(self.paths.gitdir)
        local = read_toml(self.paths.config)
        self.fsync = local.get("core", {}).get("fsync", "false").lower() == "true"
        self.blobs = BlobStore(self.paths.objects, fsync=self.fsync)
        if self.fsync:
            self.git.set_fsync(True)
        self._lock = FileLock(self.paths.write_lock)
        self._snapshot: Snapshot | None = None
        self.packing = AutoPack(self.git, self.paths)
        self._index: RepoIndex | None = None
        """When saves pack git's objects (see ``lamingit.auto_pack``)."""

    @property
    def index(self) -> RepoIndex:
        """The query index of this repository (``.lamingit/index``, derived from git).

        Opened on first use and kept with the repository: queries through its snapshots
        catch it up to the head they read.

        Example:
            >>> repo.index.state(repo.git.head()).commit == repo.git.head()  # doctest: +SKIP
            True
        """
        if self._index is None:
            from lamingit.index.store import RepoIndex  # polars: only once a query needs it

            self._index = RepoIndex(self.paths.index, self.git)
        return self._index

    @property
    def write_lock(self) -> FileLock:
        """The lock every writer holds (saves, gc); re-entrant within one process."""
        return self._lock

    @classmethod
    def init(cls, path: Path, *, force: bool = False, author: tuple[str, str]) -> Repository:
        """Create a repository at ``path`` (idempotent on an existing one).

        Refuses a non-empty directory that is not a repository unless ``force``.

        Example:
            >>> Repository.init(Path("mydata"), author=("ann", "ann@x"))  # doctest: +SKIP
        """
        path = Path(path).expanduser()
        if is_repository(path):
            return cls(path)
        if path.exists() and not path.is_dir():
            raise RepositoryExists(f"{path} is a file; choose a directory path for the repository")
        if path.is_dir() and any(path.iterdir()) and not force:
            raise RepositoryExists(
                f"{path} is not empty and not a lamingit repository; "
                f"use an empty directory or `lamingit init --force {path}`"
            )
        paths = LocalPaths(path)
        from lamingit.storage.git.merge_driver import install_merge_driver
        from lamingit.storage.git.store import GitStore

        git = GitStore.init(paths.gitdir)
        # A record database has no working tree; bare keeps `git status` from listing deletions.
        git.config_set("core.bare", "true")
        git.config_set("core.logAllRefUpdates", "true")
        install_merge_driver(paths.gitdir, git.config_set)  # plain `git merge` merges records
        for sub in (paths.objects, paths.index, paths.cache):
            sub.mkdir(parents=True, exist_ok=True)
        if not paths.config.exists():
            paths.config.write_bytes(dump_toml({"core": {"fsync": "false"}}))
        repo = cls(path)
        if repo.git.head() is None:
            settings = dump_toml({"repository": {"format_version": str(FORMAT_VERSION)}})

            def first(changes: ChangeSet) -> None:
                changes.put_file(SETTINGS_FILE, settings)
                changes.summary.append("initialize lamingit repository")

            repo.transact(first, author=author)
        return repo

    def set_fsync(self, enabled: bool) -> None:
        """Flush blobs, git objects and the branch ref to disk before a save returns."""
        self.fsync = enabled
        self.blobs.fsync = enabled
        self.git.set_fsync(enabled)

    def blob_path(self, oid: str) -> Path:
        """The local path of blob ``oid``, fetched from the blob remote if it is not here.

        Example:
            >>> repo.blob_path(artifact.hash)  # doctest: +SKIP
        """
        path = self.blobs.path_for(oid)
        if path.exists():
            return path
        # A clone fetches blobs on demand from the configured blob remote, verifying the hash.
        from lamingit.blob_settings import blob_remote_of

        remote = blob_remote_of(self)
        if remote is not None:
            from lamingit.storage.blobremote import fetch_blob

            return fetch_blob(remote, self.blobs, oid)
        raise IntegrityError(
            f"the content {oid[:12]}… is not in {self.root}; "
            "fetch it with `lamingit fetch --blobs` or restore it from a backup"
        )

    def scratch_dir(self) -> Path:
        """A fresh private directory for files being prepared for saving."""
        import tempfile

        base = self.paths.local / "tmp"
        base.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(dir=base))

    def snapshot(self, commit: str | None = None) -> Snapshot:
        """A read view at ``commit`` (default: the current branch head, re-read every call)."""
        target = self.git.head() if commit is None else commit
        cached = self._snapshot
        if cached is not None and cached.commit == target:
            return cached
        snap = Snapshot(self.git, target, owner=self)
        if commit is None:
            self._snapshot = snap
        return snap

    def resolve(self, ref: str) -> str:
        """A commit id for a revision, tag, branch or ISO date (``2026-01-31``).

        Example:
            >>> repo.resolve("HEAD~1")  # doctest: +SKIP
        """
        try:
            moment = datetime.fromisoformat(ref)
        except ValueError:
            return self.git.resolve(ref)
        if moment.tzinfo is None:
            # A bare date means "as the repository stood at the end of that day" (UTC).
            moment = moment.replace(tzinfo=datetime.now().astimezone().tzinfo)
            if len(ref) == 10:
                moment = moment.replace(hour=23, minute=59, second=59, microsecond=999999)
        commit = self.git.commit_before(moment)
        if commit is None:
            raise InvalidArgument(
                f"the repository has no commit at or before {ref}; see `lamingit log`"
            )
        return commit

    @translate_disk_errors
    def transact(
        self,
        build: Callable[[ChangeSet], T],
        *,
        author: tuple[str, str],
        trailer: dict[str, str] | None = None,
    ) -> T:
        """Run ``build`` on the current head and commit what it changed, as one commit.

        ``build`` runs under the repository's write lock, so decisions it makes from the
        snapshot (e.g. which version is latest) cannot race with another lamingit writer. If a
        foreign writer (git itself) moved the branch meanwhile, ``build`` runs again on the
        new head.

        Example:
            >>> repo.transact(lambda cs: cs.put(record, "save"), author=("ann", "a@x"))  # doctest: +SKIP
        """
        with self._lock:
            for _ in range(_MAX_RETRIES):
                snap = self.snapshot()
                changes = ChangeSet(snap)
                result = build(changes)
                if not changes:
                    return result
                message = _message(changes.summary, trailer or {})
                commit = self.git.write_commit(snap.commit, changes.to_changes(), message, author)
                if not self.git.set_branch(
                    commit, expected=snap.commit, who=author, message=message
                ):
                    continue  # moved by a foreign writer: build again on its commit
                if self.fsync:
                    fsync_dir(self.paths.gitdir / "refs" / "heads")
                self.packing.after_save()
                return result
        raise RuntimeError("the branch kept moving while saving; try again")

    def wait_for_pack_merge(self, timeout: float = 600.0) -> None:
        """Return once no pack merge runs, this process's or another's (tests, benchmarks).

        Example:
            >>> repo.wait_for_pack_merge()  # doctest: +SKIP
        """
        self.packing.wait(timeout)


def _message(summary: list[str], trailer: dict[str, str]) -> str:
    head = summary[0] if summary else "update records"
    if len(summary) > 1:
        head = f"{head} (+{len(summary) - 1} more)"
    body = "\n".join(summary[1:]) if len(summary) > 1 else ""
    trailers = "\n".join(f"{k}: {v}" for k, v in sorted(trailer.items()))
    parts = [head]
    if body:
        parts.append(body)
    if trailers:
        parts.append(trailers)
    return "\n\n".join(parts) + "\n"


def discover(start: Path) -> Path | None:
    """The repository containing ``start`` (walking up, as git does), or None.

    Example:
        >>> discover(Path.cwd())  # doctest: +SKIP
    """
    current = start.resolve()
    for candidate in (current, *current.parents):
        if is_repository(candidate):
            return candidate
    return None
