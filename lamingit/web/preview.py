"""Previews on an artifact's page: the head of a table or an AnnData, or an inline image.

Only the first rows are read (Parquet's first row group batch, CSV's first lines, a backed
AnnData); values are returned as strings for the template to escape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HEAD_ROWS = 10
MAX_COLUMNS = 30
MAX_CELL = 200
IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
"""Image suffixes shown inline (not SVG: an SVG can carry scripts)."""


@dataclass
class TableHead:
    """A few rows of a table, as text."""

    title: str
    columns: list[str]
    rows: list[list[str]]
    note: str = ""


@dataclass
class Preview:
    """What the artifact page shows under "Preview"."""

    tables: list[TableHead] = field(default_factory=list)
    image: bool = False
    note: str = ""


def _cell(value: Any) -> str:
    text = str(value)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _head(title: str, frame: Any, note: str = "") -> TableHead:
    frame = frame.iloc[:HEAD_ROWS, :MAX_COLUMNS]
    columns = [_cell(c) for c in [frame.index.name or "", *frame.columns]]
    rows = [
        [_cell(i), *(_cell(v) for v in row)]
        for i, row in zip(frame.index, frame.values, strict=True)
    ]
    return TableHead(title, columns, rows, note)


def _parquet(path: Path) -> Any:
    import pyarrow.parquet as pq

    with pq.ParquetFile(path) as handle:
        batch = next(handle.iter_batches(batch_size=HEAD_ROWS), None)
        total = handle.metadata.num_rows
        if batch is None:
            return handle.schema_arrow.empty_table().to_pandas(), total
        return batch.to_pandas(), total


def preview(path: Path | None, suffix: str) -> Preview:
    """The preview of a local file with ``suffix`` (nothing when there is no preview for it).

    Example:
        >>> preview(Path("a.parquet"), ".parquet").tables[0].columns  # doctest: +SKIP
        ['', 'gene', 'count']
    """
    suffix = suffix.lower()
    if suffix in IMAGE_TYPES:
        return Preview(image=True)
    if path is None or not path.is_file():
        return Preview()
    try:
        if suffix == ".parquet":
            frame, total = _parquet(path)
            return Preview([_head("DataFrame", frame, f"{total} rows")])
        if suffix in (".csv", ".tsv"):
            import pandas as pd

            frame = pd.read_csv(path, nrows=HEAD_ROWS, sep="\t" if suffix == ".tsv" else ",")
            return Preview([_head("DataFrame", frame, f"first {HEAD_ROWS} rows")])
        if suffix == ".h5ad":
            import anndata as ad

            adata = ad.read_h5ad(path, backed="r")
            try:
                shape = f"{adata.n_obs} observations × {adata.n_vars} variables"
                return Preview(
                    [_head("obs", adata.obs, shape), _head("var", adata.var)],
                )
            finally:
                adata.file.close()
    except Exception as exc:  # a damaged or odd file: the page still shows, with a note
        return Preview(note=f"no preview: {type(exc).__name__}: {_cell(exc)}")
    return Preview()


__all__ = ["IMAGE_TYPES", "Preview", "TableHead", "preview"]
