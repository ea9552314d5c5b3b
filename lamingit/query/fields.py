"""What each registry's lookups may name: fields, relations, dict fields, features.

This is the query vocabulary shared by the brute-force evaluator and the Parquet index.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import msgspec

from lamingit.errors import InvalidArgument
from lamingit.models import STRUCTS


class FieldKind(enum.Enum):
    """How a path step is interpreted."""

    SCALAR = "scalar"
    DICT = "dict"
    ONE = "one"
    MANY = "many"
    FEATURE = "feature"


@dataclass(frozen=True)
class RegistrySchema:
    """The queryable names of one registry."""

    registry: str
    scalars: frozenset[str]
    dicts: frozenset[str]
    relations: dict[str, tuple[str, FieldKind]]
    aliases: dict[str, str]
    has_features: bool

    def names(self) -> list[str]:
        """Every queryable name, sorted (for error messages)."""
        return sorted(self.scalars | self.dicts | set(self.relations) | set(self.aliases))


_DICTS = frozenset({"params", "environment"})


def _schema(registry: str) -> RegistrySchema:
    struct = STRUCTS[registry]
    names = {f.name for f in msgspec.structs.fields(struct)}
    # The links come from the struct's own declaration (models/structs.py).
    relations = {name: (target, FieldKind.ONE) for name, target in struct.to_one.items()}
    relations.update({name: (target, FieldKind.MANY) for name, target in struct.to_many.items()})
    relations["created_by"] = ("user", FieldKind.ONE)
    dicts = frozenset(names & _DICTS)
    scalars = frozenset(names - set(relations) - dicts - {"features"})
    return RegistrySchema(
        registry=registry,
        scalars=scalars,
        dicts=dicts,
        relations=relations,
        aliases=dict(struct.aliases),
        has_features="features" in names,
    )


SCHEMAS: dict[str, RegistrySchema] = {name: _schema(name) for name in STRUCTS}
"""Registry → its query schema."""


def resolve_path(
    registry: str, path: tuple[str, ...], features: frozenset[str] | None = None
) -> list[tuple[str, FieldKind, str]]:
    """Classify each step of ``path`` as ``(name, kind, registry it belongs to)``.

    A first step that is no field is a feature name (if ``features`` is None any name is
    accepted as a feature; otherwise it must be one of ``features``). Steps after a dict
    field or a feature are keys into the nested value.

    Example:
        >>> [k.value for _, k, _ in resolve_path("artifact", ("run", "transform", "key"))]
        ['one', 'one', 'scalar']
    """
    steps: list[tuple[str, FieldKind, str]] = []
    current = registry
    for i, raw in enumerate(path):
        schema = SCHEMAS[current]
        name = schema.aliases.get(raw, raw)
        if name in schema.relations:
            target, kind = schema.relations[name]
            steps.append((name, kind, current))
            current = target
            continue
        if name in schema.scalars:
            steps.append((name, FieldKind.SCALAR, current))
        elif name in schema.dicts:
            steps.append((name, FieldKind.DICT, current))
        elif schema.has_features and i == 0 and (features is None or name in features):
            steps.append((name, FieldKind.FEATURE, current))
        else:
            known = ", ".join(schema.names())
            feats = ", ".join(sorted(features)) if features else "none"
            raise InvalidArgument(
                f"{raw!r} is neither a field of {current.capitalize()} nor a feature; "
                f"fields: {known}; features: {feats}"
            )
        steps.extend((key, FieldKind.DICT, current) for key in path[i + 1 :])
        return steps
    return steps
