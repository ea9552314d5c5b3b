"""Lineage links written in a transaction: input → run → transform parents, and cycle checks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from lamingit._util import utcnow_iso
from lamingit.api.core.commit import commit
from lamingit.api.core.settings import settings
from lamingit.api.core.view import LIVE
from lamingit.errors import InvalidArgument
from lamingit.models import ArtifactRecord, BaseRecord, RunRecord, TransformRecord
from lamingit.records import ChangeSet, replace
from lamingit.tracking import context as run_context


class _Getter(Protocol):
    def get(self, registry: str, uid: str) -> BaseRecord | None: ...


def creates_cycle(records: _Getter, run_uid: str, artifact_uid: str, limit: int = 100_000) -> bool:
    """Tell whether ``artifact_uid`` descends from run ``run_uid`` (so linking it as an input
    of that run would close a cycle in the lineage graph).

    Example:
        >>> creates_cycle(changes, run.uid, artifact.uid)  # doctest: +SKIP
        False
    """
    seen_artifacts: set[str] = set()
    seen_runs: set[str] = set()
    stack = [artifact_uid]
    while stack and len(seen_artifacts) < limit:
        uid = stack.pop()
        if uid in seen_artifacts:
            continue
        seen_artifacts.add(uid)
        record = records.get("artifact", uid)
        producer = getattr(record, "run", None)
        if producer is None or producer in seen_runs:
            continue
        if producer == run_uid:
            return True
        seen_runs.add(producer)
        run = records.get("run", producer)
        if isinstance(run, RunRecord):
            stack.extend(run.inputs)
    return False


def link_parents(changes: ChangeSet, transform_uid: str, artifact_uids: Iterable[str]) -> None:
    """Add the transforms that made ``artifact_uids`` as parents of ``transform_uid``.

    Called wherever artifacts become inputs of a run of ``transform_uid``. A transform is
    never its own parent, and a parent already linked is not linked again.

    Example:
        >>> link_parents(changes, run.transform, [artifact.uid])  # doctest: +SKIP
    """
    current = changes.get("transform", transform_uid)
    if not isinstance(current, TransformRecord):
        return
    found: set[str] = set()
    for uid in artifact_uids:
        artifact = changes.get("artifact", uid)
        if not isinstance(artifact, ArtifactRecord):
            continue
        parent = artifact.transform
        if parent is None and artifact.run is not None:
            run = changes.get("run", artifact.run)
            parent = run.transform if isinstance(run, RunRecord) else None
        if parent is not None and parent != transform_uid:
            found.add(parent)
    added = found - set(current.parents)
    if not added:
        return
    changes.put(
        replace(current, parents=sorted({*current.parents, *added}), updated_at=utcnow_iso()),
        f"link transform {', '.join(sorted(added))} as parent of transform {transform_uid}",
    )


def link_run_input(artifact: ArtifactRecord, is_run_input: bool | None) -> None:
    """Record ``artifact`` as an input of the active run (not if the run created it).

    Example:
        >>> link_run_input(artifact._record, None)  # doctest: +SKIP
    """
    ctx = run_context.active()
    if ctx is None:
        if is_run_input:
            raise InvalidArgument("is_run_input=True needs an active run; call ln.track() first")
        return
    wanted = settings.track_run_inputs if is_run_input is None else is_run_input
    uid = artifact.uid
    if not wanted:
        ctx.declined.add(uid)  # the audit hook and the watcher must not link this read either
        return
    # Never link a run's own output (a self-link) or what is already linked.
    if artifact.run == ctx.run_uid or uid in ctx.outputs or uid in ctx.inputs:
        return

    def build(changes: ChangeSet) -> None:
        run = changes.get("run", ctx.run_uid)
        if not isinstance(run, RunRecord) or uid in run.inputs:
            return
        if creates_cycle(changes, run.uid, uid):
            return  # the artifact descends from this run: linking it would close a cycle
        changes.put(
            replace(run, inputs=sorted({*run.inputs, uid}), updated_at=utcnow_iso()),
            f"link artifact {uid} as input of run {run.uid}",
        )
        link_parents(changes, run.transform, [uid])

    commit(build, LIVE, "link a run input")
    ctx.inputs.add(uid)


__all__ = ["creates_cycle", "link_parents", "link_run_input"]
