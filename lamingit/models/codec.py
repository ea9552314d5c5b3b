"""The one canonical byte form of a record: sorted keys, indented JSON, trailing newline."""

from __future__ import annotations

import inspect
import re
from itertools import accumulate
from typing import Any

import msgspec

from lamingit.errors import IntegrityError, ValidationError
from lamingit.models.structs import STRUCTS, BaseRecord

MAX_RECORD_BYTES = 1 << 20
"""A record's JSON is at most 1 MiB (large content belongs in an artifact's blob)."""
MAX_DEPTH = 64
"""JSON nesting of a record is at most this deep (the record itself is level 1): msgspec,
the JSON encoder and ``==`` recurse per level, and 100,000 levels raised RecursionError."""
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(rb"[\[\]{}]")

_ENCODER = msgspec.json.Encoder(order="sorted")
_DECODERS: dict[str, msgspec.json.Decoder[Any]] = {}
"""Registry → its decoder, made on first use (a struct defined later is decoded too)."""


def encode(record: BaseRecord) -> bytes:
    """Encode a record canonically, so equal records are byte-identical git blobs.

    Example:
        >>> encode(UserRecord(uid="a", created_at="t", created_by="a", handle="h"))[:1]
        b'{'
    """
    data = msgspec.json.format(_ENCODER.encode(record), indent=1) + b"\n"
    problem = bounds_problem(data)
    if problem is not None:
        # What a save may write, a pull accepts: the same limits hold on both sides.
        raise ValidationError(
            f"the {record.registry} record {record.uid} {problem}; store large or deeply "
            "nested values in an artifact instead"
        )
    return data


def json_depth(data: bytes) -> int:
    """How deeply the JSON in ``data`` nests arrays and objects (brackets in strings ignored).

    Example:
        >>> json_depth(b'{"a": [1, "]"]}')
        2
    """
    steps = (1 if b in b"[{" else -1 for b in _BRACKETS.findall(_STRING.sub(b"", data)))
    return max(accumulate(steps, initial=0))


def bounds_problem(data: bytes) -> str | None:
    """Why ``data`` is too large or too deeply nested to be a record, or None.

    Checked on the bytes, before any decoder recurses into them.

    Example:
        >>> bounds_problem(b"[" * 100 + b"]" * 100)
        'nests 100 levels deep (at most 64)'
    """
    if len(data) > MAX_RECORD_BYTES:
        return f"is {len(data)} bytes (at most {MAX_RECORD_BYTES})"
    if data.count(b"[") + data.count(b"{") <= MAX_DEPTH:
        return None  # the usual record: too few brackets to nest deeper, whatever they are in
    depth = json_depth(data)
    if depth > MAX_DEPTH:
        return f"nests {depth} levels deep (at most {MAX_DEPTH})"
    return None


def decode(registry: str, data: bytes) -> BaseRecord:
    """Decode bytes of ``registry`` into its struct; malformed input → ``IntegrityError``.

    Example:
        >>> decode("user", encode(user)).handle  # doctest: +SKIP
        'h'
    """
    decoder = _DECODERS.get(registry)
    if decoder is None:
        struct = STRUCTS.get(registry)
        if struct is None:
            raise IntegrityError(
                f"unknown registry {registry!r}; expected one of {sorted(STRUCTS)}"
            )
        decoder = _DECODERS[registry] = msgspec.json.Decoder(struct)
    problem = bounds_problem(data)
    if problem is not None:
        raise IntegrityError(
            f"a {registry} record {problem}; run `lamingit fsck` to list damaged records"
        )
    try:
        record: BaseRecord = decoder.decode(data)
    except (msgspec.DecodeError, RecursionError) as exc:
        raise IntegrityError(
            f"a {registry} record does not match its schema ({exc}); "
            "run `lamingit fsck` to list damaged records"
        ) from None
    return record


def schema_for(registry: str) -> dict[str, Any]:
    """The JSON Schema of a registry's record struct (the files in ``schemas/``).

    Example:
        >>> schema_for("user")["$ref"]
        '#/$defs/UserRecord'
    """
    result: dict[str, Any] = _clean_descriptions(msgspec.json.schema(STRUCTS[registry]))
    return result


def _clean_descriptions(node: Any) -> Any:
    # A description is a struct's docstring, whose indentation differs by Python (3.13 strips
    # it at compile time) and by msgspec (0.23 dedents, older releases kept it): cleandoc gives
    # one text for all, so the committed schema files are the same bytes everywhere.
    if isinstance(node, dict):
        return {
            key: inspect.cleandoc(value)
            if key == "description" and isinstance(value, str)
            else _clean_descriptions(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_clean_descriptions(item) for item in node]
    return node
