"""The active run of this process (set by ``ln.track``/``@ln.tracked``, read by saves)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RunContext:
    """What is being tracked right now: the run, its transform and its project links.

    ``inputs`` are artifact uids already linked as inputs (so a second read costs nothing),
    ``declined`` the uids a caller read with ``is_run_input=False``; ``reads`` is the
    read log (audit hook + watcher) of a top-level ``ln.track()`` run, shared by the
    ``@ln.tracked`` calls nested in it; ``watcher`` is that run's ``ReadWatcher``.
    """

    run_uid: str
    transform_uid: str
    projects: list[str] = field(default_factory=list)
    outputs: set[str] = field(default_factory=set)
    inputs: set[str] = field(default_factory=set)
    declined: set[str] = field(default_factory=set)
    reads: Any = None
    watcher: Any = None
    parent: RunContext | None = None


_STACK: list[RunContext] = []


def active() -> RunContext | None:
    """The innermost active run context, or None.

    Example:
        >>> active() is None
        True
    """
    return _STACK[-1] if _STACK else None


def push(context: RunContext) -> None:
    """Enter a run (``@ln.tracked`` nests runs inside ``ln.track``)."""
    _STACK.append(context)


def pop() -> RunContext | None:
    """Leave the innermost run."""
    return _STACK.pop() if _STACK else None


def remove(context: RunContext) -> None:
    """Leave ``context`` wherever it is on the stack (finish() of an outer run)."""
    for i in range(len(_STACK) - 1, -1, -1):
        if _STACK[i] is context:
            del _STACK[i]
            return


def await_watches() -> None:
    """Return once the active runs' watches are in place (``cache()`` calls this before it
    hands out a path that a subprocess may read next; free after the first time).

    Example:
        >>> await_watches()
    """
    for context in _STACK:
        if context.watcher is not None:
            context.watcher.ready()
