"""Text trees for ``describe()``: the metadata, lineage and annotations of one record."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lamingit.api.registries.artifact import Artifact


def human_size(n: int) -> str:
    """Bytes as a short human-readable size.

    Example:
        >>> human_size(2048)
        '2.0 KB'
    """
    size = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{int(size)} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def tree(title: str, sections: list[tuple[str, list[str]]]) -> str:
    """Render a title and sections of lines as a box-drawing tree.

    Example:
        >>> print(tree("Artifact: a.csv (1)", [("General", ["uid: x"])]))
        Artifact: a.csv (1)
        └── General
            └── uid: x
    """
    lines = [title]
    shown = [(name, items) for name, items in sections if items]
    for i, (name, items) in enumerate(shown):
        last = i == len(shown) - 1
        lines.append(f"{'└──' if last else '├──'} {name}")
        pad = "    " if last else "│   "
        for j, item in enumerate(items):
            lines.append(f"{pad}{'└──' if j == len(items) - 1 else '├──'} {item}")
    return "\n".join(lines)


def _name(obj: Any, *fields: str) -> str:
    for field in fields:
        value = getattr(obj, field, None)
        if value:
            return str(value)
    return str(obj.uid)


def describe_artifact(artifact: Artifact) -> str:
    """The describe() tree of an artifact.

    Example:
        >>> print(describe_artifact(artifact))  # doctest: +SKIP
    """
    rec = artifact._record
    title = f"Artifact: {rec.key or rec.description or rec.uid} ({rec.version or 'unsaved'})"
    general = [
        f"uid: {rec.uid}",
        f"hash: {rec.hash} ({rec.hash_type})",
        f"size: {human_size(rec.size)}" + (f" in {rec.n_files} files" if rec.n_files else ""),
        f"suffix: {rec.suffix or '(none)'}",
    ]
    if rec.description:
        general.append(f"description: {rec.description}")
    if rec.otype:
        obs = f", {rec.n_observations} observations" if rec.n_observations is not None else ""
        general.append(f"otype: {rec.otype}{obs}")
    creator = artifact.created_by
    general.append(f"created_at: {rec.created_at}")
    general.append(f"created_by: {creator.handle if creator else rec.created_by}")
    general.append(f"is_latest: {rec.is_latest}" + (" (in trash)" if rec.trashed else ""))
    general.append(f"storage path: {artifact.path}")
    lineage: list[str] = []
    if artifact._saved and rec.run:
        run = artifact.run
        transform = artifact.transform
        lineage.append(f"run: {rec.run}" + (f" (started {run.started_at})" if run else ""))
        if transform is not None:
            lineage.append(
                f"transform: {_name(transform, 'key', 'description')} ({transform.kind})"
            )
    features = [f"{k}: {v!r}" for k, v in sorted(rec.features.items())]
    snapshot = artifact._obj_view.snapshot()
    labels = _names(snapshot, "ulabel", rec.ulabels, "ULabel") + _names(
        snapshot, "record", rec.records, "Record"
    )
    projects = list(rec.projects)
    return tree(
        title,
        [
            ("General", general),
            ("Lineage", lineage),
            ("Dataset", _schema_lines(snapshot, rec.schema)),
            ("Features", features),
            ("Labels", labels),
            ("Projects", projects),
        ],
    )


def _names(snapshot: Any, registry: str, uids: list[str], label: str) -> list[str]:
    """``["ULabel: DMSO, IFNG"]``: linked records by name (uid when one is gone)."""
    if not uids:
        return []
    names = []
    for uid in uids:
        record = snapshot.find(registry, uid)
        names.append(str(getattr(record, "name", uid)) if record is not None else uid)
    return [f"{label}: {', '.join(sorted(names))}"]


def _schema_lines(snapshot: Any, schema_uid: str | None) -> list[str]:
    """The validated schema and its features (``schema: experiment`` then one line each)."""
    schema = snapshot.find("schema", schema_uid) if schema_uid else None
    if schema is None:
        return []
    lines = [f"schema: {schema.name or schema.uid} ({schema.uid})"]
    for uid in schema.members:
        feature = snapshot.find("feature", uid)
        if feature is not None:
            lines.append(f"{feature.name}: {feature.dtype}")
    for slot, uid in sorted(schema.slots.items()):
        component = snapshot.find("schema", uid)
        name = getattr(component, "name", None) or uid
        lines.append(f"slot {slot}: {name}")
    return lines


def describe_collection(collection: Any) -> str:
    """The describe() tree of a collection: general, members in order, lineage, labels.

    Example:
        >>> print(describe_collection(collection))  # doctest: +SKIP
        Collection: batches (2)
    """
    rec = collection._record
    snapshot = collection._obj_view.snapshot()
    title = f"Collection: {rec.key or rec.description or rec.uid} ({rec.version or 'unsaved'})"
    general = [f"uid: {rec.uid}", f"hash: {rec.hash}"]
    if rec.description:
        general.append(f"description: {rec.description}")
    creator = collection.created_by
    general.append(f"created_at: {rec.created_at}")
    general.append(f"created_by: {creator.handle if creator else rec.created_by}")
    general.append(f"is_latest: {rec.is_latest}" + (" (in trash)" if rec.trashed else ""))
    members = []
    for uid in rec.artifacts:
        artifact = snapshot.find("artifact", uid)
        members.append(f"{_name(artifact, 'key', 'description')} ({uid})" if artifact else uid)
    lineage = [f"run: {rec.run}"] if rec.run else []
    if rec.transform:
        transform = snapshot.find("transform", rec.transform)
        if transform is not None:
            lineage.append(f"transform: {_name(transform, 'key', 'description')}")
    labels = _names(snapshot, "ulabel", rec.ulabels, "ULabel") + _names(
        snapshot, "record", rec.records, "Record"
    )
    return tree(
        title,
        [
            ("General", general),
            (f"Artifacts ({len(rec.artifacts)})", members),
            ("Lineage", lineage),
            ("Labels", labels),
            ("Projects", list(rec.projects)),
        ],
    )


_LINK_FIELDS = (
    "inputs",
    "projects",
    "parents",
    "records",
    "ulabels",
    "members",
    "unregistered_reads",
)
_HIDDEN = ("features", "source_code", "environment", "updated_at", "hash_type")


def _link_line(obj: Any, field: str) -> str:
    uids: list[str] = list(getattr(obj._record, field))
    if field != "parents":
        return f"{field}: {', '.join(uids)}"
    # Parents are records of the same registry: name them, a bare uid says little.
    snapshot = obj._obj_view.snapshot()
    shown = []
    for uid in uids:
        parent = snapshot.find(type(obj)._registry, uid)
        name = _name(parent, "key", "name", "description") if parent is not None else None
        shown.append(uid if name in (None, uid) else f"{name} ({uid})")
    return f"parents: {', '.join(shown)}"


def describe_record(obj: Any) -> str:
    """The describe() tree of any record: its fields, links, features and, for runs, inputs.

    Example:
        >>> print(describe_record(run))  # doctest: +SKIP
        Run: 783mzJn7MasvMRA0hihi
        ├── General
    """
    rec = obj._record
    registry = type(obj).__name__
    label = _name(rec, "key", "name", "handle", "description")
    title = f"{registry}: {label}" + (f" ({rec.version})" if getattr(rec, "version", None) else "")
    general = []
    for field in type(obj)._columns():
        value = getattr(rec, field, None)
        if field in _HIDDEN or field in _LINK_FIELDS or value in (None, "", [], {}):
            continue
        if field == "trashed" and not value:
            continue
        if field == "created_by":
            creator = obj.created_by
            value = creator.handle if creator is not None else value
        general.append(f"{field}: {value}")
    source = getattr(rec, "source_code", None)
    if source:
        general.append(f"source_code: {len(source.splitlines())} lines")
    environment = getattr(rec, "environment", None)
    if environment:
        general.append(f"environment: {len(environment)} packages")
    links = [_link_line(obj, f) for f in _LINK_FIELDS if getattr(obj._record, f, None)]
    features = [f"{k}: {v!r}" for k, v in sorted(getattr(rec, "features", {}).items())]
    return tree(title, [("General", general), ("Links", links), ("Features", features)])
