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
    derived_id,
    new_record_id,
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
    "derived_id",
    "encode",
    "new_record_id",
    "schema_for",
]
