"""The Python environment of a run: installed distributions and their versions."""

from __future__ import annotations

import os
import platform
import re
import sys

_CACHE: dict[str, str] | None = None
_NAME = re.compile(r"[-_.]+")


def packages() -> dict[str, str]:
    """``{distribution name: version}`` of everything on ``sys.path``, plus ``python``.

    This is what ``importlib.metadata.distributions()`` finds, read the cheap way: a wheel
    install names its metadata directory ``name-version.dist-info``, so one directory
    listing per ``sys.path`` entry gives every name and version (~1 ms), whereas importing
    importlib.metadata and parsing each METADATA file costs 20 + 100 ms for ~130
    packages. importlib.metadata is used only for a directory whose name carries no
    version. Computed once per process; no ``pip freeze`` subprocess.

    Example:
        >>> "python" in packages()
        True
    """
    global _CACHE
    if _CACHE is None:
        found: dict[str, str] = {}
        for entry in sys.path:
            if entry and os.path.isdir(entry):
                _scan(entry, found)
        found["python"] = platform.python_version()
        _CACHE = dict(sorted(found.items()))
    return dict(_CACHE)


def _scan(directory: str, found: dict[str, str]) -> None:
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        stem, dot, ext = name.rpartition(".")
        if not dot or ext not in ("dist-info", "egg-info"):
            continue
        dist, _, rest = stem.partition("-")
        version = rest.split("-py")[0]
        if not version:
            version = _metadata_version(os.path.join(directory, name))
        if dist and version:
            found.setdefault(_NAME.sub("-", dist).lower(), version)


def _metadata_version(path: str) -> str:
    import importlib.metadata as md

    try:
        return md.PathDistribution.at(path).version or ""  # type: ignore[attr-defined]
    except Exception:  # a broken distribution must not break tracking
        return ""
