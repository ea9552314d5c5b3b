"""The registries, one module per LaminDB class; importing this package fills the catalog.

A registry module imports ``api.core`` and ``api.present`` only, never another registry:
relations go through ``lamingit.api.core.catalog`` by registry name.
"""

from __future__ import annotations

import importlib
import os

# Every module of this package is a registry; importing each runs Registry.__init_subclass__,
# which enters the class into the catalog (adding a registry is adding a module here).
# os.listdir, not pkgutil: pkgutil costs an import of its own on every `ln.Artifact`.
for _name in sorted(os.listdir(os.path.dirname(__file__))):
    if _name.endswith(".py") and not _name.startswith("_"):
        importlib.import_module(f"{__name__}.{_name[:-3]}")
