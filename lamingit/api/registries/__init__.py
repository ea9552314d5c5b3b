"""The registries, one module per LaminDB class (``artifact.py`` defines ``Artifact``).

A registry module imports ``api.core`` and ``api.present`` only, never another registry:
relations go through ``lamingit.api.core.catalog`` by registry name. Defining a class enters
it into the catalog; ``catalog.load_all()`` imports every module here.
"""
