"""Pure-data record structs (msgspec) and their one canonical JSON codec."""

from __future__ import annotations

from lamingit.models.codec import decode, encode, schema_for
from lamingit.models.structs import (
    STRUCTS,
    ArtifactRecord,
    BaseRecord,
    CollectionRecord,
    FeatureRecord,
    ProjectRecord,
    RecordRecord,
    RunRecord,
    SchemaRecord,
    TransformRecord,
    ULabelRecord,
    UserRecord,
)

__all__ = [
    "STRUCTS",
    "ArtifactRecord",
    "BaseRecord",
    "CollectionRecord",
    "FeatureRecord",
    "ProjectRecord",
    "RecordRecord",
    "RunRecord",
    "SchemaRecord",
    "TransformRecord",
    "ULabelRecord",
    "UserRecord",
    "decode",
    "encode",
    "schema_for",
]
