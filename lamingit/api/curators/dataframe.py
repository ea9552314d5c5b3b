"""DataFrameCurator and its ``.cat`` manager: validate, standardize, add new labels, save."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, cast

from lamingit._log import logger
from lamingit.api.core import catalog
from lamingit.api.core.base import Lookup, save
from lamingit.api.core.curation.checks import Report
from lamingit.api.core.curation.rules import Validation, raise_if_invalid, validate_frame
from lamingit.api.core.curation.values import match, synonyms_of
from lamingit.api.core.hierarchy import HasHierarchy
from lamingit.errors import InvalidArgument
from lamingit.feature_values import category_filters, category_registry, category_type
from lamingit.models import FeatureRecord, SchemaRecord

if TYPE_CHECKING:
    from lamingit.api.registries.artifact import Artifact


def schema_record(schema: Any) -> SchemaRecord:
    """The record of a saved ``ln.Schema`` (refuses anything else with one line).

    Example:
        >>> schema_record(ln.Schema.get(name="experiment")).name  # doctest: +SKIP
        'experiment'
    """
    record = getattr(schema, "_record", None)
    if not isinstance(record, SchemaRecord) or not getattr(schema, "_saved", False):
        raise InvalidArgument(
            f"a curator needs a saved ln.Schema, got {schema!r}; e.g. "
            "ln.Schema(features=[ln.Feature.get(name='x')]).save()"
        )
    return record


def loaded(dataset: Any) -> tuple[Any, Any]:
    """``(in-memory dataset, artifact or None)``: an Artifact is loaded (not a run input)."""
    if getattr(type(dataset), "_registry", None) == "artifact":
        return dataset.load(is_run_input=False), dataset
    return dataset, None


class Curator(ABC):
    """Base class of the curators: a dataset, a schema, and whether it validated.

    Example:
        >>> curator = ln.curators.DataFrameCurator(df, schema)  # doctest: +SKIP
    """

    def __init__(self, dataset: Any, schema: Any) -> None:
        self._dataset, self._artifact = loaded(dataset)
        self._schema = schema
        self._schema_record = schema_record(schema)
        self._is_validated = False

    def _snapshot(self) -> Any:
        return type(self._schema)._view.snapshot()

    _from: str = "from_dataframe"
    """The Artifact constructor for this curator's kind of dataset."""

    @abstractmethod
    def validate(self) -> None:
        """Raise ``ln.errors.ValidationError`` naming every problem; nothing is written."""

    def save_artifact(
        self,
        key: str | None = None,
        description: str | None = None,
        revises: Any = None,
        run: Any = None,
    ) -> Artifact:
        """Validate, then save the dataset as an artifact annotated with the schema and labels.

        Example:
            >>> artifact = curator.save_artifact(key="examples/dataset1.parquet")  # doctest: +SKIP
        """
        self.validate()
        artifact_cls = catalog.registry_class("artifact")
        artifact = getattr(artifact_cls, self._from)(
            self._dataset,
            key=key,
            description=description,
            revises=revises,
            run=run,
            schema=self._schema,
        )
        return cast("Artifact", artifact.save())

    def __repr__(self) -> str:
        state = "validated" if self._is_validated else "unvalidated"
        name = self._schema_record.name or self._schema_record.uid
        return f"{type(self).__name__}(Schema: {name}, {state})"


class DataFrameCurator(Curator):
    """Validate a DataFrame against a Schema, fix its categoricals, save it annotated.

    Example:
        >>> curator = ln.curators.DataFrameCurator(df, schema)  # doctest: +SKIP
        >>> curator.validate()  # doctest: +SKIP
        >>> artifact = curator.save_artifact(key="examples/dataset1.parquet")  # doctest: +SKIP
    """

    def __init__(self, dataset: Any, schema: Any, slot: str | None = None) -> None:
        super().__init__(dataset, schema)
        import pandas as pd

        if not isinstance(self._dataset, pd.DataFrame):
            raise InvalidArgument(
                f"DataFrameCurator takes a pandas DataFrame, got {type(self._dataset).__name__}"
            )
        self._slot = slot or ""
        self._report: Report | None = None
        self.cat = CatManager(self)

    def _check(self) -> Report:
        report = validate_frame(self._snapshot(), self._schema_record, self._dataset, self._slot)
        self._report = report
        return report

    def validate(self) -> None:
        """Raise ``ln.errors.ValidationError`` naming every problem; nothing is written.

        Example:
            >>> curator.validate()  # doctest: +SKIP
        """
        report = self._check()
        self._is_validated = False
        raise_if_invalid(Validation({self._slot: report}), "the DataFrame")
        self._is_validated = True


class CatManager:
    """The categorical columns of a curator: ``non_validated``, ``standardize``, ``add_new_from``.

    Example:
        >>> curator.cat.non_validated  # doctest: +SKIP
        {'cell_type': ['B-cell']}
    """

    def __init__(self, curator: DataFrameCurator) -> None:
        self._curator = curator

    def _report(self) -> Report:
        return self._curator._check()

    def _features(self) -> dict[str, FeatureRecord]:
        snapshot = self._curator._snapshot()
        out: dict[str, FeatureRecord] = {}
        for column, label in self._report().labels.items():
            if label not in ("ULabel", "Record"):
                continue
            uids = snapshot.lookup("feature.name", column)
            record = snapshot.find("feature", uids[0]) if uids else None
            if isinstance(record, FeatureRecord):
                out[column] = record
        return out

    @property
    def non_validated(self) -> dict[str, list[str]]:
        """Categorical column → the values that name no saved label or record."""
        return dict(self._report().non_validated)

    def _keys(self, key: str) -> list[str]:
        features = self._features()
        if key == "all":
            return sorted(features)
        if key not in features:
            raise InvalidArgument(
                f"{key!r} is not a categorical column of the schema; "
                f"categoricals: {', '.join(sorted(features)) or 'none'} (or 'columns')"
            )
        return [key]

    def standardize(self, key: str) -> None:
        """Replace synonyms and case/spelling variants of saved names with the names (in place).

        ``key`` is a categorical column (its values), ``"columns"`` (column names that are
        synonyms of the schema's features are renamed to the feature names), or ``"all"``
        (columns first, then every categorical column). Values that stand for no saved name
        stay as they are (``add_new_from`` saves them as new labels).

        Example:
            >>> curator.cat.standardize("cell_type")  # doctest: +SKIP
        """
        frame = self._curator._dataset
        if key in ("columns", "all"):
            renames = self._report().column_synonyms
            if renames:
                frame.rename(columns=renames, inplace=True)
                _log_standardized("columns", renames)
            if key == "columns":
                self._curator._is_validated = False
                return
        report = self._report()
        for column in self._keys(key):
            bad = report.non_validated.get(column, [])
            if not bad:
                continue
            found = match(
                bad,
                self._records(column),
                "name",
                synonyms_field=synonyms_of(self._registry(column), "name", "synonyms"),
            )
            mapping = {v: str(objs[0].name) for v, objs in found.items()}
            if not mapping:
                continue
            frame[column] = frame[column].map(
                lambda v, m=mapping: (
                    [m.get(x, x) for x in v] if isinstance(v, list) else m.get(v, v)
                )
            )
            _log_standardized(column, mapping)
        self._curator._is_validated = False

    def _registry(self, column: str) -> type[HasHierarchy]:
        return _label_class(self._features()[column].dtype)

    def _records(self, column: str) -> list[Any]:
        """The saved labels or records a categorical column may name (of the feature's type)."""
        cls = self._registry(column)
        type_uid = category_type(self._features()[column].dtype) or None
        return list(cls.filter(type=type_uid) if type_uid else cls.filter())

    def add_new_from(self, key: str, **kwargs: Any) -> None:
        """Save every non-validated value of ``key`` as a new label (of the feature's type).

        One commit for all of them; ``key="all"`` does it for every categorical column.

        Example:
            >>> curator.cat.add_new_from("cell_type")  # doctest: +SKIP
        """
        report = self._report()
        features = self._features()
        new: list[Any] = []
        for column in self._keys(key):
            feature = features[column]
            values = report.non_validated.get(column, [])
            if not values:
                continue
            cls = _label_class(feature.dtype)
            type_uid = category_type(feature.dtype) or None
            type_obj = cls.get(type_uid) if type_uid else None
            fields = _filter_fields(column, feature.dtype, kwargs)
            for value in values:
                new.append(cls(name=value, type=type_obj, **fields))
        if new:
            save(new)
        self._curator._is_validated = False

    def lookup(self) -> dict[str, Lookup]:
        """Column → a lookup of the saved names it may take (``lookup()["cell_type"].t_cell``).

        Example:
            >>> curator.cat.lookup()["cell_type"].t_cell  # doctest: +SKIP
        """
        out = {}
        for column, feature in self._features().items():
            cls = _label_class(feature.dtype)
            type_uid = category_type(feature.dtype) or None
            qs = cls.filter(type=type_uid) if type_uid else cls.filter()
            out[column] = Lookup(cls.__name__, "name", {r.name: r for r in qs})
        return out


def _label_class(dtype: str) -> type[HasHierarchy]:
    """The registry whose names a categorical dtype takes (Record or ULabel)."""
    cls = catalog.registry_class(category_registry(dtype) or "ulabel")
    if not issubclass(cls, HasHierarchy):
        raise InvalidArgument(f"dtype {dtype!r} does not name labels (Record or ULabel)")
    return cls


def _filter_fields(column: str, dtype: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` plus the field values the feature's ``cat_filters`` ask of new records.

    A filter through a relation (``created_by__uid=…``) or one ``kwargs`` contradicts cannot
    be met by creating records here: refused, naming the filter.
    """
    fields = dict(kwargs)
    for name, value in category_filters(dtype).items():
        if "__" in name or (name in fields and fields[name] != value):
            raise InvalidArgument(
                f"feature {column!r} only takes records with {name}={value!r} (its cat_filters), "
                "which add_new_from cannot create; save them with that value yourself"
            )
        fields[name] = value
    return fields


def _log_standardized(key: str, mapping: dict[str, str]) -> None:
    shown = ", ".join(f"{k!r} → {v!r}" for k, v in list(mapping.items())[:20])
    logger.info(f"standardized {len(mapping)} synonym(s) in {key!r}: {shown}")


__all__ = ["CatManager", "Curator", "DataFrameCurator", "loaded", "schema_record"]
