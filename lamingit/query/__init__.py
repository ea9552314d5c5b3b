"""Query expressions (Q), lookup parsing and the reference (brute-force) evaluator."""

from __future__ import annotations

from lamingit.query.evaluate import RecordResolver, matches
from lamingit.query.expr import OPERATORS, Condition, Q, parse_lookup
from lamingit.query.fields import SCHEMAS, FieldKind, RegistrySchema, resolve_path

__all__ = [
    "OPERATORS",
    "SCHEMAS",
    "Condition",
    "FieldKind",
    "Q",
    "RecordResolver",
    "RegistrySchema",
    "matches",
    "parse_lookup",
    "resolve_path",
]
