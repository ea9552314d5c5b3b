"""Versioned registries (LaminDB's ``IsVersioned``): a uid is a family stem plus a counter.

Artifacts, transforms and the transforms of tracked scripts share these rules: the first
version's counter is ``0000``, each new version takes the family's highest counter + 1, and
exactly one version not in the trash is ``is_latest`` (the newest, unless one is named).
"""

from __future__ import annotations

from typing import Any, TypeVar

from lamingit._util import decode_counter, encode_counter, random_base62
from lamingit.api.core.base import Registry
from lamingit.api.core.queryset import QuerySet
from lamingit.models import BaseRecord
from lamingit.records import ChangeSet, replace

COUNTER_WIDTH = 4
"""Base62 characters after the stem: 62**4 versions per family."""

V = TypeVar("V", bound="IsVersioned")


class IsVersioned(Registry):
    """A registry whose records come in version families sharing a uid stem.

    The struct declares ``stem_length`` (the uid is ``stem_length + 4`` characters; ``Registry``
    copies it to ``_stem_length``) and has ``version`` and ``is_latest`` fields.

    Example:
        >>> [a.version for a in ln.Artifact.get(key="sample.fasta").versions]  # doctest: +SKIP
        ['2', '1']
    """

    @property
    def stem_uid(self) -> str:
        """The uid stem shared by all versions of this record."""
        return self._record.uid[: self._stem_length]

    @property
    def versions(self: V) -> QuerySet[V]:
        """All versions of this record's family, newest first."""
        return type(self).filter(uid__startswith=self.stem_uid).order_by("-uid")

    @property
    def version_tag(self) -> str | None:
        """LaminDB's name for ``version``; ``filter(version_tag=…)`` works too."""
        tag: str | None = getattr(self._record, "version", None)
        return tag

    @classmethod
    def _build_q(cls, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        # LaminDB 1.x calls the field version_tag and keeps version as its alias.
        renamed = {
            ("version" + k[len("version_tag") :] if k.split("__")[0] == "version_tag" else k): v
            for k, v in kwargs.items()
        }
        return super()._build_q(args, renamed)

    @classmethod
    def _first_uid(cls) -> str:
        """A uid for a record that starts a new family (stem checked free when staged)."""
        return random_base62(cls._stem_length) + encode_counter(0, COUNTER_WIDTH)


def family(changes: ChangeSet, registry: str, stem: str) -> list[BaseRecord]:
    """The records of family ``stem`` of ``registry`` as this transaction sees them.

    Example:
        >>> [r.uid for r in family(changes, "transform", "1LCd8kco9lZU")]  # doctest: +SKIP
        ['1LCd8kco9lZU0000', '1LCd8kco9lZU0001']
    """
    records = [changes.get(registry, uid) for uid in changes.uids_with_prefix(registry, stem)]
    return [r for r in records if r is not None]


def next_version_uid(changes: ChangeSet, registry: str, stem: str) -> tuple[str, int]:
    """The uid of a new version in family ``stem`` and its counter (0 for a new family).

    Example:
        >>> next_version_uid(changes, "artifact", artifact.stem_uid)  # doctest: +SKIP
        ('AbCdEfGhIjKlMnOp0002', 2)
    """
    uids = changes.uids_with_prefix(registry, stem)
    counter = max((decode_counter(u[len(stem) :]) for u in uids), default=-1) + 1
    return stem + encode_counter(counter, COUNTER_WIDTH), counter


def free_stem(changes: ChangeSet, registry: str, stem: str) -> str:
    """``stem`` if no record of ``registry`` uses it yet, else a fresh random one.

    Example:
        >>> free_stem(changes, "artifact", record.uid[:16])  # doctest: +SKIP
        'AbCdEfGhIjKlMnOp'
    """
    while changes.uids_with_prefix(registry, stem):
        stem = random_base62(len(stem))
    return stem


def elect_latest(changes: ChangeSet, registry: str, stem: str, winner: str | None = None) -> None:
    """Make exactly one version of family ``stem`` latest: ``winner``, else the newest one
    not in the trash (none if all are trashed).

    Example:
        >>> elect_latest(changes, "artifact", artifact.stem_uid)  # doctest: +SKIP
    """
    records = family(changes, registry, stem)
    if winner is None:
        alive = [r for r in records if not getattr(r, "trashed", False)]
        newest = max(alive, key=lambda r: decode_counter(r.uid[len(stem) :]), default=None)
        winner = newest.uid if newest is not None else None
    for record in records:
        should = record.uid == winner
        if getattr(record, "is_latest", None) != should:
            changes.put(replace(record, is_latest=should))


__all__ = [
    "COUNTER_WIDTH",
    "IsVersioned",
    "elect_latest",
    "family",
    "free_stem",
    "next_version_uid",
]
