"""The audit trail in the user's words: which records a commit changed, field by field.

Reads only git (commits, trees, record bytes); the CLI commands ``log``, ``show`` and
``diff`` are thin shells over these functions.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import msgspec

from lamingit.errors import InvalidArgument
from lamingit.layout import RECORDS, record_path, uid_from_path
from lamingit.models import STRUCTS, BaseRecord, decode
from lamingit.records import Snapshot
from lamingit.storage.git.history import CommitInfo
from lamingit.storage.git.store import GitStore

RUN_TRAILER = "Lamingit-Run"


def family_stems() -> dict[str, int]:
    """Versioned registry → the length of its uids' family stem, as the structs declare it.

    Example:
        >>> family_stems()["artifact"], family_stems()["transform"]
        (16, 12)
    """
    return {name: struct.stem_length for name, struct in STRUCTS.items() if struct.stem_length}


def name_lookups() -> list[tuple[str, str]]:
    """(registry, lookup) by which people name records: versioned registries first (a key
    names a whole family), as the structs declare them.

    Example:
        >>> ("artifact", "artifact.key") in name_lookups()
        True
    """
    named = [(s.stem_length == 0, name, s.name_lookup) for name, s in STRUCTS.items()]
    return [(name, lookup) for _, name, lookup in sorted(named) if lookup]


@dataclass(frozen=True)
class FieldChange:
    """One field of one record, before and after."""

    field: str
    old: Any
    new: Any

    def describe(self) -> str:
        """The change in words.

        Example:
            >>> FieldChange("description", "a", "b").describe()
            "description: 'a' → 'b'"
            >>> FieldChange("inputs", ["x"], ["x", "y"]).describe()
            "inputs: added 'y'"
        """
        if isinstance(self.old, list) and isinstance(self.new, list):
            added = [v for v in self.new if v not in self.old]
            removed = [v for v in self.old if v not in self.new]
            parts = []
            if added:
                parts.append("added " + ", ".join(_short(v) for v in added))
            if removed:
                parts.append("removed " + ", ".join(_short(v) for v in removed))
            if parts:
                return f"{self.field}: " + "; ".join(parts)
        return f"{self.field}: {_short(self.old)} → {_short(self.new)}"


def _short(value: Any, width: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


@dataclass(frozen=True)
class RecordChange:
    """A record added, changed or removed by a commit (or between two commits)."""

    registry: str
    uid: str
    kind: str
    label: str | None
    fields: list[FieldChange] = field(default_factory=list)

    def describe(self) -> str:
        """One line, e.g. ``artifact AbC… (a.csv) changed: description 'x' → 'y'``."""
        name = f"{self.registry} {self.uid}" + (f" ({self.label})" if self.label else "")
        if self.kind != "changed":
            return f"{name} {self.kind}"
        return f"{name} changed: " + "; ".join(c.describe() for c in self.fields)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able form (for ``--json``)."""
        return {
            "registry": self.registry,
            "uid": self.uid,
            "kind": self.kind,
            "label": self.label,
            "fields": [{"field": c.field, "old": c.old, "new": c.new} for c in self.fields],
        }


@dataclass(frozen=True)
class HistoryEntry:
    """One commit with its run and the record changes it made."""

    commit: CommitInfo
    run: str | None
    changes: list[RecordChange]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able form (for ``--json``)."""
        c = self.commit
        return {
            "commit": c.oid,
            "author": c.author_name,
            "email": c.author_email,
            "time": c.time.isoformat(),
            "message": c.message.strip().splitlines()[0] if c.message.strip() else "",
            "parents": list(c.parents),
            "run": self.run,
            "changes": [r.to_dict() for r in self.changes],
        }


def run_of(message: str) -> str | None:
    """The run uid named by a commit's ``Lamingit-Run:`` trailer, if any.

    Example:
        >>> run_of("save artifact\\n\\nLamingit-Run: AbCd\\n")
        'AbCd'
    """
    for line in reversed(message.strip().splitlines()):
        name, sep, value = line.partition(":")
        if sep and name.strip() == RUN_TRAILER:
            return value.strip()
    return None


def label_of(record: BaseRecord) -> str | None:
    """What a user calls a record: its key, name or handle.

    Example:
        >>> label_of(artifact_record)  # doctest: +SKIP
        'datasets/a.csv'
    """
    for name in ("key", "name", "handle"):
        value = getattr(record, name, None)
        if value:
            return str(value)
    return None


def field_changes(old: BaseRecord | None, new: BaseRecord | None) -> list[FieldChange]:
    """Fields that differ between two versions of a record (``updated_at`` left out).

    Example:
        >>> [c.field for c in field_changes(v1, v2)]  # doctest: +SKIP
        ['description']
    """
    a = msgspec.to_builtins(old) if old is not None else {}
    b = msgspec.to_builtins(new) if new is not None else {}
    out = []
    for name in sorted(set(a) | set(b)):
        if name == "updated_at":
            continue
        if a.get(name) != b.get(name):
            out.append(FieldChange(name, a.get(name), b.get(name)))
    return out


def _change(registry: str, uid: str, old: bytes | None, new: bytes | None) -> RecordChange:
    old_rec = decode(registry, old) if old is not None else None
    new_rec = decode(registry, new) if new is not None else None
    kind = "added" if old_rec is None else "removed" if new_rec is None else "changed"
    shown = new_rec if new_rec is not None else old_rec
    label = label_of(shown) if shown is not None else None
    fields = field_changes(old_rec, new_rec) if kind == "changed" else []
    return RecordChange(registry, uid, kind, label, fields)


def diff_commits(git: GitStore, old: str | None, new: str | None) -> list[RecordChange]:
    """Records added, changed and removed from commit ``old`` to ``new``.

    Example:
        >>> [c.describe() for c in diff_commits(repo.git, a, b)]  # doctest: +SKIP
    """
    out = []
    for path, before, after in git.diff_paths(git.tree_of(old), git.tree_of(new), RECORDS):
        registry, uid = uid_from_path(path)
        if registry in STRUCTS:
            out.append(_change(registry, uid, before, after))
    return out


def history(
    git: GitStore, targets: list[tuple[str, str]] | None = None, limit: int | None = None
) -> Iterator[HistoryEntry]:
    """Commits newest first with the record changes each made (only ``targets`` if given).

    Each commit is compared with its first parent; with ``targets``, commits that did not
    touch any of them are skipped.

    Example:
        >>> next(history(repo.git, [("artifact", uid)])).changes[0].kind  # doctest: +SKIP
        'changed'
    """
    paths = [(r, u, record_path(r, u)) for r, u in targets] if targets is not None else None
    shown = 0
    for info in git.log():
        if limit is not None and shown >= limit:
            return
        parent = info.parents[0] if info.parents else None
        if paths is None:
            changes = diff_commits(git, parent, info.oid)
        else:
            tree, parent_tree = git.tree_of(info.oid), git.tree_of(parent)
            changes = []
            for registry, uid, path in paths:
                before, after = git.read(parent_tree, path), git.read(tree, path)
                if before != after:
                    changes.append(_change(registry, uid, before, after))
            if not changes:
                continue
        shown += 1
        yield HistoryEntry(info, run_of(info.message), changes)


def resolve_targets(snapshot: Snapshot, text: str) -> list[tuple[str, str]]:
    """The records a user means by ``text``: a uid, a version family stem, or a key/name.

    A key or a stem stands for every version of the family.

    Example:
        >>> resolve_targets(repo.snapshot(), "datasets/a.csv")  # doctest: +SKIP
        [('artifact', 'AbCd…0000'), ('artifact', 'AbCd…0001')]
    """
    for registry in STRUCTS:
        if snapshot.find(registry, text) is not None:
            return [(registry, text)]
    stems = family_stems()
    for registry, stem_len in stems.items():
        if len(text) == stem_len:
            family = snapshot.uids_with_prefix(registry, text)
            if family:
                return [(registry, u) for u in family]
    for registry, lookup in name_lookups():
        uids = snapshot.lookup(lookup, text)
        if uids and registry in stems:
            stem = uids[0][: stems[registry]]
            return [(registry, u) for u in snapshot.uids_with_prefix(registry, stem)]
        if uids:
            return [(registry, u) for u in uids]
    raise InvalidArgument(
        f"{text!r} is not a uid, stem, key or name in this repository; "
        "see `lamingit ls` or `lamingit log` without arguments"
    )


def find_anywhere(snapshot: Snapshot, uid: str) -> BaseRecord | None:
    """The record with ``uid`` in any registry at a snapshot, or None.

    Example:
        >>> find_anywhere(repo.snapshot(), uid).uid == uid  # doctest: +SKIP
        True
    """
    for registry in STRUCTS:
        record = snapshot.find(registry, uid)
        if record is not None:
            return record
    return None
