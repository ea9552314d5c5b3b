"""The LaminDB-compatible API: registries (Artifact, Run, …) and module functions."""

from __future__ import annotations

from typing import Any


def registries() -> dict[str, Any]:
    """Registry name → class, for every registry the API exposes.

    Example:
        >>> sorted(registries())[:2]
        ['Artifact', 'Run']
    """
    import importlib

    out: dict[str, Any] = {}
    for name, module in _REGISTRY_MODULES.items():
        out[name] = getattr(importlib.import_module(module), name)
    return out


_REGISTRY_MODULES = {
    "Artifact": "lamingit.api.artifact",
    "Feature": "lamingit.api.feature",
    "Project": "lamingit.api.project",
    "Record": "lamingit.api.record",
    "Run": "lamingit.api.run",
    "Transform": "lamingit.api.transform",
    "ULabel": "lamingit.api.ulabel",
    "User": "lamingit.api.user",
}
