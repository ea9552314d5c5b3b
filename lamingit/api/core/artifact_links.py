"""The Artifact accessors of the curation layer, as a mixin: labels, collections, schema,
storage and ``from_dir`` (kept out of the Artifact module, which has enough to do)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, cast

from lamingit.api.core.relations import RelatedManager, related
from lamingit.models import ArtifactRecord

if TYPE_CHECKING:
    from lamingit.api.core.base import Registry
    from lamingit.api.core.labels import LabelManager
    from lamingit.api.core.storage import Storage
    from lamingit.api.registries.artifact import Artifact
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

    # The accessors below load their modules on first use, not with ``ln.Artifact``
    # (tests/test_code_quality.py counts the modules a first ``ln.Artifact`` loads).

    @property
    def labels(self) -> LabelManager:
        """Labels by feature: ``artifact.labels.add(label, feature=f)``, ``.get(f)``.

        Example:
            >>> artifact.labels.get(ln.Feature.get(name="perturbation")).to_list()  # doctest: +SKIP
        """
        from lamingit.api.core.labels import LabelManager

        return LabelManager(cast("Registry", self))  # mixed into Artifact, a Registry

    @property
    def storage(self) -> Storage:
        """The location holding this artifact's bytes here: the repository's local store
        (``artifact.storage.root``; the blob remote holds a copy once pushed).

        Example:
            >>> artifact.storage.root  # doctest: +SKIP
        """
        from lamingit.api.core.storage import artifact_storage

        return artifact_storage(self)

    @classmethod
    def from_dir(
        cls, path: str | os.PathLike[str], key: str | None = None, *, run: Any = None
    ) -> list[Artifact]:
        """Unsaved artifacts, one per file under ``path`` (sorted), keyed ``<key>/<relative path>``.

        Example:
            >>> artifacts = ln.Artifact.from_dir("raw_reads/", key="runs/2025-10")  # doctest: +SKIP
            >>> ln.save(artifacts)  # doctest: +SKIP
        """
        from lamingit.api.core.from_dir import from_dir

        return from_dir(cast("type[Artifact]", cls), path, key, run=run)

    @classmethod
    def from_mudata(
        cls,
        mdata: Any,
        key: str | None = None,
        description: str | None = None,
        run: Any = None,
        revises: Any = None,
        **kwargs: Any,
    ) -> Artifact:
        """An artifact from a MuData: ``.h5mu``, ``otype="MuData"``, ``n_observations`` set.

        Before saving, ``load()`` returns the object itself; afterwards ``load()`` reads the file
        and ``open()`` gives a backed MuData. Needs ``pip install 'lamingit[mudata]'``.

        Example:
            >>> ln.Artifact.from_mudata(mdata, key="multiome/sample1.h5mu").save()  # doctest: +SKIP
        """
        from lamingit.api.core.from_memory import from_mudata

        return from_mudata(
            cast("type[Artifact]", cls), mdata, key, description, run, revises, **kwargs
        )

    @classmethod
    def from_spatialdata(
        cls,
        sdata: Any,
        key: str | None = None,
        description: str | None = None,
        run: Any = None,
        revises: Any = None,
        **kwargs: Any,
    ) -> Artifact:
        """An artifact from a SpatialData: a ``.zarr`` directory, ``otype="SpatialData"``.

        ``n_observations`` stays unset, as in LaminDB. Before saving, ``load()`` returns the
        object itself. Needs ``pip install 'lamingit[spatialdata]'``.

        Example:
            >>> ln.Artifact.from_spatialdata(sdata, key="spatial/sample1.zarr").save()  # doctest: +SKIP
        """
        from lamingit.api.core.from_memory import from_spatialdata

        return from_spatialdata(
            cast("type[Artifact]", cls), sdata, key, description, run, revises, **kwargs
        )


__all__ = ["ArtifactLinks"]
