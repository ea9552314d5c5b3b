"""Transform: a versioned piece of code (script, notebook, function, pipeline, upload)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from lamingit._util import encode_counter, utcnow_iso
from lamingit.api.core.base import HasFeatures
from lamingit.api.core.commit import new_record_fields
from lamingit.api.core.relations import (
    RUN_TRANSFORM,
    Link,
    RelatedManager,
    forward,
    related,
    reverse,
    reverse_one,
)
from lamingit.api.core.versioning import (
    COUNTER_WIDTH,
    IsVersioned,
    elect_latest,
    next_version_uid,
)
from lamingit.api.core.versioning import family as versions_of
from lamingit.api.present.transform_graph import view_parents
from lamingit.errors import FieldValidationError, InvalidArgument
from lamingit.models import TransformRecord
from lamingit.records import ChangeSet, replace
from lamingit.storage.hashing import hash_bytes

if TYPE_CHECKING:
    # Only annotated: importing tracking.source (and its notebook helpers) costs every
    # `ln.Artifact` ~8 ms.
    from lamingit.api.present.lineage_digraph import Digraph
    from lamingit.api.registries.project import Project
    from lamingit.api.registries.run import Run
    from lamingit.tracking.source import SourceInfo

KINDS = ("pipeline", "notebook", "script", "function", "upload", "linker")


class Transform(IsVersioned, HasFeatures):
    """Code that produces artifacts. Same key and same source → the same transform.

    ``name=`` and ``type=`` (the seed's spellings) are accepted for ``description=`` and
    ``kind=``.

    Example:
        >>> ln.Transform(name="Upload GWS CRISPRa result", type="upload").save()  # doctest: +SKIP
    """

    _registry: ClassVar[str] = "transform"
    _struct = TransformRecord
    _links: ClassVar[dict[str, Link]] = {
        "runs": reverse_one("run", "transform", "transform", fixed=RUN_TRANSFORM),
        "projects": forward("transform", "projects", "project"),
        "predecessors": forward("transform", "parents", "transform", no_self=True),
        "successors": reverse("transform", "parents", "transform", no_self=True),
    }
    _uid_length: ClassVar[int] = 16
    _record: TransformRecord

    def __init__(
        self,
        key: str | None = None,
        description: str | None = None,
        kind: str | None = None,
        reference: str | None = None,
        reference_type: str | None = None,
        version: str | None = None,
        source_code: str | None = None,
        *,
        name: str | None = None,
        type: str | None = None,
        git_commit: str | None = None,
        revises: Transform | None = None,
        version_tag: str | None = None,
    ) -> None:
        description = description if description is not None else name
        kind = kind or type or "pipeline"
        if kind not in KINDS:
            raise FieldValidationError(f"kind={kind!r} is not one of {', '.join(KINDS)}")
        if revises is not None and not isinstance(revises, Transform):
            raise InvalidArgument("revises= must be a Transform, e.g. ln.Transform.get(key=…)")
        if version_tag is not None and version is not None and version_tag != version:
            raise InvalidArgument(f"version_tag={version_tag!r} and version={version!r} differ")
        version = version if version is not None else version_tag
        if key is None and revises is not None:
            key = revises.key
        if key is None and description is None:
            raise InvalidArgument("a Transform needs key= (e.g. the script name) or description=")
        object.__setattr__(self, "_revises", revises)
        self._init_record(
            TransformRecord(
                **new_record_fields(self._first_uid()),
                key=key,
                description=description,
                kind=kind,
                reference=reference,
                reference_type=reference_type,
                version=version,
                source_code=source_code,
                hash=hash_bytes(source_code.encode()) if source_code is not None else None,
                git_commit=git_commit,
            )
        )

    @classmethod
    def from_path(
        cls, path: str | Path, key: str | None = None, description: str | None = None
    ) -> Transform:
        """A transform whose source code is the file at ``path`` (unsaved; call ``.save()``).

        ``key`` defaults to the file name; ``.ipynb`` files are notebooks, others scripts.
        Saving the same code again returns the existing transform; changed code under the
        same key becomes its next version.

        Example:
            >>> ln.Transform.from_path("scripts/clean.py").save()  # doctest: +SKIP
        """
        source = Path(path).expanduser()
        if not source.is_file():
            raise FileNotFoundError(f"{source} is not a file; pass the path of a script")
        try:
            code = source.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise InvalidArgument(f"{source} is not UTF-8 text; pass a script") from None
        kind = "notebook" if source.suffix == ".ipynb" else "script"
        return cls(key=key or source.name, description=description, kind=kind, source_code=code)

    def _post_load(self) -> None:
        object.__setattr__(self, "_revises", None)

    def _repr_fields(self) -> list[str]:
        # The source code is long; show it with transform.source_code.
        return [n for n in super()._repr_fields() if n != "source_code"]

    @property
    def name(self) -> str | None:
        """The seed's spelling of ``description``."""
        return self._record.description

    @property
    def type(self) -> str:
        """The seed's spelling of ``kind``."""
        return self._record.kind

    @property
    def runs(self) -> RelatedManager[Run]:
        """Every run of this transform (read-only: a run's transform is fixed).

        Example:
            >>> transform.runs.count()  # doctest: +SKIP
        """
        return related(self, "runs")

    @property
    def parents(self) -> RelatedManager[Transform]:
        """Transforms whose artifacts runs of this transform read (``predecessors``).

        Linked automatically when an input is linked to a run (``cache()``/``load()``/
        ``open()``, the watcher's matched reads, ``lamingit track/finish --input``).

        Example:
            >>> [t.key for t in ln.Transform.get(key="model.py").parents]  # doctest: +SKIP
            ['clean.py']
        """
        return related(self, "predecessors")

    predecessors = parents

    @property
    def children(self) -> RelatedManager[Transform]:
        """Transforms that have this one as a parent (``successors``).

        Example:
            >>> [t.key for t in ln.Transform.get(key="clean.py").children]  # doctest: +SKIP
            ['model.py', 'report.py']
        """
        return related(self, "successors")

    successors = children

    @property
    def projects(self) -> RelatedManager[Project]:
        """Projects this transform belongs to; ``transform.projects.add(project)`` links one.

        Example:
            >>> transform.projects.add(project)  # doctest: +SKIP
        """
        return related(self, "projects")

    def view_parents(
        self, with_children: bool = False, return_graph: bool = False, path: str | None = None
    ) -> Digraph | Path | None:
        """Draw this transform's parents (transitively), and its children if asked, as SVG.

        Inline in Jupyter; otherwise written to ``path`` (default ``./lineage_<key>.svg``)
        and the path is returned. ``return_graph=True`` returns a ``graphviz.Digraph``
        (``.lineage`` holds the data).

        Example:
            >>> ln.Transform.get(key="model.py").view_parents(with_children=True)  # doctest: +SKIP
            PosixPath('lineage_model.py.svg')
        """
        return view_parents(self, with_children, return_graph, path)

    @classmethod
    def _get_fast(cls, fields: dict[str, Any]) -> Transform | None:
        if set(fields) == {"key"} and isinstance(fields["key"], str):
            return cls._from_lookup("transform.key", fields["key"])
        return None

    def _stage(self, changes: ChangeSet) -> None:
        if self._saved:
            super()._stage(changes)
            return
        record = self._record
        lookup_key = record.key
        stem = None
        revises = self.__dict__.get("_revises")
        if revises is not None:
            stem = revises.stem_uid  # an explicit family, whatever the key
        elif lookup_key is not None:
            latest_uids = changes.lookup("transform.key", lookup_key)
            latest = changes.get("transform", latest_uids[0]) if latest_uids else None
            if isinstance(latest, TransformRecord):
                if latest.hash == record.hash and latest.kind == record.kind:
                    self._record = latest
                    return
                stem = latest.uid[: self._stem_length]
        uid = record.uid if stem is None else next_version_uid(changes, "transform", stem)[0]
        record = replace(record, uid=uid)
        changes.put(record, f"create transform {uid}{self._label()}")
        if stem is not None:
            elect_latest(changes, "transform", stem, winner=uid)  # the new version
        self._record = record


def script_transform(
    changes: ChangeSet,
    info: SourceInfo,
    uid: str | None,
    description: str | None,
    projects: list[str],
) -> tuple[TransformRecord, bool]:
    """The transform of a script's code in this transaction, and whether it is new.

    Unchanged code (same hash and kind as the family's latest) reuses that transform; changed
    code is a new version of the family named by ``uid`` (a 12-character stem or a 16-character
    uid) or by the script's key; otherwise a new family starts.

    Example:
        >>> record, created = script_transform(changes, info, None, None, [])  # doctest: +SKIP
    """
    digest = hash_bytes(info.source_code.encode())
    stem: str | None = None
    if uid is not None:
        stem = uid[: Transform._stem_length]
    else:
        latest_uids = changes.lookup("transform.key", info.key)
        if latest_uids:
            stem = latest_uids[0][: Transform._stem_length]
    family: list[TransformRecord] = []
    if stem is not None:
        family = [
            r for r in versions_of(changes, "transform", stem) if isinstance(r, TransformRecord)
        ]
    alive = [r for r in family if not r.trashed]
    latest = next((r for r in alive if r.is_latest), alive[-1] if alive else None)
    wanted_description = description or info.description
    if latest is not None and latest.hash == digest and latest.kind == info.kind:
        updated = latest
        if projects and not set(projects) <= set(latest.projects):
            updated = replace(updated, projects=sorted({*latest.projects, *projects}))
        if description and latest.description != description:
            updated = replace(updated, description=description)
        if updated is not latest:
            changes.put(replace(updated, updated_at=utcnow_iso()))
        return updated, False
    if family:
        assert stem is not None
        new_uid = next_version_uid(changes, "transform", stem)[0]
        if uid is not None and len(uid) == 16 and uid not in {r.uid for r in family}:
            new_uid = uid
    elif uid is not None:
        new_uid = uid if len(uid) == 16 else uid + encode_counter(0, COUNTER_WIDTH)
    else:
        new_uid = Transform._first_uid()
    record = TransformRecord(
        **new_record_fields(new_uid),
        key=info.key,
        description=wanted_description,
        kind=info.kind,
        source_code=info.source_code,
        hash=digest,
        git_commit=info.git_commit,
        projects=projects,
    )
    verb = "create" if not family else "save new version of"
    changes.put(record, f"{verb} transform {new_uid} ({info.key})")
    if stem is not None and family:
        elect_latest(changes, "transform", stem, winner=new_uid)
    return record, True


__all__ = ["KINDS", "Transform", "script_transform"]
