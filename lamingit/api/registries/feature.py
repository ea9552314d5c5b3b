"""Feature: a typed annotation dimension (``ln.Feature(name="gc_content", dtype=float)``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from lamingit._util import random_base62
from lamingit.api.core import catalog
from lamingit.api.core.base import Registry
from lamingit.api.core.commit import new_record_fields
from lamingit.api.core.curation.synonyms import HasSynonyms, joined_synonyms
from lamingit.api.core.relations import (
    SCHEMA_MEMBERS,
    TYPED,
    Link,
    RelatedManager,
    related,
    reverse,
    reverse_one,
)
from lamingit.errors import FieldError, InvalidArgument, ValidationError
from lamingit.feature_values import (
    categorical_dtype,
    category_registry,
    category_type,
    feature_name,
    guess_dtype,
    normalize_dtype,
)
from lamingit.feature_values import coerce as coerce_value
from lamingit.models import BaseRecord, FeatureRecord, RecordRecord, ULabelRecord
from lamingit.records import ChangeSet

if TYPE_CHECKING:
    from lamingit.api.registries.schema import Schema


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
            record = dtype._record
            is_type = isinstance(record, RecordRecord | ULabelRecord) and record.is_type
            if not is_type or not dtype._saved:
                raise ValidationError(
                    f"a categorical dtype needs a saved {name} with is_type=True, got {dtype!r}"
                )
            return f"cat[{name}[{record.uid}]]"
    return normalize_dtype(dtype)


def with_cat_filters(dtype: str, cat_filters: dict[str, Any]) -> str:
    """``dtype`` restricted by LaminDB's ``cat_filters``: ``cat[Record[<type>, key=value]]``.

    Records become ``<key>__uid=<uid>`` (``type`` names the type, as ``dtype=a_type`` does);
    every key must be a lookup of the categorical's registry.

    Example:
        >>> with_cat_filters("cat[Record]", {"is_type": False})  # doctest: +SKIP
        'cat[Record[is_type=False]]'
    """
    if dtype.startswith("list[") and category_registry(dtype.removeprefix("list[")[:-1]):
        raise ValidationError(f"cat_filters are incompatible with nested dtypes: '{dtype}'")
    registry = category_registry(dtype)
    if registry is None or dtype.startswith("list["):
        raise ValidationError(
            f"cat_filters restrict a categorical dtype (ln.Record, ln.ULabel or a type of them), "
            f"not {dtype!r}"
        )
    if not isinstance(cat_filters, dict) or not cat_filters:
        raise ValidationError(f"cat_filters takes a non-empty dict, got {cat_filters!r}")
    cls = catalog.registry_class(registry)
    type_uid = category_type(dtype) or ""
    filters: dict[str, Any] = {}
    for key, value in cat_filters.items():
        record = getattr(value, "_record", None)
        if value is None or (not isinstance(value, bool) and not value):
            raise ValidationError(f"Empty value in filter {key}")
        if isinstance(value, str) and not value.strip():
            raise ValidationError(f"Empty value in filter {key}")
        if isinstance(record, BaseRecord):
            if not getattr(value, "_saved", False):
                raise ValidationError(f"save the record in cat_filters[{key!r}] first: .save()")
            key, value = ("type__uid" if key == "type" else f"{key}__uid"), record.uid
        elif not isinstance(value, bool | str):
            raise ValidationError(
                f"cat_filters[{key!r}] takes a saved record, True/False or text, got {value!r}"
            )
        if key in ("type", "type__uid"):
            if type_uid and value != type_uid:
                raise ValidationError(
                    f"Conflicting typed dtype and cat_filters type selector: dtype uses uid "
                    f"'{type_uid}', cat_filters uses uid '{value}'"
                )
            type_record = cls._view.snapshot().find(registry, str(value))
            if type_record is None or not getattr(type_record, "is_type", False):
                raise ValidationError(
                    f"cat_filters type {value!r} is not a saved {cls.__name__} with is_type=True"
                )
            type_uid = str(value)
            continue
        filters[str(key)] = value
    try:
        cls.filter(**filters)  # every key must be a lookup of the registry
    except (InvalidArgument, FieldError) as exc:
        raise ValidationError(f"cat_filters for {cls.__name__}: {exc}") from None
    return categorical_dtype(cls.__name__, type_uid, filters)


def check_feature_name(name: Any) -> str:
    """A feature name: any text a column can have, except ``__`` (the query separator).

    Example:
        >>> check_feature_name("sepal length (cm)")
        'sepal length (cm)'
    """
    if (
        not isinstance(name, str)
        or not name.strip()
        or name != name.strip()
        or "__" in name
        or len(name) > 200
        or any(ord(ch) < 32 for ch in name)
    ):
        raise InvalidArgument(
            f"Feature name {name!r} must be non-empty text without '__' (a query keyword), "
            "surrounding spaces or control characters, e.g. 'gc_content' or 'sepal length (cm)'"
        )
    return name


class Feature(Registry, HasSynonyms):
    """A feature: name and dtype. Same name and dtype → the existing feature.

    Example:
        >>> ln.Feature(name="experiment_date", dtype="date").save()  # doctest: +SKIP
    """

    _registry: ClassVar[str] = "feature"
    _struct = FeatureRecord
    _uid_length: ClassVar[int] = 12
    _links: ClassVar[dict[str, Link]] = {
        "schemas": reverse("schema", "members", "feature", fixed=SCHEMA_MEMBERS),
        "features": reverse_one("feature", "type", "feature", fixed=TYPED),
    }
    _record: FeatureRecord

    def __init__(
        self,
        name: str,
        dtype: Any = "str",
        description: str | None = None,
        *,
        is_type: bool = False,
        type: Feature | None = None,
        nullable: bool = True,
        coerce: bool = False,
        default_value: Any = None,
        synonyms: str | list[str] | None = None,
        cat_filters: dict[str, Any] | None = None,
    ) -> None:
        name = check_feature_name(feature_name(name))
        if type is not None and not (
            getattr(type._record, "is_type", False) and type._saved  # a saved feature type
        ):
            raise ValidationError(
                f"type= must be a saved Feature with is_type=True, got {type!r}; create one with "
                "ln.Feature(name='Treatment', is_type=True).save()"
            )
        stored = "str" if is_type and dtype == "str" else dtype_string(dtype)
        if cat_filters is not None:
            stored = with_cat_filters(stored, cat_filters)
        if default_value is not None:
            default_value = coerce_value(name, stored, default_value)
        self._init_record(
            FeatureRecord(
                **new_record_fields(random_base62(12)),
                name=name,
                dtype=stored,
                description=description,
                is_type=bool(is_type),
                type=type.uid if type is not None else None,
                nullable=bool(nullable),
                coerce=bool(coerce),
                default_value=default_value,
                synonyms=joined_synonyms(synonyms),
            )
        )

    @property
    def schemas(self) -> RelatedManager[Schema]:
        """The schemas that list this feature (read-only: a schema's features define it).

        Example:
            >>> ln.Feature.get(name="perturbation").schemas.count()  # doctest: +SKIP
        """
        return related(self, "schemas")

    @property
    def type(self) -> Feature | None:
        """The feature type this feature belongs to (None if it has none)."""
        return cast("Feature | None", self._related("feature", self._record.type))

    @classmethod
    def from_dataframe(cls, df: Any) -> list[Feature]:
        """Unsaved features for a DataFrame's columns, dtypes inferred (``ln.save(...)`` them).

        Example:
            >>> ln.save(ln.Feature.from_dataframe(df))  # doctest: +SKIP
        """
        from pandas.api import types as pt

        out = []
        for column in df.columns:
            kind = df[column].dtype
            if pt.is_bool_dtype(kind):
                dtype = "bool"
            elif pt.is_integer_dtype(kind):
                dtype = "int"
            elif pt.is_float_dtype(kind):
                dtype = "float"
            elif pt.is_datetime64_any_dtype(kind):
                dtype = "datetime"
            else:
                values = df[column].dropna().tolist()
                dtype = guess_dtype(values[0]) if values else "str"
            out.append(cls(name=str(column), dtype=dtype))
        return out

    from_df = from_dataframe

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> list[Feature]:
        """Unsaved features for a dict's keys, dtypes guessed from the values.

        Example:
            >>> ln.save(ln.Feature.from_dict({"temperature": 21.5, "site": "A"}))  # doctest: +SKIP
        """
        if not isinstance(values, dict):
            raise InvalidArgument(f"Feature.from_dict() takes a dict, got {values!r}")
        return [
            cls(name=str(k), dtype=guess_dtype(v) if v is not None else "str")
            for k, v in values.items()
        ]

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


__all__ = ["Feature", "dtype_string", "with_cat_filters"]
