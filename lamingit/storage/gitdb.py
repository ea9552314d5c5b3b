"""The one pygit2 module: read trees and blobs, and write commits without an index or worktree."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pygit2

from lamingit._util import write_all
from lamingit.errors import IntegrityError, InvalidArgument, LamingitError, NotARepository
from lamingit.storage.packfile import write_pack

Tree = pygit2.Tree
"""A git tree object (re-exported so other layers need not import pygit2)."""
BLOB = pygit2.GIT_FILEMODE_BLOB
TREE = pygit2.GIT_FILEMODE_TREE
Changes = dict[str, bytes | None]
"""Tree path → new content, or None to remove the path."""
PACK_DEPTH = "--depth=10"
"""Delta chains at most this deep (git's default is 50): reading every record, as an index
rebuild does, took 7.3 s at 1M records with 28-deep chains and 2.8 s at depth 4."""
MAX_PACKS = 8
"""More packs than this after an incremental pack: merge them geometrically."""
TREE_CACHE_LIMIT = 4 << 20
"""libgit2 caches trees up to this size (its default, 4 KiB, leaves out the 256-entry lookup
trees: every path lookup through them re-read and re-parsed them, ~26 µs instead of ~0.4 µs)."""
pygit2.settings.cache_object_limit(pygit2.enums.ObjectType.TREE, TREE_CACHE_LIMIT)
STALE_LOCK_SECONDS = 2.0
"""A ref ``*.lock`` file this old, seen while we hold the repository's write lock, is stale."""


def check_entry_name(name: str, parent: str) -> None:
    """Refuse a tree entry name that could point outside its tree (``..``, ``/``, NUL).

    libgit2 never writes such names, but a crafted commit arriving by pull can hold them.

    Example:
        >>> check_entry_name("a.json", "records")
    """
    if name in ("", ".", "..", ".git") or any(c in name for c in "/\\\x00"):
        raise IntegrityError(
            f"the tree {parent or '(root)'} has an entry named {name!r}, which is not a safe "
            "path; the commit was crafted or damaged: run `lamingit fsck` and reset to a good "
            "commit"
        )


@dataclass(frozen=True)
class CommitInfo:
    """A commit as the history commands show it."""

    oid: str
    author_name: str
    author_email: str
    time: datetime
    message: str
    parents: tuple[str, ...]


ObjectMap = dict[bytes, tuple[int, bytes]]
"""Raw object id → (git object type, content)."""


RECENT_PRIORITY = 10
"""Before the packs (libgit2 gives them 2, loose objects 1): see ``_RecentObjects``."""
RECENT_COMMITS = 128
"""Commits whose objects ``_RecentObjects`` keeps (~16 KB each): the saves of a merge's
duration, whose packs are not yet in the multi-pack-index (libgit2 probes those one by one)."""


class _RecentObjects(pygit2.OdbBackend):  # type: ignore[misc]
    """The last commits' objects, in memory, as the first backend of the repository.

    Right after a save its commit and trees are in a pack this repository has not listed yet;
    libgit2 would search every pack it knows, then re-read the pack directory (~0.1–0.2 ms),
    on the next save's first lookup. Packs written since the last merge are not in the
    multi-pack-index, and libgit2 probes them one by one. Asked first, this answers in ~2 µs
    even while a merge lets packs pile up (~100 µs with 600 packs when asked last); any other
    read pays a miss (~1 µs). A miss raises KeyError (libgit2's "not found").
    """

    def __init__(self) -> None:
        super().__init__()
        self.objects: ObjectMap = {}
        self._commits: deque[list[bytes]] = deque()

    def add(self, objects: ObjectMap) -> None:
        """Keep one more commit's objects; forget the oldest commit's beyond ``RECENT_COMMITS``."""
        self.objects.update(objects)
        self._commits.append(list(objects))
        while len(self._commits) > RECENT_COMMITS:
            for raw in self._commits.popleft():
                self.objects.pop(raw, None)

    def moved(self) -> _RecentObjects:
        """A new backend holding these objects, for a reopened repository (a backend belongs
        to one object database: libgit2 frees it with that database)."""
        other = _RecentObjects()
        other.objects, other._commits = self.objects, self._commits
        return other

    def _get(self, raw: bytes) -> tuple[int, bytes]:
        found = self.objects.get(raw)
        if found is None:
            raise KeyError(raw.hex())
        return found

    def read_cb(self, oid: pygit2.Oid) -> tuple[int, bytes]:
        return self._get(oid.raw)

    def read_prefix_cb(self, prefix: str) -> tuple[int, bytes, pygit2.Oid]:
        if len(prefix) == 40:
            kind, data = self._get(bytes.fromhex(prefix))
            return kind, data, pygit2.Oid(hex=prefix)
        found = [raw for raw in self.objects if raw.hex().startswith(prefix)]
        if len(found) != 1:
            raise KeyError(prefix)
        kind, data = self.objects[found[0]]
        return kind, data, pygit2.Oid(raw=found[0])

    def read_header_cb(self, oid: pygit2.Oid) -> tuple[int, int]:
        kind, data = self._get(oid.raw)
        return kind, len(data)

    def exists_cb(self, oid: pygit2.Oid) -> bool:
        return oid.raw in self.objects

    def refresh_cb(self) -> None:
        return None

    def __iter__(self) -> Iterator[pygit2.Oid]:
        return iter(())  # also in a pack: listed there


class _PendingObjects(pygit2.OdbBackend):  # type: ignore[misc]
    """The objects a commit being written creates, held in memory until they are packed.

    Reads of anything else fall through to the repository's own object database (the last
    commit's objects first: the next save builds on its trees). ``exists`` answers for pending
    objects only: libgit2 asks it before every write, and a miss in the real database would
    rescan the pack directory each time.
    """

    def __init__(self, fallback: pygit2.Odb, recent: _RecentObjects) -> None:
        super().__init__()
        self.objects: ObjectMap = {}
        self._recent = recent
        self._fallback = fallback

    def read_cb(self, oid: pygit2.Oid) -> tuple[int, bytes]:
        found = self.objects.get(oid.raw) or self._recent.objects.get(oid.raw)
        if found is not None:
            return found
        kind, data = self._fallback.read(oid)
        return int(kind), data

    def read_header_cb(self, oid: pygit2.Oid) -> tuple[int, int]:
        found = self.objects.get(oid.raw) or self._recent.objects.get(oid.raw)
        if found is not None:
            return found[0], len(found[1])
        kind, size = self._fallback.read_header(oid)
        return int(kind), size

    def exists_cb(self, oid: pygit2.Oid) -> bool:
        return oid.raw in self.objects

    def write_cb(self, oid: pygit2.Oid, data: bytes, kind: int) -> None:
        self.objects[oid.raw] = (int(kind), bytes(data))

    def refresh_cb(self) -> None:
        return None

    def __iter__(self) -> Iterator[pygit2.Oid]:
        return iter([pygit2.Oid(raw=raw) for raw in self.objects])


class GitStore:
    """A git repository used as a record database (bare: no working tree, no index).

    Example:
        >>> store = GitStore.init(Path("mydata/.git"))  # doctest: +SKIP
        >>> store.head()  # doctest: +SKIP
    """

    def __init__(self, repo: pygit2.Repository) -> None:
        self._recent = _RecentObjects()
        self._repo = repo
        self._path = Path(repo.path)
        self._pack_dir = self._path / "objects" / "pack"
        self._gitdir = str(self._path)  # the save path joins strings: pathlib costs ~5 µs a join
        repo.odb.add_backend(self._recent, RECENT_PRIORITY)
        self._fsync = False
        self._writer: pygit2.Repository | None = None
        self._pending: _PendingObjects | None = None
        self._log_ref_updates: bool | None = None

    def _pending_writer(self) -> tuple[pygit2.Repository, _PendingObjects]:
        """A view of the repository whose object writes stay in memory (see write_commit)."""
        if self._writer is None or self._pending is None:
            pending = _PendingObjects(self._repo.odb, self._recent)
            odb = pygit2.Odb()
            odb.add_backend(pending, 1)
            writer = pygit2.Repository()
            writer.set_odb(odb)
            self._writer, self._pending = writer, pending
        return self._writer, self._pending

    @classmethod
    def init(cls, gitdir: Path, branch: str = "main") -> GitStore:
        """Create (or open, if present) a bare repository at ``gitdir``."""
        if (gitdir / "HEAD").exists():
            return cls.open(gitdir)
        repo = pygit2.init_repository(str(gitdir), bare=True, initial_head=branch)
        return cls(repo)

    @classmethod
    def open(cls, gitdir: Path) -> GitStore:
        """Open the repository at ``gitdir``."""
        try:
            return cls(pygit2.Repository(str(gitdir)))
        except pygit2.GitError as exc:
            raise NotARepository(f"{gitdir} is not a git repository ({exc})") from None

    @property
    def path(self) -> Path:
        """The git directory."""
        return self._path

    def branch_ref(self) -> str:
        """The full name of the branch HEAD points to (e.g. ``refs/heads/main``)."""
        target = self._repo.references["HEAD"].target
        return str(target)

    def head(self) -> str | None:
        """The commit the current branch points to, or None for an empty repository."""
        ref = self._repo.references.get(self.branch_ref())
        return None if ref is None else str(ref.target)

    def resolve(self, rev: str) -> str:
        """Resolve a revision (``HEAD~3``, a tag, a branch, a commit id) to a commit id."""
        try:
            obj = self._repo.revparse_single(rev)
            commit = obj.peel(pygit2.Commit)
        except (KeyError, ValueError, pygit2.GitError, pygit2.InvalidSpecError):
            raise InvalidArgument(
                f"{rev!r} is not a commit, tag, branch or date of this repository; "
                "see `lamingit log` for what exists"
            ) from None
        return str(commit.id)

    def commit_before(self, moment: datetime) -> str | None:
        """The newest first-parent commit before the first one (from the root) dated after ``moment``.

        The chain's order wins over its clocks: once a commit's committer date is later than
        ``moment``, no commit after it counts, even one whose (skewed) clock says earlier.
        """
        head = self.head()
        if head is None:
            return None
        commit = self._repo[head].peel(pygit2.Commit)
        answer: str | None = str(commit.id)
        while True:
            if datetime.fromtimestamp(commit.commit_time, UTC) > moment:
                # Too late: the answer is older than this commit, whatever came after it.
                answer = str(commit.parents[0].id) if commit.parents else None
            if not commit.parents:
                return answer
            commit = commit.parents[0]

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
        self._writer = self._pending = None

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
        """The root tree of a commit (None for no commit)."""
        if commit is None:
            return None
        return self._lookup(commit).peel(pygit2.Tree)

    def read(self, tree: pygit2.Tree | None, path: str) -> bytes | None:
        """The bytes at ``path`` in ``tree``, or None if absent."""
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
        """Entries ``(name, is_tree)`` of the directory ``path`` in ``tree`` ([] if absent)."""
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
        """The object id of the tree at ``path`` (to skip unchanged subtrees when diffing)."""
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
        """Changed blobs between two trees as ``(path, old, new)``, skipping equal subtrees."""
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

    def write_commit(
        self,
        parent: str | None,
        changes: Changes,
        message: str,
        author: tuple[str, str],
        extra_parents: tuple[str, ...] = (),
    ) -> str:
        """Write the tree of ``parent`` with ``changes`` applied, and a commit of it.

        Only the trees on the changed paths are rewritten (TreeBuilder on the parent tree).
        The new objects are collected in memory and written as one pack: two files instead
        of one loose file per object. The branch is not moved; see :meth:`set_branch`.
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
        writer, pending = self._pending_writer()
        try:
            grouped: dict[tuple[str, ...], bytes | None] = {
                tuple(p.split("/")): data for p, data in changes.items()
            }
            tree_id = self._apply(writer, self.tree_of(parent), grouped)
            if tree_id is None:
                tree_id = writer.TreeBuilder().write()
            sig = pygit2.Signature(author[0], author[1])
            parents = ([parent] if parent else []) + list(extra_parents)
            oid = writer.create_commit(None, sig, sig, message, tree_id, parents)
            write_pack(self._pack_dir, pending.objects, fsync=self._fsync)
            self._recent.add(pending.objects)
            pending.objects = {}
        finally:
            pending.objects.clear()  # a failed commit leaves nothing for the next one
        return str(oid)

    def _apply(
        self,
        writer: pygit2.Repository,
        tree: pygit2.Tree | None,
        changes: dict[tuple[str, ...], bytes | None],
    ) -> pygit2.Oid | None:
        # ``tree`` is navigated in the repository (its object cache); the builder, which must
        # belong to ``writer`` (it keeps new objects in memory), starts from the tree's id.
        builder = writer.TreeBuilder(tree.id) if tree is not None else writer.TreeBuilder()
        nested: dict[str, dict[tuple[str, ...], bytes | None]] = defaultdict(dict)
        for parts, data in changes.items():
            if len(parts) > 1:
                nested[parts[0]][parts[1:]] = data
            elif data is None:
                if builder.get(parts[0]) is not None:
                    builder.remove(parts[0])
            else:
                builder.insert(parts[0], writer.create_blob(data), BLOB)
        for name, sub_changes in nested.items():
            current = tree[name] if tree is not None and name in tree else None
            subtree = current if isinstance(current, pygit2.Tree) else None
            new_id = self._apply(writer, subtree, sub_changes)
            if new_id is None:
                if current is not None:
                    builder.remove(name)
            else:
                builder.insert(name, new_id, TREE)
        if len(builder) == 0:
            return None
        return builder.write()

    def set_fsync(self, enabled: bool) -> None:
        """Fsync packs, and make libgit2 fsync objects and refs (a process-wide setting)."""
        self._fsync = enabled
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

        Written as git writes a loose ref: create ``<ref>.lock`` (exclusive: a git process
        updating the branch holds it too), compare the branch with ``expected`` (a commit id,
        None for "no branch yet", or True to skip the check), append the reflog lines, and
        rename the lock over the ref. Not libgit2's reference update: it re-reads the pack
        list to check that the commit exists, ~0.2 ms a save, and it cannot compare-and-swap.
        Callers hold the repository's write lock, so no other lamingit writer can own the
        ``.lock``: one that stays unchanged for ``STALE_LOCK_SECONDS`` (a git process would
        finish in milliseconds) was left by a killed process and is removed.

        Example:
            >>> store.set_branch(new_commit, expected=old_commit)  # doctest: +SKIP
            True
        """
        ref = self.branch_ref()
        path = os.path.join(self._gitdir, ref)
        lock = path + ".lock"
        fd = self._lock_ref(lock)
        try:
            current = self._repo.references.get(ref)
            old = None if current is None else str(current.target)
            if expected is not True and old != expected:
                os.unlink(lock)
                return False
            write_all(fd, f"{commit}\n".encode())
            if self._fsync:
                os.fsync(fd)
            self._append_reflogs(ref, old, commit, who, message)
            os.replace(lock, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(lock)
            raise
        finally:
            os.close(fd)
        return True

    def _lock_ref(self, lock: str) -> int:
        deadline = time.monotonic() + 30.0
        while True:
            try:
                return os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
            except FileExistsError:
                if time.monotonic() > deadline:
                    raise LamingitError(
                        f"{lock} is held by another process; if no git command is running, "
                        "delete it and try again"
                    ) from None
            if remove_stale_lock(Path(lock), STALE_LOCK_SECONDS):
                continue
            time.sleep(0.05)

    def _append_reflogs(
        self, ref: str, old: str | None, new: str, who: tuple[str, str] | None, message: str
    ) -> None:
        """One reflog line for ``ref`` and for HEAD (which points at it), as git writes them."""
        if self._log_ref_updates is None:  # git's default: on unless the repository is bare
            config = self._repo.config
            key = "core.logAllRefUpdates"
            on = config.get_bool(key) if key in config else not self._repo.is_bare
            self._log_ref_updates = bool(on)
        if not self._log_ref_updates:
            return
        if who is None:
            git_name, git_email = git_identity()
            who = (git_name or "lamingit", git_email or "lamingit@localhost")
        offset = time.localtime().tm_gmtoff // 60
        sign = "-" if offset < 0 else "+"
        stamp = f"{int(time.time())} {sign}{abs(offset) // 60:02d}{abs(offset) % 60:02d}"
        summary = message.split("\n", 1)[0].replace("\t", " ")
        name = who[0].replace("<", "").replace(">", "").replace("\n", " ")
        email = who[1].replace("<", "").replace(">", "").replace("\n", " ")
        line = f"{old or '0' * 40} {new} {name} <{email}> {stamp}\t{summary}\n".encode()
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC
        for log_name in (ref, "HEAD"):
            log = os.path.join(self._gitdir, "logs", log_name)
            try:
                fd = os.open(log, flags, 0o666)
            except FileNotFoundError:
                os.makedirs(os.path.dirname(log), exist_ok=True)
                fd = os.open(log, flags, 0o666)
            try:
                write_all(fd, line)
                if self._fsync:
                    os.fsync(fd)
            finally:
                os.close(fd)

    def stale_ref_locks(self) -> list[Path]:
        """``*.lock`` files under ``refs/`` and the top of the git directory (for fsck)."""
        found = [p for p in self.path.glob("*.lock")]
        found += [p for p in (self.path / "refs").rglob("*.lock")]
        return sorted(found)

    def log(self, start: str | None = None, limit: int | None = None) -> Iterator[CommitInfo]:
        """Commits reachable from ``start`` (default: the branch head), newest first."""
        head = start or self.head()
        if head is None:
            return
        # TIME alone misorders commits made within the same second; TOPOLOGICAL keeps
        # children before parents.
        order = pygit2.enums.SortMode.TOPOLOGICAL | pygit2.enums.SortMode.TIME
        walker = self._repo.walk(head, order)
        for n, commit in enumerate(walker):
            if limit is not None and n >= limit:
                return
            yield CommitInfo(
                oid=str(commit.id),
                author_name=commit.author.name,
                author_email=commit.author.email,
                time=datetime.fromtimestamp(commit.commit_time, UTC),
                message=commit.message,
                parents=tuple(str(p) for p in commit.parent_ids),
            )

    def config_set(self, name: str, value: str) -> None:
        """Set a value in the repository's own git config."""
        self._repo.config[name] = value

    # -- maintenance: object checks, history walks, packing ---------------------------------
    def all_commits(self) -> list[str]:
        """Every commit reachable from any ref or reflog entry (what gc must keep alive).

        Example:
            >>> len(store.all_commits())  # doctest: +SKIP
        """
        tips: set[str] = set()
        for name in self._repo.references:
            try:
                ref = self._repo.references[name].resolve()
            except (KeyError, pygit2.GitError):
                continue
            target = ref.target
            obj = self._repo.get(target) if isinstance(target, pygit2.Oid) else None
            # a tag of a blob or tree holds no records: suppress, skip it
            if obj is not None:
                with contextlib.suppress(ValueError, pygit2.GitError):
                    tips.add(str(obj.peel(pygit2.Commit).id))
            try:
                for entry in ref.log():
                    if entry.oid_new.raw != b"\0" * 20 and self._repo.get(entry.oid_new):
                        tips.add(str(entry.oid_new))
            except (KeyError, pygit2.GitError, ValueError):
                pass  # a reflog line cut short by a crash: the ref itself still counts
        if not tips:
            return []
        walker = self._repo.walk(None)
        for tip in sorted(tips):
            walker.push(tip)
        return [str(c.id) for c in walker]

    def parents(self, commit: str) -> list[str]:
        """The parent commit ids of ``commit``."""
        obj = self._repo[commit]
        assert isinstance(obj, pygit2.Commit)
        return [str(p) for p in obj.parent_ids]

    def check_objects(self, commit: str) -> Iterator[tuple[str, str]]:
        """Read every commit reachable from ``commit`` and every object of its tree.

        Yields ``(where, problem)`` for each object that is missing, corrupted (libgit2
        verifies each object's hash as it reads it) or has an unsafe entry name.

        Example:
            >>> list(store.check_objects(store.head()))  # doctest: +SKIP
            []
        """
        seen: set[str] = set()
        pending = [commit]
        while pending:
            oid = pending.pop()
            if oid in seen:
                continue
            seen.add(oid)
            try:
                obj = self._repo[oid]
                if not isinstance(obj, pygit2.Commit):
                    yield f"commit {oid}", "is not a commit"
                    continue
                obj.tree_id  # noqa: B018 - reading the field parses the commit
                pending.extend(str(p) for p in obj.parent_ids)
            except (KeyError, ValueError, pygit2.GitError) as exc:
                yield f"commit {oid}", f"cannot be read ({exc})"
        head = self._repo[commit]
        stack: list[tuple[str, str]] = [("", str(head.tree_id))]  # type: ignore[attr-defined]
        while stack:
            prefix, tree_oid = stack.pop()
            try:
                tree = self._repo[tree_oid]
            except (KeyError, ValueError, pygit2.GitError) as exc:
                yield prefix or "(root tree)", f"tree {tree_oid} cannot be read ({exc})"
                continue
            for entry in tree:  # type: ignore[attr-defined]
                try:
                    check_entry_name(entry.name, prefix)
                except IntegrityError as exc:
                    yield f"{prefix}/{entry.name}" if prefix else entry.name, str(exc)
                    continue
                full = f"{prefix}/{entry.name}" if prefix else entry.name
                if entry.type == pygit2.GIT_OBJECT_TREE:
                    stack.append((full, str(entry.id)))
                    continue
                try:
                    self._repo[entry.id].read_raw()
                except (KeyError, ValueError, pygit2.GitError) as exc:
                    yield full, f"blob {entry.id} cannot be read ({exc})"

    def loose_objects(self) -> int:
        """The exact number of loose objects (a directory listing per fan-out directory)."""
        objects = self.path / "objects"
        total = 0
        for fan in objects.iterdir():
            if len(fan.name) == 2 and fan.is_dir():
                total += sum(1 for n in os.listdir(fan) if not n.startswith("tmp"))
        return total

    def loose_estimate(self) -> int:
        """A cheap estimate of the loose objects: four fan-out directories × 64.

        git samples one directory; four keep the estimate within ~±20% at a few thousand
        objects (one is often off by half), for four directory listings per save.
        """
        total = 0
        for fan in ("17", "5c", "a3", "e8"):
            try:
                total += len(os.listdir(self.path / "objects" / fan))
            except FileNotFoundError:
                continue
        return total * 64

    def pack_count(self) -> int:
        """The number of pack files (one directory listing)."""
        try:
            names = os.listdir(self._pack_dir)
        except FileNotFoundError:
            return 0
        return sum(1 for name in names if name.endswith(".pack"))

    def repack(self, *, full: bool = False) -> None:
        """Pack loose objects with git (libgit2 never packs on its own).

        ``full`` rewrites everything into one pack (``git repack -a -d``, dropping unreachable
        objects: callers hold the repository's write lock, so no lamingit commit is
        half-written meanwhile); otherwise only the loose objects go into a new pack and
        packs are merged geometrically once there are more than ``MAX_PACKS``, so the cost
        follows what changed. Hooks are disabled.

        Example:
            >>> store.repack(full=True)  # doctest: +SKIP
        """
        if full:
            self._git("repack", "-a", "-d", "-q", PACK_DEPTH, "--write-midx")
            return
        loose = self._loose_ids()
        if loose:
            # Pack exactly the loose objects: no walk over the history, so the cost follows
            # what was written since the last pack, not the repository's size. Packing
            # objects and then pruning only loose copies that are packed never loses one.
            pack_base = str(self.path / "objects" / "pack" / "pack")
            self._git("pack-objects", "-q", PACK_DEPTH, pack_base, stdin="\n".join(loose) + "\n")
            self._git("prune-packed", "-q")
        # libgit2 rescans every pack on each new object it writes (a miss refreshes the pack
        # list); a multi-pack-index makes that one lookup: measured 1.28 ms → 0.10 ms per
        # blob+tree with four packs. repack writes it before it deletes the merged packs, so
        # readers never follow an index to a deleted pack.
        if self.pack_count() > MAX_PACKS:
            self._git("repack", "-d", "-q", PACK_DEPTH, "--geometric=2", "--write-midx")
        else:
            self._git("multi-pack-index", "write")

    def _loose_ids(self) -> list[str]:
        objects = self.path / "objects"
        out: list[str] = []
        for fan in sorted(objects.iterdir()):
            if len(fan.name) == 2 and fan.is_dir():
                out.extend(fan.name + n for n in os.listdir(fan) if len(n) == 38)
        return out

    def prune(self, expire: str = "1.hour.ago") -> None:
        """Remove unreachable loose objects older than ``expire`` (crash leftovers)."""
        self._git("prune", f"--expire={expire}")

    def _git(self, *args: str, stdin: str | None = None) -> None:
        exe = shutil.which("git")
        if exe is None:
            raise LamingitError(
                "packing needs the `git` command; install git and run `lamingit gc`"
            )
        cmd = [
            exe,
            "--git-dir",
            str(self.path),
            "-c",
            "core.hooksPath=/dev/null",
            "-c",
            "gc.auto=0",
            *args,
        ]
        env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
        done = subprocess.run(
            cmd, input=stdin, capture_output=True, text=True, env=env, check=False
        )
        if done.returncode != 0:
            raise LamingitError(f"`git {' '.join(args)}` failed: {done.stderr.strip()}")


def remove_stale_lock(lock: Path, age: float) -> bool:
    """Remove ``lock`` if it has not changed for ``age`` seconds; True if it is gone now.

    Example:
        >>> remove_stale_lock(Path("refs/heads/main.lock"), 2.0)  # doctest: +SKIP
    """
    try:
        before = lock.stat()
    except FileNotFoundError:
        return True
    waited = time.time() - before.st_mtime
    if waited < age:
        time.sleep(min(age - waited, age))
        try:
            after = lock.stat()
        except FileNotFoundError:
            return True
        if (after.st_ino, after.st_mtime_ns, after.st_size) != (
            before.st_ino,
            before.st_mtime_ns,
            before.st_size,
        ):
            return False
    lock.unlink(missing_ok=True)
    return True


def git_identity() -> tuple[str | None, str | None]:
    """``(user.name, user.email)`` from the user's global git configuration, if set."""
    try:
        config = pygit2.Config.get_global_config()
    except (OSError, pygit2.GitError):
        return None, None
    name: str | None = config["user.name"] if "user.name" in config else None  # noqa: SIM401
    email: str | None = config["user.email"] if "user.email" in config else None  # noqa: SIM401
    return name, email


_UNSAFE_PARTS = ("//", "/./", "/../", "/.git/", "\\")
"""In ``/``-wrapped paths: a component ``""``, ``.``, ``..`` or ``.git``, or a backslash."""
_REPO_ENV = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
)
"""Variables that would make git read other objects than pygit2 does (e.g. inside a hook)."""


def read_blobs(store: GitStore, commit: str, path: str) -> list[tuple[str, bytes]]:
    """Every blob under ``path`` at ``commit`` as ``(path, bytes)``, read in bulk.

    Two git subprocesses (``ls-tree -r``, ``cat-file --batch``) read all blobs at once:
    libgit2 takes ~30 µs per packed object, git ~6 µs, and reading 100k records was most of
    building the query index of a fresh clone. Without a usable ``git`` command, or when it
    reports a problem (a missing object, an unsafe entry name), the blobs are read through
    ``GitStore.walk_blobs``, which raises the precise ``IntegrityError``.

    Example:
        >>> read_blobs(store, store.head(), "records/user")  # doctest: +SKIP
        [('records/user/A/b/Ab….json', b'{...}')]
    """
    tree = store.tree_of(commit)
    sub = store.subtree_id(tree, path)
    if sub is None:
        return []
    found = _read_blobs_cli(store.path, sub, path)
    if found is None:
        return list(store.walk_blobs(tree, path))
    return found


def _read_blobs_cli(gitdir: Path, tree_id: str, prefix: str) -> list[tuple[str, bytes]] | None:
    """``read_blobs`` through the git command, or None if it cannot answer exactly."""
    exe = shutil.which("git")
    if exe is None:
        return None
    base = [exe, "--git-dir", str(gitdir), "-c", "core.hooksPath=/dev/null"]
    env = {k: v for k, v in os.environ.items() if k not in _REPO_ENV}
    env["GIT_TERMINAL_PROMPT"] = "0"
    listed = subprocess.run(
        [*base, "ls-tree", "-r", "-z", tree_id], capture_output=True, env=env, check=False
    )
    if listed.returncode != 0:
        return None
    paths: list[str] = []
    oids: list[bytes] = []
    for entry in listed.stdout.split(b"\0"):
        if not entry:
            continue
        meta, _, name = entry.partition(b"\t")
        _mode, kind, oid = meta.split(b" ")
        if kind != b"blob":
            continue  # a submodule entry (commit) holds no bytes, like walk_blobs
        paths.append(f"{prefix}/{name.decode('utf-8', 'surrogateescape')}")
        oids.append(oid)
    # check_entry_name on every component, as C-speed substring searches over all paths
    wrapped = "/" + "/\0/".join(paths) + "/"
    if any(part in wrapped for part in _UNSAFE_PARTS):
        return None
    contents = _cat_blobs(base, env, oids)
    if contents is None:
        return None
    return list(zip(paths, contents, strict=True))


def cat_blobs(gitdir: Path, oids: list[str]) -> list[bytes] | None:
    """The contents of blobs ``oids`` read in bulk by git, or None if one is missing or no blob.

    Example:
        >>> cat_blobs(Path("mydata/.git"), [oid])  # doctest: +SKIP
        [b'{...}']
    """
    exe = shutil.which("git")
    if exe is None:
        return None
    env = {k: v for k, v in os.environ.items() if k not in _REPO_ENV}
    env["GIT_TERMINAL_PROMPT"] = "0"
    base = [exe, "--git-dir", str(gitdir), "-c", "core.hooksPath=/dev/null"]
    return _cat_blobs(base, env, [o.encode() for o in oids])


def _cat_blobs(base: list[str], env: dict[str, str], oids: list[bytes]) -> list[bytes] | None:
    """The contents of blobs, by ``git cat-file --batch`` processes running side by side."""
    if not oids:
        return []
    # decompressing is git's part of the work: split it over the CPUs for large reads
    jobs = max(1, min(os.cpu_count() or 1, 4, len(oids) // 10_000))
    size = -(-len(oids) // jobs)
    chunks = [oids[i : i + size] for i in range(0, len(oids), size)]
    with contextlib.ExitStack() as stack:
        running = []
        for chunk in chunks:
            # files, not pipes, on both ends: the processes run on without a reader, and
            # --buffer stops git flushing its output after each object
            names = stack.enter_context(tempfile.TemporaryFile())
            names.write(b"\n".join(chunk) + b"\n")
            names.seek(0)
            out = stack.enter_context(tempfile.TemporaryFile())
            proc = subprocess.Popen(
                [*base, "cat-file", "--batch=%(objecttype) %(objectsize)", "--buffer"],
                stdin=names,
                stdout=out,
                stderr=subprocess.DEVNULL,
                env=env,
            )
            running.append((proc, out))
        blobs: list[bytes] = []
        for proc, out in running:
            if proc.wait() != 0:
                return None
            out.seek(0)
            if not _split_batch(out.read(), blobs):
                return None
    if len(blobs) != len(oids):
        return None
    return blobs


def _split_batch(out: bytes, blobs: list[bytes]) -> bool:
    """Append the blobs of ``cat-file --batch`` output; False if one is missing or no blob."""
    pos = 0
    end = len(out)
    while pos < end:
        stop = out.find(b"\n", pos)
        kind, _, size = out[pos:stop].partition(b" ")
        if kind != b"blob":
            return False  # "<name> missing" or not a blob: walk_blobs says what is wrong
        start = stop + 1
        pos = start + int(size)
        blobs.append(out[start:pos])
        pos += 1
    return True
