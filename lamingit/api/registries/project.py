"""Project: a named group of artifacts, runs, transforms and records."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from lamingit._util import random_base62
from lamingit.api.core.base import Registry
from lamingit.api.core.commit import new_record_fields
from lamingit.api.core.curation.synonyms import HasAbbr
from lamingit.api.core.relations import (
    Link,
    RelatedManager,
    related,
    reverse,
)
from lamingit.errors import InvalidArgument
from lamingit.models import ProjectRecord
from lamingit.records import ChangeSet

if TYPE_CHECKING:
    from lamingit.api.registries.artifact import Artifact
    from lamingit.api.registries.collection import Collection
    from lamingit.api.registries.record import Record
    from lamingit.api.registries.run import Run
    from lamingit.api.registries.transform import Transform
    from lamingit.api.registries.ulabel import ULabel


class Project(Registry, HasAbbr):
    """A project (``ln.Project(name="Cancer Drug Screen 2025").save()``); names are unique.

    Example:
        >>> p = ln.Project(name="Cancer Drug Screen 2025").save()  # doctest: +SKIP
        >>> p.artifacts.to_dataframe()  # doctest: +SKIP
    """

    _registry: ClassVar[str] = "project"
    _struct = ProjectRecord
    _links: ClassVar[dict[str, Link]] = {
        "artifacts": reverse("artifact", "projects", "project"),
        "runs": reverse("run", "projects", "project"),
        "transforms": reverse("transform", "projects", "project"),
        "records": reverse("record", "projects", "project"),
        "ulabels": reverse("ulabel", "projects", "project"),
        "collections": reverse("collection", "projects", "project"),
    }
    _uid_length: ClassVar[int] = 12
    _record: ProjectRecord

    def __init__(
        self, name: str, description: str | None = None, *, abbr: str | None = None
    ) -> None:
        if not isinstance(name, str) or not name:
            raise InvalidArgument(f"Project(name=…) needs a non-empty string, got {name!r}")
        self._init_record(
            ProjectRecord(
                **new_record_fields(random_base62(12)),
                name=name,
                description=description,
                abbr=abbr,
            )
        )

    def _stage(self, changes: ChangeSet) -> None:
        if not self._saved:
            existing = changes.lookup("project.name", self._record.name)
            found = changes.get("project", existing[0]) if existing else None
            if isinstance(found, ProjectRecord):
                self._record = found
                return
        super()._stage(changes)

    @classmethod
    def _get_fast(cls, fields: dict[str, Any]) -> Project | None:
        if set(fields) == {"name"} and isinstance(fields["name"], str):
            return cls._from_lookup("project.name", fields["name"])
        return None

    @property
    def artifacts(self) -> RelatedManager[Artifact]:
        """Artifacts linked to this project; ``project.artifacts.add(artifact)`` links one.

        Example:
            >>> project.artifacts.to_dataframe()  # doctest: +SKIP
        """
        return related(self, "artifacts")

    @property
    def runs(self) -> RelatedManager[Run]:
        """Runs linked to this project; ``project.runs.add(run)`` links one.

        Example:
            >>> project.runs.count()  # doctest: +SKIP
        """
        return related(self, "runs")

    @property
    def transforms(self) -> RelatedManager[Transform]:
        """Transforms linked to this project; ``project.transforms.add(t)`` links one.

        Example:
            >>> project.transforms.all()  # doctest: +SKIP
        """
        return related(self, "transforms")

    @property
    def records(self) -> RelatedManager[Record]:
        """Records linked to this project; ``project.records.add(record)`` links one.

        Example:
            >>> project.records.all()  # doctest: +SKIP
        """
        return related(self, "records")

    @property
    def ulabels(self) -> RelatedManager[ULabel]:
        """Labels linked to this project; ``project.ulabels.add(label)`` links one.

        Example:
            >>> project.ulabels.to_dataframe()  # doctest: +SKIP
        """
        return related(self, "ulabels")

    @property
    def collections(self) -> RelatedManager[Collection]:
        """Collections linked to this project; ``project.collections.add(c)`` links one.

        Example:
            >>> project.collections.count()  # doctest: +SKIP
        """
        return related(self, "collections")


__all__ = ["Project"]
