"""Id collisions in a merge: an arriving record whose integer id another record already has.

Ids are random 63-bit integers (docs/repository.md "Integer ids"); when a new record of theirs
draws the id of a different record of ours, theirs gets a fresh id so ``get(id=)`` stays exact.
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec

from lamingit.layout import registry_dir, uid_from_path
from lamingit.models import BaseRecord, derived_id
from lamingit.query import Q
from lamingit.records import ChangeSet, Snapshot, replace, skip_damaged
from lamingit.router import select


class _Id(msgspec.Struct):
    """Only a record's id: reading every record of a registry stays cheap (others skipped)."""

    id: int = 0


def _scan_ids(snapshot: Snapshot, registry: str) -> dict[int, str]:
    """Id → uid of every record of ``registry`` in ``snapshot`` (a git scan, ids only)."""
    out: dict[int, str] = {}
    for path, data in snapshot.git.walk_blobs(snapshot.tree, registry_dir(registry), skip_damaged):
        uid = uid_from_path(path)[1]
        try:
            number = msgspec.json.decode(data, type=_Id).id
        except (msgspec.DecodeError, msgspec.ValidationError):
            continue  # a damaged record: fsck reports it
        out[number if 0 < number < 1 << 63 else derived_id(uid)] = uid  # as BaseRecord does
    return out


def _holders(snapshot: Snapshot, registry: str) -> Callable[[set[int]], dict[int, str]]:
    """``ids → {id: uid}`` of the records of ``registry`` holding them: asks the repository's
    query index when the snapshot has one, else scans git once."""
    if snapshot.owner is not None:

        def ask(ids: set[int]) -> dict[int, str]:
            found = select(snapshot, registry, Q(id__in=sorted(ids))) if ids else []
            return {r.id: r.uid for r in found}

        return ask
    every = _scan_ids(snapshot, registry)
    return lambda ids: {i: every[i] for i in ids if i in every}


def fresh_id(uid: str, old: int, taken: Callable[[int], bool]) -> int:
    """A new id for ``uid`` for which ``taken`` is false, derived from the uid and its old id.

    Derived, not random, so every clone that makes this merge settles on the same id.

    Example:
        >>> fresh_id("abc", 5, lambda i: False) == fresh_id("abc", 5, lambda i: False) != 5
        True
    """
    attempt = 0
    while True:
        candidate = derived_id(f"{uid}:{old}:{attempt}")
        if candidate != old and not taken(candidate):
            return candidate
        attempt += 1


def _reid_registry(
    ours: Snapshot,
    changes: ChangeSet,
    registry: str,
    uids: list[str],
    out: dict[str, tuple[int, int]],
) -> None:
    """:func:`reid_arrivals` for the arriving records of one registry."""
    records: list[BaseRecord] = [r for u in uids if (r := changes.get(registry, u)) is not None]
    holders_of = _holders(ours, registry)
    holders = holders_of({r.id for r in records})  # ours: arriving uids are not in it

    def taken(number: int) -> bool:
        return number in holders or bool(holders_of({number}))

    for record in records:
        holder = holders.get(record.id)
        if holder is not None and holder != record.uid:
            old = record.id
            new = fresh_id(record.uid, old, taken)
            out[record.uid] = (old, new)
            record = replace(record, id=new)
            changes.put(record)
        holders[record.id] = record.uid


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
        _reid_registry(ours, changes, registry, sorted(uids), out)
    return out


__all__ = ["fresh_id", "reid_arrivals"]
