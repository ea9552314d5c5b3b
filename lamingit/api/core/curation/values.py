"""LaminDB's ``CanCurate`` verbs on every registry: validate, inspect, standardize, from_values.

Values are compared with one field of the saved records (the name field unless ``field=``
says otherwise); on the name field, a registry's ``synonyms`` map to names. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from lamingit._log import logger
from lamingit.errors import InvalidArgument

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

NAME_FIELDS = ("name", "handle", "key", "description")
SEP = "|"
"""Separator of the ``synonyms`` field, as in LaminDB (``"T-cell|T lymphocyte"``)."""
Keep = Literal["first", "last", False]
Standardized = str | list[str] | list[str | list[str] | None] | dict[str, str | list[str]]
"""What ``standardize`` returns: one value, the values (None where a value is missing), or the
mapper (lists with ``keep=False``)."""


def name_field(cls: Any, field_name: Any = None) -> str:
    """The field values are compared with: ``field=`` if given, else the registry's name field.

    Example:
        >>> name_field(ln.ULabel)  # doctest: +SKIP
        'name'
    """
    fields = cls._field_names()
    if field_name is None:
        return next(f for f in (*NAME_FIELDS, "uid") if f in fields)
    name = str(getattr(field_name, "field_name", field_name))
    if name not in fields:
        raise InvalidArgument(
            f"{cls.__name__} has no field {name!r}; fields: {', '.join(sorted(fields))}"
        )
    return name


def split_synonyms(text: Any) -> list[str]:
    """The synonyms of a ``synonyms`` field value (``"a|b"`` → ``["a", "b"]``).

    Example:
        >>> split_synonyms("T-cell|T lymphocyte"), split_synonyms(None)
        (['T-cell', 'T lymphocyte'], [])
    """
    if not text:
        return []
    return [s for s in str(text).split(SEP) if s]


def _flat(values: Any) -> list[str | None]:
    """Values as strings in input order, missing ones (None, NaN) as None; a list of lists
    (a list-valued column) is flattened, as in LaminDB."""
    if isinstance(values, str):
        return [values]
    if not isinstance(values, Iterable):
        raise InvalidArgument(f"pass a list of values, got {values!r}")
    out: list[str | None] = []
    for value in values:
        for v in value if isinstance(value, list | tuple) else [value]:
            out.append(None if v is None or v != v else str(v))  # v != v: NaN
    return out


def _listed(values: Any) -> list[str]:
    """The present values of :func:`_flat`."""
    return [v for v in _flat(values) if v is not None]


def _records(cls: Any) -> list[Any]:
    """The saved records to compare with: a registry's (not in the trash), or a QuerySet's."""
    return list(cls.filter() if isinstance(cls, type) and hasattr(cls, "filter") else cls)


def _model(cls: Any) -> Any:
    return cls if isinstance(cls, type) else cls.model


def saved_values(cls: Any, field_name: str) -> dict[str, Any]:
    """Saved value of ``field_name`` → the record holding it (records not in the trash).

    Example:
        >>> sorted(saved_values(ln.ULabel, "name"))  # doctest: +SKIP
        ['DMSO', 'IFNG']
    """
    out: dict[str, Any] = {}
    for obj in _records(cls):
        value = getattr(obj._record, field_name, None)
        if value is not None:
            out.setdefault(str(value), obj)
    return out


def synonyms_of(model: Any, field_name: str, synonyms_field: str | None) -> str | None:
    """The field holding synonyms when ``field_name`` is the name field, else None.

    As in LaminDB, synonyms map only to the name field (``field="uid"`` maps exact values).

    Example:
        >>> synonyms_of(ln.Feature, "name", "synonyms"), synonyms_of(ln.ULabel, "name", "synonyms")  # doctest: +SKIP
        ('synonyms', None)
    """
    if synonyms_field is None or field_name != name_field(model):
        return None
    return synonyms_field if synonyms_field in model._field_names() else None


def match(
    values: Sequence[str],
    records: Sequence[Any],
    field_name: str,
    *,
    case_sensitive: bool = False,
    synonyms_field: str | None = None,
) -> dict[str, list[Any]]:
    """Distinct ``values`` → the saved records each one stands for, tier by tier.

    Tiers, the first that finds anything wins: the exact value; the value in another case;
    a synonym (``synonyms_field``, case-insensitive unless ``case_sensitive``); a variant that
    equals one saved value after ignoring case, spaces and punctuation (``"b-cell"`` →
    ``"B cell"``, lamingit's addition). The last two skip values that are not saved anywhere.

    Example:
        >>> match(["dmso"], ln.ULabel.filter(), "name")  # doctest: +SKIP
        {'dmso': [ULabel(name='DMSO', …)]}
    """
    exact: dict[str, list[Any]] = {}
    folded: dict[str, list[Any]] = {}
    synonyms: dict[str, list[Any]] = {}
    for obj in records:
        raw = getattr(obj._record, field_name, None)
        if raw is None:
            continue
        value = str(raw)
        exact.setdefault(value, []).append(obj)
        folded.setdefault(value.lower(), []).append(obj)
        if synonyms_field is not None:
            for synonym in split_synonyms(getattr(obj._record, synonyms_field, None)):
                key = synonym if case_sensitive else synonym.lower()
                synonyms.setdefault(key, []).append(obj)
    names = list(exact)
    from lamingit.api.core.curation.checks import canonical  # not loaded with ln.Artifact

    out: dict[str, list[Any]] = {}
    for value in dict.fromkeys(values):
        if value in exact:
            out[value] = exact[value]
        elif not case_sensitive and value.lower() in folded:
            out[value] = folded[value.lower()]
        elif (value if case_sensitive else value.lower()) in synonyms:
            out[value] = synonyms[value if case_sensitive else value.lower()]
        elif not case_sensitive and (variant := canonical(value, names)) is not None:
            out[value] = exact[variant]
    return out


def _pick(found: list[Any], return_field: str, keep: Keep) -> str | list[str]:
    targets = list(dict.fromkeys(str(getattr(o._record, return_field)) for o in found))
    if keep == "first":
        return targets[0]
    if keep == "last":
        return targets[-1]
    return targets[0] if len(targets) == 1 else targets


@dataclass
class InspectResult:
    """What ``Registry.inspect`` found (LaminDB's ``InspectResult``), with suggestions.

    Example:
        >>> result = ln.ULabel.inspect(["DMSO", "dmso"])  # doctest: +SKIP
        >>> result.validated, result.non_validated, result.synonyms_mapper  # doctest: +SKIP
        (['DMSO'], ['dmso'], {'dmso': 'DMSO'})
    """

    validated: list[str] = field(default_factory=list)
    non_validated: list[str] = field(default_factory=list)
    synonyms_mapper: dict[str, str] = field(default_factory=dict)
    """Non-validated value → the saved name it is a case variant or synonym of
    (what ``standardize`` replaces)."""
    suggestions: dict[str, str] = field(default_factory=dict)
    """Non-validated value → the closest saved name ("did you mean"): synonyms and case
    variants first, then spelling."""
    n_empty: int = 0
    """How many values were empty or repeated."""

    @property
    def n_unique(self) -> int:
        """How many distinct non-empty values were inspected."""
        return len(self.validated) + len(self.non_validated)

    @property
    def frac_validated(self) -> float:
        """The percentage of distinct values that are saved (0 to 100, as in LaminDB)."""
        if not self.n_unique:
            return 0.0
        return 100 - round(len(self.non_validated) / self.n_unique * 100, 1)

    def __getitem__(self, key: str) -> list[str]:
        """``result["validated"]`` / ``result["non_validated"]``, as in LaminDB."""
        if key in ("validated", "mapped"):
            return self.validated
        if key in ("non_validated", "not_mapped"):
            return self.non_validated
        raise KeyError(f"{key!r}: use 'validated' or 'non_validated'")


def validate(
    cls: Any, values: Any, field_name: Any = None, mute: bool = False
) -> npt.NDArray[np.bool_] | bool:
    """A boolean numpy array: which ``values`` are saved values of ``field`` (exact match).

    A single string gives a single bool, as in LaminDB.

    Example:
        >>> ln.ULabel.validate(["DMSO", "IFNJ"])  # doctest: +SKIP
        array([ True, False])
    """
    import numpy as np

    model = _model(cls)
    name = name_field(model, field_name)
    listed = _flat(values)
    saved = saved_values(cls, name)
    if not saved and not mute:
        logger.warning(
            f"Your {model.__name__} registry is empty, consider populating it first! "
            f"e.g. ln.{model.__name__}({name}=…).save()"
        )
    result = np.array([v in saved for v in listed], dtype=bool)
    bad = list(dict.fromkeys(v for v, ok in zip(listed, result, strict=True) if not ok and v))
    if bad and saved and not mute:
        logger.warning(
            f"{len(bad)} unique term(s) not validated for {name}: {', '.join(map(repr, bad[:10]))}"
        )
    if isinstance(values, str) and len(result) == 1:
        return bool(result[0])
    return result


def inspect(cls: Any, values: Any, field_name: Any = None, mute: bool = False) -> InspectResult:
    """Which distinct ``values`` are saved, which are not, and what the others stand for.

    Example:
        >>> ln.ULabel.inspect(["DMSO", "dmso", "IFNJ"]).non_validated  # doctest: +SKIP
        ['dmso', 'IFNJ']
    """
    model = _model(cls)
    name = name_field(model, field_name)
    records = _records(cls)
    listed = [v for v in _listed(values) if v != ""]
    distinct = list(dict.fromkeys(listed))
    saved = {str(getattr(o._record, name)) for o in records if getattr(o._record, name, None)}
    result = InspectResult(
        validated=[v for v in distinct if v in saved],
        non_validated=[v for v in distinct if v not in saved],
        n_empty=len(_listed(values)) - len(distinct),
    )
    if result.non_validated:
        from lamingit.api.core.curation.checks import suggest  # not loaded with ln.Artifact

        synonyms = synonyms_of(model, name, "synonyms")
        found = match(result.non_validated, records, name, synonyms_field=synonyms)
        result.synonyms_mapper = {v: str(_pick(objs, name, "first")) for v, objs in found.items()}
        names = sorted(saved)
        for value in result.non_validated:
            hint = result.synonyms_mapper.get(value) or suggest(value, names)
            if hint is not None:
                result.suggestions[value] = hint
    if result.non_validated and not mute:
        logger.warning(
            f"{len(result.non_validated)} value(s) not validated in {model.__name__}.{name}: "
            + ", ".join(_did_you_mean(v, result) for v in result.non_validated[:20])
            + (
                f" → standardize them: ln.{model.__name__}.standardize(values)"
                if result.synonyms_mapper
                else ""
            )
        )
    return result


def _did_you_mean(value: str, result: InspectResult) -> str:
    if value in result.synonyms_mapper:
        return f"{value!r} (synonym of {result.synonyms_mapper[value]!r})"
    if value in result.suggestions:
        return f"{value!r} (did you mean {result.suggestions[value]!r}?)"
    return repr(value)


def standardize(
    cls: Any,
    values: Any,
    field_name: Any = None,
    *,
    return_field: Any = None,
    return_mapper: bool = False,
    case_sensitive: bool = False,
    mute: bool = False,
    keep: Keep = "first",
    synonyms_field: str | None = "synonyms",
) -> Standardized:
    """Values replaced by the saved name they stand for (case variant, synonym, spelling).

    Values that stand for nothing saved stay as they are. ``return_mapper=True`` returns
    ``{value: standardized}`` for the replaced values only; ``return_field=`` returns another
    field of the matched records (e.g. ``"uid"``); ``keep=False`` returns every match of a
    synonym several records share (as a list). A single string gives a single string.

    Example:
        >>> ln.Feature.standardize(["cell type", "concentration"])  # doctest: +SKIP
        ['cell_type', 'concentration']
    """
    if keep not in ("first", "last", False):
        raise InvalidArgument(f"keep= takes 'first', 'last' or False, got {keep!r}")
    model = _model(cls)
    name = name_field(model, field_name)
    target = name_field(model, return_field if return_field is not None else field_name)
    flat = _flat(values)
    listed = [v for v in flat if v is not None]
    synonyms = synonyms_of(model, name, synonyms_field)
    if synonyms_field not in (None, "synonyms") and synonyms is None:
        raise InvalidArgument(
            f"{model.__name__} has no field {synonyms_field!r} for synonyms; "
            f"fields: {', '.join(sorted(model._field_names()))}"
        )
    found = match(
        listed, _records(cls), name, case_sensitive=case_sensitive, synonyms_field=synonyms
    )
    mapper: dict[str, str | list[str]] = {}
    for value, objs in found.items():
        picked = _pick(objs, target, keep)
        if picked != value:
            mapper[value] = picked
    if mapper and not mute:
        logger.info(f"standardized {len(mapper)}/{len(listed)} term(s)")
    if return_mapper:
        return mapper
    result: list[str | list[str] | None] = [
        mapper.get(v, v) if v is not None else None for v in flat
    ]
    if isinstance(values, str) and len(result) == 1 and result[0] is not None:
        return result[0]
    return result


def from_values(
    cls: Any, values: Any, field_name: Any = None, create: bool = False, mute: bool = False
) -> list[Any]:
    """The saved records whose ``field`` is one of ``values`` (in the order of ``values``).

    Values that are not saved are logged and skipped, or with ``create=True`` returned as new
    unsaved records (``ln.save(...)`` them), as in LaminDB; nothing is written here.

    Example:
        >>> ln.ULabel.from_values(["DMSO", "IFNG"])  # doctest: +SKIP
    """
    model = _model(cls)
    name = name_field(model, field_name)
    saved = saved_values(cls, name)
    listed = list(dict.fromkeys(_listed(values)))
    missing = [v for v in listed if v not in saved]
    if missing and create:
        made = {v: model(**{name: v}) for v in missing}
        return [saved[v] if v in saved else made[v] for v in listed]
    if missing and not mute:
        logger.warning(
            f"{len(missing)} value(s) are not saved {model.__name__} records and were skipped: "
            f"{missing[:20]}; create them with {model.__name__}.from_values(values, create=True) "
            f"or ln.{model.__name__}({name}={missing[0]!r}).save()"
        )
    return [saved[v] for v in listed if v in saved]


__all__ = [
    "InspectResult",
    "from_values",
    "inspect",
    "match",
    "name_field",
    "split_synonyms",
    "standardize",
    "synonyms_of",
    "validate",
]
