"""The registries, one module per LaminDB class; importing this package fills the catalog.

A registry module imports ``api.core`` and ``api.present`` only, never another registry:
relations go through ``lamingit.api.core.catalog`` by registry name.
"""

from __future__ import annotations

import importlib
import pkgutil

# Every module of this package is a registry; importing each runs Registry.__init_subclass__,
# which enters the class into the catalog (adding a registry is adding a module here).
for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
