"""``@ln.flow()`` and ``@ln.step()``: LaminDB's workflow decorators over ``@ln.tracked()``.

A flow call is a run of the function's transform that is the active run while it executes
(``ln.context.run``); a step is the same but must be called inside a run (a flow, another
step, ``ln.track()``) and names it as ``initiated_by_run``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar, overload

from lamingit.api.tracked import tracked
from lamingit.errors import InvalidArgument, TrackNotCalled
from lamingit.tracking import context as run_context

P = ParamSpec("P")
R = TypeVar("R")


@overload
def flow(uid: Callable[P, R], global_run: str = "clear") -> Callable[P, R]: ...


@overload
def flow(
    uid: str | None = None, global_run: str = "clear"
) -> Callable[[Callable[P, R]], Callable[P, R]]: ...


def flow(
    uid: str | None | Callable[P, R] = None, global_run: str = "clear"
) -> Callable[P, R] | Callable[[Callable[P, R]], Callable[P, R]]:
    """Track every call of the decorated function as a workflow run (``ln.context.run``
    during the call, cleared afterwards).

    Only ``global_run="clear"`` (LaminDB's default) is supported: the run ends with the call.

    Example:
        >>> @ln.flow()
        ... def pipeline(key: str) -> None:
        ...     preprocess(key)
    """
    if callable(uid):  # used bare: @ln.flow
        return flow()(uid)
    if global_run != "clear":
        raise InvalidArgument(
            f"flow(global_run={global_run!r}) is not supported; lamingit ends a flow's run "
            "with the call (global_run='clear'); use ln.track()/ln.finish() to keep a run open"
        )
    return tracked(uid)


@overload
def step(uid: Callable[P, R]) -> Callable[P, R]: ...


@overload
def step(uid: str | None = None) -> Callable[[Callable[P, R]], Callable[P, R]]: ...


def step(
    uid: str | None | Callable[P, R] = None,
) -> Callable[P, R] | Callable[[Callable[P, R]], Callable[P, R]]:
    """Track every call as a step: a run initiated by the active run; outside any run it raises
    ``TrackNotCalled``.

    Example:
        >>> @ln.step()
        ... def preprocess(key: str) -> ln.Artifact:
        ...     ...
    """
    if callable(uid):  # used bare: @ln.step
        return step()(uid)
    track_call = tracked(uid)

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        inner = track_call(func)

        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if run_context.active() is None:
                raise TrackNotCalled(
                    f"step {func.__qualname__}() needs an initiating run: call it inside an "
                    "@ln.flow() function or after ln.track()"
                )
            return inner(*args, **kwargs)

        return wrapper

    return decorate


__all__ = ["flow", "step"]
