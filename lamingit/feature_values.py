"""Feature dtypes: normalize a dtype spelling, validate and coerce a value, guess a dtype (pure)."""

from __future__ import annotations

import math
import re
import reprlib
import unicodedata
from datetime import date, datetime
from typing import Any

from lamingit.errors import ValidationError

SIMPLE_DTYPES: tuple[str, ...] = (
    "int",
    "float",
    "str",
    "bool",
    "date",
    "datetime",
    "dict",
    "list[int]",
    "list[float]",
    "list[str]",
)
# A feature value nests at most this deep (a dict in a list in a dict … counts each level). The
# record that stores it nests three more and a record is refused past 64 levels on arrival
# (models/codec.MAX_DEPTH), so 32 leaves room and keeps the checks below far from Python's
# recursion limit.
MAX_VALUE_DEPTH = 32
_CAT_INNER = r"cat\[(Record|ULabel)(?:\[([^\[\]]+)\])?\]"
_CAT = re.compile(rf"^(?:{_CAT_INNER}|list\[{_CAT_INNER}\])$")
"""``cat[Record]``, ``cat[ULabel[<type uid>]]``, lists of those (``list[cat[ULabel]]``), and
LaminDB's filtered form ``cat[Record[<type uid>, is_type=True, created_by__uid=…]]``."""
_UID = re.compile(r"^[0-9A-Za-z]+$")
_FILTER_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CAT_REGISTRY = {"Record": "record", "ULabel": "ulabel"}
_PY_TYPES: dict[Any, str] = {
    int: "int",
    float: "float",
    str: "str",
    bool: "bool",
    date: "date",
    datetime: "datetime",
    dict: "dict",
    list[int]: "list[int]",
    list[float]: "list[float]",
    list[str]: "list[str]",
}


def feature_name(name: str) -> str:
    """A feature name in Unicode NFC: two spellings of one word name one feature.

    Example:
        >>> feature_name("cafe\u0301") == "caf\u00e9"
        True
    """
    return unicodedata.normalize("NFC", name) if isinstance(name, str) else name


def _split_payload(payload: str) -> list[str]:
    """The comma-separated items of ``cat[Record[…]]`` (commas inside quotes do not split)."""
    items, current, quote = [], "", ""
    for ch in payload:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == ",":
            items.append(current.strip())
            current = ""
            continue
        current += ch
    items.append(current.strip())
    return items


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _parse_payload(payload: str) -> tuple[str, dict[str, str]] | None:
    """``(type uid, {filter key: raw value})`` of a bracket payload, None if malformed."""
    type_uid, filters = "", {}
    for i, item in enumerate(_split_payload(payload)):
        key, sep, value = item.partition("=")
        if not sep:
            if i != 0 or not _UID.match(item):
                return None
            type_uid = item
            continue
        key, value = key.strip(), _unquote(value.strip())
        if not _FILTER_KEY.match(key) or not value or key in filters:
            return None
        filters[key] = value
    return type_uid, filters


def format_filter_value(value: Any) -> str:
    """LaminDB's spelling of a filter value in a dtype (quoted only if it has a comma).

    Example:
        >>> format_filter_value(True), format_filter_value("a, b")
        ('True', '"a, b"')
    """
    text = str(value)
    if "," not in text:
        return text
    for quote in ('"', "'"):
        if quote not in text:
            return f"{quote}{text}{quote}"
    raise ValidationError(f"a cat_filters value cannot hold a comma and both quotes: {text!r}")


def categorical_dtype(registry: str, type_uid: str, filters: dict[str, Any]) -> str:
    """The dtype string of a categorical: ``cat[Record[<type uid>, key=value, …]]``.

    Example:
        >>> categorical_dtype("Record", "abc", {"is_type": True})
        'cat[Record[abc, is_type=True]]'
    """
    items = ([type_uid] if type_uid else []) + [
        f"{key}={format_filter_value(value)}" for key, value in filters.items()
    ]
    return f"cat[{registry}[{', '.join(items)}]]" if items else f"cat[{registry}]"


def _canonical_cat(text: str) -> str | None:
    match = _CAT.match(text)
    if match is None:
        return None
    name = match.group(1) or match.group(3)
    payload = match.group(2) or match.group(4)
    parsed = _parse_payload(payload) if payload else ("", {})
    if parsed is None:
        return None
    inner = categorical_dtype(name, *parsed)
    return f"list[{inner}]" if text.startswith("list[") else inner


def normalize_dtype(dtype: Any) -> str:
    """The canonical dtype string of a spelling: a name, a Python type, or ``cat[Record[uid]]``.

    Example:
        >>> normalize_dtype(float), normalize_dtype("list[str]")
        ('float', 'list[str]')
    """
    if isinstance(dtype, str):
        text = dtype.strip()
        if text.replace(" ", "") in SIMPLE_DTYPES:
            return text.replace(" ", "")
        canonical = _canonical_cat(text)
        if canonical is not None:
            return canonical
    else:
        try:
            found = _PY_TYPES.get(dtype)
        except TypeError:
            found = None
        if found is not None:
            return found
    raise ValidationError(
        f"dtype {dtype!r} is not supported; use one of {', '.join(SIMPLE_DTYPES)} "
        "or a Record type (ln.Record(name=..., is_type=True))"
    )


def category_type(dtype: str) -> str | None:
    """For ``cat[Record[uid]]`` (or ``cat[ULabel[uid]]``) the type's uid; ``""`` without a type;
    None for a dtype that is not categorical.

    Example:
        >>> category_type("cat[Record[abc]]"), category_type("int")
        ('abc', None)
    """
    match = _CAT.match(dtype)
    if match is None:
        return None
    payload = match.group(2) or match.group(4)
    parsed = _parse_payload(payload) if payload else None
    return parsed[0] if parsed is not None else ""


def category_filters(dtype: str) -> dict[str, Any]:
    """The ``cat_filters`` of a categorical dtype (LaminDB's ``cat[Record[uid, key=value]]``):
    lookups that the named records must also satisfy; ``True``/``False`` are booleans.

    Example:
        >>> category_filters("cat[Record[abc, is_type=False, created_by__uid=Xy]]")
        {'is_type': False, 'created_by__uid': 'Xy'}
    """
    match = _CAT.match(dtype)
    payload = (match.group(2) or match.group(4)) if match is not None else None
    parsed = _parse_payload(payload) if payload else None
    if parsed is None:
        return {}
    booleans = {"True": True, "False": False}
    return {key: booleans.get(value, value) for key, value in parsed[1].items()}


def category_registry(dtype: str) -> str | None:
    """The registry whose names a categorical dtype takes (``record`` or ``ulabel``), else None.

    Example:
        >>> category_registry("cat[ULabel[abc]]"), category_registry("cat[Record]"), category_registry("str")
        ('ulabel', 'record', None)
    """
    match = _CAT.match(dtype)
    return None if match is None else _CAT_REGISTRY[match.group(1) or match.group(3)]


def _fail(name: str, dtype: str, value: Any, hint: str = "") -> ValidationError:
    extra = f"; {hint}" if hint else ""
    return ValidationError(
        f"feature {name!r} has dtype {dtype!r}, but the value {_short(value)!r} "
        f"({type(value).__name__}) does not fit{extra}"
    )


def coerce(name: str, dtype: str, value: Any) -> Any:
    """Validate ``value`` for a feature and return what is stored (JSON-compatible).

    Dates and datetimes are stored as ISO strings; ints are accepted for floats; a
    categorical value is passed through (the caller checks it names a record of the type).

    Example:
        >>> coerce("experiment_date", "date", "2025-10-31")
        '2025-10-31'
        >>> coerce("gc_content", "float", 1)
        1.0
    """
    if value is None:
        return None
    if dtype == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise _fail(name, dtype, value)
    if dtype == "float":
        if isinstance(value, int | float) and not isinstance(value, bool):
            if isinstance(value, float) and not math.isfinite(value):
                raise _fail(name, dtype, value, _NOT_FINITE)
            return float(value)
        raise _fail(name, dtype, value)
    if dtype == "str":
        if isinstance(value, str):
            return value
        raise _fail(name, dtype, value)
    if dtype == "bool":
        if isinstance(value, bool):
            return value
        raise _fail(name, dtype, value)
    if dtype == "date":
        if isinstance(value, datetime):
            raise _fail(name, dtype, value, "pass a date, e.g. '2025-10-31'")
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return date.fromisoformat(value).isoformat()
            except ValueError:
                raise _fail(name, dtype, value, "use ISO format 'YYYY-MM-DD'") from None
        raise _fail(name, dtype, value)
    if dtype == "datetime":
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return datetime.fromisoformat(value).isoformat()
            except ValueError:
                raise _fail(name, dtype, value, "use ISO format '2025-10-31T12:00:00'") from None
        raise _fail(name, dtype, value)
    if dtype == "dict":
        if isinstance(value, dict) and all(isinstance(k, str) for k in value):
            return _plain(name, dtype, value)
        raise _fail(name, dtype, value, "dict keys must be strings")
    if dtype.startswith("list["):
        inner = dtype[5:-1]
        if not isinstance(value, list | tuple):
            raise _fail(name, dtype, value)
        out = []
        for v in value:
            try:
                out.append(coerce(name, inner, v))
            except ValidationError:
                raise _fail(
                    name, dtype, value, f"the element {_short(v)!r} is not {inner}"
                ) from None
        return out
    if category_type(dtype) is not None:
        if isinstance(value, str) and value:
            return value
        if isinstance(value, list | tuple) and all(isinstance(v, str) and v for v in value):
            return sorted(set(value))
        raise _fail(name, dtype, value, "pass the name of a record of the type")
    raise _fail(name, dtype, value, "unknown dtype")


_NOT_FINITE = "NaN, inf and -inf cannot be stored (JSON has no such numbers); leave the value out"


def _plain(name: str, dtype: str, value: Any, depth: int = 1) -> Any:
    """Check a nested value is JSON-like (dict/list/str/int/float/bool/None), finite and shallow."""
    if depth > MAX_VALUE_DEPTH:
        raise ValidationError(
            f"feature {name!r}: the value nests more than {MAX_VALUE_DEPTH} levels deep; "
            "flatten it or store it as a file artifact"
        )
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise _fail(name, dtype, value, "dict keys must be strings")
        return {k: _plain(name, dtype, v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(name, dtype, v, depth + 1) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        raise ValidationError(f"feature {name!r}: the value contains {value!r}; {_NOT_FINITE}")
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise _fail(name, dtype, value, "nested values must be JSON-like")


_REPR = reprlib.Repr()  # keyword arguments need Python 3.12
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother = 3, 80, 80


def _short(value: Any) -> Any:
    """A value an error message can show: containers as a bounded one-line repr (the full repr
    of a value nested 10,000 levels deep would exceed Python's recursion limit)."""
    return _Shown(_REPR.repr(value)) if isinstance(value, dict | list | tuple) else value


class _Shown(str):
    """A ready-made repr, shown as is by ``{!r}``."""

    def __repr__(self) -> str:
        return str(self)


def guess_dtype(value: Any) -> str:
    """The dtype a new feature for ``value`` would most likely have.

    Example:
        >>> guess_dtype("2025-10-31"), guess_dtype(0.55), guess_dtype(["a"])
        ('date', 'float', 'list[str]')
    """
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, date):
        return "date"
    if isinstance(value, dict):
        return "dict"
    if isinstance(value, list | tuple):
        # Elements are looked at one level deep only: a deeply nested list is a list[str] guess.
        inner = {"nested" if isinstance(v, list | tuple | dict) else guess_dtype(v) for v in value}
        if len(inner) == 1 and (only := inner.pop()) in ("int", "float", "str"):
            return f"list[{only}]"
        if inner <= {"int", "float"} and inner:
            return "list[float]"
        return "list[str]"
    if isinstance(value, str):
        for kind, parse in (("date", date.fromisoformat), ("datetime", datetime.fromisoformat)):
            try:
                parse(value)
            except ValueError:
                continue
            if kind == "date" and len(value) != 10:
                continue
            return kind
    return "str"


def decode_value(dtype: str, stored: Any) -> Any:
    """The Python value for a stored one: ISO strings become date / datetime objects.

    Example:
        >>> decode_value("date", "2025-10-31")
        datetime.date(2025, 10, 31)
    """
    if stored is None:
        return None
    if dtype == "date" and isinstance(stored, str):
        return date.fromisoformat(stored)
    if dtype == "datetime" and isinstance(stored, str):
        return datetime.fromisoformat(stored)
    return stored


__all__ = [
    "SIMPLE_DTYPES",
    "categorical_dtype",
    "category_filters",
    "category_registry",
    "category_type",
    "coerce",
    "decode_value",
    "feature_name",
    "guess_dtype",
    "normalize_dtype",
]
