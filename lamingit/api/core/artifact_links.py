"""The Artifact accessors of the curation layer, as a mixin: labels, collections, schema,
storage and ``from_dir`` (kept out of the Artifact module, which has enough to do)."""

from __future__ import annotations

from lamingit.api.core.from_dir import from_dir
from lamingit.api.core.from_memory import from_mudata
from lamingit.api.core.labels import LABELS, accessor, to_one
from lamingit.api.core.storage import STORAGE


class ArtifactLinks:
    """Mixed into ``ln.Artifact``: ``ulabels``, ``collections``, ``labels``, ``schema``,
    ``storage``, ``Artifact.from_dir`` and ``Artifact.from_mudata``.

    Example:
        >>> artifact.ulabels.add(ln.ULabel.get(name="DMSO"))  # doctest: +SKIP
    """

    ulabels = accessor("ulabels", "ULabels of this artifact; ``artifact.ulabels.add(label)``.")
    collections = accessor("collections", "Collections this artifact is a member of.")
    labels = LABELS
    schema = to_one(
        "schema", "The Schema it was validated against (``from_dataframe(df, schema=)``)."
    )
    storage = STORAGE
    from_dir = classmethod(from_dir)
    from_mudata = classmethod(from_mudata)


__all__ = ["ArtifactLinks"]
