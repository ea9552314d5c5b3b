"""msgspec Structs, one per registry: the exact shape of a committed record.

Schema evolution rules (as msgspec recommends): new fields always get a default, existing
fields never change type. Links to other records are uids; link sets are sorted lists.
Each struct also declares its links (``to_one``, ``to_many``: field → registry) and query
aliases, so the query layer and the API read one declaration per registry.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any, ClassVar

import msgspec

STRUCTS: dict[str, type[BaseRecord]] = {}
"""Registry name → struct type, sorted; each struct enters as it is defined (``__init_subclass__``)."""


class BaseRecord(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """Fields every record carries."""

    registry: ClassVar[str] = ""
    to_one: ClassVar[dict[str, str]] = {}
    """Field holding one uid → the registry it points into (``created_by`` is implied)."""
    to_many: ClassVar[dict[str, str]] = {}
    """Field holding a sorted list of uids → the registry they point into."""
    aliases: ClassVar[dict[str, str]] = {}
    """Query spellings (LaminDB's names) → the field they mean."""
    stem_length: ClassVar[int] = 0
    """A versioned registry's family stem: a uid is the stem plus a 4-character counter
    (0: not versioned). The API's versioning mixin and ``lamingit log STEM`` read it."""
    name_lookup: ClassVar[str] = ""
    """The unique lookup by which people name a record (``"artifact.key"``), if any, whose
    value is the field itself (``lookups()`` writes it; ``lamingit log NAME`` reads it)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.registry:  # a struct with a registry name is that registry's record shape
            STRUCTS[cls.registry] = cls
            ordered = sorted(STRUCTS.items())  # by name, whatever the definition order
            STRUCTS.clear()
            STRUCTS.update(ordered)

    uid: str
    created_at: str
    created_by: str
    updated_at: str = ""
    id: int = 0
    """LaminDB's integer id: drawn at random when the record is created (``new_record_id``)
    and stored, so it never changes, not when a merge renumbers the uid of a version; 0 in
    the stored JSON (records written before ids existed, a user's record) means "derived":
    ``derived_id(uid)``, filled in when the record is decoded (docs/repository.md)."""

    def __post_init__(self) -> None:
        if not 0 < self.id < 1 << ID_BITS:  # absent (0), or out of range in a crafted record
            msgspec.structs.force_setattr(self, "id", derived_id(self.uid))

    def lookups(self) -> set[tuple[str, str]]:
        """The ``(lookup name, value)`` pairs this record is findable by (unique lookups).

        Example:
            >>> sorted(UserRecord(uid="a", created_at="", created_by="a", handle="x").lookups())
            [('user.handle', 'x')]
        """
        return set()


ID_BITS = 63
"""Ids are positive 63-bit integers: they fit int64 columns (pandas, polars, Parquet)."""


def new_record_id() -> int:
    """A fresh random id for a record being created (``secrets``: never repeats by design).

    Example:
        >>> 0 < new_record_id() < 2**63
        True
    """
    return secrets.randbits(ID_BITS) or 1


def derived_id(uid: str) -> int:
    """The id of a record that stores none: a 63-bit hash of its uid (the same in every clone).

    Example:
        >>> derived_id("abc") == derived_id("abc") > 0
        True
    """
    digest = hashlib.blake2b(uid.encode("utf-8", "surrogateescape"), digest_size=8).digest()
    return (int.from_bytes(digest, "big") >> 1) or 1


class UserRecord(BaseRecord, frozen=True):
    """A person who saves records; ``handle`` is unique."""

    registry: ClassVar[str] = "user"
    name_lookup: ClassVar[str] = "user.handle"
    handle: str
    name: str | None = None
    email: str | None = None

    def lookups(self) -> set[tuple[str, str]]:
        """See ``BaseRecord.lookups``."""
        return {("user.handle", self.handle)}


class ArtifactRecord(BaseRecord, frozen=True):
    """A file or directory stored as a content-addressed blob (``hash`` names the blob)."""

    registry: ClassVar[str] = "artifact"
    stem_length: ClassVar[int] = 16
    name_lookup: ClassVar[str] = "artifact.key"
    # order = the frame's foreign-key columns: LaminDB shows schema_id before run_id (tracking last)
    to_one: ClassVar[dict[str, str]] = {"schema": "schema", "run": "run", "transform": "transform"}
    to_many: ClassVar[dict[str, str]] = {
        "projects": "project",
        "records": "record",
        "ulabels": "ulabel",
    }
    aliases: ClassVar[dict[str, str]] = {"project": "projects", "visibility": "trashed"}
    reverse: ClassVar[dict[str, tuple[str, str]]] = {"collections": ("collection", "artifacts")}
    """Query names answered by another registry's list: name → (holder, field)."""
    key: str | None = None
    description: str | None = None
    suffix: str = ""
    size: int = 0
    hash: str = ""
    hash_type: str = "blake3"
    n_files: int | None = None
    n_observations: int | None = None
    otype: str | None = None
    kind: str | None = None
    version: str = ""
    is_latest: bool = True
    run: str | None = None
    transform: str | None = None
    trashed: bool = False
    projects: list[str] = []
    records: list[str] = []
    features: dict[str, Any] = {}
    ulabels: list[str] = []
    schema: str | None = None
    """The Schema the artifact was validated against (``Artifact.from_dataframe(df, schema=)``)."""

    def lookups(self) -> set[tuple[str, str]]:
        """See ``BaseRecord.lookups``."""
        out: set[tuple[str, str]] = set()
        # The hash entry lists trashed artifacts too: it answers "does any record still
        # reference this blob?" as well as dedup (which skips trashed ones).
        if self.hash:
            out.add(("artifact.hash", self.hash))
        if not self.trashed and self.key is not None and self.is_latest:
            out.add(("artifact.key", self.key))
        return out


class TransformRecord(BaseRecord, frozen=True):
    """A piece of code (script, notebook, function, pipeline, upload); versioned by source.

    ``parents`` are the transforms whose artifacts this transform's runs read (set when an
    input is linked; LaminDB's ``predecessors``).
    """

    registry: ClassVar[str] = "transform"
    stem_length: ClassVar[int] = 12
    name_lookup: ClassVar[str] = "transform.key"
    to_many: ClassVar[dict[str, str]] = {"projects": "project", "parents": "transform"}
    aliases: ClassVar[dict[str, str]] = {
        "name": "description",
        "type": "kind",
        "project": "projects",
        "predecessors": "parents",
    }
    key: str | None = None
    description: str | None = None
    kind: str = "pipeline"
    source_code: str | None = None
    hash: str | None = None
    reference: str | None = None
    reference_type: str | None = None
    version: str | None = None
    is_latest: bool = True
    git_commit: str | None = None
    trashed: bool = False
    projects: list[str] = []
    parents: list[str] = []
    features: dict[str, Any] = {}

    def lookups(self) -> set[tuple[str, str]]:
        """See ``BaseRecord.lookups``."""
        out: set[tuple[str, str]] = set()
        if not self.trashed and self.is_latest:
            if self.key is not None:
                out.add(("transform.key", self.key))
            if self.hash:
                out.add(("transform.hash", self.hash))
        return out


class RunRecord(BaseRecord, frozen=True):
    """One execution of a transform, with its inputs and captured context."""

    registry: ClassVar[str] = "run"
    to_one: ClassVar[dict[str, str]] = {"transform": "transform", "initiated_by_run": "run"}
    to_many: ClassVar[dict[str, str]] = {"inputs": "artifact", "projects": "project"}
    aliases: ClassVar[dict[str, str]] = {"input_artifacts": "inputs", "project": "projects"}
    transform: str
    started_at: str
    finished_at: str | None = None
    status: str = "started"
    params: dict[str, Any] = {}
    environment: dict[str, str] = {}
    report: str | None = None
    initiated_by_run: str | None = None
    reference: str | None = None
    reference_type: str | None = None
    inputs: list[str] = []
    unregistered_reads: list[str] = []
    tracking_warnings: list[str] = []
    trashed: bool = False
    projects: list[str] = []
    features: dict[str, Any] = {}


class FeatureRecord(BaseRecord, frozen=True):
    """A typed annotation dimension; ``dtype`` is a dtype name or ``cat[Record[<uid>]]``."""

    registry: ClassVar[str] = "feature"
    name_lookup: ClassVar[str] = "feature.name"
    to_one: ClassVar[dict[str, str]] = {"type": "feature"}
    name: str
    dtype: str
    description: str | None = None
    trashed: bool = False
    is_type: bool = False
    """A feature type groups features (``ln.Feature(name="Treatment", is_type=True)``)."""
    type: str | None = None
    nullable: bool = True
    """False: a curated column of this feature must have no missing values."""
    coerce: bool = False
    """True: curators cast a column to this feature's dtype (as the schema's ``coerce_dtype``)."""
    default_value: Any = None
    """Curators fill a missing column and missing values with this value."""
    synonyms: str | None = None
    """Bar-separated (|) synonyms of the name: curators and ``standardize`` map them to it."""

    def lookups(self) -> set[tuple[str, str]]:
        """See ``BaseRecord.lookups``."""
        return set() if self.trashed else {("feature.name", self.name)}


class ProjectRecord(BaseRecord, frozen=True):
    """A project that groups artifacts, runs, transforms and records."""

    registry: ClassVar[str] = "project"
    name_lookup: ClassVar[str] = "project.name"
    name: str
    description: str | None = None
    abbr: str | None = None
    """An abbreviation (``project.set_abbr("CDS")``)."""
    trashed: bool = False

    def lookups(self) -> set[tuple[str, str]]:
        """See ``BaseRecord.lookups``."""
        return set() if self.trashed else {("project.name", self.name)}


class RecordRecord(BaseRecord, frozen=True):
    """An entity of the ``Record`` registry (a sample, a cell line, a type of those)."""

    registry: ClassVar[str] = "record"
    to_one: ClassVar[dict[str, str]] = {"type": "record"}
    to_many: ClassVar[dict[str, str]] = {"parents": "record", "projects": "project"}
    aliases: ClassVar[dict[str, str]] = {"project": "projects"}
    name: str
    type: str | None = None
    is_type: bool = False
    description: str | None = None
    parents: list[str] = []
    trashed: bool = False
    projects: list[str] = []
    features: dict[str, Any] = {}

    def lookups(self) -> set[tuple[str, str]]:
        """See ``BaseRecord.lookups``."""
        # Names are unique within one type: the value is "<type uid>/<name>".
        return set() if self.trashed else {("record.name", f"{self.type or ''}/{self.name}")}


class ULabelRecord(BaseRecord, frozen=True):
    """A free-text label (LaminDB's ``ULabel``); ``is_type=True`` makes it a type of labels."""

    registry: ClassVar[str] = "ulabel"
    to_one: ClassVar[dict[str, str]] = {"type": "ulabel"}
    to_many: ClassVar[dict[str, str]] = {"parents": "ulabel", "projects": "project"}
    reverse: ClassVar[dict[str, tuple[str, str]]] = {
        "artifacts": ("artifact", "ulabels"),
        "collections": ("collection", "ulabels"),
    }
    aliases: ClassVar[dict[str, str]] = {"project": "projects"}
    name: str
    type: str | None = None
    is_type: bool = False
    description: str | None = None
    reference: str | None = None
    reference_type: str | None = None
    parents: list[str] = []
    trashed: bool = False
    projects: list[str] = []

    def lookups(self) -> set[tuple[str, str]]:
        """Names are unique within one type (``<type uid>/<name>``)."""
        return set() if self.trashed else {("ulabel.name", f"{self.type or ''}/{self.name}")}


class CollectionRecord(BaseRecord, frozen=True):
    """An ordered, versioned set of artifacts; ``hash`` is over the members' hashes in order."""

    registry: ClassVar[str] = "collection"
    stem_length: ClassVar[int] = 16
    name_lookup: ClassVar[str] = "collection.key"
    to_one: ClassVar[dict[str, str]] = {"run": "run", "transform": "transform"}
    to_many: ClassVar[dict[str, str]] = {
        "artifacts": "artifact",
        "projects": "project",
        "records": "record",
        "ulabels": "ulabel",
    }
    aliases: ClassVar[dict[str, str]] = {"project": "projects"}
    key: str | None = None
    description: str | None = None
    artifacts: list[str] = []
    """Member artifact uids in the user's order (not a set: order is what ``load()`` concatenates)."""
    hash: str = ""
    version: str = ""
    is_latest: bool = True
    run: str | None = None
    transform: str | None = None
    trashed: bool = False
    projects: list[str] = []
    records: list[str] = []
    ulabels: list[str] = []
    features: dict[str, Any] = {}

    def lookups(self) -> set[tuple[str, str]]:
        """The latest version by key; every version by hash (same members → same collection)."""
        out: set[tuple[str, str]] = set()
        if self.trashed:
            return out
        if self.hash:
            out.add(("collection.hash", self.hash))
        if self.key is not None and self.is_latest:
            out.add(("collection.key", self.key))
        return out


class SchemaRecord(BaseRecord, frozen=True):
    """A validation schema: ordered member features, their rules, and component slots.

    ``members`` are Feature uids (LaminDB's ``schema.features``); ``itype`` names the registry
    whose names validate columns when there are no members (``"Feature"``: a flexible schema);
    ``slots`` maps a component (``"obs"``, ``"var.T"``) to the uid of its Schema.
    """

    registry: ClassVar[str] = "schema"
    name_lookup: ClassVar[str] = "schema.name"
    to_one: ClassVar[dict[str, str]] = {"index": "feature"}
    to_many: ClassVar[dict[str, str]] = {"members": "feature"}
    aliases: ClassVar[dict[str, str]] = {"features": "members"}
    name: str | None = None
    description: str | None = None
    members: list[str] = []
    itype: str | None = None
    otype: str | None = None
    minimal_set: bool = True
    maximal_set: bool = False
    ordered_set: bool = False
    coerce_dtype: bool = False
    index: str | None = None
    slots: dict[str, str] = {}
    hash: str = ""
    trashed: bool = False

    def lookups(self) -> set[tuple[str, str]]:
        """Findable by name and by hash (same definition → same schema)."""
        out: set[tuple[str, str]] = set()
        if self.trashed:
            return out
        if self.hash:
            out.add(("schema.hash", self.hash))
        if self.name:
            out.add(("schema.name", self.name))
        return out
