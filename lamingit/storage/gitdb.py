"""The one pygit2 module: read trees and blobs, and write commits without an index or worktree."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pygit2

from lamingit.errors import InvalidArgument, NotARepository

BLOB = pygit2.GIT_FILEMODE_BLOB
TREE = pygit2.GIT_FILEMODE_TREE
Changes = dict[str, bytes | None]
"""Tree path → new content, or None to remove the path."""


@dataclass(frozen=True)
class CommitInfo:
    """A commit as the history commands show it."""

    oid: str
    author_name: str
    author_email: str
    time: datetime
    message: str
    parents: tuple[str, ...]


class GitStore:
    """A git repository used as a record database (bare: no working tree, no index).

    Example:
        >>> store = GitStore.init(Path("mydata/.git"))  # doctest: +SKIP
        >>> store.head()  # doctest: +SKIP
    """

    def __init__(self, repo: pygit2.Repository) -> None:
        self._repo = repo

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
        return Path(self._repo.path)

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
        """The newest first-parent commit on the branch made at or before ``moment``."""
        head = self.head()
        if head is None:
            return None
        commit = self._repo[head]
        while True:
            when = datetime.fromtimestamp(commit.commit_time, UTC)
            if when <= moment:
                return str(commit.id)
            if not commit.parents:
                return None
            commit = commit.parents[0]

    def tree_of(self, commit: str | None) -> pygit2.Tree | None:
        """The root tree of a commit (None for no commit)."""
        if commit is None:
            return None
        return self._repo[commit].peel(pygit2.Tree)

    def read(self, tree: pygit2.Tree | None, path: str) -> bytes | None:
        """The bytes at ``path`` in ``tree``, or None if absent."""
        if tree is None:
            return None
        try:
            obj = tree[path]
        except KeyError:
            return None
        if obj.type != pygit2.GIT_OBJECT_BLOB:
            return None
        return bytes(obj.data)

    def list_dir(self, tree: pygit2.Tree | None, path: str) -> list[tuple[str, bool]]:
        """Entries ``(name, is_tree)`` of the directory ``path`` in ``tree`` ([] if absent)."""
        sub = self._subtree(tree, path)
        if sub is None:
            return []
        return [(e.name, e.type == pygit2.GIT_OBJECT_TREE) for e in sub]

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

    def walk_blobs(self, tree: pygit2.Tree | None, path: str) -> Iterator[tuple[str, bytes]]:
        """Every blob under ``path`` as ``(path, bytes)``, depth first, in name order."""
        sub = self._subtree(tree, path)
        if sub is None:
            return
        stack: list[tuple[str, pygit2.Tree]] = [(path, sub)]
        while stack:
            prefix, current = stack.pop()
            for entry in current:
                full = f"{prefix}/{entry.name}" if prefix else entry.name
                obj = self._repo[entry.id]
                if isinstance(obj, pygit2.Tree):
                    stack.append((full, obj))
                else:
                    yield full, bytes(obj.data)

    def diff_paths(
        self, old: pygit2.Tree | None, new: pygit2.Tree | None, path: str = ""
    ) -> Iterator[tuple[str, bytes | None, bytes | None]]:
        """Changed blobs between two trees as ``(path, old, new)``, skipping equal subtrees."""
        a = self._subtree(old, path)
        b = self._subtree(new, path)
        if a is not None and b is not None and a.id == b.id:
            return
        a_entries = {e.name: e for e in a} if a is not None else {}
        b_entries = {e.name: e for e in b} if b is not None else {}
        for name in sorted(set(a_entries) | set(b_entries)):
            ea, eb = a_entries.get(name), b_entries.get(name)
            if ea is not None and eb is not None and ea.id == eb.id:
                continue
            full = f"{path}/{name}" if path else name
            a_tree = ea is not None and ea.type == pygit2.GIT_OBJECT_TREE
            b_tree = eb is not None and eb.type == pygit2.GIT_OBJECT_TREE
            if a_tree or b_tree:
                yield from self.diff_paths(old if a_tree else None, new if b_tree else None, full)
            if not a_tree or not b_tree:
                old_bytes = bytes(self._repo[ea.id].data) if ea is not None and not a_tree else None
                new_bytes = bytes(self._repo[eb.id].data) if eb is not None and not b_tree else None
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

        Only the trees on the changed paths are rewritten (TreeBuilder on the parent tree). The
        branch is not moved; see :meth:`set_branch`.
        """
        base = self.tree_of(parent)
        grouped: dict[tuple[str, ...], bytes | None] = {
            tuple(p.split("/")): data for p, data in changes.items()
        }
        tree_id = self._apply(base, grouped)
        if tree_id is None:
            tree_id = self._repo.TreeBuilder().write()
        sig = pygit2.Signature(author[0], author[1])
        parents = ([parent] if parent else []) + list(extra_parents)
        oid = self._repo.create_commit(None, sig, sig, message, tree_id, parents)
        return str(oid)

    def _apply(
        self, tree: pygit2.Tree | None, changes: dict[tuple[str, ...], bytes | None]
    ) -> pygit2.Oid | None:
        builder = self._repo.TreeBuilder(tree) if tree is not None else self._repo.TreeBuilder()
        nested: dict[str, dict[tuple[str, ...], bytes | None]] = defaultdict(dict)
        for parts, data in changes.items():
            if len(parts) > 1:
                nested[parts[0]][parts[1:]] = data
            elif data is None:
                if builder.get(parts[0]) is not None:
                    builder.remove(parts[0])
            else:
                builder.insert(parts[0], self._repo.create_blob(data), BLOB)
        for name, sub_changes in nested.items():
            current = builder.get(name)
            subtree = current if isinstance(current, pygit2.Tree) else None
            new_id = self._apply(subtree, sub_changes)
            if new_id is None:
                if current is not None:
                    builder.remove(name)
            else:
                builder.insert(name, new_id, TREE)
        if len(builder) == 0:
            return None
        return builder.write()

    def set_fsync(self, enabled: bool) -> None:
        """Make libgit2 fsync objects and refs as it writes them (process-wide setting)."""
        pygit2.option(pygit2.enums.Option.ENABLE_FSYNC_GITDIR, enabled)

    def set_branch(self, commit: str) -> None:
        """Point the current branch at ``commit`` (callers hold the repository's write lock)."""
        self._repo.references.create(self.branch_ref(), commit, force=True)

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


def git_identity() -> tuple[str | None, str | None]:
    """``(user.name, user.email)`` from the user's global git configuration, if set."""
    try:
        config = pygit2.Config.get_global_config()
    except (OSError, pygit2.GitError):
        return None, None
    name = config["user.name"] if "user.name" in config else None
    email = config["user.email"] if "user.email" in config else None
    return name, email
