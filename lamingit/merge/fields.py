"""Three-way merge of one record, field by field: link sets as sets, dicts per key.

The pure part of the merge (no git): :func:`merge_record` and :func:`merge_values`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec

from lamingit.models import BaseRecord

SET_FIELDS = frozenset(
    {"inputs", "projects", "parents", "records", "ulabels", "unregistered_reads"}
)
"""List fields that are link sets: merged as sets, kept sorted."""
DICT_FIELDS = frozenset({"features", "params", "environment", "slots"})
"""Dict fields merged key by key."""
SAME_NAME = "(same name)"
"""The pseudo-field of a conflict entry for a name both sides took for different records."""
TEXT_SET_FIELDS = frozenset({"synonyms"})
"""Text fields holding a ``|``-separated set (LaminDB's synonyms): merged as sets."""
DERIVED_FIELDS = frozenset({"is_latest"})
"""Fields recomputed after a merge (never a conflict)."""
MISSING: Any = object()
"""An absent field or key (distinct from None)."""
_MISSING = MISSING


@dataclass(frozen=True)
class FieldConflict:
    """The same field of one record changed two ways; ``ours`` was kept in the record."""

    registry: str
    uid: str
    field: str
    base: Any
    ours: Any
    theirs: Any

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able form (absent values become None)."""

        def plain(value: Any) -> Any:
            return None if value is _MISSING else value

        return {
            "registry": self.registry,
            "uid": self.uid,
            "field": self.field,
            "base": plain(self.base),
            "ours": plain(self.ours),
            "theirs": plain(self.theirs),
            "message": self.describe(),
        }

    def describe(self) -> str:
        """One line in the user's words.

        Example:
            >>> FieldConflict("artifact", "A1", "description", "a", "b", "c").describe()
            "artifact A1: description changed both ways: kept 'b', theirs 'c' (was 'a')"
        """
        if self.field == SAME_NAME:
            return (
                f"{self.registry} {self.uid}: their {self.theirs} has the same name and other "
                "content, both kept; rename or delete one"
            )
        return (
            f"{self.registry} {self.uid}: {self.field} changed both ways: "
            f"kept {_show(self.ours)}, theirs {_show(self.theirs)} (was {_show(self.base)})"
        )


def _show(value: Any) -> str:
    if value is _MISSING:
        return "absent"
    return repr(value)


def _merge_set(base: list[Any], ours: list[Any], theirs: list[Any]) -> list[Any]:
    b, o, t = set(base), set(ours), set(theirs)
    removed = (b - o) | (b - t)
    return sorted((o | t) - removed)


def merge_values(name: str, base: Any, ours: Any, theirs: Any) -> tuple[Any, list[str]]:
    """Merge one field; return the value and the (sub)field names that conflicted.

    Example:
        >>> merge_values("inputs", ["a"], ["a", "b"], ["c"])
        (['b', 'c'], [])
        >>> merge_values("description", "x", "y", "z")
        ('y', ['description'])
    """
    if ours == theirs:
        return ours, []
    if ours == base:  # also when both lack the key (_MISSING is one object)
        return theirs, []
    if theirs == base:
        return ours, []
    if name in DERIVED_FIELDS:
        return ours, []
    if name == "updated_at":
        return max(str(ours), str(theirs)), []
    if name == "created_at":
        return min(str(ours), str(theirs)), []
    if name in TEXT_SET_FIELDS and all(isinstance(v, str | None) for v in (ours, theirs)):
        parts = [
            str(v).split("|") if v else []
            for v in (base if base is not _MISSING else None, ours, theirs)
        ]
        merged_set = [p for p in _merge_set(*parts) if p]
        ordered = [p for p in [*parts[1], *parts[2]] if p in merged_set]
        return "|".join(dict.fromkeys(ordered)) or None, []
    if name in SET_FIELDS and isinstance(ours, list) and isinstance(theirs, list):
        base_list: list[Any] = base if isinstance(base, list) else []
        return _merge_set(base_list, ours, theirs), []
    if name in DICT_FIELDS and isinstance(ours, dict) and isinstance(theirs, dict):
        start: dict[str, Any] = base if isinstance(base, dict) else {}
        merged: dict[str, Any] = {}
        conflicts: list[str] = []
        for key in sorted(set(start) | set(ours) | set(theirs)):
            value, sub = merge_values(
                f"{name}.{key}",
                start.get(key, _MISSING),
                ours.get(key, _MISSING),
                theirs.get(key, _MISSING),
            )
            if sub:
                conflicts.append(f"{name}.{key}")
            if value is not _MISSING:
                merged[key] = value
        return merged, conflicts
    return ours, [name]


def _empty(value: Any) -> bool:
    return value is _MISSING or value is None or value == "" or value == [] or value == {}


def merge_record(
    base: BaseRecord | None, ours: BaseRecord, theirs: BaseRecord, *, twins: bool = False
) -> tuple[BaseRecord, list[FieldConflict]]:
    """Three-way merge of one record (``base`` None when both sides created it).

    ``twins=True`` merges two records both sides created for the same thing (a label of the
    same name, made in two clones; ``theirs`` carries our uid): a field one of them left
    empty takes the other's value, link sets join, and only two different values conflict.

    Example:
        >>> merged, conflicts = merge_record(base, ours, theirs)  # doctest: +SKIP
    """
    cls = type(ours)
    b = msgspec.to_builtins(base) if base is not None else {}
    o = msgspec.to_builtins(ours)
    t = msgspec.to_builtins(theirs)
    if twins:
        for name in set(o) | set(t):
            ov, tv = o.get(name, _MISSING), t.get(name, _MISSING)
            if _empty(ov) or _empty(tv):
                b[name] = ov if _empty(ov) else tv  # the empty side is "unchanged"
    out: dict[str, Any] = {}
    conflicts: list[FieldConflict] = []
    if base is None and o.get("created_by") != t.get("created_by"):
        # Both created it: the earlier creation names the creator (as created_at does).
        first = o if str(o.get("created_at")) <= str(t.get("created_at")) else t
        o = {**o, "created_by": first.get("created_by")}
        t = {**t, "created_by": first.get("created_by")}
    if base is None:
        # One record from two creations keeps one id (docs/repository.md): twins keep ours,
        # as they keep our uid; the same uid made on both sides keeps the earlier creation's
        # (equal times: the smaller id), so every clone settles on the same one.
        first = (
            o if twins else min((o, t), key=lambda d: (str(d.get("created_at")), d.get("id", 0)))
        )
        o = {**o, "id": first.get("id")}
        t = {**t, "id": first.get("id")}
    for name in sorted(set(o) | set(t)):
        value, names = merge_values(
            name, b.get(name, _MISSING), o.get(name, _MISSING), t.get(name, _MISSING)
        )
        if value is not _MISSING:
            out[name] = value
        for sub in names:
            conflicts.append(
                FieldConflict(cls.registry, ours.uid, sub, _dig(b, sub), _dig(o, sub), _dig(t, sub))
            )
    merged = msgspec.convert(out, cls)
    return merged, conflicts


def _dig(data: dict[str, Any], dotted: str) -> Any:
    current: Any = data
    for part in dotted.split("."):
        if not isinstance(current, dict) or part not in current:
            return _MISSING
        current = current[part]
    return current


def merge_uid_lists(base: list[str] | None, ours: list[str], theirs: list[str]) -> list[str]:
    """Three-way merge of a lookup entry (a sorted uid list), as a set.

    Example:
        >>> merge_uid_lists(["a"], ["a", "b"], [])
        ['b']
    """
    return _merge_set(base or [], ours, theirs)


__all__ = [
    "DERIVED_FIELDS",
    "DICT_FIELDS",
    "MISSING",
    "SAME_NAME",
    "SET_FIELDS",
    "TEXT_SET_FIELDS",
    "FieldConflict",
    "merge_record",
    "merge_uid_lists",
    "merge_values",
]
