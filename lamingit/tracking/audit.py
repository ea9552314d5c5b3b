"""In-process read auditing: one audit hook, a no-op unless a run is active.

Audit hooks cannot be removed, so the hook is installed once and checks a module global;
with no run active it costs one comparison per audit event. The hook is the C extension
``_audit_c`` when it was built (``pip install`` compiles it): it records absolute ``str`` paths
itself and passes every other open to :func:`_hook`; without it, :func:`_hook` is the hook.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

_CURRENT: Any = None
"""The ReadLog of the innermost tracked run, or None (then the hook does nothing)."""
_BEFORE_SPAWN: Any = None
"""Called before the process starts another (the run's watcher must be watching by then)."""
_SPAWN_EVENTS = frozenset(
    {"subprocess.Popen", "os.posix_spawn", "os.system", "os.exec", "os.spawn", "os.fork"}
)
_INSTALLED = False
_CWD: str | None = None
"""The working directory for relative paths, cached until an ``os.chdir`` audit event."""
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR
_PATH = type(Path())  # PosixPath (WindowsPath on Windows)
_READ_MODES = frozenset({"r", "rb", "rt", "br", "tr"})


def _c_hook() -> Any:
    if os.environ.get("LAMINGIT_AUDIT_HOOK", "").lower() == "python":
        return None  # asked for the Python hook (to compare, or to debug)
    try:
        from lamingit.tracking import _audit_c
    except ImportError:  # built without a C compiler: the Python hook does all the work
        return None
    return _audit_c


_C = _c_hook()
HOOK_KIND = "C" if _C is not None else "Python"
"""Which hook records reads in this installation ("C" or "Python")."""


def _hook(event: str, args: tuple[Any, ...]) -> None:
    # Called for every audit event of the process: keep the common paths short.
    global _CWD
    log = _CURRENT
    if log is None:
        return
    if event != "open":
        if event == "os.chdir":
            _CWD = None
        elif _BEFORE_SPAWN is not None and event in _SPAWN_EVENTS:
            # An exception here would fail the user's subprocess call.
            with suppress(Exception):
                _BEFORE_SPAWN()
        return
    try:  # free unless raised (3.11); a malformed event from a library must not fail it
        path, mode, flags = args
        if mode is None:
            if flags & _WRITE_FLAGS:
                return
        elif mode not in _READ_MODES and ("w" in mode or "a" in mode or "+" in mode or "x" in mode):
            return
        if type(path) is not str:
            if type(path) is _PATH:
                path = str(path)  # cached by pathlib; half the cost of os.fspath()
            elif isinstance(path, int):
                return  # an open file descriptor: its path was seen when it was opened
            else:
                path = os.fsdecode(os.fspath(path))
        if path[:1] == "/":
            log.raw.add(path)  # absolute: no tuple, no getcwd()
        else:
            cwd = _CWD
            if cwd is None:
                cwd = _CWD = os.getcwd()
            log.raw.add((path, cwd))
    except Exception:
        return


def install() -> None:
    """Install the audit hook (idempotent; it stays for the life of the process).

    Example:
        >>> install()
    """
    global _INSTALLED
    if not _INSTALLED:
        if _C is not None:
            _C.install(_hook)
        else:
            sys.addaudithook(_hook)
        _INSTALLED = True


def set_current(log: Any) -> Any:
    """Make ``log`` receive in-process opens; return the previous one (to restore later).

    Example:
        >>> previous = set_current(None)
    """
    global _CURRENT, _CWD
    previous = _CURRENT
    _CURRENT = log
    _CWD = None  # chdir events are not watched while no run is active
    retarget(log)
    return previous


def retarget(log: Any) -> None:
    """Point the C hook at ``log.opened`` and ``log.raw`` again (after the log swapped them),
    if ``log`` is current.

    Example:
        >>> retarget(None)
    """
    if _C is not None and log is _CURRENT:
        if log is None:
            _C.set_target(None)
        else:
            _C.set_target(log.opened, log.raw)


def before_spawn(callback: Any) -> None:
    """Call ``callback()`` before each new process (``subprocess``, ``os.system``,
    ``os.posix_spawn``, ``os.exec*``, ``os.spawn*``, ``os.fork``) while a run is active;
    None stops it.

    Example:
        >>> before_spawn(None)
    """
    global _BEFORE_SPAWN
    _BEFORE_SPAWN = callback


def current() -> Any:
    """The ReadLog receiving reads now, or None.

    Example:
        >>> current() is None
        True
    """
    return _CURRENT


@contextmanager
def paused() -> Iterator[None]:
    """Record no opens in this block (lamingit's own reads on a run's behalf).

    Example:
        >>> with paused():
        ...     pass
    """
    previous = set_current(None)
    try:
        yield
    finally:
        set_current(previous)
