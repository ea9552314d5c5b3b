"""The registry catalog: registry name → class, filled by ``Registry.__init_subclass__``.

Registries never import each other; a relation (``artifact.run``) asks the catalog for the
class by registry name. The classes load on first request (``lamingit.api.registries``).
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING

from lamingit.errors import InvalidArgument
from lamingit.query.validate import did_you_mean

if TYPE_CHECKING:
    from lamingit.api.core.base import Registry

REGISTRIES_PACKAGE = "lamingit.api.registries"
"""The package whose modules define one registry class each (imported by name, on demand)."""

_CLASSES: dict[str, type[Registry]] = {}


def register(cls: type[Registry]) -> None:
    """Enter ``cls`` under its registry name (called by ``Registry.__init_subclass__``).

    Example:
        >>> register(Artifact)  # doctest: +SKIP
    """
    existing = _CLASSES.get(cls._registry)
    if existing is not None and existing is not cls:
        raise InvalidArgument(
            f"registry {cls._registry!r} is defined twice ({existing.__module__}.{existing.__name__}"
            f" and {cls.__module__}.{cls.__name__}); give the new class another _registry"
        )
    _CLASSES[cls._registry] = cls


def load_all() -> None:
    """Import every registry module so that each class has entered the catalog.

    Example:
        >>> load_all()
        >>> "artifact" in _CLASSES
        True
    """
    package = importlib.import_module(REGISTRIES_PACKAGE)
    # Every module of the package is a registry; importing it runs Registry.__init_subclass__.
    # os.listdir, not pkgutil: pkgutil costs an import of its own.
    for name in sorted(os.listdir(os.path.dirname(str(package.__file__)))):
        if name.endswith(".py") and not name.startswith("_"):
            importlib.import_module(f"{REGISTRIES_PACKAGE}.{name[:-3]}")


def registry_class(registry: str) -> type[Registry]:
    """The class of ``registry`` (``"artifact"`` → ``Artifact``).

    Example:
        >>> registry_class("run").__name__
        'Run'
    """
    cls = _CLASSES.get(registry)
    if cls is None:
        try:  # by convention the module is named after the registry: load just that one
            importlib.import_module(f"{REGISTRIES_PACKAGE}.{registry}")
        except ModuleNotFoundError:
            load_all()
        cls = _CLASSES.get(registry)
    if cls is None:
        hint = did_you_mean(registry, _CLASSES)
        raise InvalidArgument(
            f"no registry {registry!r};{hint} registries: {', '.join(sorted(_CLASSES))}"
        )
    return cls


def classes() -> dict[str, type[Registry]]:
    """Class name → class for every registry, sorted by name (``{"Artifact": Artifact, …}``).

    Example:
        >>> sorted(classes())[:2]
        ['Artifact', 'Feature']
    """
    load_all()
    return {cls.__name__: cls for cls in sorted(_CLASSES.values(), key=lambda c: c.__name__)}


def registry_names() -> list[str]:
    """Every registry's tree name (``records/<name>/…``), sorted.

    Example:
        >>> registry_names()[:2]
        ['artifact', 'feature']
    """
    load_all()
    return sorted(_CLASSES)
