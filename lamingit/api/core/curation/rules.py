"""A saved Schema's rules for a DataFrame, read from records; validation and the annotation.

Everything here works on records (a Snapshot), not on registry classes, so both the curators
and ``Artifact.from_dataframe(df, schema=)`` use it without importing each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lamingit._log import logger
from lamingit.api.core.curation.checks import ColumnRule, Report, check_frame
from lamingit.api.core.curation.values import split_synonyms
from lamingit.errors import InvalidArgument, ValidationError
from lamingit.feature_values import category_filters, category_registry, category_type
from lamingit.models import FeatureRecord, SchemaRecord
from lamingit.query import Q
from lamingit.records import Snapshot
from lamingit.router import select

if TYPE_CHECKING:
    import pandas as pd


def resolver(
    snapshot: Snapshot, registry: str, type_uid: str, filters: dict[str, Any] | None = None
) -> tuple[Any, Any]:
    """``(resolve, names)`` for a categorical: saved names of ``registry`` within a type.

    With a type, each distinct value is one lookup (two git reads); without one, every label
    of any type counts, answered by one index query. ``filters`` (a feature's
    ``cat_filters``) narrow both to the records that satisfy them.

    Example:
        >>> resolve, names = resolver(snapshot, "ulabel", type_uid)  # doctest: +SKIP
        >>> resolve(["DMSO", "IFNG"])  # doctest: +SKIP
        {'DMSO': 'Xb2…'}
    """

    def resolve(values: list[str]) -> dict[str, str]:
        found = _resolve(values)
        if not filters or not found:
            return found
        ok = {r.uid for r in select(snapshot, registry, Q(uid__in=list(found.values()), **filters))}
        return {name: uid for name, uid in found.items() if uid in ok}

    def _resolve(values: list[str]) -> dict[str, str]:
        if type_uid:
            out = {}
            for value in values:
                uids = snapshot.lookup(f"{registry}.name", f"{type_uid}/{value}")
                if uids:
                    out[value] = uids[0]
            return out
        found = select(snapshot, registry, Q(name__in=list(values), trashed=False))
        return {str(getattr(r, "name", "")): r.uid for r in sorted(found, key=_by_type)}

    def names() -> list[str]:
        q = Q(type=type_uid, trashed=False) if type_uid else Q(trashed=False)
        q = q & Q(**filters) if filters else q
        return sorted({str(getattr(r, "name", "")) for r in select(snapshot, registry, q)})

    return resolve, names


def _by_type(record: Any) -> tuple[bool, str]:
    # Untyped labels first, so a name resolves to the untyped label when several types have it.
    return (getattr(record, "type", None) is not None, record.uid)


def feature_rule(snapshot: Snapshot, feature: FeatureRecord, required: bool) -> ColumnRule:
    """The column rule of one feature (categoricals resolve against saved labels/records).

    Example:
        >>> feature_rule(snapshot, feature, required=True).dtype  # doctest: +SKIP
        'float'
    """
    registry = category_registry(feature.dtype)
    common: dict[str, Any] = {
        "required": required,
        "nullable": feature.nullable,
        "coerce": feature.coerce,
        "default": feature.default_value,
    }
    if registry is None:
        return ColumnRule(feature.name, feature.dtype, **common)
    type_uid = category_type(feature.dtype) or ""
    resolve, names = resolver(snapshot, registry, type_uid, category_filters(feature.dtype))
    label = "ULabel" if registry == "ulabel" else "Record"
    return ColumnRule(
        feature.name, feature.dtype, resolve=resolve, names=names, label=label, **common
    )


def members(snapshot: Snapshot, schema: SchemaRecord) -> list[FeatureRecord]:
    """The schema's features in order (a member that is gone is an IntegrityError-like refusal)."""
    out = []
    for uid in schema.members:
        record = snapshot.find("feature", uid)
        if not isinstance(record, FeatureRecord):
            raise InvalidArgument(
                f"schema {schema.name or schema.uid!r} names feature {uid} which does not exist; "
                "run `lamingit fsck`"
            )
        out.append(record)
    return out


def rules_for(snapshot: Snapshot, schema: SchemaRecord, columns: Sequence[str]) -> list[ColumnRule]:
    """Column rules of ``schema`` for a frame with ``columns``.

    A schema with members checks exactly those (required when ``minimal_set``); a flexible
    schema (``itype="Feature"``, no members) checks every column named like a saved feature.

    Example:
        >>> [r.name for r in rules_for(snapshot, schema, ["a", "b"])]  # doctest: +SKIP
        ['a']
    """
    if schema.members:
        return [feature_rule(snapshot, f, schema.minimal_set) for f in members(snapshot, schema)]
    if schema.itype == "Feature":
        rules = []
        for column in columns:
            uids = snapshot.lookup("feature.name", str(column))
            record = snapshot.find("feature", uids[0]) if uids else None
            if isinstance(record, FeatureRecord):
                rules.append(feature_rule(snapshot, record, required=False))
        return rules
    return []


def column_synonyms(
    snapshot: Snapshot, schema: SchemaRecord, columns: Sequence[str], rules: Sequence[ColumnRule]
) -> dict[str, str]:
    """Columns that name a feature by a synonym or in another case → that feature's name.

    Only columns that are no rule's name and features that are no column's name count; the
    schema's members, or for a flexible schema every saved feature (read only when some
    column is unknown).

    Example:
        >>> column_synonyms(snapshot, schema, ["cell type"], rules)  # doctest: +SKIP
        {'cell type': 'cell_type'}
    """
    taken = {r.name for r in rules}
    unknown = [c for c in columns if c not in taken]
    if not unknown:
        return {}
    if schema.members:
        features: list[Any] = members(snapshot, schema)
    elif schema.itype == "Feature":
        features = list(select(snapshot, "feature", Q(trashed=False)))
    else:
        return {}
    present = set(columns)
    by_name: dict[str, str] = {}
    by_synonym: dict[str, str] = {}
    for feature in features:
        if not isinstance(feature, FeatureRecord) or feature.name in present:
            continue
        by_name.setdefault(feature.name.lower(), feature.name)
        for synonym in split_synonyms(feature.synonyms):
            by_synonym.setdefault(synonym.lower(), feature.name)
    out: dict[str, str] = {}
    for column in unknown:
        target = by_name.get(column.lower()) or by_synonym.get(column.lower())
        if target is not None and target not in out.values():
            out[column] = target
    return out


@dataclass
class Validation:
    """What validating one dataset (or one slot of it) found."""

    reports: dict[str, Report] = field(default_factory=dict)
    """Slot (``""`` for a plain DataFrame) → its report."""

    @property
    def problems(self) -> list[str]:
        """Every problem, prefixed by its slot."""
        out: list[str] = []
        for slot, report in self.reports.items():
            prefix = f"[{slot}] " if slot else ""
            out.extend(prefix + p for p in report.problems)
        return out

    def links(self) -> dict[str, list[str]]:
        """``{"ulabels": [...], "records": [...]}``: what the validated categoricals name."""
        out: dict[str, set[str]] = {"ulabels": set(), "records": set()}
        for report in self.reports.values():
            for column, found in report.validated.items():
                label = report.labels.get(column)
                if label in ("ULabel", "Record"):
                    out[f"{label.lower()}s"].update(found.values())
        return {k: sorted(v) for k, v in out.items()}


def validate_frame(
    snapshot: Snapshot, schema: SchemaRecord, frame: pd.DataFrame, slot: str = ""
) -> Report:
    """Check ``frame`` (a DataFrame, ``adata.obs``, …) against ``schema``; never writes.

    Example:
        >>> validate_frame(snapshot, schema, df).problems  # doctest: +SKIP
        []
    """
    columns = [str(c) for c in frame.columns]
    rules = rules_for(snapshot, schema, columns)
    hint = f"curator.slots[{slot!r}].cat.add_new_from" if slot else "curator.cat.add_new_from"
    renames = column_synonyms(snapshot, schema, columns, rules)
    report = check_frame(
        frame,
        rules,
        maximal_set=schema.maximal_set,
        ordered_set=schema.ordered_set,
        coerce=schema.coerce_dtype,
        fix_hint=hint,
        column_synonyms=renames,
    )
    if renames and not schema.members:
        cat = f"curator.slots[{slot!r}].cat" if slot else "curator.cat"
        logger.warning(
            "column(s) not validated: "
            + ", ".join(f"{c!r} is a synonym of feature {f!r}" for c, f in renames.items())
            + f" → rename them with {cat}.standardize('columns')"
        )
    if schema.index is not None:
        index_feature = snapshot.find("feature", schema.index)
        if isinstance(index_feature, FeatureRecord):
            import pandas as pd

            index_frame = pd.DataFrame({index_feature.name: frame.index.to_numpy()})
            rule = feature_rule(snapshot, index_feature, required=True)
            index_report = check_frame(index_frame, [rule], fix_hint=hint)
            report.problems.extend(f"index: {p}" for p in index_report.problems)
            report.non_validated.update(index_report.non_validated)
            report.validated.update(index_report.validated)
            report.labels.update(index_report.labels)
    return report


def var_names_report(snapshot: Snapshot, schema: SchemaRecord, names: Sequence[str]) -> Report:
    """The ``var.T`` slot: variable names are features (minimal/maximal set as for columns).

    Example:
        >>> var_names_report(snapshot, schema, list(adata.var_names)).ok  # doctest: +SKIP
        True
    """
    import pandas as pd

    frame = pd.DataFrame(columns=list(names))
    if schema.members:
        wanted = [f.name for f in members(snapshot, schema)]
        report = Report(frame)
        missing = [n for n in wanted if n not in set(names)] if schema.minimal_set else []
        extra = [n for n in names if n not in set(wanted)] if schema.maximal_set else []
        if missing:
            report.missing = missing
            report.problems.append(f"variable(s) {missing[:20]!r} missing")
        if extra:
            report.unexpected = list(extra)
            report.problems.append(f"variable(s) {list(extra)[:20]!r} not in the schema")
        return report
    resolve, all_names = resolver_features(snapshot)

    def synonyms() -> dict[str, str]:
        out: dict[str, str] = {}
        for record in select(snapshot, "feature", Q(trashed=False)):
            for synonym in split_synonyms(getattr(record, "synonyms", None)):
                out.setdefault(synonym.lower(), str(getattr(record, "name", "")))
        return out

    rule = ColumnRule(
        "var_names",
        "str",
        resolve=resolve,
        names=all_names,
        label="Feature",
        synonyms=synonyms,
        fix="renaming them in adata.var_names (e.g. adata.var_names = [...]) before curating",
        save="ln.Feature(name=..., dtype=...).save() for each",
    )
    report = check_frame(
        pd.DataFrame({"var_names": list(names)}), [rule], fix_hint="ln.Feature(name=…).save"
    )
    return report  # its label is "Feature": variable names are not linked as labels


def resolver_features(snapshot: Snapshot) -> tuple[Any, Any]:
    """``(resolve, names)`` over saved feature names."""

    def resolve(values: list[str]) -> dict[str, str]:
        out = {}
        for value in values:
            uids = snapshot.lookup("feature.name", value)
            if uids:
                out[value] = uids[0]
        return out

    def names() -> list[str]:
        found = select(snapshot, "feature", Q(trashed=False))
        return sorted(str(getattr(r, "name", "")) for r in found)

    return resolve, names


def validate_dataset(
    snapshot: Snapshot, schema: SchemaRecord, dataset: Any
) -> tuple[Any, Validation]:
    """Validate a DataFrame or an AnnData (slot by slot) against ``schema``; never writes.

    Returns the dataset to store (a copy with cast columns under ``coerce_dtype``) and what
    was found.

    Example:
        >>> dataset, validation = validate_dataset(snapshot, schema, adata)  # doctest: +SKIP
    """
    import pandas as pd

    validation = Validation()
    kind = type(dataset).__name__
    if isinstance(dataset, pd.DataFrame):
        if schema.otype not in (None, "DataFrame") or schema.slots:
            raise InvalidArgument(
                f"schema {schema.name or schema.uid!r} is for {schema.otype}, got a DataFrame"
            )
        report = validate_frame(snapshot, schema, dataset)
        validation.reports[""] = report
        return report.frame, validation
    if kind != "AnnData":
        raise InvalidArgument(f"a schema validates a pandas DataFrame or an AnnData, got {kind}")
    if not schema.slots:
        raise InvalidArgument(
            "an AnnData is validated slot by slot: ln.Schema(otype='AnnData', "
            "slots={'obs': obs_schema, 'var.T': var_schema})"
        )
    for slot, uid in schema.slots.items():
        component = snapshot.find("schema", uid)
        if not isinstance(component, SchemaRecord):
            raise InvalidArgument(f"the {slot!r} slot names schema {uid}, which does not exist")
        if slot == "var.T":
            names = [str(n) for n in dataset.var_names]
            validation.reports[slot] = var_names_report(snapshot, component, names)
        else:
            frame = dataset.obs if slot == "obs" else dataset.var
            validation.reports[slot] = validate_frame(snapshot, component, frame, slot)
    coerced = {s: r for s, r in validation.reports.items() if r.coerced}
    if coerced:
        dataset = dataset.copy()  # never change the user's AnnData
        for slot, report in coerced.items():
            setattr(dataset, slot, report.frame)
    return dataset, validation


def raise_if_invalid(validation: Validation, what: str) -> None:
    """``ValidationError`` naming every problem of every slot, else nothing.

    Example:
        >>> raise_if_invalid(validation, "the DataFrame")  # doctest: +SKIP
    """
    problems = validation.problems
    if problems:
        raise ValidationError(f"{what} does not validate: " + "; ".join(problems))


def schema_annotation(snapshot: Snapshot, dataset: Any, schema: Any) -> tuple[Any, dict[str, Any]]:
    """Validate ``dataset`` against a saved ``ln.Schema`` for an artifact about to be made.

    Returns the dataset to store and the artifact fields that annotate it (``schema``,
    ``ulabels``, ``records``); raises ``ValidationError`` naming every problem before anything
    is written. ``schema=None`` returns the dataset unchanged and no fields.

    Example:
        >>> df, fields = schema_annotation(snapshot, df, schema)  # doctest: +SKIP
    """
    if schema is None:
        return dataset, {}
    record = getattr(schema, "_record", None)
    if not isinstance(record, SchemaRecord) or not getattr(schema, "_saved", False):
        raise InvalidArgument(f"schema= takes a saved ln.Schema, got {schema!r}")
    dataset, validation = validate_dataset(snapshot, record, dataset)
    what = f"the {type(dataset).__name__}"
    raise_if_invalid(validation, what + f" (schema {record.name or record.uid!r})")
    return dataset, {"schema": record.uid, **validation.links()}


__all__ = [
    "Validation",
    "column_synonyms",
    "feature_rule",
    "members",
    "raise_if_invalid",
    "resolver",
    "rules_for",
    "schema_annotation",
    "validate_dataset",
    "validate_frame",
    "var_names_report",
]
