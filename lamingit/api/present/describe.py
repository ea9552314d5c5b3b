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


def _display_dtype(dtype: str, snapshot: Any) -> str:
    """A feature's dtype as LaminDB shows it: a categorical names its type, not its uid."""
    for cls, registry in (("Record", "record"), ("ULabel", "ulabel")):
        if dtype.startswith(f"cat[{cls}[") and dtype.endswith("]]"):
            payload = dtype[len(f"cat[{cls}[") : -2]
            uid, sep, filters = payload.partition(", ")  # cat_filters follow the type
            if "=" in uid:  # filters only, no type
                return dtype
            type_record = snapshot.find(registry, uid)
            name = type_record.name if type_record is not None else uid
            return f"cat[{cls}[{name}{sep}{filters}]]"
    return dtype


def feature_lines(obj: Any) -> list[str]:
    """The Features section: one ``name  dtype  value`` row per value, columns aligned.

    Example:
        >>> feature_lines(artifact)  # doctest: +SKIP
        ['gc_content  float  0.55']
    """
    values = getattr(obj._record, "features", {}) or {}
    if not values:
        return []
    snapshot = obj._obj_view.snapshot()
    rows = []
    for name in sorted(values):
        dtype = "?"
        for uid in snapshot.lookup("feature.name", name):
            feature = snapshot.find("feature", uid)
            if feature is not None and not getattr(feature, "trashed", False):
                dtype = _display_dtype(feature.dtype, snapshot)
                break
        value = values[name]
        rows.append((name, dtype, value if isinstance(value, str) else repr(value)))
    w1 = max(len(r[0]) for r in rows)
    w2 = max(len(r[1]) for r in rows)
    return [f"{n:<{w1}}  {d:<{w2}}  {v}" for n, d, v in rows]


def _names(obj: Any, registry: str, uids: list[str]) -> list[str]:
    """Linked records by name (``s1``), by uid where the record is not there."""
    snapshot = obj._obj_view.snapshot()
    out = []
    for uid in uids:
        record = snapshot.find(registry, uid)
        out.append(_name(record, "name", "key", "handle", "description") if record else uid)
    return out


def _handle(obj: Any) -> str:
    creator = obj.created_by
    return str(creator.handle) if creator is not None else str(obj._record.created_by)


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
    if rec.kind:
        general.append(f"kind: {rec.kind}")
    if rec.otype:
        obs = f", {rec.n_observations} observations" if rec.n_observations is not None else ""
        general.append(f"otype: {rec.otype}{obs}")
    general.append(f"created_at: {rec.created_at}")
    general.append(f"created_by: {_handle(artifact)}")
    latest_note, is_latest = " (in trash)" if rec.trashed else "", rec.is_latest
    if artifact._saved and not rec.trashed:
        # asked of the repository, not this object: a newer version may have been saved since
        latest = artifact.versions.filter(is_latest=True).first()
        if latest is not None and latest.uid != rec.uid:
            is_latest = False
            latest_note = (
                f"  ! not the latest version; the latest is {latest.uid} (version {latest.version})"
            )
    general.append(f"is_latest: {is_latest}{latest_note}")
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
    labels = [
        f".{field:<9} {cls:<8} {', '.join(_names(artifact, registry, list(uids)))}"
        for field, cls, registry, uids in (
            ("projects", "Project", "project", rec.projects),
            ("records", "Record", "record", rec.records),
            ("ulabels", "ULabel", "ulabel", rec.ulabels),
        )
        if uids
    ]
    snapshot = artifact._obj_view.snapshot()
    return tree(
        title,
        [
            ("General", general),
            ("Lineage", lineage),
            ("Dataset", _schema_lines(snapshot, rec.schema)),
            ("Features", feature_lines(artifact)),
            ("Labels", labels),
        ],
    )


def _schema_lines(snapshot: Any, schema_uid: str | None) -> list[str]:
    """The validated schema and its features (``schema: experiment`` then one line each)."""
    schema = snapshot.find("schema", schema_uid) if schema_uid else None
    if schema is None:
        return []
    lines = [f"schema: {schema.name or schema.uid} ({schema.uid})"]
    for uid in schema.members:
        feature = snapshot.find("feature", uid)
        if feature is not None:
            lines.append(f"{feature.name}: {_display_dtype(feature.dtype, snapshot)}")
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
    general.append(f"created_at: {rec.created_at}")
    general.append(f"created_by: {_handle(collection)}")
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
    labels = [
        f".{field:<9} {cls:<8} {', '.join(_names(collection, registry, list(uids)))}"
        for field, cls, registry, uids in (
            ("projects", "Project", "project", rec.projects),
            ("records", "Record", "record", rec.records),
            ("ulabels", "ULabel", "ulabel", rec.ulabels),
        )
        if uids
    ]
    return tree(
        title,
        [
            ("General", general),
            (f"Artifacts ({len(rec.artifacts)})", members),
            ("Lineage", lineage),
            ("Labels", labels),
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
_ONE_REGISTRY = {"type": "record", "transform": "transform", "initiated_by_run": "run"}
_HIDDEN = ("features", "source_code", "environment", "updated_at", "hash_type")


_LINK_REGISTRY = {
    "inputs": "artifact",
    "projects": "project",
    "records": "record",
    "ulabels": "ulabel",
    "members": "feature",
}


def _link_line(obj: Any, field: str) -> str:
    uids: list[str] = list(getattr(obj._record, field))
    if field in _LINK_REGISTRY:
        return f"{field}: {', '.join(_names(obj, _LINK_REGISTRY[field], uids))}"
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
        value: Any = getattr(rec, field, None)  # fields differ in type; each branch knows its own
        if field in _HIDDEN or field in _LINK_FIELDS or value in (None, "", [], {}):
            continue
        if field == "trashed" and not value:
            continue
        if field == "created_by":
            value = _handle(obj)
        elif field in _ONE_REGISTRY:  # a record's type, a run's transform: by name, then uid
            named = _names(obj, _ONE_REGISTRY[field], [value])[0]
            value = value if named == value else f"{named} ({value})"
        general.append(f"{field}: {value}")
    source = getattr(rec, "source_code", None)
    if source:
        general.append(f"source_code: {len(source.splitlines())} lines")
    environment = getattr(rec, "environment", None)
    if environment:
        general.append(f"environment: {len(environment)} packages")
    links = [_link_line(obj, f) for f in _LINK_FIELDS if getattr(obj._record, f, None)]
    return tree(title, [("General", general), ("Links", links), ("Features", feature_lines(obj))])
