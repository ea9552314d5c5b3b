"""Pure-data record structs (msgspec) and their one canonical JSON codec."""

from __future__ import annotations

from lamingit.models.codec import decode, encode, schema_for
from lamingit.models.structs import (
    STRUCTS,
    ArtifactRecord,
    BaseRecord,
    FeatureRecord,
    ProjectRecord,
    RecordRecord,
    RunRecord,
    TransformRecord,
    UserRecord,
)

__all__ = [
    "STRUCTS",
    "ArtifactRecord",
    "BaseRecord",
    "FeatureRecord",
    "ProjectRecord",
    "RecordRecord",
    "RunRecord",
    "TransformRecord",
    "UserRecord",
    "decode",
    "encode",
    "schema_for",
]
