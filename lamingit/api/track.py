"""``ln.track()`` / ``ln.finish()`` / ``ln.context``: a run of the calling script or notebook.

The run-context mechanics (source detection, environment, output capture, read auditing,
the watcher) live in ``lamingit.tracking``; this module turns them into records.
"""

from __future__ import annotations

import atexit
import os
import sys
import time
import traceback
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

from lamingit._log import logger
from lamingit._util import is_base62, random_base62, utcnow_iso
from lamingit.api import track_notebook as tnb
from lamingit.api.core.commit import commit, new_record_fields
from lamingit.api.core.links import creates_cycle, link_parents
from lamingit.api.core.queryset import normalize_value
from lamingit.api.core.run_options import initiating_run, switch_branch, with_features
from lamingit.api.core.settings import settings
from lamingit.api.core.view import LIVE
from lamingit.api.registries.run import Run
from lamingit.api.registries.transform import Transform, script_transform
from lamingit.api.track_args import (
    check_features,
    check_options,
    project_uids,
    target_branch,
    target_snapshot,
    transform_here,
    watch_paths,
)
from lamingit.api.track_plan import check_plan, plan_artifact
from lamingit.errors import InvalidArgument, TrackNotCalled
from lamingit.models import RunRecord, TransformRecord
from lamingit.records import ChangeSet, replace
from lamingit.repo import Repository
from lamingit.session import SESSION
from lamingit.tracking import audit
from lamingit.tracking import context as run_context
from lamingit.tracking.capture import OutputCapture
from lamingit.tracking.environment import packages
from lamingit.tracking.reads import ReadLog, match_reads
from lamingit.tracking.source import SourceInfo, caller_frame, detect, source_for_path
from lamingit.tracking.watcher import ReadWatcher, prestart

MAX_UNREGISTERED = 10_000
"""Unregistered reads kept per run (the rest are counted in the run's tracking warnings)."""
TRANSFORM_STEM = Transform._stem_length
RUN_ENV = "LAMINGIT_RUN"
"""Environment variable naming the run that started this process (``initiated_by_run``)."""


class _Tracking:
    """The state of the one top-level tracked run of this process (a plain class: a
    dataclass costs ~0.6 ms to create, on every first ``ln.track()`` of a process)."""

    def __init__(self, repo: Repository, ctx: run_context.RunContext, reads: ReadLog) -> None:
        self.repo = repo
        self.ctx = ctx
        self.started = time.perf_counter()
        self.reads = reads
        self.capture: OutputCapture | None = None
        self.watcher: ReadWatcher | None = None
        self.previous_log: Any = None
        self.previous_env: str | None = None
        self.source: SourceInfo | None = None
        self.created = False


_ACTIVE: _Tracking | None = None
_HOOKS_INSTALLED = False


# -- public API ------------------------------------------------------------------------------
def track(
    transform: Any = None,
    params: dict[str, Any] | None = None,
    project: Any = None,
    *,
    watch: Iterable[str | Path] | None = None,
    capture_output: bool = True,
    description: str | None = None,
    uid: str | None = None,
    source: SourceInfo | None = None,
    path: str | Path | None = None,
    branch: Any = None,
    features: dict[str, Any] | None = None,
    initiated_by_run: Any = None,
    plan: Any = None,
) -> Run:
    """Start a run of the calling script or notebook (or of ``transform``).

    The transform is keyed by the script's path relative to its git repository (else its
    file name), stores the source code and the git commit, and gets a new version when the
    code changed. The run records ``started_at``, ``params``, the package versions and
    captures stdout/stderr into ``run.report``. While it is active, files it reads become
    its inputs (see docs/tracking.md).

    Args:
        transform: None (detect the caller), an ``ln.Transform``, or a transform uid.
        params: JSON-like parameters, queryable as ``Run.filter(params__name=value)``.
        project: a project name or ``ln.Project`` (or a list of them); everything saved
            during the run is linked to it.
        watch: extra files or directories whose reads by any process (subprocesses,
            native code) are tracked, besides the repository's cache.
        capture_output: tee stdout/stderr into the run's report.
        description: the transform's description (default: the file name).
        uid: a transform uid (as ``ln.context.uid = …``), to keep an identity across renames.
        source: the code to record instead of the caller's (``lamingit track`` uses it).
        path: the script or ``.ipynb`` notebook to record, when detection cannot find it
            (a notebook's key is its path relative to its git work tree, as LaminDB).
        branch, features, initiated_by_run: switch to a branch first; the run's feature values;
            the run that started this one (docs/tracking.md).
        plan: an agent plan file (or its Artifact), saved as ``kind="plan"``, the run's input.

    A process started with ``LAMINGIT_RUN=<run uid>`` in its environment (every subprocess of
    a tracked run, and commands run by ``lamingit track -- CMD``) records that run as
    ``initiated_by_run``.

    Example:
        >>> ln.track(params={"learning_rate": 0.01}, project="My project")  # doctest: +SKIP
        >>> ln.finish()  # doctest: +SKIP
    """
    # Every argument is checked before anything starts or is written (docs/tracking.md).
    target = target_branch(branch)
    if uid is None and transform is None:
        # `ln.context.uid = "…"; ln.track()` is LaminDB's way to pin a transform's identity:
        # a plain ln.track() honours what was set on ln.context (explicit arguments win).
        uid = context.uid
    if description is None:
        description = context.description
    if transform is not None and isinstance(transform, str):
        uid, transform = transform, None
    if transform is not None and not isinstance(transform, Transform):
        raise InvalidArgument("transform= must be an ln.Transform, a transform uid or None")
    if uid is not None and (
        not isinstance(uid, str) or len(uid) not in (TRANSFORM_STEM, 16) or not is_base62(uid)
    ):
        raise InvalidArgument(
            f"transform uid {uid!r} must be 12 or 16 base62 characters, e.g. '1LCd8kco9lZU0000'"
        )
    check_options(params, features, capture_output)
    named = watch_paths(watch) + watch_paths(getattr(settings, "watch", None))
    check_plan(plan)
    info: SourceInfo | None = source
    if path is not None and info is None:
        info = source_for_path(path)
    if transform is None and info is None:
        info = detect(caller_frame())
        if info is None:
            raise InvalidArgument(
                "ln.track() could not find the calling script (interactive python -c?); "
                "pass ln.track(transform=ln.Transform(key='my-step', kind='script'))"
            )
    repo = SESSION.repository()
    snapshot = target_snapshot(repo, target)  # the branch the run is recorded on
    projects = project_uids(snapshot, project)
    parent_uid = initiating_run(snapshot, initiated_by_run, os.environ.get(RUN_ENV))
    check_features(snapshot, features)
    given = {**tnb.injected_params(info), **(params or {})}
    clean_params = {str(k): jsonable(v) for k, v in given.items()}

    # -- the run starts: switch, start the watcher, write --------------------------------
    global _ACTIVE
    switch_branch(target)
    watch_cache = bool(getattr(settings, "watch_cache", True))
    # An empty cache has nothing to read until cache() fills it, which waits for the
    # watches: the watcher process then starts on demand (docs/tracking.md).
    cache_empty = watch_cache and not named and _empty(repo.paths.cache)
    if (watch_cache and not cache_empty) or named:
        prestart()  # the watcher process starts while this run is being recorded
    if _ACTIVE is not None:
        # Re-tracking (a notebook re-run from the top) completes the previous run first.
        finish_run("completed")
    plan_uid = plan_artifact(plan).uid if plan is not None else None  # saved outside the run
    environment = packages()
    run_uid = random_base62(20)
    outcome: dict[str, Any] = {}

    def build(changes: ChangeSet) -> None:
        if info is not None:
            record, created = script_transform(changes, info, uid, description, projects)
        else:
            assert isinstance(transform, Transform)
            # resolved on the branch switched to: one saved elsewhere only is brought here
            record, created = transform_here(changes, transform)
            if projects and not set(projects) <= set(record.projects):
                record = replace(record, projects=sorted({*record.projects, *projects}))
                changes.put(record)
        now = utcnow_iso()
        run = RunRecord(
            **new_record_fields(run_uid),
            transform=record.uid,
            started_at=now,
            params=clean_params,
            environment=environment,
            projects=projects,
            initiated_by_run=parent_uid,
            inputs=[plan_uid] if plan_uid else [],
        )
        run = with_features(changes, run, features)
        label = record.key or record.description
        changes.put(run, f"start run {run_uid} of transform {record.uid} ({label})")
        outcome["transform"] = record
        outcome["created"] = created

    commit(build, LIVE, "track")
    if isinstance(transform, Transform) and not transform._saved:
        transform._after_save()
    t_record: TransformRecord = outcome["transform"]
    ctx = run_context.RunContext(run_uid=run_uid, transform_uid=t_record.uid, projects=projects)
    reads = ReadLog(repo.root)
    if info is not None and info.path is not None:
        reads.ignore(info.path)
    ctx.reads = reads
    state = _Tracking(repo, ctx, reads)
    state.source, state.created = info, bool(outcome["created"])
    tnb.hand_off(run_uid, info)  # lamingit run-notebook attaches the report to this run
    tnb.begin(info)  # a headless kernel records its cells' outputs for the report
    state.previous_env = os.environ.get(RUN_ENV)
    os.environ[RUN_ENV] = run_uid  # subprocesses that track themselves name this run
    roots = [repo.paths.cache] if watch_cache else []
    repo.paths.cache.mkdir(parents=True, exist_ok=True)
    if roots or named:
        watcher = ReadWatcher(roots + named, _watcher_read, reads.warn)
        # Paths the user named are watched when track() returns. The cache alone is not
        # waited for here (the watcher process needs ~40–65 ms: it imports watchdog):
        # cache() waits before it hands out a path, and so does the first subprocess the
        # run starts; an empty cache is not even watched before then.
        watcher.start(wait=bool(named), deferred=cache_empty)
        state.watcher = watcher
        ctx.watcher = watcher
        audit.before_spawn(watcher.ready)
    audit.install()
    state.previous_log = audit.set_current(reads)
    run_context.push(ctx)
    _install_exit_hooks()
    if capture_output:
        state.capture = OutputCapture()
        state.capture.start()
    _ACTIVE = state
    verb = "created" if outcome["created"] else "loaded"
    logger.info(
        f"{verb} Transform('{t_record.uid}', key={t_record.key!r}) & started Run('{run_uid}')"
    )
    run_record = repo.snapshot().find_as(RunRecord, run_uid)
    assert run_record is not None, "the run was committed just above"
    return Run._from_record(run_record, LIVE)


def finish(ignore_non_consecutive: bool | None = None) -> None:
    """Complete the run started by ``ln.track()``: ``finished_at``, status, report, inputs.

    Reads noticed by the audit hook and the watcher are matched to artifacts and linked as
    inputs in the same single commit. In a notebook, the saved ``.ipynb`` becomes the
    transform's source and its HTML rendering the run's report; an interactive notebook
    whose cells ran out of order is refused (the run stays active) unless
    ``ignore_non_consecutive=True`` (see docs/tracking.md, "Notebooks").

    Example:
        >>> ln.track()  # doctest: +SKIP
        >>> ln.finish()  # doctest: +SKIP
    """
    if _ACTIVE is None:
        raise TrackNotCalled(
            "ln.finish() found no run to finish; call ln.track() first in this process"
        )
    done = None
    if _ACTIVE.source is not None and _ACTIVE.source.notebook is not None:
        done = tnb.prepare_finish(_ACTIVE.repo, _ACTIVE.source, ignore_non_consecutive)
    finish_run("completed", notebook=done)


class Context:
    """LaminDB's ``ln.context``: set ``uid``/``description`` before ``track()``; read the run.

    Example:
        >>> ln.context.uid = "1LCd8kco9lZU0000"  # doctest: +SKIP
        >>> ln.context.track()  # doctest: +SKIP
        >>> ln.context.run.uid  # doctest: +SKIP
    """

    def __init__(self) -> None:
        self.uid: str | None = None
        self.description: str | None = None
        self.version: str | None = None

    @property
    def name(self) -> str | None:
        """The seed's spelling of ``description``."""
        return self.description

    @name.setter
    def name(self, value: str | None) -> None:
        self.description = value

    def track(
        self,
        transform: Any = None,
        params: dict[str, Any] | None = None,
        project: Any = None,
        **kwargs: Any,
    ) -> Run:
        """``ln.track()`` with this context's ``uid`` and ``description``."""
        kwargs.setdefault("uid", self.uid)
        kwargs.setdefault("description", self.description)
        return track(transform, params=params, project=project, **kwargs)

    def finish(self, ignore_non_consecutive: bool | None = None) -> None:
        """``ln.finish()``."""
        finish(ignore_non_consecutive)

    @property
    def run(self) -> Run | None:
        """The active run (the innermost one), or None."""
        ctx = run_context.active()
        return None if ctx is None else Run.get(ctx.run_uid)

    @property
    def transform(self) -> Transform | None:
        """The transform of the active run, or None."""
        ctx = run_context.active()
        return None if ctx is None else Transform.get(ctx.transform_uid)


context = Context()
"""The one ``ln.context`` of this process."""


# -- helpers --------------------------------------------------------------------------------
def jsonable(value: Any) -> Any:
    """A JSON-storable form of a parameter (records → uid, paths → str, numpy → Python).

    Example:
        >>> jsonable({"path": Path("a.csv"), "n": 3})
        {'path': 'a.csv', 'n': 3}
    """
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__ == "numpy":
        try:
            return jsonable(item())
        except (TypeError, ValueError):
            pass
    normalized = normalize_value(value)
    if normalized is not value:
        return jsonable(normalized)
    return repr(value)


def _empty(directory: Path) -> bool:
    """Whether ``directory`` holds nothing (or does not exist yet)."""
    try:
        with os.scandir(directory) as entries:
            return next(entries, None) is None
    except FileNotFoundError:
        return True


def _watcher_read(path: str) -> None:
    # Reads reported by the watcher thread go to whichever run (or @tracked call) is
    # current, like the audit hook's.
    log = audit.current()
    if log is not None:
        with log.lock:
            log.raw.add(path)


def flush_reads(
    repo: Repository, ctx: run_context.RunContext, log: ReadLog, changes: ChangeSet
) -> tuple[list[str], list[str]]:
    """Match the reads in ``log`` to artifacts: (new input uids, unregistered paths).

    Skips the run's own outputs, artifacts read with ``is_run_input=False`` and links that
    would close a cycle; with ``ln.settings.track_run_inputs = False`` nothing is linked.

    Example:
        >>> flush_reads(repo, ctx, log, changes)  # doctest: +SKIP
        (['AbC…0000'], ['/data/notes.txt'])
    """
    paths = log.take_paths()
    if not paths:
        return [], []
    matched, unregistered = match_reads(
        changes.snapshot, repo.root, paths, by_hash=getattr(settings, "match_reads_by_hash", True)
    )
    if not settings.track_run_inputs:
        return [], unregistered
    new: list[str] = []
    for uid in sorted(matched):
        if uid in ctx.outputs or uid in ctx.declined or uid in ctx.inputs:
            continue
        record = changes.get("artifact", uid)
        if record is None or getattr(record, "run", None) == ctx.run_uid:
            continue
        if creates_cycle(changes, ctx.run_uid, uid):
            logger.debug(f"not linking {uid} as input of {ctx.run_uid}: it would close a cycle")
            continue
        new.append(uid)
    return new, unregistered


def finish_run(
    status: str, note: str | None = None, notebook: tnb.NotebookFinish | None = None
) -> None:
    """End the active run with ``status`` (``note`` is appended to its report): stop watching
    and capturing, then write its end state and inputs in one commit. No-op without a run.
    ``notebook`` carries what ``ln.finish()`` prepared for a notebook (source, HTML report).

    Example:
        >>> finish_run("errored", note="could not start align.sh")  # doctest: +SKIP
    """
    global _ACTIVE
    state = _ACTIVE
    if state is None:
        return
    _ACTIVE = None
    ctx = state.ctx
    _restore_env(state)
    if state.watcher is not None:
        if not state.watcher.sync():
            state.reads.warn("the watcher did not confirm all reads before finish()")
        state.watcher.stop()
        audit.before_spawn(None)
    audit.set_current(state.previous_log)
    if state.capture is not None:
        state.capture.stop()
        if note:
            state.capture.add(note)
    report_text = state.capture.text() if state.capture is not None else note
    report_oid = state.repo.blobs.put_bytes(report_text.encode()) if report_text else None
    elapsed = time.perf_counter() - state.started

    def build(changes: ChangeSet) -> None:
        run = changes.get("run", ctx.run_uid)
        if not isinstance(run, RunRecord):
            return
        new_inputs, unregistered = flush_reads(state.repo, ctx, state.reads, changes)
        warnings = list(state.reads.warnings)
        all_unregistered = sorted({*run.unregistered_reads, *unregistered})
        if len(all_unregistered) > MAX_UNREGISTERED:
            warnings.append(
                f"{len(all_unregistered) - MAX_UNREGISTERED} more unregistered reads not kept"
            )
            all_unregistered = all_unregistered[:MAX_UNREGISTERED]
        if notebook is not None:
            run = tnb.apply_finish(changes, run, notebook, state.created, ctx.outputs)
        changes.put(
            replace(
                run,
                finished_at=utcnow_iso(),
                status=status,
                report=run.report if notebook and notebook.report_oid else report_oid,
                inputs=sorted({*run.inputs, *new_inputs}),
                unregistered_reads=all_unregistered,
                tracking_warnings=sorted({*run.tracking_warnings, *warnings}),
                updated_at=utcnow_iso(),
            ),
            f"finish run {run.uid} ({status})",
        )
        link_parents(changes, run.transform, [*run.inputs, *new_inputs] if notebook else new_inputs)

    try:
        commit(build, LIVE, "finish")
    finally:
        run_context.remove(ctx)
    logger.info(f"finished Run('{ctx.run_uid}') ({status}) after {elapsed:.2f} s")


def _restore_env(state: _Tracking) -> None:
    if os.environ.get(RUN_ENV) == state.ctx.run_uid:
        if state.previous_env is None:
            del os.environ[RUN_ENV]
        else:
            os.environ[RUN_ENV] = state.previous_env


def _excepthook(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    if _ACTIVE is not None:
        status = "aborted" if issubclass(exc_type, KeyboardInterrupt) else "errored"
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        try:
            finish_run(status, note=text)
        except Exception as err:  # the user's traceback matters more than ours
            print(f"lamingit: could not record the failed run: {err}", file=sys.stderr)
    _PREVIOUS_EXCEPTHOOK(exc_type, exc, tb)


_PREVIOUS_EXCEPTHOOK = sys.excepthook


def _at_exit() -> None:
    # A script that ends without ln.finish() and without an uncaught exception completed.
    if _ACTIVE is not None:
        try:
            finish_run("completed")
        except Exception as err:
            print(f"lamingit: could not finish the run at exit: {err}", file=sys.stderr)


def _install_exit_hooks() -> None:
    global _HOOKS_INSTALLED, _PREVIOUS_EXCEPTHOOK
    if _HOOKS_INSTALLED:
        return
    _PREVIOUS_EXCEPTHOOK = sys.excepthook
    sys.excepthook = _excepthook
    atexit.register(_at_exit)
    _HOOKS_INSTALLED = True


def abandon() -> None:
    """Drop the active run without writing anything (tests; a deleted repository).

    Example:
        >>> abandon()
    """
    global _ACTIVE
    state, _ACTIVE = _ACTIVE, None
    if state is None:
        return
    _restore_env(state)
    if state.watcher is not None:
        state.watcher.stop()
        audit.before_spawn(None)
    audit.set_current(state.previous_log)
    if state.capture is not None:
        state.capture.stop()
    run_context.remove(state.ctx)


def active_watcher() -> ReadWatcher | None:
    """The watcher of the active ``ln.track()`` run (``@ln.tracked`` calls sync with it)."""
    return _ACTIVE.watcher if _ACTIVE is not None else None


__all__ = ["Context", "context", "finish", "jsonable", "track"]
