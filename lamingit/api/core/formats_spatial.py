"""SpatialData stores: telling one from other zarr stores, reading, writing and opening them
(``spatialdata`` is an optional extra, imported only here and only when used)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

ELEMENTS = frozenset({"images", "labels", "points", "shapes", "tables"})
"""The top-level groups of a SpatialData zarr store."""


def spatialdata_module() -> Any:
    """The optional ``spatialdata`` package, or a one-line ``ImportError`` saying how to get it.

    Example:
        >>> sd = spatialdata_module()  # doctest: +SKIP
    """
    try:
        import spatialdata
    except ImportError:
        raise ImportError(
            "SpatialData artifacts need the spatialdata package: "
            "pip install 'lamingit[spatialdata]'"
        ) from None
    return spatialdata


def _root_attrs(path: Path) -> dict[str, Any]:
    """The attributes of a zarr store's root group (format 3 ``zarr.json`` or 2 ``.zattrs``)."""
    v3, v2 = path / "zarr.json", path / ".zattrs"
    try:
        if v3.is_file():
            attrs = json.loads(v3.read_text()).get("attributes", {})
        elif v2.is_file():
            attrs = json.loads(v2.read_text())
        else:
            return {}
    except (OSError, ValueError):
        return {}
    return attrs if isinstance(attrs, dict) else {}


def is_spatialdata_store(path: Path, suffix: str) -> bool:
    """Whether the zarr store at ``path`` holds a SpatialData, read from its metadata alone.

    As LaminDB tells them apart: ``.spatialdata.zarr`` says so, ``.anndata.zarr`` says not;
    a plain ``.zarr`` is SpatialData when its root names ``spatialdata_attrs`` (spatialdata
    0.2+ writes it) or, with no AnnData ``encoding-type``, its groups are only SpatialData
    elements (images, labels, points, shapes, tables; older releases write no root attributes).

    Example:
        >>> is_spatialdata_store(Path("sample.zarr"), ".zarr")  # doctest: +SKIP
        True
    """
    s = suffix.lower()
    if s == ".spatialdata.zarr":
        return True
    if s == ".anndata.zarr" or not path.is_dir():
        return False
    attrs = _root_attrs(path)
    if "spatialdata_attrs" in attrs:
        return True
    if attrs.get("encoding-type"):
        return False
    groups = {p.name for p in path.iterdir() if p.is_dir()}
    return bool(groups) and groups <= ELEMENTS


def write_spatialdata(sdata: Any, path: Path) -> None:
    """Write a SpatialData as a zarr store at ``path`` (a directory that must not exist).

    Example:
        >>> write_spatialdata(sdata, Path("sample.zarr"))  # doctest: +SKIP
    """
    spatialdata_module()  # a SpatialData object implies the package, but say it the same way
    sdata.write(str(path))


def read_spatialdata(path: Path, **kwargs: Any) -> Any:
    """Read a SpatialData zarr store into memory (``spatialdata.read_zarr``; images and
    points stay dask-backed, as spatialdata reads them).

    Example:
        >>> read_spatialdata(Path("sample.zarr")).tables["table"]  # doctest: +SKIP
    """
    return spatialdata_module().read_zarr(str(path), **kwargs)


class _Tables(Mapping[str, Any]):
    """The ``tables`` group of a SpatialData store: table name → its AnnData zarr group."""

    def __init__(self, group: Any | None) -> None:
        self._group = group

    def __getitem__(self, key: str) -> Any:
        if self._group is None or key not in self._group:
            raise KeyError(f"no table {key!r}; the store has {sorted(self)}")
        return self._group[key]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._group.group_keys()) if self._group is not None else [])

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return f"Accessor for the SpatialData attribute tables\n  with keys: {list(self)}"


class SpatialDataAccessor:
    """A SpatialData store opened read-only without spatialdata: ``open()`` of a SpatialData
    artifact, as LaminDB's accessor of the same name (which, too, gives only ``tables``).

    ``storage`` is the root zarr group; ``tables[name]`` the zarr group of one AnnData table
    (read it with ``anndata``'s ``read_elem``, or load the whole object with ``load()``).

    Example:
        >>> access = ln.Artifact.get(key="sample.zarr").open()  # doctest: +SKIP
        >>> access.tables["table"]["obs"]  # doctest: +SKIP
    """

    def __init__(self, path: Path) -> None:
        import zarr

        self.storage = zarr.open_group(str(path), mode="r")
        self._name = path.name
        tables = self.storage.get("tables", None)
        self.tables = _Tables(tables)

    def __repr__(self) -> str:
        return (
            "SpatialDataAccessor object"
            f"\n  constructed for the SpatialData object {self._name}"
            f"\n    with tables: {list(self.tables)}"
        )


__all__ = [
    "SpatialDataAccessor",
    "is_spatialdata_store",
    "read_spatialdata",
    "spatialdata_module",
    "write_spatialdata",
]
