"""Curators: validate a DataFrame or AnnData against a Schema, fix it, save it annotated."""
