"""In-process read auditing: one ``sys.addaudithook`` hook, a no-op unless a run is active.

Audit hooks cannot be removed, so the hook is installed once and checks a module global;
with no run active it costs one comparison per audit event.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_CURRENT: Any = None
"""The ReadLog of the innermost tracked run, or None (then the hook does nothing)."""
_INSTALLED = False
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR
_PAUSE = threading.local()


def _hook(event: str, args: tuple[Any, ...]) -> None:
    log = _CURRENT
    if log is None or event != "open":
        return
    path, mode, flags = args
    if mode is None:
        if flags & _WRITE_FLAGS:
            return
    elif "w" in mode or "a" in mode or "+" in mode or "x" in mode:
        return
    if isinstance(path, int) or getattr(_PAUSE, "on", False):
        return
    log.raw.append((path, os.getcwd()))


def install() -> None:
    """Install the audit hook (idempotent; it stays for the life of the process).

    Example:
        >>> install()
    """
    global _INSTALLED
    if not _INSTALLED:
        sys.addaudithook(_hook)
        _INSTALLED = True


def set_current(log: Any) -> Any:
    """Make ``log`` receive in-process opens; return the previous one (to restore later).

    Example:
        >>> previous = set_current(None)
    """
    global _CURRENT
    previous = _CURRENT
    _CURRENT = log
    return previous


def current() -> Any:
    """The ReadLog receiving reads now, or None.

    Example:
        >>> current() is None
        True
    """
    return _CURRENT


@contextmanager
def paused() -> Iterator[None]:
    """Do not record opens made by lamingit itself (hashing a file being saved, …).

    Example:
        >>> with paused():
        ...     pass
    """
    before = getattr(_PAUSE, "on", False)
    _PAUSE.on = True
    try:
        yield
    finally:
        _PAUSE.on = before
