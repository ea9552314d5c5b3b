"""Schema: the features a dataset must have, their rules, and component schemas (slots)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, TypedDict, cast

import msgspec

from lamingit._log import logger
from lamingit._util import random_base62, utcnow_iso
from lamingit.api.core.base import Registry
from lamingit.api.core.commit import commit, new_record_fields
from lamingit.api.core.queryset import QuerySet
from lamingit.api.core.relations import (
    SCHEMA_MEMBERS,
    VALIDATED,
    Link,
    RelatedManager,
    forward,
    related,
    reverse_one,
)
from lamingit.errors import InvalidArgument, ValidationError
from lamingit.models import SchemaRecord
from lamingit.records import ChangeSet, replace
from lamingit.storage.hashing import hash_bytes

if TYPE_CHECKING:
    from lamingit.api.registries.artifact import Artifact
    from lamingit.api.registries.feature import Feature

OTYPES = ("DataFrame", "AnnData")
SLOTS = ("obs", "var", "var.T")


class _Definition(TypedDict):
    """The fields of a schema its hash covers (the same definition is the same schema)."""

    members: list[str]
    itype: str | None
    otype: str | None
    minimal_set: bool
    maximal_set: bool
    ordered_set: bool
    coerce_dtype: bool
    index: str | None
    slots: dict[str, str]


def _saved(obj: Any, registry: str, what: str) -> str:
    if getattr(type(obj), "_registry", None) != registry or not obj._saved:
        example = (
            "ln.Feature(name='x', dtype=float).save()" if registry == "feature" else "….save()"
        )
        raise InvalidArgument(
            f"{what} takes saved ln.{registry.capitalize()} objects, got {obj!r}; e.g. {example}"
        )
    return str(obj.uid)


def _itype(itype: Any) -> str | None:
    if itype is None:
        return None
    name = itype if isinstance(itype, str) else getattr(itype, "__name__", repr(itype))
    if name != "Feature":
        raise InvalidArgument(
            f"itype={itype!r} is not supported; use itype=ln.Feature (columns are validated "
            "as features) or list the features: ln.Schema(features=[...])"
        )
    return "Feature"


class Schema(Registry):
    """What a dataset must contain: features (columns) with dtypes, and rules.

    ``minimal_set`` (default): every listed feature must be present; ``maximal_set``: no other
    column may be; ``ordered_set``: columns in the listed order; ``coerce_dtype``: cast columns
    to their feature's dtype; ``index``: a feature the DataFrame's index must satisfy;
    ``slots``: component schemas of an AnnData (``"obs"``, ``"var"``, ``"var.T"``).
    The same definition saved twice returns the existing schema.

    Example:
        >>> schema = ln.Schema(name="experiment", features=[perturbation, concentration]).save()  # doctest: +SKIP
        >>> ln.Artifact.from_dataframe(df, key="x.parquet", schema=schema).save()  # doctest: +SKIP
    """

    _registry: ClassVar[str] = "schema"
    _struct = SchemaRecord
    _links: ClassVar[dict[str, Link]] = {
        "members": forward("schema", "members", "feature", fixed=SCHEMA_MEMBERS),
        "validated_artifacts": reverse_one("artifact", "schema", "schema", fixed=VALIDATED),
        "artifacts": reverse_one("artifact", "schema", "schema", fixed=VALIDATED),
    }
    _uid_length: ClassVar[int] = 16
    _record: SchemaRecord

    def __init__(
        self,
        features: list[Any] | None = None,
        index: Any = None,
        slots: dict[str, Schema] | None = None,
        name: str | None = None,
        description: str | None = None,
        itype: Any = None,
        otype: str | None = None,
        minimal_set: bool = True,
        maximal_set: bool = False,
        ordered_set: bool = False,
        coerce_dtype: bool = False,
        *,
        components: dict[str, Schema] | None = None,
    ) -> None:
        slots = slots if slots is not None else components
        members = [_saved(f, "feature", "Schema(features=…)") for f in features or []]
        if len(set(members)) != len(members):
            raise InvalidArgument("Schema(features=…) lists a feature twice; list each once")
        if otype is not None and otype not in OTYPES:
            raise InvalidArgument(f"otype={otype!r}: use one of {', '.join(OTYPES)}")
        slot_uids: dict[str, str] = {}
        for slot, component in (slots or {}).items():
            if slot not in SLOTS:
                raise InvalidArgument(f"slot {slot!r} is not supported; use {', '.join(SLOTS)}")
            slot_uids[slot] = _saved(component, "schema", f"Schema(slots={{{slot!r}: …}})")
        itype_name = _itype(itype)
        if not members and itype_name is None and not slot_uids:
            raise InvalidArgument(
                "a Schema needs features=[...], itype=ln.Feature (any column named like a "
                "feature) or slots={'obs': ...}"
            )
        if slot_uids and otype is None:
            otype = "AnnData"
        definition: _Definition = {
            "members": members,
            "itype": itype_name or ("Feature" if members else None),
            "otype": otype,
            "minimal_set": bool(minimal_set),
            "maximal_set": bool(maximal_set),
            "ordered_set": bool(ordered_set),
            "coerce_dtype": bool(coerce_dtype),
            "index": _saved(index, "feature", "Schema(index=…)") if index is not None else None,
            "slots": dict(sorted(slot_uids.items())),
        }
        digest = hash_bytes(msgspec.json.encode(definition, order="sorted"))
        self._init_record(
            SchemaRecord(
                **new_record_fields(random_base62(16)),
                name=name,
                description=description,
                hash=digest,
                **definition,
            )
        )

    @classmethod
    def _settable(cls) -> frozenset[str]:
        # The definition is fixed by the hash: a changed rule is a new schema.
        return frozenset({"name", "description"})

    def _stage(self, changes: ChangeSet) -> None:
        if not self._saved:
            same = changes.lookup("schema.hash", self._record.hash)
            found = changes.get("schema", same[0]) if same else None
            if isinstance(found, SchemaRecord):
                logger.info(
                    f"returning existing schema with same hash: {found.name or found.uid!r}"
                )
                self._record = found
                return
            if self._record.name:
                taken = changes.lookup("schema.name", self._record.name)
                if taken:
                    raise ValidationError(
                        f"a different schema is already named {self._record.name!r}; choose "
                        f"another name or use ln.Schema.get(name={self._record.name!r})"
                    )
        super()._stage(changes)

    @classmethod
    def _get_fast(cls, fields: dict[str, Any]) -> Schema | None:
        if set(fields) == {"name"} and isinstance(fields["name"], str):
            return cls._from_lookup("schema.name", fields["name"])
        return None

    # -- related --------------------------------------------------------------------------
    @property
    def features(self) -> QuerySet[Feature]:
        """The member features (``schema.members`` keeps their order).

        Example:
            >>> [f.name for f in schema.features]  # doctest: +SKIP
        """
        return self._registry_filter("feature", uid__in=list(self._record.members))

    @property
    def members(self) -> list[Feature]:
        """The member features in the schema's order.

        Example:
            >>> [f.name for f in schema.members]  # doctest: +SKIP
        """
        return [cast("Feature", self._related("feature", uid)) for uid in self._record.members]

    @property
    def index(self) -> Feature | None:
        """The feature the DataFrame index must satisfy, or None."""
        return cast("Feature | None", self._related("feature", self._record.index))

    @property
    def slots(self) -> dict[str, Schema]:
        """Component schemas by slot (``schema.slots["obs"]``)."""
        return {
            slot: cast("Schema", self._related("schema", uid))
            for slot, uid in self._record.slots.items()
        }

    @property
    def validated_artifacts(self) -> RelatedManager[Artifact]:
        """Artifacts validated against this schema (``ln.Artifact.filter(schema=schema)``).

        Example:
            >>> schema.validated_artifacts.count()  # doctest: +SKIP
        """
        return related(self, "validated_artifacts")

    artifacts = validated_artifacts

    # -- trash ----------------------------------------------------------------------------
    def delete(self, permanent: bool = False) -> None:
        """Move to the trash (``restore()`` undoes it); ``permanent`` only if nothing uses it.

        Example:
            >>> ln.Schema.get(name="old").delete()  # doctest: +SKIP
        """
        uid = self.uid
        if permanent:
            users = self._registry_filter("artifact", schema=uid).count()
            if users:
                raise ValidationError(
                    f"{users} artifact(s) were validated against schema {self._label().strip()}; "
                    "move it to the trash instead: schema.delete()"
                )

        def build(changes: ChangeSet) -> None:
            current = changes.get("schema", uid)
            if current is None:
                return
            if permanent:
                changes.remove("schema", uid, f"delete schema {uid}{self._label()} permanently")
            else:
                changes.put(
                    replace(current, trashed=True, updated_at=utcnow_iso()),
                    f"move schema {uid}{self._label()} to the trash",
                )

        repo = commit(build, self._obj_view, "delete")
        record = repo.snapshot().find("schema", uid)
        if isinstance(record, SchemaRecord):
            self._record = record

    def restore(self) -> None:
        """Bring a schema back from the trash.

        Example:
            >>> ln.Schema.filter(trashed=True).first().restore()  # doctest: +SKIP
        """
        uid = self.uid

        def build(changes: ChangeSet) -> None:
            current = changes.get("schema", uid)
            if isinstance(current, SchemaRecord) and current.trashed:
                changes.put(
                    replace(current, trashed=False, updated_at=utcnow_iso()),
                    f"restore schema {uid}{self._label()}",
                )

        repo = commit(build, self._obj_view, "restore")
        record = repo.snapshot().find("schema", uid)
        if isinstance(record, SchemaRecord):
            self._record = record


__all__ = ["Schema"]
