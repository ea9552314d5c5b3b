"""The API's ground floor: the Registry base, QuerySet, View, commit/save, the registry catalog.

Nothing here imports a registry; relations are resolved by name through ``catalog``.
"""
