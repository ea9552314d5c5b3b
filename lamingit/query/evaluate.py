"""The reference evaluator: does one record satisfy a Q? (brute force, used as the oracle)."""

from __future__ import annotations

import re
from typing import Any, Protocol

import msgspec

from lamingit.models import BaseRecord
from lamingit.query.expr import Condition, Q
from lamingit.query.fields import FieldKind, resolve_path


class RecordResolver(Protocol):
    """Anything that can fetch a related record by registry and uid."""

    def find(self, registry: str, uid: str) -> BaseRecord | None:
        """The record, or None when absent."""


def path_values(record: BaseRecord, path: tuple[str, ...], resolver: RecordResolver) -> list[Any]:
    """Every value reachable from ``record`` along ``path`` (many-relations fan out).

    Example:
        >>> path_values(artifact, ("created_by", "handle"), snapshot)  # doctest: +SKIP
        ['testuser1']
    """
    steps = resolve_path(type(record).registry, path)
    values: list[Any] = [record]
    for i, (name, kind, _registry) in enumerate(steps):
        last = i == len(steps) - 1
        nxt: list[Any] = []
        for value in values:
            if kind is FieldKind.SCALAR:
                nxt.append(getattr(value, name))
            elif kind is FieldKind.FEATURE:
                feats = getattr(value, "features", {})
                if name in feats:
                    nxt.append(feats[name])
            elif kind is FieldKind.DICT:
                if isinstance(value, msgspec.Struct):
                    nxt.append(getattr(value, name))
                elif isinstance(value, dict) and name in value:
                    nxt.append(value[name])
            else:
                linked = getattr(value, name)
                uids = [] if linked is None else [linked] if kind is FieldKind.ONE else linked
                if last:
                    nxt.extend(uids)
                else:
                    target = _target_registry(type(value).registry, name)
                    nxt.extend(r for u in uids if (r := resolver.find(target, u)) is not None)
        values = nxt
    return values


def _target_registry(registry: str, name: str) -> str:
    from lamingit.query.fields import SCHEMAS

    return SCHEMAS[registry].relations[name][0]


def compare(op: str, value: Any, target: Any) -> bool:
    """Apply one lookup operator to a stored value (None never matches but ``isnull``).

    Example:
        >>> compare("gt", 5, 3), compare("icontains", "P53mutant", "p53")
        (True, True)
    """
    if value is None:
        return op == "exact" and target is None
    try:
        if op == "exact":
            return bool(_same_kind(value, target) and value == target)
        if op == "iexact":
            return str(value).lower() == str(target).lower()
        if op in ("gt", "gte", "lt", "lte"):
            if not _same_kind(value, target):
                return False
            return bool(
                {
                    "gt": value > target,
                    "gte": value >= target,
                    "lt": value < target,
                    "lte": value <= target,
                }[op]
            )
        if op == "in":
            return any(_same_kind(value, t) and value == t for t in target)
        if op == "range":
            lo, hi = target
            return bool(_same_kind(value, lo) and lo <= value <= hi)
        if op in ("contains", "icontains"):
            if isinstance(value, list):
                return target in value
            if op == "icontains":
                return str(target).lower() in str(value).lower()
            return str(target) in str(value)
        if op == "startswith":
            return str(value).startswith(str(target))
        if op == "istartswith":
            return str(value).lower().startswith(str(target).lower())
        if op == "endswith":
            return str(value).endswith(str(target))
        if op == "iendswith":
            return str(value).lower().endswith(str(target).lower())
        if op == "regex":
            return re.search(str(target), str(value)) is not None
        if op == "iregex":
            return re.search(str(target), str(value), re.IGNORECASE) is not None
    except TypeError:
        return False
    raise ValueError(f"unknown operator {op!r}")


def _same_kind(value: Any, target: Any) -> bool:
    """Numbers compare with numbers (not bools), strings with strings, bools with bools."""
    if isinstance(value, bool) or isinstance(target, bool):
        return isinstance(value, bool) and isinstance(target, bool)
    if isinstance(value, int | float) and isinstance(target, int | float):
        return True
    return type(value) is type(target) or (value is None or target is None)


def _condition(record: BaseRecord, cond: Condition, resolver: RecordResolver) -> bool:
    values = path_values(record, cond.path, resolver)
    if cond.op == "isnull" or (cond.op == "exact" and cond.value is None):
        # `field=None` means "has no value", as in Django: the same as `field__isnull=True`.
        wants_null = bool(cond.value) if cond.op == "isnull" else True
        present = any(v is not None for v in values)
        return present != wants_null
    return any(compare(cond.op, v, cond.value) for v in values)


def matches(record: BaseRecord, q: Q, resolver: RecordResolver) -> bool:
    """Tell whether ``record`` satisfies ``q`` (AND/OR/NOT evaluated recursively).

    Example:
        >>> matches(artifact, Q(suffix=".csv"), snapshot)  # doctest: +SKIP
        True
    """
    results = (
        matches(record, child, resolver)
        if isinstance(child, Q)
        else _condition(record, child, resolver)
        for child in q.children
    )
    outcome = all(results) if q.connector == "AND" else any(results)
    return outcome != q.negated
