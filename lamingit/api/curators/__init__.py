"""``ln.curators``: validate a DataFrame or AnnData against a Schema, fix it, save it annotated.

Example:
    >>> curator = ln.curators.DataFrameCurator(df, schema)  # doctest: +SKIP
    >>> curator.validate()  # doctest: +SKIP
"""

from __future__ import annotations

from lamingit.api.curators.anndata import AnnDataCurator
from lamingit.api.curators.dataframe import CatManager, Curator, DataFrameCurator

__all__ = ["AnnDataCurator", "CatManager", "Curator", "DataFrameCurator"]
