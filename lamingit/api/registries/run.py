"""Run: one execution of a transform, with params, environment, report, inputs and outputs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from lamingit._util import random_base62, utcnow_iso
from lamingit.api.core import catalog
from lamingit.api.core.base import HasFeatures
from lamingit.api.core.commit import new_record_fields
from lamingit.api.core.relations import (
    Link,
    RelatedManager,
    follow_run,
    forward,
    link_inputs,
    link_output,
    related,
    reverse_one,
)
from lamingit.errors import InvalidArgument
from lamingit.models import RunRecord
from lamingit.records import ChangeSet, replace
from lamingit.tracking import context as run_context

if TYPE_CHECKING:
    from lamingit.api.registries.artifact import Artifact
    from lamingit.api.registries.collection import Collection
    from lamingit.api.registries.project import Project
    from lamingit.api.registries.transform import Transform


class Run(HasFeatures):
    """A run of a transform (``ln.Run(transform=t)``; ``ln.track()`` makes one for you).

    Example:
        >>> run = ln.Run(transform=ln.Transform(key="cellranger", kind="pipeline"))  # doctest: +SKIP
        >>> ln.Artifact("counts.h5ad", key="counts.h5ad", run=run).save()  # doctest: +SKIP
    """

    _registry: ClassVar[str] = "run"
    _struct = RunRecord
    _links: ClassVar[dict[str, Link]] = {
        "input_artifacts": forward("run", "inputs", "artifact", on_link=link_inputs),
        "projects": forward("run", "projects", "project"),
        "output_artifacts": reverse_one(
            "artifact",
            "run",
            "run",
            on_link=link_output,
            companions=follow_run,
            also=("transform",),
        ),
        "output_collections": reverse_one(
            "collection", "run", "run", companions=follow_run, also=("transform",)
        ),
    }
    _uid_length: ClassVar[int] = 20
    _record: RunRecord
    _transform_obj: Transform | None

    def __init__(
        self,
        transform: Transform,
        params: dict[str, Any] | None = None,
        reference: str | None = None,
        reference_type: str | None = None,
        initiated_by_run: Run | None = None,
    ) -> None:
        if not isinstance(transform, catalog.registry_class("transform")):
            raise InvalidArgument(
                "Run(transform=…) needs an ln.Transform, e.g. ln.Transform(key='x.py')"
            )
        ctx = run_context.active()
        parent = initiated_by_run.uid if initiated_by_run is not None else None
        self._init_record(
            RunRecord(
                **new_record_fields(random_base62(20)),
                transform=transform.uid,
                started_at=utcnow_iso(),
                params=dict(params or {}),
                reference=reference,
                reference_type=reference_type,
                initiated_by_run=parent,
                projects=sorted(ctx.projects) if ctx else [],
            )
        )
        object.__setattr__(self, "_transform_obj", transform)

    def _post_load(self) -> None:
        object.__setattr__(self, "_transform_obj", None)

    def _repr_fields(self) -> list[str]:
        # The package list is long; show it with run.environment.
        return [n for n in super()._repr_fields() if n != "environment"]

    @property
    def transform_uid(self) -> str:
        """The uid of this run's transform (after the transform is saved)."""
        if self._transform_obj is not None:
            return str(self._transform_obj.uid)
        return self._record.transform

    def _stage(self, changes: ChangeSet) -> None:
        transform = self._transform_obj
        if transform is not None and not transform._saved:
            transform._stage(changes)
        if transform is not None and self._record.transform != transform.uid:
            self._record = replace(self._record, transform=transform.uid)
        super()._stage(changes)

    def _after_save(self) -> None:
        super()._after_save()
        if self._transform_obj is not None:
            self._transform_obj._after_save()

    @property
    def transform(self) -> Transform | None:
        """The Transform this run executed (None only if its record is missing)."""
        if self._transform_obj is not None:
            return self._transform_obj
        return cast("Transform | None", self._related("transform", self._record.transform))

    @property
    def input_artifacts(self) -> RelatedManager[Artifact]:
        """Artifacts this run read (``run.inputs`` is the same); ``.add(artifact)`` links one.

        Example:
            >>> run.input_artifacts.add(ln.Artifact.get(key="raw.csv"))  # doctest: +SKIP
        """
        return related(self, "input_artifacts")

    inputs = input_artifacts

    @property
    def projects(self) -> RelatedManager[Project]:
        """Projects this run belongs to; ``run.projects.add(project)`` links one.

        Example:
            >>> run.projects.add(project)  # doctest: +SKIP
        """
        return related(self, "projects")

    @property
    def output_artifacts(self) -> RelatedManager[Artifact]:
        """Artifacts this run created (``run.outputs`` is the same); ``.add(a)`` sets ``a.run``.

        Example:
            >>> run.output_artifacts.add(ln.Artifact.get(key="result.csv"))  # doctest: +SKIP
        """
        return related(self, "output_artifacts")

    outputs = output_artifacts

    @property
    def output_collections(self) -> RelatedManager[Collection]:
        """Collections this run created; ``.add(c)`` sets ``c.run``.

        Example:
            >>> run.output_collections.count()  # doctest: +SKIP
        """
        return related(self, "output_collections")

    @property
    def report(self) -> str | None:
        """The captured stdout/stderr of a tracked run (stored as a blob), or None."""
        oid = self._record.report
        if oid is None:
            return None
        return self._obj_view.repository().blobs.read_bytes(oid).decode(errors="replace")

    @property
    def initiated_by_run(self) -> Run | None:
        """The run that called this one (for ``@ln.tracked`` functions)."""
        return cast("Run | None", self._related("run", self._record.initiated_by_run))
