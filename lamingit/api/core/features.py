"""``obj.features``: add, read, replace and remove validated feature values (one commit each)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from lamingit._util import utcnow_iso
from lamingit.api.core import catalog
from lamingit.api.core.commit import commit
from lamingit.api.core.queryset import normalize_value
from lamingit.errors import InvalidArgument, ValidationError
from lamingit.feature_values import (
    category_filters,
    category_registry,
    category_type,
    coerce,
    decode_value,
    feature_name,
    guess_dtype,
)
from lamingit.models import ArtifactRecord, BaseRecord, FeatureRecord
from lamingit.query import Q
from lamingit.query.evaluate import matches
from lamingit.records import ChangeSet, replace

if TYPE_CHECKING:
    from lamingit.api.core.base import Registry


def _feature(changes: ChangeSet, name: str, value: Any) -> FeatureRecord:
    uids = changes.lookup("feature.name", name)
    found = changes.get("feature", uids[0]) if uids else None
    if not isinstance(found, FeatureRecord):
        dtype = guess_dtype(value) if value is not None else "str"
        raise ValidationError(
            f"feature {name!r} does not exist; create it first: "
            f"ln.Feature(name={name!r}, dtype={dtype!r}).save()"
        )
    return found


def _category(changes: ChangeSet, feature: FeatureRecord, value: Any) -> list[str]:
    """``registry:uid`` of the records or labels a categorical value names (each must exist)."""
    type_uid = category_type(feature.dtype)
    registry = category_registry(feature.dtype) or "record"
    cls = "ULabel" if registry == "ulabel" else "Record"
    names = value if isinstance(value, list) else [value]
    uids = []
    for name in names:
        found = changes.lookup(f"{registry}.name", f"{type_uid or ''}/{name}")
        if not found:
            where = f"of type {type_uid}" if type_uid else "without a type"
            raise ValidationError(
                f"feature {feature.name!r} has dtype {feature.dtype!r}, but there is no {registry} "
                f"{name!r} {where}; create it with ln.{cls}(name={name!r}, type=...).save()"
            )
        filters = category_filters(feature.dtype)
        record = changes.get(registry, found[0])
        if filters and (record is None or not matches(record, Q(**filters), _Found(changes))):
            shown = ", ".join(f"{k}={v!r}" for k, v in filters.items())
            raise ValidationError(
                f"feature {feature.name!r} takes only {cls} records with {shown} "
                f"(its cat_filters), and {name!r} is not one; pick another {cls}"
            )
        uids.append(f"{registry}:{found[0]}")
    return uids


class _Found:
    """The records of a transaction as a query resolver (``find``), pending ones included."""

    def __init__(self, changes: ChangeSet) -> None:
        self._changes = changes

    def find(self, registry: str, uid: str) -> BaseRecord | None:
        return self._changes.get(registry, uid)


def validate_values(changes: ChangeSet, values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Coerce every value against its feature; the stored values and linked record uids.

    Raises before anything is written if any value fails.

    Example:
        >>> validate_values(changes, {"gc_content": 0.55})  # doctest: +SKIP
        ({'gc_content': 0.55}, [])
    """
    stored: dict[str, Any] = {}
    labels: list[str] = []
    for raw_name, raw in values.items():
        name = feature_name(raw_name)
        record = getattr(raw, "_record", None)
        if isinstance(record, BaseRecord) and hasattr(record, "name"):
            raw = record.name  # a Record given for a categorical feature
        elif not isinstance(raw, dict | list | tuple):
            raw = raw if _is_date(raw) else normalize_value(raw)
        feature = _feature(changes, name, raw)
        value = coerce(name, feature.dtype, raw)
        if value is not None and category_type(feature.dtype) is not None:
            labels.extend(_category(changes, feature, value))
        stored[name] = value
    return stored, labels


def _is_date(value: Any) -> bool:
    from datetime import date

    return isinstance(value, date)


class FeatureManager:
    """The feature values of one Artifact, Run or Record.

    Example:
        >>> artifact.features.add_values({"gc_content": 0.55})  # doctest: +SKIP
        >>> artifact.features["gc_content"]  # doctest: +SKIP
        0.55
    """

    def __init__(self, owner: Registry) -> None:
        self._owner = owner

    # -- reading ----------------------------------------------------------------------------
    def _dtypes(self) -> dict[str, str]:
        snapshot = self._owner._obj_view.snapshot()
        out = {}
        for name in self._stored():
            uids = snapshot.lookup("feature.name", name)
            rec = snapshot.find("feature", uids[0]) if uids else None
            if isinstance(rec, FeatureRecord):
                out[name] = rec.dtype
        return out

    def _stored(self) -> dict[str, Any]:
        features: dict[str, Any] = getattr(self._owner._record, "features", {})
        return features

    def get_values(self) -> dict[str, Any]:
        """Feature name → value (dates as ``date``, datetimes as ``datetime``)."""
        dtypes = self._dtypes()
        return {k: decode_value(dtypes.get(k, ""), v) for k, v in sorted(self._stored().items())}

    def __getitem__(self, name: str) -> Any:
        name = feature_name(name)
        stored = self._stored()
        if name not in stored:
            raise KeyError(
                f"{type(self._owner).__name__} {self._owner.uid} has no value for feature "
                f"{name!r}; "
                f"it has: {', '.join(sorted(stored)) or 'none'}"
            )
        return decode_value(self._dtypes().get(name, ""), stored[name])

    def __contains__(self, name: str) -> bool:
        return feature_name(name) in self._stored()

    def __repr__(self) -> str:
        return f"<features of {type(self._owner).__name__} {self._owner.uid}: {self.get_values()}>"

    # -- writing ----------------------------------------------------------------------------
    def add_values(self, values: dict[str, Any]) -> None:
        """Validate and store values (keeps values of other features); one commit.

        Example:
            >>> artifact.features.add_values({"read_count": 1_200_000})  # doctest: +SKIP
        """
        self._write(values, keep=True)

    def set_values(self, values: dict[str, Any]) -> None:
        """Replace all feature values by ``values``; one commit.

        Example:
            >>> artifact.features.set_values({"gc_content": 0.6})  # doctest: +SKIP
        """
        self._write(values, keep=False)

    def add(self, *features: Any) -> None:
        """Annotate with features that have no value yet (value None), as the seed's
        ``artifact.features.add(feature)``; existing values are kept.

        Example:
            >>> artifact.features.add(ln.Feature.get(name="gc_content"))  # doctest: +SKIP
        """
        feature_cls = catalog.registry_class("feature")
        names = []
        for feature in features:
            if not isinstance(feature, feature_cls) or not feature._saved:
                raise InvalidArgument(
                    f"features.add() takes saved ln.Feature objects, got {feature!r}"
                )
            if feature.name not in self._stored():
                names.append(feature.name)
        if names:
            self._write(dict.fromkeys(names), keep=True)

    def remove_values(self, names: str | Iterable[str] | Any) -> None:
        """Remove the values of one or more features (names or ln.Feature objects); one commit.

        Example:
            >>> artifact.features.remove_values("gc_content")  # doctest: +SKIP
        """
        items = [names] if isinstance(names, str) or hasattr(names, "_record") else list(names)
        keys = [str(getattr(n, "name", n)) for n in items]
        missing = [k for k in keys if k not in self._stored()]
        if missing:
            raise InvalidArgument(
                f"no value for feature(s) {', '.join(map(repr, missing))}; "
                f"present: {', '.join(sorted(self._stored())) or 'none'}"
            )
        self._commit(
            lambda current, changes: ({k: v for k, v in current.items() if k not in keys}, []),
            f"remove feature values {', '.join(keys)}",
        )

    def _write(self, values: dict[str, Any], keep: bool) -> None:
        if not isinstance(values, dict) or not values and keep:
            raise InvalidArgument("add_values() takes a non-empty dict: {'feature_name': value}")

        def compute(
            current: dict[str, Any], changes: ChangeSet
        ) -> tuple[dict[str, Any], list[str]]:
            stored, labels = validate_values(changes, values)
            merged = {**current, **stored} if keep else stored
            return merged, labels

        verb = "add" if keep else "set"
        self._commit(compute, f"{verb} feature values {', '.join(sorted(values))}")

    def _commit(self, compute: Any, what: str) -> None:
        owner = self._owner
        if not owner._saved:
            raise InvalidArgument(
                f"save the {type(owner).__name__.lower()} before adding feature values: obj.save()"
            )
        registry, uid = owner._registry, owner.uid
        result: dict[str, Any] = {}

        def build(changes: ChangeSet) -> None:
            current = changes.get(registry, uid)
            if current is None:
                raise InvalidArgument(f"{type(owner).__name__} {uid} no longer exists")
            features, labels = compute(dict(getattr(current, "features", {})), changes)
            fields: dict[str, Any] = {"features": dict(sorted(features.items()))}
            if isinstance(current, ArtifactRecord) and labels:
                # Categorical values link the artifact to what they name (records, ulabels).
                for field, prefix in (("records", "record:"), ("ulabels", "ulabel:")):
                    linked = {u.removeprefix(prefix) for u in labels if u.startswith(prefix)}
                    if linked:
                        fields[field] = sorted({*getattr(current, field), *linked})
            if all(getattr(current, k) == v for k, v in fields.items()):
                result["record"] = current
                return
            new = replace(current, updated_at=utcnow_iso(), **fields)
            label = getattr(current, "key", None) or getattr(current, "name", None) or ""
            changes.put(new, f"{what} on {registry} {uid}" + (f" ({label})" if label else ""))
            result["record"] = new

        commit(build, owner._obj_view, "write feature values")
        if "record" in result:
            owner._record = result["record"]


__all__ = ["FeatureManager", "validate_values"]
