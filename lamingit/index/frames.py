"""Lazy polars frames over tabular artifact content (``artifact.open(engine="polars")``)."""

from __future__ import annotations

from pathlib import Path

import polars as pl


def scan_table(path: Path, suffix: str) -> pl.LazyFrame:
    """A polars LazyFrame over a Parquet, CSV or TSV file, read only as far as needed.

    Example:
        >>> scan_table(Path("counts.parquet"), ".parquet").head(5).collect()  # doctest: +SKIP
    """
    if suffix == ".parquet":
        return pl.scan_parquet(path)
    return pl.scan_csv(path, separator="\t" if suffix.startswith(".tsv") else ",")
