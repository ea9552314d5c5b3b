"""ULabel: LaminDB's free-text labels, typed by labels, in a hierarchy; trash and restore."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from lamingit._log import logger
from lamingit._util import random_base62, utcnow_iso
from lamingit.api.core.commit import commit, new_record_fields
from lamingit.api.core.hierarchy import HasHierarchy
from lamingit.api.core.queryset import QuerySet
from lamingit.api.core.relations import (
    TYPED,
    Link,
    RelatedManager,
    forward,
    related,
    reverse,
    reverse_one,
)
from lamingit.errors import InvalidArgument, ValidationError
from lamingit.models import ULabelRecord
from lamingit.query import Q
from lamingit.records import ChangeSet, replace
from lamingit.router import select

if TYPE_CHECKING:
    from lamingit.api.registries.artifact import Artifact
    from lamingit.api.registries.collection import Collection
    from lamingit.api.registries.project import Project

LOOKUP = "ulabel.name"


def label_key(type_uid: str | None, name: str) -> str:
    """The ``ulabel.name`` lookup value: names are unique within one type.

    Example:
        >>> label_key(None, "Experiment 1")
        '/Experiment 1'
    """
    return f"{type_uid or ''}/{name}"


class ULabel(HasHierarchy):
    """A label such as an experiment, a treatment or a disease; ``is_type=True`` makes a type.

    Saving a label whose name already exists within the same type returns the existing one.

    Example:
        >>> experiment_type = ln.ULabel(name="Experiment", is_type=True).save()  # doctest: +SKIP
        >>> ln.ULabel(name="Experiment 1", type=experiment_type).save()  # doctest: +SKIP
    """

    _registry: ClassVar[str] = "ulabel"
    _struct = ULabelRecord
    _links: ClassVar[dict[str, Link]] = {
        "artifacts": reverse("artifact", "ulabels", "ulabel"),
        "parents": forward("ulabel", "parents", "ulabel", no_self=True),
        "children": reverse("ulabel", "parents", "ulabel", no_self=True),
        "projects": forward("ulabel", "projects", "project"),
        "collections": reverse("collection", "ulabels", "ulabel"),
        "ulabels": reverse_one("ulabel", "type", "ulabel", fixed=TYPED),
    }
    _uid_length: ClassVar[int] = 8
    _record: ULabelRecord

    def __init__(
        self,
        name: str,
        type: ULabel | None = None,
        is_type: bool = False,
        description: str | None = None,
        reference: str | None = None,
        reference_type: str | None = None,
    ) -> None:
        if not isinstance(name, str) or not name.strip():
            raise InvalidArgument(f"ULabel(name=…) needs a non-empty string, got {name!r}")
        if type is not None and not (isinstance(type, ULabel) and type.is_type):
            raise ValidationError(
                f"type= must be a ULabel with is_type=True, got {type!r}; "
                "create one with ln.ULabel(name='Experiment', is_type=True).save()"
            )
        if type is not None and not type._saved:
            raise InvalidArgument(f"save the type first: {type!r}.save()")
        self._init_record(
            ULabelRecord(
                **new_record_fields(random_base62(8)),
                name=name,
                type=type.uid if type is not None else None,
                is_type=bool(is_type),
                description=description,
                reference=reference,
                reference_type=reference_type,
            )
        )

    def _stage(self, changes: ChangeSet) -> None:
        if not self._saved:
            existing = changes.lookup(LOOKUP, label_key(self._record.type, self._record.name))
            found = changes.get("ulabel", existing[0]) if existing else None
            if isinstance(found, ULabelRecord):
                logger.info(f"returning existing ULabel record with same name: {found.name!r}")
                self._record = found
                return
        super()._stage(changes)

    @classmethod
    def _get_fast(cls, fields: dict[str, Any]) -> ULabel | None:
        if set(fields) == {"name"} and isinstance(fields["name"], str):
            return cls._from_lookup(LOOKUP, label_key(None, fields["name"]))
        return None

    # -- hierarchy ------------------------------------------------------------------------
    @property
    def type(self) -> ULabel | None:
        """The type label this label is an instance of (None for untyped labels)."""
        return cast("ULabel | None", self._related("ulabel", self._record.type))

    @property
    def ulabels(self) -> QuerySet[ULabel]:
        """For a type: its direct instances (``experiment_type.ulabels``)."""
        return type(self).filter(type=self.uid)

    @property
    def parents(self) -> RelatedManager[ULabel]:
        """Direct parents; ``label.parents.add(other)`` links one (one commit)."""
        return related(self, "parents")

    @property
    def children(self) -> RelatedManager[ULabel]:
        """Labels that list this label as a parent; ``.add(other)`` links one."""
        return related(self, "children")

    @property
    def artifacts(self) -> RelatedManager[Artifact]:
        """Artifacts labeled with this label (``ln.Artifact.filter(ulabels=label)``).

        Example:
            >>> ln.ULabel.get(name="DMSO").artifacts.to_dataframe()  # doctest: +SKIP
        """
        return related(self, "artifacts")

    @property
    def collections(self) -> RelatedManager[Collection]:
        """Collections labeled with this label."""
        return related(self, "collections")

    @property
    def projects(self) -> RelatedManager[Project]:
        """Projects this label belongs to."""
        return related(self, "projects")

    def query_ulabels(self) -> QuerySet[ULabel]:
        """For a type: every instance, including those of its sub-types, recursively.

        Example:
            >>> experiment_type.query_ulabels().to_list()  # doctest: +SKIP
        """
        return self._closure("type__in")

    def delete(self, permanent: bool = False) -> None:
        """Move to the trash (``restore()`` undoes it), or remove for good with ``permanent``.

        A permanent delete also unlinks the label from every artifact and collection and from
        the labels that list it as a parent, in the same commit.

        Example:
            >>> ln.ULabel.get(name="Experiment 1").delete()  # doctest: +SKIP
        """
        uid = self.uid

        def build(changes: ChangeSet) -> None:
            current = changes.get("ulabel", uid)
            if current is None:
                return
            if not permanent:
                changes.put(
                    replace(current, trashed=True, updated_at=utcnow_iso()),
                    f"move ulabel {uid}{self._label()} to the trash",
                )
                return
            for registry, field, holder in _holders(changes, uid):
                record = changes.get(registry, holder)
                if record is not None and uid in getattr(record, field):
                    kept = [u for u in getattr(record, field) if u != uid]
                    changes.put(replace(record, **{field: kept}, updated_at=utcnow_iso()))
            changes.remove("ulabel", uid, f"delete ulabel {uid}{self._label()} permanently")

        repo = commit(build, self._obj_view, "delete")
        record = repo.snapshot().find("ulabel", uid)
        if isinstance(record, ULabelRecord):
            self._record = record

    def restore(self) -> None:
        """Bring a label back from the trash (refused if its name was taken meanwhile).

        Example:
            >>> ln.ULabel.filter(trashed=True).first().restore()  # doctest: +SKIP
        """
        uid = self.uid

        def build(changes: ChangeSet) -> None:
            current = changes.get("ulabel", uid)
            if not isinstance(current, ULabelRecord) or not current.trashed:
                return
            if changes.lookup(LOOKUP, label_key(current.type, current.name)):
                raise ValidationError(
                    f"a ULabel named {current.name!r} exists again; rename one before restoring"
                )
            changes.put(
                replace(current, trashed=False, updated_at=utcnow_iso()),
                f"restore ulabel {uid}{self._label()}",
            )

        repo = commit(build, self._obj_view, "restore")
        record = repo.snapshot().find("ulabel", uid)
        if isinstance(record, ULabelRecord):
            self._record = record


def _holders(changes: ChangeSet, uid: str) -> list[tuple[str, str, str]]:
    """Every (registry, field, uid) whose list names label ``uid`` (found through the index)."""
    out: list[tuple[str, str, str]] = []
    for registry, field in (
        ("artifact", "ulabels"),
        ("collection", "ulabels"),
        ("ulabel", "parents"),
    ):
        found = select(changes.snapshot, registry, Q(**{field: uid}))
        out.extend((registry, field, r.uid) for r in found)
    return out


__all__ = ["ULabel", "label_key"]
