"""``@ln.tracked()``: one Transform per function source, one Run per call."""

from __future__ import annotations

import functools
import inspect
import textwrap
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar, overload

from lamingit._util import random_base62, utcnow_iso
from lamingit.api.core.commit import commit, new_record_fields
from lamingit.api.core.links import link_parents
from lamingit.api.core.view import LIVE
from lamingit.api.registries.transform import script_transform
from lamingit.api.track import active_watcher, flush_reads, jsonable
from lamingit.models import RunRecord, TransformRecord
from lamingit.records import ChangeSet, replace
from lamingit.session import SESSION
from lamingit.storage.hashing import hash_bytes
from lamingit.tracking import audit
from lamingit.tracking import context as run_context
from lamingit.tracking.reads import ReadLog
from lamingit.tracking.source import SourceInfo

P = ParamSpec("P")
R = TypeVar("R")


def _function_source(func: Callable[..., Any]) -> str:
    try:
        return textwrap.dedent(inspect.getsource(func))
    except (OSError, TypeError):
        # Defined in a REPL: the code object still identifies the function's body.
        code = func.__code__
        return f"# source unavailable\n{code.co_name} {code.co_code.hex()}"


@overload
def tracked(uid: Callable[P, R]) -> Callable[P, R]: ...


@overload
def tracked(uid: str | None = None) -> Callable[[Callable[P, R]], Callable[P, R]]: ...


def tracked(
    uid: str | None | Callable[P, R] = None,
) -> Callable[P, R] | Callable[[Callable[P, R]], Callable[P, R]]:
    """Track every call of the decorated function as a Run of a ``kind="function"`` Transform.

    The transform's key is ``module:qualname`` and its source is the function's source
    (a changed body makes a new version). Each call records the bound arguments as
    ``params``, ``initiated_by_run`` = the enclosing run (``ln.track()`` or another
    tracked function), and the artifacts it loads and saves as its inputs and outputs.
    Works with or without ``ln.track()``.

    Args:
        uid: a fixed transform uid (as ``ln.track(uid)``); optional. ``@ln.tracked`` without
            parentheses works too.

    Example:
        >>> @ln.tracked()
        ... def subset(key: str, n: int) -> ln.Artifact:
        ...     df = ln.Artifact.get(key=key).load().head(n)
        ...     return ln.Artifact.from_dataframe(df, key=f"{key}.head{n}.parquet").save()
    """

    if callable(uid):  # used bare: @ln.tracked
        return tracked()(uid)
    fixed_uid: str | None = uid

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        source = _function_source(func)
        key = f"{func.__module__}:{func.__qualname__}"
        digest = hash_bytes(source.encode())
        signature = inspect.signature(func)
        known: dict[str, str] = {}

        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            repo = SESSION.repository()
            try:
                bound = signature.bind(*args, **kwargs)
                bound.apply_defaults()
                params = {
                    name: jsonable(value)
                    for name, value in bound.arguments.items()
                    if name not in ("self", "cls")  # the instance is not a parameter
                }
            except TypeError:
                return func(*args, **kwargs)  # let Python raise its own argument error
            parent = run_context.active()
            run_uid = random_base62(20)
            projects = list(parent.projects) if parent is not None else []

            def start(changes: ChangeSet) -> None:
                t_uid = _function_transform(
                    changes, known, key, func.__qualname__, source, digest, fixed_uid
                )
                changes.put(
                    RunRecord(
                        **new_record_fields(run_uid),
                        transform=t_uid,
                        started_at=utcnow_iso(),
                        params=params,
                        initiated_by_run=parent.run_uid if parent is not None else None,
                        projects=projects,
                    ),
                    f"start run {run_uid} of function {key}",
                )

            commit(start, LIVE, "track a function call")
            ctx = run_context.RunContext(
                run_uid=run_uid, transform_uid=known[digest], projects=projects, parent=parent
            )
            log = ReadLog(repo.root)
            ctx.reads = log
            audit.install()
            watcher = active_watcher()
            if watcher is not None:
                watcher.sync()  # reads before this call belong to the caller
            previous = audit.set_current(log)
            run_context.push(ctx)
            status = "errored"
            try:
                result = func(*args, **kwargs)
                status = "completed"
                return result
            finally:
                if watcher is not None:
                    watcher.sync()
                audit.set_current(previous)
                run_context.remove(ctx)
                _finish_call(repo, ctx, log, status)

        return wrapper

    return decorate


def _function_transform(
    changes: ChangeSet,
    known: dict[str, str],
    key: str,
    name: str,
    source: str,
    digest: str,
    uid: str | None,
) -> str:
    """The uid of the function's transform, created (or versioned) on first use."""
    cached = known.get(digest)
    if cached is not None and changes.get("transform", cached) is not None:
        return cached
    info = SourceInfo(None, key, name, "function", source, None)
    record, _ = script_transform(changes, info, uid, None, [])
    assert isinstance(record, TransformRecord)
    known[digest] = record.uid
    return record.uid


def _finish_call(repo: Any, ctx: run_context.RunContext, log: ReadLog, status: str) -> None:
    def build(changes: ChangeSet) -> None:
        run = changes.get("run", ctx.run_uid)
        if not isinstance(run, RunRecord):
            return
        new_inputs, unregistered = flush_reads(repo, ctx, log, changes)
        changes.put(
            replace(
                run,
                finished_at=utcnow_iso(),
                status=status,
                inputs=sorted({*run.inputs, *new_inputs}),
                unregistered_reads=sorted({*run.unregistered_reads, *unregistered}),
                tracking_warnings=sorted({*run.tracking_warnings, *log.warnings}),
                updated_at=utcnow_iso(),
            ),
            f"finish run {run.uid} ({status})",
        )
        link_parents(changes, run.transform, new_inputs)

    commit(build, LIVE, "finish a function call")


__all__ = ["tracked"]
