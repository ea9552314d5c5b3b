"""lamingit: LaminDB's data-lineage API on a git-style, file-based, versioned repository.

``import lamingit as ln`` is cheap: registries and functions load on first use.

Example:
    >>> import lamingit as ln
    >>> ln.init("./mydata")  # doctest: +SKIP
    >>> ln.Artifact("sample.fasta", key="sample.fasta").save()  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import Any

from lamingit import errors as errors

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    "Branch": "lamingit.api.branch",
    "Q": "lamingit.query.expr",
    "Storage": "lamingit.api.core.storage",
    "at": "lamingit.api.verbs",
    "connect": "lamingit.api.verbs",
    "context": "lamingit.api.track",
    "finish": "lamingit.api.track",
    "flow": "lamingit.api.flows",
    "init": "lamingit.api.verbs",
    "login": "lamingit.api.verbs",
    "save": "lamingit.api.core.base",
    "settings": "lamingit.api.core.settings",
    "step": "lamingit.api.flows",
    "track": "lamingit.api.track",
    "tracked": "lamingit.api.tracked",
    "view": "lamingit.api.overview",
}
"""Names that are not registries → the module defining them (imported on first use)."""


def _registries() -> dict[str, Any]:
    # The registry classes (Artifact, Run, …) come from the catalog, which lists each one
    # once it is defined; asking it loads lamingit.api.registries.
    from lamingit.api.core import catalog

    return dict(catalog.classes())


_MODULES: dict[str, str] = {"curators": "lamingit.api.curators", "setup": "lamingit.api.setup"}
"""Sub-modules users reach as attributes (``ln.curators.DataFrameCurator``)."""


def _registry(name: str) -> Any:
    # Fast path: ln.Artifact loads registries/artifact.py only (a registry's module is named
    # after it); the full catalog is the fallback for any other spelling.
    from lamingit.api.core import catalog

    try:
        cls = catalog.registry_class(name.lower())
    except errors.LamingitError:
        cls = None
    if cls is not None and cls.__name__ == name:
        return cls
    return _registries().get(name)


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        value = importlib.import_module(_MODULES[name])
        globals()[name] = value
        return value
    if name == "__all__":  # `from lamingit import *`: computed, the registries load on demand
        return sorted([*_LAZY, *_MODULES, *_registries(), "errors", "__version__"])
    module = _LAZY.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module), name)
    elif name[:1].isupper() and (found := _registry(name)) is not None:
        value = found
    else:
        import difflib

        known = [*_LAZY, *(_registries() if name[:1].isupper() else ())]
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise AttributeError(f"module 'lamingit' has no attribute {name!r}{hint}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*_LAZY, *_MODULES, *_registries(), "errors", "__version__"])
