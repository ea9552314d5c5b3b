"""``artifact.labels``: LaminDB's label manager over ulabels and records, per feature or plain.

A label added with ``feature=`` becomes a value of that categorical feature (validated, and the
artifact is linked to the label in the same commit); without a feature it is a plain link
(``artifact.ulabels`` / ``artifact.records``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from lamingit.api.core.catalog import registry_class
from lamingit.api.core.relations import related
from lamingit.errors import InvalidArgument, ValidationError
from lamingit.feature_values import category_registry, category_type
from lamingit.models import BaseRecord, FeatureRecord

if TYPE_CHECKING:
    from lamingit.api.core.base import Registry

_LABEL_REGISTRIES = ("ulabel", "record")


def _flat(items: Any) -> list[Any]:
    if isinstance(getattr(items, "_record", None), BaseRecord):
        return [items]
    if isinstance(items, Iterable) and not isinstance(items, str | bytes):
        return list(items)
    raise InvalidArgument(
        f"labels.add() takes ULabel or Record objects (or a list of them), got {items!r}"
    )


class LabelManager:
    """The labels of one artifact: ``add(labels, feature=)``, ``get(feature)``, ``remove``.

    Example:
        >>> artifact.labels.add(ln.ULabel.get(name="DMSO"), feature=perturbation)  # doctest: +SKIP
        >>> artifact.labels.get(perturbation).to_list()  # doctest: +SKIP
    """

    def __init__(self, owner: Registry) -> None:
        self._owner = owner

    def add(self, records: Any, feature: Any = None) -> None:
        """Link labels (one commit); with ``feature=`` also as that feature's values.

        Example:
            >>> artifact.labels.add([t_cell, b_cell], feature=ln.Feature.get(name="cell_type"))  # doctest: +SKIP
        """
        items = _flat(records)
        for item in items:
            if getattr(type(item), "_registry", None) not in _LABEL_REGISTRIES or not item._saved:
                raise InvalidArgument(
                    f"labels.add() takes saved ULabel or Record objects, got {item!r}"
                )
        if feature is None:
            for registry in _LABEL_REGISTRIES:
                chosen = [i for i in items if type(i)._registry == registry]
                if chosen:
                    related(self._owner, f"{registry}s").add(chosen)
            return
        record = self._feature(feature)
        wanted = category_registry(record.dtype)
        wrong = [i for i in items if type(i)._registry != wanted]
        if wrong:
            raise ValidationError(
                f"feature {record.name!r} has dtype {record.dtype!r}; {wrong[0]!r} is not a "
                f"{'ULabel' if wanted == 'ulabel' else 'Record'}"
            )
        current = self._owner.features.get_values().get(record.name)
        names = [current] if isinstance(current, str) else list(current or [])
        names = sorted({*names, *(i.name for i in items)})
        many = record.dtype.startswith("list[") or len(names) > 1
        self._owner.features.add_values({record.name: names if many else names[0]})

    def remove(self, records: Any, feature: Any = None) -> None:
        """Unlink labels (and drop them from ``feature``'s values if given); one commit each.

        Example:
            >>> artifact.labels.remove(dmso)  # doctest: +SKIP
        """
        items = _flat(records)
        if feature is not None:
            record = self._feature(feature)
            current = self._owner.features.get_values().get(record.name)
            names = [current] if isinstance(current, str) else list(current or [])
            kept = [n for n in names if n not in {i.name for i in items}]
            if kept != names:
                if kept:
                    value = kept if len(kept) > 1 or record.dtype.startswith("list[") else kept[0]
                    self._owner.features.add_values({record.name: value})
                else:
                    self._owner.features.remove_values(record.name)
        for registry in _LABEL_REGISTRIES:
            chosen = [i for i in items if getattr(type(i), "_registry", None) == registry]
            if chosen:
                related(self._owner, f"{registry}s").remove(chosen)

    def get(self, feature: Any) -> Any:
        """The labels that are values of ``feature`` on this artifact, as a QuerySet.

        Example:
            >>> artifact.labels.get(ln.Feature.get(name="perturbation")).to_list()  # doctest: +SKIP
        """
        record = self._feature(feature)
        registry = category_registry(record.dtype)
        value = self._owner.features.get_values().get(record.name)
        names = [value] if isinstance(value, str) else list(value or [])
        cls = registry_class(registry or "ulabel")
        type_uid = category_type(record.dtype)
        linked = getattr(self._owner._record, f"{registry}s", [])
        if type_uid:
            return cls.filter(name__in=names, type=type_uid, uid__in=list(linked))
        return cls.filter(name__in=names, uid__in=list(linked))

    def _feature(self, feature: Any) -> FeatureRecord:
        name = getattr(feature, "name", feature)
        if not isinstance(name, str):
            raise InvalidArgument(f"feature= takes an ln.Feature or its name, got {feature!r}")
        snapshot = self._owner._obj_view.snapshot()
        uids = snapshot.lookup("feature.name", name)
        record = snapshot.find("feature", uids[0]) if uids else None
        if not isinstance(record, FeatureRecord):
            raise ValidationError(
                f"feature {name!r} does not exist; create it: "
                f"ln.Feature(name={name!r}, dtype=ln.ULabel).save()"
            )
        if category_registry(record.dtype) is None:
            raise ValidationError(
                f"feature {name!r} has dtype {record.dtype!r}, not a categorical of labels; "
                "labels need a feature with dtype ln.ULabel, ln.Record or a type of those"
            )
        return record


__all__ = ["LabelManager"]
