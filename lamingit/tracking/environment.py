"""The Python environment of a run: installed distributions and their versions."""

from __future__ import annotations

import os
import platform
import re
import sys
from collections.abc import Iterable

_CACHE: dict[str, str] | None = None
_NAME = re.compile(r"[-_.]+")
_INFO = (".dist-info", ".egg-info")


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
        if not name.endswith(_INFO):  # most entries: one C call each, no split
            continue
        stem, _, _ext = name.rpartition(".")
        dist, _, rest = stem.partition("-")
        version = rest.split("-py")[0]
        if not version:
            version = _metadata_version(os.path.join(directory, name))
        if dist and version:
            found.setdefault(_NAME.sub("-", dist).lower(), version)


def _metadata_version(path: str) -> str:
    """The ``Version:`` header of a distribution directory whose name carries no version.

    Read as ``importlib.metadata`` reads it (``METADATA``, else ``PKG-INFO``, else the path
    itself for a single-file ``.egg-info``), but without importing it: importing
    importlib.metadata (and the email package it parses with) costs 25–70 ms, which an
    editable install's ``name.egg-info`` beside the sources would add to every first
    ``ln.track()``.
    """
    for candidate in (os.path.join(path, "METADATA"), os.path.join(path, "PKG-INFO"), path):
        try:
            with open(candidate, encoding="utf-8") as fh:
                version = _version_header(fh)
        except (OSError, UnicodeDecodeError):  # missing or unreadable: the next candidate
            continue
        if version is not None:
            return version
    return ""


def _version_header(lines: Iterable[str]) -> str | None:
    """The ``Version`` header among the RFC 822 headers of ``lines``; None if there are none."""
    seen = False
    for line in lines:
        if not line.strip():
            break  # headers end at the first blank line; the description follows
        seen = True
        name, colon, value = line.partition(":")
        if colon and name.strip().lower() == "version":
            return value.lstrip(" \t").rstrip("\r\n")  # as email.policy.compat32
    return "" if seen else None
