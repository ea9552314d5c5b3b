"""The LaminDB-compatible API: registries (Artifact, Run, …) and module functions.

Floors, each importing only those below it: ``present`` (describe, lineage drawings) →
``core`` (Registry base, QuerySet, View, commit, catalog) → ``registries`` (one module per
class) → ``track``/``tracked`` → ``verbs`` (``ln.init``, ``ln.connect``, ``ln.login``, ``ln.at``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lamingit.api.core import catalog

if TYPE_CHECKING:
    from lamingit.api.core.base import Registry


def registries() -> dict[str, type[Registry]]:
    """Registry name → class, for every registry the API exposes (read from the catalog).

    Example:
        >>> sorted(registries())[:2]
        ['Artifact', 'Feature']
    """
    return catalog.classes()
