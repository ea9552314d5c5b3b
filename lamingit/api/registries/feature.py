"""Feature: a typed annotation dimension (``ln.Feature(name="gc_content", dtype=float)``)."""

from __future__ import annotations

from typing import Any, ClassVar

from lamingit._util import random_base62
from lamingit.api.core import catalog
from lamingit.api.core.base import Registry
from lamingit.api.core.commit import new_record_fields
from lamingit.errors import InvalidArgument, ValidationError
from lamingit.feature_values import normalize_dtype
from lamingit.models import FeatureRecord
from lamingit.records import ChangeSet


def dtype_string(dtype: Any) -> str:
    """The stored dtype of a spelling: names, Python types, ``ln.Record`` / ``ln.ULabel`` or a type.

    Example:
        >>> dtype_string(float)
        'float'
    """
    for registry, name in (("record", "Record"), ("ulabel", "ULabel")):
        cls = catalog.registry_class(registry)
        if dtype is cls:
            return f"cat[{name}]"
        if isinstance(dtype, cls):
            if not dtype.is_type or not dtype._saved:  # type: ignore[attr-defined]
                raise ValidationError(
                    f"a categorical dtype needs a saved {name} with is_type=True, got {dtype!r}"
                )
            return f"cat[{name}[{dtype.uid}]]"  # type: ignore[attr-defined]
    return normalize_dtype(dtype)


class Feature(Registry):
    """A feature: name and dtype. Same name and dtype → the existing feature.

    Example:
        >>> ln.Feature(name="experiment_date", dtype="date").save()  # doctest: +SKIP
    """

    _registry: ClassVar[str] = "feature"
    _struct = FeatureRecord
    _uid_length: ClassVar[int] = 12
    _record: FeatureRecord

    def __init__(self, name: str, dtype: Any = "str", description: str | None = None) -> None:
        if not isinstance(name, str) or not name.isidentifier() or "__" in name:
            raise InvalidArgument(
                f"Feature name {name!r} must be an identifier without '__' (a query keyword), "
                "e.g. 'gc_content'"
            )
        self._init_record(
            FeatureRecord(
                **new_record_fields(random_base62(12)),
                name=name,
                dtype=dtype_string(dtype),
                description=description,
            )
        )

    def _stage(self, changes: ChangeSet) -> None:
        if not self._saved:
            existing = changes.lookup("feature.name", self._record.name)
            found = changes.get("feature", existing[0]) if existing else None
            if isinstance(found, FeatureRecord):
                if found.dtype != self._record.dtype:
                    raise ValidationError(
                        f"feature {found.name!r} already exists with dtype {found.dtype!r}, not "
                        f"{self._record.dtype!r}; use ln.Feature.get(name={found.name!r}) "
                        "or choose another name"
                    )
                self._record = found
                return
        super()._stage(changes)

    @classmethod
    def _get_fast(cls, fields: dict[str, Any]) -> Feature | None:
        if set(fields) == {"name"} and isinstance(fields["name"], str):
            return cls._from_lookup("feature.name", fields["name"])
        return None


__all__ = ["Feature", "dtype_string"]
