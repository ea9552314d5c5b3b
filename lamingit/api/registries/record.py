"""Record: experimental entities (samples, cell lines, …), typed by records, in a hierarchy."""

from __future__ import annotations

from typing import ClassVar, cast

from lamingit._util import random_base62, utcnow_iso
from lamingit.api.core.base import Registry
from lamingit.api.core.commit import commit, new_record_fields
from lamingit.api.core.queryset import QuerySet
from lamingit.errors import InvalidArgument
from lamingit.models import RecordRecord
from lamingit.records import ChangeSet, replace


def name_key(type_uid: str | None, name: str) -> str:
    """The ``record.name`` lookup value: names are unique within one type.

    Example:
        >>> name_key(None, "Sample")
        '/Sample'
    """
    return f"{type_uid or ''}/{name}"


class LinkedRecords(QuerySet["Record"]):
    """``record.parents``: a QuerySet that can also ``add()`` / ``remove()`` links (one commit).

    Example:
        >>> child.parents.add(parent)  # doctest: +SKIP
    """

    def __init__(self, owner: Record) -> None:
        super().__init__(type(owner), None, view=owner._obj_view)
        self.q = type(owner)._build_q((), {"uid__in": list(owner._record.parents)})
        self._owner = owner

    def add(self, *others: Record) -> None:
        """Link ``others`` as parents of the owner (one commit)."""
        self._relink(others, add=True)

    def remove(self, *others: Record) -> None:
        """Unlink ``others`` from the owner's parents (one commit)."""
        self._relink(others, add=False)

    def _relink(self, others: tuple[Record, ...], add: bool) -> None:
        owner = self._owner
        if not owner._saved:
            raise InvalidArgument("save the record before linking parents: record.save()")
        uids = []
        for other in others:
            if not isinstance(other, Record) or not other._saved:
                raise InvalidArgument(f"parents must be saved ln.Record objects, got {other!r}")
            if other.uid == owner.uid:
                raise InvalidArgument(f"a record cannot be its own parent: {owner.name!r}")
            uids.append(other.uid)

        def build(changes: ChangeSet) -> None:
            current = changes.get("record", owner.uid)
            if not isinstance(current, RecordRecord):
                return
            parents = set(current.parents)
            parents = parents | set(uids) if add else parents - set(uids)
            if sorted(parents) == current.parents:
                return
            verb = "link" if add else "unlink"
            changes.put(
                replace(current, parents=sorted(parents), updated_at=utcnow_iso()),
                f"{verb} parents of record {owner.uid} ({owner.name}): {', '.join(uids)}",
            )

        repo = commit(build, owner._obj_view, "link parents")
        record = repo.snapshot().find("record", owner.uid)
        if isinstance(record, RecordRecord):
            owner._record = record
        self.q = type(owner)._build_q((), {"uid__in": list(owner._record.parents)})
        self._cache = None


class Record(Registry):
    """An entity such as a sample; ``is_type=True`` makes it a type for other records.

    Example:
        >>> sample_type = ln.Record(name="Sample", is_type=True).save()  # doctest: +SKIP
        >>> ln.Record(name="P53mutant1", type=sample_type).save()  # doctest: +SKIP
    """

    _registry: ClassVar[str] = "record"
    _struct = RecordRecord
    _uid_length: ClassVar[int] = 16
    _record: RecordRecord

    def __init__(
        self,
        name: str,
        type: Record | None = None,
        is_type: bool = False,
        description: str | None = None,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise InvalidArgument(f"Record(name=…) needs a non-empty string, got {name!r}")
        if type is not None and not (isinstance(type, Record) and type.is_type):
            raise ValueError(
                f"type= must be a Record with is_type=True, got {type!r}; "
                "create one with ln.Record(name='Sample', is_type=True).save()"
            )
        if type is not None and not type._saved:
            raise ValueError(f"save the type first: {type!r}.save()")
        self._init_record(
            RecordRecord(
                **new_record_fields(random_base62(16)),
                name=name,
                type=type.uid if type is not None else None,
                is_type=bool(is_type),
                description=description,
            )
        )

    def _stage(self, changes: ChangeSet) -> None:
        if not self._saved:
            existing = changes.lookup("record.name", name_key(self._record.type, self._record.name))
            found = changes.get("record", existing[0]) if existing else None
            if isinstance(found, RecordRecord):
                self._record = found
                return
        super()._stage(changes)

    # -- hierarchy ------------------------------------------------------------------------
    @property
    def type(self) -> Record | None:
        """The type record this record is an instance of (None for untyped records)."""
        return cast("Record | None", self._related("record", self._record.type))

    @property
    def parents(self) -> LinkedRecords:
        """Direct parents; ``record.parents.add(other)`` links one (one commit)."""
        return LinkedRecords(self)

    @property
    def children(self) -> QuerySet[Record]:
        """Records that list this record as a parent."""
        return type(self).filter(parents=self.uid)

    @property
    def records(self) -> QuerySet[Record]:
        """For a type: its direct instances (``sample_type.records``)."""
        return type(self).filter(type=self.uid)

    def query_parents(self) -> QuerySet[Record]:
        """All ancestors (parents, their parents, …); safe on cycles.

        Example:
            >>> child.query_parents().to_dataframe()  # doctest: +SKIP
        """
        snapshot = self._obj_view.snapshot()
        seen: set[str] = set()
        frontier = list(self._record.parents)
        while frontier:
            nxt: list[str] = []
            for uid in frontier:
                if uid in seen or uid == self.uid:
                    continue
                seen.add(uid)
                rec = snapshot.find("record", uid)
                if isinstance(rec, RecordRecord):
                    nxt.extend(rec.parents)
            frontier = nxt
        return type(self).filter(uid__in=sorted(seen))

    def query_children(self) -> QuerySet[Record]:
        """All descendants (children, their children, …); safe on cycles.

        Example:
            >>> parent.query_children().count()  # doctest: +SKIP
        """
        return self._closure("parents__in")

    def query_records(self) -> QuerySet[Record]:
        """For a type: every instance, including those of its sub-types, recursively.

        Example:
            >>> sample_type.query_records().to_dataframe()  # doctest: +SKIP
        """
        return self._closure("type__in")

    def _closure(self, lookup: str) -> QuerySet[Record]:
        cls = type(self)
        seen: set[str] = set()
        frontier = [self.uid]
        while frontier:
            found = cls.filter(**{lookup: frontier}).to_list()
            frontier = [r.uid for r in found if r.uid not in seen and r.uid != self.uid]
            seen.update(frontier)
        return cls.filter(uid__in=sorted(seen))


__all__ = ["LinkedRecords", "Record", "name_key"]
