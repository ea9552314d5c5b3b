"""Artifacts from objects in memory: the staging step of ``from_dataframe``/``from_anndata``,
``Artifact.from_mudata`` (``.h5mu``) and ``Artifact.from_spatialdata`` (a ``.zarr`` store);
mudata and spatialdata are optional extras."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lamingit.api.core.formats import write_mudata
from lamingit.api.core.formats_spatial import write_spatialdata
from lamingit.api.core.keys import suffix_of
from lamingit.errors import InvalidArgument
from lamingit.records import replace

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
    return staged_object(
        cls,
        mdata,
        "mudata.h5mu",
        write_mudata,
        otype="MuData",
        n_observations=int(mdata.n_obs),
        fields={"key": key, "description": description, "run": run, "revises": revises, **kwargs},
    )


def from_spatialdata(
    cls: type[Artifact],
    sdata: Any,
    key: str | None = None,
    description: str | None = None,
    run: Any = None,
    revises: Any = None,
    **kwargs: Any,
) -> Artifact:
    """An artifact from a SpatialData: a ``.zarr`` directory, ``otype="SpatialData"``.

    As in LaminDB, ``n_observations`` stays unset (a SpatialData has no single count of
    observations). Before saving, ``load()`` returns the object itself; afterwards ``load()``
    reads the store (``spatialdata.read_zarr``) and ``open()`` gives a read-only
    ``SpatialDataAccessor`` (its ``tables``). Needs ``pip install 'lamingit[spatialdata]'``.

    Example:
        >>> ln.Artifact.from_spatialdata(sdata, key="spatial/sample1.zarr").save()  # doctest: +SKIP
    """
    if type(sdata).__name__ != "SpatialData":
        raise InvalidArgument(
            f"from_spatialdata() takes a spatialdata.SpatialData, got {type(sdata).__name__}"
        )
    if key is not None and (
        not key.lower().endswith(".zarr") or key.lower().endswith(".anndata.zarr")
    ):
        raise InvalidArgument(
            f"key {key!r} must end in '.zarr' (not '.anndata.zarr') for a SpatialData "
            "artifact, e.g. 'spatial/sample1.zarr'"
        )
    suffix = suffix_of(key) if key is not None else ".zarr"
    return staged_object(
        cls,
        sdata,
        f"sdata{suffix}",
        write_spatialdata,
        otype="SpatialData",
        n_observations=None,
        fields={"key": key, "description": description, "run": run, "revises": revises, **kwargs},
    )


def staged_object(
    cls: type[Artifact],
    obj: Any,
    name: str,
    write: Callable[[Any, Path], None],
    *,
    otype: str,
    n_observations: int | None,
    fields: dict[str, Any],
    annotation: dict[str, Any] | None = None,
) -> Artifact:
    """An unsaved dataset artifact of ``obj``, written by ``write`` to the scratch file ``name``.

    Until it is saved, ``load()`` returns ``obj`` itself; ``annotation`` (a validated schema's
    fields) goes on the record unless the content deduplicated to an existing artifact.

    Example:
        >>> staged_object(ln.Artifact, df, "dataframe.parquet", write_dataframe, otype="DataFrame",
        ...               n_observations=len(df), fields={"key": "a.parquet"})  # doctest: +SKIP
    """
    path = cls._view.writable_repository("save").scratch_dir() / name
    write(obj, path)
    artifact = cls(
        path, otype=otype, n_observations=n_observations, **{"kind": "dataset", **fields}
    )
    if not artifact._saved:
        object.__setattr__(artifact, "_memory", obj)
        if annotation:
            artifact._record = replace(artifact._record, **annotation)
    return artifact


__all__ = ["from_mudata", "from_spatialdata", "staged_object"]
