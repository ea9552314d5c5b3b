"""Twins: the same named record created on both sides of a merge becomes one record.

A ULabel, Record, Feature, Project or Schema name is unique (within its type for labels and records);
two clones that each create ``ULabel(name="DMSO")`` offline would otherwise hold two labels
of that name after the merge. Theirs is unified into ours: its fields merge into our record
(:func:`lamingit.merge.fields.merge_record` with ``twins=True``) and every link to it is
re-pointed at ours.
"""

from __future__ import annotations

from typing import Any

from lamingit.layout import uid_from_path
from lamingit.models import BaseRecord, decode
from lamingit.records import Snapshot

NAMED: dict[str, str] = {
    "feature": "feature.name",
    "project": "project.name",
    "record": "record.name",
    "schema": "schema.name",
    "ulabel": "ulabel.name",
}
"""Registries whose names are unique → their lookup (``<type uid>/<name>`` for typed ones)."""
DEFINITION = (
    "members",
    "itype",
    "otype",
    "minimal_set",
    "maximal_set",
    "ordered_set",
    "coerce_dtype",
    "index",
    "slots",
)
"""What makes two schemas the same (what their hash is over): only equal ones are unified."""


def _through(value: Any, mapping: dict[str, str]) -> Any:
    if isinstance(value, str):
        return mapping.get(value, value)
    if isinstance(value, list):
        return [_through(v, mapping) for v in value]
    if isinstance(value, dict):
        return {k: _through(v, mapping) for k, v in value.items()}
    return value


def _same_thing(theirs: BaseRecord, ours: BaseRecord | None, mapping: dict[str, str]) -> bool:
    """Whether two records of one name may become one (schemas: the same definition)."""
    if ours is None or getattr(ours, "trashed", False):
        return False
    if theirs.registry != "schema":
        return True
    return all(_through(getattr(theirs, f), mapping) == getattr(ours, f) for f in DEFINITION)


def rewrite_dtype(dtype: str, mapping: dict[str, str]) -> str:
    """A feature dtype with the uids it names re-pointed (``cat[ULabel[<uid>]]``).

    Example:
        >>> rewrite_dtype("cat[ULabel[abc]]", {"abc": "xyz"})
        'cat[ULabel[xyz]]'
        >>> rewrite_dtype("cat[Record[abc, schema__uid=abc]]", {"abc": "xyz"})
        'cat[Record[xyz, schema__uid=xyz]]'
    """
    for old, new in mapping.items():
        dtype = dtype.replace(f"[{old}]", f"[{new}]").replace(f"[{old}, ", f"[{new}, ")
        # cat_filters name records too: cat[Record[<type>, created_by__uid=<uid>]]
        dtype = dtype.replace(f"__uid={old},", f"__uid={new},").replace(
            f"__uid={old}]", f"__uid={new}]"
        )
    return dtype


def _key(record: BaseRecord, mapping: dict[str, str]) -> str | None:
    """The record's unique name entry, its type re-pointed through ``mapping``."""
    name = NAMED.get(record.registry)
    if name is None or getattr(record, "trashed", False):
        return None
    kind = getattr(record, "type", None)
    if record.registry in ("ulabel", "record"):
        return f"{mapping.get(kind, kind) if kind else ''}/{getattr(record, 'name', '')}"
    named = getattr(record, "name", None)
    return str(named) if named else None


def find_twins(
    base: Snapshot,
    ours: Snapshot,
    theirs_diff: dict[str, tuple[bytes | None, bytes | None]],
    mapping: dict[str, str],
) -> dict[str, str]:
    """Their new named records → our new record of the same name (and type), if any.

    Only records both sides created since the common ancestor are unified (ours not in
    ``base``); a type unified first lets its labels match (repeated until nothing changes).
    ``mapping`` holds uids already re-pointed (renumbered versions). Schemas of one name are
    unified only when their definitions agree once their features are unified.

    Example:
        >>> find_twins(base, ours, theirs_diff, {})  # doctest: +SKIP
        {'Xb2kQ9aa': 'Lm4tR2bb'}
    """
    candidates: list[BaseRecord] = []
    for path, (old, new) in sorted(theirs_diff.items()):
        registry, uid = uid_from_path(path)
        if registry in NAMED and old is None and new is not None and uid not in mapping:
            candidates.append(decode(registry, new))
    twins: dict[str, str] = {}
    while True:
        found = False
        current = {**mapping, **twins}
        for record in candidates:
            if record.uid in twins:
                continue
            key = _key(record, current)
            if key is None:
                continue
            for uid in ours.lookup(NAMED[record.registry], key):
                if (
                    uid != record.uid
                    and base.find(record.registry, uid) is None
                    and _same_thing(record, ours.find(record.registry, uid), current)
                ):
                    twins[record.uid] = uid
                    found = True
                    break
        if not found:
            return twins


def vanished_twins(
    base: Snapshot,
    unifier: Snapshot,
    unifier_diff: dict[str, tuple[bytes | None, bytes | None]],
    keeper_diff: dict[str, tuple[bytes | None, bytes | None]],
) -> dict[str, str]:
    """Named records one side unified away since ``base`` → the record they became there.

    A side that merged an earlier pull unified the other side's label X into its own Y (X is
    gone there, Y has X's name); the other side may have linked more records to X since. Those
    links are re-pointed at Y. X changed by the keeper is left to the usual deleted/changed rule.

    Example:
        >>> vanished_twins(base, theirs, theirs_diff, ours_diff)  # doctest: +SKIP
        {'Xb2kQ9aa': 'Lm4tR2bb'}
    """
    gone: list[BaseRecord] = []
    for path, (old, new) in sorted(unifier_diff.items()):
        registry, _uid = uid_from_path(path)
        if registry in NAMED and old is not None and new is None and path not in keeper_diff:
            gone.append(decode(registry, old))
    out: dict[str, str] = {}
    while True:
        found = False
        for record in gone:
            if record.uid in out:
                continue
            key = _key(record, out)
            targets = [] if key is None else unifier.lookup(NAMED[record.registry], key)
            target = next((u for u in targets if u != record.uid), None)
            if target is not None:
                out[record.uid] = target
                found = True
        if not found:
            return out


def name_clashes(
    base: Snapshot,
    ours: Snapshot,
    theirs_diff: dict[str, tuple[bytes | None, bytes | None]],
    mapping: dict[str, str],
) -> list[tuple[str, str, str]]:
    """``(registry, our uid, their uid)``: names both sides took for different things (two
    schemas of one name and different rules), which stay two records and are reported.

    Example:
        >>> name_clashes(base, ours, theirs_diff, twins)  # doctest: +SKIP
        [('schema', 'Lm4t…', 'Xb2k…')]
    """
    out = []
    for path, (old, new) in sorted(theirs_diff.items()):
        registry, uid = uid_from_path(path)
        if registry not in NAMED or old is not None or new is None or uid in mapping:
            continue
        key = _key(decode(registry, new), mapping)
        if key is None:
            continue
        for other in ours.lookup(NAMED[registry], key):
            if other != uid and base.find(registry, other) is None:
                out.append((registry, other, uid))
    return out


__all__ = ["NAMED", "find_twins", "name_clashes", "rewrite_dtype", "vanished_twins"]
