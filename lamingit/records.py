"""Records in git: a read-only Snapshot of one commit and a ChangeSet of pending writes.

Besides the records, the committed tree holds small lookup entries (``lookup/<name>/…``): for
each lookup value (an artifact key, a content hash, a user handle, …) the sorted uids that
have it. They are derived from the records, kept in step by every ChangeSet, and make point
lookups two git reads instead of a scan.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import msgspec

from lamingit._log import logger
from lamingit._util import is_base62
from lamingit.errors import IntegrityError
from lamingit.layout import lookup_path, record_path, registry_dir, shard_dir, uid_from_path
from lamingit.models import (
    STRUCTS,
    BaseRecord,
    decode,
    encode,
)

if TYPE_CHECKING:
    from lamingit.index.store import RepoIndex
    from lamingit.storage.git.store import Changes, GitStore, Tree  # pygit2 loads on first use

RecordT = TypeVar("RecordT", bound=BaseRecord)

_LIST = msgspec.json.Decoder(list[str])
_MEMO_LIMIT = 4096
_WARNED: set[tuple[str, str]] = set()


def lookup_values(record: BaseRecord) -> set[tuple[str, str]]:
    """The ``(lookup name, value)`` pairs a record is findable by.

    Example:
        >>> sorted(lookup_values(user))  # doctest: +SKIP
        [('user.handle', 'testuser1')]
    """
    # Each struct declares its own lookups (models/structs.py): one place per registry.
    return record.lookups()


def skip_damaged(path: str, exc: IntegrityError) -> None:
    """Warn (once per path and problem) that a committed record is skipped by a scan.

    A record that is already committed but damaged or crafted must not stop every listing
    and query of its registry: scans leave it out; reading it by uid still raises.

    Example:
        >>> skip_damaged("records/run/A/b/Ab.json", IntegrityError("bad"))  # doctest: +SKIP
    """
    key = (path, str(exc))
    if key in _WARNED:
        return
    if len(_WARNED) >= _MEMO_LIMIT:
        _WARNED.clear()
    _WARNED.add(key)
    logger.warning(f"skipping the damaged record {path}: {exc}")


def _checked(record: BaseRecord, uid: str) -> BaseRecord:
    """A record must carry the uid its path names (its uid becomes part of cache paths).

    Tree entry names are already safe single path segments (``GitStore.walk_blobs``), so
    equality suffices; ``find`` also checks the requested uid is base62.
    """
    if record.uid != uid:
        raise IntegrityError(
            f"the record stored as {uid[:40]!r} carries uid {record.uid[:40]!r}; the commit was "
            "crafted or damaged: run `lamingit fsck`"
        )
    return record


def _as(kind: type[RecordT], record: BaseRecord | None) -> RecordT | None:
    """``record`` as the struct type of its registry (a registry decodes to one struct type)."""
    if record is None or isinstance(record, kind):
        return record
    raise IntegrityError(f"{kind.registry} {record.uid} decoded as {type(record).__name__}")


class IndexOwner(Protocol):
    """What holds the query index of a snapshot's records: its ``Repository``."""

    @property
    def index(self) -> RepoIndex:
        """The repository's query index (derived from git)."""
        ...


class Snapshot:
    """A read-only view of the records at one commit.

    ``owner`` is the repository the snapshot was taken from (``Repository.snapshot`` sets it):
    queries ask its index; a snapshot without one is answered by scanning git.

    Example:
        >>> snap = Snapshot(gitstore, gitstore.head())  # doctest: +SKIP
        >>> snap.find("artifact", "AbCd…")  # doctest: +SKIP
    """

    def __init__(self, git: GitStore, commit: str | None, owner: IndexOwner | None = None) -> None:
        self.git = git
        self.commit = commit
        self.owner = owner
        self.tree: Tree | None = git.tree_of(commit)
        self._memo: dict[str, bytes | None] = {}

    def read_path(self, path: str) -> bytes | None:
        """Raw bytes at a tree path (memoized: a snapshot never changes)."""
        memo = self._memo
        if path in memo:
            return memo[path]
        data = self.git.read(self.tree, path)
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        memo[path] = data
        return data

    def find(self, registry: str, uid: str) -> BaseRecord | None:
        """The record ``uid`` of ``registry``, or None."""
        if len(uid) < 2:
            return None
        data = self.read_path(record_path(registry, uid))
        if data is None:
            return None
        if not is_base62(uid):
            raise IntegrityError(f"{uid[:40]!r} is not a uid (base62 characters only)")
        return _checked(decode(registry, data), uid)

    def find_as(self, kind: type[RecordT], uid: str) -> RecordT | None:
        """``find`` typed by struct: ``snapshot.find_as(ArtifactRecord, uid)``."""
        return _as(kind, self.find(kind.registry, uid))

    def lookup(self, name: str, value: str) -> list[str]:
        """Uids whose lookup ``name`` equals ``value`` (sorted; usually one)."""
        data = self.read_path(lookup_path(name, value))
        return [] if data is None else _LIST.decode(data)

    def uids_with_prefix(self, registry: str, prefix: str) -> list[str]:
        """Uids of ``registry`` starting with ``prefix`` (at least 2 characters), sorted."""
        names = self.git.list_dir(self.tree, shard_dir(registry, prefix))
        return sorted(
            n.removesuffix(".json") for n, is_tree in names if not is_tree and n.startswith(prefix)
        )

    def iter_records(self, registry: str) -> Iterator[BaseRecord]:
        """Every record of ``registry`` (a full scan: for indexes and brute-force checks).

        A damaged record is skipped with a warning naming it (see :func:`skip_damaged`).
        """
        for path, data in self.git.walk_blobs(self.tree, registry_dir(registry)):
            try:
                record = _checked(decode(registry, data), uid_from_path(path)[1])
            except IntegrityError as exc:
                skip_damaged(path, exc)
                continue
            yield record

    def settings_bytes(self) -> bytes | None:
        """The committed repository settings file."""
        return self.read_path("lamingit.toml")


class ChangeSet:
    """Pending record writes on top of a Snapshot; becomes exactly one commit.

    Lookup entries are updated from the records' old and new lookup values.

    Example:
        >>> changes = ChangeSet(snapshot)  # doctest: +SKIP
        >>> changes.put(record, "save artifact")  # doctest: +SKIP
    """

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._records: dict[tuple[str, str], BaseRecord | None] = {}
        self._lookups: dict[tuple[str, str], list[str]] = {}
        self._files: dict[str, bytes | None] = {}
        self.summary: list[str] = []

    def __bool__(self) -> bool:
        return bool(self._records or self._files)

    def get(self, registry: str, uid: str) -> BaseRecord | None:
        """A record as it will be after this change set (pending writes first)."""
        key = (registry, uid)
        if key in self._records:
            return self._records[key]
        return self.snapshot.find(registry, uid)

    def get_as(self, kind: type[RecordT], uid: str) -> RecordT | None:
        """``get`` typed by struct: ``changes.get_as(ArtifactRecord, uid)``."""
        return _as(kind, self.get(kind.registry, uid))

    def lookup(self, name: str, value: str) -> list[str]:
        """A lookup entry as it will be after this change set."""
        key = (name, value)
        if key in self._lookups:
            return list(self._lookups[key])
        return self.snapshot.lookup(name, value)

    def put(self, record: BaseRecord, summary: str | None = None) -> None:
        """Write (create or replace) a record; ``summary`` goes into the commit message."""
        registry = type(record).registry
        old = self.get(registry, record.uid)
        self._relink(record.uid, old, record)
        self._records[(registry, record.uid)] = record
        if summary:
            self.summary.append(summary)

    def remove(self, registry: str, uid: str, summary: str | None = None) -> None:
        """Remove a record permanently."""
        old = self.get(registry, uid)
        self._relink(uid, old, None)
        self._records[(registry, uid)] = None
        if summary:
            self.summary.append(summary)

    def put_file(self, path: str, data: bytes | None) -> None:
        """Write a non-record file of the committed tree (e.g. ``lamingit.toml``)."""
        self._files[path] = data

    def _relink(self, uid: str, old: BaseRecord | None, new: BaseRecord | None) -> None:
        before = lookup_values(old) if old is not None else set()
        after = lookup_values(new) if new is not None else set()
        for entry in before - after:
            uids = self.lookup(*entry)
            if uid in uids:
                uids.remove(uid)
            self._lookups[entry] = uids
        for entry in after - before:
            uids = self.lookup(*entry)
            if uid not in uids:
                uids.append(uid)
                uids.sort()
            self._lookups[entry] = uids

    def uids_with_prefix(self, registry: str, prefix: str) -> list[str]:
        """Uids of ``registry`` starting with ``prefix`` after this change set, sorted."""
        uids = set(self.snapshot.uids_with_prefix(registry, prefix))
        for (reg, uid), record in self._records.items():
            if reg == registry and uid.startswith(prefix):
                if record is None:
                    uids.discard(uid)
                else:
                    uids.add(uid)
        return sorted(uids)

    def pending(self, registry: str) -> list[BaseRecord]:
        """Records of ``registry`` written (not removed) in this change set."""
        return [r for (reg, _), r in self._records.items() if reg == registry and r is not None]

    def to_changes(self) -> Changes:
        """The tree changes this change set amounts to."""
        changes: Changes = dict(self._files)
        for (registry, uid), record in self._records.items():
            changes[record_path(registry, uid)] = None if record is None else encode(record)
        for (name, value), uids in self._lookups.items():
            changes[lookup_path(name, value)] = msgspec.json.encode(uids) if uids else None
        return changes


def rebuild_lookups(snapshot: Snapshot) -> Changes:
    """Lookup entries recomputed from every record (for reindex and fsck).

    Example:
        >>> rebuild_lookups(snapshot)  # doctest: +SKIP
    """
    entries: dict[tuple[str, str], list[str]] = {}
    for registry in STRUCTS:
        for record in snapshot.iter_records(registry):
            for entry in lookup_values(record):
                entries.setdefault(entry, []).append(record.uid)
    return {lookup_path(n, v): msgspec.json.encode(sorted(u)) for (n, v), u in entries.items()}


def replace(record: BaseRecord, **changes: Any) -> Any:
    """A copy of a frozen record with fields changed.

    Example:
        >>> replace(artifact_record, is_latest=False)  # doctest: +SKIP
    """
    return msgspec.structs.replace(record, **changes)
