"""The Python environment benchmarks measure in: a user's, which caches compiled bytecode."""

from __future__ import annotations

import os
import sys


def as_users_python() -> None:
    """Let this process and the processes it starts write ``.pyc`` files, as Python does by default.

    Some environments (this project's development sandbox among them) set
    ``PYTHONDONTWRITEBYTECODE``; every fresh process then compiles each module it imports that
    has no cached bytecode (~10 ms for the modules ``ln.track()`` loads), which a user's
    Python does once. Note that any non-empty value of the variable, ``"0"`` too, turns
    caching off: it must be removed, not set.

    Example:
        >>> as_users_python()
    """
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.dont_write_bytecode = False
