"""The one canonical byte form of a record: sorted keys, indented JSON, trailing newline."""

from __future__ import annotations

import inspect
from typing import Any

import msgspec

from lamingit.errors import IntegrityError
from lamingit.models.structs import STRUCTS, BaseRecord

_ENCODER = msgspec.json.Encoder(order="sorted")
_DECODERS: dict[str, msgspec.json.Decoder[Any]] = {
    name: msgspec.json.Decoder(struct) for name, struct in STRUCTS.items()
}


def encode(record: BaseRecord) -> bytes:
    """Encode a record canonically, so equal records are byte-identical git blobs.

    Example:
        >>> encode(UserRecord(uid="a", created_at="t", created_by="a", handle="h"))[:1]
        b'{'
    """
    return msgspec.json.format(_ENCODER.encode(record), indent=1) + b"\n"


def decode(registry: str, data: bytes) -> BaseRecord:
    """Decode bytes of ``registry`` into its struct; malformed input → ``IntegrityError``.

    Example:
        >>> decode("user", encode(user)).handle  # doctest: +SKIP
        'h'
    """
    try:
        decoder = _DECODERS[registry]
    except KeyError:
        raise IntegrityError(
            f"unknown registry {registry!r}; expected one of {sorted(STRUCTS)}"
        ) from None
    try:
        record: BaseRecord = decoder.decode(data)
    except msgspec.DecodeError as exc:
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
