"""Writing trees and commits without an index or worktree: new objects in memory, then one pack."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pygit2

from lamingit.storage.git.backends import PendingObjects, RecentObjects
from lamingit.storage.packfile import write_pack

BLOB = pygit2.GIT_FILEMODE_BLOB
TREE = pygit2.GIT_FILEMODE_TREE
Changes = dict[str, bytes | None]
"""Tree path → new content, or None to remove the path."""


class CommitWriter:
    """A view of a repository whose object writes stay in memory until one pack holds them.

    Example:
        >>> CommitWriter(repo, recent, gitdir / "objects" / "pack")  # doctest: +SKIP
    """

    def __init__(self, repo: pygit2.Repository, recent: RecentObjects, pack_dir: Path) -> None:
        self._recent = recent
        self._pack_dir = pack_dir
        self._pending = PendingObjects(repo.odb, recent)
        odb = pygit2.Odb()
        odb.add_backend(self._pending, 1)
        self._writer = pygit2.Repository()
        self._writer.set_odb(odb)

    def write(
        self,
        tree: pygit2.Tree | None,
        parents: list[str],
        changes: Changes,
        message: str,
        author: tuple[str, str],
        *,
        fsync: bool = False,
    ) -> str:
        """Write ``tree`` with ``changes`` applied and a commit of it; return the commit id.

        Only the trees on the changed paths are rewritten (TreeBuilder on the parent tree).
        The new objects are collected in memory and written as one pack: two files instead
        of one loose file per object; they stay readable from memory (``RecentObjects``).

        Example:
            >>> writer.write(tree, [head], {"a.json": b"{}"}, "save", ("ann", "a@x"))  # doctest: +SKIP
        """
        writer, pending = self._writer, self._pending
        try:
            grouped: dict[tuple[str, ...], bytes | None] = {
                tuple(p.split("/")): data for p, data in changes.items()
            }
            tree_id = self._apply(writer, tree, grouped)
            if tree_id is None:
                tree_id = writer.TreeBuilder().write()
            sig = pygit2.Signature(author[0], author[1])
            oid = writer.create_commit(None, sig, sig, message, tree_id, parents)
            write_pack(self._pack_dir, pending.objects, fsync=fsync)
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
