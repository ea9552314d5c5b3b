"""Id collisions in a merge: an arriving record whose integer id another record already has.

Ids are random 63-bit integers (docs/repository.md "Integer ids"); when a new record of theirs
draws the id of a different record of ours, theirs gets a fresh id so ``get(id=)`` stays exact.
"""

from __future__ import annotations

import msgspec

from lamingit.layout import registry_dir, uid_from_path
from lamingit.models import BaseRecord, derived_id
from lamingit.records import ChangeSet, Snapshot, replace, skip_damaged


class _Id(msgspec.Struct):
    """Only a record's id: reading every record of a registry stays cheap (others skipped)."""

    id: int = 0


def _ids(snapshot: Snapshot, registry: str, skip: set[str]) -> dict[int, str]:
    """Id → uid of every record of ``registry`` in ``snapshot`` but those in ``skip``."""
    out: dict[int, str] = {}
    for path, data in snapshot.git.walk_blobs(snapshot.tree, registry_dir(registry), skip_damaged):
        uid = uid_from_path(path)[1]
        if uid in skip:
            continue
        try:
            number = msgspec.json.decode(data, type=_Id).id
        except (msgspec.DecodeError, msgspec.ValidationError):
            continue  # a damaged record: fsck reports it
        out[number if 0 < number < 1 << 63 else derived_id(uid)] = uid  # as BaseRecord does
    return out


def fresh_id(uid: str, old: int, taken: set[int]) -> int:
    """A new id for ``uid`` not in ``taken``, derived from the uid and its old id.

    Derived, not random, so every clone that makes this merge settles on the same id.

    Example:
        >>> fresh_id("abc", 5, set()) == fresh_id("abc", 5, set()) != 5
        True
    """
    attempt = 0
    while True:
        candidate = derived_id(f"{uid}:{old}:{attempt}")
        if candidate not in taken and candidate != old:
            return candidate
        attempt += 1


def reid_arrivals(
    ours: Snapshot, changes: ChangeSet, arrivals: list[tuple[str, str]]
) -> dict[str, tuple[int, int]]:
    """Give each arriving new record whose id another record holds a fresh id (in ``changes``).

    ``arrivals`` are ``(registry, uid)`` of records new on their side and absent from ours.
    Returns ``uid → (old id, new id)`` of the records given a fresh id.

    Example:
        >>> reid_arrivals(ours, changes, [("ulabel", "Xb2kQ9aa")])  # doctest: +SKIP
        {'Xb2kQ9aa': (4242, 8193547262913021)}
    """
    out: dict[str, tuple[int, int]] = {}
    by_registry: dict[str, list[str]] = {}
    for registry, uid in arrivals:
        by_registry.setdefault(registry, []).append(uid)
    for registry, uids in sorted(by_registry.items()):
        arriving = set(uids)
        holders = _ids(ours, registry, arriving)
        for uid in sorted(uids):
            record: BaseRecord | None = changes.get(registry, uid)
            if record is None:
                continue
            holder = holders.get(record.id)
            if holder is not None and holder != uid:
                new = fresh_id(uid, record.id, set(holders))
                out[uid] = (record.id, new)
                record = replace(record, id=new)
                changes.put(record)
            holders[record.id] = uid
    return out


__all__ = ["fresh_id", "reid_arrivals"]
