"""Commits for the history page and a record's page, from a given commit back (``?at=``).

Built on ``lamingit.remote.history`` (record-level diffs in the user's words).
"""

from __future__ import annotations

from itertools import islice

from lamingit.layout import RECORDS, record_path, uid_from_path
from lamingit.models import STRUCTS, decode
from lamingit.remote.history import HistoryEntry, RecordChange, field_changes, label_of, run_of
from lamingit.storage.git.history import CommitInfo
from lamingit.storage.git.store import GitStore

MAX_SCAN = 1000
"""A record's page looks this many commits back for its changes (~40 ms on the development
machine; a bound on page time). Older changes: ``lamingit log KEY``."""
MAX_CHANGES = 20
"""The history page lists this many record changes per commit (a bulk import has 100k)."""


def record_change(registry: str, uid: str, old: bytes | None, new: bytes | None) -> RecordChange:
    """How one record's committed bytes changed (added, removed, or field by field).

    Example:
        >>> record_change("artifact", uid, None, data).kind  # doctest: +SKIP
        'added'
    """
    before = decode(registry, old) if old is not None else None
    after = decode(registry, new) if new is not None else None
    kind = "added" if before is None else "removed" if after is None else "changed"
    shown = after if after is not None else before
    label = label_of(shown) if shown is not None else None
    fields = field_changes(before, after) if kind == "changed" else []
    return RecordChange(registry, uid, kind, label, fields)


def commits(git: GitStore, start: str, page: int, size: int) -> tuple[list[HistoryEntry], bool]:
    """Page ``page`` of the branch's commits from ``start`` back (first parents, as
    ``git log --first-parent``), newest first, and whether more follow.

    Example:
        >>> entries, more = commits(repo.git, repo.git.head(), 1, 50)  # doctest: +SKIP
    """
    infos = list(islice(git.log(start, first_parent=True), (page - 1) * size, page * size + 1))
    more = len(infos) > size
    out = []
    for info in infos[:size]:
        out.append(HistoryEntry(info, run_of(info.message), first_changes(git, info)))
    return out, more


def first_changes(git: GitStore, info: CommitInfo, limit: int = MAX_CHANGES) -> list[RecordChange]:
    """Up to ``limit`` + 1 record changes of a commit against its first parent.

    The diff is read lazily and cut off, so a commit of 100k records costs no more than one
    of 20; a caller seeing ``limit + 1`` changes knows there are more.

    Example:
        >>> len(first_changes(repo.git, next(repo.git.log()))) <= MAX_CHANGES + 1  # doctest: +SKIP
        True
    """
    parent = info.parents[0] if info.parents else None
    out = []
    for path, before, after in git.diff_paths(git.tree_of(parent), git.tree_of(info.oid), RECORDS):
        registry, uid = uid_from_path(path)
        if registry in STRUCTS:
            out.append(record_change(registry, uid, before, after))
            if len(out) > limit:
                break
    return out


def record_history(
    git: GitStore, start: str, registry: str, uids: list[str], limit: int = 50
) -> tuple[list[HistoryEntry], bool]:
    """Commits reachable from ``start`` that changed any of ``uids``, with their field diffs,
    and whether that is all of them (False: the scan stopped after MAX_SCAN commits or
    ``limit`` entries before reaching the records' creation).

    Example:
        >>> entries, complete = record_history(repo.git, head, "artifact", [artifact.uid])  # doctest: +SKIP
        >>> entries[-1].changes[0].kind, complete  # doctest: +SKIP
        ('added', True)
    """
    paths = [(uid, record_path(registry, uid)) for uid in uids]
    out: list[HistoryEntry] = []
    created: set[str] = set()
    scanned = 0
    for info in git.log(start, limit=MAX_SCAN + 1, first_parent=True):
        if len(created) == len(paths):
            return out, True  # every creation is listed: older commits cannot touch them
        scanned += 1
        if scanned > MAX_SCAN:
            return out, False
        parent = info.parents[0] if info.parents else None
        tree, parent_tree = git.tree_of(info.oid), git.tree_of(parent)
        changes = []
        for uid, path in paths:
            # The record's directory holds few records (fan-out): when its tree is the same
            # object in both commits, the record is too, and no blob need be read.
            folder = path.rpartition("/")[0]
            if git.subtree_id(tree, folder) == git.subtree_id(parent_tree, folder):
                continue
            before, after = git.read(parent_tree, path), git.read(tree, path)
            if before != after:
                change = record_change(registry, uid, before, after)
                changes.append(change)
                if change.kind == "added":
                    created.add(uid)
        if changes:
            out.append(HistoryEntry(info, run_of(info.message), changes))
            if len(out) >= limit:
                return out, len(created) == len(paths)
    return out, True


__all__ = ["MAX_CHANGES", "MAX_SCAN", "commits", "first_changes", "record_change", "record_history"]
