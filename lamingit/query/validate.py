"""Checks for lookups: a value that can never fit its field, an unknown operator or field is an
error (with the nearest valid name), not an empty result."""

from __future__ import annotations

import functools
import re
import types
import typing
from collections.abc import Iterable
from typing import Any

import msgspec

from lamingit.errors import FieldError, InvalidArgument
from lamingit.models import STRUCTS
from lamingit.query.expr import OPERATORS, Condition
from lamingit.query.fields import SCHEMAS, FieldKind, resolve_path

_STRING_OPS = frozenset(
    {"contains", "icontains", "startswith", "istartswith", "endswith", "iendswith", "iexact"}
)
_ORDER_OPS = frozenset({"gt", "gte", "lt", "lte"})


def _kinds(annotation: Any) -> tuple[set[type], bool]:
    """The Python types a field's values take (element types for lists) and list-ness."""
    args = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else ()
    members = [a for a in args if a is not type(None)] or [annotation]
    found: set[type] = set()
    is_list = False
    for member in members:
        origin = typing.get_origin(member)
        if origin is list:
            is_list = True
            found.update(_kinds(typing.get_args(member)[0])[0])
        elif member is float:
            found.update({int, float})
        elif isinstance(member, type):
            found.add(member)
    return found, is_list


def _fits(value: Any, kinds: set[type]) -> bool:
    if value is None:
        return True
    if isinstance(value, bool):
        return bool in kinds
    if isinstance(value, int | float) and not isinstance(value, bool):
        return bool(kinds & {int, float})
    return any(isinstance(value, k) for k in kinds if k not in (int, float, bool))


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """`` did you mean 'x'?`` for the candidate nearest to ``name``, or ``""`` if none is near.

    Example:
        >>> did_you_mean("gtx", ["gt", "gte", "lt"])
        " did you mean 'gt'?"
        >>> did_you_mean("zzz", ["gt"])
        ''
    """
    import difflib  # only an error message needs it: not loaded with ln.Artifact

    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    if not close and len(name) > 2:
        # a prefix the user typed too long or short (``descr``) is as telling as a typo
        close = [c for c in sorted(candidates) if c.startswith(name) or name.startswith(c)][:1]
    return f" did you mean {close[0]!r}?" if close else ""


def unsupported_lookup(label: str, field: str, op: str) -> FieldError:
    """The error for ``field__op`` when ``op`` is no lookup operator (``size__gtx``).

    Example:
        >>> str(unsupported_lookup("size__gtx", "size", "gtx")).split(" lookups:")[0]
        "size__gtx: unsupported lookup 'gtx' for size; did you mean 'gt'?"
    """
    hint = did_you_mean(op, OPERATORS)
    return FieldError(
        f"{label}: unsupported lookup {op!r} for {field};{hint} "
        f"lookups: {', '.join(sorted(OPERATORS))}"
    )


def unknown_field(
    registry: str, path: tuple[str, ...], features: frozenset[str] | None
) -> FieldError:
    """The error for a path whose step names no field, relation or feature, with the nearest
    name of the registry where the walk stopped.

    Example:
        >>> str(unknown_field("artifact", ("sufix",), frozenset())).split(" fields:")[0]
        "'sufix' is neither a field of Artifact nor a feature; did you mean 'suffix'?"
    """
    current = registry
    for i, raw in enumerate(path):
        schema = SCHEMAS[current]
        name = schema.aliases.get(raw, raw)
        if name in schema.relations:
            current = schema.relations[name][0]
            continue
        if name in schema.scalars or name in schema.dicts:
            break
        if schema.has_features and i == 0 and (features is None or name in features):
            break
        candidates = set(schema.names())
        if schema.has_features and i == 0 and features:
            candidates |= features
        feats = ", ".join(sorted(features)) if features and i == 0 else "none"
        what = f"is not a field of {current.capitalize()}"
        if schema.has_features and i == 0:
            what = f"is neither a field of {current.capitalize()} nor a feature"
        return FieldError(
            f"{raw!r} {what};{did_you_mean(raw, candidates)} "
            f"fields: {', '.join(schema.names())}"
            + (f"; features: {feats}" if schema.has_features and i == 0 else "")
        )
    return FieldError(f"{'__'.join(path)} names no field of {registry.capitalize()}")


def check_condition(registry: str, cond: Condition, features: frozenset[str] | None) -> None:
    """Raise ``InvalidArgument`` when ``cond`` can never be meaningful for its field.

    Checks the operator's shape (``isnull`` a bool, ``range`` two values, ``regex`` a valid
    pattern), that a scalar field is not traversed further (``key__foo``), and that the
    value's type fits the field's (``size="big"``). Feature and dict values are not typed
    here: their types live with the features.

    Example:
        >>> check_condition("artifact", Condition(("size",), "gt", "big"), None)
        Traceback (most recent call last):
        ...
        lamingit.errors.InvalidArgument: size__gt needs int values, got 'big' (str)
    """
    label = "__".join(cond.path) + ("" if cond.op == "exact" else f"__{cond.op}")
    value = cond.value
    if cond.op == "isnull":
        if not isinstance(value, bool):
            raise InvalidArgument(f"{label} needs True or False, got {value!r}")
        return
    if cond.op == "range" and (not isinstance(value, list) or len(value) != 2):
        raise InvalidArgument(f"{label} needs two values (low, high), got {value!r}")
    if cond.op in ("regex", "iregex"):
        if not isinstance(value, str):
            raise InvalidArgument(f"{label} needs a regular expression string, got {value!r}")
        try:
            re.compile(value)
        except re.error as exc:
            raise InvalidArgument(
                f"{label}: {value!r} is not a valid regular expression ({exc})"
            ) from None
        return
    steps = resolve_path(registry, cond.path, features)
    for i, (name, kind, _reg) in enumerate(steps[:-1]):
        if kind is FieldKind.SCALAR and i + 2 == len(steps):
            raise unsupported_lookup(label, name, steps[i + 1][0])
        if kind is FieldKind.SCALAR:
            raise FieldError(
                f"{label}: {name!r} is a plain field; {steps[i + 1][0]!r} is neither a lookup "
                "operator nor a field inside it"
            )
    name, kind, owner = steps[-1]
    values = value if cond.op in ("in", "range") else [value]
    if kind in (FieldKind.ONE, FieldKind.MANY):
        expected: set[type] = {str}
        wanted = "a record or a uid"
    elif kind is FieldKind.SCALAR:
        expected, is_list = _kinds(_field_types(owner)[name])
        if not expected:
            return
        if cond.op in _STRING_OPS and not is_list:
            expected = {str}
        wanted = " or ".join(sorted(k.__name__ for k in expected)) + " values"
    else:
        return
    if cond.op in _ORDER_OPS and value is None:
        raise InvalidArgument(f"{label} cannot compare with None; use {name}__isnull=True")
    for item in values:
        if not _fits(item, expected):
            raise InvalidArgument(f"{label} needs {wanted}, got {item!r} ({type(item).__name__})")


_FEATURE_KINDS: dict[str, set[type]] = {
    "int": {int},
    "float": {int, float},
    "bool": {bool},
    "list[int]": {int},
    "list[float]": {int, float},
}


def check_feature_value(label: str, dtype: str, op: str, value: Any) -> None:
    """Raise ``InvalidArgument`` when a lookup value can never match a feature of ``dtype``.

    A string compared with an int feature would silently match nothing; this says why instead.
    Only numeric and bool dtypes are checked: dates, datetimes and categories take strings.

    Example:
        >>> check_feature_value("n_cells", "int", "exact", "100")
        Traceback (most recent call last):
        ...
        lamingit.errors.InvalidArgument: n_cells is an int feature; got '100' (str): pass int values, e.g. n_cells=100 without quotes
    """
    kinds = _FEATURE_KINDS.get(dtype)
    if kinds is None or op in ("isnull", "regex", "iregex"):
        return
    values = value if op in ("in", "range") and isinstance(value, list) else [value]
    for item in values:
        if not _fits(item, kinds) or (bool not in kinds and isinstance(item, bool)):
            wanted = " or ".join(sorted(k.__name__ for k in kinds))
            hint = f", e.g. {label}={item} without quotes" if isinstance(item, str) else ""
            raise InvalidArgument(
                f"{label} is {'an' if dtype[0] in 'i' else 'a'} {dtype} feature; got {item!r} "
                f"({type(item).__name__}): pass {wanted} values{hint}"
            )


__all__ = [
    "check_condition",
    "check_feature_value",
    "did_you_mean",
    "unknown_field",
    "unsupported_lookup",
]


@functools.cache
def _field_types(registry: str) -> dict[str, Any]:
    """Field name → annotation of a registry's struct (evaluating annotations is slow)."""
    return {f.name: f.type for f in msgspec.structs.fields(STRUCTS[registry])}
