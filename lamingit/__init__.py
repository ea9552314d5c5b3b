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
    "Artifact": "lamingit.api.artifact",
    "Feature": "lamingit.api.feature",
    "Project": "lamingit.api.project",
    "Q": "lamingit.query.expr",
    "Record": "lamingit.api.record",
    "Run": "lamingit.api.run",
    "Transform": "lamingit.api.transform",
    "ULabel": "lamingit.api.ulabel",
    "User": "lamingit.api.user",
    "at": "lamingit.api.functions",
    "connect": "lamingit.api.functions",
    "context": "lamingit.api.track",
    "finish": "lamingit.api.track",
    "init": "lamingit.api.functions",
    "login": "lamingit.api.functions",
    "save": "lamingit.api.functions",
    "settings": "lamingit.api.settings",
    "track": "lamingit.api.track",
    "tracked": "lamingit.api.tracked",
}

__all__ = sorted([*_LAZY, "errors", "__version__"])


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'lamingit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
