"""The active run of this process (set by ``ln.track``/``@ln.tracked``, read by saves)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RunContext:
    """What is being tracked right now: the run, its transform and its project links."""

    run_uid: str
    transform_uid: str
    projects: list[str] = field(default_factory=list)
    outputs: set[str] = field(default_factory=set)


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
