"""The LaminDB-compatible API: registries (Artifact, Run, …) and module functions.

Floors, each importing only those below it: ``present`` (describe, lineage drawings) →
``core`` (Registry base, QuerySet, View, commit, catalog) → ``registries`` (one module per
class) → ``track`` → ``tracked``, ``steps`` → ``verbs`` (``ln.init``, ``connect``, ``login``,
``at``). The registry classes are listed by ``lamingit.api.core.catalog.classes()``.
"""
