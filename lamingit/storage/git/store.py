"""The GitStore: a bare git repository as a record database (open, read trees and blobs).

Its jobs live beside it: ``writer`` (commits), ``refs`` (the branch), ``history``,
``maintenance`` (packing), ``backends`` (objects in memory); ``bulk`` reads many blobs at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pygit2

from lamingit.errors import IntegrityError, NotARepository
from lamingit.storage.git.backends import RECENT_PRIORITY, RecentObjects
from lamingit.storage.git.names import check_entry_name
from lamingit.storage.git.refs import RefWriter, stale_ref_locks
from lamingit.storage.git.writer import Changes, CommitWriter

if TYPE_CHECKING:
    from lamingit.storage.git.history import CommitInfo

Tree = pygit2.Tree
"""A git tree object (re-exported so other layers need not import pygit2)."""
TREE_CACHE_LIMIT = 4 << 20
"""libgit2 caches trees up to this size (its default, 4 KiB, leaves out the 256-entry lookup
trees: every path lookup through them re-read and re-parsed them, ~26 µs instead of ~0.4 µs)."""
pygit2.settings.cache_object_limit(pygit2.enums.ObjectType.TREE, TREE_CACHE_LIMIT)

__all__ = ["Changes", "GitStore", "Tree"]


class GitStore:
    """A git repository used as a record database (bare: no working tree, no index).

    Example:
        >>> store = GitStore.init(Path("mydata/.git"))  # doctest: +SKIP
        >>> store.head()  # doctest: +SKIP
    """

    def __init__(self, repo: pygit2.Repository) -> None:
        self._recent = RecentObjects()
        self._repo = repo
        self._path = Path(repo.path)
        self._pack_dir = self._path / "objects" / "pack"
        repo.odb.add_backend(self._recent, RECENT_PRIORITY)
        self._fsync = False
        self._writer: CommitWriter | None = None
        self._refs = RefWriter(str(self._path))

    @classmethod
    def init(cls, gitdir: Path, branch: str = "main") -> GitStore:
        """Create (or open, if present) a bare repository at ``gitdir``.

        Example:
            >>> GitStore.init(Path("mydata/.git"))  # doctest: +SKIP
        """
        if (gitdir / "HEAD").exists():
            return cls.open(gitdir)
        repo = pygit2.init_repository(str(gitdir), bare=True, initial_head=branch)
        return cls(repo)

    @classmethod
    def open(cls, gitdir: Path) -> GitStore:
        """Open the repository at ``gitdir``.

        Example:
            >>> GitStore.open(Path("mydata/.git"))  # doctest: +SKIP
        """
        try:
            return cls(pygit2.Repository(str(gitdir)))
        except pygit2.GitError as exc:
            raise NotARepository(f"{gitdir} is not a git repository ({exc})") from None

    @property
    def path(self) -> Path:
        """The git directory.

        Example:
            >>> store.path  # doctest: +SKIP
        """
        return self._path

    def branch_ref(self) -> str:
        """The full name of the branch HEAD points to (e.g. ``refs/heads/main``).

        Example:
            >>> store.branch_ref()  # doctest: +SKIP
        """
        target = self._repo.references["HEAD"].target
        return str(target)

    def head(self) -> str | None:
        """The commit the current branch points to, or None for an empty repository.

        Example:
            >>> store.head()  # doctest: +SKIP
        """
        ref = self._repo.references.get(self.branch_ref())
        return None if ref is None else str(ref.target)

    def resolve(self, rev: str) -> str:
        """Resolve a revision (``HEAD~3``, a tag, a branch, a commit id) to a commit id.

        Example:
            >>> store.resolve("HEAD~1")  # doctest: +SKIP
        """
        from lamingit.storage.git import history  # history walks: on use

        return history.resolve(self._repo, rev)

    def commit_before(self, moment: datetime) -> str | None:
        """The newest first-parent commit on the branch made at or before ``moment``.

        Example:
            >>> store.commit_before(datetime(2026, 1, 31, tzinfo=UTC))  # doctest: +SKIP
        """
        head = self.head()
        if head is None:
            return None
        from lamingit.storage.git import history  # history walks: on use

        return history.commit_before(self._repo, head, moment)

    def _lookup(self, oid: pygit2.Oid | str) -> pygit2.Object:
        """``repo[oid]``, surviving another process's pack merge.

        A merge (``git repack -d``) deletes the packs it merged; a process that listed the
        packs before can find an object in one that is gone. Reopening the repository lists
        the packs again (git itself re-reads them and retries the same way).
        """
        for delay in (0.0, 0.01, 0.05, 0.2):
            try:
                return self._repo[oid]
            except (KeyError, pygit2.GitError):
                time.sleep(delay)
                self._reopen()
        return self._repo[oid]

    def _reopen(self) -> None:
        """Open the repository again: libgit2 lists its packs anew."""
        self._recent = self._recent.moved()
        self._repo = pygit2.Repository(self._repo.path)
        self._repo.odb.add_backend(self._recent, RECENT_PRIORITY)
        self._writer = None

    def _object(self, oid: pygit2.Oid | str, where: str) -> pygit2.Object:
        """Read an object; a missing or damaged one is an ``IntegrityError`` naming its path."""
        try:
            return self._lookup(oid)
        except (KeyError, pygit2.GitError) as exc:
            raise IntegrityError(
                f"git object {oid} at {where} cannot be read ({exc}); "
                "run `lamingit fsck` and fetch or restore the repository"
            ) from None

    def tree_of(self, commit: str | None) -> pygit2.Tree | None:
        """The root tree of a commit (None for no commit).

        Example:
            >>> store.tree_of(store.head())  # doctest: +SKIP
        """
        if commit is None:
            return None
        return self._lookup(commit).peel(pygit2.Tree)

    def read(self, tree: pygit2.Tree | None, path: str) -> bytes | None:
        """The bytes at ``path`` in ``tree``, or None if absent.

        Example:
            >>> store.read(store.tree_of(store.head()), "lamingit.toml")  # doctest: +SKIP
        """
        if tree is None:
            return None
        try:
            obj = tree[path]
            if not isinstance(obj, pygit2.Blob):
                return None
            return obj.read_raw()
        except KeyError:
            return None
        except pygit2.GitError as exc:
            raise IntegrityError(
                f"git object at {path} cannot be read ({exc}); "
                "run `lamingit fsck` and fetch or restore the repository"
            ) from None

    def list_dir(self, tree: pygit2.Tree | None, path: str) -> list[tuple[str, bool]]:
        """Entries ``(name, is_tree)`` of the directory ``path`` in ``tree`` ([] if absent).

        Example:
            >>> store.list_dir(tree, "records")  # doctest: +SKIP
        """
        sub = self._subtree(tree, path)
        if sub is None:
            return []
        return [(str(e.name), e.type == pygit2.GIT_OBJECT_TREE) for e in sub]

    def _subtree(self, tree: pygit2.Tree | None, path: str) -> pygit2.Tree | None:
        if tree is None:
            return None
        if not path:
            return tree
        try:
            obj = tree[path]
        except KeyError:
            return None
        return obj if isinstance(obj, pygit2.Tree) else None

    def subtree_id(self, tree: pygit2.Tree | None, path: str) -> str | None:
        """The object id of the tree at ``path`` (to skip unchanged subtrees when diffing).

        Example:
            >>> store.subtree_id(tree, "records/artifact")  # doctest: +SKIP
        """
        sub = self._subtree(tree, path)
        return None if sub is None else str(sub.id)

    def _blob(self, oid: pygit2.Oid, where: str) -> bytes | None:
        obj = self._object(oid, where)
        return obj.read_raw() if isinstance(obj, pygit2.Blob) else None

    def walk_blobs(
        self,
        tree: pygit2.Tree | None,
        path: str,
        on_error: Callable[[str, IntegrityError], None] | None = None,
    ) -> Iterator[tuple[str, bytes]]:
        """Every blob under ``path`` as ``(path, bytes)``, depth first, in name order.

        A damaged object or unsafe entry name raises ``IntegrityError``, or, when
        ``on_error`` is given, is passed to it and skipped (fsck keeps going).

        Example:
            >>> list(store.walk_blobs(tree, "records/user"))  # doctest: +SKIP
        """
        sub = self._subtree(tree, path)
        if sub is None:
            return
        stack: list[tuple[str, pygit2.Tree]] = [(path, sub)]
        while stack:
            prefix, current = stack.pop()
            for entry in current:
                name = entry.name or ""
                full = f"{prefix}/{name}" if prefix else name
                try:
                    check_entry_name(name, prefix)
                    obj = self._object(entry.id, full)
                except IntegrityError as exc:
                    if on_error is None:
                        raise
                    on_error(full, exc)
                    continue
                if isinstance(obj, pygit2.Tree):
                    stack.append((full, obj))
                elif isinstance(obj, pygit2.Blob):
                    yield full, obj.read_raw()

    def diff_paths(
        self, old: pygit2.Tree | None, new: pygit2.Tree | None, path: str = ""
    ) -> Iterator[tuple[str, bytes | None, bytes | None]]:
        """Changed blobs between two trees as ``(path, old, new)``, skipping equal subtrees.

        Example:
            >>> list(store.diff_paths(old_tree, new_tree, "records"))  # doctest: +SKIP
        """
        a = self._subtree(old, path)
        b = self._subtree(new, path)
        if a is not None and b is not None and a.id == b.id:
            return
        a_entries = {str(e.name): e for e in a} if a is not None else {}
        b_entries = {str(e.name): e for e in b} if b is not None else {}
        for name in sorted(set(a_entries) | set(b_entries)):
            ea, eb = a_entries.get(name), b_entries.get(name)
            if ea is not None and eb is not None and ea.id == eb.id:
                continue
            check_entry_name(name, path)
            full = f"{path}/{name}" if path else name
            a_tree = ea is not None and ea.type == pygit2.GIT_OBJECT_TREE
            b_tree = eb is not None and eb.type == pygit2.GIT_OBJECT_TREE
            if a_tree or b_tree:
                yield from self.diff_paths(old if a_tree else None, new if b_tree else None, full)
            if not a_tree or not b_tree:
                old_bytes = self._blob(ea.id, full) if ea is not None and not a_tree else None
                new_bytes = self._blob(eb.id, full) if eb is not None and not b_tree else None
                if old_bytes is not None or new_bytes is not None:
                    yield full, old_bytes, new_bytes

    # -- writing: commits (writer), the branch (refs) --------------------------------------
    def write_commit(
        self,
        parent: str | None,
        changes: Changes,
        message: str,
        author: tuple[str, str],
        extra_parents: tuple[str, ...] = (),
    ) -> str:
        """Write the tree of ``parent`` with ``changes`` applied, and a commit of it.

        The objects go into one pack (see ``CommitWriter``). The branch is not moved; see
        :meth:`set_branch`.

        Example:
            >>> store.write_commit(store.head(), {"a.json": b"{}"}, "save a", ("ann", "a@x"))  # doctest: +SKIP
        """
        try:
            return self._write_commit(parent, changes, message, author, extra_parents)
        except (KeyError, pygit2.GitError):
            # A pack merge (a background worker, another process) deleted a pack this
            # repository had listed but not opened yet: list the packs again, once.
            self._reopen()
            return self._write_commit(parent, changes, message, author, extra_parents)

    def _write_commit(
        self,
        parent: str | None,
        changes: Changes,
        message: str,
        author: tuple[str, str],
        extra_parents: tuple[str, ...],
    ) -> str:
        if self._writer is None:
            self._writer = CommitWriter(self._repo, self._recent, self._pack_dir)
        writer = self._writer
        parents = ([parent] if parent else []) + list(extra_parents)
        return writer.write(
            self.tree_of(parent), parents, changes, message, author, fsync=self._fsync
        )

    def set_fsync(self, enabled: bool) -> None:
        """Fsync packs, and make libgit2 fsync objects and refs (a process-wide setting).

        Example:
            >>> store.set_fsync(True)  # doctest: +SKIP
        """
        self._fsync = enabled
        self._refs.fsync = enabled
        pygit2.option(pygit2.enums.Option.ENABLE_FSYNC_GITDIR, enabled)

    def set_branch(
        self,
        commit: str,
        *,
        expected: str | None | bool = True,
        who: tuple[str, str] | None = None,
        message: str = "",
    ) -> bool:
        """Point the current branch at ``commit``; False if it no longer is at ``expected``.

        See ``RefWriter.set_branch`` (a loose ref written as git writes it, compare-and-swap).

        Example:
            >>> store.set_branch(new_commit, expected=old_commit)  # doctest: +SKIP
            True
        """
        return self._refs.set_branch(
            self._repo, self.branch_ref(), commit, expected=expected, who=who, message=message
        )

    def stale_ref_locks(self) -> list[Path]:
        """``*.lock`` files under ``refs/`` and the top of the git directory (for fsck).

        Example:
            >>> store.stale_ref_locks()  # doctest: +SKIP
        """
        return stale_ref_locks(self.path)

    def config_set(self, name: str, value: str) -> None:
        """Set a value in the repository's own git config.

        Example:
            >>> store.config_set("core.logAllRefUpdates", "true")  # doctest: +SKIP
        """
        self._repo.config[name] = value

    # -- history ---------------------------------------------------------------------------
    def log(
        self, start: str | None = None, limit: int | None = None, first_parent: bool = False
    ) -> Iterator[CommitInfo]:
        """Commits reachable from ``start`` (default: the branch head), newest first
        (``first_parent``: the branch's own line only, streamed without reading all history).

        Example:
            >>> [c.message for c in store.log(limit=3)]  # doctest: +SKIP
        """
        head = start or self.head()
        if head is None:
            return iter(())
        from lamingit.storage.git import history  # history walks: on use

        return history.log(self._repo, head, limit, first_parent)

    def all_commits(self) -> list[str]:
        """Every commit reachable from any ref or reflog entry (what gc must keep alive).

        Example:
            >>> len(store.all_commits())  # doctest: +SKIP
        """
        from lamingit.storage.git import history  # history walks: on use

        return history.all_commits(self._repo)

    def parents(self, commit: str) -> list[str]:
        """The parent commit ids of ``commit``.

        Example:
            >>> store.parents(store.head())  # doctest: +SKIP
        """
        from lamingit.storage.git import history  # history walks: on use

        return history.parents(self._repo, commit)

    # -- maintenance -----------------------------------------------------------------------
    def check_objects(self, commit: str) -> Iterator[tuple[str, str]]:
        """Every missing, corrupted or unsafely named object from ``commit`` as ``(where, problem)``.

        Example:
            >>> list(store.check_objects(store.head()))  # doctest: +SKIP
            []
        """
        from lamingit.storage.git import maintenance  # git subprocesses: on use

        return maintenance.check_objects(self._repo, commit)

    def loose_objects(self) -> int:
        """The exact number of loose objects.

        Example:
            >>> store.loose_objects()  # doctest: +SKIP
        """
        from lamingit.storage.git import maintenance  # git subprocesses: on use

        return maintenance.loose_objects(self.path)

    def loose_estimate(self) -> int:
        """A cheap estimate of the loose objects (see ``maintenance.loose_estimate``).

        Example:
            >>> store.loose_estimate()  # doctest: +SKIP
        """
        from lamingit.storage.git import maintenance  # git subprocesses: on use

        return maintenance.loose_estimate(self.path)

    def pack_count(self) -> int:
        """The number of pack files (one directory listing).

        Example:
            >>> store.pack_count()  # doctest: +SKIP
        """
        from lamingit.storage.git import maintenance  # git subprocesses: on use

        return maintenance.pack_count(self.path)

    def repack(self, *, full: bool = False) -> None:
        """Pack loose objects with git (see ``maintenance.repack``).

        Example:
            >>> store.repack(full=True)  # doctest: +SKIP
        """
        from lamingit.storage.git import maintenance  # git subprocesses: on use

        maintenance.repack(self.path, full=full)

    def prune(self, expire: str = "1.hour.ago") -> None:
        """Remove unreachable loose objects older than ``expire`` (crash leftovers).

        Example:
            >>> store.prune()  # doctest: +SKIP
        """
        from lamingit.storage.git import maintenance  # git subprocesses: on use

        maintenance.prune(self.path, expire)
