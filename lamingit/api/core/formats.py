"""Reading and writing artifact content by suffix (pandas, anndata, zarr imported lazily;
SpatialData stores are told apart in formats_spatial)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

TABULAR = {".parquet", ".csv", ".tsv", ".csv.gz", ".tsv.gz"}
SHOWN = {".html", ".svg", ".png", ".jpg", ".jpeg", ".gif"}
"""Loaded as in LaminDB: shown inline in a notebook, the local path returned."""
TEXT = {".txt", ".fasta", ".fa", ".fastq", ".fq", ".md", ".log", ".sam", ".vcf", ".bed", ".gtf"}


OTYPES = {
    ".parquet": "DataFrame",
    ".h5ad": "AnnData",
    ".anndata.zarr": "AnnData",
    ".h5mu": "MuData",
    ".spatialdata.zarr": "SpatialData",
}
"""Suffixes that name one in-memory type without reading a byte (as LaminDB infers ``otype``)."""


def otype_of_suffix(suffix: str) -> str | None:
    """The ``otype`` an artifact with ``suffix`` loads as, when the suffix alone says so.

    CSV and plain ``.zarr`` are left ``None``: they hold tables or arrays of any kind.

    Example:
        >>> otype_of_suffix(".h5ad"), otype_of_suffix(".csv")
        ('AnnData', None)
    """
    return OTYPES.get(suffix.lower())


def _is_zarr(suffix: str) -> bool:
    return suffix.lower().endswith(".zarr")


_ZARR_METADATA = (".zarray", "zarr.json", ".zmetadata")


def refuse_pickled_zarr(path: Path) -> None:
    """Refuse a zarr store whose metadata names the ``pickle`` codec.

    Reading such an array unpickles its chunks, which runs whatever code they name: a store
    arriving from a clone must never get that far.

    Example:
        >>> refuse_pickled_zarr(Path("counts.zarr"))  # doctest: +SKIP
    """
    from lamingit.errors import IntegrityError

    for meta in sorted(p for p in path.rglob("*") if p.name in _ZARR_METADATA):
        if b"pickle" in meta.read_bytes().lower():
            raise IntegrityError(
                f"{meta.relative_to(path)} in the zarr store uses the pickle codec, which could "
                "run arbitrary code when read; lamingit does not load it (convert the array to "
                "a plain dtype)"
            )


def load_path(path: Path, suffix: str, **kwargs: Any) -> Any:
    """Load a local file or directory into its natural in-memory object.

    ``kwargs`` go to the reader (``pd.read_parquet``, ``pd.read_csv``, ``ad.read_h5ad``,
    ``ad.read_zarr``, ``spatialdata.read_zarr`` for a SpatialData store), as in LaminDB:
    ``load(columns=["x"])`` reads only column ``x``.

    Example:
        >>> load_path(Path("x.parquet"), ".parquet", columns=["x"])  # doctest: +SKIP
    """
    from lamingit.errors import InvalidArgument

    reader, name = _reader(path, suffix, kwargs)
    try:
        return reader(**kwargs)
    except TypeError as exc:
        if not kwargs:
            raise
        raise InvalidArgument(
            f"load({', '.join(kwargs)}=…): {name} does not take it ({exc}); "
            "see its documentation for the options"
        ) from None


def _reader(path: Path, suffix: str, kwargs: dict[str, Any]) -> tuple[Any, str]:
    """The reader function for ``suffix`` bound to ``path``, and its name for messages."""
    from functools import partial

    from lamingit.errors import InvalidArgument

    s = suffix.lower()
    if s == ".parquet":
        import pandas as pd

        return partial(pd.read_parquet, path), "pandas.read_parquet"
    if s in (".csv", ".csv.gz", ".tsv", ".tsv.gz"):
        import pandas as pd

        if s.startswith(".csv") and "index_col" not in kwargs:
            kwargs["index_col"] = _index_col(path, ",")
        if s.startswith(".tsv"):
            kwargs.setdefault("sep", "\t")
        return partial(pd.read_csv, path), "pandas.read_csv"
    if s == ".h5ad":
        import anndata as ad

        return partial(ad.read_h5ad, path), "anndata.read_h5ad"
    if s == ".h5mu":
        return partial(_mudata().read_h5mu, path), "mudata.read_h5mu"
    if _is_zarr(s):
        refuse_pickled_zarr(path)
        from lamingit.api.core.formats_spatial import is_spatialdata_store, read_spatialdata

        if is_spatialdata_store(path, s):
            return partial(read_spatialdata, path), "spatialdata.read_zarr"
        import anndata as ad

        return partial(ad.read_zarr, path), "anndata.read_zarr"
    if s in (".json", ".yaml", ".yml") or s in TEXT:
        if kwargs:
            raise InvalidArgument(
                f"load() of a {suffix} file takes no options (got {', '.join(kwargs)}); "
                "use artifact.cache() for the local path and read it yourself"
            )
        if s == ".json":
            import json  # not with a first save

            return (lambda: json.loads(path.read_text())), "json"
        if s in (".yaml", ".yml"):
            import yaml

            return (lambda: yaml.safe_load(path.read_text())), "yaml"
        return path.read_text, "read_text"
    if s in SHOWN:  # as LaminDB: displayed in a notebook, the local path returned
        return partial(_show, path, s), "show"
    raise NotImplementedError(
        f"no loader for {suffix or 'files without suffix'!r}; use artifact.cache() for a local path"
    )


def _show(path: Path, suffix: str) -> Path:
    """Display an HTML page, an SVG or an image inline when running in Jupyter; the path."""
    import sys

    ipython = sys.modules.get("IPython")
    shell = getattr(ipython, "get_ipython", lambda: None)() if ipython is not None else None
    if shell is None or type(shell).__name__ == "TerminalInteractiveShell":
        return path
    from IPython.display import HTML, SVG, Image, display

    if suffix == ".html":
        display(HTML(path.read_text()))
    elif suffix == ".svg":
        display(SVG(path.read_text()))
    else:
        display(Image(filename=str(path)))
    return path


def _index_col(path: Path, sep: str) -> int | None:
    """CSVs written by from_dataframe keep the index as an unnamed first column."""
    import gzip

    if str(path).endswith(".gz"):
        with gzip.open(path, "rt") as fh:
            header = fh.readline()
    else:
        with open(path) as fh:
            header = fh.readline()
    return 0 if header.startswith(sep) else None


def open_path(path: Path, suffix: str, engine: str = "pyarrow") -> Any:
    """Open content for streaming access without loading it all.

    Tabular data gives a ``pyarrow.dataset.Dataset`` (or a polars LazyFrame with
    ``engine="polars"``), h5ad a backed AnnData, a SpatialData store a
    ``SpatialDataAccessor``, other zarr a zarr group, anything else a binary file object.

    Example:
        >>> open_path(Path("x.parquet"), ".parquet").to_table()  # doctest: +SKIP
    """
    s = suffix.lower()
    if s in TABULAR:
        if engine == "polars":
            from lamingit.index.frames import scan_table

            return scan_table(path, s)
        import pyarrow.dataset as ds

        fmt: Any = "parquet"
        if s != ".parquet":
            import pyarrow.csv as pacsv

            delimiter = "\t" if s.startswith(".tsv") else ","
            fmt = ds.CsvFileFormat(parse_options=pacsv.ParseOptions(delimiter=delimiter))
        return ds.dataset(path, format=fmt)
    if s == ".h5ad":
        import anndata as ad

        return ad.read_h5ad(path, backed="r")
    if s == ".h5mu":
        return _mudata().read_h5mu(path, backed=True)
    if _is_zarr(s):
        refuse_pickled_zarr(path)
        from lamingit.api.core.formats_spatial import SpatialDataAccessor, is_spatialdata_store

        if is_spatialdata_store(path, s):
            return SpatialDataAccessor(path)
        import zarr

        return zarr.open_group(str(path), mode="r")
    return open(path, "rb")


def _mudata() -> Any:
    """The optional ``mudata`` package, or a one-line ``ImportError`` saying how to get it."""
    try:
        import mudata
    except ImportError:
        raise ImportError(
            "MuData artifacts need the mudata package: pip install 'lamingit[mudata]'"
        ) from None
    return mudata


def write_mudata(mdata: Any, path: Path) -> None:
    """Write a MuData as ``.h5mu``.

    Example:
        >>> write_mudata(mdata, Path("x.h5mu"))  # doctest: +SKIP
    """
    _mudata()  # a MuData object implies the package, but say it the same way if not
    mdata.write(str(path))


def write_dataframe(df: Any, path: Path) -> None:
    """Write a pandas DataFrame as Parquet, or CSV when ``path`` ends in ``.csv``."""
    if path.name.endswith(".csv"):
        df.to_csv(path)
    else:
        df.to_parquet(path)


def write_anndata(adata: Any, path: Path) -> None:
    """Write an AnnData as ``.h5ad``, or as a zarr store when ``path`` ends in ``.zarr``."""
    if path.name.endswith(".zarr"):
        adata.write_zarr(str(path))
    else:
        adata.write_h5ad(path)
