"""Record: experimental entities (samples, cell lines, …), typed by records, in a hierarchy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from lamingit._util import random_base62
from lamingit.api.core.base import HasFeatures
from lamingit.api.core.commit import new_record_fields
from lamingit.api.core.features import validate_values
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
from lamingit.errors import InvalidArgument
from lamingit.models import RecordRecord
from lamingit.records import ChangeSet, replace

if TYPE_CHECKING:
    from lamingit.api.registries.artifact import Artifact
    from lamingit.api.registries.collection import Collection
    from lamingit.api.registries.project import Project


def name_key(type_uid: str | None, name: str) -> str:
    """The ``record.name`` lookup value: names are unique within one type.

    Example:
        >>> name_key(None, "Sample")
        '/Sample'
    """
    return f"{type_uid or ''}/{name}"


class Record(HasHierarchy, HasFeatures):
    """An entity such as a sample; ``is_type=True`` makes it a type for other records.

    Example:
        >>> sample_type = ln.Record(name="Sample", is_type=True).save()  # doctest: +SKIP
        >>> ln.Record(name="P53mutant1", type=sample_type).save()  # doctest: +SKIP
    """

    _registry: ClassVar[str] = "record"
    _struct = RecordRecord
    _links: ClassVar[dict[str, Link]] = {
        "parents": forward("record", "parents", "record", no_self=True),
        "children": reverse("record", "parents", "record", no_self=True),
        "projects": forward("record", "projects", "project"),
        "artifacts": reverse("artifact", "records", "record"),
        "collections": reverse("collection", "records", "record"),
        "records": reverse_one("record", "type", "record", fixed=TYPED),
    }
    _uid_length: ClassVar[int] = 16
    _record: RecordRecord

    def __init__(
        self,
        name: str,
        type: Record | None = None,
        is_type: bool = False,
        description: str | None = None,
        features: dict[str, Any] | None = None,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise InvalidArgument(f"Record(name=…) needs a non-empty string, got {name!r}")
        if features is not None and not isinstance(features, dict):
            raise InvalidArgument(f"features= takes a dict of feature values, got {features!r}")
        self._pending_features = dict(features or {})
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

    def _post_load(self) -> None:
        object.__setattr__(self, "_pending_features", {})

    def _stage(self, changes: ChangeSet) -> None:
        if not self._saved:
            existing = changes.lookup("record.name", name_key(self._record.type, self._record.name))
            found = changes.get("record", existing[0]) if existing else None
            if isinstance(found, RecordRecord):
                self._record = found
                return
            if self._pending_features:  # validated in this commit: nothing is written if one fails
                stored, _ = validate_values(changes, self._pending_features)
                self._record = replace(self._record, features=dict(sorted(stored.items())))
        super()._stage(changes)

    @classmethod
    def from_dataframe(cls, df: Any, type: Record | None = None) -> list[Record]:
        """Unsaved records, one per row: named by a ``name`` column (else the index), the other
        columns as feature values (each column must be a saved feature). ``ln.save()`` them.

        Example:
            >>> ln.save(ln.Record.from_dataframe(samples_df, type=sample_type))  # doctest: +SKIP
        """
        import pandas as pd

        if not isinstance(df, pd.DataFrame):
            raise InvalidArgument(f"Record.from_dataframe() takes a DataFrame, got {df!r}")
        names = df["name"] if "name" in df.columns else pd.Series(df.index, index=df.index)
        columns = [c for c in df.columns if c != "name"]
        records = []
        for (_, row), name in zip(df[columns].iterrows(), names, strict=True):
            values = {str(c): _plain(v) for c, v in row.items() if not _missing(v)}
            records.append(cls(name=str(name), type=type, features=values))
        return records

    from_df = from_dataframe

    # -- hierarchy ------------------------------------------------------------------------
    @property
    def type(self) -> Record | None:
        """The type record this record is an instance of (None for untyped records)."""
        return cast("Record | None", self._related("record", self._record.type))

    @property
    def parents(self) -> RelatedManager[Record]:
        """Direct parents; ``record.parents.add(other)`` links one (one commit).

        Example:
            >>> child.parents.add(parent)  # doctest: +SKIP
        """
        return related(self, "parents")

    @property
    def children(self) -> RelatedManager[Record]:
        """Records that list this record as a parent; ``.add(child)`` links one.

        Example:
            >>> [c.name for c in parent.children]  # doctest: +SKIP
        """
        return related(self, "children")

    @property
    def projects(self) -> RelatedManager[Project]:
        """Projects this record belongs to; ``record.projects.add(project)`` links one.

        Example:
            >>> sample.projects.add(project)  # doctest: +SKIP
        """
        return related(self, "projects")

    @property
    def artifacts(self) -> RelatedManager[Artifact]:
        """Artifacts labeled with this record; ``record.artifacts.add(artifact)`` links one.

        Example:
            >>> ln.Record.get(name="P53mutant1").artifacts.to_dataframe()  # doctest: +SKIP
        """
        return related(self, "artifacts")

    @property
    def collections(self) -> RelatedManager[Collection]:
        """Collections labeled with this record; ``record.collections.add(c)`` links one.

        Example:
            >>> sample.collections.count()  # doctest: +SKIP
        """
        return related(self, "collections")

    @property
    def records(self) -> QuerySet[Record]:
        """For a type: its direct instances (``sample_type.records``)."""
        return type(self).filter(type=self.uid)

    def query_records(self) -> QuerySet[Record]:
        """For a type: every instance, including those of its sub-types, recursively.

        Example:
            >>> sample_type.query_records().to_dataframe()  # doctest: +SKIP
        """
        return self._closure("type__in")


def _missing(value: Any) -> bool:
    try:
        return bool(value is None or (value != value))  # NaN is the one value unequal to itself
    except (TypeError, ValueError):
        return False


def _plain(value: Any) -> Any:
    """numpy scalars → Python values (feature values are JSON-like)."""
    return value.item() if hasattr(value, "item") and not isinstance(value, list | dict) else value


__all__ = ["Record", "name_key"]
