"""Derived, disposable Parquet indexes and polars frames (the one polars user)."""
