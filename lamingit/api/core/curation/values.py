"""LaminDB's ``CanCurate`` verbs on every registry: validate, inspect, standardize, from_values.

Values are compared with one field of the registry's saved records (its name field unless
``field=`` says otherwise); nothing here writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self

from lamingit._log import logger
from lamingit.errors import InvalidArgument

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

NAME_FIELDS = ("name", "handle", "key", "description")


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


def _listed(values: Any) -> list[str]:
    if isinstance(values, str):
        return [values]
    if not isinstance(values, Iterable):
        raise InvalidArgument(f"pass a list of values, got {values!r}")
    return [str(v) for v in values]


def saved_values(cls: Any, field_name: str) -> dict[str, Any]:
    """Saved value of ``field_name`` → the record holding it (records not in the trash)."""
    out: dict[str, Any] = {}
    for obj in cls.filter():
        value = getattr(obj._record, field_name, None)
        if value is not None:
            out.setdefault(str(value), obj)
    return out


@dataclass
class InspectResult:
    """What ``Registry.inspect`` found: the values that are saved and those that are not."""

    validated: list[str] = field(default_factory=list)
    non_validated: list[str] = field(default_factory=list)
    suggestions: dict[str, str] = field(default_factory=dict)
    """Non-validated value → the closest saved value (typos, case)."""

    @property
    def frac_validated(self) -> float:
        """The share of distinct values that are saved."""
        total = len(self.validated) + len(self.non_validated)
        return len(self.validated) / total if total else 1.0


def validate(
    cls: Any, values: Any, field_name: Any = None, mute: bool = False
) -> npt.NDArray[np.bool_]:
    """A boolean numpy array: which ``values`` are saved values of ``field``.

    Example:
        >>> ln.ULabel.validate(["DMSO", "IFNJ"])  # doctest: +SKIP
        array([ True, False])
    """
    import numpy as np

    name = name_field(cls, field_name)
    listed = _listed(values)
    saved = saved_values(cls, name)
    result = np.array([v in saved for v in listed], dtype=bool)
    bad = sorted({v for v, ok in zip(listed, result, strict=True) if not ok})
    if bad and not mute:
        logger.warning(f"{len(bad)} value(s) not validated in {cls.__name__}.{name}: {bad[:20]}")
    return result


def inspect(cls: Any, values: Any, field_name: Any = None, mute: bool = False) -> InspectResult:
    """Which distinct ``values`` are saved, which are not, and suggestions for the latter.

    Example:
        >>> ln.ULabel.inspect(["DMSO", "dmso", "IFNJ"]).non_validated  # doctest: +SKIP
        ['IFNJ', 'dmso']
    """
    name = name_field(cls, field_name)
    saved = saved_values(cls, name)
    distinct = sorted(set(_listed(values)))
    result = InspectResult(
        validated=[v for v in distinct if v in saved],
        non_validated=[v for v in distinct if v not in saved],
    )
    from lamingit.api.core.curation.checks import suggest  # not loaded with ln.Artifact

    names = list(saved)
    for value in result.non_validated:
        hint = suggest(value, names)
        if hint is not None:
            result.suggestions[value] = hint
    if result.non_validated and not mute:
        logger.warning(
            f"{len(result.non_validated)} value(s) not validated in {cls.__name__}.{name}: "
            + ", ".join(
                f"{v!r} (did you mean {result.suggestions[v]!r}?)"
                if v in result.suggestions
                else repr(v)
                for v in result.non_validated[:20]
            )
        )
    return result


def standardize(
    cls: Any,
    values: Any,
    field_name: Any = None,
    return_mapper: bool = False,
    case_sensitive: bool = False,
) -> list[str] | dict[str, str]:
    """Values replaced by the saved value they are a case/spelling variant of.

    Only unambiguous variants are replaced (``"b-cell"`` → ``"B cell"``); other values stay.
    ``return_mapper=True`` returns ``{value: standardized}`` for the replaced ones.

    Example:
        >>> ln.ULabel.standardize(["dmso", "IFNG"])  # doctest: +SKIP
        ['DMSO', 'IFNG']
    """
    name = name_field(cls, field_name)
    listed = _listed(values)
    saved = list(saved_values(cls, name))
    from lamingit.api.core.curation.checks import canonical  # not loaded with ln.Artifact

    mapper: dict[str, str] = {}
    for value in sorted(set(listed)):
        if value in saved or case_sensitive:
            continue
        found = canonical(value, saved)
        if found is not None:
            mapper[value] = found
    if return_mapper:
        return mapper
    return [mapper.get(v, v) for v in listed]


def from_values(cls: Any, values: Any, field_name: Any = None) -> list[Any]:
    """The saved records whose ``field`` is one of ``values`` (in the order of ``values``);
    values that are not saved are logged, never created.

    Example:
        >>> ln.ULabel.from_values(["DMSO", "IFNG"])  # doctest: +SKIP
    """
    name = name_field(cls, field_name)
    saved = saved_values(cls, name)
    listed = list(dict.fromkeys(_listed(values)))
    missing = [v for v in listed if v not in saved]
    if missing:
        logger.warning(
            f"{len(missing)} value(s) are not saved {cls.__name__} records and were skipped: "
            f"{missing[:20]}; create them first, e.g. ln.{cls.__name__}({name}={missing[0]!r}).save()"
        )
    return [saved[v] for v in listed if v in saved]


class CanCurate:
    """LaminDB's ``CanCurate`` on every registry class (mixed into ``Registry``)."""

    @classmethod
    def validate(cls, values: Any, field: Any = None, mute: bool = False) -> npt.NDArray[np.bool_]:
        """Which ``values`` are saved values of ``field`` (default: the name field), as a
        boolean array.

        Example:
            >>> ln.ULabel.validate(["DMSO", "IFNJ"])  # doctest: +SKIP
            array([ True, False])
        """
        return validate(cls, values, field, mute)

    @classmethod
    def inspect(cls, values: Any, field: Any = None, mute: bool = False) -> InspectResult:
        """Validated and non-validated distinct ``values``, with "did you mean" suggestions.

        Example:
            >>> ln.ULabel.inspect(["DMSO", "dmso"]).non_validated  # doctest: +SKIP
            ['dmso']
        """
        return inspect(cls, values, field, mute)

    @classmethod
    def standardize(
        cls,
        values: Any,
        field: Any = None,
        return_mapper: bool = False,
        case_sensitive: bool = False,
    ) -> list[str] | dict[str, str]:
        """``values`` with case/spelling variants replaced by the saved value.

        Example:
            >>> ln.ULabel.standardize(["dmso"])  # doctest: +SKIP
            ['DMSO']
        """
        return standardize(cls, values, field, return_mapper, case_sensitive)

    @classmethod
    def from_values(cls, values: Any, field: Any = None) -> list[Self]:
        """The saved records whose ``field`` is one of ``values`` (never creates any).

        Example:
            >>> ln.ULabel.from_values(["DMSO", "IFNG"])  # doctest: +SKIP
        """
        return from_values(cls, values, field)


__all__ = [
    "CanCurate",
    "InspectResult",
    "from_values",
    "inspect",
    "name_field",
    "standardize",
    "validate",
]
