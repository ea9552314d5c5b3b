"""``Artifact.from_mudata``: a MuData object stored as ``.h5mu`` (mudata is an optional extra)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lamingit.api.core.formats import write_mudata
from lamingit.errors import InvalidArgument

if TYPE_CHECKING:
    from lamingit.api.registries.artifact import Artifact


def from_mudata(
    cls: type[Artifact],
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
    if type(mdata).__name__ != "MuData":
        raise InvalidArgument(f"from_mudata() takes a mudata.MuData, got {type(mdata).__name__}")
    if key is not None and not key.endswith(".h5mu"):
        raise InvalidArgument(f"key {key!r} must end in '.h5mu' for a MuData artifact")
    path = cls._view.writable_repository("save").scratch_dir() / "mudata.h5mu"
    write_mudata(mdata, path)
    artifact = cls(
        path,
        key=key,
        description=description,
        run=run,
        revises=revises,
        otype="MuData",
        n_observations=int(mdata.n_obs),
        **{"kind": "dataset", **kwargs},
    )
    if not artifact._saved:
        object.__setattr__(artifact, "_memory", mdata)
    return artifact


__all__ = ["from_mudata"]
