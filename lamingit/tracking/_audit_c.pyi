"""The interface of the C audit hook (``_audit_c.c``), for type checkers."""

from collections.abc import Callable
from typing import Any, overload

def install(fallback: Callable[[str, tuple[Any, ...]], None], /) -> None:
    """Add the C audit hook once; ``fallback(event, args)`` gets the events it leaves."""

@overload
def set_target(target: list[str], seen: set[object], /) -> None: ...
@overload
def set_target(target: None, /) -> None: ...
