"""Recursive queries over a registry's own hierarchy (``parents`` and ``type``): Record, ULabel."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from lamingit.api.core.base import Registry
from lamingit.api.core.queryset import QuerySet


class HasHierarchy(Registry):
    """A registry whose records name ``parents`` and a ``type`` of the same registry.

    Subclasses keep their own public name for the instances of a type (``query_records``,
    ``query_ulabels``) and answer it with ``self._closure("type__in")``.
    """

    if TYPE_CHECKING:  # each subclass defines it; all are built from a name and a type

        def __init__(self, name: str, type: Self | None = None, **kwargs: Any) -> None: ...

    def query_parents(self) -> QuerySet[Self]:
        """All ancestors (parents, their parents, …); safe on cycles.

        Example:
            >>> child.query_parents().to_dataframe()  # doctest: +SKIP
        """
        snapshot = self._obj_view.snapshot()
        seen: set[str] = set()
        frontier: list[str] = list(getattr(self._record, "parents", ()))
        while frontier:
            nxt: list[str] = []
            for uid in frontier:
                if uid in seen or uid == self.uid:
                    continue
                seen.add(uid)
                found = snapshot.find(self._registry, uid)
                nxt.extend(getattr(found, "parents", ()))
            frontier = nxt
        return type(self).filter(uid__in=sorted(seen))

    def query_children(self) -> QuerySet[Self]:
        """All descendants (children, their children, …); safe on cycles.

        Example:
            >>> parent.query_children().count()  # doctest: +SKIP
        """
        return self._closure("parents__in")

    def _closure(self, lookup: str) -> QuerySet[Self]:
        """Every record reached by repeating ``lookup`` (``parents__in``, ``type__in``) from self."""
        cls = type(self)
        seen: set[str] = set()
        frontier = [self.uid]
        while frontier:
            found = cls.filter(**{lookup: frontier}).to_list()
            frontier = [r.uid for r in found if r.uid not in seen and r.uid != self.uid]
            seen.update(frontier)
        return cls.filter(uid__in=sorted(seen))
