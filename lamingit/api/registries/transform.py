"""Transform: a versioned piece of code (script, notebook, function, pipeline, upload)."""

from __future__ import annotations

from typing import Any, ClassVar

from lamingit._util import decode_counter, encode_counter, random_base62
from lamingit.api.core.base import Registry
from lamingit.api.core.commit import new_record_fields
from lamingit.api.core.queryset import QuerySet
from lamingit.api.core.relations import RelatedManager, related
from lamingit.api.present.transform_graph import view_parents
from lamingit.errors import InvalidArgument
from lamingit.models import TransformRecord
from lamingit.records import ChangeSet, replace
from lamingit.storage.hashing import hash_bytes

KINDS = ("pipeline", "notebook", "script", "function", "upload", "linker")
STEM = 12


class Transform(Registry):
    """Code that produces artifacts. Same key and same source → the same transform.

    ``name=`` and ``type=`` (the seed's spellings) are accepted for ``description=`` and
    ``kind=``.

    Example:
        >>> ln.Transform(name="Upload GWS CRISPRa result", type="upload").save()  # doctest: +SKIP
    """

    _registry: ClassVar[str] = "transform"
    _struct = TransformRecord
    _uid_length: ClassVar[int] = 16
    _stem_length: ClassVar[int] = 12
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
    ) -> None:
        description = description if description is not None else name
        kind = kind or type or "pipeline"
        if kind not in KINDS:
            raise InvalidArgument(f"kind={kind!r} is not one of {', '.join(KINDS)}")
        if key is None and description is None:
            raise InvalidArgument("a Transform needs key= (e.g. the script name) or description=")
        self._init_record(
            TransformRecord(
                **new_record_fields(random_base62(STEM) + "0000"),
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
    def runs(self) -> QuerySet[Any]:
        """Every run of this transform."""
        return self._registry_filter("run", transform=self.uid)

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
    def projects(self) -> RelatedManager[Any]:
        """Projects this transform belongs to; ``transform.projects.add(project)`` links one.

        Example:
            >>> transform.projects.add(project)  # doctest: +SKIP
        """
        return related(self, "projects")

    def view_parents(
        self, with_children: bool = False, return_graph: bool = False, path: str | None = None
    ) -> Any:
        """Draw this transform's parents (transitively), and its children if asked, as SVG.

        Inline in Jupyter; otherwise written to ``path`` (default ``./lineage_<key>.svg``)
        and the path is returned. ``return_graph=True`` returns a ``graphviz.Digraph``
        (``.lineage`` holds the data).

        Example:
            >>> ln.Transform.get(key="model.py").view_parents(with_children=True)  # doctest: +SKIP
            PosixPath('lineage_model.py.svg')
        """
        return view_parents(self, with_children, return_graph, path)

    @property
    def versions(self) -> QuerySet[Transform]:
        """All versions of this transform, newest first."""
        return type(self).filter(uid__startswith=self.uid[:STEM]).order_by("-uid")

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
        if lookup_key is not None:
            latest_uids = changes.lookup("transform.key", lookup_key)
            latest = changes.get("transform", latest_uids[0]) if latest_uids else None
            if isinstance(latest, TransformRecord):
                if latest.hash == record.hash and latest.kind == record.kind:
                    self._record = latest
                    return
                stem = latest.uid[:STEM]
        if stem is None:
            uid = record.uid
            counter = 0
        else:
            family = changes.uids_with_prefix("transform", stem)
            counter = max(decode_counter(u[STEM:]) for u in family) + 1
            uid = stem + encode_counter(counter)
            for other in family:
                prev = changes.get("transform", other)
                if isinstance(prev, TransformRecord) and prev.is_latest:
                    changes.put(replace(prev, is_latest=False))
        record = replace(record, uid=uid)
        changes.put(record, f"create transform {uid}{self._label()}")
        self._record = record
