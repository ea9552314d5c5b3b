"""The ``run`` and ``transform`` accessors of records a run makes (Artifact, Collection),
declared once as a mixin; the relation is resolved by registry name through the catalog."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from lamingit.api.core.base import Registry

if TYPE_CHECKING:
    from lamingit.api.registries.run import Run
    from lamingit.api.registries.transform import Transform
    from lamingit.models import ArtifactRecord, CollectionRecord


class MadeByRun(Registry):
    """Mixed into registries whose records carry ``run`` and ``transform`` uids.

    Example:
        >>> ln.Artifact.get(key="figures/umap.png").transform.key  # doctest: +SKIP
        'make_figures.py'
    """

    _record: ArtifactRecord | CollectionRecord

    @property
    def run(self) -> Run | None:
        """The Run that created this record (None when it was saved outside a run).

        Example:
            >>> ln.Artifact.get(key="figures/umap.png").run.status  # doctest: +SKIP
            'completed'
        """
        return cast("Run | None", self._related("run", self._record.run))

    @property
    def transform(self) -> Transform | None:
        """The Transform whose run created this record.

        Example:
            >>> ln.Collection.get(key="batches").transform.kind  # doctest: +SKIP
            'script'
        """
        return cast("Transform | None", self._related("transform", self._record.transform))
