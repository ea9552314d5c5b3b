"""The Artifact accessors of the curation layer, as a mixin: labels, collections, schema,
storage and ``from_dir`` (kept out of the Artifact module, which has enough to do)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from lamingit.api.core.from_dir import from_dir
from lamingit.api.core.from_memory import from_mudata, from_spatialdata
from lamingit.api.core.labels import LABELS
from lamingit.api.core.relations import RelatedManager, related
from lamingit.api.core.storage import STORAGE
from lamingit.models import ArtifactRecord

if TYPE_CHECKING:
    from lamingit.api.core.base import Registry
    from lamingit.api.registries.collection import Collection
    from lamingit.api.registries.schema import Schema
    from lamingit.api.registries.ulabel import ULabel


class ArtifactLinks:
    """Mixed into ``ln.Artifact``: ``ulabels``, ``collections``, ``labels``, ``schema``,
    ``storage``, ``Artifact.from_dir``, ``Artifact.from_mudata`` and
    ``Artifact.from_spatialdata``.

    Example:
        >>> artifact.ulabels.add(ln.ULabel.get(name="DMSO"))  # doctest: +SKIP
    """

    @property
    def ulabels(self) -> RelatedManager[ULabel]:
        """ULabels of this artifact; ``artifact.ulabels.add(label)``.

        Example:
            >>> artifact.ulabels.to_list()  # doctest: +SKIP
        """
        return related(cast("Registry", self), "ulabels")

    @property
    def collections(self) -> RelatedManager[Collection]:
        """Collections this artifact is a member of.

        Example:
            >>> [c.key for c in artifact.collections]  # doctest: +SKIP
        """
        return related(cast("Registry", self), "collections")

    @property
    def schema(self) -> Schema | None:
        """The Schema it was validated against (``from_dataframe(df, schema=)``), or None.

        Example:
            >>> artifact.schema.name  # doctest: +SKIP
        """
        owner = cast("Registry", self)
        uid = cast("ArtifactRecord", owner._record).schema
        return cast("Schema | None", owner._related("schema", uid))

    labels = LABELS
    storage = STORAGE
    from_dir = classmethod(from_dir)
    from_mudata = classmethod(from_mudata)
    from_spatialdata = classmethod(from_spatialdata)


__all__ = ["ArtifactLinks"]
