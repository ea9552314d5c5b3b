"""``Q`` objects: a tree of AND/OR/NOT over conditions ``(path, operator, value)``."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

OPERATORS: frozenset[str] = frozenset(
    {
        "exact",
        "iexact",
        "gt",
        "gte",
        "lt",
        "lte",
        "in",
        "range",
        "contains",
        "icontains",
        "startswith",
        "istartswith",
        "endswith",
        "iendswith",
        "isnull",
        "regex",
        "iregex",
    }
)


@dataclass(frozen=True)
class Condition:
    """One lookup: ``path`` through fields/relations/dict keys, an operator and a value."""

    path: tuple[str, ...]
    op: str
    value: Any


def parse_lookup(keyword: str) -> tuple[tuple[str, ...], str]:
    """Split a Django-style keyword into its path and operator.

    Example:
        >>> parse_lookup("run__transform__key__startswith")
        (('run', 'transform', 'key'), 'startswith')
        >>> parse_lookup("gc_content")
        (('gc_content',), 'exact')
    """
    # Feature names are stored in NFC; a lookup spelled in another normal form finds them too.
    parts = tuple(unicodedata.normalize("NFC", keyword).split("__"))
    if len(parts) > 1 and parts[-1] in OPERATORS:
        return parts[:-1], parts[-1]
    return parts, "exact"


@dataclass(frozen=True)
class Q:
    """A composable filter: ``Q(a=1) | Q(b=2)``, ``Q(a=1) & ~Q(b=2)``.

    Example:
        >>> q = Q(key__startswith="raw/") | Q(suffix=".csv")
        >>> q.connector
        'OR'
    """

    children: tuple[Condition | Q, ...] = ()
    connector: str = "AND"
    negated: bool = False
    _kwargs: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __init__(self, *args: Q, **kwargs: Any) -> None:
        children: list[Condition | Q] = list(args)
        for keyword, value in sorted(kwargs.items()):
            path, op = parse_lookup(keyword)
            children.append(Condition(path, op, value))
        object.__setattr__(self, "children", tuple(children))
        object.__setattr__(self, "connector", "AND")
        object.__setattr__(self, "negated", False)
        object.__setattr__(self, "_kwargs", kwargs)

    @classmethod
    def _make(cls, children: tuple[Condition | Q, ...], connector: str, negated: bool) -> Q:
        q = cls()
        object.__setattr__(q, "children", children)
        object.__setattr__(q, "connector", connector)
        object.__setattr__(q, "negated", negated)
        return q

    def __and__(self, other: Q) -> Q:
        return Q._make((self, other), "AND", False)

    def __or__(self, other: Q) -> Q:
        return Q._make((self, other), "OR", False)

    def __invert__(self) -> Q:
        return Q._make((self,), "AND", True)

    def conditions(self) -> list[Condition]:
        """Every condition in the tree, depth first."""
        out: list[Condition] = []
        for child in self.children:
            if isinstance(child, Q):
                out.extend(child.conditions())
            else:
                out.append(child)
        return out

    def map_conditions(self, fn: Any) -> Q:
        """A copy of the tree with every condition replaced by ``fn(condition)``."""
        mapped = tuple(
            child.map_conditions(fn) if isinstance(child, Q) else fn(child)
            for child in self.children
        )
        return Q._make(mapped, self.connector, self.negated)
